/* SPDX-License-Identifier: Apache-2.0 */
/* The run's record: what a security team asks of a session beyond its
 * violations (issue 16; man/membrane-report.5, man/membrane-profile.5 THE
 * RECORD). The guard (supervisor/run-guard.c) carries it:
 *   - the call record: a "call" line per finished request, with what it
 *     did on the machine (call-record.c);
 *   - budgets: what calls may spend, refused with a "limit" line when
 *     exceeded (budget.c);
 *   - anomalies: departures from a baseline (anomaly.c);
 *   - decoys: a touch of a planted file (decoy.c), and its canary seen
 *     leaving in what the server sends (canary.c);
 *   - the kill switch: SIGUSR1 or the control socket refuse every further
 *     call and stop the server (kill-switch.c).
 * It sees the session through three doors, none of which changes the
 * correlator or the broker: the inspector's hooks (calls coming, going,
 * refused), the notifier's decisions (wrapped by the guard: before, for
 * decoys, budgets and a kill; after, to attribute what was done to the
 * calls in flight), and the relay's tap (frames from the server). */
#pragma once

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "common/loop.h"
#include "policy/plan.h"
#include "policy/profile.h"
#include "supervisor/inspect/inflight.h"
#include "supervisor/inspect/inspector.h"
#include "supervisor/notify/notify.h"

struct mb_record_config {
	const struct mb_profile *profile;
	const struct mb_plan *plan;  /* its decoys */
	enum mb_record_scope scope;  /* which requests get a call line */
	const char *baseline;        /* a baseline file, or NULL (the profile's) */
	const char *control;         /* the control socket's path, or NULL */
	uint64_t grace_ms;           /* a kill: SIGTERM, then SIGKILL after this */
	/* Write one report line: 0, or -errno (the caller has then stopped
	 * the server: fail closed). fields are not consumed. */
	int (*report)(void *ud, const char *event, const cJSON *fields);
	void *report_ud;
	/* The name the sandbox's resolver answered an address for, or NULL
	 * (borrowed until the next call): a call line's connect targets name
	 * it beside the address. NULL: addresses only. */
	const char *(*name_of)(void *ud, const struct mb_addr *a);
	void *name_ud;
};

struct mb_record;

/* Load the baseline, open the control socket and block SIGUSR1 into a
 * signalfd: before the server starts, so that what cannot be had refuses
 * the run. Returns 0, or -errno with err naming what and the fix. */
int mb_record_new(const struct mb_record_config *cfg, struct mb_record **ret,
		  struct mb_error *err);
void mb_record_free(struct mb_record *r);

/* The server is running (its init's pidfd, borrowed), reported on in
 * session. */
void mb_record_start(struct mb_record *r, int pidfd, const char *session);
/* The relay's loop and the requests in flight; NULL, NULL when the relay
 * is gone. */
void mb_record_attach(struct mb_record *r, const struct mb_inflight *inflight,
		      struct mb_loop *loop);
const struct mb_inspector_hooks *mb_record_hooks(struct mb_record *r);

/* Around the notifier's decision: before decides it (true, *ret set) when a
 * decoy is touched, a budget would be overspent or the server is being
 * killed; after sees every answer, and the calls in flight are told what
 * was done (or denied) during them. */
bool mb_record_before(struct mb_record *r, const struct mb_notified_op *op, struct mb_answer *ret);
void mb_record_after(struct mb_record *r, const struct mb_notified_op *op, struct mb_answer a);

/* Every frame from the server, before the inspector: canaries. */
void mb_record_tap(struct mb_record *r, enum mb_side from, const struct mb_frame *f);
