/* SPDX-License-Identifier: Apache-2.0 */
/* Small helpers every part of membrane uses: scope-bound cleanup, ownership
 * transfer, and a few attributes. Modelled on systemd's conventions: a
 * resource has one owner; _cleanup_ releases it at scope exit unless TAKE_*()
 * moved it out. */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _unused_ __attribute__((unused))
#define _noreturn_ __attribute__((noreturn))
#define _warn_unused_ __attribute__((warn_unused_result))
#define _likely_(x) __builtin_expect(!!(x), 1)
#define _unlikely_(x) __builtin_expect(!!(x), 0)

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MB_MIN(a, b) ((a) < (b) ? (a) : (b))
#define MB_MAX(a, b) ((a) > (b) ? (a) : (b))

/* Move a pointer or fd out of a _cleanup_ variable. */
#define TAKE_PTR(p)                      \
	({                               \
		__typeof__(p) _p_ = (p); \
		(p) = NULL;              \
		_p_;                     \
	})
#define TAKE_FD(fd)                \
	({                         \
		int _fd_ = (fd);   \
		(fd) = -1;         \
		_fd_;              \
	})

static inline void mb_freep(void *p)
{
	free(*(void **)p);
}
#define _cleanup_free_ _cleanup_(mb_freep)

/* close() once; never retry on EINTR (Linux has released the fd already). */
static inline int mb_close(int fd)
{
	if (fd >= 0) {
		int saved = errno;
		(void)close(fd);
		errno = saved;
	}
	return -1;
}
static inline void mb_closep(int *fd)
{
	*fd = mb_close(*fd);
}
#define _cleanup_close_ _cleanup_(mb_closep)

static inline void mb_fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}
#define _cleanup_fclose_ _cleanup_(mb_fclosep)

/* Define a cleanup helper "NAME##p" for a type with a destructor that
 * accepts NULL-safe pointers. */
#define MB_DEFINE_CLEANUP(type, func)              \
	static inline void func##p(type **p)       \
	{                                          \
		if (*p)                            \
			func(*p);                  \
	}

/* The value of a hexadecimal digit, or -1. */
static inline int mb_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Negative errno from the last failed libc call; never 0. */
static inline int mb_neg_errno(void)
{
	return errno > 0 ? -errno : -EIO;
}

static inline bool mb_streq(const char *a, const char *b)
{
	return a && b && __builtin_strcmp(a, b) == 0;
}
