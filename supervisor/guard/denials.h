/* SPDX-License-Identifier: Apache-2.0 */
/* What the guard does with a denial besides its report line, so that a
 * user learns of it where they look:
 *  - the tool result of the call it happened in carries it (the
 *    inspector adds it to the result's _meta, and a short text note when
 *    the profile says denials: note; supervisor/inspect/denials.h): each
 *    client request in flight keeps a list (struct mb_call's denials);
 *  - membrane-run's stderr gets one line: what was denied, to which call,
 *    and the grant that would allow it;
 *  - quiet noise (the profile's quiet) is neither: it is denied, counted
 *    for the exit report, and its line is not written.
 * It reads the lines the correlator and the broker write, so it sees
 * exactly what they report. */
#pragma once

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "policy/profile.h"
#include "supervisor/inspect/inflight.h"

#define MB_DENIALS_PER_CALL 16 /* kept on one call; more are counted */
#define MB_DENIALS_STDERR 32   /* lines on stderr per session; then one saying so */

struct mb_denial_log;

int mb_denials_new(const struct mb_profile *p, FILE *err, struct mb_denial_log **ret);
void mb_denials_free(struct mb_denial_log *d);
void mb_denials_attach(struct mb_denial_log *d, const struct mb_inflight *inflight);

/* A line about to be reported (event, its fields). Returns true when it is
 * quiet noise: counted, and the caller writes nothing. */
bool mb_denials_seen(struct mb_denial_log *d, const char *event, const cJSON *fields);

/* Operations denied quietly so far. */
uint64_t mb_denials_quiet(const struct mb_denial_log *d);

/* The grant that would allow op on target in the scope a report line
 * names (runtime; a tool; a request method), as a profile line:
 * tools.read_file.read: ["/etc/hostname"]. malloc'd; NULL: ENOMEM. */
char *mb_denials_grant_hint(const cJSON *requests, const char *op, const char *target);

/* The grant a violation line's denial asks for (its op, target, name,
 * reason and requests): mb_denials_grant_hint's, but by name where names
 * decide: a connect to an address answered for a name grants NAME:PORT; a
 * DNS question refused as not granted, connect NAME:PORT (PORT left for
 * the user: a question carries none); one refused as rebinding,
 * private_names: [NAME]. NULL with *none set when no grant allows it (a
 * question of another type, a malformed one, a metadata answer); NULL
 * without it: ENOMEM. malloc'd. */
char *mb_denials_hint(const cJSON *fields, bool *none);
