/* SPDX-License-Identifier: Apache-2.0 */
/* Shared state of the run's record (supervisor/record/record.h): the
 * record itself, a call's own state (hung on mb_call.ext), and the scopes
 * that budgets and anomalies count in (the session, and each tool). */
#pragma once

#include <time.h>

#include "report/report-fields.h"
#include "report/report-request.h"
#include "supervisor/record/anomaly.h"
#include "supervisor/record/kill-switch.h"
#include "supervisor/record/record.h"

/* The first few targets of each op a call line names; the count is of
 * them all. */
#define REC_TARGETS 5
enum { DID_READ, DID_WRITE, DID_EXEC, DID_CONNECT, DID__N };

struct did {
	uint64_t count;
	char *targets[REC_TARGETS];
	size_t n;
};

enum rec_outcome { OUT_NONE, OUT_RESULT, OUT_TOOL_ERROR, OUT_RPC_ERROR, OUT_CANCELLED, OUT_TIMEOUT };

struct scope;

/* A client request in flight (mb_call.ext). */
struct rec_call {
	uint64_t start_ns;          /* mb_now_ns() at forward */
	struct timespec started;    /* CLOCK_REALTIME at forward */
	size_t bytes_in, bytes_out;
	enum rec_outcome outcome;
	int error_code;             /* OUT_RPC_ERROR */
	bool written;               /* its line is out (a timeout's at expiry) */
	bool line;                  /* write a line at all (the record's scope) */
	bool in_flight;             /* counted in its scopes' in_flight */
	struct scope *tool;         /* tools/call: its tool's scope */
	struct did did[DID__N], denied[DID__N];
};

/* What a session, or one tool, has spent (budgets) and how it compares
 * with its baseline (anomalies). */
struct scope {
	char *name;                     /* the tool; NULL for the session */
	const struct mb_budget *budget; /* NULL: none */
	uint64_t calls, in_flight, bytes_returned, connects;
	bool exceeded[MB_BUDGET_COUNT_];
	/* start times (mb_now_ns) of the latest calls, for calls_per_minute
	 * and the rate anomaly; ring_cap is the most either needs */
	uint64_t *ring;
	size_t ring_cap, ring_n, ring_head;
	/* distinct paths written, while a files_written budget counts them */
	char **written;
	size_t nwritten;
	const struct mb_baseline_tool *base; /* NULL: the baseline never saw it */
	unsigned anomalies;                  /* 1 << metric: reported already */
	bool refused_anomaly;                /* anomaly.action refuse: refuse it */
};

#define REC_TOOLS_MAX 1024
#define REC_EXFIL_LINES_MAX 64

struct mb_record {
	struct mb_record_config cfg;
	struct mb_inspector_hooks hooks;
	const struct mb_inflight *inflight;
	struct mb_loop *loop;
	int pidfd;
	struct mb_baseline *baseline;
	double factor;
	struct mb_killswitch *ks;
	bool killed;
	struct mb_timer t_kill;
	char *client; /* clientInfo.name from initialize */
	char *session_id;
	bool budgets; /* the profile has one: ops are counted */
	struct scope session;
	MB_VEC(struct scope *) tools;
	struct scope other; /* tools beyond REC_TOOLS_MAX */
	unsigned exfil_lines;
	/* The record's exfiltration line for the server frame being handled,
	 * held from the tap (before the inspector) until the inspector is done
	 * with the frame: written then unless the answer scanner reported the
	 * same frame (decoy.c). */
	cJSON *exfil_pending;
	const struct mb_frame *exfil_frame;
};

/* record.c */
int rec_emit(struct mb_record *r, const char *event, cJSON *fields); /* consumes fields */
/* The request as a report shows it. */
cJSON *rec_request_json(struct mb_record *r, struct mb_call *c);
cJSON *rec_msg_request_json(struct mb_record *r, struct mb_jr_msg *m);
/* Stop the server: SIGTERM now, SIGKILL after the grace; refuse every
 * further call. who is consumed. */
void rec_kill(struct mb_record *r, cJSON *who, const char *reason);
void rec_format_time(const struct timespec *ts, char out[static 32]);
bool rec_enforcing(const struct mb_record *r);

/* call-record.c */
void rec_call_forwarded(struct mb_record *r, struct mb_call *c, struct mb_jr_msg *m);
void rec_call_answered(struct mb_record *r, struct mb_call *c, struct mb_jr_msg *m);
void rec_call_refused(struct mb_record *r, struct mb_jr_msg *m, const char *reason);
void rec_call_expired(struct mb_record *r, struct mb_call *c);
void rec_call_leave(struct mb_record *r, struct mb_call *c);
/* op's targets, done (or denied) during every call in flight. */
void rec_call_attribute(struct mb_record *r, const struct mb_notified_op *op, bool done);
/* The name a report gives target t, into buf; NULL if it has none. */
const char *rec_target_name(const struct mb_notified_target *t, char *buf, size_t size);

/* budget.c: the session's scope, once the baseline is read; a tool's,
 * made at its first call (NULL: out of memory). */
int rec_scopes_init(struct mb_record *r);
struct scope *rec_scope_of(struct mb_record *r, const char *tool);
void rec_scopes_free(struct mb_record *r);
/* A tools/call about to start: a reason (malloc'd) to refuse it, with its
 * "limit" line written; NULL to let it through (counted as started). */
char *rec_budget_admit(struct mb_record *r, struct mb_jr_msg *m, struct scope *tool);
/* Answers' bytes, and the ops the calls in flight did. */
void rec_budget_returned(struct mb_record *r, struct scope *tool, size_t bytes);
/* Would op overspend connects or files_written of a call in flight? Writes
 * the "limit" line; true: deny it. */
bool rec_budget_op(struct mb_record *r, const struct mb_notified_op *op);
void rec_budget_done(struct mb_record *r, const struct mb_notified_op *op);
/* Calls started within the last minute, this one included. */
uint64_t rec_scope_rate(const struct scope *s, uint64_t now_ns);
void rec_scope_started(struct scope *s, uint64_t now_ns);

/* anomaly.c's checks, with the record's state */
char *rec_anomaly_admit(struct mb_record *r, struct mb_jr_msg *m, struct scope *tool);
void rec_anomaly_finished(struct mb_record *r, struct mb_call *c, const struct rec_call *rc);

/* decoy.c */
bool rec_decoy_touch(struct mb_record *r, const struct mb_notified_op *op, struct mb_answer *ret);
void rec_decoy_tap(struct mb_record *r, const struct mb_frame *f);
void rec_decoy_tap_done(struct mb_record *r, const struct mb_frame *f, bool scanned);
void rec_decoy_flush(struct mb_record *r);
