/* SPDX-License-Identifier: Apache-2.0 */
#include "common/utf8.h"

/* The range the second byte of a sequence led by c may take, and how many
 * bytes follow c; 0 when c leads no sequence. */
static size_t lead(unsigned char c, unsigned char *lo, unsigned char *hi)
{
	*lo = 0x80;
	*hi = 0xbf;
	if (c >= 0xc2 && c <= 0xdf)
		return 1;
	if (c >= 0xe0 && c <= 0xef) {
		*lo = c == 0xe0 ? 0xa0 : 0x80; /* no overlongs */
		*hi = c == 0xed ? 0x9f : 0xbf; /* no surrogates */
		return 2;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		*lo = c == 0xf0 ? 0x90 : 0x80;
		*hi = c == 0xf4 ? 0x8f : 0xbf; /* nothing above U+10FFFF */
		return 3;
	}
	return 0;
}

size_t mb_utf8_seq_n(const unsigned char *s, size_t avail)
{
	if (s[0] < 0x80)
		return 1;
	unsigned char lo, hi;
	size_t k = lead(s[0], &lo, &hi);
	if (k == 0 || avail < k + 1 || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t j = 2; j <= k; j++)
		if ((s[j] & 0xc0) != 0x80)
			return 0;
	return k + 1;
}

size_t mb_utf8_seq(const unsigned char *s)
{
	/* A NUL fails the second-byte range check, and each later byte is
	 * read only after the one before it passed: nothing past a NUL. */
	return mb_utf8_seq_n(s, 4);
}

bool mb_utf8_valid(const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	for (size_t i = 0; i < n;) {
		size_t k = mb_utf8_seq_n(s + i, n - i);
		if (k == 0)
			return false;
		i += k;
	}
	return true;
}

unsigned mb_utf8_cp(const unsigned char *s, size_t len)
{
	switch (len) {
	case 1: return s[0];
	case 2: return (unsigned)(s[0] & 0x1f) << 6 | (s[1] & 0x3f);
	case 3: return (unsigned)(s[0] & 0x0f) << 12 | (unsigned)(s[1] & 0x3f) << 6 | (s[2] & 0x3f);
	default:
		return (unsigned)(s[0] & 0x07) << 18 | (unsigned)(s[1] & 0x3f) << 12 |
		       (unsigned)(s[2] & 0x3f) << 6 | (s[3] & 0x3f);
	}
}
