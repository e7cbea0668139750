/* SPDX-License-Identifier: Apache-2.0 */
/* A minimal TAP producer for C tests run by automake's TAP driver. Every
 * check prints "ok N - name" or "not ok N - name" with a diagnostic; the plan
 * is printed at the end, so a test that dies early is counted as failed.
 * The driver reads every line: a name is kept on one line (a newline in it
 * becomes a space) and every line of a diagnostic starts with '#', so that
 * a value that holds a line such as "not ok 3" is never taken for a result. */
#pragma once

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_n_, tap_failed_;

/* Each line of TEXT (up to LEN bytes) after PREFIX, or, with PREFIX NULL,
 * TEXT on the current line with each newline turned into a space. */
__attribute__((unused)) static void tap_put_(const char *prefix, const char *text, size_t len)
{
	if (prefix)
		fputs(prefix, stdout);
	for (size_t i = 0; i < len; i++) {
		if (text[i] != '\n')
			putchar(text[i]);
		else if (!prefix)
			putchar(' ');
		else if (i + 1 < len)
			printf("\n%s", prefix);
	}
	if (prefix)
		putchar('\n');
}

/* On the stack when it fits: a test may count its allocations around a
 * check (tests/notify/unit-correlate.c). */
__attribute__((format(printf, 2, 0), unused)) static void tap_vput_(const char *prefix,
								 const char *fmt, va_list ap)
{
	char buf[4096], *s = NULL;
	va_list again;
	va_copy(again, ap);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	if (n >= 0 && (size_t)n < sizeof(buf))
		tap_put_(prefix, buf, (size_t)n);
	else if (n >= 0 && vasprintf(&s, fmt, again) >= 0)
		tap_put_(prefix, s, strlen(s));
	else
		tap_put_(prefix, "(a message that cannot be formatted)", 36);
	va_end(again);
	free(s);
}

__attribute__((format(printf, 2, 3), unused)) static bool tap_ok(bool cond, const char *fmt, ...)
{
	va_list ap;
	printf("%s %d - ", cond ? "ok" : "not ok", ++tap_n_);
	va_start(ap, fmt);
	tap_vput_(NULL, fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!cond)
		tap_failed_++;
	fflush(stdout);
	return cond;
}

#define ok(cond, ...) tap_ok((cond), __VA_ARGS__)

__attribute__((format(printf, 2, 3), unused)) static void tap_diag_lines_(const char *prefix,
									  const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	tap_vput_(prefix, fmt, ap);
	va_end(ap);
}

#define is_int(got, want, ...)                                                         \
	({                                                                              \
		long long g_ = (long long)(got), w_ = (long long)(want);                \
		bool r_ = tap_ok(g_ == w_, __VA_ARGS__);                                \
		if (!r_)                                                                \
			printf("#   got %lld, want %lld (%s:%d)\n", g_, w_, __FILE__, __LINE__); \
		r_;                                                                     \
	})

#define is_str(got, want, ...)                                                         \
	({                                                                              \
		const char *g_ = (got), *w_ = (want);                                   \
		bool r_ = tap_ok(g_ && w_ ? strcmp(g_, w_) == 0 : g_ == w_, __VA_ARGS__); \
		if (!r_)                                                                \
			tap_diag_lines_("#   ", "got  \"%s\"\nwant \"%s\" (%s:%d)",            \
					g_ ? g_ : "(null)", w_ ? w_ : "(null)", __FILE__, __LINE__); \
		r_;                                                                     \
	})

__attribute__((format(printf, 1, 2), unused)) static void diag(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	tap_vput_("# ", fmt, ap);
	va_end(ap);
}

/* Print the plan and return the process exit status. */
__attribute__((unused)) static int done_testing(void)
{
	printf("1..%d\n", tap_n_);
	return tap_failed_ ? 1 : 0;
}
