/* SPDX-License-Identifier: Apache-2.0 */
/* Text for a terminal: report strings come from what a sandboxed server
 * tried to open, so a path may hold escape sequences meant for the
 * auditor's terminal. Everything printed in text mode goes through here. */
#include <string.h>

#include "common/utf8.h"
#include "audit/audit.h"

static uint32_t code_point(const unsigned char *s, size_t n)
{
	switch (n) {
	case 1: return s[0];
	case 2: return (uint32_t)(s[0] & 0x1f) << 6 | (s[1] & 0x3f);
	case 3: return (uint32_t)(s[0] & 0x0f) << 12 | (uint32_t)(s[1] & 0x3f) << 6 | (s[2] & 0x3f);
	default:
		return (uint32_t)(s[0] & 0x07) << 18 | (uint32_t)(s[1] & 0x3f) << 12 |
		       (uint32_t)(s[2] & 0x3f) << 6 | (s[3] & 0x3f);
	}
}

/* C0, DEL, C1, and the bidirectional controls that reorder what is shown
 * (U+200E-F, U+202A-E, U+2066-9). */
static bool hidden(uint32_t c)
{
	return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x200e || c == 0x200f ||
	       (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

/* Writes to f, or only measures when f is NULL. */
static size_t put(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t width = 0;
	while (*s) {
		size_t n = mb_utf8_seq(s);
		if (n == 0) {
			if (f)
				fprintf(f, "\\x%02x", *s);
			width += 4;
			s++;
			continue;
		}
		uint32_t c = code_point(s, n);
		if (c == '\\') {
			if (f)
				fputs("\\\\", f);
			width += 2;
		} else if (hidden(c)) {
			if (f)
				fprintf(f, c < 0x100 ? "\\x%02x" : "\\u%04x", (unsigned)c);
			width += c < 0x100 ? 4 : 6;
		} else {
			if (f)
				fwrite(s, 1, n, f);
			width++;
		}
		s += n;
	}
	return width;
}

void audit_put_safe(FILE *f, const char *s)
{
	put(f, s);
}

size_t audit_safe_width(const char *s)
{
	return put(NULL, s);
}
