/* SPDX-License-Identifier: Apache-2.0 */
/* The learner's view of the session: every frame the relay taps (requests
 * counted per tool and method, what the server declares) and what the
 * server was configured with (command line, environment, variables). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "policy/match.h"
#include "policy/resolve.h"
#include "supervisor/inspect/jsonrpc.h"
#include "supervisor/learn/learn-internal.h"
#include "supervisor/notify/notify-ident.h"

#define MAX_DATA 1024
#define MAX_DECLARED 1024
#define MAX_METHODS 256
#define MAX_PENDING 256
#define MAX_VALUES 64

/* ---- the session's messages --------------------------------------------- */

static void note_method(struct mb_learner *l, const char *m)
{
	mb_vec_foreach(x, &l->methods) {
		if (strcmp(*x, m) == 0)
			return;
	}
	if (l->methods.n >= MAX_METHODS) {
		l->methods_over++;
		return;
	}
	char *d = strdup(m);
	if (!d || mb_vec_push(&l->methods, d) < 0)
		free(d);
}

/* The data a tool call names: values of its string arguments that name an
 * existing path (or a new one in an existing directory). */
static void note_data(struct mb_learner *l, const char *tool, const cJSON *args)
{
	if (!cJSON_IsObject(args))
		return;
	char *example = NULL;
	for (const cJSON *m = args->child; m; m = m->next) {
		const cJSON *vals[LEARN_MAX_ARRAY_VALUES];
		size_t nv = 0;
		if (cJSON_IsString(m))
			vals[nv++] = m;
		else if (cJSON_IsArray(m))
			for (const cJSON *e = m->child; e && nv < LEARN_MAX_ARRAY_VALUES; e = e->next)
				if (cJSON_IsString(e))
					vals[nv++] = e;
		for (size_t i = 0; i < nv; i++) {
			char *abs = NULL, *canon = NULL;
			bool exists = false;
			if (!mb_learn_value_paths(vals[i]->valuestring, l->cfg.plan->cwd, &abs, &canon, &exists,
					 NULL))
				continue;
			free(abs);
			bool keep = mb_path_components(canon) >= 2;
			if (keep && !exists) {
				char parent[PATH_MAX];
				snprintf(parent, sizeof(parent), "%s", canon);
				char *slash = strrchr(parent, '/');
				if (slash)
					*slash = '\0';
				struct stat st;
				keep = mb_path_components(parent) >= 2 && stat(parent, &st) == 0 &&
				       S_ISDIR(st.st_mode);
			}
			mb_vec_foreach(d, &l->data) keep &= strcmp(d->canon, canon) != 0;
			if (keep && l->data.n >= MAX_DATA) {
				l->data_over++;
				keep = false;
			}
			if (keep && !example)
				example = mb_learn_evidence(l, args);
			struct learn_data_path d = { .canon = canon, .seq = l->stats.tool_calls,
						     .tool = keep ? strdup(tool) : NULL,
						     .example = keep && example ? strdup(example)
										: NULL };
			if (!keep || !d.tool || mb_vec_push(&l->data, d) < 0) {
				free(d.canon);
				free(d.tool);
				free(d.example);
			}
		}
	}
	free(example);
}

/* Each string argument that names a path: the last value of its name. */
static void note_values(struct mb_learner *l, const cJSON *args)
{
	if (!cJSON_IsObject(args))
		return;
	for (const cJSON *m = args->child; m; m = m->next) {
		char *abs = NULL, *canon = NULL;
		bool exists = false;
		if (!m->string || !cJSON_IsString(m) ||
		    !mb_learn_value_paths(m->valuestring, l->cfg.plan->cwd, &abs, &canon, &exists, NULL))
			continue;
		struct learn_value *v = NULL;
		mb_vec_foreach(x, &l->last_values) {
			if (strcmp(x->argname, m->string) == 0)
				v = x;
		}
		if (!v && l->last_values.n < MAX_VALUES && (v = mb_vec_new(&l->last_values)) &&
		    !(v->argname = strdup(m->string)))
			l->last_values.n--, v = NULL;
		if (!exists || !v) {
			free(abs);
			free(canon);
			continue;
		}
		free(v->abs);
		free(v->canon);
		v->abs = abs;
		v->canon = canon;
	}
}

/* A path argument outside the bounds: the call is out of scope, whatever
 * it then does (git's tools refuse a path they cannot enter before any
 * operation a listener sees). Flagged in the tool's scope. */
static void note_outside(struct mb_learner *l, struct learn_scope *s, const cJSON *args)
{
	if (!s || !l->bounds.n || !cJSON_IsObject(args))
		return;
	/* A tool BASE declares: BASE says which arguments are paths, and its
	 * grants judge what the call does. */
	if (l->cfg.base && mb_profile_tool(l->cfg.base, s->name))
		return;
	char *example = NULL;
	for (const cJSON *m = args->child; m; m = m->next) {
		char *abs = NULL, *canon = NULL;
		const char *v = cJSON_IsString(m) ? m->valuestring : NULL;
		/* A path by its shape: absolute, one line, no glob. */
		if (!m->string || !v || v[0] != '/' || strpbrk(v, "*?\n") ||
		    !mb_learn_value_paths(v, l->cfg.plan->cwd, &abs, &canon, NULL, NULL))
			continue;
		if (!mb_learn_in_bounds(l, canon)) {
			if (!example)
				example = mb_learn_evidence(l, args);
			struct learn_record proto = { .basis = LEARN_BASIS_PATH, .op = MB_OP_READ,
						      .text = canon, .outside = true, .named_only = true,
						      .argname = m->string };
			struct learn_record *e = mb_learn_scope_record(l, s, &proto, example, "");
			if (e) {
				e->count++;
				e->calls++;
			}
		}
		free(abs);
		free(canon);
	}
	free(example);
}

static void client_request(struct mb_learner *l, struct mb_jr_msg *m)
{
	l->stats.requests++;
	note_method(l, m->method);
	if (strcmp(m->method, "tools/call") == 0) {
		const char *name = mb_jr_param_str(m, MB_P_NAME);
		if (!name)
			return;
		l->stats.tool_calls++;
		const cJSON *args = mb_jr_param_node(m, MB_P_ARGUMENTS);
		struct learn_scope *s = mb_learn_scope_get(l, LEARN_SCOPE_TOOL, name);
		if (s) {
			s->calls++;
			mb_learn_note_argnames(s, args);
			if (!s->example)
				s->example = mb_learn_evidence(l, args);
		}
		note_data(l, name, args);
		note_values(l, args);
		note_outside(l, s, args);
		return;
	}
	if (mb_learn_protocol_method(m->method)) {
		if ((strcmp(m->method, "tools/list") == 0 || strcmp(m->method, "initialize") == 0) &&
		    m->id.key && l->pending.n < MAX_PENDING) {
			struct learn_pending_request p = { strdup(m->id.key), strdup(m->method) };
			if (!p.key || !p.method || mb_vec_push(&l->pending, p) < 0) {
				free(p.key);
				free(p.method);
			}
		}
		return;
	}
	struct learn_scope *s = mb_learn_scope_get(l, LEARN_SCOPE_REQUEST, m->method);
	if (s) {
		s->calls++;
		const cJSON *params = mb_jr_params_node(m);
		mb_learn_note_argnames(s, params);
		if (!s->example)
			s->example = mb_learn_evidence(l, params);
	}
}

static void note_declared(struct mb_learner *l, const cJSON *result)
{
	const cJSON *tools = mb_json_get_array(result, "tools");
	l->saw_tools_list = true;
	for (const cJSON *t = tools ? tools->child : NULL; t; t = t->next) {
		const char *name = mb_json_get_string(t, "name");
		if (!name)
			continue;
		const cJSON *schema = cJSON_GetObjectItemCaseSensitive(t, "inputSchema");
		const cJSON *props = cJSON_GetObjectItemCaseSensitive(schema, "properties");
		for (const cJSON *p = cJSON_IsObject(props) ? props->child : NULL; p; p = p->next) {
			char *k = NULL;
			if (l->declared_args.n >= MAX_DECLARED * 4 || !p->string ||
			    mb_learn_declares_arg(l, name, p->string) ||
			    asprintf(&k, "%s/%s", name, p->string) < 0)
				continue;
			if (mb_vec_push(&l->declared_args, k) < 0)
				free(k);
		}
		bool have = false;
		mb_vec_foreach(d, &l->declared) have |= strcmp(*d, name) == 0;
		if (have || l->declared.n >= MAX_DECLARED)
			continue;
		char *d = strdup(name);
		if (!d || mb_vec_push(&l->declared, d) < 0)
			free(d);
	}
}

static void server_response(struct mb_learner *l, struct mb_jr_msg *m)
{
	if (!m->id.key)
		return;
	for (size_t i = 0; i < l->pending.n; i++) {
		struct learn_pending_request *p = &l->pending.v[i];
		if (strcmp(p->key, m->id.key) != 0)
			continue;
		if (m->kind == MB_JR_RESULT && strcmp(p->method, "tools/list") == 0) {
			note_declared(l, mb_jr_result_node(m));
		} else if (m->kind == MB_JR_RESULT && strcmp(p->method, "initialize") == 0) {
			const cJSON *caps = cJSON_GetObjectItemCaseSensitive(mb_jr_result_node(m),
									     "capabilities");
			cJSON_Delete(l->capabilities);
			l->capabilities = caps ? cJSON_Duplicate(caps, true) : NULL;
		}
		free(p->key);
		free(p->method);
		l->pending.v[i] = l->pending.v[--l->pending.n];
		return;
	}
}

void mb_learner_frame(void *ud, enum mb_side from, const struct mb_frame *f)
{
	struct mb_learner *l = ud;
	if (f->kind != MB_FRAME_LINE)
		return;
	struct mb_jr_frame jf;
	mb_jr_parse(f->text, f->len, &jf);
	/* The arguments' paths are looked up on the host: as the supervisor,
	 * not as the server whose calls this thread performs (notify-ident.h). */
	struct mb_ident_scope s = mb_ident_privileged();
	for (size_t i = 0; jf.fault == MB_JR_FAULT_NONE && i < jf.n; i++) {
		struct mb_jr_msg *m = &jf.msgs[i];
		if (from == MB_SIDE_CLIENT && m->kind == MB_JR_REQUEST)
			client_request(l, m);
		else if (from == MB_SIDE_SERVER && (m->kind == MB_JR_RESULT || m->kind == MB_JR_ERROR))
			server_response(l, m);
	}
	mb_ident_restore(&s);
	mb_jr_frame_free(&jf);
}

/* ---- set-up ------------------------------------------------------------- */

static void add_conf(struct mb_learner *l, const char *value, const char *cwd, const char *source)
{
	if (value[0] != '/' && !strchr(value, '/'))
		return; /* a bare word: not a path */
	char *abs = NULL, *canon = NULL;
	bool exists = false, is_dir = false;
	if (!mb_learn_value_paths(value, cwd, &abs, &canon, &exists, &is_dir))
		return;
	bool keep = mb_path_components(canon) >= 1 && !(is_dir && mb_learn_too_wide(l, canon));
	struct learn_config_path c = { .path = abs, .canon = canon, .is_dir = is_dir,
				       .source = keep ? strdup(source) : NULL };
	if (!keep || !c.source || mb_vec_push(&l->conf, c) < 0) {
		free(c.path);
		free(c.canon);
		free(c.source);
	}
}

static bool env_skipped(const char *name)
{
	static const char *const names[] = { "PATH", "HOME", "PWD", "OLDPWD", "SHELL", "TMPDIR",
					     "MAIL", "LOGNAME", "USER" };
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (strcmp(name, names[i]) == 0)
			return true;
	return strncmp(name, "XDG_", 4) == 0 || mb_learn_secret_name(name);
}

/* A path the command line names through symlinks (node_modules/.bin/X,
 * a directory linked elsewhere): the server opens it by that name, which
 * must exist in the sandbox, while what it does to find the target (Node
 * resolves its main script with lstat and readlink) reaches no listener. */
static void argv_alias(struct mb_learner *l, const char *arg, const char *cwd, enum mb_op o)
{
	char abs[PATH_MAX], canon[PATH_MAX];
	struct mb_resolved rs;
	if (!strchr(arg, '/') || mb_path_absolute(arg, cwd, abs, sizeof(abs)) < 0 ||
	    mb_path_resolve(abs, canon, sizeof(canon), NULL, NULL, &rs) < 0 || !rs.exists)
		return;
	mb_learn_alias(l, abs, canon, o, true);
}

void mb_learn_collect_conf(struct mb_learner *l)
{
	const char *cwd = l->cfg.caller_cwd;
	char src[160];
	if (l->cfg.argv && l->cfg.argv[0])
		argv_alias(l, l->cfg.argv[0], cwd, MB_OP_EXEC);
	for (size_t i = 1; l->cfg.argv && l->cfg.argv[0] && l->cfg.argv[i]; i++) {
		const char *a = l->cfg.argv[i];
		const char *eq = a[0] == '-' ? strchr(a, '=') : NULL;
		snprintf(src, sizeof(src), "the command line (argument %zu)", i);
		add_conf(l, eq ? eq + 1 : a, cwd, src);
		argv_alias(l, eq ? eq + 1 : a, cwd, MB_OP_READ);
	}
	const struct mb_plan *plan = l->cfg.plan;
	mb_vec_foreach(e, &plan->envp) {
		const char *eq = strchr(*e, '=');
		if (!eq || !eq[1] || strchr(eq + 1, ':'))
			continue;
		char name[128];
		snprintf(name, sizeof(name), "%.*s", (int)MB_MIN((size_t)(eq - *e), sizeof(name) - 1), *e);
		if (env_skipped(name) || eq[1] != '/')
			continue;
		snprintf(src, sizeof(src), "the environment variable %s", name);
		add_conf(l, eq + 1, "/", src);
	}
	const struct mb_profile *p = l->cfg.base ? l->cfg.base : l->cfg.profile;
	mb_vec_foreach(v, &p->vars) {
		if (!v->value || v->value[0] != '/' || mb_learn_secret_name(v->name))
			continue;
		snprintf(src, sizeof(src), "the variable %s", v->name);
		add_conf(l, v->value, "/", src);
	}
}
