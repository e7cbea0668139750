/* SPDX-License-Identifier: Apache-2.0 */
/* Byte-exact edits of a JSON text: a list of (range, replacement) applied
 * in one pass, every byte outside the ranges copied as it was. The
 * scanners make the ranges: a finding inside a string, rounded out to whole
 * characters and escapes (scan.h), replaced by text that needs no escaping
 * (a marker, or nothing), so the string stays a string; or an element of
 * an array with the comma that separated it, so the array stays an array.
 * Nothing is re-serialised: numbers, spacing, escapes and member order of
 * the rest are the server's own. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/strbuf.h"
#include "common/vec.h"
#include "supervisor/inspect/json-text.h"

struct mb_edit {
	size_t off, len;  /* the range of the text replaced */
	const char *repl; /* static or owned by the caller while edits are applied */
	size_t repl_len;
};

typedef MB_VEC(struct mb_edit) mb_edit_vec;

/* Returns 0 or -ENOMEM. */
int mb_edit_add(mb_edit_vec *v, size_t off, size_t len, const char *repl, size_t repl_len);

/* The edits that remove the elements hide[i] of an array whose elements lie
 * at elems[0, n), with the commas and blanks between them: what stays is
 * the array of the others, spaced as it was. Returns 0 or -ENOMEM. */
int mb_edit_hide_elements(mb_edit_vec *v, const struct mb_span *elems, const bool *hide, size_t n);

/* text[span] with the edits applied, into out. Edits are sorted here;
 * overlapping ones are merged, their union replaced by the replacement of
 * the one that starts first (a redaction inside a hidden element goes with
 * it). Edits outside span are ignored. */
void mb_edits_apply(const char *text, struct mb_span span, mb_edit_vec *v, struct mb_strbuf *out);
