/* The learner's drafting half: see learn.h. What was recorded is decided
 * here, once the whole session is known:
 *  - runtime: BASE's grants that allowed something (as BASE wrote them; a
 *    fragment's are the include's), then every literal target of start-up
 *    and idle, many files beneath one directory collapsed to it, and the
 *    names symlinks led from;
 *  - each tool and method: BASE's grants, then the forms its arguments
 *    explained, then literal targets named by the server's configuration
 *    (an argument on its command line, an environment variable, a
 *    variable) where the target is that very file or its temporary sibling;
 *    targets runtime covers are left to it, those that exist nowhere
 *    dropped, and the rest flagged SUSPICIOUS;
 *  - runtime's targets in a secret store, or in data a tool call named
 *    (and the configuration did not), are SUSPICIOUS too.
 * Suspicious operations go into a commented-out block at the end: never
 * granted, evidence kept. */
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/strbuf.h"
#include "policy/lint.h"
#include "policy/match.h"
#include "policy/resolve.h"
#include "policy/yaml_tree.h"
#include "supervisor/learn-internal.h"

#define COLLAPSE_CHILDREN 3 /* distinct names beneath a directory to collapse to it */
#define COLLAPSE_DEPTH 3    /* components a collapsed directory has at least */
#define MAX_BASE_FILE (1u << 20)

struct dline {
	char *text;          /* as written: escaped, ${VAR}s put back, '?' */
	char *note;          /* what it is */
	const char *syscall; /* the first */
	char *example;       /* the first call's arguments */
	uint64_t count, calls;
	unsigned files;      /* collapsed: distinct names beneath */
	bool in_call;        /* runtime: also read during calls */
};
typedef MB_VEC(struct dline) dline_vec;

struct dsusp {
	enum mb_op op;
	char *grant;  /* the line that would grant it; NULL: nothing can */
	char *what;   /* "read /x/y", "exec of the anonymous memory file ..." */
	char *why;
	const char *syscall;
	char *example;
	uint64_t count, calls;
	unsigned presence;
	bool path; /* presence says where the path exists */
};
typedef MB_VEC(struct dsusp) dsusp_vec;

struct dscope {
	const struct lscope *s;
	dline_vec g[MB_OP_COUNT_];
	dsusp_vec susp;
	uint64_t covered, probes;
};

struct rawscalar {
	unsigned line, column;
	const char *text;
};

struct dvar {
	const char *name;
	char *val, *canon; /* escaped, normalised; canon: symlinks resolved */
};

struct draft {
	struct mb_learner *l;
	const struct mb_profile *base;
	const char *main_file;
	struct yt_node *tree;
	char *tree_data;
	MB_VEC(struct rawscalar) raw;
	MB_VEC(struct dvar) vars;
	dline_vec rt[MB_OP_COUNT_];
	dsusp_vec rt_susp;
	MB_VEC(const struct mb_path_pattern *) rt_base_used;
	uint64_t include_hits;
	MB_VEC(char *) cover[MB_PATH_OPS]; /* runtime's literal grants, canonical */
	MB_VEC(char *) lex[MB_PATH_OPS];   /* ... as the draft spells them */
	MB_VEC(char *) rt_addrs;
	MB_VEC(struct dscope) scopes;
	MB_VEC(char *) within;
	MB_VEC(char *) env_used;
	bool placeholders, connects;
	int r; /* sticky -ENOMEM */
};

static const char *const op_key[MB_OP_COUNT_] = { "read", "write", "exec", "connect", "bind" };
static const char *const op_done[MB_OP_COUNT_] = { "read", "written", "executed",
						   "connected to", "bound" };

static void oom(struct draft *d)
{
	d->r = -ENOMEM;
}

static char *xstrdup(struct draft *d, const char *s)
{
	char *c = s ? strdup(s) : NULL;
	if (s && !c)
		oom(d);
	return c;
}

_printf_(2, 3) static char *xprintf(struct draft *d, const char *fmt, ...)
{
	va_list ap;
	char *s;
	va_start(ap, fmt);
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		oom(d);
		return NULL;
	}
	return s;
}

static unsigned components(const char *s)
{
	unsigned n = 0;
	for (char prev = '/'; *s; prev = *s++)
		if (*s != '/' && prev == '/')
			n++;
	return n;
}

static bool exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

/* ---- texts --------------------------------------------------------------- */

/* A literal path in pattern syntax: '\', '*' and '{' escaped, and a final
 * '?' (which would mark the grant optional). NULL when it cannot be written
 * ("${" always starts a variable). */
static char *escape_path(struct draft *d, const char *path)
{
	if (strstr(path, "${"))
		return NULL;
	struct mb_strbuf b = { 0 };
	size_t n = strlen(path);
	for (size_t i = 0; i < n; i++) {
		char c = path[i];
		if (c == '\\' || c == '*' || c == '{' || (c == '?' && i == n - 1))
			mb_strbuf_putc(&b, '\\');
		mb_strbuf_putc(&b, c);
	}
	if (mb_strbuf_failed(&b) || !b.s) {
		mb_strbuf_free(&b);
		oom(d);
		return NULL;
	}
	return mb_strbuf_take(&b);
}

/* The longest variable whose value begins text (whole components) put back
 * as ${NAME}. */
static char *put_vars(struct draft *d, const char *text)
{
	const struct dvar *best = NULL;
	size_t best_len = 0;
	mb_vec_foreach(v, &d->vars) {
		const char *forms[2] = { v->val, v->canon };
		for (int i = 0; i < 2; i++) {
			size_t n = strlen(forms[i]);
			if (n > best_len && strncmp(text, forms[i], n) == 0 &&
			    (text[n] == '/' || text[n] == '\0')) {
				best = v;
				best_len = n;
			}
		}
	}
	if (!best)
		return xstrdup(d, text);
	return xprintf(d, "${%s}%s", best->name, text + best_len);
}

/* A literal path for the draft, marked optional if it is gone now. */
static char *literal(struct draft *d, const char *path)
{
	char *e = escape_path(d, path);
	if (!e)
		return NULL;
	char *v = put_vars(d, e);
	free(e);
	if (v && !exists(path)) {
		char *o = xprintf(d, "%s?", v);
		free(v);
		v = o;
	}
	return v;
}

/* Why a read grant on a file renames replaced ends in '*'. */
#define RENAMED_WHY "a glob: renames replaced the file, and Landlock's rules follow inodes"
#define RENAMED_NOTE "; " RENAMED_WHY

static bool renamed(const struct draft *d, const char *path)
{
	mb_vec_foreach(r, &d->l->renamed) {
		if (strcmp(*r, path) == 0)
			return true;
	}
	return false;
}

/* "F" as "F*" ("F?" as "F*"). */
static char *as_glob(struct draft *d, char *g)
{
	if (!g)
		return NULL;
	size_t n = strlen(g);
	if (n && g[n - 1] == '?' && (n < 2 || g[n - 2] != '\\'))
		g[--n] = '\0';
	char *r = xprintf(d, "%s*", g);
	free(g);
	return r;
}

static const char *raw_at(const struct draft *d, const struct mb_srcpos *pos)
{
	if (!pos->file || !d->main_file || strcmp(pos->file, d->main_file) != 0)
		return NULL;
	mb_vec_foreach(r, &d->raw) {
		if (r->line == pos->line && r->column == pos->column)
			return r->text;
	}
	return NULL;
}

static bool from_main(const struct draft *d, const struct mb_srcpos *pos)
{
	return pos->file && d->main_file && strcmp(pos->file, d->main_file) == 0;
}

/* A grant of BASE as BASE wrote it. */
static char *base_text(struct draft *d, const struct mb_path_pattern *pp)
{
	const char *raw = raw_at(d, &pp->pos);
	if (raw)
		return xstrdup(d, raw);
	return xprintf(d, "%s%s", pp->text, pp->optional ? "?" : "");
}

static char *base_ep_text(struct draft *d, const struct mb_endpoint *ep)
{
	const char *raw = raw_at(d, &ep->pos);
	return xstrdup(d, raw ? raw : ep->text);
}

static const char *where(const struct mb_srcpos *pos, char *buf, size_t sz)
{
	const char *f = pos->file ? strrchr(pos->file, '/') : NULL;
	snprintf(buf, sz, "%s:%u", f ? f + 1 : pos->file ? pos->file : "?", pos->line);
	return buf;
}

/* ---- lines and suspicious operations ------------------------------------- */

static struct dline *add_line(struct draft *d, dline_vec *v, char *text, const char *note,
			      const struct lentry *e)
{
	if (!text)
		return NULL;
	mb_vec_foreach(x, v) {
		if (strcmp(x->text, text) == 0) {
			free(text);
			if (e) {
				x->count += e->count;
				x->calls += e->calls;
				if (!x->example && e->example)
					x->example = xstrdup(d, e->example);
			}
			return x;
		}
	}
	struct dline *x = mb_vec_new(v);
	if (!x) {
		free(text);
		oom(d);
		return NULL;
	}
	x->text = text;
	x->note = xstrdup(d, note);
	if (e) {
		x->count = e->count;
		x->calls = e->calls;
		x->syscall = e->syscall;
		x->example = xstrdup(d, e->example);
	}
	return x;
}

static void add_susp(struct draft *d, dsusp_vec *v, const struct lentry *e, char *grant,
		     char *what, const char *why)
{
	mb_vec_foreach(x, v) {
		if (x->op == e->op && strcmp(x->what, what ? what : "") == 0) {
			x->count += e->count;
			x->calls += e->calls;
			x->presence |= e->presence;
			free(grant);
			free(what);
			return;
		}
	}
	struct dsusp *x = mb_vec_new(v);
	if (!x || !what) {
		free(grant);
		free(what);
		oom(d);
		return;
	}
	*x = (struct dsusp){ .op = e->op, .grant = grant, .what = what, .why = xstrdup(d, why),
			     .syscall = e->syscall, .example = xstrdup(d, e->example),
			     .count = e->count, .calls = e->calls, .presence = e->presence,
			     .path = e->kind == LK_PATH };
}

static char *susp_what(struct draft *d, const struct lentry *e)
{
	if (e->kind == LK_NEVER)
		return xstrdup(d, e->text);
	return xprintf(d, "%s %s", op_key[e->op], e->text);
}

static const char *presence_words(unsigned p)
{
	if (p & (1u << MB_PRESENT))
		return "it exists in the sandbox";
	if (p & (1u << MB_PRESENT_NEW))
		return "the call created it";
	if (p & (1u << MB_PRESENT_HOST))
		return "it exists only outside the sandbox";
	if (p & (1u << MB_PRESENT_UNKNOWN))
		return "it could not be resolved";
	return "it exists nowhere";
}

/* ---- BASE as written ----------------------------------------------------- */

static void collect_raw(struct draft *d, const struct yt_node *n)
{
	switch (n->kind) {
	case YT_SCALAR: {
		struct rawscalar r = { n->line, n->column, n->text };
		if (n->text && mb_vec_push(&d->raw, r) < 0)
			oom(d);
		break;
	}
	case YT_SEQ:
		for (size_t i = 0; i < n->n; i++)
			collect_raw(d, &n->items[i]);
		break;
	case YT_MAP:
		for (size_t i = 0; i < n->n; i++) {
			collect_raw(d, &n->pairs[i].key);
			collect_raw(d, &n->pairs[i].value);
		}
		break;
	}
}

static int read_base(struct draft *d)
{
	FILE *f = fopen(d->main_file, "re");
	if (!f)
		return 0; /* gone since: BASE's texts as loaded will do */
	char *buf = malloc(MAX_BASE_FILE + 1);
	size_t n = buf ? fread(buf, 1, MAX_BASE_FILE, f) : 0;
	fclose(f);
	if (!buf)
		return -ENOMEM;
	struct mb_error err = { 0 };
	if (yt_parse(d->main_file, buf, n, &d->tree, &err) < 0) {
		free(buf);
		d->tree = NULL;
		return 0;
	}
	d->tree_data = buf;
	collect_raw(d, d->tree);
	return d->r;
}

/* The raw text of vars.NAME in BASE's main file. */
static const char *raw_var(const struct draft *d, const char *name)
{
	if (!d->tree || d->tree->kind != YT_MAP)
		return NULL;
	for (size_t i = 0; i < d->tree->n; i++) {
		const struct yt_pair *p = &d->tree->pairs[i];
		if (strcmp(p->key.text, "vars") != 0 || p->value.kind != YT_MAP)
			continue;
		for (size_t j = 0; j < p->value.n; j++)
			if (strcmp(p->value.pairs[j].key.text, name) == 0 &&
			    p->value.pairs[j].value.kind == YT_SCALAR)
				return p->value.pairs[j].value.text;
	}
	return NULL;
}

/* The variables the draft declares, and what they may stand for. */
static void collect_vars(struct draft *d)
{
	const struct mb_profile *p = d->base ? d->base : d->l->cfg.profile;
	mb_vec_foreach(v, &p->vars) {
		if (!v->value || v->value[0] != '/' || mb_learn_secret_name(v->name))
			continue;
		if (d->base && !from_main(d, &v->pos) && !v->from_command_line)
			continue; /* a fragment's: its paths are the fragment's */
		char norm[PATH_MAX], real[PATH_MAX];
		struct mb_resolved rs;
		if (mb_path_normalize(v->value, norm, sizeof(norm)) <= 1 ||
		    mb_path_resolve(norm, real, sizeof(real), NULL, NULL, &rs) < 0)
			continue;
		struct dvar x = { .name = v->name, .val = escape_path(d, norm),
				  .canon = escape_path(d, real) };
		if (!x.val || !x.canon || mb_vec_push(&d->vars, x) < 0) {
			free(x.val);
			free(x.canon);
		}
	}
}

/* ---- runtime -------------------------------------------------------------- */

static void push_str(struct draft *d, void *vec, const char *s)
{
	MB_VEC(char *) *v = vec;
	char *c = xstrdup(d, s);
	if (c && mb_vec_push(v, c) < 0) {
		free(c);
		oom(d);
	}
}


struct tnode {
	char *name;
	MB_VEC(struct tnode *) kids;
	bool item;
	uint64_t count;
	const char *syscall;
	unsigned files; /* items beneath, itself included */
	bool in_call;
};

static void tnode_free(struct tnode *t)
{
	if (!t)
		return;
	mb_vec_foreach(k, &t->kids) tnode_free(*k);
	mb_vec_free(&t->kids);
	free(t->name);
	free(t);
}

static struct tnode *tnode_child(struct draft *d, struct tnode *t, const char *name, size_t len)
{
	mb_vec_foreach(k, &t->kids) {
		if (strlen((*k)->name) == len && memcmp((*k)->name, name, len) == 0)
			return *k;
	}
	struct tnode *k = calloc(1, sizeof(*k));
	if (!k || !(k->name = strndup(name, len)) || mb_vec_push(&t->kids, k) < 0) {
		if (k)
			free(k->name);
		free(k);
		oom(d);
		return NULL;
	}
	return k;
}

static void tnode_add(struct draft *d, struct tnode *root, const struct lentry *e, bool in_call)
{
	struct tnode *t = root;
	for (const char *p = e->text; t && *p;) {
		while (*p == '/')
			p++;
		size_t len = strcspn(p, "/");
		if (!len)
			break;
		t = tnode_child(d, t, p, len);
		p += len;
	}
	if (!t)
		return;
	if (!t->item)
		t->syscall = e->syscall;
	t->item = true;
	t->count += e->count;
	t->in_call |= in_call;
}

static unsigned tnode_count(struct tnode *t, uint64_t *count, bool *in_call)
{
	unsigned files = t->item ? 1 : 0;
	*count += t->count;
	*in_call |= t->in_call;
	mb_vec_foreach(k, &t->kids) files += tnode_count(*k, count, in_call);
	return files;
}

/* Emit the grants of the tree: an item covers what lies beneath it; a
 * directory deep enough with enough names observed beneath becomes one
 * grant. */
static void tnode_emit(struct draft *d, struct tnode *t, char *path, size_t len, unsigned depth,
		       enum mb_op op, bool collapse)
{
	if (t->item || (collapse && depth >= COLLAPSE_DEPTH && t->kids.n >= COLLAPSE_CHILDREN &&
			!mb_learn_too_wide(d->l, path))) {
		uint64_t count = 0;
		bool in_call = false;
		unsigned files = tnode_count(t, &count, &in_call);
		struct lentry e = { .count = count, .syscall = t->syscall };
		char *lit = literal(d, path);
		if (!lit)
			return;
		bool glob = op == MB_OP_READ && t->item && renamed(d, path);
		if (glob)
			lit = as_glob(d, lit);
		push_str(d, &d->cover[op], path);
		push_str(d, &d->lex[op], path);
		struct dline *x = add_line(d, &d->rt[op], lit,
					   glob ? RENAMED_WHY
					   : files > 1 || !t->item ? "collapsed" : "", &e);
		if (x) {
			x->files = files;
			x->in_call = in_call;
		}
		return;
	}
	mb_vec_foreach(k, &t->kids) {
		size_t n = strlen((*k)->name);
		if (len + 1 + n >= PATH_MAX)
			continue;
		path[len] = '/';
		memcpy(path + len + 1, (*k)->name, n + 1);
		tnode_emit(d, *k, path, len + 1 + n, depth + 1, op, collapse);
		path[len] = '\0';
	}
}

static bool under_any(const char *path, char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (mb_path_within(path, v[i]))
			return true;
	return false;
}

static bool configured_beneath(const struct mb_learner *l, const char *path)
{
	mb_vec_foreach(c, &l->conf) {
		if (mb_path_within(path, c->canon) || mb_path_within(path, c->path))
			return true;
	}
	return false;
}

/* Data a tool call had named before the operation first happened. */
static const struct ldata *data_of(const struct mb_learner *l, const struct lentry *e)
{
	const struct ldata *best = NULL;
	mb_vec_foreach(x, &l->data) {
		if (mb_path_within(e->text, x->canon) && components(x->canon) >= 2 &&
		    e->first_call_seq >= x->seq && (!best || strlen(x->canon) > strlen(best->canon)))
			best = x;
	}
	return best;
}

static bool is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool literal_pattern(const struct mb_path_pattern *pp)
{
	return !pp->has_glob && !pp->has_placeholder && !strchr(pp->text, '\\');
}

/* A BASE grant runtime keeps: what it names, for the names symlinks led
 * from. */
static void keep_base(struct draft *d, enum mb_op op, const struct mb_path_pattern *pp)
{
	bool have = false;
	mb_vec_foreach(x, &d->rt_base_used) have |= *x == pp;
	if (have)
		return;
	if (mb_vec_push(&d->rt_base_used, pp) < 0)
		oom(d);
	char real[PATH_MAX];
	struct mb_resolved rs;
	if (op < MB_PATH_OPS && literal_pattern(pp) &&
	    mb_path_resolve(pp->text, real, sizeof(real), NULL, NULL, &rs) == 0) {
		push_str(d, &d->cover[op], real);
		push_str(d, &d->lex[op], pp->text);
	}
}

static void runtime_base(struct draft *d, const struct lentry *e)
{
	if (e->base_ep) {
		if (!from_main(d, &e->base_ep->pos)) {
			d->include_hits += e->count;
			return;
		}
		char w[128];
		char *note = xprintf(d, "BASE's grant (%s)", where(&e->base_ep->pos, w, sizeof(w)));
		add_line(d, &d->rt[e->op], base_ep_text(d, e->base_ep), note, e);
		free(note);
		d->connects |= e->op == MB_OP_CONNECT;
		return;
	}
	const struct mb_path_pattern *pp = e->base_pp;
	if (!from_main(d, &pp->pos)) {
		d->include_hits += e->count;
		return;
	}
	keep_base(d, e->op, pp);
	char w[128];
	char *note = xprintf(d, "BASE's grant (%s)", where(&pp->pos, w, sizeof(w)));
	add_line(d, &d->rt[e->op], base_text(d, pp), note, e);
	free(note);
}

/* BASE's runtime grants nothing used that name, by other names (symlinks),
 * what a used one names: /lib/x86_64-linux-gnu beside /usr/lib/... The
 * decision names the first grant that allows an operation, but the server
 * may have asked by the other name, and the sandbox needs the link. */
static void base_other_names(struct draft *d)
{
	if (!d->base)
		return;
	for (unsigned o = 0; o < MB_PATH_OPS; o++)
		mb_vec_foreach(pp, &d->base->runtime.path[o]) {
			if (!from_main(d, &pp->pos) || !literal_pattern(pp))
				continue;
			bool used = false;
			mb_vec_foreach(x, &d->rt_base_used) used |= *x == pp;
			char real[PATH_MAX];
			struct mb_resolved rs;
			if (used || mb_path_resolve(pp->text, real, sizeof(real), NULL, NULL, &rs) < 0 ||
			    strcmp(real, pp->text) == 0 || !under_any(real, d->cover[o].v, d->cover[o].n))
				continue;
			keep_base(d, (enum mb_op)o, pp);
			char w[128];
			char *note = xprintf(d, "BASE's grant (%s): another name for what a used grant names, kept so that the sandbox recreates its links",
					     where(&pp->pos, w, sizeof(w)));
			add_line(d, &d->rt[o], base_text(d, pp), note, NULL);
			free(note);
		}
}

/* Files the system and the server's code are made of: a read of one during
 * a call is runtime's (a module loaded late, the time zone read the first
 * time a date is formatted, the CPUs counted by a worker thread), not the
 * call's. Secrets never are. */
bool mb_learn_system_file(const struct mb_learner *l, const char *path)
{
	mb_vec_foreach(c, &l->code) {
		if (strcmp(*c, path) == 0)
			return true; /* the server reading its own executable */
	}
	static const char *const dirs[] = { "/usr", "/lib", "/lib64", "/lib32", "/libx32", "/bin",
					    "/sbin", "/etc", "/sys" };
	static const char *const code[] = { "/node_modules/", "/site-packages/", "/dist-packages/" };
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++)
		if (mb_path_within(path, dirs[i]))
			return true;
	for (size_t i = 0; i < ARRAY_SIZE(code); i++)
		if (strstr(path, code[i]))
			return true;
	return false;
}

static void classify_runtime(struct draft *d)
{
	struct mb_learner *l = d->l;
	struct tnode *trees[MB_PATH_OPS] = { 0 };
	for (unsigned o = 0; o < MB_PATH_OPS; o++)
		if (!(trees[o] = calloc(1, sizeof(struct tnode))))
			oom(d);
	mb_vec_foreach(e, &l->runtime.entries) {
		switch (e->kind) {
		case LK_BASE:
			runtime_base(d, e);
			break;
		case LK_PATH: {
			const struct ldata *data = data_of(l, e);
			if (e->secret) {
				add_susp(d, &d->rt_susp, e, literal(d, e->text), susp_what(d, e),
					 "a secret store, touched at start-up or while idle");
			} else if (strcmp(e->text, "/") == 0 || (mb_learn_too_wide(l, e->text) && is_dir(e->text))) {
				add_susp(d, &d->rt_susp, e, literal(d, e->text), susp_what(d, e),
					 "a directory too wide to grant whole (the root, a top-level or home directory, or one holding a secret store)");
			} else if (data && !configured_beneath(l, e->text)) {
				char *why = xprintf(d, "while idle, in data a call of %s named (%s), which the server's configuration does not name",
						    data->tool, data->example ? data->example : "");
				add_susp(d, &d->rt_susp, e, literal(d, e->text), susp_what(d, e), why);
				free(why);
			} else if (trees[e->op]) {
				tnode_add(d, trees[e->op], e, false);
			}
			break;
		}
		case LK_ADDR:
			d->connects |= e->op == MB_OP_CONNECT;
			add_line(d, &d->rt[e->op], xstrdup(d, e->text), "at start-up or while idle", e);
			char *a = xstrdup(d, e->text);
			if (a && mb_vec_push(&d->rt_addrs, a) < 0) {
				free(a);
				oom(d);
			}
			break;
		case LK_NEVER:
			add_susp(d, &d->rt_susp, e, NULL, susp_what(d, e),
				 "never grantable, done at start-up or while idle");
			break;
		case LK_ARG:
			break;
		}
	}
	/* System and code files read during calls join runtime. */
	if (trees[MB_OP_READ])
		mb_vec_foreach(sp, &l->scopes) {
			mb_vec_foreach(e, &(*sp)->entries) {
				if (e->kind == LK_PATH && e->op == MB_OP_READ && !e->secret &&
				    (e->presence & ~(1u << MB_PRESENT_NONE)) &&
				    mb_learn_system_file(l, e->text) && !mb_learn_too_wide(l, e->text))
					tnode_add(d, trees[MB_OP_READ], e, true);
			}
		}
	char path[PATH_MAX];
	for (unsigned o = 0; o < MB_PATH_OPS; o++) {
		if (!trees[o])
			continue;
		path[0] = '\0';
		tnode_emit(d, trees[o], path, 0, 0, (enum mb_op)o, o != MB_OP_EXEC);
		tnode_free(trees[o]);
	}
	base_other_names(d);
	/* The names symlinks led from: the part of each that leads to a
	 * grant, so that the sandbox recreates the links. */
	MB_VEC(char *) names = { 0 };
	mb_vec_foreach(a, &l->aliases) {
		if (under_any(a->raw, d->lex[a->op].v, d->lex[a->op].n))
			continue; /* the draft spells it so already */
		const char *grant = NULL;
		for (size_t i = 0; i < d->cover[a->op].n; i++)
			if (mb_path_within(a->canon, d->cover[a->op].v[i]))
				grant = d->cover[a->op].v[i];
		if (!grant)
			continue; /* its target was not granted (suspicious, ...) */
		const char *tail = a->canon + strlen(grant);
		size_t rl = strlen(a->raw), tl = strlen(tail);
		char name[PATH_MAX];
		if (tl && rl > tl && strcmp(a->raw + rl - tl, tail) == 0)
			snprintf(name, sizeof(name), "%.*s", (int)(rl - tl), a->raw);
		else
			snprintf(name, sizeof(name), "%s", a->raw);
		if (mb_learn_too_wide(l, name) && tl)
			snprintf(name, sizeof(name), "%s", a->raw);
		bool covered = false;
		mb_vec_foreach(c, &d->cover[a->op]) covered |= mb_path_within(name, *c) != 0;
		if (covered)
			continue;
		struct dline *x = add_line(d, &d->rt[a->op], literal(d, name), NULL, NULL);
		if (x && !x->note)
			x->note = xprintf(d, "the name the server asked for: symlinks lead to %s", grant);
		char *n = xstrdup(d, name);
		if (n && mb_vec_push(&names, n) < 0) {
			free(n);
			oom(d);
		}
	}
	/* A name beneath another one granted adds nothing. */
	for (unsigned o = 0; o < MB_PATH_OPS; o++) {
		size_t k = 0;
		for (size_t i = 0; i < d->rt[o].n; i++) {
			struct dline *x = &d->rt[o].v[i];
			bool drop = false;
			mb_vec_foreach(n, &names) {
				char *t = literal(d, *n);
				drop |= t && strcmp(t, x->text) != 0 && strncmp(x->text, t, strlen(t)) == 0 &&
					x->text[strlen(t)] == '/';
				free(t);
			}
			if (drop) {
				free(x->text);
				free(x->note);
				free(x->example);
				continue;
			}
			d->rt[o].v[k++] = *x;
		}
		d->rt[o].n = k;
	}
	mb_vec_foreach(n, &names) free(*n);
	mb_vec_free(&names);
}

/* ---- tools and methods --------------------------------------------------- */

static bool runtime_covers(const struct draft *d, enum mb_op op, const char *path)
{
	return op < MB_PATH_OPS && under_any(path, d->cover[op].v, d->cover[op].n);
}

/* A file the configuration names, or its temporary sibling: the grant's
 * text and where it was named; NULL if none. */
static char *configured(struct draft *d, const char *path, const struct lconf **which)
{
	mb_vec_foreach(c, &d->l->conf) {
		if (c->is_dir)
			continue;
		const char *forms[2] = { c->canon, c->path };
		for (int i = 0; i < 2; i++) {
			size_t n = strlen(forms[i]);
			if (strcmp(path, forms[i]) == 0) {
				*which = c;
				return literal(d, forms[i]);
			}
			if (strncmp(path, forms[i], n) == 0 && path[n] == '.' && !strchr(path + n, '/')) {
				const char *dot = strrchr(path + n + 1, '.');
				char *base = escape_path(d, forms[i]);
				char *v = base ? put_vars(d, base) : NULL;
				free(base);
				if (!v)
					return NULL;
				bool plain = dot && dot[1] && dot > path + n + 1;
				for (const char *p = dot ? dot + 1 : ""; plain && *p; p++)
					plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
						(*p >= '0' && *p <= '9');
				char *g = plain ? xprintf(d, "%s.*%s", v, dot) : xprintf(d, "%s.*", v);
				free(v);
				*which = c;
				return g;
			}
		}
	}
	return NULL;
}

static void note_env_used(struct draft *d, const struct lconf *c)
{
	static const char prefix[] = "the environment variable ";
	if (strncmp(c->source, prefix, sizeof(prefix) - 1) != 0)
		return;
	const char *name = c->source + sizeof(prefix) - 1;
	mb_vec_foreach(e, &d->env_used) if (strcmp(*e, name) == 0) return;
	char *n = xstrdup(d, name);
	if (n && mb_vec_push(&d->env_used, n) < 0) {
		free(n);
		oom(d);
	}
}

static void classify_scope(struct draft *d, struct dscope *ds)
{
	const struct lscope *s = ds->s;
	const char *kind = s->kind == LS_TOOL ? "tool" : "method";
	/* Ancestors listed or created: a grant on the argument must be in
	 * force for the rule to allow them. */
	MB_VEC(const struct lentry *) ancestors = { 0 };
	mb_vec_foreach(e, &s->entries) {
		char w[128];
		switch (e->kind) {
		case LK_BASE: {
			if (e->base_ep) {
				char *note = xprintf(d, "BASE's grant (%s)", where(&e->base_ep->pos, w, sizeof(w)));
				add_line(d, &ds->g[e->op], base_ep_text(d, e->base_ep), note, e);
				free(note);
				d->connects |= e->op == MB_OP_CONNECT;
			} else {
				char *note = xprintf(d, "BASE's grant (%s)", where(&e->base_pp->pos, w, sizeof(w)));
				add_line(d, &ds->g[e->op], base_text(d, e->base_pp), note, e);
				free(note);
				d->placeholders |= e->base_pp->has_placeholder;
			}
			break;
		}
		case LK_ARG:
			if (e->access != MB_ACCESS_OPEN) {
				if (mb_vec_push(&ancestors, e) < 0)
					oom(d);
				break;
			}
			d->placeholders = true;
			add_line(d, &ds->g[e->op], xstrdup(d, e->text),
				 strstr(e->text, ".*") ? "a temporary sibling of the argument"
						       : "the argument, or beneath it",
				 e);
			break;
		case LK_PATH: {
			const struct lconf *c = NULL;
			char *g;
			if (runtime_covers(d, e->op, e->text)) {
				ds->covered += e->count;
			} else if (e->secret) {
				char *why = xprintf(d, "a secret store, during a call of %s %s", kind, s->name);
				add_susp(d, &ds->susp, e, literal(d, e->text), susp_what(d, e), why);
				free(why);
			} else if (s->in_base) {
				char *why = xprintf(d, "BASE does not grant it to %s %s", kind, s->name);
				add_susp(d, &ds->susp, e, literal(d, e->text), susp_what(d, e), why);
				free(why);
			} else if ((g = configured(d, e->text, &c))) {
				if (e->op == MB_OP_READ && renamed(d, e->text))
					g = as_glob(d, g);
				char *note = xprintf(d, "named by %s%s", c->source,
						     e->op == MB_OP_READ && renamed(d, e->text)
							     ? RENAMED_NOTE : "");
				add_line(d, &ds->g[e->op], g, note, e);
				free(note);
				note_env_used(d, c);
			} else if (!(e->presence & ~(1u << MB_PRESENT_NONE))) {
				ds->probes += e->count;
			} else {
				char *why = xprintf(d, "outside the arguments of %s %s and outside runtime",
						    kind, s->name);
				add_susp(d, &ds->susp, e, literal(d, e->text), susp_what(d, e), why);
				free(why);
			}
			break;
		}
		case LK_ADDR: {
			bool rt = false;
			mb_vec_foreach(a, &d->rt_addrs) rt |= strcmp(*a, e->text) == 0;
			bool conf = false;
			for (char *const *a = d->l->cfg.argv; a && *a; a++)
				conf |= strstr(*a, e->text) != NULL;
			if (rt) {
				ds->covered += e->count;
			} else if (e->named || conf) {
				char *note = e->named ? xprintf(d, "named by the argument %s", e->argname)
						      : xprintf(d, "named by the command line");
				add_line(d, &ds->g[e->op], xstrdup(d, e->text), note, e);
				free(note);
				d->connects |= e->op == MB_OP_CONNECT;
			} else {
				char *why = s->in_base
						    ? xprintf(d, "BASE does not grant it to %s %s", kind, s->name)
						    : xprintf(d, "no argument of %s %s names it, and runtime does not use it",
							      kind, s->name);
				add_susp(d, &ds->susp, e, xstrdup(d, e->text), susp_what(d, e), why);
				free(why);
			}
			break;
		}
		case LK_NEVER:
			add_susp(d, &ds->susp, e, NULL, susp_what(d, e), "never grantable");
			break;
		}
	}
	mb_vec_foreach(ap, &ancestors) {
		const struct lentry *e = *ap;
		bool have = false;
		for (unsigned o = MB_OP_READ; o <= MB_OP_WRITE; o++)
			mb_vec_foreach(x, &ds->g[o]) {
				if (strcmp(x->text, e->text) == 0 &&
				    (o == MB_OP_WRITE || e->access == MB_ACCESS_LIST))
					have = true;
			}
		enum mb_op op = e->access == MB_ACCESS_MKDIR ? MB_OP_WRITE : MB_OP_READ;
		struct dline *x = have ? NULL
				       : add_line(d, &ds->g[op], xstrdup(d, e->text),
						  e->access == MB_ACCESS_MKDIR
							  ? "so that the missing directories above the argument may be created"
							  : "so that the directories above the argument may be listed",
						  NULL);
		(void)x;
		d->placeholders = true;
	}
	mb_vec_free(&ancestors);
}

/* ---- arguments.within ----------------------------------------------------- */

static char *parent_of(struct draft *d, const char *path)
{
	char *p = xstrdup(d, path);
	char *slash = p ? strrchr(p, '/') : NULL;
	if (slash)
		*(slash == p ? slash + 1 : slash) = '\0';
	return p;
}

static char *common_dir(struct draft *d, const char *a, const char *b)
{
	char *c = xstrdup(d, a);
	while (c && !mb_path_within(b, c)) {
		char *p = parent_of(d, c);
		free(c);
		c = p;
	}
	return c;
}

static void compute_within(struct draft *d)
{
	struct mb_learner *l = d->l;
	MB_VEC(char *) c = { 0 };
	mb_vec_foreach(r, &l->roots) {
		char *dir = r->is_dir ? xstrdup(d, r->canon) : parent_of(d, r->canon);
		if (dir && mb_learn_too_wide(l, dir)) {
			free(dir);
			dir = xstrdup(d, r->canon);
			if (dir && mb_learn_too_wide(l, dir)) {
				free(dir);
				continue;
			}
		}
		if (!dir || mb_vec_push(&c, dir) < 0) {
			free(dir);
			oom(d);
		}
	}
	/* Merge two roots into their common directory while that is not too
	 * wide: the values of one tree become that tree. */
	for (bool merged = true; merged;) {
		merged = false;
		for (size_t i = 0; i < c.n && !merged; i++)
			for (size_t j = i + 1; j < c.n && !merged; j++) {
				char *lca = common_dir(d, c.v[i], c.v[j]);
				if (!lca)
					continue;
				if (mb_learn_too_wide(l, lca)) {
					free(lca);
					continue;
				}
				free(c.v[i]);
				free(c.v[j]);
				c.v[i] = lca;
				c.v[j] = c.v[--c.n];
				merged = true;
			}
	}
	/* BASE's own within stays; a root it holds adds nothing. */
	if (d->base)
		mb_vec_foreach(w, &d->base->within) {
			const char *raw = raw_at(d, &w->pos);
			char *t = raw ? xstrdup(d, raw) : xprintf(d, "%s%s", w->text, w->optional ? "?" : "");
			if (t && mb_vec_push(&d->within, t) < 0) {
				free(t);
				oom(d);
			}
		}
	mb_vec_foreach(x, &c) {
		bool held = false;
		mb_vec_foreach(y, &c) held |= y != x && mb_path_within(*x, *y) && strcmp(*x, *y) != 0;
		mb_vec_foreach(w, &l->base_within) held |= mb_path_match(w->text, *x);
		if (!held) {
			char *t = literal(d, *x);
			if (t && mb_vec_push(&d->within, t) < 0) {
				free(t);
				oom(d);
			}
		}
		free(*x);
	}
	mb_vec_free(&c);
}

/* ---- writing --------------------------------------------------------------- */

static void yq(struct mb_strbuf *b, const char *s)
{
	mb_strbuf_putc(b, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			mb_strbuf_printf(b, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			mb_strbuf_printf(b, "\\x%02x", *p);
		else
			mb_strbuf_putc(b, (char)*p);
	}
	mb_strbuf_putc(b, '"');
}

/* A comment: one line whatever the text holds. */
static void cmt_text(struct mb_strbuf *b, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		mb_strbuf_putc(b, *p < 0x20 || *p == 0x7f ? ' ' : (char)*p);
}

_printf_(3, 4) static void cmt(struct mb_strbuf *b, int indent, const char *fmt, ...)
{
	char *s;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->oom = true;
		return;
	}
	mb_strbuf_printf(b, "%*s# ", indent, "");
	cmt_text(b, s);
	mb_strbuf_putc(b, '\n');
	free(s);
}

static const char *plural(uint64_t n)
{
	return n == 1 ? "" : "s";
}

static void write_line(struct mb_strbuf *b, int indent, enum mb_op op, const struct dline *x,
		       const struct lscope *s)
{
	mb_strbuf_printf(b, "%*s- ", indent, "");
	yq(b, x->text);
	mb_strbuf_puts(b, "  # ");
	struct mb_strbuf c = { 0 };
	if (x->files > 1)
		mb_strbuf_printf(&c, "collapsed to the directory: %u names beneath it %s %" PRIu64 " time%s",
				 x->files, op_done[op], x->count, plural(x->count));
	else if (x->count)
		mb_strbuf_printf(&c, "%s %" PRIu64 " time%s", op_done[op], x->count, plural(x->count));
	if (x->count && x->syscall && *x->syscall && x->files <= 1)
		mb_strbuf_printf(&c, " (%s)", x->syscall);
	if (s && x->calls)
		mb_strbuf_printf(&c, " in %" PRIu64 " of %" PRIu64 " call%s", x->calls, s->calls,
				 plural(s->calls));
	else if (!s && x->count)
		mb_strbuf_puts(&c, x->in_call ? " at start-up, while idle or during calls (a system or code file)"
					      : " at start-up or while idle");
	if (x->note && *x->note && strcmp(x->note, "collapsed") != 0)
		mb_strbuf_printf(&c, "%s%s", c.len ? ": " : "", x->note);
	if (x->example && strcmp(x->example, "{}") != 0)
		mb_strbuf_printf(&c, "; e.g. %s", x->example);
	cmt_text(b, c.s ? c.s : "");
	mb_strbuf_free(&c);
	mb_strbuf_putc(b, '\n');
}

static void write_grants(struct mb_strbuf *b, int indent, dline_vec *g, const struct lscope *s)
{
	for (unsigned o = 0; o < MB_OP_COUNT_; o++) {
		if (!g[o].n)
			continue;
		mb_strbuf_printf(b, "%*s%s:\n", indent, "", op_key[o]);
		mb_vec_foreach(x, &g[o]) write_line(b, indent + 2, (enum mb_op)o, x, s);
	}
}

static bool any_grant(dline_vec *g)
{
	for (unsigned o = 0; o < MB_OP_COUNT_; o++)
		if (g[o].n)
			return true;
	return false;
}

static bool tool_called(const struct mb_learner *l, const char *name)
{
	mb_vec_foreach(sp, &l->scopes) {
		if ((*sp)->kind == LS_TOOL && strcmp((*sp)->name, name) == 0 && (*sp)->calls)
			return true;
	}
	return false;
}

static bool method_seen(const struct mb_learner *l, const char *m)
{
	mb_vec_foreach(x, &l->methods) if (strcmp(*x, m) == 0) return true;
	return false;
}

/* The draft's name: BASE's, else the package or script the command runs. */
static void draft_name(const struct draft *d, char *buf, size_t sz)
{
	if (d->base && d->base->name) {
		snprintf(buf, sz, "%s", d->base->name);
		return;
	}
	char *const *argv = d->l->cfg.argv;
	const char *pick = argv && argv[0] ? argv[0] : "learned";
	size_t len = strlen(pick);
	for (size_t i = 0; argv && argv[i]; i++) {
		const char *nm = strstr(argv[i], "node_modules/");
		if (nm) {
			const char *p = nm + strlen("node_modules/");
			if (*p == '@' && strchr(p, '/'))
				p = strchr(p, '/') + 1;
			pick = p;
			len = strcspn(p, "/");
			break;
		}
		if (i > 0 && argv[i][0] != '-' && strchr(argv[i], '/') && exists(argv[i])) {
			const char *slash = strrchr(argv[i], '/');
			pick = slash[1] ? slash + 1 : argv[i];
			len = strcspn(pick, ".");
			break;
		}
	}
	if (pick == argv[0] && strrchr(pick, '/')) {
		pick = strrchr(pick, '/') + 1;
		len = strlen(pick);
	}
	size_t o = 0;
	for (size_t i = 0; i < len && o + 1 < sz && o < 128; i++) {
		char c = pick[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			  c == '_' || c == '.' || c == '-';
		buf[o++] = ok ? c : '-';
	}
	buf[o] = '\0';
	if (!o)
		snprintf(buf, sz, "learned");
}

/* include: the fragments BASE read, by name when the draft would find the
 * same file by that name, else by path. */
static void write_include(struct draft *d, struct mb_strbuf *b, const char *draft_path,
			  const struct mb_load_opts *lo)
{
	if (!d->base || d->base->files.n < 2)
		return;
	mb_strbuf_puts(b, "include: [");
	for (size_t i = 1; i < d->base->files.n; i++) {
		const char *f = d->base->files.v[i];
		char real[PATH_MAX];
		if (!realpath(f, real))
			snprintf(real, sizeof(real), "%s", f);
		const char *slash = strrchr(real, '/');
		const char *base = slash ? slash + 1 : real;
		size_t bl = strlen(base);
		char name[NAME_MAX + 1] = "";
		if (bl > 4 && strcmp(base + bl - 4, ".yml") == 0 && bl - 4 < sizeof(name))
			snprintf(name, sizeof(name), "%.*s", (int)(bl - 4), base);
		/* The loader's search: beside the draft, then the directories. */
		char dir[PATH_MAX];
		snprintf(dir, sizeof(dir), "%s", draft_path);
		char *ds = strrchr(dir, '/');
		if (ds)
			*ds = '\0';
		else
			snprintf(dir, sizeof(dir), ".");
		bool by_name = false;
		for (size_t k = 0; name[0] && !by_name; k++) {
			const char *sd = k == 0 ? dir : lo->include_dirs ? lo->include_dirs[k - 1] : NULL;
			if (!sd)
				break;
			char cand[PATH_MAX + NAME_MAX + 16], cr[PATH_MAX];
			if (snprintf(cand, sizeof(cand), "%s/runtimes/%s.yml", sd, name) >= (int)sizeof(cand))
				continue;
			if (realpath(cand, cr)) {
				by_name = strcmp(cr, real) == 0;
				break; /* the first found is the one the loader takes */
			}
		}
		if (i > 1)
			mb_strbuf_puts(b, ", ");
		yq(b, by_name ? name : real);
	}
	mb_strbuf_puts(b, "]\n");
}

static void write_header(struct draft *d, struct mb_strbuf *b)
{
	struct mb_learner *l = d->l;
	cmt(b, 0, "Draft profile learned by membrane-run --learn (membrane %s), %s.", PACKAGE_VERSION,
	    l->started);
	mb_strbuf_puts(b, "# Command:");
	for (char *const *a = l->cfg.argv; a && *a; a++) {
		if (strlen(*a) > MB_LEARN_VALUE_MAX)
			mb_strbuf_printf(b, " (%zu bytes, not shown)", strlen(*a));
		else if (strchr(*a, '@') && strstr(*a, "://"))
			mb_strbuf_puts(b, " (a URL that may hold credentials, not shown)");
		else {
			mb_strbuf_putc(b, ' ');
			cmt_text(b, *a);
		}
	}
	mb_strbuf_putc(b, '\n');
	if (d->base)
		cmt(b, 0, "Static layer while learning: BASE, %s.", l->cfg.base_path);
	else
		cmt(b, 0, "Static layer while learning: the learning default (%s).",
		    l->cfg.default_summary ? l->cfg.default_summary : "see membrane-profile(5), LEARNING");
	const struct mb_learn_stats *st = &l->stats;
	cmt(b, 0, "Session: %" PRIu64 " request%s, %" PRIu64 " of them tools/call; %" PRIu64
		  " watched operation%s: %" PRIu64 " targets recorded, %" PRIu64
		  " on the sandbox's own /proc, /dev or tmpfs, %" PRIu64
		  " probes at start-up or idle of paths that exist nowhere (never granted), %" PRIu64
		  " pipes and sockets.",
	    st->requests, plural(st->requests), st->tool_calls, st->operations,
	    plural(st->operations), st->recorded, st->internal, st->probes, st->ignored);
	if (st->over_cap || l->scopes_over || l->aliases_over || l->roots_over || l->data_over)
		cmt(b, 0, "Over the recording caps, not in this draft: %" PRIu64 " targets, %" PRIu64
			  " tools or methods, %" PRIu64 " other records.",
		    st->over_cap, l->scopes_over, l->aliases_over + l->roots_over + l->data_over);
	mb_strbuf_puts(b, "#\n");
	cmt(b, 0, "Never exercised while learning (a draft grants only what it saw):");
	bool any = false;
	if (!l->saw_tools_list) {
		cmt(b, 0, "  the client never asked tools/list: which tools the server declares is unknown.");
		any = true;
	} else {
		struct mb_strbuf t = { 0 };
		mb_vec_foreach(n, &l->declared) {
			if (!tool_called(l, *n))
				mb_strbuf_printf(&t, "%s%s", t.len ? ", " : "", *n);
		}
		if (t.len) {
			cmt(b, 0, "  tools the server declared that no call used: %s", t.s);
			any = true;
		}
		mb_strbuf_free(&t);
	}
	static const struct {
		const char *cap, *sub;
		const char *methods[4];
	} offers[] = {
		{ "resources", NULL, { "resources/list", "resources/read", "resources/templates/list" } },
		{ "resources", "subscribe", { "resources/subscribe", "resources/unsubscribe" } },
		{ "prompts", NULL, { "prompts/list", "prompts/get" } },
		{ "completions", NULL, { "completion/complete" } },
		{ "logging", NULL, { "logging/setLevel" } },
	};
	struct mb_strbuf m = { 0 };
	for (size_t i = 0; l->capabilities && i < ARRAY_SIZE(offers); i++) {
		const cJSON *cap = cJSON_GetObjectItemCaseSensitive(l->capabilities, offers[i].cap);
		if (!cap || (offers[i].sub &&
			     !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(cap, offers[i].sub))))
			continue;
		for (size_t j = 0; j < 4 && offers[i].methods[j]; j++)
			if (!method_seen(l, offers[i].methods[j]))
				mb_strbuf_printf(&m, "%s%s", m.len ? ", " : "", offers[i].methods[j]);
	}
	if (m.len) {
		cmt(b, 0, "  request methods the server offers that the client never sent: %s", m.s);
		any = true;
	}
	mb_strbuf_free(&m);
	if (!l->capabilities) {
		cmt(b, 0, "  no initialize answer was seen: which methods the server offers is unknown.");
		any = true;
	}
	if (d->base) {
		struct mb_strbuf t = { 0 };
		mb_vec_foreach(tl, &d->base->tools) {
			if (!tool_called(l, tl->name))
				mb_strbuf_printf(&t, "%s%s", t.len ? ", " : "", tl->name);
		}
		mb_vec_foreach(rq, &d->base->requests) {
			if (!method_seen(l, rq->name))
				mb_strbuf_printf(&t, "%s%s", t.len ? ", " : "", rq->name);
		}
		if (t.len) {
			cmt(b, 0, "  what BASE declares that the session never used: %s", t.s);
			any = true;
		}
		mb_strbuf_free(&t);
	}
	if (!any)
		cmt(b, 0, "  nothing that the server declared or BASE named.");
	mb_strbuf_puts(b, "#\n");
	cmt(b, 0, "Review every line before use. Operations a call did beyond its own arguments and");
	cmt(b, 0, "runtime are not granted: see SUSPICIOUS at the end. Argument values longer than");
	cmt(b, 0, "%d bytes, or named like a secret or in redact, are never written.",
	    MB_LEARN_VALUE_MAX);
	mb_strbuf_putc(b, '\n');
}

static void write_vars(struct draft *d, struct mb_strbuf *b)
{
	const struct mb_profile *p = d->base ? d->base : d->l->cfg.profile;
	bool any = false;
	mb_vec_foreach(v, &p->vars) {
		/* BASE's own and those only --set declared; a fragment's stay
		 * the fragment's. Without BASE, every one (all from --set). */
		bool cmdline_only = v->from_command_line && v->pos.file &&
				    strcmp(v->pos.file, "command line") == 0;
		if (d->base && !from_main(d, &v->pos) && !cmdline_only)
			continue;
		if (!any)
			mb_strbuf_puts(b, "vars:\n");
		any = true;
		const char *raw = d->base ? raw_var(d, v->name) : NULL;
		mb_strbuf_printf(b, "  %s: ", v->name);
		if (mb_learn_secret_name(v->name) && !(raw && strstr(raw, "${") == raw)) {
			yq(b, "CHANGE-ME");
			mb_strbuf_puts(b, "  # named like a secret: its value is not written\n");
			continue;
		}
		yq(b, raw ? raw : v->value ? v->value : "");
		if (v->from_command_line)
			mb_strbuf_puts(b, "  # given with --set while learning");
		mb_strbuf_putc(b, '\n');
	}
}

static void write_env(struct draft *d, struct mb_strbuf *b)
{
	struct mb_strbuf e = { 0 };
	if (d->base) {
		mb_vec_foreach(x, &d->base->env) {
			if (!from_main(d, &x->pos))
				continue;
			const char *raw = raw_at(d, &x->pos);
			mb_strbuf_puts(&e, "    - ");
			if (x->value && mb_learn_secret_name(x->name) && !(raw && strstr(raw, "=${"))) {
				yq(&e, x->name);
				mb_strbuf_puts(&e, "  # named like a secret: passed through, its value not written\n");
			} else {
				yq(&e, raw ? raw : x->name);
				mb_strbuf_putc(&e, '\n');
			}
		}
	} else {
		mb_vec_foreach(n, &d->env_used) {
			mb_strbuf_puts(&e, "    - ");
			yq(&e, *n);
			mb_strbuf_puts(&e, "  # passed through: its value named a grant below\n");
		}
	}
	if (e.len) {
		mb_strbuf_puts(b, "  env:\n");
		mb_strbuf_append(b, e.s, e.len);
	}
	if (!d->base) {
		size_t n = d->l->cfg.plan->envp.n;
		cmt(b, 2, "The learning default passed %zu environment variable%s through; name here",
		    n, n == 1 ? "" : "s");
		cmt(b, 2, "those the server needs (values are never written into a draft).");
	}
	if (e.oom)
		b->oom = true;
	mb_strbuf_free(&e);
}

static void write_runtime(struct draft *d, struct mb_strbuf *b)
{
	mb_strbuf_puts(b, "runtime:\n");
	if (d->include_hits)
		cmt(b, 2, "%" PRIu64 " operation%s allowed by the included fragment%s.",
		    d->include_hits, plural(d->include_hits),
		    d->base && d->base->files.n > 2 ? "s" : "");
	write_grants(b, 2, d->rt, NULL);
	if (d->base) {
		/* BASE's runtime grants that nothing used. */
		for (unsigned o = 0; o < MB_PATH_OPS; o++)
			mb_vec_foreach(pp, &d->base->runtime.path[o]) {
				if (!from_main(d, &pp->pos))
					continue;
				bool used = false;
				mb_vec_foreach(u, &d->rt_base_used) used |= *u == pp;
				if (used)
					continue;
				char w[128];
				char *t = base_text(d, pp);
				cmt(b, 2, "BASE's %s grant %s (%s) was never exercised: left out", op_key[o],
				    t ? t : pp->text, where(&pp->pos, w, sizeof(w)));
				free(t);
			}
		bool tmpfs = false;
		mb_vec_foreach(t, &d->base->tmpfs) {
			if (!from_main(d, &t->pos))
				continue;
			if (!tmpfs)
				mb_strbuf_puts(b, "  tmpfs:\n");
			tmpfs = true;
			const char *raw = raw_at(d, &t->pos);
			mb_strbuf_puts(b, "    - ");
			yq(b, raw ? raw : t->text);
			mb_strbuf_putc(b, '\n');
		}
	} else if (d->l->tmpfs_used) {
		mb_strbuf_puts(b, "  tmpfs: [\"/tmp\"]  # the server used the private /tmp of the learning default\n");
	}
	write_env(d, b);
}

static void write_scope(struct draft *d, struct mb_strbuf *b, struct dscope *ds)
{
	const struct lscope *s = ds->s;
	struct mb_strbuf h = { 0 };
	mb_strbuf_printf(&h, "%" PRIu64 " call%s", s->calls, plural(s->calls));
	if (s->argnames.n) {
		mb_strbuf_puts(&h, "; arguments seen: ");
		mb_vec_foreach(a, &s->argnames) mb_strbuf_printf(&h, "%s%s", a == s->argnames.v ? "" : ", ", *a);
		if (s->argnames_cut)
			mb_strbuf_puts(&h, ", ...");
	}
	if (s->in_base)
		mb_strbuf_puts(&h, "; declared by BASE");
	if (ds->covered)
		mb_strbuf_printf(&h, "; %" PRIu64 " operation%s left to runtime", ds->covered,
				 plural(ds->covered));
	if (ds->probes)
		mb_strbuf_printf(&h, "; %" PRIu64 " probe%s of paths that exist nowhere", ds->probes,
				 plural(ds->probes));
	if (s->over_cap)
		mb_strbuf_printf(&h, "; %" PRIu64 " targets over the cap", s->over_cap);
	if (ds->susp.n)
		mb_strbuf_printf(&h, "; %zu operation%s flagged SUSPICIOUS at the end, not granted",
				 ds->susp.n, ds->susp.n == 1 ? "" : "s");
	cmt(b, 2, "%s", h.s ? h.s : "");
	mb_strbuf_free(&h);
	mb_strbuf_puts(b, "  ");
	yq(b, s->name);
	if (!any_grant(ds->g)) {
		mb_strbuf_puts(b, ": {}\n");
		return;
	}
	mb_strbuf_puts(b, ":\n");
	write_grants(b, 4, ds->g, s);
}

/* BASE's tool or method that nothing called: its grants, commented out. */
static void write_unused(struct draft *d, struct mb_strbuf *b, const struct mb_tool *t)
{
	cmt(b, 2, "never called while learning; BASE granted it:");
	mb_strbuf_puts(b, "  # ");
	yq(b, t->name);
	mb_strbuf_puts(b, ":");
	bool any = false;
	for (unsigned o = 0; o < MB_PATH_OPS; o++) {
		mb_vec_foreach(pp, &t->grants.path[o]) {
			char *x = base_text(d, pp);
			mb_strbuf_printf(b, " %s ", op_key[o]);
			yq(b, x ? x : pp->text);
			free(x);
			any = true;
		}
	}
	for (unsigned i = 0; i < 2; i++)
		mb_vec_foreach(ep, &t->grants.net[i]) {
			mb_strbuf_printf(b, " %s %s", op_key[MB_OP_CONNECT + i], ep->text);
			any = true;
		}
	mb_strbuf_puts(b, any ? "\n" : " {}\n");
}

static int scope_cmp_order(const struct draft *d, const struct dscope *a)
{
	/* The server's declared order first, then first seen. */
	if (a->s->kind == LS_TOOL)
		for (size_t i = 0; i < d->l->declared.n; i++)
			if (strcmp(d->l->declared.v[i], a->s->name) == 0)
				return (int)i;
	return 100000 + (int)a->s->order;
}

static const struct draft *sort_draft;

static int scope_cmp(const void *x, const void *y)
{
	int a = scope_cmp_order(sort_draft, x), b = scope_cmp_order(sort_draft, y);
	return a < b ? -1 : a > b;
}

static void write_scopes(struct draft *d, struct mb_strbuf *b, enum lscope_kind kind)
{
	bool any = false;
	const char *key = kind == LS_TOOL ? "tools" : "requests";
	mb_vec_foreach(ds, &d->scopes) {
		if (ds->s->kind != kind)
			continue;
		if (!any)
			mb_strbuf_printf(b, "%s:\n", key);
		any = true;
		write_scope(d, b, ds);
	}
	if (d->base) {
		const struct mb_tool *v = kind == LS_TOOL ? d->base->tools.v : d->base->requests.v;
		size_t n = kind == LS_TOOL ? d->base->tools.n : d->base->requests.n;
		for (size_t i = 0; i < n; i++) {
			bool used = false;
			mb_vec_foreach(ds, &d->scopes) used |= ds->s->kind == kind && strcmp(ds->s->name, v[i].name) == 0;
			if (used)
				continue;
			if (!any)
				mb_strbuf_printf(b, "%s:\n", key);
			any = true;
			write_unused(d, b, &v[i]);
		}
	}
	if (any)
		mb_strbuf_putc(b, '\n');
}

static void write_size(struct mb_strbuf *b, uint64_t v)
{
	static const char units[] = "KMGT";
	int u = -1;
	while (u < 3 && v && v % 1024 == 0) {
		v /= 1024;
		u++;
	}
	if (u >= 0)
		mb_strbuf_printf(b, "%" PRIu64 "%c", v, units[u]);
	else
		mb_strbuf_printf(b, "%" PRIu64, v);
}

static void write_tail(struct draft *d, struct mb_strbuf *b)
{
	const struct mb_profile *base = d->base;
	if (base && base->limits.pos.line) {
		const struct mb_limits *lim = &base->limits;
		mb_strbuf_puts(b, "limits: {");
		const char *sep = " ";
		if (lim->memory) {
			mb_strbuf_printf(b, "%smemory: ", sep);
			write_size(b, lim->memory);
			sep = ", ";
		}
		if (lim->tasks) {
			mb_strbuf_printf(b, "%stasks: %" PRIu64, sep, lim->tasks);
			sep = ", ";
		}
		if (lim->files)
			mb_strbuf_printf(b, "%sfiles: %" PRIu64, sep, lim->files);
		mb_strbuf_puts(b, " }  # BASE's\n");
	} else {
		cmt(b, 0, "Not learned: membrane's usual limits; raise them if the server needs more.");
		mb_strbuf_puts(b, "limits: { memory: 512M, tasks: 64, files: 1024 }\n");
	}
	/* redact: BASE's, and every argument name seen that looks secret. */
	MB_VEC(const char *) r = { 0 };
	if (base)
		mb_vec_foreach(x, &base->redact) if (mb_vec_push(&r, (const char *)*x) < 0) oom(d);
	mb_vec_foreach(sp, &d->l->scopes) {
		mb_vec_foreach(a, &(*sp)->argnames) {
			if (!mb_learn_secret_name(*a))
				continue;
			bool have = false;
			mb_vec_foreach(x, &r) have |= strcmp(*x, *a) == 0;
			if (!have && mb_vec_push(&r, (const char *)*a) < 0)
				oom(d);
		}
	}
	if (r.n) {
		mb_strbuf_puts(b, "redact: [");
		mb_vec_foreach(x, &r) {
			if (x != r.v)
				mb_strbuf_puts(b, ", ");
			yq(b, *x);
		}
		mb_strbuf_puts(b, "]\n");
	}
	mb_vec_free(&r);
}

static void write_susp_list(struct mb_strbuf *b, int indent, dsusp_vec *v, enum mb_op op,
			    const char *scope)
{
	bool opened = false;
	mb_vec_foreach(x, v) {
		if (x->op != op)
			continue;
		if (!opened && x->grant)
			mb_strbuf_printf(b, "# %*s%s:\n", indent, "", op_key[op]);
		opened |= x->grant != NULL;
		mb_strbuf_printf(b, "# %*s", indent + 2, "");
		mb_strbuf_puts(b, "# SUSPICIOUS: ");
		cmt_text(b, x->what);
		mb_strbuf_printf(b, " during %s: %" PRIu64 " time%s", scope, x->count, plural(x->count));
		if (x->calls)
			mb_strbuf_printf(b, " in %" PRIu64 " call%s", x->calls, plural(x->calls));
		if (x->syscall && *x->syscall)
			mb_strbuf_printf(b, " (%s)", x->syscall);
		mb_strbuf_printf(b, "; %s%s", x->path ? presence_words(x->presence) : "",
				 x->path ? "; " : "");
		cmt_text(b, x->why ? x->why : "");
		mb_strbuf_putc(b, '\n');
		if (x->example && strcmp(x->example, "{}") != 0) {
			mb_strbuf_printf(b, "# %*s#   arguments: ", indent + 2, "");
			cmt_text(b, x->example);
			mb_strbuf_putc(b, '\n');
		}
		if (x->grant) {
			mb_strbuf_printf(b, "# %*s- ", indent + 2, "");
			yq(b, x->grant);
			mb_strbuf_putc(b, '\n');
		}
	}
}

static void write_suspicious(struct draft *d, struct mb_strbuf *b)
{
	size_t n = d->rt_susp.n;
	mb_vec_foreach(ds, &d->scopes) n += ds->susp.n;
	mb_strbuf_putc(b, '\n');
	if (!n) {
		cmt(b, 0, "SUSPICIOUS: none. Every operation was BASE's, a call's own arguments', the");
		cmt(b, 0, "configuration's, or runtime's.");
		return;
	}
	mb_strbuf_puts(b, "# ---------------------------------------------------------------------------\n");
	cmt(b, 0, "SUSPICIOUS, flagged and not granted: %zu operation%s beyond a call's own", n,
	    n == 1 ? "" : "s");
	cmt(b, 0, "arguments and beyond runtime, in a secret store, or never grantable: what a");
	cmt(b, 0, "confused deputy does. Below, commented out, is what would grant each one: if the");
	cmt(b, 0, "server really needs it, move its line into the grants above.");
	mb_strbuf_puts(b, "# ---------------------------------------------------------------------------\n");
	if (d->rt_susp.n) {
		mb_strbuf_puts(b, "# runtime:\n");
		for (unsigned o = 0; o < MB_OP_COUNT_; o++)
			write_susp_list(b, 2, &d->rt_susp, (enum mb_op)o, "start-up or idle");
	}
	for (int kind = LS_TOOL; kind <= LS_REQUEST; kind++) {
		bool opened = false;
		mb_vec_foreach(ds, &d->scopes) {
			if ((int)ds->s->kind != kind || !ds->susp.n)
				continue;
			if (!opened)
				mb_strbuf_printf(b, "# %s:\n", kind == LS_TOOL ? "tools" : "requests");
			opened = true;
			mb_strbuf_puts(b, "#   ");
			yq(b, ds->s->name);
			mb_strbuf_puts(b, ":\n");
			char scope[300];
			snprintf(scope, sizeof(scope), "%s %s", kind == LS_TOOL ? "tool" : "method",
				 ds->s->name);
			for (unsigned o = 0; o < MB_OP_COUNT_; o++)
				write_susp_list(b, 4, &ds->susp, (enum mb_op)o, scope);
		}
	}
}

static void write_draft(struct draft *d, struct mb_strbuf *b, const char *path,
			const struct mb_load_opts *lo)
{
	const struct mb_profile *base = d->base;
	char name[160];
	write_header(d, b);
	mb_strbuf_puts(b, "version: 1\nname: ");
	draft_name(d, name, sizeof(name));
	yq(b, name);
	mb_strbuf_puts(b, "\ndescription: ");
	char *desc = xprintf(d, "draft learned by membrane-run --learn%s%s",
			     base && base->description ? " from: " : "",
			     base && base->description ? base->description : "");
	yq(b, desc ? desc : "draft");
	free(desc);
	mb_strbuf_putc(b, '\n');
	write_include(d, b, path, lo);
	write_vars(d, b);
	mb_strbuf_putc(b, '\n');
	write_runtime(d, b);
	mb_strbuf_putc(b, '\n');
	if (base) {
		mb_strbuf_printf(b, "network: %s\n", mb_network_name(base->network));
	} else if (d->connects) {
		cmt(b, 0, "Connections were seen: host shares the host's network (brokered is narrower).");
		mb_strbuf_puts(b, "network: host\n");
	} else {
		mb_strbuf_puts(b, "network: none\n");
	}
	mb_strbuf_puts(b, "unlisted_tools: deny\n");
	if (base && base->pin == MB_PIN_STRICT)
		mb_strbuf_puts(b, "pin: strict\n");
	if (base && base->concurrency == MB_CONCURRENCY_SERIAL)
		mb_strbuf_puts(b, "concurrency: serial\n");
	if (base && base->require_landlock)
		mb_strbuf_printf(b, "require_landlock: %d\n", base->require_landlock);
	if (base && base->user.set)
		mb_strbuf_printf(b, "user: \"%u:%u\"\n", (unsigned)base->user.uid,
				 (unsigned)base->user.gid);
	mb_strbuf_putc(b, '\n');
	if (d->within.n) {
		mb_strbuf_puts(b, "arguments:\n");
		cmt(b, 2, "The common roots of the argument values that named what the calls touched%s.",
		    base && base->within.n ? ", and BASE's own" : "");
		mb_strbuf_puts(b, "  within:\n");
		mb_vec_foreach(w, &d->within) {
			mb_strbuf_puts(b, "    - ");
			yq(b, *w);
			mb_strbuf_putc(b, '\n');
		}
		mb_strbuf_putc(b, '\n');
	} else if (d->placeholders) {
		cmt(b, 0, "No argument value had a root narrow enough for arguments.within: add one.");
	}
	write_scopes(d, b, LS_TOOL);
	write_scopes(d, b, LS_REQUEST);
	write_tail(d, b);
	write_suspicious(d, b);
}

/* ---- putting it together --------------------------------------------------- */

static void draft_free(struct draft *d)
{
	yt_free(d->tree);
	free(d->tree_data);
	mb_vec_free(&d->raw);
	mb_vec_foreach(v, &d->vars) {
		free(v->val);
		free(v->canon);
	}
	mb_vec_free(&d->vars);
	for (unsigned o = 0; o < MB_OP_COUNT_; o++) {
		mb_vec_foreach(x, &d->rt[o]) {
			free(x->text);
			free(x->note);
			free(x->example);
		}
		mb_vec_free(&d->rt[o]);
	}
	mb_vec_foreach(x, &d->rt_susp) {
		free(x->grant);
		free(x->what);
		free(x->why);
		free(x->example);
	}
	mb_vec_free(&d->rt_susp);
	mb_vec_free(&d->rt_base_used);
	for (unsigned o = 0; o < MB_PATH_OPS; o++) {
		mb_vec_foreach(c, &d->cover[o]) free(*c);
		mb_vec_free(&d->cover[o]);
		mb_vec_foreach(c, &d->lex[o]) free(*c);
		mb_vec_free(&d->lex[o]);
	}
	mb_vec_foreach(a, &d->rt_addrs) free(*a);
	mb_vec_free(&d->rt_addrs);
	mb_vec_foreach(ds, &d->scopes) {
		for (unsigned o = 0; o < MB_OP_COUNT_; o++) {
			mb_vec_foreach(x, &ds->g[o]) {
				free(x->text);
				free(x->note);
				free(x->example);
			}
			mb_vec_free(&ds->g[o]);
		}
		mb_vec_foreach(x, &ds->susp) {
			free(x->grant);
			free(x->what);
			free(x->why);
			free(x->example);
		}
		mb_vec_free(&ds->susp);
	}
	mb_vec_free(&d->scopes);
	mb_vec_foreach(w, &d->within) free(*w);
	mb_vec_free(&d->within);
	mb_vec_foreach(e, &d->env_used) free(*e);
	mb_vec_free(&d->env_used);
}

static int build(struct draft *d, struct mb_strbuf *b, const char *path,
		 const struct mb_load_opts *lo)
{
	if (d->base && d->base->files.n)
		d->main_file = d->base->files.v[0];
	int r = d->main_file ? read_base(d) : 0;
	if (r < 0)
		return r;
	collect_vars(d);
	classify_runtime(d);
	mb_vec_foreach(sp, &d->l->scopes) {
		if (!(*sp)->calls && !(*sp)->entries.n)
			continue;
		struct dscope *ds = mb_vec_new(&d->scopes);
		if (!ds) {
			oom(d);
			break;
		}
		ds->s = *sp;
		classify_scope(d, ds);
	}
	if (d->scopes.n > 1) {
		sort_draft = d;
		qsort(d->scopes.v, d->scopes.n, sizeof(*d->scopes.v), scope_cmp);
		sort_draft = NULL;
	}
	compute_within(d);
	write_draft(d, b, path, lo);
	if (mb_strbuf_failed(b))
		oom(d);
	return d->r;
}

static int write_file(const char *path, const char *text, size_t len)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return mb_neg_errno();
	for (size_t off = 0; off < len;) {
		ssize_t k = write(fd, text + off, len - off);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return mb_neg_errno();
		}
		off += (size_t)k;
	}
	if (fsync(fd) < 0)
		return mb_neg_errno();
	return 0;
}

/* Each lint warning as a comment above the line it names. */
static int annotate(const char *text, const mb_lint_vec *w, struct mb_strbuf *out)
{
	unsigned line = 1;
	const char *p = text;
	while (*p) {
		mb_vec_foreach(x, w) {
			if (x->pos.line == line) {
				mb_strbuf_puts(out, "# LINT: ");
				cmt_text(out, x->msg);
				mb_strbuf_printf(out, " [%s]\n", mb_lint_kind_name(x->kind));
			}
		}
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) + 1 : strlen(p);
		mb_strbuf_append(out, p, n);
		p += n;
		line++;
	}
	return mb_strbuf_failed(out) ? -ENOMEM : 0;
}

int mb_learner_write_draft(struct mb_learner *l, const char *path, const struct mb_load_opts *lo,
			   unsigned *nlint, struct mb_error *err)
{
	struct draft d = { .l = l, .base = l->cfg.base };
	struct mb_strbuf b = { 0 };
	int r = build(&d, &b, path, lo);
	draft_free(&d);
	if (r < 0) {
		mb_strbuf_free(&b);
		return mb_error_set(err, r, "the draft: %s", strerror(-r));
	}
	_cleanup_free_ char *tmp = NULL;
	if (asprintf(&tmp, "%s.tmp", path) < 0) {
		mb_strbuf_free(&b);
		return mb_error_set(err, -ENOMEM, "the draft: out of memory");
	}
	r = write_file(tmp, b.s, b.len);
	if (r < 0) {
		mb_strbuf_free(&b);
		unlink(tmp);
		return mb_error_set(err, r, "%s: cannot write the draft: %s", tmp, strerror(-r));
	}
	/* Loaded as `membrane-run --check --profile PATH` would load it. */
	struct mb_profile *p = NULL;
	struct mb_error lerr = { 0 };
	int lr = mb_profile_load(tmp, lo, &p, &lerr);
	struct mb_strbuf out = { 0 };
	mb_lint_vec warnings = { 0 };
	if (lr < 0) {
		mb_strbuf_puts(&out, "# membrane-run: THIS DRAFT DOES NOT LOAD: ");
		cmt_text(&out, lerr.msg);
		mb_strbuf_putc(&out, '\n');
		mb_strbuf_append(&out, b.s, b.len);
	} else {
		struct mb_lint_opts lopts = { .home = l->cfg.home };
		r = mb_lint(p, &lopts, &warnings);
		if (r == 0)
			r = annotate(b.s, &warnings, &out);
		mb_profile_free(p);
	}
	mb_strbuf_free(&b);
	if (nlint)
		*nlint = (unsigned)warnings.n;
	mb_lint_free(&warnings);
	if (r < 0 || mb_strbuf_failed(&out)) {
		mb_strbuf_free(&out);
		unlink(tmp);
		return mb_error_set(err, -ENOMEM, "the draft: out of memory");
	}
	r = write_file(tmp, out.s, out.len);
	mb_strbuf_free(&out);
	if (r == 0 && rename(tmp, path) < 0)
		r = mb_neg_errno();
	if (r < 0) {
		unlink(tmp);
		return mb_error_set(err, r, "%s: cannot write the draft: %s", path, strerror(-r));
	}
	if (lr < 0) {
		/* The message names the .tmp file the draft was checked as. */
		return mb_error_set(err, -EINVAL, "%s: the draft does not load: %s", path, lerr.msg);
	}
	return 0;
}
