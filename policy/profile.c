/* SPDX-License-Identifier: Apache-2.0 */
/* Names of the model's enums, lookups, and freeing a profile. */
#include <string.h>

#include <cjson/cJSON.h>

#include "policy/profile.h"

static const char *const op_names[MB_OP_COUNT_] = {
	[MB_OP_READ] = "read",       [MB_OP_WRITE] = "write", [MB_OP_EXEC] = "exec",
	[MB_OP_CONNECT] = "connect", [MB_OP_BIND] = "bind",
};

const char *mb_op_name(enum mb_op op)
{
	if (op == MB_OP_RESOLVE)
		return "resolve";
	return (unsigned)op < MB_OP_COUNT_ ? op_names[op] : "?";
}

bool mb_env_name_ok(const char *s, size_t len)
{
	if (len == 0 || (s[0] >= '0' && s[0] <= '9'))
		return false;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	return true;
}

int mb_op_from_name(const char *name, enum mb_op *ret)
{
	for (unsigned i = 0; i < MB_OP_COUNT_; i++)
		if (strcmp(name, op_names[i]) == 0) {
			*ret = (enum mb_op)i;
			return 0;
		}
	return -EINVAL;
}

const char *mb_record_scope_name(enum mb_record_scope s)
{
	return s == MB_RECORD_ALL ? "all" : s == MB_RECORD_NONE ? "none" : "tools";
}

static const char *const budget_names[MB_BUDGET_COUNT_] = {
	[MB_BUDGET_CALLS_PER_MINUTE] = "calls_per_minute", [MB_BUDGET_IN_FLIGHT] = "in_flight",
	[MB_BUDGET_BYTES_RETURNED] = "bytes_returned",     [MB_BUDGET_CONNECTS] = "connects",
	[MB_BUDGET_FILES_WRITTEN] = "files_written",
};

const char *mb_budget_name(enum mb_budget_kind k)
{
	return (unsigned)k < MB_BUDGET_COUNT_ ? budget_names[k] : "?";
}

const struct mb_budget *mb_profile_tool_budget(const struct mb_profile *p, const char *tool)
{
	mb_vec_foreach(b, &p->tool_budgets)
		if (mb_streq(b->tool, tool))
			return &b->b;
	return NULL;
}

const char *mb_mode_name(enum mb_mode m)
{
	return m == MB_MODE_AUDIT ? "audit" : "enforce";
}

const char *mb_network_name(enum mb_network n)
{
	switch (n) {
	case MB_NET_NONE: return "none";
	case MB_NET_BROKERED: return "brokered";
	case MB_NET_HOST: return "host";
	}
	return "?";
}

static const struct mb_tool *find_tool(const struct mb_tool *v, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].name, name) == 0)
			return &v[i];
	return NULL;
}

const struct mb_tool *mb_profile_tool(const struct mb_profile *p, const char *name)
{
	return find_tool(p->tools.v, p->tools.n, name);
}

const struct mb_tool *mb_profile_request(const struct mb_profile *p, const char *method)
{
	return find_tool(p->requests.v, p->requests.n, method);
}

bool mb_profile_redacts(const struct mb_profile *p, const char *argname)
{
	for (size_t i = 0; i < p->redact.n; i++)
		if (strcmp(p->redact.v[i], argname) == 0)
			return true;
	return false;
}

static bool grants_names(const struct mb_grants *g)
{
	for (unsigned i = 0; i < 2; i++)
		mb_vec_foreach(ep, &g->net[i]) {
			if (ep->name)
				return true;
		}
	return false;
}

bool mb_profile_has_names(const struct mb_profile *p)
{
	if (grants_names(&p->runtime))
		return true;
	mb_vec_foreach(t, &p->tools) {
		if (grants_names(&t->grants))
			return true;
	}
	mb_vec_foreach(t, &p->requests) {
		if (grants_names(&t->grants))
			return true;
	}
	return false;
}

static void patterns_free(mb_pattern_vec *v)
{
	mb_vec_foreach(pp, v) {
		free(pp->text);
		mb_vec_foreach(o, &pp->ph) {
			free(o->name);
			free(o->dflt);
		}
		mb_vec_free(&pp->ph);
	}
	mb_vec_free(v);
}

void mb_grants_free(struct mb_grants *g)
{
	for (unsigned i = 0; i < MB_PATH_OPS; i++)
		patterns_free(&g->path[i]);
	patterns_free(&g->list);
	for (unsigned i = 0; i < 2; i++) {
		mb_vec_foreach(ep, &g->net[i]) {
			free(ep->text);
			free(ep->name);
		}
		mb_vec_free(&g->net[i]);
	}
}

static void tools_free(struct mb_tool *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		mb_grants_free(&v[i].grants);
	}
}

static void expects_free(mb_expect_vec *v)
{
	mb_vec_foreach(e, v) {
		free(e->text);
		free(e->path);
		mb_vec_foreach(ep, &e->addrs) free(ep->name);
		mb_vec_free(&e->addrs);
	}
	mb_vec_free(v);
}

static void tests_free(struct mb_profile *p)
{
	mb_vec_foreach(t, &p->tests) {
		free(t->name);
		cJSON_Delete(t->arguments);
		expects_free(&t->allow);
		expects_free(&t->deny);
	}
	mb_vec_free(&p->tests);
}

void mb_profile_free(struct mb_profile *p)
{
	if (!p)
		return;
	mb_vec_foreach(f, &p->files) free(*f);
	mb_vec_free(&p->files);
	free(p->name);
	free(p->description);
	mb_vec_foreach(v, &p->vars) {
		free(v->name);
		free(v->value);
	}
	mb_vec_free(&p->vars);
	mb_grants_free(&p->runtime);
	mb_grants_free(&p->quiet);
	mb_vec_foreach(e, &p->env) {
		free(e->name);
		free(e->value);
	}
	mb_vec_free(&p->env);
	patterns_free(&p->tmpfs);
	patterns_free(&p->within);
	mb_vec_foreach(n, &p->private_names) free(n->name);
	mb_vec_free(&p->private_names);
	tools_free(p->tools.v, p->tools.n);
	mb_vec_free(&p->tools);
	tools_free(p->requests.v, p->requests.n);
	mb_vec_free(&p->requests);
	mb_vec_foreach(r, &p->redact) free(*r);
	mb_vec_free(&p->redact);
	mb_vec_foreach(e, &p->scan.env) free(*e);
	mb_vec_free(&p->scan.env);
	mb_vec_foreach(b, &p->tool_budgets) free(b->tool);
	mb_vec_free(&p->tool_budgets);
	free(p->anomaly.baseline);
	mb_vec_foreach(d, &p->decoys) free(d->path);
	mb_vec_free(&p->decoys);
	tests_free(p);
	free(p);
}
