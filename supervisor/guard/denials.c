/* SPDX-License-Identifier: Apache-2.0 */
/* The guard's side of denials: see denials.h. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"
#include "policy/match.h"
#include "supervisor/guard/denials.h"

struct mb_denial_log {
	const struct mb_profile *p;
	FILE *err;
	const struct mb_inflight *inflight;
	uint64_t quiet;
	unsigned said;
};

int mb_denials_new(const struct mb_profile *p, FILE *err, struct mb_denial_log **ret)
{
	struct mb_denial_log *d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->p = p;
	d->err = err;
	*ret = d;
	return 0;
}

void mb_denials_free(struct mb_denial_log *d)
{
	free(d);
}

void mb_denials_attach(struct mb_denial_log *d, const struct mb_inflight *inflight)
{
	d->inflight = inflight;
}

uint64_t mb_denials_quiet(const struct mb_denial_log *d)
{
	return d->quiet;
}

static const char *str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* "1.2.3.4:80" or "[::1]:80" as an address. */
static bool parse_addr(const char *t, struct mb_addr *a)
{
	char host[64];
	const char *colon = strrchr(t, ':');
	if (!colon || (size_t)(colon - t) >= sizeof(host))
		return false;
	const char *h = t;
	size_t hl = (size_t)(colon - t);
	if (h[0] == '[' && hl >= 2 && h[hl - 1] == ']') {
		h++;
		hl -= 2;
	}
	memcpy(host, h, hl);
	host[hl] = '\0';
	long port = strtol(colon + 1, NULL, 10);
	uint8_t ip[16];
	if (port < 0 || port > 65535)
		return false;
	if (inet_pton(AF_INET, host, ip) == 1)
		mb_addr_set_v4(a, ip, (uint16_t)port);
	else if (inet_pton(AF_INET6, host, ip) == 1)
		mb_addr_set_v6(a, ip, (uint16_t)port);
	else
		return false;
	return true;
}

static bool quiet(const struct mb_denial_log *d, const char *op, const char *target)
{
	enum mb_op o;
	if (!d->p->quiet_pos.line || !op || !target)
		return false;
	/* A DNS question refused: quiet when a quiet connect names the name
	 * (any port): what a server looks up and does without. */
	if (strcmp(op, mb_op_name(MB_OP_RESOLVE)) == 0) {
		mb_vec_foreach(ep, &d->p->quiet.net[MB_NET_OP_INDEX(MB_OP_CONNECT)]) {
			if (ep->name && mb_endpoint_match_name(ep, target, 0, 0))
				return true;
		}
		return false;
	}
	if (mb_op_from_name(op, &o) < 0)
		return false;
	if (o < MB_PATH_OPS) {
		mb_vec_foreach(pp, &d->p->quiet.path[o]) {
			if (mb_path_match(pp->text, target))
				return true;
		}
		/* A quiet write covers the read half of a read-write open, as a
		 * write grant does. */
		if (o == MB_OP_READ)
			mb_vec_foreach(pp, &d->p->quiet.path[MB_OP_WRITE]) {
				if (mb_path_match(pp->text, target))
					return true;
			}
		return false;
	}
	struct mb_addr a;
	if (o > MB_OP_BIND || !parse_addr(target, &a))
		return false;
	mb_vec_foreach(ep, &d->p->quiet.net[MB_NET_OP_INDEX(o)]) {
		if (mb_endpoint_match(ep, &a))
			return true;
	}
	return false;
}

char *mb_denials_grant_hint(const cJSON *requests, const char *op, const char *target)
{
	const cJSON *r = cJSON_IsArray(requests) ? requests->child : NULL;
	const char *tool = r ? str(r, "tool") : NULL, *method = r ? str(r, "method") : NULL;
	struct mb_strbuf b = { 0 };
	if (tool)
		mb_strbuf_printf(&b, "tools.%s.%s: [", tool, op);
	else if (method)
		mb_strbuf_printf(&b, "requests.%s.%s: [", method, op);
	else
		mb_strbuf_printf(&b, "runtime.%s: [", op);
	mb_strbuf_json_string(&b, target, strlen(target));
	mb_strbuf_putc(&b, ']');
	if (r && r->next)
		mb_strbuf_puts(&b, " (or another request in flight)");
	if (mb_strbuf_failed(&b)) {
		mb_strbuf_free(&b);
		return NULL;
	}
	return mb_strbuf_take(&b);
}

/* "NAME:PORT" for a connect to an address answered for NAME: target's
 * port (after its last ':'), or "PORT" when a question carried none. */
static char *name_port(const char *name, const char *target)
{
	const char *colon = target ? strrchr(target, ':') : NULL;
	struct mb_strbuf b = { 0 };
	mb_strbuf_printf(&b, "%s:%s", name, colon ? colon + 1 : "PORT");
	if (mb_strbuf_failed(&b)) {
		mb_strbuf_free(&b);
		return NULL;
	}
	return mb_strbuf_take(&b);
}

char *mb_denials_hint(const cJSON *fields, bool *none)
{
	const char *op = str(fields, "op"), *target = str(fields, "target");
	const char *name = str(fields, "name"), *reason = str(fields, "reason");
	const cJSON *requests = cJSON_GetObjectItemCaseSensitive(fields, "requests");
	*none = false;
	if (!op || !target) {
		*none = true;
		return NULL;
	}
	if (strcmp(op, "resolve") == 0) {
		/* A question names a name, never a port; only two refusals are
		 * the profile's to lift: a name no grant in force names (grant
		 * it, with the port its connects use), and an answer in private
		 * space (private_names). A type, a malformed message or a
		 * metadata answer no grant allows. */
		if (reason && strstr(reason, "refused as DNS rebinding")) {
			struct mb_strbuf b = { 0 };
			mb_strbuf_puts(&b, "private_names: [");
			mb_strbuf_json_string(&b, target, strlen(target));
			mb_strbuf_putc(&b, ']');
			if (mb_strbuf_failed(&b)) {
				mb_strbuf_free(&b);
				return NULL;
			}
			return mb_strbuf_take(&b);
		}
		if (!reason || strncmp(reason, "not granted", 11) != 0) {
			*none = true;
			return NULL;
		}
		char *np = name_port(target, NULL);
		char *h = np ? mb_denials_grant_hint(requests, "connect", np) : NULL;
		free(np);
		return h;
	}
	if (name && strcmp(op, "connect") == 0 && reason && strstr(reason, "answer ran out")) {
		*none = true; /* granted, looked up too long ago: no grant to add */
		return NULL;
	}
	if (name && strcmp(op, "connect") == 0) {
		/* An address answered for a name: the name is what to grant
		 * (the address is the resolver's answer of the moment). */
		char *np = name_port(name, target);
		char *h = np ? mb_denials_grant_hint(requests, op, np) : NULL;
		free(np);
		return h;
	}
	return mb_denials_grant_hint(requests, op, target);
}

/* The item a call's result carries. */
static cJSON *item(const char *op, const char *target, const char *reason, const char *hint)
{
	cJSON *o = cJSON_CreateObject();
	if (!o || !cJSON_AddStringToObject(o, "op", op) ||
	    !cJSON_AddStringToObject(o, "target", target) ||
	    !cJSON_AddStringToObject(o, "reason", reason ? reason : "not granted") ||
	    (hint && !cJSON_AddStringToObject(o, "grant", hint))) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* Each client request in flight keeps it (the correlator named them all). */
static void keep(struct mb_denial_log *d, const char *op, const char *target, const char *reason,
		 const char *hint)
{
	for (struct mb_call *c = d->inflight ? mb_inflight_first(d->inflight) : NULL; c;
	     c = mb_inflight_next(c)) {
		if (c->dir != MB_DIR_CLIENT || !mb_call_window_open(c))
			continue;
		if (!c->denials && !(c->denials = cJSON_CreateArray()))
			return;
		if (cJSON_GetArraySize(c->denials) >= MB_DENIALS_PER_CALL)
			continue;
		cJSON *it = item(op, target, reason, hint);
		if (it && !cJSON_AddItemToArray(c->denials, it))
			cJSON_Delete(it);
	}
}

/* One line a person reads: what, to whom, and the fix. */
static void say(struct mb_denial_log *d, const cJSON *fields, const char *op, const char *target,
		const char *hint, bool none)
{
	if (!d->err || d->said > MB_DENIALS_STDERR)
		return;
	if (d->said++ == MB_DENIALS_STDERR) {
		fprintf(d->err, "membrane-run: more operations were denied: see the report\n");
		return;
	}
	const cJSON *reqs = cJSON_GetObjectItemCaseSensitive(fields, "requests");
	const cJSON *r = cJSON_IsArray(reqs) ? reqs->child : NULL;
	const char *who = r ? (str(r, "tool") ? str(r, "tool") : str(r, "method")) : NULL;
	const char *name = str(fields, "name");
	fprintf(d->err, "membrane-run: denied %s %s%s%s%s %s%s%s; %s%s\n", op, target,
		name ? " (" : "", name ? name : "", name ? ")" : "",
		who ? "during " : "while idle", who ? who : "",
		who && r->next ? " (and other requests in flight)" : "",
		hint ? "to allow it: " : none ? "no grant allows it: " : "to allow it: ",
		hint ? hint : none && str(fields, "reason") ? str(fields, "reason")
							   : "grant it in the profile");
}

bool mb_denials_seen(struct mb_denial_log *d, const char *event, const cJSON *fields)
{
	if (strcmp(event, "violation") != 0)
		return false;
	const char *op = str(fields, "op"), *target = str(fields, "target");
	if (quiet(d, op, target)) {
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(fields, "count");
		d->quiet += cJSON_IsNumber(n) ? (uint64_t)n->valuedouble : 1;
		return true;
	}
	const char *decision = str(fields, "decision");
	/* A count line repeats one already said. */
	if (!op || !target || !decision || strcmp(decision, "denied") != 0 ||
	    cJSON_GetObjectItemCaseSensitive(fields, "count"))
		return false;
	bool none;
	char *hint = mb_denials_hint(fields, &none);
	keep(d, op, target, str(fields, "reason"), hint);
	say(d, fields, op, target, hint, none);
	free(hint);
	return false;
}
