/* SPDX-License-Identifier: Apache-2.0 */
/* Budgets (key budgets; membrane-profile(5), THE RECORD): what the tool
 * calls of the session, and of each tool, may spend. A call that would
 * start above calls_per_minute or in_flight is refused; once the answers
 * passed bytes_returned, later calls are; a connect or a write that would
 * pass connects or files_written is denied while its call runs, and the
 * scope's later calls are refused too. Each refusal and denial is a
 * "limit" line; in audit mode the line says "allowed" and nothing is
 * refused.
 *
 * Counting: rates from the start times of the latest calls, in a ring no
 * longer than the largest number a budget or the rate anomaly asks about;
 * connects and paths written only during calls (the server's own start-up
 * spends nothing), files_written as distinct paths, held only while a
 * budget counts them and never more than it. */
#include <stdio.h>
#include <string.h>

#include "common/strbuf.h"
#include "supervisor/record/record-internal.h"

#define MINUTE_NS (60ull * 1000000000ull)
#define RING_MAX 100000

static size_t ring_need(const struct mb_record *r, const struct scope *s)
{
	size_t need = 0;
	if (s->budget && (s->budget->set & (1u << MB_BUDGET_CALLS_PER_MINUTE)))
		need = (size_t)MB_MIN(s->budget->limit[MB_BUDGET_CALLS_PER_MINUTE], RING_MAX);
	if (r->baseline && s->base) {
		double t = r->factor * s->base->max[MB_METRIC_PER_MINUTE] + 2;
		need = MB_MAX(need, (size_t)MB_MIN(t, (double)RING_MAX));
	}
	return need;
}

static int scope_init(struct mb_record *r, struct scope *s, const char *name,
		      const struct mb_budget *b)
{
	*s = (struct scope){ .budget = b && b->set ? b : NULL };
	if (name && !(s->name = strdup(name)))
		return -ENOMEM;
	if (name && r->baseline)
		s->base = mb_baseline_tool(r->baseline, name);
	s->ring_cap = ring_need(r, s);
	if (s->ring_cap && !(s->ring = calloc(s->ring_cap, sizeof(*s->ring))))
		return -ENOMEM;
	return 0;
}

static void scope_free(struct scope *s)
{
	free(s->name);
	free(s->ring);
	for (size_t i = 0; i < s->nwritten; i++)
		free(s->written[i]);
	free(s->written);
}

int rec_scopes_init(struct mb_record *r)
{
	return scope_init(r, &r->session, NULL, &r->cfg.profile->session_budget);
}

struct scope *rec_scope_of(struct mb_record *r, const char *tool)
{
	mb_vec_foreach(s, &r->tools)
		if (strcmp((*s)->name, tool) == 0)
			return *s;
	if (r->tools.n >= REC_TOOLS_MAX) {
		/* unlisted_tools: allow, and a server with that many names */
		if (!r->other.name && scope_init(r, &r->other, "(other)", NULL) < 0)
			return NULL;
		return &r->other;
	}
	struct scope *s = calloc(1, sizeof(*s));
	if (!s || scope_init(r, s, tool, mb_profile_tool_budget(r->cfg.profile, tool)) < 0 ||
	    mb_vec_push(&r->tools, s) < 0) {
		if (s)
			scope_free(s);
		free(s);
		return NULL;
	}
	return s;
}

void rec_scopes_free(struct mb_record *r)
{
	mb_vec_foreach(s, &r->tools) {
		scope_free(*s);
		free(*s);
	}
	mb_vec_free(&r->tools);
	scope_free(&r->session);
	scope_free(&r->other);
}

uint64_t rec_scope_rate(const struct scope *s, uint64_t now_ns)
{
	uint64_t n = 0;
	for (size_t i = 0; i < s->ring_n; i++) {
		size_t at = (s->ring_head + s->ring_cap - 1 - i) % s->ring_cap;
		if (now_ns - s->ring[at] >= MINUTE_NS)
			break;
		n++;
	}
	return n;
}

void rec_scope_started(struct scope *s, uint64_t now_ns)
{
	s->calls++;
	if (!s->ring_cap)
		return;
	s->ring[s->ring_head] = now_ns;
	s->ring_head = (s->ring_head + 1) % s->ring_cap;
	s->ring_n = MB_MIN(s->ring_n + 1, s->ring_cap);
}

static bool has(const struct scope *s, enum mb_budget_kind k)
{
	return s->budget && (s->budget->set & (1u << k));
}

static const char *scope_word(const struct scope *s)
{
	return s->name ? "tool" : "session";
}

/* The "limit" line; returns the reason for the client (malloc'd). */
static char *limit_line(struct mb_record *r, const struct scope *s, enum mb_budget_kind k,
			uint64_t value, const char *what, cJSON *request,
			const struct mb_notified_op *op, const char *target)
{
	bool enforce = rec_enforcing(r);
	struct mb_strbuf why = { 0 };
	mb_strbuf_printf(&why, "budget %s of %s%s%s exceeded: %s (limit %llu, budgets.%s%s)",
			 mb_budget_name(k), scope_word(s), s->name ? " " : "", s->name ? s->name : "",
			 what, (unsigned long long)s->budget->limit[k],
			 s->name ? "tools." : "session", s->name ? s->name : "");
	cJSON *o = cJSON_CreateObject();
	if (o) {
		cJSON_AddStringToObject(o, "budget", mb_budget_name(k));
		cJSON_AddStringToObject(o, "scope", scope_word(s));
		if (s->name)
			cJSON_AddStringToObject(o, "tool", s->name);
		cJSON_AddNumberToObject(o, "limit", (double)s->budget->limit[k]);
		cJSON_AddNumberToObject(o, "value", (double)value);
		if (op) {
			cJSON_AddStringToObject(o, "op", k == MB_BUDGET_CONNECTS ? "connect" : "write");
			cJSON_AddStringToObject(o, "syscall", op->sc->name);
			if (target)
				cJSON_AddStringToObject(o, "target", target);
		}
		cJSON_AddStringToObject(o, "decision", enforce ? "denied" : "allowed");
		if (request)
			cJSON_AddItemToObject(o, "request", request);
		cJSON_AddStringToObject(o, "reason", why.s ? why.s : "budget exceeded");
	} else {
		cJSON_Delete(request);
	}
	(void)rec_emit(r, "limit", o);
	char *reason = why.s ? mb_strbuf_take(&why) : strdup("a budget is exceeded");
	mb_strbuf_free(&why);
	return reason;
}

/* Would one more call of scope s exceed a budget? The reason, or NULL. */
static char *admit_scope(struct mb_record *r, struct mb_jr_msg *m, struct scope *s, uint64_t now)
{
	if (!s->budget)
		return NULL;
	char what[160];
	enum mb_budget_kind k = MB_BUDGET_COUNT_;
	uint64_t value = 0;
	if (has(s, MB_BUDGET_CALLS_PER_MINUTE) &&
	    (value = rec_scope_rate(s, now) + 1) > s->budget->limit[MB_BUDGET_CALLS_PER_MINUTE]) {
		k = MB_BUDGET_CALLS_PER_MINUTE;
		snprintf(what, sizeof(what), "this would be call %llu within a minute",
			 (unsigned long long)value);
	} else if (has(s, MB_BUDGET_IN_FLIGHT) &&
		   (value = s->in_flight + 1) > s->budget->limit[MB_BUDGET_IN_FLIGHT]) {
		k = MB_BUDGET_IN_FLIGHT;
		snprintf(what, sizeof(what), "this would be call %llu in flight at once",
			 (unsigned long long)value);
	} else {
		static const enum mb_budget_kind spent[] = { MB_BUDGET_BYTES_RETURNED,
							     MB_BUDGET_CONNECTS,
							     MB_BUDGET_FILES_WRITTEN };
		for (size_t i = 0; i < ARRAY_SIZE(spent) && k == MB_BUDGET_COUNT_; i++) {
			if (!s->exceeded[spent[i]])
				continue;
			k = spent[i];
			value = k == MB_BUDGET_BYTES_RETURNED ? s->bytes_returned
				: k == MB_BUDGET_CONNECTS     ? s->connects + 1
							      : s->nwritten + 1;
			snprintf(what, sizeof(what), "spent by earlier calls");
		}
	}
	if (k == MB_BUDGET_COUNT_)
		return NULL;
	char *reason = limit_line(r, s, k, value, what, rec_msg_request_json(r, m), NULL, NULL);
	if (!rec_enforcing(r)) {
		free(reason);
		return NULL;
	}
	return reason;
}

char *rec_budget_admit(struct mb_record *r, struct mb_jr_msg *m, struct scope *tool)
{
	uint64_t now = mb_now_ns();
	char *why = admit_scope(r, m, &r->session, now);
	if (!why && tool)
		why = admit_scope(r, m, tool, now);
	return why;
}

void rec_budget_returned(struct mb_record *r, struct scope *tool, size_t bytes)
{
	struct scope *scopes[] = { &r->session, tool };
	for (size_t i = 0; i < ARRAY_SIZE(scopes); i++) {
		struct scope *s = scopes[i];
		if (!s)
			continue;
		s->bytes_returned += bytes;
		if (has(s, MB_BUDGET_BYTES_RETURNED) &&
		    s->bytes_returned > s->budget->limit[MB_BUDGET_BYTES_RETURNED])
			s->exceeded[MB_BUDGET_BYTES_RETURNED] = true;
	}
}

static bool written(const struct scope *s, const char *path)
{
	for (size_t i = 0; i < s->nwritten; i++)
		if (strcmp(s->written[i], path) == 0)
			return true;
	return false;
}

/* The scopes op counts in: the session's and each distinct tool's of the
 * calls in flight; the first call of each, for its line. */
struct op_scopes {
	struct scope *s[8];
	struct mb_call *first[8];
	size_t n;
};

static void scopes_in_flight(struct mb_record *r, struct op_scopes *out)
{
	out->n = 0;
	for (struct mb_call *c = r->inflight ? mb_inflight_first(r->inflight) : NULL; c;
	     c = mb_inflight_next(c)) {
		struct rec_call *rc = c->ext;
		if (c->dir != MB_DIR_CLIENT || !mb_call_window_open(c) || !rc || !rc->tool)
			continue;
		if (out->n == 0) {
			out->s[0] = &r->session;
			out->first[0] = c;
			out->n = 1;
		}
		size_t i = 1;
		while (i < out->n && out->s[i] != rc->tool)
			i++;
		if (i == out->n && out->n < ARRAY_SIZE(out->s)) {
			out->s[out->n] = rc->tool;
			out->first[out->n++] = c;
		}
	}
}

/* A connect of the server's: not a DNS question to the sandbox's
 * resolver, which is membrane's own (a lookup is no connect). */
static bool is_connect(const struct mb_record *r, const struct mb_notified_target *t)
{
	return t->kind == MB_TARGET_INET && (t->ops & (1u << MB_OP_CONNECT)) &&
	       !mb_plan_is_resolver(r->cfg.plan, &t->addr);
}

static bool is_write(const struct mb_notified_target *t)
{
	return t->kind == MB_TARGET_PATH && (t->ops & (1u << MB_OP_WRITE)) &&
	       (t->presence == MB_PRESENT || t->presence == MB_PRESENT_NEW);
}

bool rec_budget_op(struct mb_record *r, const struct mb_notified_op *op)
{
	struct op_scopes sc;
	scopes_in_flight(r, &sc);
	for (size_t i = 0; i < sc.n; i++) {
		struct scope *s = sc.s[i];
		if (!s->budget)
			continue;
		for (unsigned j = 0; j < op->n; j++) {
			const struct mb_notified_target *t = &op->t[j];
			enum mb_budget_kind k;
			uint64_t value;
			if (is_connect(r, t) && has(s, MB_BUDGET_CONNECTS)) {
				k = MB_BUDGET_CONNECTS;
				value = s->connects + 1;
			} else if (is_write(t) && has(s, MB_BUDGET_FILES_WRITTEN) &&
				   !written(s, t->path)) {
				k = MB_BUDGET_FILES_WRITTEN;
				value = s->nwritten + 1;
			} else {
				continue;
			}
			if (value <= s->budget->limit[k])
				continue;
			s->exceeded[k] = true;
			char name[128], what[96];
			snprintf(what, sizeof(what), "this would be %s %llu of its calls",
				 k == MB_BUDGET_CONNECTS ? "connect" : "path written",
				 (unsigned long long)value);
			free(limit_line(r, s, k, value, what, rec_request_json(r, sc.first[i]), op,
					rec_target_name(t, name, sizeof(name))));
			if (rec_enforcing(r))
				return true;
		}
	}
	return false;
}

void rec_budget_done(struct mb_record *r, const struct mb_notified_op *op)
{
	struct op_scopes sc;
	scopes_in_flight(r, &sc);
	for (size_t i = 0; i < sc.n; i++) {
		struct scope *s = sc.s[i];
		for (unsigned j = 0; j < op->n; j++) {
			const struct mb_notified_target *t = &op->t[j];
			if (is_connect(r, t))
				s->connects++;
			if (!is_write(t) || !has(s, MB_BUDGET_FILES_WRITTEN) || written(s, t->path) ||
			    s->nwritten > s->budget->limit[MB_BUDGET_FILES_WRITTEN])
				continue;
			char **w = realloc(s->written, (s->nwritten + 1) * sizeof(*w));
			if (!w)
				continue;
			s->written = w;
			if ((w[s->nwritten] = strdup(t->path)))
				s->nwritten++;
		}
	}
}
