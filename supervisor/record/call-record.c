/* SPDX-License-Identifier: Apache-2.0 */
/* The call record (membrane-report(5), "call"): one line per finished
 * request of the client, written when it leaves the table of requests in
 * flight (answered, cancelled and gone, or the server gone), or when its
 * window closes at --call-timeout. What it did comes from the notifier's
 * decisions: every operation decided while the call was in flight is
 * counted for it (and for every other call in flight then: the calls
 * cannot be told apart, as in a violation's requests), with its first few
 * targets. Operations on targets that exist nowhere (probes) are not
 * counted: the kernel failed them. A refused request gets its line at
 * once. */
#include <stdio.h>
#include <string.h>

#include "common/strbuf.h"
#include "policy/match.h"
#include "supervisor/record/record-internal.h"

static bool wanted(const struct mb_record *r, const char *method)
{
	switch (r->cfg.scope) {
	case MB_RECORD_NONE: return false;
	case MB_RECORD_ALL: return true;
	case MB_RECORD_TOOLS: break;
	}
	return strcmp(method, "tools/call") == 0;
}

/* initialize's clientInfo.name: who the calls came from. */
static void note_client(struct mb_record *r, struct mb_jr_msg *m)
{
	const cJSON *info = cJSON_GetObjectItemCaseSensitive(mb_jr_params_node(m), "clientInfo");
	const char *name = mb_json_get_string(info, "name");
	if (!name)
		return;
	free(r->client);
	r->client = mb_report_cut(name, strlen(name), MB_REPORT_VALUE_MAX);
}

void rec_call_forwarded(struct mb_record *r, struct mb_call *c, struct mb_jr_msg *m)
{
	if (c->dir != MB_DIR_CLIENT)
		return;
	if (strcmp(c->method, "initialize") == 0)
		note_client(r, m);
	bool tool_call = c->tool && strcmp(c->method, "tools/call") == 0;
	bool line = wanted(r, c->method);
	/* Without a line to write, a call is followed only for budgets and
	 * anomalies. */
	if (!line && !(tool_call && (r->budgets || r->baseline)))
		return;
	struct rec_call *rc = calloc(1, sizeof(*rc));
	if (!rc)
		return; /* no line for it: the record is best effort past here */
	rc->line = line;
	rc->start_ns = mb_now_ns();
	clock_gettime(CLOCK_REALTIME, &rc->started);
	rc->bytes_in = m->span.len;
	if (tool_call && (rc->tool = rec_scope_of(r, c->tool))) {
		rc->in_flight = true;
		r->session.in_flight++;
		rc->tool->in_flight++;
	}
	c->ext = rc;
}

/* The answer's isError: a tool result that says the tool failed. */
static bool is_error_result(struct mb_jr_msg *m)
{
	static const char *const keys[] = { "isError" };
	struct mb_span v;
	if (!mb_jr_members(m, m->result, keys, 1, &v) || !v.len)
		return false;
	return v.len == 4 && memcmp(m->text + v.off, "true", 4) == 0;
}

static int error_code(struct mb_jr_msg *m)
{
	static const char *const keys[] = { "code" };
	struct mb_span v;
	if (!m->error.len || !mb_jr_members(m, m->error, keys, 1, &v) || !v.len)
		return 0;
	return (int)strtol(m->text + v.off, NULL, 10);
}

static void leave_flight(struct mb_record *r, struct rec_call *rc)
{
	if (!rc->in_flight)
		return;
	rc->in_flight = false;
	r->session.in_flight--;
	rc->tool->in_flight--;
}

void rec_call_answered(struct mb_record *r, struct mb_call *c, struct mb_jr_msg *m)
{
	struct rec_call *rc = c->ext;
	if (!rc || rc->written)
		return;
	rc->bytes_out += m->span.len;
	if (rc->tool)
		rec_budget_returned(r, rc->tool, m->span.len);
	if (c->state == MB_CALL_CANCELLED)
		rc->outcome = OUT_CANCELLED;
	else if (m->kind == MB_JR_ERROR)
		rc->outcome = OUT_RPC_ERROR, rc->error_code = error_code(m);
	else if (rc->tool && is_error_result(m))
		rc->outcome = OUT_TOOL_ERROR;
	else
		rc->outcome = OUT_RESULT;
}

static const char *outcome_name(enum rec_outcome o)
{
	switch (o) {
	case OUT_RESULT: return "result";
	case OUT_TOOL_ERROR: return "tool_error";
	case OUT_CANCELLED: return "cancelled";
	case OUT_TIMEOUT: return "timeout";
	case OUT_RPC_ERROR:
	case OUT_NONE: break;
	}
	return "rpc_error";
}

/* did and denied as JSON text, spliced into the line raw: a call line per
 * request made cJSON's trees of them a measurable part of its cost. */
static cJSON *did_json(const struct did d[DID__N])
{
	struct mb_strbuf b = { 0 };
	for (int k = 0; k < DID__N; k++) {
		mb_strbuf_printf(&b, "%s\"%s\":{\"count\":%llu,\"targets\":[", k ? "," : "{",
				 mb_report_did_ops[k], (unsigned long long)d[k].count);
		for (size_t i = 0; i < d[k].n; i++) {
			if (i)
				mb_strbuf_putc(&b, ',');
			mb_strbuf_json_string(&b, d[k].targets[i], strlen(d[k].targets[i]));
		}
		mb_strbuf_puts(&b, "]}");
	}
	mb_strbuf_putc(&b, '}');
	cJSON *o = mb_strbuf_failed(&b) ? NULL : cJSON_CreateRaw(b.s);
	mb_strbuf_free(&b);
	return o;
}

static bool any_denied(const struct rec_call *rc)
{
	for (int k = 0; k < DID__N; k++)
		if (rc->denied[k].count)
			return true;
	return false;
}

/* The line: request, client, started, duration_ms, outcome, [error], [reason],
 * bytes_in, bytes_out, did, [denied]. */
static void write_line(struct mb_record *r, cJSON *request, const struct rec_call *rc,
		       const char *outcome, const char *reason)
{
	cJSON *o = cJSON_CreateObject();
	if (!o) {
		cJSON_Delete(request);
		(void)rec_emit(r, "call", NULL);
		return;
	}
	char started[32];
	rec_format_time(&rc->started, started);
	uint64_t us = rc->start_ns ? (mb_now_ns() - rc->start_ns + 500) / 1000 : 0;
	if (request)
		cJSON_AddItemToObject(o, "request", request);
	if (r->client)
		cJSON_AddStringToObject(o, "client", r->client);
	cJSON_AddStringToObject(o, "started", started);
	/* Milliseconds to three decimals, written as such: cJSON prints a
	 * fraction with a sscanf round trip, printf with long arithmetic. */
	char dur[32];
	snprintf(dur, sizeof(dur), "%llu.%03llu", (unsigned long long)(us / 1000),
		 (unsigned long long)(us % 1000));
	cJSON_AddRawToObject(o, "duration_ms", dur);
	cJSON_AddStringToObject(o, "outcome", outcome);
	if (rc->outcome == OUT_RPC_ERROR || rc->outcome == OUT_NONE)
		cJSON_AddNumberToObject(cJSON_AddObjectToObject(o, "error"), "code",
					rc->outcome == OUT_NONE ? MB_JR_SERVER_GONE : rc->error_code);
	if (reason)
		cJSON_AddStringToObject(o, "reason", reason);
	cJSON_AddNumberToObject(o, "bytes_in", (double)rc->bytes_in);
	cJSON_AddNumberToObject(o, "bytes_out", (double)rc->bytes_out);
	cJSON *did = did_json(rc->did);
	if (did)
		cJSON_AddItemToObject(o, "did", did);
	if (any_denied(rc) && (did = did_json(rc->denied)))
		cJSON_AddItemToObject(o, "denied", did);
	(void)rec_emit(r, "call", o);
}

void rec_call_refused(struct mb_record *r, struct mb_jr_msg *m, const char *reason)
{
	if (!wanted(r, m->method))
		return;
	struct rec_call rc = { .bytes_in = m->span.len, .outcome = OUT_RESULT };
	clock_gettime(CLOCK_REALTIME, &rc.started);
	write_line(r, rec_msg_request_json(r, m), &rc, "refused", reason);
}

static void finish(struct mb_record *r, struct mb_call *c, struct rec_call *rc, const char *outcome)
{
	leave_flight(r, rc);
	if (rc->written)
		return;
	rc->written = true;
	if (rc->line)
		write_line(r, rec_request_json(r, c), rc, outcome,
			   rc->outcome == OUT_NONE ? "the server exited before answering" : NULL);
	rec_anomaly_finished(r, c, rc);
}

void rec_call_expired(struct mb_record *r, struct mb_call *c)
{
	struct rec_call *rc = c->ext;
	if (!rc)
		return;
	rc->outcome = OUT_TIMEOUT;
	finish(r, c, rc, "timeout");
}

static void did_free(struct did d[DID__N])
{
	for (int k = 0; k < DID__N; k++)
		for (size_t i = 0; i < d[k].n; i++)
			free(d[k].targets[i]);
}

void rec_call_leave(struct mb_record *r, struct mb_call *c)
{
	struct rec_call *rc = c->ext;
	if (!rc)
		return;
	c->ext = NULL;
	/* Cancelled and never answered: gone at the end of its grace. */
	if (rc->outcome == OUT_NONE && c->state == MB_CALL_CANCELLED)
		rc->outcome = OUT_CANCELLED;
	finish(r, c, rc, outcome_name(rc->outcome));
	did_free(rc->did);
	did_free(rc->denied);
	free(rc);
}

const char *rec_target_name(const struct mb_notified_target *t, char *buf, size_t size)
{
	switch (t->kind) {
	case MB_TARGET_INET:
		return mb_addr_format(&t->addr, buf, size);
	case MB_TARGET_FAMILY:
		return NULL;
	default:
		return t->path;
	}
}

static void did_add(struct did *d, const char *name)
{
	d->count++;
	if (d->n == REC_TARGETS)
		return;
	for (size_t i = 0; i < d->n; i++)
		if (strcmp(d->targets[i], name) == 0)
			return;
	char *s = mb_report_cut(name, strlen(name), MB_REPORT_VALUE_MAX);
	if (s)
		d->targets[d->n++] = s;
}

/* Did the target exist for the operation to act on? A probe of a path that
 * exists nowhere (or only on the host) was failed by the kernel. */
static bool real(const struct mb_notified_target *t, bool done)
{
	if (t->kind != MB_TARGET_PATH)
		return true;
	if (t->presence == MB_PRESENT || t->presence == MB_PRESENT_NEW)
		return true;
	return !done && t->presence == MB_PRESENT_HOST;
}

/* A DNS name (253) and an address with its port (buf of 128 above). */
#define MB_NAME_TARGET_MAX (256 + 3 + 128)

void rec_call_attribute(struct mb_record *r, const struct mb_notified_op *op, bool done)
{
	if (!r->inflight || !mb_inflight_count(r->inflight))
		return;
	static const enum mb_op ops[DID__N] = { MB_OP_READ, MB_OP_WRITE, MB_OP_EXEC, MB_OP_CONNECT };
	for (unsigned j = 0; j < op->n; j++) {
		const struct mb_notified_target *t = &op->t[j];
		char buf[128];
		const char *name = rec_target_name(t, buf, sizeof(buf));
		if (!name || !real(t, done))
			continue;
		/* A DNS question to the sandbox's resolver: membrane's own
		 * address, no connect the call did (the name's connect is). */
		if (t->kind == MB_TARGET_INET && mb_plan_is_resolver(r->cfg.plan, &t->addr))
			continue;
		/* A connect to what a granted name resolved to: "NAME (ADDR)". */
		char named[MB_NAME_TARGET_MAX];
		const char *n = t->kind == MB_TARGET_INET && r->cfg.name_of ?
					r->cfg.name_of(r->cfg.name_ud, &t->addr) : NULL;
		if (n) {
			snprintf(named, sizeof(named), "%s (%s)", n, name);
			name = named;
		}
		for (int k = 0; k < DID__N; k++) {
			if (!(t->ops & (1u << ops[k])))
				continue;
			for (struct mb_call *c = mb_inflight_first(r->inflight); c;
			     c = mb_inflight_next(c)) {
				struct rec_call *rc = c->ext;
				if (rc && c->dir == MB_DIR_CLIENT && mb_call_window_open(c) && !rc->written)
					did_add(done ? &rc->did[k] : &rc->denied[k], name);
			}
		}
	}
}
