/* The learner's recording half: see learn.h. Every watched operation is
 * answered CONTINUE and recorded in the scope of what was in flight, with
 * what explained it at that moment (a grant of BASE, one of the call's own
 * arguments) or, when nothing did yet, its literal target, which the draft
 * decides on at exit (supervisor/learn-draft.c), once runtime is known. */
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

#include "common/strbuf.h"
#include "policy/decide.h"
#include "policy/lint.h"
#include "policy/match.h"
#include "policy/resolve.h"
#include "supervisor/jsonrpc.h"
#include "supervisor/learn-internal.h"
#include "supervisor/reqdesc.h"

#define MAX_ARGPATHS 128      /* argument values looked at per call */
#define MAX_ARRAY_VALUES 64   /* elements of one array argument */
#define MAX_DATA 1024
#define MAX_ROOTS 1024
#define MAX_DECLARED 1024
#define MAX_METHODS 256
#define MAX_PENDING 256
#define EXAMPLE_MAX 240       /* bytes of one call's arguments in the draft */

/* ---- secrets and redaction --------------------------------------------- */

bool mb_learn_in_secret(const struct mb_learner *l, const char *path)
{
	for (char **s = l->secrets; s && *s; s++)
		if (mb_path_match(*s, path))
			return true;
	return false;
}

bool mb_learn_holds_secret(const struct mb_learner *l, const char *dir)
{
	for (char **s = l->secrets; s && *s; s++)
		if (mb_path_match_ancestor(*s, dir))
			return true;
	return false;
}

/* Names of arguments, variables and environment entries whose values are
 * never written: token, password, key, secret and their kin. */
bool mb_learn_secret_name(const char *name)
{
	static const char *const parts[] = { "token", "passw", "secret", "key", "credential",
					     "cookie", "private", "auth" };
	char low[128];
	size_t n = 0;
	for (; name[n] && n < sizeof(low) - 1; n++)
		low[n] = (char)tolower((unsigned char)name[n]);
	low[n] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(parts); i++)
		if (strstr(low, parts[i]))
			return true;
	return false;
}

bool mb_learn_redacts(const struct mb_learner *l, const char *name)
{
	return mb_learn_secret_name(name) || (l->cfg.base && mb_profile_redacts(l->cfg.base, name));
}

static unsigned components(const char *s)
{
	unsigned n = 0;
	for (char prev = '/'; *s; prev = *s++)
		if (*s != '/' && prev == '/')
			n++;
	return n;
}

static bool is_home(const struct mb_learner *l, const char *dir)
{
	if (strcmp(dir, "/root") == 0 || (mb_path_match("/home/*", dir) && components(dir) == 2))
		return true;
	return l->cfg.home && l->cfg.home[0] == '/' && strcmp(dir, l->cfg.home) == 0;
}

bool mb_learn_too_wide(const struct mb_learner *l, const char *dir)
{
	return components(dir) < 2 || is_home(l, dir) || mb_learn_holds_secret(l, dir) ||
	       mb_learn_in_secret(l, dir);
}

/* A copy of v fit for the draft: secret-looking and redacted names
 * replaced, long strings replaced by their length, deep nesting cut. */
static cJSON *redacted(const struct mb_learner *l, const cJSON *v, int depth)
{
	if (cJSON_IsString(v)) {
		size_t n = strlen(v->valuestring);
		if (n <= MB_LEARN_VALUE_MAX)
			return cJSON_CreateString(v->valuestring);
		char buf[64];
		snprintf(buf, sizeof(buf), "(%zu bytes, not shown)", n);
		return cJSON_CreateString(buf);
	}
	if (!cJSON_IsObject(v) && !cJSON_IsArray(v))
		return cJSON_Duplicate(v, false);
	if (depth >= 4)
		return cJSON_CreateString(cJSON_IsObject(v) ? "{...}" : "[...]");
	cJSON *out = cJSON_IsObject(v) ? cJSON_CreateObject() : cJSON_CreateArray();
	int i = 0;
	for (const cJSON *c = v->child; out && c; c = c->next, i++) {
		cJSON *x;
		if (cJSON_IsArray(v) && i >= 16) {
			char buf[32];
			snprintf(buf, sizeof(buf), "(+%d more)", cJSON_GetArraySize(v) - i);
			x = cJSON_CreateString(buf);
			if (!x || !cJSON_AddItemToArray(out, x)) {
				cJSON_Delete(x);
				cJSON_Delete(out);
				return NULL;
			}
			break;
		}
		if (cJSON_IsObject(v) && c->string && mb_learn_redacts(l, c->string))
			x = cJSON_CreateString("(redacted)");
		else
			x = redacted(l, c, depth + 1);
		bool added = x && (cJSON_IsObject(v) ? cJSON_AddItemToObject(out, c->string, x)
						     : cJSON_AddItemToArray(out, x));
		if (!added) {
			cJSON_Delete(x);
			cJSON_Delete(out);
			return NULL;
		}
	}
	return out;
}

/* One line of evidence: the arguments as JSON, redacted, cut. */
static char *evidence(const struct mb_learner *l, const cJSON *args)
{
	if (!args)
		return strdup("{}");
	cJSON *r = redacted(l, args, 0);
	char *s = r ? cJSON_PrintUnformatted(r) : NULL;
	cJSON_Delete(r);
	if (!s)
		return NULL;
	char *cut = mb_report_cut(s, strlen(s), EXAMPLE_MAX);
	free(s);
	return cut;
}

/* ---- scopes and entries ------------------------------------------------- */

static void scope_free(struct lscope *s)
{
	mb_vec_foreach(e, &s->entries) {
		free(e->text);
		free(e->argname);
		free(e->example);
	}
	mb_vec_free(&s->entries);
	free(s->index);
	mb_vec_foreach(a, &s->argnames) free(*a);
	mb_vec_free(&s->argnames);
	free(s->example);
	free(s->name);
}

static struct lscope *scope_find(struct mb_learner *l, enum lscope_kind kind, const char *name)
{
	mb_vec_foreach(sp, &l->scopes) {
		if ((*sp)->kind == kind && strcmp((*sp)->name, name) == 0)
			return *sp;
	}
	return NULL;
}

/* The scope of a tool or method, made at first sight; NULL when there are
 * too many (counted). */
static struct lscope *scope_get(struct mb_learner *l, enum lscope_kind kind, const char *name)
{
	struct lscope *s = scope_find(l, kind, name);
	if (s)
		return s;
	if (l->scopes.n >= MB_LEARN_MAX_SCOPES) {
		l->scopes_over++;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s || !(s->name = strdup(name)) || mb_vec_push(&l->scopes, s) < 0) {
		if (s)
			free(s->name);
		free(s);
		return NULL;
	}
	s->kind = kind;
	s->order = l->next_order++;
	const struct mb_profile *b = l->cfg.base;
	s->in_base = b && (kind == LS_TOOL ? mb_profile_tool(b, name) != NULL
					   : mb_profile_request(b, name) != NULL);
	return s;
}

static void note_argnames(struct lscope *s, const cJSON *args)
{
	if (!cJSON_IsObject(args))
		return;
	for (const cJSON *c = args->child; c; c = c->next) {
		if (!c->string)
			continue;
		bool have = false;
		mb_vec_foreach(a, &s->argnames) have |= strcmp(*a, c->string) == 0;
		if (have)
			continue;
		if (s->argnames.n >= LEARN_MAX_ARGNAMES) {
			s->argnames_cut = true;
			return;
		}
		char *d = strdup(c->string);
		if (!d || mb_vec_push(&s->argnames, d) < 0) {
			free(d);
			return;
		}
	}
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * 1099511628211ull;
	return h;
}

static uint64_t entry_hash(const struct lentry *e)
{
	unsigned char b[3] = { (unsigned char)e->kind, (unsigned char)e->op,
			       (unsigned char)e->access };
	uint64_t h = fnv(1469598103934665603ull, b, sizeof(b));
	if (e->kind == LK_BASE) {
		const void *p = e->base_pp ? (const void *)e->base_pp : (const void *)e->base_ep;
		return fnv(h, &p, sizeof(p));
	}
	h = fnv(h, e->text, strlen(e->text) + 1);
	if (e->argname)
		h = fnv(h, e->argname, strlen(e->argname) + 1);
	return h;
}

static bool entry_same(const struct lentry *a, const struct lentry *b)
{
	if (a->kind != b->kind || a->op != b->op || a->access != b->access)
		return false;
	if (a->kind == LK_BASE)
		return a->base_pp == b->base_pp && a->base_ep == b->base_ep;
	if (strcmp(a->text, b->text) != 0)
		return false;
	if (!a->argname || !b->argname)
		return a->argname == b->argname;
	return strcmp(a->argname, b->argname) == 0;
}

static int index_grow(struct lscope *s)
{
	size_t cap = s->index_cap ? s->index_cap * 2 : 64;
	uint32_t *ix = calloc(cap, sizeof(*ix));
	if (!ix)
		return -ENOMEM;
	for (size_t i = 0; i < s->entries.n; i++) {
		size_t j = entry_hash(&s->entries.v[i]) & (cap - 1);
		while (ix[j])
			j = (j + 1) & (cap - 1);
		ix[j] = (uint32_t)i + 1;
	}
	free(s->index);
	s->index = ix;
	s->index_cap = cap;
	return 0;
}

/* The call an operation happened in: see struct lcall below. */
struct argpath {
	char *name;
	bool array;
	bool placeholder_ok; /* the name can be written as {name} */
	char *abs;           /* mb_path_absolute() of the value */
	char *canon;         /* abs with symlinks resolved */
};

struct lcall {
	const struct mb_call *c;
	uint64_t logical, started_ns;
	bool protocol;        /* initialize, the lists, ping, tasks/...: runtime */
	bool seen;
	struct lscope *scope; /* NULL: over the cap */
	const struct mb_tool *decl; /* BASE's declaration */
	char *example;
	MB_VEC(struct argpath) paths;
	struct mb_callgrants *base;
	bool base_built;
};

/* Add proto (its strings are copied) or count one more of it. */
static void record(struct mb_learner *l, struct lscope *s, const struct lentry *proto,
		   const struct lcall *call, const struct mb_notified_op *op,
		   const struct mb_notified_target *t)
{
	if (!s)
		return;
	if (s->entries.n * 2 >= s->index_cap && index_grow(s) < 0)
		return;
	uint64_t h = entry_hash(proto);
	size_t j = h & (s->index_cap - 1);
	struct lentry *e = NULL;
	while (s->index[j]) {
		struct lentry *x = &s->entries.v[s->index[j] - 1];
		if (entry_same(x, proto)) {
			e = x;
			break;
		}
		j = (j + 1) & (s->index_cap - 1);
	}
	if (!e) {
		if (s->entries.n >= MB_LEARN_MAX_ENTRIES) {
			s->over_cap++;
			l->stats.over_cap++;
			return;
		}
		struct lentry n = *proto;
		n.text = strdup(proto->text ? proto->text : "");
		n.argname = proto->argname ? strdup(proto->argname) : NULL;
		n.example = call && call->example ? strdup(call->example) : NULL;
		n.syscall = op ? op->sc->name : "";
		n.count = 0;
		n.first_call_seq = l->stats.tool_calls;
		n.calls = 0;
		n.last_call = 0;
		n.presence = 0;
		if (!n.text || (proto->argname && !n.argname) || mb_vec_push(&s->entries, n) < 0) {
			free(n.text);
			free(n.argname);
			free(n.example);
			return;
		}
		s->index[j] = (uint32_t)s->entries.n;
		e = &s->entries.v[s->entries.n - 1];
	}
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

static bool protocol_method(const char *m)
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

static void lcall_free(struct lcall *c)
{
	if (!c)
		return;
	mb_vec_foreach(a, &c->paths) argpath_free(a);
	mb_vec_free(&c->paths);
	if (c->base) {
		mb_callgrants_free(c->base);
		free(c->base);
	}
	free(c->example);
	free(c);
}

/* The absolute form of a value as the server resolves it, and its
 * canonical form; false if it names no path. */
static bool value_paths(const char *value, const char *cwd, char **abs, char **canon,
			bool *exists, bool *is_dir)
{
	char a[PATH_MAX], real[PATH_MAX];
	struct mb_resolved rs;
	if (!*value || strlen(value) >= PATH_MAX || mb_path_absolute(value, cwd, a, sizeof(a)) < 0)
		return false;
	if (mb_path_resolve(a, real, sizeof(real), NULL, NULL, &rs) < 0)
		return false;
	*abs = strdup(a);
	*canon = strdup(real);
	if (!*abs || !*canon) {
		free(*abs);
		free(*canon);
		return false;
	}
	if (exists)
		*exists = rs.exists;
	if (is_dir)
		*is_dir = rs.exists && rs.is_dir;
	return true;
}

static void add_argpath(struct lcall *c, const char *name, bool array, const char *value,
			const char *cwd)
{
	if (c->paths.n >= MAX_ARGPATHS)
		return;
	struct argpath a = { .array = array, .placeholder_ok = placeholder_name_ok(name) };
	if (!value_paths(value, cwd, &a.abs, &a.canon, NULL, NULL))
		return;
	if (!(a.name = strdup(name)) || mb_vec_push(&c->paths, a) < 0)
		argpath_free(&a);
}

static void collect_argpaths(struct lcall *c, const cJSON *args, const char *cwd)
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
			for (const cJSON *e = m->child; e && i < MAX_ARRAY_VALUES; e = e->next, i++)
				if (cJSON_IsString(e))
					add_argpath(c, m->string, true, e->valuestring, cwd);
		}
	}
}

/* What a call's grants are filled from: a tool's arguments, another
 * method's params (the correlator's rule). */
static const cJSON *call_args(const struct mb_call *mc)
{
	return mc->tool ? mc->arguments : mc->params;
}

static struct lcall *lcall_new(struct mb_learner *l, const struct mb_call *mc)
{
	struct lcall *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->c = mc;
	c->logical = mc->logical;
	c->started_ns = mc->started_ns;
	const char *method = mc->method ? mc->method : "";
	c->protocol = !mc->tool && protocol_method(method);
	const cJSON *args = call_args(mc);
	if (!c->protocol) {
		c->scope = mc->tool ? scope_get(l, LS_TOOL, mc->tool) : scope_get(l, LS_REQUEST, method);
		c->example = evidence(l, args);
		collect_argpaths(c, args, l->cfg.plan->cwd);
		if (l->cfg.base)
			c->decl = mc->tool ? mb_profile_tool(l->cfg.base, mc->tool)
					   : mb_profile_request(l->cfg.base, method);
	}
	if (mb_vec_push(&l->calls, c) < 0) {
		lcall_free(c);
		return NULL;
	}
	return c;
}

/* The client requests in flight, as lcalls (made at first need, dropped
 * once their request has left the table). */
static size_t calls_in_flight(struct mb_learner *l, struct lcall **out, size_t max)
{
	mb_vec_foreach(cp, &l->calls) (*cp)->seen = false;
	size_t n = 0;
	for (const struct mb_call *mc = l->inflight ? mb_inflight_first(l->inflight) : NULL; mc;
	     mc = mb_inflight_next(mc)) {
		if (mc->dir != MB_DIR_CLIENT)
			continue;
		struct lcall *c = NULL;
		mb_vec_foreach(cp, &l->calls) {
			if ((*cp)->c == mc && (*cp)->logical == mc->logical &&
			    (*cp)->started_ns == mc->started_ns)
				c = *cp;
		}
		if (!c)
			c = lcall_new(l, mc);
		if (!c)
			continue;
		c->seen = true;
		if (!c->protocol && n < max)
			out[n++] = c;
	}
	size_t k = 0;
	for (size_t i = 0; i < l->calls.n; i++) {
		if (l->calls.v[i]->seen)
			l->calls.v[k++] = l->calls.v[i];
		else
			lcall_free(l->calls.v[i]);
	}
	l->calls.n = k;
	return n;
}

/* BASE's grants for the call, at first need. */
static const struct mb_callgrants *base_grants(struct mb_learner *l, struct lcall *c)
{
	if (c->base_built || !c->decl)
		return c->base;
	c->base_built = true;
	struct mb_callgrants *g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	const cJSON *args = call_args(c->c);
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

/* path is value + ".X" with no '/': a temporary sibling. The form keeps
 * the last extension ("{path}.*.tmp") when it is plain. */
static char *sibling_form(const struct argpath *a, const char *value, const char *path)
{
	size_t n = strlen(value);
	if (strncmp(path, value, n) != 0 || path[n] != '.' || strchr(path + n, '/') ||
	    strcmp(value, "/") == 0)
		return NULL;
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

static bool explain(const struct lcall *c, const char *path, enum mb_op o, enum mb_access access,
		    struct explanation *ret)
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

static void note_root(struct mb_learner *l, const char *canon)
{
	mb_vec_foreach(r, &l->roots) {
		if (strcmp(r->canon, canon) == 0)
			return;
	}
	if (l->roots.n >= MAX_ROOTS) {
		l->roots_over++;
		return;
	}
	struct stat st;
	struct lroot r = { .canon = strdup(canon) };
	r.is_dir = stat(canon, &st) == 0 && S_ISDIR(st.st_mode);
	if (!r.canon || mb_vec_push(&l->roots, r) < 0)
		free(r.canon);
}

/* ---- recording one target ----------------------------------------------- */

#define MAX_CALLS 16

/* The sandbox's own: its /proc, its /dev, and what is in its tmpfs (a path
 * beneath the tmpfs that only the host has is the host's). */
static bool internal(struct mb_learner *l, const char *path, enum mb_presence presence)
{
	if (mb_path_within(path, "/proc") || mb_path_within(path, "/dev"))
		return true;
	if (presence == MB_PRESENT_HOST)
		return false;
	/* The nearest mount decides: a bind beneath a tmpfs is the host's. */
	const struct mb_plan *plan = l->cfg.plan;
	for (size_t i = plan->mounts.n; i-- > 0;) {
		const struct mb_mount *m = &plan->mounts.v[i];
		if (m->kind == MB_MOUNT_SYMLINK || m->missing || !mb_path_within(path, m->path))
			continue;
		if (m->kind == MB_MOUNT_TMPFS) {
			l->tmpfs_used = true;
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
	if (!t->raw || t->raw[0] != '/' || mb_path_normalize(t->raw, raw, sizeof(raw)) < 0 ||
	    strcmp(raw, t->path) == 0 || mb_path_within(raw, "/proc") || mb_path_within(raw, "/dev"))
		return;
	mb_vec_foreach(a, &l->aliases) {
		if (a->op == o && strcmp(a->raw, raw) == 0)
			return;
	}
	if (l->aliases.n >= MB_LEARN_MAX_ENTRIES) {
		l->aliases_over++;
		return;
	}
	struct lalias a = { .raw = strdup(raw), .canon = strdup(t->path), .op = o };
	if (!a.raw || !a.canon || mb_vec_push(&l->aliases, a) < 0) {
		free(a.raw);
		free(a.canon);
	}
}

static void record_path(struct mb_learner *l, struct lcall **calls, size_t ncalls,
			const struct mb_notified_op *op, const struct mb_notified_target *t,
			enum mb_op o, enum mb_access access)
{
	const char *path = t->path;
	struct mb_decision d;
	if (l->have_base && mb_decide_path(&l->base_runtime, NULL, &l->base_view, o, access, path, &d) &&
	    d.pattern && d.pattern->src) {
		struct lentry e = { .kind = LK_BASE, .op = d.op, .access = access,
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
		struct lentry e = { .kind = LK_PATH, .op = o, .secret = secret, .text = (char *)path };
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
			struct lentry e = { .kind = LK_BASE, .op = d.op, .access = access,
					    .base_pp = d.pattern->src };
			record(l, calls[i]->scope, &e, calls[i], op, t);
			done = true;
		}
	}
	for (size_t i = 0; i < ncalls && !done && !secret; i++) {
		struct explanation x;
		if (calls[i]->decl || !explain(calls[i], path, o, access, &x))
			continue;
		struct lentry e = { .kind = LK_ARG, .op = o, .access = x.access, .text = x.text,
				    .argname = x.a->name };
		record(l, calls[i]->scope, &e, calls[i], op, t);
		note_root(l, x.a->canon);
		if (x.access != MB_ACCESS_OPEN && !mb_learn_too_wide(l, path))
			note_root(l, path); /* an ancestor listed: within must hold it */
		free(x.text);
		done = true;
	}
	for (size_t i = 0; i < ncalls && !done; i++) {
		struct lentry e = { .kind = LK_PATH, .op = o, .secret = secret, .text = (char *)path };
		record(l, calls[i]->scope, &e, calls[i], op, t);
	}
	if (!done && !secret && t->presence != MB_PRESENT_NONE)
		note_alias(l, t, o); /* used if runtime ends up granting it */
}

/* Does a string argument of the call name the address? */
static const char *names_addr(const struct lcall *c, const char *addr)
{
	const cJSON *args = call_args(c->c);
	if (!cJSON_IsObject(args))
		return NULL;
	for (const cJSON *m = args->child; m; m = m->next)
		if (cJSON_IsString(m) && m->string && strstr(m->valuestring, addr))
			return m->string;
	return NULL;
}

static void record_addr(struct mb_learner *l, struct lcall **calls, size_t ncalls,
			const struct mb_notified_op *op, const struct mb_notified_target *t,
			enum mb_op o)
{
	char addr[64];
	mb_addr_format(&t->addr, addr, sizeof(addr));
	struct mb_decision d;
	if (l->have_base && mb_decide_addr(&l->base_runtime, NULL, o, &t->addr, &d) && d.endpoint) {
		struct lentry e = { .kind = LK_BASE, .op = o, .base_ep = d.endpoint,
				    .base_runtime = true };
		record(l, &l->runtime, &e, NULL, op, t);
		return;
	}
	if (ncalls == 0) {
		struct lentry e = { .kind = LK_ADDR, .op = o, .text = addr };
		record(l, &l->runtime, &e, NULL, op, t);
		return;
	}
	bool done = false;
	for (size_t i = 0; i < ncalls; i++) {
		const struct mb_callgrants *g = base_grants(l, calls[i]);
		if (g && mb_decide_addr(NULL, g, o, &t->addr, &d) && d.endpoint) {
			struct lentry e = { .kind = LK_BASE, .op = o, .base_ep = d.endpoint };
			record(l, calls[i]->scope, &e, calls[i], op, t);
			done = true;
		}
	}
	for (size_t i = 0; i < ncalls && !done; i++) {
		const char *name = calls[i]->decl ? NULL : names_addr(calls[i], addr);
		struct lentry e = { .kind = LK_ADDR, .op = o, .text = addr, .named = name != NULL,
				    .argname = (char *)name };
		record(l, calls[i]->scope, &e, calls[i], op, t);
	}
}

static void record_never(struct mb_learner *l, struct lcall **calls, size_t ncalls,
			 const struct mb_notified_op *op, const struct mb_notified_target *t,
			 enum mb_op o, const char *what)
{
	struct lentry e = { .kind = LK_NEVER, .op = o, .text = (char *)what };
	if (ncalls == 0)
		record(l, &l->runtime, &e, NULL, op, t);
	for (size_t i = 0; i < ncalls; i++)
		record(l, calls[i]->scope, &e, calls[i], op, t);
}

static enum mb_access access_of(const struct mb_notified_op *op, const struct mb_notified_target *t,
				enum mb_op o)
{
	if (o == MB_OP_READ && t->ops == 1u << MB_OP_READ && (op->open_flags & O_DIRECTORY))
		return MB_ACCESS_LIST;
#ifdef SYS_mkdir
	if (o == MB_OP_WRITE && op->sc->nr == SYS_mkdir)
		return MB_ACCESS_MKDIR;
#endif
	if (o == MB_OP_WRITE && op->sc->nr == SYS_mkdirat)
		return MB_ACCESS_MKDIR;
	return MB_ACCESS_OPEN;
}

static void record_target(struct mb_learner *l, struct lcall **calls, size_t ncalls,
			  const struct mb_notified_op *op, const struct mb_notified_target *t)
{
	char what[PATH_MAX + 64];
	switch (t->kind) {
	case MB_TARGET_ANON:
	case MB_TARGET_FAMILY:
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
	if (internal(l, t->path, t->presence)) {
		l->stats.internal++;
		return;
	}
	for (unsigned o = MB_OP_READ; o < MB_PATH_OPS; o++)
		if (t->ops & (1u << o))
			record_path(l, calls, ncalls, op, t, (enum mb_op)o, access_of(op, t, (enum mb_op)o));
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
	if (l->renamed.n >= MAX_ROOTS)
		return;
	char *c = strdup(t->path);
	if (!c || mb_vec_push(&l->renamed, c) < 0)
		free(c);
}

struct mb_answer mb_learner_decide(const struct mb_notified_op *op, void *ud)
{
	struct mb_learner *l = ud;
	struct lcall *calls[MAX_CALLS];
	l->stats.operations++;
	size_t n = calls_in_flight(l, calls, MAX_CALLS);
	for (unsigned i = 0; i < op->n; i++)
		record_target(l, calls, n, op, &op->t[i]);
	note_renamed(l, op);
	return (struct mb_answer){ MB_VERDICT_ALLOW, 0 };
}

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
		const cJSON *vals[MAX_ARRAY_VALUES];
		size_t nv = 0;
		if (cJSON_IsString(m))
			vals[nv++] = m;
		else if (cJSON_IsArray(m))
			for (const cJSON *e = m->child; e && nv < MAX_ARRAY_VALUES; e = e->next)
				if (cJSON_IsString(e))
					vals[nv++] = e;
		for (size_t i = 0; i < nv; i++) {
			char *abs = NULL, *canon = NULL;
			bool exists = false;
			if (!value_paths(vals[i]->valuestring, l->cfg.plan->cwd, &abs, &canon, &exists,
					 NULL))
				continue;
			free(abs);
			bool keep = components(canon) >= 2;
			if (keep && !exists) {
				char parent[PATH_MAX];
				snprintf(parent, sizeof(parent), "%s", canon);
				char *slash = strrchr(parent, '/');
				if (slash)
					*slash = '\0';
				struct stat st;
				keep = components(parent) >= 2 && stat(parent, &st) == 0 &&
				       S_ISDIR(st.st_mode);
			}
			mb_vec_foreach(d, &l->data) keep &= strcmp(d->canon, canon) != 0;
			if (keep && l->data.n >= MAX_DATA) {
				l->data_over++;
				keep = false;
			}
			if (keep && !example)
				example = evidence(l, args);
			struct ldata d = { .canon = canon, .seq = l->stats.tool_calls,
					   .tool = keep ? strdup(tool) : NULL,
					   .example = keep && example ? strdup(example) : NULL };
			if (!keep || !d.tool || mb_vec_push(&l->data, d) < 0) {
				free(d.canon);
				free(d.tool);
				free(d.example);
			}
		}
	}
	free(example);
}

static void client_request(struct mb_learner *l, const struct mb_jr_msg *m)
{
	l->stats.requests++;
	note_method(l, m->method);
	if (strcmp(m->method, "tools/call") == 0) {
		const char *name = mb_json_get_string(m->params, "name");
		if (!name)
			return;
		l->stats.tool_calls++;
		const cJSON *args = cJSON_GetObjectItemCaseSensitive(m->params, "arguments");
		struct lscope *s = scope_get(l, LS_TOOL, name);
		if (s) {
			s->calls++;
			note_argnames(s, args);
			if (!s->example)
				s->example = evidence(l, args);
		}
		note_data(l, name, args);
		return;
	}
	if (protocol_method(m->method)) {
		if ((strcmp(m->method, "tools/list") == 0 || strcmp(m->method, "initialize") == 0) &&
		    m->id.key && l->pending.n < MAX_PENDING) {
			struct lpending p = { strdup(m->id.key), strdup(m->method) };
			if (!p.key || !p.method || mb_vec_push(&l->pending, p) < 0) {
				free(p.key);
				free(p.method);
			}
		}
		return;
	}
	struct lscope *s = scope_get(l, LS_REQUEST, m->method);
	if (s) {
		s->calls++;
		note_argnames(s, m->params);
		if (!s->example)
			s->example = evidence(l, m->params);
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
		bool have = false;
		mb_vec_foreach(d, &l->declared) have |= strcmp(*d, name) == 0;
		if (have || l->declared.n >= MAX_DECLARED)
			continue;
		char *d = strdup(name);
		if (!d || mb_vec_push(&l->declared, d) < 0)
			free(d);
	}
}

static void server_response(struct mb_learner *l, const struct mb_jr_msg *m)
{
	if (!m->id.key)
		return;
	for (size_t i = 0; i < l->pending.n; i++) {
		struct lpending *p = &l->pending.v[i];
		if (strcmp(p->key, m->id.key) != 0)
			continue;
		if (m->kind == MB_JR_RESULT && strcmp(p->method, "tools/list") == 0) {
			note_declared(l, m->result);
		} else if (m->kind == MB_JR_RESULT && strcmp(p->method, "initialize") == 0) {
			cJSON *caps = mb_json_get_object(m->result, "capabilities");
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
	for (size_t i = 0; jf.fault == MB_JR_FAULT_NONE && i < jf.n; i++) {
		const struct mb_jr_msg *m = &jf.msgs[i];
		if (from == MB_SIDE_CLIENT && m->kind == MB_JR_REQUEST)
			client_request(l, m);
		else if (from == MB_SIDE_SERVER && (m->kind == MB_JR_RESULT || m->kind == MB_JR_ERROR))
			server_response(l, m);
	}
	mb_jr_frame_free(&jf);
}

/* ---- set-up ------------------------------------------------------------- */

static void add_conf(struct mb_learner *l, const char *value, const char *cwd, const char *source)
{
	if (value[0] != '/' && !strchr(value, '/'))
		return; /* a bare word: not a path */
	char *abs = NULL, *canon = NULL;
	bool exists = false, is_dir = false;
	if (!value_paths(value, cwd, &abs, &canon, &exists, &is_dir))
		return;
	bool keep = components(canon) >= 1 && !(is_dir && mb_learn_too_wide(l, canon));
	struct lconf c = { .path = abs, .canon = canon, .is_dir = is_dir,
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

static void collect_conf(struct mb_learner *l)
{
	const char *cwd = l->cfg.caller_cwd;
	char src[160];
	for (size_t i = 1; l->cfg.argv && l->cfg.argv[0] && l->cfg.argv[i]; i++) {
		const char *a = l->cfg.argv[i];
		const char *eq = a[0] == '-' ? strchr(a, '=') : NULL;
		snprintf(src, sizeof(src), "the command line (argument %zu)", i);
		add_conf(l, eq ? eq + 1 : a, cwd, src);
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
		const char *text = w->text;
		struct mb_resolved rs;
		bool literal = !w->has_glob && !w->has_placeholder && !strchr(text, '\\');
		if (literal && mb_path_resolve(text, real, sizeof(real), NULL, NULL, &rs) == 0)
			text = real;
		if (add_pattern(&l->base_within, text, w) < 0)
			return -ENOMEM;
	}
	mb_vec_foreach(w, &l->base_within) {
		if (!w->has_glob && !w->has_placeholder && !strchr(w->text, '\\') &&
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
static const struct mb_watch_syscall launch_sc = { .name = "execve" };

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
		for (const char *p = path; *p;) {
			size_t n = strcspn(p, ":");
			char cand[PATH_MAX];
			struct stat st;
			if (n && snprintf(cand, sizeof(cand), "%.*s/%s", (int)n, p, cmd) < (int)sizeof(cand) &&
			    cand[0] == '/' && stat(cand, &st) == 0 && S_ISREG(st.st_mode) &&
			    access(cand, X_OK) == 0) {
				snprintf(found, sizeof(found), "%s", cand);
				break;
			}
			p += n + (p[n] == ':');
		}
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
	l->runtime.kind = LS_RUNTIME;
	time_t now = time(NULL);
	struct tm tm;
	if (gmtime_r(&now, &tm))
		strftime(l->started, sizeof(l->started), "%Y-%m-%dT%H:%M:%SZ", &tm);
	l->secrets = mb_lint_secret_stores(cfg->home);
	int r = l->secrets ? 0 : -ENOMEM;
	if (r == 0 && cfg->base)
		r = build_base(l);
	if (r < 0) {
		mb_learner_free(l);
		return mb_error_set(err, r, "learn mode: %s", strerror(-r));
	}
	collect_conf(l);
	record_command(l);
	*ret = l;
	return 0;
}

void mb_learner_free(struct mb_learner *l)
{
	if (!l)
		return;
	scope_free(&l->runtime);
	mb_vec_foreach(sp, &l->scopes) {
		scope_free(*sp);
		free(*sp);
	}
	mb_vec_free(&l->scopes);
	if (l->have_base)
		mb_callgrants_free(&l->base_runtime);
	mb_vec_foreach(w, &l->base_within) free(w->text);
	mb_vec_free(&l->base_within);
	mb_vec_free(&l->base_within_dirs);
	mb_vec_foreach(cp, &l->calls) lcall_free(*cp);
	mb_vec_free(&l->calls);
	mb_vec_foreach(p, &l->pending) {
		free(p->key);
		free(p->method);
	}
	mb_vec_free(&l->pending);
	mb_vec_foreach(d, &l->declared) free(*d);
	mb_vec_free(&l->declared);
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
	mb_lint_secret_stores_free(l->secrets);
	free(l);
}

void mb_learner_attach(struct mb_learner *l, const struct mb_inflight *inflight)
{
	l->inflight = inflight;
	if (!inflight) {
		/* The table is going: so are the calls it held. */
		mb_vec_foreach(cp, &l->calls) lcall_free(*cp);
		l->calls.n = 0;
	}
}

const struct mb_learn_stats *mb_learner_stats(const struct mb_learner *l)
{
	return &l->stats;
}
