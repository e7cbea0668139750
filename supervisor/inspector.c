#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"
#include "supervisor/callcheck.h"
#include "supervisor/inspector.h"
#include "supervisor/jsonrpc.h"
#include "supervisor/loop.h"
#include "supervisor/reqdesc.h"
#include "supervisor/toolpin.h"

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
	struct mb_inspector_stats stats;
	int report_err;
	struct held *held, **held_tail;
	size_t nheld;
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

static void report_refused(struct mb_inspector *ins, const struct mb_jr_msg *m,
			   const char *reason, bool allowed)
{
	const struct mb_profile *p = ins->cfg.profile;
	_cleanup_free_ char *id = m->id.raw ? strndup(m->id.raw, m->id.raw_len) : NULL;
	const char *tool = NULL;
	const cJSON *args = NULL;
	if (mb_streq(m->method, "tools/call")) {
		tool = mb_json_get_string(m->params, "name");
		args = cJSON_GetObjectItemCaseSensitive(m->params, "arguments");
	} else if (m->params) {
		args = m->params;
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
			 "inputSchema: that argument is never checked against arguments.within",
			 placeholder, tool);
	cJSON_AddStringToObject(o, "side", "server");
	cJSON_AddStringToObject(o, "tool", tool);
	cJSON_AddStringToObject(o, "placeholder", placeholder);
	cJSON_AddStringToObject(o, "reason", reason.s ? reason.s : "placeholder mismatch");
	mb_strbuf_free(&reason);
	report(ins, "error", o);
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
		r = mb_toolpin_new(cfg->profile, &ev, &ins->pin);
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
	free(ins);
}

struct mb_inflight *mb_inspector_inflight(struct mb_inspector *ins)
{
	return ins->inflight;
}

int mb_inspector_report_error(const struct mb_inspector *ins)
{
	return ins->report_err;
}

const struct mb_inspector_stats *mb_inspector_stats(const struct mb_inspector *ins)
{
	return &ins->stats;
}

uint64_t mb_inspector_expire(struct mb_inspector *ins, uint64_t now_ns)
{
	uint64_t next = mb_inflight_expire(ins->inflight, now_ns);
	release_held(ins);
	return next;
}

static bool is_terminal(const char *status)
{
	return mb_streq(status, "completed") || mb_streq(status, "failed") ||
	       mb_streq(status, "cancelled");
}

/* ---- concurrency: serial ---- */

static bool tool_call_in_flight(const struct mb_inspector *ins)
{
	for (const struct mb_call *c = mb_inflight_first(ins->inflight); c; c = mb_inflight_next(c))
		if (c->dir == MB_DIR_CLIENT && mb_streq(c->method, "tools/call"))
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

/* Keep m (text[span]) until the tools/call in flight has finished. */
static int hold(struct mb_inspector *ins, const char *text, const struct mb_jr_msg *m)
{
	struct held *h = calloc(1, sizeof(*h));
	if (!h || !(h->text = strndup(text + m->span.off, m->span.len)) ||
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
 * checked when it arrived; it enters the table (its window opens) now. */
static void release_held(struct mb_inspector *ins)
{
	while (ins->held && !tool_call_in_flight(ins)) {
		struct held *h = ins->held;
		held_unlink(ins, &ins->held);
		struct mb_jr_frame jf;
		mb_jr_parse(h->text, h->len, &jf);
		if (jf.fault == MB_JR_FAULT_NONE && jf.n == 1 &&
		    mb_inflight_add(ins->inflight, MB_DIR_CLIENT, &jf.msgs[0], mb_now_ns(), NULL) == 0) {
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

static enum verdict client_request(struct mb_inspector *ins, const char *text,
				   const struct mb_jr_msg *m)
{
	const struct mb_profile *p = ins->cfg.profile;
	struct mb_call *old = mb_inflight_find(ins->inflight, MB_DIR_CLIENT, m->id.key);
	if ((old && old->state != MB_CALL_CANCELLED) || held_find(ins, m->id.key)) {
		report_bad(ins, MB_SIDE_CLIENT, "duplicate id: a request with this id is in flight",
			   NULL, 0, false);
		reply_error(ins, MB_SIDE_CLIENT, m->id.raw, m->id.raw_len, MB_JR_INVALID_REQUEST,
			    "membrane: a request with this id is already in flight");
		return V_DROP;
	}
	char *reason = NULL;
	bool tool_call = strcmp(m->method, "tools/call") == 0;
	if (tool_call)
		reason = mb_check_tool_call(p, ins->pin, ins->cfg.cwd, m->params);
	else if (strcmp(m->method, "resources/read") == 0)
		reason = mb_check_resource_read(p, ins->cfg.cwd, m->params);
	if (reason) {
		bool audit = p->mode == MB_MODE_AUDIT;
		ins->stats.refused++;
		report_refused(ins, m, reason, audit);
		if (!audit) {
			if (tool_call) {
				reply_tool_refusal(ins, m, reason);
			} else {
				struct mb_strbuf msg = { 0 };
				mb_strbuf_printf(&msg, "membrane refused this request: %s", reason);
				reply_error(ins, MB_SIDE_CLIENT, m->id.raw, m->id.raw_len, MB_JR_REFUSED,
					    msg.s ? msg.s : "membrane refused this request");
				mb_strbuf_free(&msg);
			}
			free(reason);
			return V_DROP;
		}
		free(reason);
	}
	/* concurrency: serial: one tools/call at a time, in arrival order. */
	if (tool_call && p->concurrency == MB_CONCURRENCY_SERIAL &&
	    (ins->held || tool_call_in_flight(ins))) {
		if (hold(ins, text, m) == 0)
			return V_DROP;
		reply_error(ins, MB_SIDE_CLIENT, m->id.raw, m->id.raw_len, MB_JR_INTERNAL_ERROR,
			    "membrane: out of memory");
		return V_DROP;
	}
	struct mb_call *c = NULL;
	int r = mb_inflight_add(ins->inflight, MB_DIR_CLIENT, m, mb_now_ns(), &c);
	if (r < 0) {
		reply_error(ins, MB_SIDE_CLIENT, m->id.raw, m->id.raw_len, MB_JR_INTERNAL_ERROR,
			    "membrane: out of memory");
		return V_DROP;
	}
	if (strcmp(m->method, "tools/list") == 0 &&
	    !cJSON_GetObjectItemCaseSensitive(m->params, "cursor"))
		c->notes |= NOTE_FIRST_PAGE;
	return V_FORWARD;
}

static bool looks_like_response(const struct mb_jr_msg *m)
{
	return cJSON_IsObject(m->node) && !cJSON_GetObjectItemCaseSensitive(m->node, "method") &&
	       (cJSON_GetObjectItemCaseSensitive(m->node, "result") ||
		cJSON_GetObjectItemCaseSensitive(m->node, "error"));
}

static enum verdict client_msg(struct mb_inspector *ins, const char *text,
			       const struct mb_jr_msg *m)
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
		return client_request(ins, text, m);
	case MB_JR_NOTIFICATION:
		if (strcmp(m->method, "notifications/cancelled") == 0) {
			const cJSON *rid = cJSON_GetObjectItemCaseSensitive(m->params, "requestId");
			_cleanup_free_ char *key = mb_jr_id_key(rid);
			struct held **h = held_find(ins, key);
			if (h) {
				/* Never forwarded: the server never hears of it, and
				 * a cancelled request gets no response (MCP). */
				struct held *gone = *h;
				held_unlink(ins, h);
				held_free(gone);
				return V_DROP;
			}
			mb_inflight_cancel(ins->inflight, MB_DIR_CLIENT, rid,
					   mb_now_ns() + ins->cfg.cancel_grace_ms * 1000000u);
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
		mb_inflight_remove(ins->inflight, c);
		return V_FORWARD;
	}
	}
	return V_DROP;
}

/* ---- server -> client ---- */

static enum verdict server_result(struct mb_inspector *ins, const char *text,
				  const struct mb_jr_msg *m, struct mb_call *c,
				  struct mb_strbuf *out)
{
	enum verdict v = V_FORWARD;
	const cJSON *result = m->result;
	const char *method = c->method;
	if (strcmp(method, "tools/list") == 0) {
		if (mb_toolpin_list(ins->pin, c->notes & NOTE_FIRST_PAGE, text, m->span, result, out))
			v = V_REPLACE;
	} else if (strcmp(method, "initialize") == 0 || strcmp(method, "server/discover") == 0) {
		mb_toolpin_instructions(ins->pin, result);
	} else if (strcmp(method, "tools/call") == 0) {
		const cJSON *task = mb_json_get_object(result, "task");
		const char *tid = mb_json_get_string(task, "taskId");
		if (tid && !cJSON_GetObjectItemCaseSensitive(result, "content") &&
		    !is_terminal(mb_json_get_string(task, "status")) &&
		    mb_inflight_task_started(ins->inflight, c, tid) == 0)
			return v; /* the call's window stays open until its task ends */
	} else if (strcmp(method, "tasks/get") == 0 || strcmp(method, "tasks/cancel") == 0) {
		const char *tid = mb_json_get_string(result, "taskId");
		if (is_terminal(mb_json_get_string(result, "status")))
			mb_inflight_task_ended(ins->inflight, MB_DIR_CLIENT, tid ? tid : c->about_task);
	} else if (strcmp(method, "tasks/result") == 0) {
		mb_inflight_task_ended(ins->inflight, MB_DIR_CLIENT, c->about_task);
	}
	if (mb_streq(mb_json_get_string(result, "resultType"), "input_required"))
		mb_inflight_input_required(ins->inflight, c,
					   mb_json_get_string(result, "requestState"));
	mb_inflight_remove(ins->inflight, c);
	return v;
}

static enum verdict server_msg(struct mb_inspector *ins, const char *text,
			       const struct mb_jr_msg *m, struct mb_strbuf *out)
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
		if (mb_inflight_add(ins->inflight, MB_DIR_SERVER, m, mb_now_ns(), NULL) < 0) {
			reply_error(ins, MB_SIDE_SERVER, m->id.raw, m->id.raw_len,
				    MB_JR_INTERNAL_ERROR, "membrane: out of memory");
			return V_DROP;
		}
		return V_FORWARD;
	}
	case MB_JR_NOTIFICATION:
		if (strcmp(m->method, "notifications/cancelled") == 0) {
			const cJSON *rid = cJSON_GetObjectItemCaseSensitive(m->params, "requestId");
			mb_inflight_cancel(ins->inflight, MB_DIR_SERVER, rid,
					   mb_now_ns() + ins->cfg.cancel_grace_ms * 1000000u);
		} else if (strcmp(m->method, "notifications/tasks/status") == 0) {
			if (is_terminal(mb_json_get_string(m->params, "status")))
				mb_inflight_task_ended(ins->inflight, MB_DIR_CLIENT,
						       mb_json_get_string(m->params, "taskId"));
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
		if (m->kind == MB_JR_ERROR) {
			mb_inflight_remove(ins->inflight, c);
			return V_FORWARD;
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
		const struct mb_jr_msg *m = &jf.msgs[i];
		oc[i].v = from == MB_SIDE_CLIENT ? client_msg(ins, f->text, m)
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
	handle(ins, MB_SIDE_SERVER, f);
}

void mb_inspector_server_gone(struct mb_inspector *ins, const char *why)
{
	char msg[200];
	snprintf(msg, sizeof(msg), "membrane: the MCP server %s before answering", why);
	for (struct mb_call *c = mb_inflight_first(ins->inflight), *n; c; c = n) {
		n = mb_inflight_next(c);
		if (c->dir == MB_DIR_CLIENT && c->state == MB_CALL_PENDING)
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
