/* SPDX-License-Identifier: Apache-2.0 */
/* Decoys, watched (policy/decoy.h plants them): any watched operation on a
 * decoy is a "decoy" line, whatever the grants, decided here before the
 * correlator sees it: denied (EACCES), or let through when the profile
 * says on_touch: allow (or in audit mode) so that its canary may be
 * followed, or denied and the server stopped with on_touch: stop. A read
 * let through goes on to be counted as the call's; anything else let
 * through is still the correlator's to decide.
 * What is seen: opens, execs, renames, unlinks, links of the file itself
 * (sandbox/watch.c's table); a stat or a directory listing is not watched.
 *
 * The canary, seen leaving: membrane-run gives each decoy's token to the
 * answer scanner (supervisor/inspect/scan.h, kind canary, labelled with the
 * decoy's path), which finds it in the answers it scans (tool results,
 * resources, prompts) and applies scan.answers: report, redact or refuse.
 * Every frame the server writes to the client (results, errors,
 * notifications, its own requests) is also searched here for the tokens
 * (canary.h), so that what the scanner does not see is covered too; a hit
 * is an "exfiltration" line naming the decoy and, for an answer, the
 * request, written once the inspector is done with the frame and only if
 * the scanner wrote none for it: one line per frame (the inspector's
 * server_done hook says which). What leaves through a brokered socket is
 * not seen: the broker hands the server its connected socket, and the
 * bytes never pass the supervisor (docs/design.md, THE RECORD). */
#include <string.h>

#include "supervisor/record/canary.h"
#include "supervisor/record/record-internal.h"

static const struct mb_decoy *decoy_of(const struct mb_record *r, const char *path)
{
	mb_vec_foreach(d, &r->cfg.plan->decoys)
		if (strcmp(d->path, path) == 0)
			return d;
	return NULL;
}

static enum mb_decoy_touch action(const struct mb_record *r)
{
	enum mb_decoy_touch a = r->cfg.profile->decoy_touch;
	if (!rec_enforcing(r))
		return MB_DECOY_ALLOW; /* audit mode reports, and lets be */
	return a == MB_DECOY_BY_MODE ? MB_DECOY_DENY : a;
}

static const char *action_name(enum mb_decoy_touch a)
{
	return a == MB_DECOY_STOP ? "stop" : a == MB_DECOY_ALLOW ? "allow" : "deny";
}

static cJSON *requests_in_flight(struct mb_record *r)
{
	cJSON *a = cJSON_CreateArray();
	for (struct mb_call *c = r->inflight ? mb_inflight_first(r->inflight) : NULL; a && c;
	     c = mb_inflight_next(c)) {
		if (c->dir != MB_DIR_CLIENT || !mb_call_window_open(c))
			continue;
		cJSON *q = rec_request_json(r, c);
		if (q)
			cJSON_AddItemToArray(a, q);
	}
	return a;
}

bool rec_decoy_touch(struct mb_record *r, const struct mb_notified_op *op, struct mb_answer *ret)
{
	const struct mb_decoy *d = NULL;
	const struct mb_notified_target *t = NULL;
	for (unsigned i = 0; i < op->n && !d; i++)
		if (op->t[i].kind == MB_TARGET_PATH && (d = decoy_of(r, op->t[i].path)))
			t = &op->t[i];
	if (!d)
		return false;
	enum mb_decoy_touch a = action(r);
	bool read_only = !(t->ops & ~(1u << MB_OP_READ));
	bool allowed = a == MB_DECOY_ALLOW;
	/* The strongest of what it does: an exec, a write, or a read. */
	const char *opname = t->ops & (1u << MB_OP_EXEC)    ? "exec"
			     : t->ops & (1u << MB_OP_WRITE) ? "write"
							    : "read";
	char exe[4096] = "";
	(void)mb_notifier_exe(op->pid, exe, sizeof(exe));
	cJSON *o = cJSON_CreateObject();
	if (o) {
		cJSON_AddNumberToObject(o, "pid", op->pid);
		cJSON_AddStringToObject(o, "exe", exe);
		cJSON_AddStringToObject(o, "op", opname);
		cJSON_AddStringToObject(o, "syscall", op->sc->name);
		cJSON_AddStringToObject(o, "target", d->path);
		cJSON_AddStringToObject(o, "decision", allowed ? "allowed" : "denied");
		cJSON_AddStringToObject(o, "action", action_name(a));
		cJSON_AddStringToObject(o, "reason",
					a == MB_DECOY_STOP ? "a decoy was touched: the server is stopped "
							     "(decoys: on_touch: stop)"
					: allowed	   ? "a decoy was touched: let be, its canary "
							     "is watched for"
							   : "a decoy was touched");
		cJSON *reqs = requests_in_flight(r);
		if (reqs)
			cJSON_AddItemToObject(o, "requests", reqs);
	}
	if (rec_emit(r, "decoy", o) < 0) {
		*ret = (struct mb_answer){ MB_VERDICT_DENY, 0 }; /* fail closed */
		return true;
	}
	if (a == MB_DECOY_STOP) {
		cJSON *who = cJSON_CreateObject();
		if (who) {
			cJSON_AddStringToObject(who, "via", "decoy");
			cJSON_AddStringToObject(who, "target", d->path);
			cJSON_AddNumberToObject(who, "pid", op->pid);
		}
		rec_kill(r, who, "a decoy was touched (decoys: on_touch: stop)");
	}
	if (allowed && !read_only)
		return false; /* the correlator decides a write or an exec */
	*ret = (struct mb_answer){ allowed ? MB_VERDICT_ALLOW : MB_VERDICT_DENY, 0 };
	return true;
}

/* What kind of message a frame is, and the request it answers. */
static void describe_frame(struct mb_record *r, const struct mb_frame *f, cJSON *o)
{
	cJSON *m = cJSON_ParseWithLength(f->text, f->len);
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(m, "id");
	const char *method = mb_json_get_string(m, "method");
	const char *where = !m				    ? "unparsed"
			    : method && id		    ? "request"
			    : method			    ? "notification"
			    : cJSON_GetObjectItemCaseSensitive(m, "error") ? "error"
									   : "result";
	cJSON_AddStringToObject(o, "where", where);
	if (method)
		cJSON_AddStringToObject(o, "method", method);
	if (!method && id && r->inflight) {
		char *key = mb_jr_id_key(id);
		struct mb_call *c = key ? mb_inflight_find(r->inflight, MB_DIR_CLIENT, key) : NULL;
		cJSON *q = c ? rec_request_json(r, c) : NULL;
		if (q)
			cJSON_AddItemToObject(o, "request", q);
		free(key);
	}
	cJSON_Delete(m);
}

static void emit_pending(struct mb_record *r)
{
	cJSON *o = r->exfil_pending;
	r->exfil_pending = NULL;
	r->exfil_frame = NULL;
	if (!o)
		return;
	if (r->exfil_lines >= REC_EXFIL_LINES_MAX) {
		cJSON_Delete(o);
		return;
	}
	r->exfil_lines++;
	(void)rec_emit(r, "exfiltration", o);
}

/* Before the inspector: the line is made now, while the request a result
 * answers is still in flight, and held until rec_decoy_tap_done. */
void rec_decoy_tap(struct mb_record *r, const struct mb_frame *f)
{
	emit_pending(r); /* a frame the inspector never reported done */
	if (f->kind == MB_FRAME_OVERSIZED || !f->text)
		return;
	const struct mb_decoy *d = mb_canary_find(r->cfg.plan, f->text, f->len);
	if (!d || r->exfil_lines >= REC_EXFIL_LINES_MAX)
		return;
	cJSON *o = cJSON_CreateObject();
	if (!o) {
		/* Still a line, if a bare one: the leak is not dropped. */
		r->exfil_lines++;
		(void)rec_emit(r, "exfiltration", NULL);
		return;
	}
	cJSON_AddStringToObject(o, "decoy", d->path);
	describe_frame(r, f, o);
	cJSON_AddNumberToObject(o, "bytes", (double)f->len);
	cJSON_AddStringToObject(o, "reason",
				"the canary of a decoy is in what the server sent the client");
	r->exfil_pending = o;
	r->exfil_frame = f;
}

/* After the inspector: the scanner's line (scanned) stands for the frame;
 * otherwise the record's is written. */
void rec_decoy_tap_done(struct mb_record *r, const struct mb_frame *f, bool scanned)
{
	if (!r->exfil_pending || r->exfil_frame != f)
		return;
	if (scanned) {
		cJSON_Delete(r->exfil_pending);
		r->exfil_pending = NULL;
		r->exfil_frame = NULL;
		return;
	}
	emit_pending(r);
}

void rec_decoy_flush(struct mb_record *r)
{
	emit_pending(r);
}
