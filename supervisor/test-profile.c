/* SPDX-License-Identifier: Apache-2.0 */
/* The self-tests of a profile, decided by the code a run decides with: the
 * inspector's call checks (supervisor/inspect/request-check.c: undeclared tools,
 * arguments outside arguments.within, resources/read URIs) and the dynamic
 * layer's rule (policy/decide.h) over runtime and the call's grants filled
 * from its arguments (policy/call-grants.h). A call the inspector refuses
 * does nothing at all: each of its allow expectations fails, each deny
 * passes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <cjson/cJSON.h>

#include "common/strbuf.h"
#include "policy/call-grants.h"
#include "policy/decide.h"
#include "policy/match.h"
#include "supervisor/inspect/request-check.h"
#include "supervisor/test-profile.h"

struct run {
	const struct mb_profile *p;
	const char *cwd;
	FILE *out;
	struct mb_callgrants runtime;
	unsigned n, failed;
};

/* What the inspector would say of the test's request: NULL (forwarded) or a
 * malloc'd reason. */
static char *refusal(const struct run *R, const struct mb_test *t, int *err)
{
	*err = 0;
	if (t->kind == MB_TEST_IDLE)
		return NULL;
	if (t->kind == MB_TEST_REQUEST)
		return strcmp(t->name, "resources/read") == 0
			       ? mb_check_resource_read(R->p, R->cwd, t->arguments)
			       : NULL;
	/* The params of the tools/call a client would send. */
	cJSON *params = cJSON_CreateObject();
	bool ok = params && cJSON_AddStringToObject(params, "name", t->name);
	if (ok && t->arguments) {
		cJSON *args = cJSON_Duplicate(t->arguments, true);
		ok = args && cJSON_AddItemToObject(params, "arguments", args);
		if (!ok)
			cJSON_Delete(args);
	}
	if (!ok) {
		cJSON_Delete(params);
		*err = -ENOMEM;
		return NULL;
	}
	char *reason = mb_check_tool_call(R->p, NULL, R->cwd, params);
	cJSON_Delete(params);
	return reason;
}

static const char *scope_name(const struct mb_test *t, char *buf, size_t sz)
{
	switch (t->kind) {
	case MB_TEST_TOOL: snprintf(buf, sz, "%s", t->name); break;
	case MB_TEST_REQUEST: snprintf(buf, sz, "request %s", t->name); break;
	case MB_TEST_IDLE: snprintf(buf, sz, "idle"); break;
	}
	return buf;
}

/* How many of the expectation's targets are allowed (one: a path, an
 * address, or a name, decided by the name grants without resolving it),
 * and of how many; d tells of the first allowed one. An allow passes when
 * all are, a deny when none is. */
static unsigned decide(const struct run *R, const struct mb_callgrants *call,
		       const struct mb_expect *e, struct mb_decision *d, unsigned *total)
{
	if (e->op < MB_PATH_OPS) {
		*total = 1;
		return mb_decide_path(&R->runtime, call, R->p, e->op, e->access, e->path, d) ? 1 : 0;
	}
	unsigned allowed = 0;
	*total = (unsigned)e->addrs.n;
	mb_vec_foreach(ep, &e->addrs) {
		struct mb_addr a;
		struct mb_decision one;
		if (ep->name) {
			if (mb_decide_name(&R->runtime, call, e->op, ep->name, ep->port_lo, ep->protos,
					   &one) && allowed++ == 0)
				*d = one;
			continue;
		}
		if (ep->family == AF_INET)
			mb_addr_set_v4(&a, ep->addr, ep->port_lo);
		else
			mb_addr_set_v6(&a, ep->addr, ep->port_lo);
		a.proto = ep->protos; /* none written: both must be granted */
		if (mb_decide_addr(&R->runtime, call, e->op, &a, &one) && allowed++ == 0)
			*d = one;
	}
	return allowed;
}

/* Why a deny expectation failed: the grant that let it through. */
static void explain_allowed(const struct run *R, const struct mb_test *t,
			    const struct mb_decision *d)
{
	char scope[160];
	const struct mb_srcpos *pos = d->pattern ? &d->pattern->src->pos : &d->endpoint->pos;
	const char *text = d->pattern ? d->pattern->src->text : d->endpoint->text;
	fprintf(R->out, "#   allowed by %s's %s grant '%s' (%s:%u:%u)",
		d->by_runtime ? "runtime" : scope_name(t, scope, sizeof(scope)), mb_op_name(d->op),
		text, pos->file, pos->line, pos->column);
	if (d->pattern && strcmp(d->pattern->text, text) != 0)
		fprintf(R->out, ", filled in as '%s'", d->pattern->text);
	if (d->rule != MB_RULE_GRANT)
		fprintf(R->out, ", as the %s", mb_decision_rule_name(d->rule));
	fputc('\n', R->out);
}

static void one(struct run *R, const struct mb_test *t, const struct mb_callgrants *call,
		const char *refused, const struct mb_expect *e, bool want)
{
	struct mb_decision d = { 0 };
	unsigned total = 0, allowed = 0;
	if (!refused)
		allowed = decide(R, call, e, &d, &total);
	bool pass = want ? total > 0 && allowed == total : allowed == 0;
	char scope[160];
	R->n++;
	if (!pass)
		R->failed++;
	fprintf(R->out, "%s %u - %s:%u:%u: %s (test at line %u): %s %s\n", pass ? "ok" : "not ok",
		R->n, e->pos.file, e->pos.line, e->pos.column, scope_name(t, scope, sizeof(scope)),
		t->pos.line, want ? "allow" : "deny", e->text);
	if (pass)
		return;
	if (refused)
		fprintf(R->out, "#   membrane refuses the call before the server sees it: %s\n", refused);
	else if (want) {
		const char *in_force = t->kind == MB_TEST_IDLE
					       ? "runtime alone, while idle"
					       : "runtime, and the call's grants filled from its arguments";
		fprintf(R->out, "#   no grant in force allows it (%s)\n", in_force);
	}
	else
		explain_allowed(R, t, &d);
}

static int one_test(struct run *R, const struct mb_test *t)
{
	int err;
	_cleanup_free_ char *refused = refusal(R, t, &err);
	if (err < 0)
		return err;
	struct mb_callgrants call = { 0 };
	const struct mb_tool *decl = t->kind == MB_TEST_TOOL	? mb_profile_tool(R->p, t->name)
				     : t->kind == MB_TEST_REQUEST ? mb_profile_request(R->p, t->name)
								  : NULL;
	if (decl && !refused) {
		int r = mb_callgrants_build(&decl->grants, t->arguments, R->cwd, &call);
		if (r < 0)
			return r;
	}
	mb_vec_foreach(e, &t->allow) one(R, t, decl ? &call : NULL, refused, e, true);
	mb_vec_foreach(e, &t->deny) one(R, t, decl ? &call : NULL, refused, e, false);
	mb_callgrants_free(&call);
	return 0;
}

int mb_selftest(const struct mb_profile *p, const char *cwd, FILE *out)
{
	struct run R = { .p = p, .cwd = cwd, .out = out };
	unsigned total = 0;
	mb_vec_foreach(t, &p->tests) total += (unsigned)(t->allow.n + t->deny.n);
	if (total == 0) {
		/* Nothing checked is not a pass. */
		fprintf(out, "1..0\n# %s has no tests: nothing was checked (add tests: [{ tool: NAME, allow: [...], deny: [...] }])\n",
			p->files.n ? p->files.v[0] : "the profile");
		return 1;
	}
	fprintf(out, "1..%u\n", total);
	int r = mb_callgrants_build(&p->runtime, NULL, cwd, &R.runtime);
	if (r < 0)
		return r;
	mb_vec_foreach(t, &p->tests) {
		if ((r = one_test(&R, t)) < 0)
			break;
	}
	mb_callgrants_free(&R.runtime);
	if (r < 0)
		return r;
	fflush(out);
	return (int)R.failed;
}
