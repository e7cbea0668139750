/* SPDX-License-Identifier: Apache-2.0 */
/* Learn mode: membrane-run --learn DRAFT.yml [--profile BASE] -- COMMAND.
 *
 * The server runs in a sandbox whose static layer is BASE's (or the
 * learning default's, supervisor/learn/learn-default.h), and every watched
 * operation goes through the notifier's own pipeline, as in enforce mode:
 * read once, resolved, and performed by the supervisor (exec and the
 * network: CONTINUE), within the static layer. What is recorded is the
 * object actually reached: the name the fast path proved or the walk's
 * canonical one. An argument the supervisor cannot read is refused EFAULT
 * and recorded as suspicious, never granted. The learner records each operation against what was
 * in flight when it happened:
 *  - nothing (start-up, idle) or only protocol requests (initialize, the
 *    lists, ping, tasks/...): runtime;
 *  - a tools/call: that tool; another client request: that method.
 * At exit it writes a draft profile v1 (supervisor/learn/learn-draft.c): runtime
 * from runtime's operations (many files under one directory collapsed to the
 * directory), each tool's grants generalised to its own arguments ({path},
 * {paths[]}, {path}.*.tmp), arguments.within from their common roots, and
 * what a call did beyond its arguments and runtime flagged SUSPICIOUS in a
 * commented-out block, never granted.
 *
 * With BASE, what BASE grants decides first: an operation one of its grants
 * allows keeps that grant (as BASE wrote it); an operation during a call of
 * a tool BASE declares that BASE does not grant is suspicious. Without BASE
 * the learner has only the arguments, the command line and the environment
 * to go by.
 *
 * Bounded: at most MB_LEARN_MAX_RECORDS distinct things per scope, and
 * MB_LEARN_MAX_SCOPES tools and methods; what is over is counted, and the
 * draft says so. Each thing carries its evidence: how many times, by which
 * call, with which arguments (redacted: BASE's redact list, names that look
 * secret, values longer than MB_LEARN_VALUE_MAX). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "policy/plan.h"
#include "policy/profile.h"
#include "supervisor/inspect/framer.h"
#include "supervisor/inspect/inflight.h"
#include "supervisor/inspect/inspector.h"
#include "supervisor/notify/notify.h"

#define MB_LEARN_MAX_RECORDS 4096
#define MB_LEARN_MAX_SCOPES 512
#define MB_LEARN_VALUE_MAX 120

struct mb_learner_config {
	/* BASE as loaded (its grants decide first), or NULL: no BASE. */
	const struct mb_profile *base;
	const char *base_path;       /* as found, for the draft's header */
	/* The profile the sandbox runs under (BASE made audit-like, or the
	 * learning default) and its plan: which paths are the sandbox's own
	 * (tmpfs, /proc, /dev), the server's cwd and environment. */
	const struct mb_profile *profile;
	const struct mb_plan *plan;
	const char *default_summary; /* no BASE: what the learning default grants */
	char *const *argv;           /* the command */
	const char *caller_cwd;      /* where membrane-run was started */
	const char *home;            /* $HOME, for the secret stores */
	const char *const *sets;     /* --set NAME=VALUE, NULL-terminated or NULL */
	/* --within DIR: the bounds of what arguments may name, canonical,
	 * NULL-terminated, or NULL: BASE's arguments.within bound, else
	 * nothing does. */
	const char *const *within;
};

struct mb_learn_stats {
	uint64_t operations;  /* notifications decided */
	uint64_t recorded;    /* targets recorded in a scope */
	uint64_t internal;    /* on the sandbox's own /proc, /dev or tmpfs */
	uint64_t probes;      /* runtime's targets that exist nowhere */
	uint64_t ignored;     /* pipes, sockets, other families */
	uint64_t over_cap;    /* targets not recorded: a scope was full */
	uint64_t requests;    /* client requests seen */
	uint64_t tool_calls;
};

struct mb_learner;

int mb_learner_new(const struct mb_learner_config *cfg, struct mb_learner **ret,
		   struct mb_error *err);
/* Where the names of addresses come from: the sandbox's resolver, which
 * the run starts after the learner (learn-names.c). */
void mb_learner_set_names(struct mb_learner *l,
			  const char *(*addr_name)(void *ud, const struct mb_addr *a),
			  bool (*addr_self)(void *ud, const struct mb_addr *a), void *ud);
void mb_learner_free(struct mb_learner *l);
MB_DEFINE_CLEANUP(struct mb_learner, mb_learner_free)

/* The requests in flight (the inspector's table), or NULL (idle). Replace
 * it (or NULL) before the table is freed. */
void mb_learner_attach(struct mb_learner *l, const struct mb_inflight *inflight);

/* The relay's tap (relay.h): every frame from either side, before the
 * inspector sees it. Counts requests, keeps what the server declares
 * (tools/list, initialize's capabilities). */
void mb_learner_frame(void *ud, enum mb_side from, const struct mb_frame *f);

/* The notifier's callback (mb_decide_fn; ud is the learner): records every
 * target of op and allows it (the notifier performs it), except an
 * unreadable argument: EFAULT. */
struct mb_answer mb_learner_decide(const struct mb_notified_op *op, void *ud);

/* The operation mb_learner_decide is about to record (NULL after it): who
 * does it says which call a process works for once that call is over (a
 * process that exec'd during a call works for it until it exits). */
void mb_learner_set_op(struct mb_learner *l, const struct mb_notified_op *op);

/* Does a string argument of a call in flight (of the one whose process
 * does it), the command line or the environment name a (its address and
 * port, as in "http://127.0.0.1:8080/x")? Without BASE the learning
 * sandbox's broker makes only such connections. */
/* The server asked the sandbox's resolver for name (its resolver's asked
 * hook). */
void mb_learner_name_asked(struct mb_learner *l, const char *name);

bool mb_learner_addr_named(struct mb_learner *l, enum mb_op o, const struct mb_addr *a);

const struct mb_learn_stats *mb_learner_stats(const struct mb_learner *l);

/* Write the draft to path: to path.tmp first, then loaded the way
 * `membrane-run --check --profile path` with lo would load it, linted
 * (warnings become "# LINT:" comments above their line), and renamed into
 * place. A draft that does not load is still written, with the loader's
 * message at its top, and -EINVAL is returned with err set. Returns 0, or
 * -errno with err set. *nlint (may be NULL) gets the number of lint
 * warnings. */
int mb_learner_write_draft(struct mb_learner *l, const char *path, const struct mb_load_opts *lo,
			   unsigned *nlint, struct mb_error *err);
