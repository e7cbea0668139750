/* SPDX-License-Identifier: Apache-2.0 */
/* The correlator: holds each operation the notifier decoded to the grants in
 * force at that moment (docs/design.md "The correlator"), answers it, and reports
 * what was not granted.
 *
 * The grants in force:
 *  - runtime, built once at start, plus what is the sandbox's own: its
 *    tmpfs entries (read, write), its /proc (read) and the five devices of
 *    its /dev (read, write);
 *  - for each client request in flight (the inspector's table): a tools/call
 *    brings its tool's grants filled from its arguments, another method
 *    profile.requests[method]'s filled from its params. Built the first time
 *    an operation is decided during the call and kept on the in-flight entry.
 * Every pattern is in canonical form (mb_callgrants_canonicalize), as the
 * notifier's targets are. One rule decides (policy/decide.h, shared with
 * --test-profile): allowed if runtime or any request in flight allows it.
 * Nothing in flight: runtime alone, reported with an empty requests array.
 *
 * The answer: allowed -> the notifier performs it (CONTINUE for exec and the
 * network). Not allowed, on a target that exists (in the sandbox, or
 * created by the call) -> a "violation" report, and in enforce mode the
 * notifier's errno (EACCES; EPERM for network), in audit mode allowed. Not
 * allowed on a path absent from the sandbox: under the fixed list of host
 * secret stores (policy/lint.h, from $HOME at start, never from the server)
 * a violation with presence "outside", answered ENOENT; elsewhere a probe,
 * answered with the kernel's own ENOENT and reported only with
 * report_probes. The host is never looked at on the server's behalf: an
 * fstatat of a name the server chose would trigger automounts and time
 * them for the server. An argument the notifier could not read is a
 * violation in every mode, answered EFAULT.
 *
 * Identical repeats: a violation identical to one reported less than a
 * second before (same op, syscall, target, decision and set of requests in
 * flight) is not written again; the second's repeats are written as one
 * line with "count" when the second ends, or at mb_correlator_flush().
 *
 * Nothing here allocates per allowed operation; a violation allocates its
 * report. */
#pragma once

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "policy/call-grants.h"
#include "policy/profile.h"
#include "supervisor/inspect/inflight.h"
#include "common/loop.h"
#include "supervisor/notify/notify.h"

struct mb_correlator_config {
	const struct mb_profile *profile; /* borrowed; mode, grants, redact */
	const char *cwd;    /* the server's working directory in the sandbox:
			       relative argument values resolve against it */
	const char *home;   /* the launcher's $HOME, for the secret stores */
	bool report_probes; /* --report-probes */
	/* Write one report line (fields not consumed): 0 or -errno. */
	int (*report)(void *ud, const char *event, const cJSON *fields);
	void *report_ud;
	/* Optional: does something beyond runtime and the requests in flight
	 * allow path op o by op's process? (The calls whose processes outlive
	 * them, supervisor/linger.h.) Asked only before a violation. */
	bool (*also_allows)(void *ud, const struct mb_notified_op *op, enum mb_op o,
			    enum mb_access access, const char *path);
	void *also_ud;
};

struct mb_correlator_stats {
	uint64_t decided;    /* operations decided */
	uint64_t violations; /* not granted, on a target that exists */
	uint64_t probes;     /* not granted, on a target that exists nowhere */
	uint64_t lines;      /* violation lines written (count lines included) */
	uint64_t collapsed;  /* repeats folded into a count line */
};

struct mb_correlator;

/* Build the runtime grants (canonical). Returns 0 or -errno with err set. */
int mb_correlator_new(const struct mb_correlator_config *cfg, struct mb_correlator **ret,
		      struct mb_error *err);
/* Does not write pending counts: call mb_correlator_flush() first. */
void mb_correlator_free(struct mb_correlator *c);
MB_DEFINE_CLEANUP(struct mb_correlator, mb_correlator_free)

/* The requests in flight (the inspector's table) and the loop whose timer
 * ends each second of repeats. Either may be NULL: no requests (idle), and
 * no timer (pending counts wait for mb_correlator_flush()). Attaching
 * another loop (or NULL) forgets the old one without touching it, so it may
 * be called after that loop was freed; the table must be replaced (or
 * NULL) before the table is freed and another operation decided. */
void mb_correlator_attach(struct mb_correlator *c, const struct mb_inflight *inflight,
			  struct mb_loop *loop);

/* Write every pending count now. Returns 0 or the report's -errno. */
int mb_correlator_flush(struct mb_correlator *c);

/* The first report that could not be written (-errno), or 0: the caller
 * stops the server (fail closed). */
int mb_correlator_report_error(const struct mb_correlator *c);
const struct mb_correlator_stats *mb_correlator_stats(const struct mb_correlator *c);

/* The notifier's callback (mb_decide_fn); ud is the correlator. Decides
 * every target of op, reports, and returns the answer for the kernel. */
/* How op touches target t for operation o: the access a path grant must
 * give (policy/decide.h's ancestor rules). The learner asks it too. */
enum mb_access mb_notified_access(const struct mb_notified_op *op, const struct mb_notified_target *t,
				  enum mb_op o);

struct mb_answer mb_correlate(const struct mb_notified_op *op, void *ud);

/* The pure twin of mb_correlate (struct mb_notifier_opts.allows): would it
 * allow op? Reports, counts and records nothing. */
bool mb_correlate_allows(const struct mb_notified_op *op, void *ud);

/* One network target t of op (t->kind MB_TARGET_INET, op CONNECT or BIND),
 * decided and reported the same way. For the broker, which performs an
 * allowed connect itself: on MB_VERDICT_ALLOW (granted, or audit mode) it
 * connects in the host's network namespace and answers with ADDFD + SEND
 * (its own callback then returns MB_VERDICT_ANSWERED); on MB_VERDICT_DENY it
 * returns this answer as is (EPERM, the report is written already). */
struct mb_answer mb_correlate_addr(struct mb_correlator *c, const struct mb_notified_op *op,
				   const struct mb_notified_target *t);

/* The broker's hooks (supervisor/broker/broker.h, struct mb_broker_hooks), which
 * it answers with its own network rule:
 *   granted: mb_correlator_addr_in_force() ? MB_NET_GRANTED
 *            : mb_correlator_addr_in_union() ? MB_NET_GRANTED_STATIC
 *            : MB_NET_NOT_GRANTED
 *   report:  mb_correlator_report_addr(c, op, o, a, presence, outcome->allowed,
 *                                      outcome->reason)
 * Do runtime or the requests in flight allow o (CONNECT or BIND) on a? */
bool mb_correlator_addr_in_force(struct mb_correlator *c, enum mb_op o, const struct mb_addr *a);
/* Does any scope of the profile (runtime, a tool, a request: the static
 * union) allow it? */
bool mb_correlator_addr_in_union(const struct mb_correlator *c, enum mb_op o,
				 const struct mb_addr *a);
/* A violation line for o on a, through the same path as every other (the
 * requests in flight, attribution, repeats collapsed). A reason that begins
 * "not granted" gets the requests named ("not granted to query" + the
 * rest); any other is written as is. Returns 0 or the first report error
 * (-errno): the caller fails the operation closed. */
int mb_correlator_report_addr(struct mb_correlator *c, const struct mb_notified_op *op, enum mb_op o,
			      const struct mb_addr *a, enum mb_presence presence, bool allowed,
			      const char *reason);
/* The same for any network target t (its path, when not an address, is
 * the report's target: "(no destination)", "(unreadable)"...). */
int mb_correlator_report_target(struct mb_correlator *c, const struct mb_notified_op *op,
				enum mb_op o, const struct mb_notified_target *t, bool allowed,
				const char *reason);
