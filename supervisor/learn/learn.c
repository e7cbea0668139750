/* SPDX-License-Identifier: Apache-2.0 */
/* The learner's recording half: see learn.h. Every watched operation is
 * answered CONTINUE and recorded in the scope of what was in flight, with
 * what explained it at that moment (a grant of BASE, one of the call's own
 * arguments) or, when nothing did yet, its literal target, which the draft
 * decides on at exit (supervisor/learn/learn-draft.c), once runtime is known.
 * The session's messages are learn-session.c's; the scopes learn-scope.c's. */
#include <ctype.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "common/loop.h"
#include "common/procstat.h"
#include "common/which.h"
#include "policy/decide.h"
#include "supervisor/notify/correlate.h"
#include "supervisor/notify/notify-ident.h"
#include "policy/lint.h"
#include "policy/match.h"
#include "policy/resolve.h"
#include "supervisor/learn/learn-internal.h"

#define MAX_ARGPATHS 128 /* argument values looked at per call */
#define MAX_CALLS 16     /* calls in flight an operation is recorded in */

/* The call an operation happened in: see struct learn_call below. */
struct argpath {
	char *name;
	bool array;
	bool placeholder_ok; /* the name can be written as {name} */
	char *abs;           /* mb_path_absolute() of the value */
	char *canon;         /* abs with symlinks resolved */
};

struct learn_call {
	struct mb_call *c;    /* NULL once it left the table (lingering) */
	uint64_t logical, started_ns;
	bool protocol;        /* initialize, the lists, ping, tasks/...: runtime */
	bool seen;
	struct learn_scope *scope;  /* NULL: over the cap */
	const struct mb_tool *decl; /* BASE's declaration */
	char *example;
	cJSON *args;          /* the call's arguments (a copy: they outlive it) */
	MB_VEC(struct argpath) paths;
	struct mb_callgrants *base;
	bool base_built;
	unsigned lingering;   /* processes it started that still work for it */
	uint64_t ended_ns;    /* when it left the table */
};

/* Add proto or count one more of it, in the call's name (NULL: none). */
static void record(struct mb_learner *l, struct learn_scope *s, const struct learn_record *proto,
		   const struct learn_call *call, const struct mb_notified_op *op,
		   const struct mb_notified_target *t)
{
	if (!s)
		return;
	struct learn_record *e = mb_learn_scope_record(l, s, proto, call ? call->example : NULL,
						       op ? op->sc->name : NULL);
	if (!e)
		return;
	e->count++;
	if (t)
		e->presence |= 1u << t->presence;
	if (call && e->last_call != call->logical) {
		e->calls++;
		e->last_call = call->logical;
	}
	l->stats.recorded++;
}

/* ---- the calls in flight ------------------------------------------------ */

bool mb_learn_protocol_method(const char *m)
{
	static const char *const names[] = {
		"initialize", "ping", "tools/list", "resources/list", "resources/templates/list",
		"prompts/list", "logging/setLevel", "server/discover", "tasks/get", "tasks/result",
		"tasks/list", "tasks/cancel",
	};
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (strcmp(m, names[i]) == 0)
			return true;
	return false;
}

static bool placeholder_name_ok(const char *s)
{
	if (!((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
		return false;
	for (const char *p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-')
			return false;
	return strlen(s) <= 128;
}

static void argpath_free(struct argpath *a)
{
	free(a->name);
	free(a->abs);
	free(a->canon);
}

static void learn_call_free(struct learn_call *c)
{
	if (!c)
		return;
	mb_vec_foreach(a, &c->paths) argpath_free(a);
	mb_vec_free(&c->paths);
	cJSON_Delete(c->args);
	if (c->base) {
		mb_callgrants_free(c->base);
		free(c->base);
	}
	free(c->example);
	free(c);
}


static void add_argpath(struct learn_call *c, const char *name, bool array, const char *value,
			const char *cwd)
{
	if (c->paths.n >= MAX_ARGPATHS)
		return;
	struct argpath a = { .array = array, .placeholder_ok = placeholder_name_ok(name) };
	if (!mb_learn_value_paths(value, cwd, &a.abs, &a.canon, NULL, NULL))
		return;
	if (!(a.name = strdup(name)) || mb_vec_push(&c->paths, a) < 0)
		argpath_free(&a);
}

static void collect_argpaths(struct learn_call *c, const cJSON *args, const char *cwd)
{
	if (!cJSON_IsObject(args))
		return;
	for (const cJSON *m = args->child; m; m = m->next) {
		if (!m->string)
			continue;
		if (cJSON_IsString(m)) {
			add_argpath(c, m->string, false, m->valuestring, cwd);
		} else if (cJSON_IsArray(m)) {
			int i = 0;
			for (const cJSON *e = m->child; e && i < LEARN_MAX_ARRAY_VALUES; e = e->next, i++)
				if (cJSON_IsString(e))
					add_argpath(c, m->string, true, e->valuestring, cwd);
		}
	}
}

/* What a call's grants are filled from: a tool's arguments, another
 * method's params (the correlator's rule); a copy, kept while processes
 * it started outlive it. */
static const cJSON *call_args(const struct learn_call *c)
{
	return c->args;
}

static struct learn_call *learn_call_new(struct mb_learner *l, struct mb_call *mc)
{
	struct learn_call *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->c = mc;
	c->logical = mc->logical;
	c->started_ns = mc->started_ns;
	const char *method = mc->method ? mc->method : "";
	c->protocol = !mc->tool && mb_learn_protocol_method(method);
	const cJSON *margs = mb_call_arguments(mc);
	if (margs && !(c->args = cJSON_Duplicate(margs, true))) {
		free(c);
		return NULL;
	}
	const cJSON *args = c->args;
	if (!c->protocol) {
		c->scope = mc->tool ? mb_learn_scope_get(l, LEARN_SCOPE_TOOL, mc->tool)
				    : mb_learn_scope_get(l, LEARN_SCOPE_REQUEST, method);
		c->example = mb_learn_evidence(l, args);
		collect_argpaths(c, args, l->cfg.plan->cwd);
		if (l->cfg.base)
			c->decl = mc->tool ? mb_profile_tool(l->cfg.base, mc->tool)
					   : mb_profile_request(l->cfg.base, method);
	}
	if (mb_vec_push(&l->calls, c) < 0) {
		learn_call_free(c);
		return NULL;
	}
	return c;
}

static const struct mb_callgrants *base_grants(struct mb_learner *l, struct learn_call *c);
static size_t calls_in_flight(struct mb_learner *l, struct learn_call **out, size_t max);

/* ---- processes that outlive the call that started them ------------------ */

static void linger_drop(struct mb_learner *l, size_t i)
{
	l->lingers.v[i].call->lingering--;
	l->lingers.v[i] = l->lingers.v[--l->lingers.n];
}

static struct learn_linger *linger_find(struct mb_learner *l, int pid, unsigned long long start)
{
	mb_vec_foreach(x, &l->lingers) {
		if (x->pid == pid && x->start == start)
			return x;
	}
	return NULL;
}

static void linger_add(struct mb_learner *l, int pid, unsigned long long start,
		       struct learn_call *c, uint64_t exec_ns)
{
	if (linger_find(l, pid, start))
		return;
	if (l->lingers.n >= LEARN_MAX_LINGER) {
		l->lingers_over++;
		return;
	}
	struct learn_linger x = { .pid = pid, .start = start, .call = c, .exec_ns = exec_ns };
	if (mb_vec_push(&l->lingers, x) == 0)
		c->lingering++;
}

/* The call whose process (or whose process's ancestor) op's process is,
 * once that call is over; out[0] gets it. Processes gone are forgotten. */
static size_t lingering_call(struct mb_learner *l, struct learn_call **out)
{
	for (size_t i = 0; i < l->lingers.n;) {
		int ppid;
		unsigned long long st;
		struct learn_linger *x = &l->lingers.v[i];
		if (mb_proc_stat(x->pid, &ppid, &st) < 0 || st != x->start)
			linger_drop(l, i);
		else
			i++;
	}
	int chain[16];
	unsigned long long starts[16];
	size_t n = 0;
	/* The notifier names the thread; a process (rg's walker threads, say)
	 * is known by its leader. */
	int first;
	if (mb_proc_tgid(l->cur_op->pid, &first) < 0)
		return 0;
	for (int p = first; p > 1 && n < ARRAY_SIZE(chain); n++) {
		int ppid;
		if (mb_proc_stat(p, &ppid, &starts[n]) < 0)
			return 0;
		chain[n] = p;
		struct learn_linger *x = linger_find(l, p, starts[n]);
		if (x) {
			struct learn_call *c = x->call;
			uint64_t exec_ns = x->exec_ns;
			for (size_t i = 0; i < n; i++) /* known by itself from now */
				linger_add(l, chain[i], starts[i], c, exec_ns);
			if (!c->scope)
				return 0;
			if (!c->c) { /* over: its outlive */
				uint64_t after = mb_now_ns() - exec_ns;
				if (after > c->scope->outlive_ns)
					c->scope->outlive_ns = after;
			}
			out[0] = c;
			return 1;
		}
		p = ppid;
	}
	return 0;
}

void mb_learner_set_op(struct mb_learner *l, const struct mb_notified_op *op)
{
	l->cur_op = op;
	if (!op || op->sc->kind != MB_WATCH_EXEC || !l->inflight)
		return;
	/* An exec during a call: a process of that call's, for as long as it
	 * (and what it starts) lives. */
	struct learn_call *calls[MAX_CALLS];
	l->cur_op = NULL;
	size_t n = calls_in_flight(l, calls, MAX_CALLS);
	l->cur_op = op;
	/* By the process: execve gives the calling thread its leader's pid
	 * and start time, and its threads work for the call too. */
	int tgid, ppid;
	unsigned long long start;
	if (!n || mb_proc_tgid(op->pid, &tgid) < 0 || mb_proc_stat(tgid, &ppid, &start) < 0)
		return;
	for (size_t i = 0; i < n; i++)
		if (calls[i]->scope && calls[i]->scope->kind != LEARN_SCOPE_RUNTIME)
			linger_add(l, tgid, start, calls[i], mb_now_ns());
}

/* The client requests in flight, as learn_calls (made at first need, dropped
 * once their request has left the table). */
static size_t calls_in_flight(struct mb_learner *l, struct learn_call **out, size_t max)
{
	mb_vec_foreach(cp, &l->calls) (*cp)->seen = false;
	size_t n = 0;
	for (struct mb_call *mc = l->inflight ? mb_inflight_first(l->inflight) : NULL; mc;
	     mc = mb_inflight_next(mc)) {
		if (mc->dir != MB_DIR_CLIENT || !mb_call_window_open(mc))
			continue;
		struct learn_call *c = NULL;
		mb_vec_foreach(cp, &l->calls) {
			if ((*cp)->c == mc && (*cp)->logical == mc->logical &&
			    (*cp)->started_ns == mc->started_ns)
				c = *cp;
		}
		if (!c)
			c = learn_call_new(l, mc);
		if (!c)
			continue;
		c->seen = true;
		if (!c->protocol && n < max)
			out[n++] = c;
	}
	size_t k = 0;
	for (size_t i = 0; i < l->calls.n; i++) {
		struct learn_call *c = l->calls.v[i];
		if (!c->seen && c->lingering && c->c) {
			/* It is over, and processes it started go on working:
			 * what they do is still the call's. */
			base_grants(l, c);
			c->c = NULL;
			c->ended_ns = mb_now_ns();
		}
		if (c->seen || c->lingering)
			l->calls.v[k++] = c;
		else
			learn_call_free(c);
	}
	l->calls.n = k;
	/* A process a call started works for that call alone, whatever else
	 * is in flight when it does. */
	if (l->cur_op && l->lingers.n && max) {
		struct learn_call *own = NULL;
		if (lingering_call(l, &own) && own && !own->protocol) {
			out[0] = own;
			return 1;
		}
	}
	return n;
}

/* BASE's grants for the call, at first need. */
static const struct mb_callgrants *base_grants(struct mb_learner *l, struct learn_call *c)
{
	if (c->base_built || !c->decl)
		return c->base;
	c->base_built = true;
	struct mb_callgrants *g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	const cJSON *args = call_args(c);
	if (mb_callgrants_build(&c->decl->grants, args, l->cfg.plan->cwd, g) < 0 ||
	    mb_callgrants_canonicalize(g, l->base_within_dirs.v, l->base_within_dirs.n) < 0) {
		free(g);
		return NULL;
	}
	c->base = g;
	return g;
}

/* ---- explaining an operation by the call's arguments -------------------- */

/* "{name}", "{name[]}" plus suffix. */
static char *form(const struct argpath *a, const char *suffix)
{
	char *s;
	if (asprintf(&s, "{%s%s}%s", a->name, a->array ? "[]" : "", suffix) < 0)
		return NULL;
	return s;
}

/* path is value + ".X", "-X" or "~X" with no '/': a sibling the server
 * keeps beside the file (a temporary copy, SQLite's -journal, -wal and
 * -shm, a .lock, an editor's ~). The form keeps the last extension of a
 * dotted one ("{path}.*.tmp") when it is plain; the others are
 * "{path}-*" and "{path}~*". */
static char *sibling_form(const struct argpath *a, const char *value, const char *path)
{
	size_t n = strlen(value);
	if (strncmp(path, value, n) != 0 || !strchr(".-~", path[n]) || !path[n] ||
	    strchr(path + n, '/') || strcmp(value, "/") == 0)
		return NULL;
	if (path[n] == '-')
		return form(a, "-*");
	if (path[n] == '~')
		return form(a, "~*");
	const char *rest = path + n + 1;
	const char *dot = strrchr(rest, '.');
	if (dot && dot != rest && dot[1]) {
		bool plain = true;
		for (const char *p = dot + 1; *p; p++)
			plain &= isalnum((unsigned char)*p) || *p == '_' || *p == '-';
		if (plain) {
			char suffix[NAME_MAX + 8];
			snprintf(suffix, sizeof(suffix), ".*%s", dot);
			return form(a, suffix);
		}
	}
	return form(a, ".*");
}

struct explanation {
	const struct argpath *a;
	char *text;
	enum mb_access access;
	int rank; /* 3 the value or beneath, 2 a sibling, 1 an ancestor */
	size_t len;
};

static void consider(struct explanation *best, const struct argpath *a, const char *value,
		     const char *path, enum mb_op o, enum mb_access access)
{
	int rank = 0;
	enum mb_access acc = MB_ACCESS_OPEN;
	char *text = NULL;
	if (mb_path_within(path, value)) {
		rank = 3; /* the grant on {name} names it: a plain grant */
	} else if ((text = sibling_form(a, value, path))) {
		rank = 2;
	} else if (mb_path_within(value, path) &&
		   ((access == MB_ACCESS_LIST && o == MB_OP_READ) ||
		    (access == MB_ACCESS_MKDIR && o == MB_OP_WRITE))) {
		rank = 1;
		acc = access;
	}
	size_t len = strlen(value);
	if (!rank || rank < best->rank || (rank == best->rank && len <= best->len)) {
		free(text);
		return;
	}
	if (!text)
		text = form(a, "");
	if (!text)
		return;
	free(best->text);
	*best = (struct explanation){ .a = a, .text = text, .access = acc, .rank = rank, .len = len };
}

static bool explain(const struct learn_call *c, const char *path, enum mb_op o,
		    enum mb_access access, struct explanation *ret)
{
	*ret = (struct explanation){ 0 };
	mb_vec_foreach(a, &c->paths) {
		if (!a->placeholder_ok || strcmp(a->canon, "/") == 0)
			continue;
		consider(ret, a, a->canon, path, o, access);
		if (strcmp(a->abs, a->canon) != 0)
			consider(ret, a, a->abs, path, o, access);
	}
	return ret->rank > 0;
}

/* A call that leaves out an argument its tool declares, working beneath
 * the value an earlier call gave that argument: {NAME:-VALUE}, the value
 * being the default the server itself fell back on. */
static bool explain_default(const struct mb_learner *l, const struct learn_call *c,
			    const char *path, struct explanation *ret, const char **value)
{
	*ret = (struct explanation){ 0 };
	const char *tool = c->c ? c->c->tool : NULL;
	if (!tool && c->scope && c->scope->kind == LEARN_SCOPE_TOOL)
		tool = c->scope->name;
	if (!tool)
		return false;
	const cJSON *args = call_args(c);
	mb_vec_foreach(v, &l->last_values) {
		const cJSON *a = cJSON_GetObjectItemCaseSensitive(args, v->argname);
		if ((a && !(cJSON_IsString(a) && !a->valuestring[0])) || !v->canon ||
		    !placeholder_name_ok(v->argname) || strcmp(v->canon, "/") == 0 ||
		    strpbrk(v->canon, "{}") || !mb_path_within(path, v->canon) ||
		    !mb_learn_declares_arg(l, tool, v->argname))
			continue;
		if (ret->text && strlen(v->canon) <= ret->len)
			continue;
		char *t;
		if (asprintf(&t, "{%s:-%s}", v->argname, v->canon) < 0)
			return false;
		free(ret->text);
		*ret = (struct explanation){ .text = t, .access = MB_ACCESS_OPEN, .rank = 3,
					     .len = strlen(v->canon) };
		*value = v->canon;
	}
	return ret->rank > 0;
}

static void note_root(struct mb_learner *l, const char *canon)
{
	mb_vec_foreach(r, &l->roots) {
		if (strcmp(r->canon, canon) == 0)
			return;
	}
	if (l->roots.n >= LEARN_MAX_ROOTS) {
		l->roots_over++;
		return;
	}
	struct stat st;
	struct learn_within_root r = { .canon = strdup(canon) };
	r.is_dir = stat(canon, &st) == 0 && S_ISDIR(st.st_mode);
	if (!r.canon || mb_vec_push(&l->roots, r) < 0)
		free(r.canon);
}

bool mb_learn_declares_arg(const struct mb_learner *l, const char *tool, const char *arg)
{
	size_t tl = strlen(tool);
	mb_vec_foreach(x, &l->declared_args) {
		if (strncmp(*x, tool, tl) == 0 && (*x)[tl] == '/' && strcmp(*x + tl + 1, arg) == 0)
			return true;
	}
	return false;
}

/* ---- the bounds ------------------------------------------------------------ */

bool mb_learn_in_bounds(const struct mb_learner *l, const char *canon)
{
	if (!l->bounds.n)
		return true;
	mb_vec_foreach(b, &l->bounds) {
		if (mb_path_within(canon, *b))
			return true;
	}
	return false;
}

static int add_bound(struct mb_learner *l, const char *dir)
{
	char real[PATH_MAX];
	struct mb_resolved rs;
	if (mb_path_resolve(dir, real, sizeof(real), NULL, NULL, &rs) < 0)
		return 0;
	mb_vec_foreach(b, &l->bounds) {
		if (strcmp(*b, real) == 0)
			return 0;
	}
	char *c = strdup(real);
	if (!c || mb_vec_push(&l->bounds, c) < 0) {
		free(c);
		return -ENOMEM;
	}
	return 0;
}

/* The bounds the user gives: --within, else BASE's arguments.within;
 * else none, and what arguments name is the tools' own. */
static int build_bounds(struct mb_learner *l)
{
	int r = 0;
	if (l->cfg.within) {
		l->bounds_from = "--within";
		for (const char *const *w = l->cfg.within; *w && r == 0; w++)
			r = add_bound(l, *w);
	} else if (l->cfg.base) {
		l->bounds_from = "BASE's arguments.within";
		mb_vec_foreach(w, &l->base_within_dirs) {
			if (r == 0)
				r = add_bound(l, *w);
		}
	}
	return r;
}

/* ---- recording one target ----------------------------------------------- */

/* A tmpfs the server used: the draft keeps it. */
static void note_tmpfs(struct mb_learner *l, const char *path)
{
	mb_vec_foreach(t, &l->tmpfs) {
		if (strcmp(*t, path) == 0)
			return;
	}
	char *c = strdup(path);
	if (!c || mb_vec_push(&l->tmpfs, c) < 0)
		free(c);
}

/* The sandbox's own: its /proc, its /dev, and what is in its tmpfs (a path
 * beneath the tmpfs that only the host has is the host's). */
static bool internal(struct mb_learner *l, const char *path, enum mb_presence presence)
{
	if (mb_path_within(path, "/proc"))
		return true;
	if (mb_path_within(path, "/dev")) {
		/* The sandbox's /dev holds five devices and the fd links; the
		 * host's others (a terminal) are recorded, never granted. */
		static const char *const own[] = { "/dev/null", "/dev/zero", "/dev/full",
						   "/dev/random", "/dev/urandom", "/dev/fd",
						   "/dev/stdin", "/dev/stdout", "/dev/stderr" };
		if (strcmp(path, "/dev") == 0)
			return true;
		for (size_t i = 0; i < ARRAY_SIZE(own); i++)
			if (mb_path_within(path, own[i]))
				return true;
		return false;
	}
	/* Beneath a tmpfs the sandbox shows the tmpfs, whatever the host has
	 * there (the private HOME over the real one), but for its secrets. */
	if (presence == MB_PRESENT_OUTSIDE ||
	    (presence == MB_PRESENT_HOST && mb_learn_in_secret(l, path)))
		return false;
	/* The nearest mount decides: a bind beneath a tmpfs is the host's. */
	const struct mb_plan *plan = l->cfg.plan;
	for (size_t i = plan->mounts.n; i-- > 0;) {
		const struct mb_mount *m = &plan->mounts.v[i];
		if (m->kind == MB_MOUNT_SYMLINK || m->missing || !mb_path_within(path, m->path))
			continue;
		if (m->kind == MB_MOUNT_TMPFS) {
			l->tmpfs_used = true;
			note_tmpfs(l, m->path);
			return true;
		}
		return false;
	}
	return false;
}

/* The name t was asked by, when symlinks made it another. */
static void note_alias(struct mb_learner *l, const struct mb_notified_target *t, enum mb_op o)
{
	char raw[PATH_MAX];
	if (t->raw && t->raw[0] == '/' && mb_path_normalize(t->raw, raw, sizeof(raw)) >= 0)
		mb_learn_alias(l, raw, t->path, o, false);
}

void mb_learn_alias(struct mb_learner *l, const char *raw, const char *canon, enum mb_op o,
		    bool argv)
{
	if (strcmp(raw, canon) == 0 || mb_path_within(raw, "/proc") || mb_path_within(raw, "/dev"))
		return;
	mb_vec_foreach(a, &l->aliases) {
		if (a->op == o && strcmp(a->raw, raw) == 0)
			return;
	}
	if (l->aliases.n >= MB_LEARN_MAX_RECORDS) {
		l->aliases_over++;
		return;
	}
	struct learn_alias a = {
		.raw = strdup(raw), .canon = strdup(canon), .op = o, .argv = argv
	};
	if (!a.raw || !a.canon || mb_vec_push(&l->aliases, a) < 0) {
		free(a.raw);
		free(a.canon);
	}
}

static void record_path(struct mb_learner *l, struct learn_call **calls, size_t ncalls,
			const struct mb_notified_op *op, const struct mb_notified_target *t,
			enum mb_op o, enum mb_access access)
{
	const char *path = t->path;
	struct mb_decision d;
	if (l->have_base && mb_decide_path(&l->base_runtime, NULL, &l->base_view, o, access, path, &d) &&
	    d.pattern && d.pattern->src) {
		struct learn_record e = { .basis = LEARN_BASIS_BASE, .op = d.op, .access = access,
					  .base_pp = d.pattern->src, .base_runtime = true };
		record(l, &l->runtime, &e, NULL, op, t);
		if (t->presence != MB_PRESENT_NONE)
			note_alias(l, t, o);
		return;
	}
	bool secret = mb_learn_in_secret(l, path);
	if (ncalls == 0) {
		if (t->presence == MB_PRESENT_NONE && !secret) {
			l->stats.probes++;
			return;
		}
		struct learn_record e = { .basis = LEARN_BASIS_PATH, .op = o, .secret = secret,
					  .text = (char *)path };
		record(l, &l->runtime, &e, NULL, op, t);
		if (!secret)
			note_alias(l, t, o);
		return;
	}
	bool done = false;
	for (size_t i = 0; i < ncalls; i++) {
		const struct mb_callgrants *g = base_grants(l, calls[i]);
		if (g && mb_decide_path(NULL, g, &l->base_view, o, access, path, &d) && d.pattern &&
		    d.pattern->src) {
			struct learn_record e = { .basis = LEARN_BASIS_BASE, .op = d.op,
						  .access = access, .base_pp = d.pattern->src };
			record(l, calls[i]->scope, &e, calls[i], op, t);
			done = true;
		}
	}
	for (size_t i = 0; i < ncalls && !done && !secret; i++) {
		struct explanation x;
		if (calls[i]->decl || !explain(calls[i], path, o, access, &x))
			continue;
		if (!mb_learn_in_bounds(l, x.a->canon)) {
			/* Named by the call, outside what it may name: flagged. */
			struct learn_record e = { .basis = LEARN_BASIS_PATH, .op = o,
						  .text = (char *)path, .outside = true,
						  .argname = x.a->name };
			record(l, calls[i]->scope, &e, calls[i], op, t);
			free(x.text);
			done = true;
			break;
		}
		struct learn_record e = { .basis = LEARN_BASIS_ARG, .op = o, .access = x.access,
					  .text = x.text, .argname = x.a->name };
		record(l, calls[i]->scope, &e, calls[i], op, t);
		note_root(l, x.a->canon);
		if (x.access != MB_ACCESS_OPEN && !mb_learn_too_wide(l, path))
			note_root(l, path); /* an ancestor listed: within must hold it */
		free(x.text);
		done = true;
	}
	for (size_t i = 0; i < ncalls && !done && !secret; i++) {
		struct explanation x;
		const char *value = NULL;
		if (calls[i]->decl || !explain_default(l, calls[i], path, &x, &value))
			continue;
		const char *argname = x.text + 1;
		char name[128];
		snprintf(name, sizeof(name), "%.*s", (int)MB_MIN(strcspn(argname, ":"), sizeof(name) - 1),
			 argname);
		struct learn_record e = { .basis = LEARN_BASIS_ARG, .op = o, .text = x.text,
					  .argname = name };
		if (!mb_learn_in_bounds(l, value)) {
			e = (struct learn_record){ .basis = LEARN_BASIS_PATH, .op = o,
						   .text = (char *)path, .outside = true,
						   .argname = name };
		} else {
			note_root(l, value);
		}
		record(l, calls[i]->scope, &e, calls[i], op, t);
		free(x.text);
		done = true;
	}
	for (size_t i = 0; i < ncalls && !done; i++) {
		struct learn_record e = { .basis = LEARN_BASIS_PATH, .op = o, .secret = secret,
					  .text = (char *)path };
		record(l, calls[i]->scope, &e, calls[i], op, t);
	}
	if (!done && !secret && t->presence != MB_PRESENT_NONE)
		note_alias(l, t, o); /* used if runtime ends up granting it */
}

/* Does a string argument of the call name the address? */
static const char *names_addr(const struct learn_call *c, const char *addr)
{
	const cJSON *args = call_args(c);
	if (!cJSON_IsObject(args))
		return NULL;
	for (const cJSON *m = args->child; m; m = m->next)
		if (cJSON_IsString(m) && m->string && strstr(m->valuestring, addr))
			return m->string;
	return NULL;
}

static void record_addr(struct mb_learner *l, struct learn_call **calls, size_t ncalls,
			const struct mb_notified_op *op, const struct mb_notified_target *t,
			enum mb_op o)
{
	char addr[MB_NAME_MAX + 16];
	if (mb_learn_addr_internal(l, &t->addr)) {
		l->stats.internal++;
		return;
	}
	const char *answered = l->addr_name ? l->addr_name(l->addr_name_ud, &t->addr) : NULL;
	if (answered && o == MB_OP_CONNECT)
		mb_learn_name_connected(l, answered);
	mb_learn_addr_text(l, &t->addr, addr, sizeof(addr));
	struct mb_decision d;
	if (l->have_base && mb_decide_addr(&l->base_runtime, NULL, o, &t->addr, &d) && d.endpoint) {
		struct learn_record e = { .basis = LEARN_BASIS_BASE, .op = o, .base_ep = d.endpoint,
					  .base_runtime = true };
		record(l, &l->runtime, &e, NULL, op, t);
		return;
	}
	if (ncalls == 0) {
		struct learn_record e = { .basis = LEARN_BASIS_ADDR, .op = o, .text = addr };
		record(l, &l->runtime, &e, NULL, op, t);
		return;
	}
	bool done = false;
	for (size_t i = 0; i < ncalls; i++) {
		const struct mb_callgrants *g = base_grants(l, calls[i]);
		if (g && mb_decide_addr(NULL, g, o, &t->addr, &d) && d.endpoint) {
			struct learn_record e = { .basis = LEARN_BASIS_BASE, .op = o, .base_ep = d.endpoint };
			record(l, calls[i]->scope, &e, calls[i], op, t);
			done = true;
		}
	}
	for (size_t i = 0; i < ncalls && !done; i++) {
		const char *name = calls[i]->decl ? NULL : names_addr(calls[i], addr);
		struct learn_record e = { .basis = LEARN_BASIS_ADDR, .op = o, .text = addr,
					  .named = name != NULL, .argname = (char *)name };
		record(l, calls[i]->scope, &e, calls[i], op, t);
	}
}

bool mb_learner_addr_named(struct mb_learner *l, enum mb_op o, const struct mb_addr *a)
{
	char addr[MB_NAME_MAX + 16];
	mb_learn_addr_text(l, a, addr, sizeof(addr)); /* NAME:PORT when answered for a name */
	if (o != MB_OP_CONNECT)
		return false;
	for (char *const *v = l->cfg.argv; v && *v; v++)
		if (strstr(*v, addr))
			return true;
	mb_vec_foreach(e, &l->cfg.plan->envp) {
		const char *eq = strchr(*e, '=');
		if (eq && strstr(eq + 1, addr))
			return true;
	}
	struct learn_call *calls[MAX_CALLS];
	size_t n = calls_in_flight(l, calls, MAX_CALLS);
	for (size_t i = 0; i < n; i++)
		if (names_addr(calls[i], addr))
			return true;
	return false;
}

static void record_never(struct mb_learner *l, struct learn_call **calls, size_t ncalls,
			 const struct mb_notified_op *op, const struct mb_notified_target *t,
			 enum mb_op o, const char *what)
{
	struct learn_record e = { .basis = LEARN_BASIS_NEVER, .op = o, .text = (char *)what };
	if (ncalls == 0)
		record(l, &l->runtime, &e, NULL, op, t);
	for (size_t i = 0; i < ncalls; i++)
		record(l, calls[i]->scope, &e, calls[i], op, t);
}

static void record_target(struct mb_learner *l, struct learn_call **calls, size_t ncalls,
			  const struct mb_notified_op *op, const struct mb_notified_target *t)
{
	char what[PATH_MAX + 64];
	switch (t->kind) {
	case MB_TARGET_UNREADABLE:
		/* The kernel would have read what the supervisor could not: the
		 * draft never grants it (and the call was refused EFAULT). */
		snprintf(what, sizeof(what), "%s with an argument the supervisor could not read",
			 op->sc->name);
		record_never(l, calls, ncalls, op, t, MB_OP_READ, what);
		return;
	case MB_TARGET_ANON:
	case MB_TARGET_FAMILY:
	case MB_TARGET_UNSPEC: /* its address depends on the socket: not learnt */
	case MB_TARGET_NONE:
		l->stats.ignored++;
		return;
	case MB_TARGET_UNIX_ABSTRACT:
		if (l->cfg.profile->network == MB_NET_HOST && (t->ops & (1u << MB_OP_CONNECT))) {
			snprintf(what, sizeof(what), "connect to the host's abstract unix socket %s",
				 t->path ? t->path : "@");
			record_never(l, calls, ncalls, op, t, MB_OP_CONNECT, what);
		} else {
			l->stats.ignored++;
		}
		return;
	case MB_TARGET_INET:
		for (unsigned o = MB_OP_CONNECT; o <= MB_OP_BIND; o++)
			if (t->ops & (1u << o))
				record_addr(l, calls, ncalls, op, t, (enum mb_op)o);
		return;
	case MB_TARGET_MEMFD:
	case MB_TARGET_DELETED:
		if (t->ops & (1u << MB_OP_EXEC)) {
			snprintf(what, sizeof(what), "exec of %s %s",
				 t->kind == MB_TARGET_MEMFD ? "the anonymous memory file"
							    : "the deleted file",
				 t->path ? t->path : "");
			record_never(l, calls, ncalls, op, t, MB_OP_EXEC, what);
			return;
		}
		if (t->kind == MB_TARGET_MEMFD) {
			l->stats.ignored++;
			return;
		}
		break;
	case MB_TARGET_PATH:
		break;
	}
	if (!t->path || t->path[0] != '/') {
		l->stats.ignored++;
		return;
	}
	struct mb_notified_target seen;
	if (t->presence == MB_PRESENT_NONE && mb_learn_in_secret(l, t->path)) {
		/* Absent from the sandbox, under a host secret store: the host
		 * is not looked at (correlate.h), the name says enough. */
		seen = *t;
		seen.presence = MB_PRESENT_OUTSIDE;
		t = &seen;
	}
	if (internal(l, t->path, t->presence)) {
		l->stats.internal++;
		return;
	}
	for (unsigned o = MB_OP_READ; o < MB_PATH_OPS; o++) {
		enum mb_access a = mb_notified_access(op, t, (enum mb_op)o);
		/* The read half of a read-write open: the write covers it. */
		if ((t->ops & (1u << o)) && a != MB_ACCESS_RDWR)
			record_path(l, calls, ncalls, op, t, (enum mb_op)o, a);
	}
}

/* A file a rename replaced: Landlock's rules follow inodes, so a rule on
 * the file itself does not survive it (the draft grants it by a glob). */
static void note_renamed(struct mb_learner *l, const struct mb_notified_op *op)
{
	const struct mb_notified_target *t = &op->t[1];
	if (op->n < 2 || strncmp(op->sc->name, "rename", 6) != 0 || t->kind != MB_TARGET_PATH ||
	    !t->path || t->path[0] != '/')
		return;
	mb_vec_foreach(r, &l->renamed) {
		if (strcmp(*r, t->path) == 0)
			return;
	}
	if (l->renamed.n >= LEARN_MAX_ROOTS)
		return;
	char *c = strdup(t->path);
	if (!c || mb_vec_push(&l->renamed, c) < 0)
		free(c);
}

struct mb_answer mb_learner_decide(const struct mb_notified_op *op, void *ud)
{
	struct mb_learner *l = ud;
	struct learn_call *calls[MAX_CALLS];
	l->stats.operations++;
	/* Recording looks at the host (the roots' kinds): as the supervisor. */
	struct mb_ident_scope s = mb_ident_privileged();
	size_t n = calls_in_flight(l, calls, MAX_CALLS);
	bool unreadable = false;
	for (unsigned i = 0; i < op->n; i++) {
		record_target(l, calls, n, op, &op->t[i]);
		unreadable |= op->t[i].kind == MB_TARGET_UNREADABLE;
	}
	note_renamed(l, op);
	mb_ident_restore(&s);
	/* What the supervisor could not read is never continued, learning
	 * or not: the kernel would read what the draft never saw. */
	for (unsigned i = 0; i < op->n; i++)
		unreadable |= op->t[i].unreadable;
	for (unsigned i = 0; i < op->nmsg; i++)
		unreadable |= op->mt[i].unreadable;
	if (unreadable)
		return (struct mb_answer){ MB_VERDICT_DENY, EFAULT };
	return (struct mb_answer){ MB_VERDICT_ALLOW, 0 };
}

static int add_pattern(mb_pattern_vec *v, const char *text, const struct mb_path_pattern *like)
{
	struct mb_path_pattern *pp = mb_vec_new(v);
	if (!pp || !(pp->text = strdup(text)))
		return -ENOMEM;
	pp->pos = like->pos;
	pp->has_placeholder = like->has_placeholder;
	pp->has_glob = like->has_glob;
	return 0;
}

/* BASE's runtime and arguments.within in the notifier's form, as the
 * correlator builds them (without the sandbox's own paths: those are
 * recognised before BASE is asked). */
static int build_base(struct mb_learner *l)
{
	const struct mb_profile *b = l->cfg.base;
	char real[PATH_MAX];
	mb_vec_foreach(w, &b->within) {
		const char *text = mb_within_canonical(w, real, sizeof(real));
		if (add_pattern(&l->base_within, text, w) < 0)
			return -ENOMEM;
	}
	mb_vec_foreach(w, &l->base_within) {
		if (mb_pattern_literal(w->text, w->has_glob, w->has_placeholder) &&
		    mb_vec_push(&l->base_within_dirs, (const char *)w->text) < 0)
			return -ENOMEM;
	}
	l->base_view = *b;
	l->base_view.within = l->base_within;
	int r = mb_callgrants_build(&b->runtime, NULL, l->cfg.plan->cwd, &l->base_runtime);
	if (r < 0)
		return r;
	l->base_runtime.net[0] = &b->runtime.net[0];
	l->base_runtime.net[1] = &b->runtime.net[1];
	r = mb_callgrants_canonicalize(&l->base_runtime, l->base_within_dirs.v,
				       l->base_within_dirs.n);
	if (r < 0)
		return r;
	l->have_base = true;
	return 0;
}

/* The command's first execve is never notified (the launcher lets exactly
 * one through, sandbox/watch.h), nor is the interpreter of a script: both
 * are recorded here, as the sandbox will find them. */
static const struct mb_watch_syscall launch_sc = { .name = "launch" };

static void record_exec(struct mb_learner *l, const char *lexical)
{
	char norm[PATH_MAX], real[PATH_MAX];
	struct mb_resolved rs;
	if (mb_path_normalize(lexical, norm, sizeof(norm)) < 0 ||
	    mb_path_resolve(norm, real, sizeof(real), NULL, NULL, &rs) < 0 || !rs.exists)
		return;
	struct mb_notified_op op = { .sc = &launch_sc, .n = 1 };
	op.t[0] = (struct mb_notified_target){ .kind = MB_TARGET_PATH, .presence = MB_PRESENT,
					       .ops = 1u << MB_OP_EXEC, .path = real, .raw = norm };
	record_path(l, NULL, 0, &op, &op.t[0], MB_OP_EXEC, MB_ACCESS_OPEN);
	/* And read: Node opens its own executable at start-up (after reading
	 * /proc/self/maps), once, and a learning session that missed it, or
	 * saw it while the client's first request was already in flight,
	 * must not leave the draft without it. */
	op.t[0].ops = 1u << MB_OP_READ;
	record_path(l, NULL, 0, &op, &op.t[0], MB_OP_READ, MB_ACCESS_OPEN);
}

static void record_command(struct mb_learner *l)
{
	const char *cmd = l->cfg.argv ? l->cfg.argv[0] : NULL;
	const struct mb_plan *plan = l->cfg.plan;
	char found[PATH_MAX] = "";
	if (!cmd || !*cmd)
		return;
	if (strchr(cmd, '/')) {
		if (mb_path_absolute(cmd, plan->cwd, found, sizeof(found)) < 0)
			return;
	} else {
		const char *path = "/usr/local/bin:/usr/bin:/bin";
		mb_vec_foreach(e, &plan->envp) {
			if (strncmp(*e, "PATH=", 5) == 0)
				path = *e + 5;
		}
		if (!mb_which_in(path, cmd, found, sizeof(found)))
			found[0] = '\0';
	}
	if (!found[0])
		return;
	record_exec(l, found);
	char real[PATH_MAX];
	if (realpath(found, real)) {
		char *c = strdup(real);
		if (!c || mb_vec_push(&l->code, c) < 0)
			free(c);
	}
	/* A script: the kernel runs its #! interpreter. */
	char line[PATH_MAX];
	FILE *f = fopen(found, "re");
	if (f && fgets(line, sizeof(line), f) && line[0] == '#' && line[1] == '!') {
		char *p = line + 2;
		p += strspn(p, " \t");
		p[strcspn(p, " \t\r\n")] = '\0';
		if (p[0] == '/')
			record_exec(l, p);
	}
	if (f)
		fclose(f);
}

int mb_learner_new(const struct mb_learner_config *cfg, struct mb_learner **ret,
		   struct mb_error *err)
{
	struct mb_learner *l = calloc(1, sizeof(*l));
	if (!l)
		return mb_error_set(err, -ENOMEM, "out of memory");
	l->cfg = *cfg;
	l->runtime.kind = LEARN_SCOPE_RUNTIME;
	time_t now = time(NULL);
	struct tm tm;
	if (gmtime_r(&now, &tm))
		strftime(l->started, sizeof(l->started), "%Y-%m-%dT%H:%M:%SZ", &tm);
	l->secrets = mb_lint_secret_stores(cfg->home);
	int r = l->secrets ? 0 : -ENOMEM;
	if (r == 0 && cfg->base)
		r = build_base(l);
	if (r == 0)
		r = build_bounds(l);
	if (r < 0) {
		mb_learner_free(l);
		return mb_error_set(err, r, "learn mode: %s", strerror(-r));
	}
	mb_learn_collect_conf(l);
	record_command(l);
	*ret = l;
	return 0;
}

void mb_learner_free(struct mb_learner *l)
{
	if (!l)
		return;
	mb_learn_scope_free(&l->runtime);
	mb_vec_foreach(sp, &l->scopes) {
		mb_learn_scope_free(*sp);
		free(*sp);
	}
	mb_vec_free(&l->scopes);
	if (l->have_base)
		mb_callgrants_free(&l->base_runtime);
	mb_vec_foreach(w, &l->base_within) free(w->text);
	mb_vec_free(&l->base_within);
	mb_vec_free(&l->base_within_dirs);
	mb_vec_free(&l->lingers);
	mb_vec_foreach(cp, &l->calls) learn_call_free(*cp);
	mb_vec_free(&l->calls);
	mb_vec_foreach(p, &l->pending) {
		free(p->key);
		free(p->method);
	}
	mb_vec_free(&l->pending);
	mb_vec_foreach(n, &l->names) free(n->name);
	mb_vec_free(&l->names);
	mb_vec_foreach(d, &l->declared) free(*d);
	mb_vec_free(&l->declared);
	mb_vec_foreach(d, &l->declared_args) free(*d);
	mb_vec_free(&l->declared_args);
	mb_vec_foreach(v, &l->last_values) {
		free(v->argname);
		free(v->abs);
		free(v->canon);
	}
	mb_vec_free(&l->last_values);
	cJSON_Delete(l->capabilities);
	mb_vec_foreach(m, &l->methods) free(*m);
	mb_vec_free(&l->methods);
	mb_vec_foreach(c, &l->conf) {
		free(c->path);
		free(c->canon);
		free(c->source);
	}
	mb_vec_free(&l->conf);
	mb_vec_foreach(d, &l->data) {
		free(d->canon);
		free(d->tool);
		free(d->example);
	}
	mb_vec_free(&l->data);
	mb_vec_foreach(r, &l->roots) free(r->canon);
	mb_vec_free(&l->roots);
	mb_vec_foreach(a, &l->aliases) {
		free(a->raw);
		free(a->canon);
	}
	mb_vec_free(&l->aliases);
	mb_vec_foreach(r, &l->renamed) free(*r);
	mb_vec_free(&l->renamed);
	mb_vec_foreach(c, &l->code) free(*c);
	mb_vec_free(&l->code);
	mb_vec_foreach(b, &l->bounds) free(*b);
	mb_vec_free(&l->bounds);
	mb_vec_foreach(t, &l->tmpfs) free(*t);
	mb_vec_free(&l->tmpfs);
	mb_lint_secret_stores_free(l->secrets);
	free(l);
}

void mb_learner_attach(struct mb_learner *l, const struct mb_inflight *inflight)
{
	l->inflight = inflight;
	if (!inflight) {
		/* The table is going: so are the calls it held. */
		mb_vec_free(&l->lingers);
		mb_vec_foreach(cp, &l->calls) learn_call_free(*cp);
		l->calls.n = 0;
	}
}

const struct mb_learn_stats *mb_learner_stats(const struct mb_learner *l)
{
	return &l->stats;
}
