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
 * The canary, seen leaving: every frame the server writes to the client
 * (results, errors, notifications, its own requests) is searched for the
 * tokens (canary.h), and a hit is an "exfiltration" line naming the decoy
 * and, for an answer, the request. What leaves through a brokered socket
 * is not seen: the broker hands the server its connected socket, and
 * the bytes never pass the supervisor (docs/design.md, THE RECORD). */
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

void rec_decoy_tap(struct mb_record *r, const struct mb_frame *f)
{
	if (f->kind == MB_FRAME_OVERSIZED || !f->text)
		return;
	const struct mb_decoy *d = mb_canary_find(r->cfg.plan, f->text, f->len);
	if (!d || r->exfil_lines >= REC_EXFIL_LINES_MAX)
		return;
	r->exfil_lines++;
	cJSON *o = cJSON_CreateObject();
	if (o) {
		cJSON_AddStringToObject(o, "decoy", d->path);
		describe_frame(r, f, o);
		cJSON_AddNumberToObject(o, "bytes", (double)f->len);
		cJSON_AddStringToObject(o, "reason",
					"the canary of a decoy is in what the server sent the client");
	}
	(void)rec_emit(r, "exfiltration", o);
}
