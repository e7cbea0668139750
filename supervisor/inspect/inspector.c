/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"
#include "common/vec.h"
#include "policy/match.h"
#include "supervisor/inspect/request-check.h"
#include "supervisor/inspect/denials.h"
#include "supervisor/inspect/inspector.h"
#include "supervisor/inspect/jsonrpc.h"
#include "common/loop.h"
#include "report/report-request.h"
#include "supervisor/inspect/scan.h"
#include "supervisor/inspect/tool-pin.h"

/* mb_call.notes */
#define NOTE_FIRST_PAGE 1u /* tools/list without a cursor */

/* Bytes of an offending line quoted in an "error" report. */
#define EXCERPT_MAX 256

/* concurrency: serial: a tools/call that arrives while another is in
 * flight waits here, in arrival order, as the text the client sent. */
struct held {
	char *text; /* one JSON-RPC message, without newline */
	size_t len;
	char *key;  /* its id's key */
	struct held *next;
};

struct mb_inspector {
	struct mb_inspector_config cfg;
	struct mb_inspector_io io;
	struct mb_inflight *inflight;
	struct mb_toolpin *pin;
	struct mb_scan *scan;
	struct mb_inspector_stats stats;
	int report_err;
	MB_VEC(char *) roots_reported; /* kind letter + root or within entry */
	struct held *held, **held_tail;
	size_t nheld;
	bool s2c_capped; /* server requests are being refused: reported once */
	struct mb_inspector_hooks hooks;
};

enum verdict { V_FORWARD, V_REPLACE, V_DROP };

static void release_held(struct mb_inspector *ins);

struct outcome {
	enum verdict v;
	struct mb_strbuf text; /* V_REPLACE: the new message, no newline */
};

static const char *side_name(enum mb_side s)
{
	return s == MB_SIDE_CLIENT ? "client" : "server";
}

static void report(struct mb_inspector *ins, const char *event, cJSON *fields)
{
	if (!fields) {
		if (!ins->report_err)
			ins->report_err = -ENOMEM;
		return;
	}
	int r = ins->io.report(ins->io.ud, event, fields);
	if (r < 0 && !ins->report_err)
		ins->report_err = r;
	cJSON_Delete(fields);
}

static void send_bytes(struct mb_inspector *ins, enum mb_side to, const char *buf, size_t n)
{
	if (ins->io.send(ins->io.ud, to, buf, n) < 0 && !ins->report_err)
		ins->report_err = -ENOMEM;
}

/* An "error" report about a frame from side. */
static void report_bad(struct mb_inspector *ins, enum mb_side from, const char *reason,
		       const char *text, size_t len, bool quote)
{
	ins->stats.errors++;
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return report(ins, "error", NULL);
	cJSON_AddStringToObject(o, "side", side_name(from));
	cJSON_AddStringToObject(o, "reason", reason);
	cJSON_AddNumberToObject(o, "bytes", (double)len);
	/* Quote the line only when it is text a report can carry. */
	if (quote && text && len && mb_json_prescan(text, len, UINT32_MAX, NULL) == MB_JSON_OK) {
		char *ex = mb_report_cut(text, len, EXCERPT_MAX);
		if (ex)
			cJSON_AddStringToObject(o, "line", ex);
		free(ex);
	}
	report(ins, "error", o);
}

static void reply_error(struct mb_inspector *ins, enum mb_side to, const char *id_raw,
			size_t id_len, int code, const char *message)
{
	struct mb_strbuf b = { 0 };
	mb_jr_error_line(&b, id_raw, id_len, code, message);
	if (!mb_strbuf_failed(&b))
		send_bytes(ins, to, b.s, b.len);
	mb_strbuf_free(&b);
}

static void reply_tool_refusal(struct mb_inspector *ins, const struct mb_jr_msg *m,
			       const char *reason)
{
	struct mb_strbuf b = { 0 }, text = { 0 };
	mb_strbuf_printf(&text, "membrane refused this call: %s", reason);
	mb_strbuf_puts(&b, "{\"jsonrpc\":\"2.0\",\"id\":");
	mb_strbuf_append(&b, m->id.raw, m->id.raw_len);
	mb_strbuf_puts(&b, ",\"result\":{\"content\":[{\"type\":\"text\",\"text\":");
	mb_strbuf_json_string(&b, text.s ? text.s : "", text.len);
	mb_strbuf_puts(&b, "}],\"isError\":true}}\n");
	if (!mb_strbuf_failed(&b) && !mb_strbuf_failed(&text))
		send_bytes(ins, MB_SIDE_CLIENT, b.s, b.len);
	mb_strbuf_free(&b);
	mb_strbuf_free(&text);
}

static void report_refused(struct mb_inspector *ins, struct mb_jr_msg *m, const char *reason,
			   bool allowed)
{
	const struct mb_profile *p = ins->cfg.profile;
	_cleanup_free_ char *id = m->id.raw ? strndup(m->id.raw, m->id.raw_len) : NULL;
	const char *tool = NULL;
	const cJSON *args = NULL;
	if (mb_streq(m->method, "tools/call")) {
		tool = mb_jr_param_str(m, MB_P_NAME);
		args = mb_jr_param_node(m, MB_P_ARGUMENTS);
	} else {
		args = mb_jr_params_node(m);
	}
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return report(ins, "refused", NULL);
	cJSON *req = mb_report_request(p, id, m->method, tool, args);
	if (req)
		cJSON_AddItemToObject(o, "request", req);
	cJSON_AddStringToObject(o, "reason", reason);
	cJSON_AddStringToObject(o, "decision", allowed ? "allowed" : "denied");
	report(ins, "refused", o);
}

/* An "error" report about a request: which side failed, the request as
 * reports show it, and why (NULL: out of memory). */
static void report_request_error(struct mb_inspector *ins, const char *side, const char *id_raw,
				 const char *method, const char *tool, const cJSON *args,
				 const char *reason)
{
	cJSON *o = reason ? cJSON_CreateObject() : NULL;
	if (!o)
		return report(ins, "error", NULL);
	cJSON_AddStringToObject(o, "side", side);
	cJSON *req = mb_report_request(ins->cfg.profile, id_raw, method, tool, args);
	if (req)
		cJSON_AddItemToObject(o, "request", req);
	cJSON_AddStringToObject(o, "reason", reason);
	report(ins, "error", o);
}

/* toolpin's events, as reports. */
static void on_changed(void *ud, const char *target, const char *const *what, size_t n)
{
	struct mb_inspector *ins = ud;
	const struct mb_profile *p = ins->cfg.profile;
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return report(ins, "violation", NULL);
	struct mb_strbuf reason = { 0 };
	cJSON_AddStringToObject(o, "op", "tool-changed");
	cJSON_AddStringToObject(o, "target", target);
	cJSON *arr = cJSON_AddArrayToObject(o, "changed");
	for (size_t i = 0; i < n; i++) {
		cJSON_AddItemToArray(arr, cJSON_CreateString(what[i]));
		mb_strbuf_printf(&reason, "%s%s", i ? ", " : "", what[i]);
	}
	bool strict = p->pin == MB_PIN_STRICT && strcmp(target, "instructions") != 0;
	mb_strbuf_printf(&reason, " changed since first seen%s",
			 strict ? "; its calls are refused (pin: strict)" : "");
	cJSON_AddStringToObject(o, "decision",
				strict && p->mode == MB_MODE_ENFORCE ? "denied" : "allowed");
	cJSON_AddStringToObject(o, "reason", reason.s ? reason.s : "changed");
	cJSON_AddArrayToObject(o, "requests");
	mb_strbuf_free(&reason);
	report(ins, "violation", o);
}

static void on_mismatch(void *ud, const char *tool, const char *placeholder)
{
	struct mb_inspector *ins = ud;
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return report(ins, "error", NULL);
	struct mb_strbuf reason = { 0 };
	mb_strbuf_printf(&reason,
			 "profile placeholder {%s} of tool %s names no property of the tool's "
			 "inputSchema: calls that follow the schema never fill it, so its grant "
			 "is empty and the argument that does carry a path is not held to "
			 "arguments.within; name the schema's property",
			 placeholder, tool);
	cJSON_AddStringToObject(o, "side", "server");
	cJSON_AddStringToObject(o, "tool", tool);
	cJSON_AddStringToObject(o, "placeholder", placeholder);
	cJSON_AddStringToObject(o, "reason", reason.s ? reason.s : "placeholder mismatch");
	mb_strbuf_free(&reason);
	report(ins, "error", o);
}

static void on_scan_report(void *ud, const char *event, cJSON *fields)
{
	report(ud, event, fields);
}

int mb_inspector_new(const struct mb_inspector_config *cfg, const struct mb_inspector_io *io,
		     struct mb_inspector **ret)
{
	struct mb_inspector *ins = calloc(1, sizeof(*ins));
	if (!ins)
		return -ENOMEM;
	ins->cfg = *cfg;
	if (!ins->cfg.cancel_grace_ms)
		ins->cfg.cancel_grace_ms = MB_CANCEL_GRACE_MS;
	ins->io = *io;
	ins->held_tail = &ins->held;
	struct mb_toolpin_events ev = { on_changed, on_mismatch, ins };
	int r = mb_inflight_new(&ins->inflight);
	if (r == 0)
		mb_inflight_set_timeout(ins->inflight, cfg->call_timeout_ms * 1000000u);
	if (r == 0)
		r = mb_toolpin_new(cfg->profile, &ev, &ins->pin);
	struct mb_scan_events sev = { on_scan_report, ins };
	if (r == 0)
		r = mb_scan_new(cfg->profile, cfg->envp, &sev, &ins->scan);
	if (r < 0) {
		mb_inspector_free(ins);
		return r;
	}
	*ret = ins;
	return 0;
}

static void held_free(struct held *h)
{
	free(h->text);
	free(h->key);
	free(h);
}

void mb_inspector_free(struct mb_inspector *ins)
{
	if (!ins)
		return;
	for (struct held *h = ins->held, *n; h; h = n) {
		n = h->next;
		held_free(h);
	}
	mb_inflight_free(ins->inflight);
	mb_toolpin_free(ins->pin);
	mb_scan_free(ins->scan);
	mb_vec_foreach(x, &ins->roots_reported) free(*x);
	mb_vec_free(&ins->roots_reported);
	free(ins);
}

static void hook_leave(void *ud, struct mb_call *c)
{
	struct mb_inspector *ins = ud;
	ins->hooks.leave(ins->hooks.ud, c);
}

void mb_inspector_set_hooks(struct mb_inspector *ins, const struct mb_inspector_hooks *h)
{
	ins->hooks = *h;
	mb_inflight_set_leave_hook(ins->inflight, h->leave ? hook_leave : NULL, ins);
}

struct mb_inflight *mb_inspector_inflight(struct mb_inspector *ins)
{
	return ins->inflight;
}

struct mb_scan *mb_inspector_scan(struct mb_inspector *ins)
{
	return ins->scan;
}

int mb_inspector_report_error(const struct mb_inspector *ins)
{
	return ins->report_err;
}

const struct mb_inspector_stats *mb_inspector_stats(const struct mb_inspector *ins)
{
	return &ins->stats;
}

static bool is_terminal(const char *status)
{
	return mb_streq(status, "completed") || mb_streq(status, "failed") ||
	       mb_streq(status, "cancelled");
}

/* A sign of life for the task task_id of a client's call (a status that is
 * not final, the client asking about it): its timeout starts again. */
static void touch_task(struct mb_inspector *ins, const char *task_id)
{
	struct mb_call *c = task_id ? mb_inflight_by_task(ins->inflight, MB_DIR_CLIENT, task_id)
				    : NULL;
	if (c)
		mb_inflight_touch(ins->inflight, c, mb_coarse_ns());
}

/* ---- windows that time out ---- */

/* Why c's wait ended: "<waiting> within 1.500 s (--call-timeout)", or its
 * task's time to live. */
static void put_why(struct mb_strbuf *b, const struct mb_inspector *ins, const struct mb_call *c,
		    const char *waiting)
{
	/* It expired: the earlier of its two ends is why. */
	bool ttl = c->state == MB_CALL_TASK && c->ttl_end_ns &&
		   (!c->deadline_ns || c->ttl_end_ns <= c->deadline_ns);
	uint64_t ms = ins->cfg.call_timeout_ms;
	if (ttl) {
		ms = (c->ttl_end_ns - c->started_ns) / 1000000u;
		mb_strbuf_puts(b, "its time to live of ");
	} else {
		mb_strbuf_printf(b, "%s within ", waiting);
	}
	mb_strbuf_printf(b, "%llu.%03llu s%s", (unsigned long long)(ms / 1000),
			 (unsigned long long)(ms % 1000), ttl ? " passed" : " (--call-timeout)");
}

static void on_expired(void *ud, struct mb_call *c)
{
	struct mb_inspector *ins = ud;
	struct mb_strbuf reason = { 0 };
	const char *of = c->tool ? " of tool " : "", *tool = c->tool ? c->tool : "";
	if (c->dir == MB_DIR_SERVER) {
		/* The server waits for an answer that will not come: say so. */
		reply_error(ins, MB_SIDE_SERVER, c->id_raw, strlen(c->id_raw), MB_JR_NO_ANSWER,
			    "membrane: the client did not answer in time (--call-timeout)");
		mb_strbuf_printf(&reason, "the server's %s: ", c->method);
		put_why(&reason, ins, c, "no answer from the client");
		mb_strbuf_printf(&reason, "; the server was answered with error %d",
				 MB_JR_NO_ANSWER);
	} else if (c->state == MB_CALL_TASK) {
		mb_strbuf_printf(&reason, "task %s of %s%s%s: ", c->task_id, c->method, of, tool);
		put_why(&reason, ins, c, "no sign of life");
		mb_strbuf_puts(&reason, ": the call's window for attribution is closed; what the "
					"task does from now on is judged as idle");
	} else {
		mb_strbuf_printf(&reason, "%s%s%s: ", c->method, of, tool);
		put_why(&reason, ins, c, "no response");
		mb_strbuf_puts(&reason, ": the request's window for attribution is closed; a late "
					"response still reaches the client");
	}
	report_request_error(ins, c->dir == MB_DIR_SERVER ? "client" : "server", c->id_raw,
			     c->method, c->tool,
			     c->dir == MB_DIR_CLIENT ? mb_call_arguments(c) : NULL,
			     mb_strbuf_failed(&reason) ? NULL : reason.s);
	mb_strbuf_free(&reason);
	if (ins->hooks.expired && c->dir == MB_DIR_CLIENT)
		ins->hooks.expired(ins->hooks.ud, c);
}

uint64_t mb_inspector_expire(struct mb_inspector *ins, uint64_t now_ns)
{
	uint64_t next = mb_inflight_expire(ins->inflight, now_ns, on_expired, ins);
	/* A cancelled call's grace, or a call's window, may have ended. */
	release_held(ins);
	return next;
}

/* ---- roots ---- */

/* Once per session and item: was it reported? */
static bool roots_seen(struct mb_inspector *ins, const char *kind, const char *item)
{
	mb_vec_foreach(x, &ins->roots_reported)
		if (strncmp(*x, kind, 1) == 0 && strcmp(*x + 1, item) == 0)
			return true;
	char *k = malloc(strlen(item) + 2);
	if (!k)
		return false;
	k[0] = kind[0];
	strcpy(k + 1, item);
	if (mb_vec_push(&ins->roots_reported, k) < 0)
		free(k);
	return false;
}

static void report_roots(struct mb_inspector *ins, const char *field, const char *item,
			 const char *reason)
{
	if (roots_seen(ins, field, item))
		return;
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return report(ins, "error", NULL);
	cJSON_AddStringToObject(o, "side", "client");
	cJSON_AddStringToObject(o, field, item);
	cJSON_AddStringToObject(o, "reason", reason);
	report(ins, "error", o);
}

/* The client's answer to roots/list (result, a ListRootsResult): its
 * statement of where the server may work, compared with arguments.within
 * both ways (docs/design.md "The inspector"). A root outside within: calls naming paths there
 * will be refused. A within entry beneath no root: the profile lets the
 * server work where the client did not send it. Each is reported once. */
static void check_roots(struct mb_inspector *ins, const cJSON *result)
{
	const struct mb_profile *p = ins->cfg.profile;
	if (!p->within.n)
		return;
	const cJSON *roots = mb_json_get_array(result, "roots");
	if (!roots)
		return;
	MB_VEC(char *) paths = { 0 };
	const cJSON *r;
	cJSON_ArrayForEach(r, roots) {
		const char *uri = mb_json_get_string(r, "uri");
		if (!uri || strncmp(uri, "file://", 7) != 0)
			continue;
		const char *why = NULL;
		char *path = mb_file_uri_path(uri, &why);
		if (path && mb_path_normalize(path, path, strlen(path) + 1) >= 0) {
			if (mb_vec_push(&paths, path) < 0)
				free(path);
			path = NULL;
		}
		free(path);
		if (!mb_argument_within(p, ins->cfg.cwd, uri, &why)) {
			struct mb_strbuf b = { 0 };
			mb_strbuf_printf(&b, "the client's root %s %s: calls naming paths there "
					 "will be refused", uri, why ? why : "is outside arguments.within");
			report_roots(ins, "root", uri, b.s ? b.s : "a root is outside arguments.within");
			mb_strbuf_free(&b);
		}
	}
	if (paths.n) {
		for (size_t i = 0; i < p->within.n; i++) {
			const char *w = p->within.v[i].text;
			bool covered = false;
			mb_vec_foreach(x, &paths) covered |= mb_path_within(w, *x);
			if (covered)
				continue;
			struct mb_strbuf b = { 0 };
			mb_strbuf_printf(&b, "arguments.within entry %s lies beneath none of the "
					 "client's roots: the profile lets the server work where the "
					 "client did not send it", w);
			report_roots(ins, "within", w, b.s ? b.s : "a within entry is outside the roots");
			mb_strbuf_free(&b);
		}
	}
	mb_vec_foreach(x, &paths) free(*x);
	mb_vec_free(&paths);
}

/* ---- concurrency: serial ---- */

/* A tools/call of the client whose window is open (a timed-out one no
 * longer holds the next back: --call-timeout bounds the wait). */
static bool tool_call_in_flight(const struct mb_inspector *ins)
{
	for (const struct mb_call *c = mb_inflight_first(ins->inflight); c; c = mb_inflight_next(c))
		if (c->dir == MB_DIR_CLIENT && mb_call_window_open(c) &&
		    strcmp(c->method, "tools/call") == 0)
			return true;
	return false;
}

static struct held **held_find(struct mb_inspector *ins, const char *key)
{
	for (struct held **p = &ins->held; key && *p; p = &(*p)->next)
		if (strcmp((*p)->key, key) == 0)
			return p;
	return NULL;
}

static void held_unlink(struct mb_inspector *ins, struct held **p)
{
	struct held *h = *p;
	*p = h->next;
	if (ins->held_tail == &h->next)
		ins->held_tail = p;
	ins->nheld--;
}

/* Keep m until the tools/call in flight has finished. */
static int hold(struct mb_inspector *ins, const struct mb_jr_msg *m)
{
	struct held *h = calloc(1, sizeof(*h));
	if (!h || !(h->text = strndup(m->text + m->span.off, m->span.len)) ||
	    !(h->key = strdup(m->id.key))) {
		if (h)
			held_free(h);
		return -ENOMEM;
	}
	h->len = m->span.len;
	*ins->held_tail = h;
	ins->held_tail = &h->next;
	ins->nheld++;
	return 0;
}

/* Forward the first held call once no tools/call is in flight. It was
 * checked when it arrived; its window opens now. */
static void release_held(struct mb_inspector *ins)
{
	while (ins->held && !tool_call_in_flight(ins)) {
		struct held *h = ins->held;
		held_unlink(ins, &ins->held);
		struct mb_jr_frame jf;
		mb_jr_parse(h->text, h->len, &jf);
		struct mb_call *c = NULL;
		if (jf.fault == MB_JR_FAULT_NONE && jf.n == 1 &&
		    mb_inflight_add(ins->inflight, MB_DIR_CLIENT, &jf.msgs[0], mb_coarse_ns(),
				    &c) == 0) {
			if (ins->hooks.forwarded)
				ins->hooks.forwarded(ins->hooks.ud, c, &jf.msgs[0]);
			ins->stats.forwarded++;
			send_bytes(ins, MB_SIDE_SERVER, h->text, h->len);
			send_bytes(ins, MB_SIDE_SERVER, "\n", 1);
		} else if (jf.n == 1) {
			reply_error(ins, MB_SIDE_CLIENT, jf.msgs[0].id.raw, jf.msgs[0].id.raw_len,
				    MB_JR_INTERNAL_ERROR, "membrane: out of memory");
		}
		mb_jr_frame_free(&jf);
		held_free(h);
	}
}

size_t mb_inspector_held(const struct mb_inspector *ins)
{
	return ins->nheld;
}

/* ---- client -> server ---- */

/* 2026-07-28: the server asks for roots inside an input_required result,
 * and the client's roots come back in the retry's inputResponses, keyed as
 * the server chose. A ListRootsResult is told by its roots array. */
static void check_input_roots(struct mb_inspector *ins, struct mb_jr_msg *m)
{
	if (!ins->cfg.profile->within.n || !mb_span_is(m->text, m->p[MB_P_INPUT_RESPONSES], '{'))
		return;
	const cJSON *r;
	cJSON_ArrayForEach(r, mb_jr_param_node(m, MB_P_INPUT_RESPONSES)) {
		if (cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(r, "roots")))
			check_roots(ins, r);
	}
}

/* Answer a refused request as MCP expects (tools/call: a tool result with
 * isError; others: a JSON-RPC error), and tell the record. */
static void refuse(struct mb_inspector *ins, struct mb_jr_msg *m, const char *reason,
		   bool tool_call)
{
	if (tool_call) {
		reply_tool_refusal(ins, m, reason);
	} else {
		struct mb_strbuf msg = { 0 };
		mb_strbuf_printf(&msg, "membrane refused this request: %s", reason);
		reply_error(ins, MB_SIDE_CLIENT, m->id.raw, m->id.raw_len, MB_JR_REFUSED,
			    msg.s ? msg.s : "membrane refused this request");
		mb_strbuf_free(&msg);
	}
	if (ins->hooks.refused)
		ins->hooks.refused(ins->hooks.ud, m, reason);
}

static enum verdict client_request(struct mb_inspector *ins, struct mb_jr_msg *m)
{
	const struct mb_profile *p = ins->cfg.profile;
	struct mb_call *old = mb_inflight_find(ins->inflight, MB_DIR_CLIENT, m->id.key);
	if ((old && old->state != MB_CALL_CANCELLED && old->state != MB_CALL_EXPIRED) ||
	    held_find(ins, m->id.key)) {
		report_bad(ins, MB_SIDE_CLIENT, "duplicate id: a request with this id is in flight",
			   NULL, 0, false);
		reply_error(ins, MB_SIDE_CLIENT, m->id.raw, m->id.raw_len, MB_JR_INVALID_REQUEST,
			    "membrane: a request with this id is already in flight");
		return V_DROP;
	}
	char *reason = NULL;
	bool tool_call = strcmp(m->method, "tools/call") == 0;
	if (tool_call)
		reason = mb_check_tool_call_msg(p, ins->pin, ins->cfg.cwd, m);
	else if (strcmp(m->method, "resources/read") == 0)
		reason = mb_check_resource_uri(p, ins->cfg.cwd, mb_jr_param_str(m, MB_P_URI));
	if (!reason)
		reason = mb_scan_refuses(ins->scan, m);
	if (reason) {
		bool audit = p->mode == MB_MODE_AUDIT;
		ins->stats.refused++;
		report_refused(ins, m, reason, audit);
		if (!audit) {
			refuse(ins, m, reason, tool_call);
			free(reason);
			return V_DROP;
		}
		free(reason);
	}
	/* The run's record may refuse it too: a budget, the kill switch. */
	if (ins->hooks.admit) {
		bool write_refused = false;
		reason = ins->hooks.admit(ins->hooks.ud, m, &write_refused);
		if (reason) {
			ins->stats.refused++;
			if (write_refused)
				report_refused(ins, m, reason, false);
			refuse(ins, m, reason, tool_call);
			free(reason);
			return V_DROP;
		}
	}
	check_input_roots(ins, m);
	/* concurrency: serial: one tools/call at a time, in arrival order. */
	if (tool_call && p->concurrency == MB_CONCURRENCY_SERIAL &&
	    (ins->held || tool_call_in_flight(ins))) {
		if (hold(ins, m) < 0)
			reply_error(ins, MB_SIDE_CLIENT, m->id.raw, m->id.raw_len,
				    MB_JR_INTERNAL_ERROR, "membrane: out of memory");
		return V_DROP;
	}
	struct mb_call *c = NULL;
	int r = mb_inflight_add(ins->inflight, MB_DIR_CLIENT, m, mb_coarse_ns(), &c);
	if (r < 0) {
		reply_error(ins, MB_SIDE_CLIENT, m->id.raw, m->id.raw_len, MB_JR_INTERNAL_ERROR,
			    "membrane: out of memory");
		return V_DROP;
	}
	if (strcmp(m->method, "tools/list") == 0 && !m->p[MB_P_CURSOR].len)
		c->notes |= NOTE_FIRST_PAGE;
	touch_task(ins, c->about_task); /* the client still wants that task */
	if (ins->hooks.forwarded)
		ins->hooks.forwarded(ins->hooks.ud, c, m);
	mb_scan_expect(ins->scan, m->method);
	return V_FORWARD;
}

static bool looks_like_response(const struct mb_jr_msg *m)
{
	return !m->has_method && (m->has_result || m->has_error);
}

static enum verdict client_msg(struct mb_inspector *ins, struct mb_jr_msg *m)
{
	switch (m->kind) {
	case MB_JR_INVALID:
		report_bad(ins, MB_SIDE_CLIENT, m->invalid, NULL, m->span.len, false);
		if (!looks_like_response(m)) {
			bool id_ok = m->id.key != NULL;
			reply_error(ins, MB_SIDE_CLIENT, id_ok ? m->id.raw : NULL,
				    id_ok ? m->id.raw_len : 0, MB_JR_INVALID_REQUEST, m->invalid);
		}
		return V_DROP;
	case MB_JR_REQUEST:
		return client_request(ins, m);
	case MB_JR_NOTIFICATION:
		if (strcmp(m->method, "notifications/cancelled") == 0) {
			const char *key = mb_jr_key(m, m->p[MB_P_REQUEST_ID]);
			struct held **h = held_find(ins, key);
			if (h) {
				/* Never forwarded: the server never hears of it, and
				 * a cancelled request gets no response (MCP). */
				struct held *gone = *h;
				held_unlink(ins, h);
				held_free(gone);
				return V_DROP;
			}
			mb_inflight_cancel(ins->inflight, MB_DIR_CLIENT, key,
					   mb_coarse_ns() + ins->cfg.cancel_grace_ms * 1000000u);
		}
		return V_FORWARD;
	case MB_JR_RESULT:
	case MB_JR_ERROR: {
		if (!m->id.key)
			return V_FORWARD; /* an error about a message it could not read */
		struct mb_call *c = mb_inflight_find(ins->inflight, MB_DIR_SERVER, m->id.key);
		if (!c) {
			report_bad(ins, MB_SIDE_CLIENT, "a response to an unknown id", NULL,
				   m->span.len, false);
			return V_DROP;
		}
		if (m->kind == MB_JR_RESULT && strcmp(c->method, "roots/list") == 0)
			check_roots(ins, mb_jr_result_node(m));
		mb_inflight_remove(ins->inflight, c);
		return V_FORWARD;
	}
	}
	return V_DROP;
}

/* ---- server -> client ---- */

enum { R_TASK, R_CONTENT, R_RESULT_TYPE, R_REQUEST_STATE, R_TASK_ID, R_STATUS, R__N };
static const char *const result_keys[R__N] = {
	"task", "content", "resultType", "requestState", "taskId", "status",
};

/* The scanners (scan.h) on what goes to the client: the message as the
 * inspector would forward it (out, once it has edited it). */
static enum verdict scan(struct mb_inspector *ins, const char *text, struct mb_jr_msg *m,
			 struct mb_call *c, enum verdict v, struct mb_strbuf *out)
{
	const char *t = text;
	struct mb_span msg = m->span;
	if (v == V_REPLACE) {
		t = out->s;
		msg = (struct mb_span){ 0, out->len };
	}
	struct mb_strbuf edited = { 0 };
	if (mb_scan_result(ins->scan, c, t, msg, m->kind == MB_JR_ERROR, &edited) == MB_SCAN_PASS) {
		mb_strbuf_free(&edited);
		return v;
	}
	mb_strbuf_free(out);
	*out = edited;
	return V_REPLACE;
}

/* A task the client did not ask for: the result is the call's end. The
 * server alone must not decide that a call stays in flight (and keeps its
 * grants) after the client has its answer. */
static void report_unasked_task(struct mb_inspector *ins, struct mb_call *c, const char *tid)
{
	struct mb_strbuf reason = { 0 };
	mb_strbuf_printf(&reason,
			 "tools/call of tool %s was answered with task %s although the request did "
			 "not ask for one (params.task): taken as the call's end, its window for "
			 "attribution is closed",
			 c->tool ? c->tool : "?", tid ? tid : "?");
	report_request_error(ins, "server", c->id_raw, c->method, c->tool, mb_call_arguments(c),
			     mb_strbuf_failed(&reason) ? NULL : reason.s);
	mb_strbuf_free(&reason);
}

/* A CreateTaskResult (the result's task at span task) for call c: whether
 * c stays in flight as a task. Its time to live is the smaller of the one
 * the client asked for and the one the server granted. */
static bool task_result(struct mb_inspector *ins, struct mb_jr_msg *m, struct mb_call *c,
			struct mb_span task)
{
	static const char *const task_keys[] = { "taskId", "status", "ttl" };
	struct mb_span t[3];
	mb_jr_members(m, task, task_keys, 3, t);
	const char *tid = mb_jr_str(m, t[0]);
	if (!c->task_asked) {
		report_unasked_task(ins, c, tid);
		return false;
	}
	if (!tid || is_terminal(mb_jr_str(m, t[1])))
		return false;
	uint64_t ttl = c->task_ttl_ms, granted = mb_json_span_ms(m->text, t[2]);
	if (granted && (!ttl || granted < ttl))
		ttl = granted;
	return mb_inflight_task_started(ins->inflight, c, tid, ttl, mb_coarse_ns()) == 0;
}

static enum verdict server_result(struct mb_inspector *ins, const char *text,
				  struct mb_jr_msg *m, struct mb_call *c, struct mb_strbuf *out)
{
	enum verdict v = V_FORWARD;
	const char *method = c->method;
	if (strcmp(method, "tools/list") == 0) {
		const cJSON *result = mb_jr_result_node(m);
		if (!result) {
			/* Cannot see which tools it lists: show none. */
			report_bad(ins, MB_SIDE_SERVER, "out of memory reading a tools/list result",
				   NULL, m->span.len, false);
			mb_inflight_remove(ins->inflight, c);
			reply_error(ins, MB_SIDE_CLIENT, m->id.raw, m->id.raw_len,
				    MB_JR_INTERNAL_ERROR, "membrane: out of memory");
			return V_DROP;
		}
		if (mb_toolpin_list(ins->pin, c->notes & NOTE_FIRST_PAGE, text, m->span, result, out))
			v = V_REPLACE;
	} else if (strcmp(method, "initialize") == 0 || strcmp(method, "server/discover") == 0) {
		mb_toolpin_instructions(ins->pin, mb_jr_result_node(m));
	}
	v = scan(ins, text, m, c, v, out);
	if (!mb_span_is(text, m->result, '{')) {
		mb_inflight_remove(ins->inflight, c);
		return v;
	}
	struct mb_span r[R__N];
	mb_jr_members(m, m->result, result_keys, R__N, r);
	if (strcmp(method, "tools/call") == 0) {
		if (mb_span_is(text, r[R_TASK], '{') && !r[R_CONTENT].len &&
		    task_result(ins, m, c, r[R_TASK]))
			return v; /* the call's window stays open until its task ends */
	} else if (strcmp(method, "tasks/get") == 0 || strcmp(method, "tasks/cancel") == 0) {
		const char *tid = mb_jr_str(m, r[R_TASK_ID]);
		if (is_terminal(mb_jr_str(m, r[R_STATUS])))
			mb_inflight_task_ended(ins->inflight, MB_DIR_CLIENT, tid ? tid : c->about_task);
	} else if (strcmp(method, "tasks/result") == 0) {
		mb_inflight_task_ended(ins->inflight, MB_DIR_CLIENT, c->about_task);
	}
	if (r[R_RESULT_TYPE].len && mb_streq(mb_jr_str(m, r[R_RESULT_TYPE]), "input_required"))
		mb_inflight_input_required(ins->inflight, c, mb_jr_str(m, r[R_REQUEST_STATE]));
	/* What was denied during the call goes back with its result. */
	if (v == V_FORWARD && c->denials && strcmp(method, "tools/call") == 0 &&
	    mb_denials_annotate(ins->cfg.profile, text, m, c, out))
		v = V_REPLACE;
	mb_inflight_remove(ins->inflight, c);
	return v;
}

/* Every request of the server waits in the table for the client's answer:
 * a client that never answers must not let a server grow membrane without
 * bound. Past the cap the server is answered at once (unless it does not
 * read what we queue for it), and the first refusal of each run of them
 * is reported. */
static bool server_requests_capped(struct mb_inspector *ins, struct mb_jr_msg *m)
{
	if (mb_inflight_count_dir(ins->inflight, MB_DIR_SERVER) < MB_SERVER_REQUESTS_MAX) {
		ins->s2c_capped = false;
		return false;
	}
	if (!ins->io.backlogged || !ins->io.backlogged(ins->io.ud, MB_SIDE_SERVER))
		reply_error(ins, MB_SIDE_SERVER, m->id.raw, m->id.raw_len, MB_JR_NO_ANSWER,
			    "membrane: too many requests await the client's answer");
	if (ins->s2c_capped)
		return true;
	ins->s2c_capped = true;
	ins->stats.errors++;
	char reason[256];
	snprintf(reason, sizeof(reason),
		 "%d requests of the server await the client's answer: its %s and those that "
		 "follow are answered with error %d and not forwarded until fewer wait",
		 MB_SERVER_REQUESTS_MAX, m->method, MB_JR_NO_ANSWER);
	_cleanup_free_ char *id = strndup(m->id.raw, m->id.raw_len);
	report_request_error(ins, "server", id, m->method, NULL, NULL, reason);
	return true;
}

static enum verdict server_msg(struct mb_inspector *ins, const char *text, struct mb_jr_msg *m,
			       struct mb_strbuf *out)
{
	switch (m->kind) {
	case MB_JR_INVALID:
		report_bad(ins, MB_SIDE_SERVER, m->invalid, text + m->span.off, m->span.len, true);
		return V_DROP;
	case MB_JR_REQUEST: {
		struct mb_call *old = mb_inflight_find(ins->inflight, MB_DIR_SERVER, m->id.key);
		if (old && old->state != MB_CALL_CANCELLED) {
			report_bad(ins, MB_SIDE_SERVER,
				   "duplicate id: a request with this id is in flight",
				   text + m->span.off, m->span.len, true);
			return V_DROP;
		}
		if (server_requests_capped(ins, m))
			return V_DROP;
		if (mb_inflight_add(ins->inflight, MB_DIR_SERVER, m, mb_coarse_ns(), NULL) < 0) {
			reply_error(ins, MB_SIDE_SERVER, m->id.raw, m->id.raw_len,
				    MB_JR_INTERNAL_ERROR, "membrane: out of memory");
			return V_DROP;
		}
		return V_FORWARD;
	}
	case MB_JR_NOTIFICATION:
		if (strcmp(m->method, "notifications/progress") == 0) {
			/* Progress keeps a call's window from timing out. */
			struct mb_call *c = mb_inflight_by_progress_key(
				ins->inflight, MB_DIR_CLIENT,
				mb_jr_key(m, m->p[MB_P_PROGRESS_TOKEN]));
			if (c)
				mb_inflight_touch(ins->inflight, c, mb_coarse_ns());
		} else if (strcmp(m->method, "notifications/cancelled") == 0) {
			mb_inflight_cancel(ins->inflight, MB_DIR_SERVER,
					   mb_jr_key(m, m->p[MB_P_REQUEST_ID]),
					   mb_coarse_ns() + ins->cfg.cancel_grace_ms * 1000000u);
		} else if (strcmp(m->method, "notifications/tasks/status") == 0) {
			const char *tid = mb_jr_param_str(m, MB_P_TASK_ID);
			if (is_terminal(mb_jr_param_str(m, MB_P_STATUS)))
				mb_inflight_task_ended(ins->inflight, MB_DIR_CLIENT, tid);
			else
				touch_task(ins, tid);
		}
		return V_FORWARD;
	case MB_JR_RESULT:
	case MB_JR_ERROR: {
		if (!m->id.key)
			return V_FORWARD; /* a parse error about a message it could not read */
		struct mb_call *c = mb_inflight_find(ins->inflight, MB_DIR_CLIENT, m->id.key);
		if (!c) {
			report_bad(ins, MB_SIDE_SERVER, "a response to an unknown id",
				   text + m->span.off, m->span.len, true);
			return V_DROP;
		}
		if (ins->hooks.answered)
			ins->hooks.answered(ins->hooks.ud, c, m);
		if (m->kind == MB_JR_ERROR) {
			enum verdict v = scan(ins, text, m, c, V_FORWARD, out);
			mb_inflight_remove(ins->inflight, c);
			return v;
		}
		return server_result(ins, text, m, c, out);
	}
	}
	return V_DROP;
}

/* ---- frames ---- */

static void frame_fault(struct mb_inspector *ins, enum mb_side from, const struct mb_frame *f,
			const struct mb_jr_frame *jf)
{
	const char *reason = mb_jr_fault_reason(jf);
	bool quote = jf->fault == MB_JR_FAULT_PARSE || jf->fault == MB_JR_FAULT_NOT_OBJECT ||
		     jf->fault == MB_JR_FAULT_EMPTY_BATCH;
	report_bad(ins, from, reason, f->text, f->len, from == MB_SIDE_SERVER && quote);
	if (from != MB_SIDE_CLIENT)
		return;
	int code = jf->fault == MB_JR_FAULT_NOT_OBJECT || jf->fault == MB_JR_FAULT_EMPTY_BATCH
			   ? MB_JR_INVALID_REQUEST
			   : MB_JR_PARSE_ERROR;
	char msg[160];
	snprintf(msg, sizeof(msg), "membrane: %s", reason);
	reply_error(ins, MB_SIDE_CLIENT, NULL, 0, code, msg);
}

static void forward_raw(struct mb_inspector *ins, enum mb_side to, const struct mb_frame *f)
{
	ins->stats.forwarded++;
	send_bytes(ins, to, f->raw, f->raw_len);
	if (f->kind == MB_FRAME_PARTIAL)
		send_bytes(ins, to, "\n", 1);
}

static void handle(struct mb_inspector *ins, enum mb_side from, const struct mb_frame *f)
{
	enum mb_side to = from == MB_SIDE_CLIENT ? MB_SIDE_SERVER : MB_SIDE_CLIENT;
	if (from == MB_SIDE_CLIENT)
		ins->stats.client_frames++;
	else
		ins->stats.server_frames++;
	if (f->kind == MB_FRAME_OVERSIZED) {
		char msg[160];
		snprintf(msg, sizeof(msg), "a line of %zu bytes is over the limit of %zu bytes (--max-message)",
			 f->skipped, ins->cfg.max_message);
		report_bad(ins, from, msg, NULL, f->skipped, false);
		if (from == MB_SIDE_CLIENT) {
			char rmsg[200];
			snprintf(rmsg, sizeof(rmsg), "membrane: %s", msg);
			reply_error(ins, MB_SIDE_CLIENT, NULL, 0, MB_JR_INVALID_REQUEST, rmsg);
		}
		return;
	}
	struct mb_jr_frame jf;
	mb_jr_parse(f->text, f->len, &jf);
	if (jf.fault != MB_JR_FAULT_NONE) {
		frame_fault(ins, from, f, &jf);
		mb_jr_frame_free(&jf);
		return;
	}
	struct outcome one, *oc = &one;
	if (jf.n > 1) {
		oc = calloc(jf.n, sizeof(*oc));
		if (!oc) {
			report_bad(ins, from, "out of memory", NULL, f->len, false);
			mb_jr_frame_free(&jf);
			return;
		}
	} else {
		one = (struct outcome){ 0 };
	}
	bool untouched = true, any = false;
	for (size_t i = 0; i < jf.n; i++) {
		struct mb_jr_msg *m = &jf.msgs[i];
		oc[i].v = from == MB_SIDE_CLIENT ? client_msg(ins, m)
						 : server_msg(ins, f->text, m, &oc[i].text);
		if (oc[i].v == V_REPLACE && mb_strbuf_failed(&oc[i].text))
			oc[i].v = V_DROP;
		untouched &= oc[i].v == V_FORWARD;
		any |= oc[i].v != V_DROP;
	}
	if (untouched) {
		forward_raw(ins, to, f);
	} else if (any) {
		struct mb_strbuf b = { 0 };
		bool first = true;
		if (jf.batch)
			mb_strbuf_putc(&b, '[');
		for (size_t i = 0; i < jf.n; i++) {
			if (oc[i].v == V_DROP)
				continue;
			if (!first)
				mb_strbuf_putc(&b, ',');
			first = false;
			if (oc[i].v == V_REPLACE)
				mb_strbuf_append(&b, oc[i].text.s, oc[i].text.len);
			else
				mb_strbuf_append(&b, f->text + jf.msgs[i].span.off, jf.msgs[i].span.len);
		}
		if (jf.batch)
			mb_strbuf_putc(&b, ']');
		mb_strbuf_putc(&b, '\n');
		if (!mb_strbuf_failed(&b)) {
			ins->stats.forwarded++;
			send_bytes(ins, to, b.s, b.len);
		}
		mb_strbuf_free(&b);
	}
	for (size_t i = 0; i < jf.n; i++)
		mb_strbuf_free(&oc[i].text);
	if (oc != &one)
		free(oc);
	mb_jr_frame_free(&jf);
	/* A response, a task's end or a cancellation may have ended the
	 * tools/call that held the next one back. */
	release_held(ins);
}

void mb_inspector_client_frame(struct mb_inspector *ins, const struct mb_frame *f)
{
	handle(ins, MB_SIDE_CLIENT, f);
}

void mb_inspector_server_frame(struct mb_inspector *ins, const struct mb_frame *f)
{
	unsigned long long before = mb_scan_stats(ins->scan)->canary_lines;
	handle(ins, MB_SIDE_SERVER, f);
	if (ins->hooks.server_done)
		ins->hooks.server_done(ins->hooks.ud, f,
				       mb_scan_stats(ins->scan)->canary_lines != before);
}

void mb_inspector_server_gone(struct mb_inspector *ins, const char *why)
{
	char msg[200];
	snprintf(msg, sizeof(msg), "membrane: the MCP server %s before answering", why);
	for (struct mb_call *c = mb_inflight_first(ins->inflight), *n; c; c = n) {
		n = mb_inflight_next(c);
		if (c->dir == MB_DIR_CLIENT &&
		    (c->state == MB_CALL_PENDING || c->state == MB_CALL_EXPIRED))
			reply_error(ins, MB_SIDE_CLIENT, c->id_raw, strlen(c->id_raw),
				    MB_JR_SERVER_GONE, msg);
		mb_inflight_remove(ins->inflight, c);
	}
	/* Held calls never reached the server: they are answered the same. */
	while (ins->held) {
		struct held *h = ins->held;
		held_unlink(ins, &ins->held);
		struct mb_jr_frame jf;
		mb_jr_parse(h->text, h->len, &jf);
		if (jf.fault == MB_JR_FAULT_NONE && jf.n == 1)
			reply_error(ins, MB_SIDE_CLIENT, jf.msgs[0].id.raw, jf.msgs[0].id.raw_len,
				    MB_JR_SERVER_GONE, msg);
		mb_jr_frame_free(&jf);
		held_free(h);
	}
}
