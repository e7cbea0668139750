/* SPDX-License-Identifier: Apache-2.0 */
/* The reporter: Reports v1 (docs/design.md "Reports", man/membrane-report.5), one JSON
 * object per line, written with a single write(2) on an O_APPEND descriptor so
 * that a line is never partial or interleaved with another writer's.
 *
 * Every line carries, before the event's own fields:
 *   "v":1, "time":RFC 3339 UTC with microseconds, "event", "mode", "profile",
 *   "session" (32 lowercase hex digits, random per membrane-run),
 *   "seq" (0 for the session's first line, then +1 per line),
 *   "prev" (lowercase hex SHA-256 of the session's previous line, its bytes
 *           without the trailing newline; 64 '0's on the first line).
 * Lines of several sessions may interleave in one file; the chain is per
 * session. membrane-audit verify checks it.
 *
 * A failed write is never retried once bytes went out: a short write makes
 * every later emit fail with -EIO (the chain cannot continue past a cut
 * line). A write that put nothing out leaves seq and prev as they were. */
#pragma once

#include <cjson/cJSON.h>

#include "common/error.h"
#include "policy/profile.h"

struct mb_reporter;

/* dest: a file path (appended, created 0600), "-" for stderr, "syslog"
 * (journald when it listens and libsystemd was built in, else /dev/log), or
 * "syslog:PATH" (plain syslog to the unix socket PATH; the tests use it).
 * Fails (and membrane-run does not start the server) if dest cannot be
 * opened. */
int mb_reporter_open(const char *dest, const char *profile_name, enum mb_mode mode,
		     struct mb_reporter **ret, struct mb_error *err);

/* Write one line: the common fields, then "event":event, then every member of
 * fields in order (fields may be NULL; it is not consumed). Returns 0 or
 * -errno; a failure to write is the caller's to act on (fail closed). */
int mb_reporter_emit(struct mb_reporter *r, const char *event, const cJSON *fields);

/* Sign the chain (report/report-sign.h): after every `every` lines (0: the
 * default, MB_REPORT_CHECKPOINT_EVERY) a "checkpoint" line signs the head
 * with key, which is copied (a key without its private half signs
 * nothing). */
#define MB_REPORT_CHECKPOINT_EVERY 100
struct mb_report_key;
void mb_reporter_set_signer(struct mb_reporter *r, const struct mb_report_key *key,
			    unsigned every);
/* Sign what is not signed yet (at exit: the exit line too). 0 when there is
 * nothing to sign or no key; -errno when the line could not be written. */
int mb_reporter_checkpoint(struct mb_reporter *r);

const char *mb_reporter_session(const struct mb_reporter *r);
/* A session chosen by the caller instead of a random one (membrane-run
 * --listen names each session's sandbox so that its own lines can point at
 * it): 32 lowercase hex digits, before the first line. Returns 0 or -EINVAL. */
int mb_reporter_set_session(struct mb_reporter *r, const char *session);
/* 128 random bits as 32 lowercase hex digits, as a session is made (the
 * front's session ids too). Returns 0 or -errno. */
int mb_report_random_id(char out[static 33]);
/* Every later line carries "principal" right after "prev": who the HTTP
 * client authenticated as. Returns 0 or -ENOMEM. */
int mb_reporter_set_principal(struct mb_reporter *r, const char *principal);
/* dest as given to mb_reporter_open, for the caller's error message. */
const char *mb_reporter_dest(const struct mb_reporter *r);
void mb_reporter_close(struct mb_reporter *r);
MB_DEFINE_CLEANUP(struct mb_reporter, mb_reporter_close)
