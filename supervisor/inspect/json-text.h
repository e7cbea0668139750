/* SPDX-License-Identifier: Apache-2.0 */
/* Work on the raw text of a JSON message, without building a tree:
 *  - a validator (the hot path: every frame in both directions): strict
 *    RFC 8259 grammar, UTF-8 validity, NUL bytes (raw or escaped as \u0000,
 *    which cJSON would silently cut a string at), raw control characters,
 *    lone surrogates, the nesting depth, and objects with the same key twice,
 *    in one pass over the text without allocating (objects with very many
 *    keys excepted). What it accepts, cJSON parses to the same values, so
 *    the parts the inspector needs as a tree are parsed on demand;
 *  - spans: where a member's value or an array's elements lie in the text,
 *    so that ids are kept byte for byte, members are read without a parse,
 *    and an edited message (a filtered tools/list) keeps every byte that
 *    was not removed.
 * The span functions expect text that the validator has accepted. */
#pragma once

#include "common/utf8.h" /* mb_utf8_valid, for the inspector's callers */

#include <stdbool.h>
#include <stddef.h>

enum mb_json_fault {
	MB_JSON_OK,
	MB_JSON_NUL,         /* a NUL byte, raw or as \u0000 */
	MB_JSON_BAD_UTF8,
	MB_JSON_CONTROL,     /* a raw control character (other than JSON's whitespace) */
	MB_JSON_TOO_DEEP,
	MB_JSON_SYNTAX,      /* not JSON (mb_json_validate only) */
	MB_JSON_NOMEM,
};

const char *mb_json_fault_name(enum mb_json_fault f);

/* Scan s[0, len). *depth_out (may be NULL) gets the deepest nesting seen. */
enum mb_json_fault mb_json_prescan(const char *s, size_t len, unsigned max_depth,
				   unsigned *depth_out);

/* The deepest nesting mb_json_validate can be asked to accept. */
#define MB_JSON_VALIDATE_MAX_DEPTH 256

/* Numbers longer than this are refused: cJSON (which parses what the
 * validator accepted, on demand) cuts them at 63 characters. */
#define MB_JSON_NUMBER_MAX 63

/* What the validator records on its way, when asked: the members of the
 * objects nested at most MB_JSON_TAPE_DEPTH deep (a message, its params or
 * result, and their objects; one level more inside a batch), so that
 * reading them needs no second pass over the text. A tape that fills up is
 * dropped as a whole (overflow) and readers scan the text instead. */
#define MB_JSON_TAPE_MAX 48
#define MB_JSON_TAPE_DEPTH 3

struct mb_json_tape_ent {
	size_t obj;              /* offset of the owning object's '{' */
	size_t key_off, key_len; /* the key's body, between the quotes */
	size_t val_off, val_len;
	bool key_esc;
	bool is_obj;             /* marks the object at obj (the rest unused) */
};

struct mb_json_tape {
	size_t n;
	bool overflow;
	struct mb_json_tape_ent e[MB_JSON_TAPE_MAX];
};

/* Validate s[0, len) as one JSON value (whitespace around it allowed),
 * nested at most max_depth (<= MB_JSON_VALIDATE_MAX_DEPTH) deep. The first
 * fault in text order is returned, except that a syntax error gives way to
 * a NUL, invalid UTF-8, control character or depth fault anywhere in the
 * text (the more precise reason). An object with a duplicate key is not a
 * fault: the offset of each such object's '{' is appended to *dups (a
 * malloc'd array of *ndup entries, the caller frees it; *dups may stay
 * NULL). tape (may be NULL) is filled as above. */
enum mb_json_fault mb_json_validate(const char *s, size_t len, unsigned max_depth,
				    size_t **dups, size_t *ndup, struct mb_json_tape *tape);


struct mb_span {
	size_t off, len;
};

/* The end (offset after) of the JSON value starting at pos (after optional
 * whitespace). */
size_t mb_json_value_end(const char *s, size_t len, size_t pos);

/* The span of the value of member key in the object at span obj; false if
 * absent. Keys are compared after decoding their escapes, as cJSON does. */
bool mb_json_member(const char *s, struct mb_span obj, const char *key, struct mb_span *ret);

/* Call fn for every element of the array at span arr, in order; stops when fn
 * returns non-zero and returns that value. */
int mb_json_elements(const char *s, struct mb_span arr,
		     int (*fn)(struct mb_span elem, void *ud), void *ud);

/* Find several members in one pass: out[i] gets the span of keys[i]'s value
 * (its first occurrence), or {0, 0} when absent (a value is never empty).
 * Returns how many were found. */
size_t mb_json_members(const char *s, struct mb_span obj, const char *const *keys, size_t n,
		       struct mb_span *out);
/* The same from a tape (may be NULL), falling back to the text when the tape
 * does not hold the object. */
size_t mb_json_tape_members(const struct mb_json_tape *t, const char *s, struct mb_span obj,
			    const char *const *keys, size_t n, struct mb_span *out);

/* Is the value at span v a string / an object / an array? */
static inline bool mb_span_is(const char *s, struct mb_span v, char first)
{
	return v.len && s[v.off] == first;
}

/* Decode the string value at span v (quotes included) into out, which has
 * room for v.len bytes (decoding never lengthens). Returns the decoded
 * length; out is NUL-terminated. */
size_t mb_json_unescape(const char *s, struct mb_span v, char *out);

/* The span of the value s[0, len) itself, whitespace trimmed. */
struct mb_span mb_json_trim(const char *s, size_t len);
