/* SPDX-License-Identifier: Apache-2.0 */
/* common/utf8.c: the one UTF-8 check the reporter, membrane-audit and the
 * inspector share (RFC 3629 section 4's table). */
#include "common/utf8.h"
#include "common/macros.h"
#include "tests/tap.h"

static const struct {
	const char *s;
	size_t seq; /* what mb_utf8_seq gives at s[0] */
	const char *what;
} cases[] = {
	{ "a", 1, "ASCII" },
	{ "\xc3\xa9", 2, "U+00E9, two bytes" },
	{ "\xe2\x82\xac", 3, "U+20AC, three bytes" },
	{ "\xf0\x9f\x98\x80", 4, "U+1F600, four bytes" },
	{ "\xf4\x8f\xbf\xbf", 4, "U+10FFFF, the last code point" },
	{ "\xc0\x80", 0, "overlong NUL (C0 80)" },
	{ "\xc1\xbf", 0, "overlong (C1)" },
	{ "\xe0\x80\x80", 0, "overlong three bytes (E0 80)" },
	{ "\xf0\x80\x80\x80", 0, "overlong four bytes (F0 80)" },
	{ "\xed\xa0\x80", 0, "a UTF-16 surrogate (U+D800)" },
	{ "\xf4\x90\x80\x80", 0, "above U+10FFFF" },
	{ "\xf5\x80\x80\x80", 0, "F5 leads nothing" },
	{ "\x80", 0, "a lone continuation byte" },
	{ "\xe2\x82", 0, "a truncated sequence (the NUL ends it)" },
	{ "\xe2\x28\xa1", 0, "a bad continuation byte" },
};

int main(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const unsigned char *s = (const unsigned char *)cases[i].s;
		is_int(mb_utf8_seq(s), cases[i].seq, "seq: %s", cases[i].what);
		is_int(mb_utf8_valid(cases[i].s, strlen(cases[i].s)), cases[i].seq == strlen(cases[i].s),
		       "valid: %s", cases[i].what);
	}
	/* Bounded: a sequence cut by the buffer's end is not valid, whatever
	 * follows in memory. */
	const char cut[] = "ok\xe2\x82\xac";
	ok(mb_utf8_valid(cut, 5), "a whole sequence at the end of the buffer");
	ok(!mb_utf8_valid(cut, 4), "the same cut by the buffer's length");
	is_int(mb_utf8_seq_n((const unsigned char *)cut + 2, 2), 0, "seq_n does not read past avail");
	static const struct { const char *s; unsigned cp; } cps[] = {
		{ "A", 0x41 }, { "\xc3\xa9", 0xe9 }, { "\xe2\x80\x8b", 0x200b },
		{ "\xf3\xa0\x81\x89", 0xe0049 },
	};
	for (size_t i = 0; i < 4; i++) {
		const unsigned char *u = (const unsigned char *)cps[i].s;
		is_int(mb_utf8_cp(u, mb_utf8_seq_n(u, strlen(cps[i].s))), cps[i].cp, "code point U+%04X",
		       cps[i].cp);
	}
	ok(mb_utf8_valid("a\0b", 3), "a NUL byte is U+0000");
	return done_testing();
}
