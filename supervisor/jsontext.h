/* Work on the raw text of a JSON message, beside cJSON's tree:
 *  - a pre-scan that cJSON does not do: UTF-8 validity, NUL bytes (raw or
 *    escaped as \u0000, which cJSON would silently cut a string at), raw
 *    control characters in strings, and the nesting depth, checked before
 *    cJSON recurses so that deep nesting cannot overflow the stack;
 *  - spans: where a member's value or an array's elements lie in the text,
 *    so that ids are kept byte for byte and an edited message (a filtered
 *    tools/list) keeps every byte that was not removed.
 * The span functions expect text that cJSON has already accepted. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

enum mb_json_fault {
	MB_JSON_OK,
	MB_JSON_NUL,         /* a NUL byte, raw or as \u0000 */
	MB_JSON_BAD_UTF8,
	MB_JSON_CONTROL,     /* a raw control character (other than JSON's whitespace) */
	MB_JSON_TOO_DEEP,
};

const char *mb_json_fault_name(enum mb_json_fault f);

/* Scan s[0, len). *depth_out (may be NULL) gets the deepest nesting seen. */
enum mb_json_fault mb_json_prescan(const char *s, size_t len, unsigned max_depth,
				   unsigned *depth_out);

/* Is s[0, len) valid UTF-8 (no overlongs, surrogates or values over
 * U+10FFFF)? */
bool mb_utf8_valid(const char *s, size_t len);

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

/* The span of the value s[0, len) itself, whitespace trimmed. */
struct mb_span mb_json_trim(const char *s, size_t len);
