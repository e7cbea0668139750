/* SPDX-License-Identifier: Apache-2.0 */
/* The run's record (supervisor/record/record.h): its life, the doors it
 * watches through, and the kill. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>

#include "supervisor/record/record-internal.h"

bool rec_enforcing(const struct mb_record *r)
{
	return r->cfg.profile->mode == MB_MODE_ENFORCE;
}

void rec_format_time(const struct timespec *ts, char out[static 32])
{
	struct tm tm;
	gmtime_r(&ts->tv_sec, &tm);
	size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, 32 - n, ".%06ldZ", ts->tv_nsec / 1000);
}

int rec_emit(struct mb_record *r, const char *event, cJSON *fields)
{
	if (!fields) {
		/* A line that cannot be built cannot be written: fail closed. */
		if (r->pidfd >= 0)
			(void)syscall(SYS_pidfd_send_signal, r->pidfd, SIGKILL, NULL, 0);
		return -ENOMEM;
	}
	int e = r->cfg.report(r->cfg.report_ud, event, fields);
	cJSON_Delete(fields);
	return e;
}

cJSON *rec_request_json(struct mb_record *r, struct mb_call *c)
{
	return mb_report_request(r->cfg.profile, c->id_raw, c->method, c->tool,
				 mb_call_arguments(c));
}

cJSON *rec_msg_request_json(struct mb_record *r, struct mb_jr_msg *m)
{
	_cleanup_free_ char *id = m->id.raw ? strndup(m->id.raw, m->id.raw_len) : NULL;
	bool tool_call = mb_streq(m->method, "tools/call");
	return mb_report_request(r->cfg.profile, id, m->method,
				 tool_call ? mb_jr_param_str(m, MB_P_NAME) : NULL,
				 tool_call ? mb_jr_param_node(m, MB_P_ARGUMENTS) : mb_jr_params_node(m));
}

/* ---- the kill ---- */

static void on_kill_timer(struct mb_timer *t)
{
	struct mb_record *r = (struct mb_record *)(void *)((char *)t - offsetof(struct mb_record, t_kill));
	if (r->pidfd >= 0)
		(void)syscall(SYS_pidfd_send_signal, r->pidfd, SIGKILL, NULL, 0);
}

void rec_kill(struct mb_record *r, cJSON *who, const char *reason)
{
	if (r->killed) {
		cJSON_Delete(who);
		return;
	}
	r->killed = true;
	cJSON *o = cJSON_CreateObject();
	if (o) {
		if (who)
			cJSON_AddItemToObject(o, "by", who);
		else
			cJSON_AddNullToObject(o, "by");
		who = NULL;
		cJSON_AddStringToObject(o, "reason", reason ? reason : "asked to stop");
		cJSON_AddNumberToObject(o, "in_flight",
					r->inflight ? (double)mb_inflight_count(r->inflight) : 0);
		cJSON_AddNumberToObject(o, "grace_ms", (double)r->cfg.grace_ms);
	}
	cJSON_Delete(who);
	(void)rec_emit(r, "killed", o);
	/* The init forwards TERM to the server; KILL ends the pid namespace. */
	if (r->pidfd >= 0)
		(void)syscall(SYS_pidfd_send_signal, r->pidfd, SIGTERM, NULL, 0);
	if (r->loop)
		mb_timer_arm(r->loop, &r->t_kill, r->cfg.grace_ms);
}

static void ks_kill(void *ud, cJSON *who, const char *reason)
{
	struct mb_record *r = ud;
	char text[256];
	snprintf(text, sizeof(text), "asked to stop%s%.200s", reason ? ": " : "", reason ? reason : "");
	rec_kill(r, who, text);
}

static cJSON *ks_status(void *ud)
{
	struct mb_record *r = ud;
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "profile", r->cfg.profile->name ? r->cfg.profile->name : "");
	if (r->session_id)
		cJSON_AddStringToObject(o, "session", r->session_id);
	cJSON_AddBoolToObject(o, "killed", r->killed);
	cJSON_AddNumberToObject(o, "calls", (double)r->session.calls);
	cJSON_AddNumberToObject(o, "in_flight", (double)r->session.in_flight);
	return o;
}

/* ---- the inspector's hooks ---- */

static char *h_admit(void *ud, struct mb_jr_msg *m, bool *report)
{
	struct mb_record *r = ud;
	if (r->killed) {
		*report = true;
		return strdup("membrane-run was told to stop this server (the kill switch): it "
			      "takes no more calls");
	}
	if (!mb_streq(m->method, "tools/call"))
		return NULL;
	const char *name = mb_jr_param_str(m, MB_P_NAME);
	struct scope *tool = name ? rec_scope_of(r, name) : NULL;
	char *why = rec_budget_admit(r, m, tool);
	if (!why && (why = rec_anomaly_admit(r, m, tool)))
		*report = true;
	if (why)
		return why;
	uint64_t now = mb_now_ns();
	rec_scope_started(&r->session, now);
	if (tool)
		rec_scope_started(tool, now);
	return NULL;
}

static void h_forwarded(void *ud, struct mb_call *c, struct mb_jr_msg *m)
{
	rec_call_forwarded(ud, c, m);
}

static void h_answered(void *ud, struct mb_call *c, struct mb_jr_msg *m)
{
	rec_call_answered(ud, c, m);
}

static void h_refused(void *ud, struct mb_jr_msg *m, const char *reason)
{
	rec_call_refused(ud, m, reason);
}

static void h_expired(void *ud, struct mb_call *c)
{
	rec_call_expired(ud, c);
}

static void h_leave(void *ud, struct mb_call *c)
{
	rec_call_leave(ud, c);
}

static void h_server_done(void *ud, const struct mb_frame *f, bool canary)
{
	struct mb_record *r = ud;
	if (r->cfg.plan->decoys.n)
		rec_decoy_tap_done(r, f, canary);
}

/* ---- life ---- */

int mb_record_new(const struct mb_record_config *cfg, struct mb_record **ret,
		  struct mb_error *err)
{
	struct mb_record *r = calloc(1, sizeof(*r));
	if (!r)
		return mb_error_set(err, -ENOMEM, "out of memory");
	r->cfg = *cfg;
	r->pidfd = -1;
	r->t_kill.cb = on_kill_timer;
	const struct mb_anomaly *a = &cfg->profile->anomaly;
	r->factor = a->factor > 0 ? a->factor : MB_ANOMALY_FACTOR;
	r->budgets = cfg->profile->session_budget.set || cfg->profile->tool_budgets.n;
	const char *baseline = cfg->baseline ? cfg->baseline : a->baseline;
	int e = baseline ? mb_baseline_load(baseline, &r->baseline, err) : 0;
	if (e == 0 && (e = rec_scopes_init(r)) < 0)
		mb_error_set(err, e, "out of memory");
	if (e == 0)
		e = mb_killswitch_new(cfg->control, &r->ks, err);
	if (e < 0) {
		mb_record_free(r);
		return e;
	}
	r->hooks = (struct mb_inspector_hooks){
		.admit = h_admit,
		.forwarded = h_forwarded,
		.answered = h_answered,
		.refused = h_refused,
		.expired = h_expired,
		.leave = h_leave,
		.server_done = h_server_done,
		.ud = r,
	};
	*ret = r;
	return 0;
}

void mb_record_free(struct mb_record *r)
{
	if (!r)
		return;
	cJSON_Delete(r->exfil_pending);
	mb_killswitch_free(r->ks);
	mb_baseline_free(r->baseline);
	rec_scopes_free(r);
	free(r->client);
	free(r->session_id);
	free(r);
}

void mb_record_start(struct mb_record *r, int pidfd, const char *session)
{
	r->pidfd = pidfd;
	free(r->session_id);
	r->session_id = session ? strdup(session) : NULL;
}

void mb_record_attach(struct mb_record *r, const struct mb_inflight *inflight,
		      struct mb_loop *loop)
{
	r->inflight = inflight;
	r->loop = loop;
	if (!loop && r->exfil_pending)
		rec_decoy_flush(r); /* never told done: written, not lost */
	if (!loop) {
		/* The loop is gone (or going): its timers with it. */
		r->t_kill = (struct mb_timer){ .cb = on_kill_timer };
		mb_killswitch_attach(r->ks, NULL, NULL);
		return;
	}
	struct mb_killswitch_ops ops = { .kill = ks_kill, .status = ks_status, .ud = r };
	mb_killswitch_attach(r->ks, loop, &ops);
}

const struct mb_inspector_hooks *mb_record_hooks(struct mb_record *r)
{
	return &r->hooks;
}

bool mb_record_before(struct mb_record *r, const struct mb_notified_op *op, struct mb_answer *ret)
{
	if (r->killed) {
		/* Stopping: nothing more is done on the server's behalf. */
		*ret = (struct mb_answer){ MB_VERDICT_DENY, 0 };
		return true;
	}
	if (r->cfg.plan->decoys.n && rec_decoy_touch(r, op, ret))
		return true;
	if (r->budgets && rec_budget_op(r, op)) {
		*ret = (struct mb_answer){ MB_VERDICT_DENY, 0 };
		return true;
	}
	return false;
}

void mb_record_after(struct mb_record *r, const struct mb_notified_op *op, struct mb_answer a)
{
	/* PROBE is CONTINUE unreported (the broker's granted connects too):
	 * done, unless its target exists nowhere (call-record.c asks). */
	bool done = a.verdict != MB_VERDICT_DENY;
	rec_call_attribute(r, op, done);
	if (done && r->budgets)
		rec_budget_done(r, op);
}

void mb_record_tap(struct mb_record *r, enum mb_side from, const struct mb_frame *f)
{
	if (from == MB_SIDE_SERVER && r->cfg.plan->decoys.n)
		rec_decoy_tap(r, f);
}
