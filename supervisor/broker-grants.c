/* The broker's hooks until the correlator answers them: broker-grants.h. */
#include <stdio.h>
#include <string.h>

#include "common/strbuf.h"
#include "supervisor/broker-grants.h"
#include "supervisor/reqdesc.h"

static bool scope_grants(const struct mb_grants *g, enum mb_op o, const struct mb_addr *a)
{
	mb_vec_foreach(ep, &g->net[MB_NET_OP_INDEX(o)]) {
		if (mb_endpoint_match(ep, a))
			return true;
	}
	return false;
}

/* The profile's scope for a request in flight, or NULL. The server's own
 * requests to the client grant nothing. */
static const struct mb_grants *call_scope(const struct mb_profile *p, const struct mb_call *c)
{
	if (c->dir != MB_DIR_CLIENT)
		return NULL;
	const struct mb_tool *t = c->tool ? mb_profile_tool(p, c->tool)
				  : c->method ? mb_profile_request(p, c->method)
					      : NULL;
	return t ? &t->grants : NULL;
}

enum mb_net_grant mb_broker_grants_granted(void *ud, const struct mb_notified_op *op, enum mb_op o,
					   const struct mb_addr *a)
{
	(void)op;
	const struct mb_broker_grants *bg = ud;
	const struct mb_profile *p = bg->profile;
	if (scope_grants(&p->runtime, o, a))
		return MB_NET_GRANTED;
	for (const struct mb_call *c = bg->inflight ? mb_inflight_first(bg->inflight) : NULL; c;
	     c = mb_inflight_next(c)) {
		const struct mb_grants *g = call_scope(p, c);
		if (g && scope_grants(g, o, a))
			return MB_NET_GRANTED;
	}
	for (size_t i = 0; i < p->tools.n; i++)
		if (scope_grants(&p->tools.v[i].grants, o, a))
			return MB_NET_GRANTED_STATIC;
	for (size_t i = 0; i < p->requests.n; i++)
		if (scope_grants(&p->requests.v[i].grants, o, a))
			return MB_NET_GRANTED_STATIC;
	return MB_NET_NOT_GRANTED;
}

/* "not granted to query", "... at runtime (idle)", "... to any request in
 * flight (a, b)", followed by the rest of the broker's reason. */
static void reason_text(const struct mb_broker_grants *bg, const char *why, struct mb_strbuf *b)
{
	static const char head[] = "not granted";
	if (strncmp(why, head, sizeof(head) - 1) != 0) {
		mb_strbuf_puts(b, why);
		return;
	}
	size_t n = 0;
	const struct mb_call *first = NULL;
	for (const struct mb_call *c = bg->inflight ? mb_inflight_first(bg->inflight) : NULL; c;
	     c = mb_inflight_next(c))
		if (c->dir == MB_DIR_CLIENT && n++ == 0)
			first = c;
	if (n == 0) {
		mb_strbuf_puts(b, "not granted at runtime (idle)");
	} else if (n == 1) {
		mb_strbuf_printf(b, "not granted to %s", first->tool ? first->tool : first->method);
	} else {
		mb_strbuf_puts(b, "not granted to any request in flight (");
		const char *sep = "";
		for (const struct mb_call *c = first; c; c = mb_inflight_next(c)) {
			if (c->dir != MB_DIR_CLIENT)
				continue;
			mb_strbuf_printf(b, "%s%s", sep, c->tool ? c->tool : c->method);
			sep = ", ";
		}
		mb_strbuf_putc(b, ')');
	}
	mb_strbuf_puts(b, why + sizeof(head) - 1);
}

int mb_broker_grants_report(void *ud, const struct mb_notified_op *op, enum mb_op o,
			    const struct mb_addr *a, const struct mb_net_outcome *out)
{
	struct mb_broker_grants *bg = ud;
	const struct mb_profile *p = bg->profile;
	char target[64];
	mb_addr_format(a, target, sizeof(target));
	struct mb_strbuf reason = { 0 };
	reason_text(bg, out->reason ? out->reason : "not granted", &reason);
	cJSON *f = cJSON_CreateObject();
	bool good = f && !mb_strbuf_failed(&reason) &&
		    cJSON_AddNumberToObject(f, "pid", op->pid) &&
		    cJSON_AddStringToObject(f, "exe",
					    mb_notifier_exe(op->pid, bg->exe, sizeof(bg->exe)) == 0
						    ? bg->exe : "") &&
		    cJSON_AddStringToObject(f, "op", mb_op_name(o)) &&
		    cJSON_AddStringToObject(f, "syscall", op->sc->name) &&
		    cJSON_AddStringToObject(f, "target", target) &&
		    cJSON_AddStringToObject(f, "decision", out->allowed ? "allowed" : "denied") &&
		    cJSON_AddStringToObject(f, "reason", reason.s);
	mb_strbuf_free(&reason);
	cJSON *reqs = good ? cJSON_AddArrayToObject(f, "requests") : NULL;
	for (const struct mb_call *c = bg->inflight ? mb_inflight_first(bg->inflight) : NULL;
	     reqs && c; c = mb_inflight_next(c)) {
		if (c->dir != MB_DIR_CLIENT)
			continue;
		cJSON *r = mb_report_request(p, c->id_raw, c->method, c->tool, c->arguments);
		if (!r || !cJSON_AddItemToArray(reqs, r)) {
			cJSON_Delete(r);
			reqs = NULL;
		}
	}
	int r = reqs ? bg->report(bg->report_ud, "violation", f) : -ENOMEM;
	cJSON_Delete(f);
	return r;
}
