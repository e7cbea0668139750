/* SPDX-License-Identifier: Apache-2.0 */
/* One-line errors for the user. A library function that fails for a reason
 * the user can fix fills a struct mb_error with a message naming the thing
 * (file:line:column, path, syscall) and what to do, and returns -errno; the
 * caller that handles it prints it once. */
#pragma once

#include "common/macros.h"

#define MB_ERROR_MAX 1024

struct mb_error {
	int code;                 /* negative errno */
	char msg[MB_ERROR_MAX];   /* one line, no trailing newline */
};

/* Set *err (when not NULL) and return code (a negative errno). */
int mb_error_set(struct mb_error *err, int code, const char *fmt, ...) _printf_(3, 4);

/* The same with a source position prefix "file:line:column: ". */
int mb_error_at(struct mb_error *err, int code, const char *file, unsigned line,
		unsigned column, const char *fmt, ...) _printf_(6, 7);
