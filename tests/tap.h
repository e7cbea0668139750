/* A minimal TAP producer for C tests run by automake's TAP driver. Every
 * check prints "ok N - name" or "not ok N - name" with a diagnostic; the plan
 * is printed at the end, so a test that dies early is counted as failed. */
#pragma once

#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_n_, tap_failed_;

__attribute__((format(printf, 2, 3), unused)) static bool tap_ok(bool cond, const char *fmt, ...)
{
	va_list ap;
	printf("%s %d - ", cond ? "ok" : "not ok", ++tap_n_);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!cond)
		tap_failed_++;
	fflush(stdout);
	return cond;
}

#define ok(cond, ...) tap_ok((cond), __VA_ARGS__)

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
			printf("#   got  \"%s\"\n#   want \"%s\" (%s:%d)\n", g_ ? g_ : "(null)", \
			       w_ ? w_ : "(null)", __FILE__, __LINE__);                 \
		r_;                                                                     \
	})

__attribute__((format(printf, 1, 2), unused)) static void diag(const char *fmt, ...)
{
	va_list ap;
	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* Print the plan and return the process exit status. */
__attribute__((unused)) static int done_testing(void)
{
	printf("1..%d\n", tap_n_);
	return tap_failed_ ? 1 : 0;
}
