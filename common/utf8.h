/* SPDX-License-Identifier: Apache-2.0 */
/* UTF-8 as RFC 3629 defines it: no overlong forms, no surrogates, nothing
 * above U+10FFFF. Reports and what reads them hold strings a sandboxed
 * server chose, so every reader checks them the same way. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Length (1-4) of the valid sequence that starts at s, of the avail bytes
 * there, or 0 if none does. */
size_t mb_utf8_seq_n(const unsigned char *s, size_t avail);

/* The same for a NUL-terminated s: a NUL ends any sequence, so nothing past
 * it is read. */
size_t mb_utf8_seq(const unsigned char *s);

/* The code point of the valid sequence of len bytes (mb_utf8_seq_n's) at s. */
unsigned mb_utf8_cp(const unsigned char *s, size_t len);

/* Are the n bytes at s valid UTF-8 (NUL bytes count as valid U+0000)? */
bool mb_utf8_valid(const char *s, size_t n);
