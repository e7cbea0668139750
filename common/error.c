/* SPDX-License-Identifier: Apache-2.0 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/error.h"

/* Messages are single lines: fold any newline a caller's text carried. */
static void one_line(char *s)
{
	for (; *s; s++)
		if (*s == '\n' || *s == '\r')
			*s = ' ';
}

int mb_error_set(struct mb_error *err, int code, const char *fmt, ...)
{
	if (!err)
		return code;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	one_line(err->msg);
	err->code = code;
	return code;
}

int mb_error_at(struct mb_error *err, int code, const char *file, unsigned line,
		unsigned column, const char *fmt, ...)
{
	if (!err)
		return code;
	int n = snprintf(err->msg, sizeof(err->msg), "%s:%u:%u: ", file ? file : "<profile>",
			 line, column);
	if (n < 0 || (size_t)n >= sizeof(err->msg))
		n = 0;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg + n, sizeof(err->msg) - (size_t)n, fmt, ap);
	va_end(ap);
	one_line(err->msg);
	err->code = code;
	return code;
}
