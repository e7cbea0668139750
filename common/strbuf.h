/* SPDX-License-Identifier: Apache-2.0 */
/* A growable, always NUL-terminated byte buffer for building text. Errors are
 * sticky: after an allocation failure every append is a no-op and
 * mb_strbuf_failed() says so, so callers check once at the end. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/macros.h"

struct mb_strbuf {
	char *s;
	size_t len, cap;
	bool oom;
};

void mb_strbuf_append(struct mb_strbuf *b, const char *s, size_t n);
void mb_strbuf_puts(struct mb_strbuf *b, const char *s);
void mb_strbuf_putc(struct mb_strbuf *b, char c);
void mb_strbuf_printf(struct mb_strbuf *b, const char *fmt, ...) _printf_(2, 3);
/* Append s as a JSON string literal (with quotes), escaping as RFC 8259 asks. */
void mb_strbuf_json_string(struct mb_strbuf *b, const char *s, size_t n);
void mb_strbuf_reset(struct mb_strbuf *b);
void mb_strbuf_free(struct mb_strbuf *b);
static inline bool mb_strbuf_failed(const struct mb_strbuf *b)
{
	return b->oom;
}
/* Hand the string to the caller (who frees it); the buffer is left empty. */
char *mb_strbuf_take(struct mb_strbuf *b);
