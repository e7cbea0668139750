/* SPDX-License-Identifier: Apache-2.0 */
/* How the broker's sandboxed test clients (broker-client.c, wall-client.c)
 * say what happened: one line per case, "CASE name key=value ...", whole
 * even when threads print at once. */
#pragma once

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>

static pthread_mutex_t case_lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *case_out; /* stdout, or stderr under membrane-run (stdout is
			  the MCP channel its inspector reads) */

__attribute__((format(printf, 2, 3))) static void say(const char *name, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&case_lock);
	fprintf(case_out, "CASE %s %s\n", name, buf);
	fflush(case_out);
	pthread_mutex_unlock(&case_lock);
}
