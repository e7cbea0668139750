/* SPDX-License-Identifier: Apache-2.0 */
/* Where report lines go besides a file descriptor: syslog, and journald when
 * it is the receiver. Internal to the reporter (report/report.c). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "common/error.h"

struct mb_report_syslog;

/* socket_path: NULL for the system's receiver (journald's native socket when
 * libsystemd was found at build time and journald listens, else /dev/log);
 * a path aims plain syslog at that unix socket (--report syslog:PATH).
 * Fails when nothing listens: a report that cannot be delivered must stop
 * the server from starting. */
int mb_report_syslog_open(const char *socket_path, struct mb_report_syslog **ret,
			  struct mb_error *err);

/* Send one line (json: len bytes, no newline). fields are the event's own
 * fields, read for journald's structured MEMBRANE_* fields. */
int mb_report_syslog_send(struct mb_report_syslog *s, const char *event, const char *json,
			  size_t len, const cJSON *fields, const char *profile,
			  const char *session, uint64_t seq);

void mb_report_syslog_close(struct mb_report_syslog *s);
