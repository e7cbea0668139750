/* SPDX-License-Identifier: Apache-2.0 */
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
 * granted, evidence kept. learn-write.c writes it all down. */
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
#include "policy/decide.h"
#include "policy/lint.h"
#include "policy/match.h"
#include "policy/resolve.h"
#include "policy/load/yaml-tree.h"
#include "supervisor/learn/learn-draft.h"

#define COLLAPSE_CHILDREN 3 /* distinct names beneath a directory to collapse to it */
#define COLLAPSE_DEPTH 3    /* components a collapsed directory has at least */
#define MAX_BASE_FILE (1u << 20)

const char *const draft_op_key[MB_OP_COUNT_] = { "read", "write", "exec", "connect", "bind" };
const char *const draft_op_done[MB_OP_COUNT_] = { "read", "written", "executed",
						   "connected to", "bound" };

void draft_oom(struct draft *d)
{
	d->r = -ENOMEM;
}

char *draft_xstrdup(struct draft *d, const char *s)
{
	char *c = s ? strdup(s) : NULL;
	if (s && !c)
		draft_oom(d);
	return c;
}

_printf_(2, 3) char *draft_xprintf(struct draft *d, const char *fmt, ...)
{
	va_list ap;
	char *s;
	va_start(ap, fmt);
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		draft_oom(d);
		return NULL;
	}
	return s;
}

bool draft_exists(const char *path)
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
		draft_oom(d);
		return NULL;
	}
	return mb_strbuf_take(&b);
}

/* The longest variable whose value begins text (whole components) put back
 * as ${NAME}. */
static char *put_vars(struct draft *d, const char *text)
{
	const struct draft_var *best = NULL;
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
		return draft_xstrdup(d, text);
	return draft_xprintf(d, "${%s}%s", best->name, text + best_len);
}

/* A literal path for the draft, marked optional if it is gone now. */
static char *literal(struct draft *d, const char *path)
{
	char *e = escape_path(d, path);
	if (!e)
		return NULL;
	char *v = put_vars(d, e);
	free(e);
	if (v && !draft_exists(path)) {
		char *o = draft_xprintf(d, "%s?", v);
		free(v);
		v = o;
	}
	return v;
}

/* Why a read grant on a file renames replaced ends in '*'. */
#define RENAMED_WHY "a glob: renames replaced the file, and Landlock's rules follow inodes"
#define RENAMED_NOTE "; " RENAMED_WHY
/* Why a write grant on a file the server made ends in '*'. */
#define CREATED_WHY "a glob: the server creates the file, which the kernel allows only through a grant on its directory (the static layer widens the glob to it)"

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
	char *r = draft_xprintf(d, "%s*", g);
	free(g);
	return r;
}

const char *draft_raw_at(const struct draft *d, const struct mb_srcpos *pos)
{
	if (!pos->file || !d->main_file || strcmp(pos->file, d->main_file) != 0)
		return NULL;
	mb_vec_foreach(r, &d->raw) {
		if (r->line == pos->line && r->column == pos->column)
			return r->text;
	}
	return NULL;
}

bool draft_from_main(const struct draft *d, const struct mb_srcpos *pos)
{
	return pos->file && d->main_file && strcmp(pos->file, d->main_file) == 0;
}

/* A grant of BASE as BASE wrote it. */
char *draft_base_text(struct draft *d, const struct mb_path_pattern *pp)
{
	const char *raw = draft_raw_at(d, &pp->pos);
	if (raw)
		return draft_xstrdup(d, raw);
	return draft_xprintf(d, "%s%s", pp->text, pp->optional ? "?" : "");
}

static char *base_ep_text(struct draft *d, const struct mb_endpoint *ep)
{
	const char *raw = draft_raw_at(d, &ep->pos);
	return draft_xstrdup(d, raw ? raw : ep->text);
}

const char *draft_where(const struct mb_srcpos *pos, char *buf, size_t sz)
{
	const char *f = pos->file ? strrchr(pos->file, '/') : NULL;
	snprintf(buf, sz, "%s:%u", f ? f + 1 : pos->file ? pos->file : "?", pos->line);
	return buf;
}

/* ---- lines and suspicious operations ------------------------------------- */

static struct draft_grant *add_line(struct draft *d, draft_grant_vec *v, char *text, const char *note,
				    const struct learn_record *e)
{
	if (!text)
		return NULL;
	mb_vec_foreach(x, v) {
		if (strcmp(x->text, text) == 0) {
			free(text);
			if (e) {
				x->count += e->count;
				/* Two records of one grant may be of the same calls: the
				 * larger is what is known for sure. */
				x->calls = MB_MAX(x->calls, e->calls);
				if (!x->example && e->example)
					x->example = draft_xstrdup(d, e->example);
			}
			return x;
		}
	}
	struct draft_grant *x = mb_vec_new(v);
	if (!x) {
		free(text);
		draft_oom(d);
		return NULL;
	}
	x->text = text;
	x->note = draft_xstrdup(d, note);
	if (e) {
		x->count = e->count;
		x->calls = e->calls;
		x->syscall = e->syscall;
		x->example = draft_xstrdup(d, e->example);
	}
	return x;
}

static void add_susp(struct draft *d, draft_suspicious_vec *v, const struct learn_record *e, char *grant,
		     char *what, const char *why)
{
	mb_vec_foreach(x, v) {
		if (x->op == e->op && strcmp(x->what, what ? what : "") == 0) {
			x->count += e->count;
			x->calls = MB_MAX(x->calls, e->calls);
			x->presence |= e->presence;
			free(grant);
			free(what);
			return;
		}
	}
	struct draft_suspicious *x = mb_vec_new(v);
	if (!x || !what) {
		free(grant);
		free(what);
		draft_oom(d);
		return;
	}
	*x = (struct draft_suspicious){ .op = e->op, .grant = grant, .what = what,
					.why = draft_xstrdup(d, why), .syscall = e->syscall,
					.example = draft_xstrdup(d, e->example), .count = e->count,
					.calls = e->calls, .presence = e->presence,
					.path = e->basis == LEARN_BASIS_PATH && !e->named_only };
}

static char *susp_what(struct draft *d, const struct learn_record *e)
{
	if (e->basis == LEARN_BASIS_NEVER)
		return draft_xstrdup(d, e->text);
	return draft_xprintf(d, "%s %s", draft_op_key[e->op], e->text);
}

const char *draft_presence_words(unsigned p)
{
	if (p & (1u << MB_PRESENT))
		return "it exists in the sandbox";
	if (p & (1u << MB_PRESENT_NEW))
		return "the call created it";
	if (p & (1u << MB_PRESENT_OUTSIDE))
		return "a secret store of the host, absent from the sandbox";
	return "it exists nowhere";
}

/* ---- BASE as written ----------------------------------------------------- */

static void collect_raw(struct draft *d, const struct yt_node *n)
{
	switch (n->kind) {
	case YT_SCALAR: {
		struct draft_raw_scalar r = { n->line, n->column, n->text };
		if (n->text && mb_vec_push(&d->raw, r) < 0)
			draft_oom(d);
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
const char *draft_raw_var(const struct draft *d, const char *name)
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
		if (d->base && !draft_from_main(d, &v->pos) && !v->from_command_line)
			continue; /* a fragment's: its paths are the fragment's */
		char norm[PATH_MAX], real[PATH_MAX];
		struct mb_resolved rs;
		if (mb_path_normalize(v->value, norm, sizeof(norm)) <= 1 ||
		    mb_path_resolve(norm, real, sizeof(real), NULL, NULL, &rs) < 0)
			continue;
		struct draft_var x = { .name = v->name, .val = escape_path(d, norm),
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
	char *c = draft_xstrdup(d, s);
	if (c && mb_vec_push(v, c) < 0) {
		free(c);
		draft_oom(d);
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
	bool created;   /* the server made it: it was absent at first */
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
		draft_oom(d);
		return NULL;
	}
	return k;
}

static void tnode_add(struct draft *d, struct tnode *root, const struct learn_record *e,
		      bool in_call)
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
	t->created |= (e->presence & (1u << MB_PRESENT_NEW)) != 0;
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
		struct learn_record e = { .count = count, .syscall = t->syscall };
		char *lit = literal(d, path);
		if (!lit)
			return;
		bool glob = op == MB_OP_READ && t->item && renamed(d, path);
		bool made = op == MB_OP_WRITE && t->item && t->created && t->kids.n == 0;
		if (glob || made)
			lit = as_glob(d, lit);
		push_str(d, &d->cover[op], path);
		push_str(d, &d->lex[op], path);
		struct draft_grant *x = add_line(d, &d->rt[op], lit,
						 glob ? RENAMED_WHY
						 : made ? CREATED_WHY
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
static const struct learn_data_path *data_of(const struct mb_learner *l,
					     const struct learn_record *e)
{
	const struct learn_data_path *best = NULL;
	mb_vec_foreach(x, &l->data) {
		if (mb_path_within(e->text, x->canon) && mb_path_components(x->canon) >= 2 &&
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
		draft_oom(d);
	char real[PATH_MAX];
	struct mb_resolved rs;
	if (op < MB_PATH_OPS && literal_pattern(pp) &&
	    mb_path_resolve(pp->text, real, sizeof(real), NULL, NULL, &rs) == 0) {
		push_str(d, &d->cover[op], real);
		push_str(d, &d->lex[op], pp->text);
	}
}

static void runtime_base(struct draft *d, const struct learn_record *e)
{
	if (e->base_ep) {
		if (!draft_from_main(d, &e->base_ep->pos)) {
			d->include_hits += e->count;
			return;
		}
		char w[128];
		char *note = draft_xprintf(d, "BASE's grant (%s)", draft_where(&e->base_ep->pos, w, sizeof(w)));
		add_line(d, &d->rt[e->op], base_ep_text(d, e->base_ep), note, e);
		free(note);
		d->connects |= e->op == MB_OP_CONNECT;
		return;
	}
	const struct mb_path_pattern *pp = e->base_pp;
	if (!draft_from_main(d, &pp->pos)) {
		d->include_hits += e->count;
		return;
	}
	keep_base(d, e->op, pp);
	char w[128];
	char *note = draft_xprintf(d, "BASE's grant (%s)", draft_where(&pp->pos, w, sizeof(w)));
	add_line(d, &d->rt[e->op], draft_base_text(d, pp), note, e);
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
			if (!draft_from_main(d, &pp->pos) || !literal_pattern(pp))
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
			char *note = draft_xprintf(d, "BASE's grant (%s): another name for what a used grant names, kept so that the sandbox recreates its links",
					     draft_where(&pp->pos, w, sizeof(w)));
			add_line(d, &d->rt[o], draft_base_text(d, pp), note, NULL);
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

/* Did the learning default's static layer refuse op on path? Only the
 * learning default is known whole here: BASE's union holds its tools'
 * widened grants too. */
static bool refused_while_learning(struct draft *d, enum mb_op op, const char *path)
{
	const struct mb_profile *p = d->l->cfg.profile;
	if (d->base || op >= MB_PATH_OPS)
		return false;
	if (!d->learn_rt_built) {
		d->learn_rt_built = true;
		if (mb_callgrants_build(&p->runtime, NULL, "/", &d->learn_rt) < 0 ||
		    mb_callgrants_canonicalize(&d->learn_rt, NULL, 0) < 0)
			draft_oom(d);
	}
	return !mb_decide_path(&d->learn_rt, NULL, p, op, MB_ACCESS_OPEN, path, NULL);
}

/* Noise: an operation on the system, the server's own tree or a device
 * that the learning sandbox refused and the server went on without (ripgrep
 * making itself executable in node_modules, bash opening /dev/tty). Denied
 * while learning, denied enforced: quiet, never a secret nor what an
 * argument named. */
static bool noise(struct draft *d, const struct learn_record *e)
{
	if (e->basis != LEARN_BASIS_PATH || e->secret || e->outside ||
	    !(mb_path_within(e->text, "/dev") || mb_learn_system_file(d->l, e->text)))
		return false;
	return refused_while_learning(d, e->op, e->text);
}

static void add_quiet(struct draft *d, const struct learn_record *e, const char *where)
{
	char *note = draft_xprintf(d, "refused while learning %s, and the server went on", where);
	add_line(d, &d->quiet[e->op], literal(d, e->text), note, e);
	free(note);
}

/* A query to the host's resolver (a nameserver of /etc/resolv.conf, port
 * 53): name resolution. While learning without network it failed, and
 * unnamed it is no grant: noise. Egress by name is issue 15's. */
static bool resolver(const char *addr)
{
	FILE *f = fopen("/etc/resolv.conf", "re");
	char line[256];
	bool hit = false;
	while (f && !hit && fgets(line, sizeof(line), f)) {
		char ns[128], want[160];
		if (sscanf(line, " nameserver %127s", ns) != 1)
			continue;
		snprintf(want, sizeof(want), strchr(ns, ':') ? "[%s]:53" : "%s:53", ns);
		hit = strcmp(addr, want) == 0;
	}
	if (f)
		fclose(f);
	return hit;
}

/* Does the server's configuration (its command line, its environment)
 * name the address? */
static bool addr_configured(const struct draft *d, const char *addr)
{
	for (char *const *a = d->l->cfg.argv; a && *a; a++)
		if (strstr(*a, addr))
			return true;
	mb_vec_foreach(e, &d->l->cfg.plan->envp) {
		const char *eq = strchr(*e, '=');
		if (eq && strstr(eq + 1, addr))
			return true;
	}
	return false;
}

static void classify_runtime(struct draft *d)
{
	struct mb_learner *l = d->l;
	struct tnode *trees[MB_PATH_OPS] = { 0 };
	for (unsigned o = 0; o < MB_PATH_OPS; o++)
		if (!(trees[o] = calloc(1, sizeof(struct tnode))))
			draft_oom(d);
	mb_vec_foreach(e, &l->runtime.records) {
		switch (e->basis) {
		case LEARN_BASIS_BASE:
			runtime_base(d, e);
			break;
		case LEARN_BASIS_PATH: {
			const struct learn_data_path *data = data_of(l, e);
			if (e->secret) {
				add_susp(d, &d->rt_susp, e, literal(d, e->text), susp_what(d, e),
					 "a secret store, touched at start-up or while idle");
			} else if (strcmp(e->text, "/") == 0 || (mb_learn_too_wide(l, e->text) && is_dir(e->text))) {
				add_susp(d, &d->rt_susp, e, literal(d, e->text), susp_what(d, e),
					 "a directory too wide to grant whole (the root, a top-level or home directory, or one holding a secret store)");
			} else if (data && !configured_beneath(l, e->text)) {
				char *why = draft_xprintf(d, "while idle, in data a call of %s named (%s), which the server's configuration does not name",
						    data->tool, data->example ? data->example : "");
				add_susp(d, &d->rt_susp, e, literal(d, e->text), susp_what(d, e), why);
				free(why);
			} else if (noise(d, e)) {
				add_quiet(d, e, "at start-up or while idle");
			} else if (trees[e->op]) {
				tnode_add(d, trees[e->op], e, false);
			}
			break;
		}
		case LEARN_BASIS_ADDR: {
			if (!addr_configured(d, e->text) && resolver(e->text) && !d->base) {
				add_line(d, &d->quiet[e->op], draft_xstrdup(d, e->text),
					 "a name lookup, refused while learning (no network), and the server went on", e);
				break;
			}
			if (!addr_configured(d, e->text)) {
				/* Nothing asked for it: what a server reaching out on
				 * its own does, granted only by hand. */
				add_susp(d, &d->rt_susp, e, draft_xstrdup(d, e->text), susp_what(d, e),
					 "a connection at start-up or while idle that neither the command line nor the environment names");
				break;
			}
			d->connects |= e->op == MB_OP_CONNECT;
			add_line(d, &d->rt[e->op], draft_xstrdup(d, e->text), "named by the server's configuration", e);
			char *a = draft_xstrdup(d, e->text);
			if (a && mb_vec_push(&d->rt_addrs, a) < 0) {
				free(a);
				draft_oom(d);
			}
			break;
		}
		case LEARN_BASIS_NEVER:
			add_susp(d, &d->rt_susp, e, NULL, susp_what(d, e),
				 "never grantable, done at start-up or while idle");
			break;
		case LEARN_BASIS_ARG:
			break;
		}
	}
	/* System and code files read during calls join runtime. */
	if (trees[MB_OP_READ])
		mb_vec_foreach(sp, &l->scopes) {
			mb_vec_foreach(e, &(*sp)->records) {
				if (e->basis == LEARN_BASIS_PATH && e->op == MB_OP_READ &&
				    !e->secret && !e->outside && (e->presence & ~(1u << MB_PRESENT_NONE)) &&
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
		struct draft_grant *x = add_line(d, &d->rt[a->op], literal(d, name), NULL, NULL);
		if (x && !x->note)
			x->note = draft_xprintf(d, "the name %s: symlinks lead to %s",
						a->argv ? "its command line uses" : "the server asked for",
						grant);
		char *n = draft_xstrdup(d, name);
		if (n && mb_vec_push(&names, n) < 0) {
			free(n);
			draft_oom(d);
		}
	}
	/* A name beneath another one granted adds nothing. */
	for (unsigned o = 0; o < MB_PATH_OPS; o++) {
		size_t k = 0;
		for (size_t i = 0; i < d->rt[o].n; i++) {
			struct draft_grant *x = &d->rt[o].v[i];
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
static char *configured(struct draft *d, const char *path, const struct learn_config_path **which)
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
			if (strncmp(path, forms[i], n) == 0 && path[n] && strchr(".-~", path[n]) &&
			    !strchr(path + n, '/')) {
				const char *dot = strrchr(path + n + 1, '.');
				char *base = escape_path(d, forms[i]);
				char *v = base ? put_vars(d, base) : NULL;
				free(base);
				if (!v)
					return NULL;
				if (path[n] != '.') {
					/* SQLite's -journal, -wal, -shm; an editor's ~ */
					char *g = draft_xprintf(d, "%s%c*", v, path[n]);
					free(v);
					*which = c;
					return g;
				}
				bool plain = dot && dot[1] && dot > path + n + 1;
				for (const char *p = dot ? dot + 1 : ""; plain && *p; p++)
					plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
						(*p >= '0' && *p <= '9');
				char *g = plain ? draft_xprintf(d, "%s.*%s", v, dot) : draft_xprintf(d, "%s.*", v);
				free(v);
				*which = c;
				return g;
			}
		}
	}
	return NULL;
}

/* A record whose target existed nowhere: a probe, however it was seen. */
static bool nowhere(const struct learn_record *e)
{
	/* Seen to exist: in the sandbox, made by the call, or on the host.
	 * Anything else (nowhere, not resolved) is judged by the host now. */
	unsigned seen = e->presence &
			((1u << MB_PRESENT) | (1u << MB_PRESENT_NEW) | (1u << MB_PRESENT_HOST));
	return !seen && !draft_exists(e->text);
}

static bool is_program(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* A program a tool runs as its helper: a file of the system's or of the
 * server's own tree (git, ripgrep), or a shell or interpreter run in every
 * call of the tool (desktop-commander's start_process); a shell one call in
 * several runs is what a deputy does, and stays flagged. */
static bool helper(const struct draft *d, const struct learn_record *e,
		   const struct learn_scope *s)
{
	if (!is_program(e->text) || !mb_learn_system_file(d->l, e->text) ||
	    mb_learn_in_secret(d->l, e->text))
		return false;
	return !mb_lint_is_interpreter(e->text) || e->calls >= s->calls;
}

/* The directory of a file the configuration names (SQLite opens a
 * database's directory to fsync it): its list grant's text, or NULL. */
static char *configured_dir(struct draft *d, const char *path, const struct learn_config_path **which)
{
	struct stat st;
	if (stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
		return NULL;
	mb_vec_foreach(c, &d->l->conf) {
		if (c->is_dir)
			continue;
		const char *forms[2] = { c->canon, c->path };
		for (int i = 0; i < 2; i++) {
			const char *slash = strrchr(forms[i], '/');
			size_t n = slash ? (size_t)(slash - forms[i]) : 0;
			if (n && strlen(path) == n && strncmp(path, forms[i], n) == 0) {
				*which = c;
				return literal(d, path);
			}
		}
	}
	return NULL;
}

static void note_env_used(struct draft *d, const struct learn_config_path *c)
{
	static const char prefix[] = "the environment variable ";
	if (strncmp(c->source, prefix, sizeof(prefix) - 1) != 0)
		return;
	const char *name = c->source + sizeof(prefix) - 1;
	mb_vec_foreach(e, &d->env_used) if (strcmp(*e, name) == 0) return;
	char *n = draft_xstrdup(d, name);
	if (n && mb_vec_push(&d->env_used, n) < 0) {
		free(n);
		draft_oom(d);
	}
}

static void classify_scope(struct draft *d, struct draft_scope *ds)
{
	const struct learn_scope *s = ds->learned;
	const char *kind = s->kind == LEARN_SCOPE_TOOL ? "tool" : "method";
	/* Ancestors listed or created: a grant on the argument must be in
	 * force for the rule to allow them. */
	MB_VEC(const struct learn_record *) ancestors = { 0 };
	mb_vec_foreach(e, &s->records) {
		char w[128];
		switch (e->basis) {
		case LEARN_BASIS_BASE: {
			if (e->base_ep) {
				char *note = draft_xprintf(d, "BASE's grant (%s)", draft_where(&e->base_ep->pos, w, sizeof(w)));
				add_line(d, &ds->grants[e->op], base_ep_text(d, e->base_ep), note, e);
				free(note);
				d->connects |= e->op == MB_OP_CONNECT;
			} else {
				char *note = draft_xprintf(d, "BASE's grant (%s)", draft_where(&e->base_pp->pos, w, sizeof(w)));
				add_line(d, &ds->grants[e->op], draft_base_text(d, e->base_pp), note, e);
				free(note);
				d->placeholders |= e->base_pp->has_placeholder;
			}
			break;
		}
		case LEARN_BASIS_ARG:
			if (e->access != MB_ACCESS_OPEN) {
				if (mb_vec_push(&ancestors, e) < 0)
					draft_oom(d);
				break;
			}
			d->placeholders = true;
			if (strstr(e->text, ":-")) {
				/* {NAME:-VALUE}: the value as the variables spell it */
				const char *dflt = strstr(e->text, ":-") + 2;
				char *v = draft_xstrdup(d, dflt);
				if (v)
					v[strlen(v) - 1] = '\0'; /* the closing brace */
				char *pv = v ? put_vars(d, v) : NULL;
				char *note = draft_xprintf(d, "the argument, or beneath it; without it, the %s an earlier call gave (the server's own default)",
						     e->argname ? e->argname : "value");
				add_line(d, &ds->grants[e->op],
					 pv ? draft_xprintf(d, "%.*s%s}", (int)(dflt - e->text), e->text, pv) : NULL,
					 note, e);
				free(note);
				free(pv);
				free(v);
				break;
			}
			add_line(d, &ds->grants[e->op], draft_xstrdup(d, e->text),
				 strstr(e->text, ".*") ? "a temporary sibling of the argument"
				 : strstr(e->text, "}-*") || strstr(e->text, "}~*") ? "a sibling the server keeps beside the argument (a journal, a lock, a backup)"
						       : "the argument, or beneath it",
				 e);
			break;
		case LEARN_BASIS_PATH: {
			const struct learn_config_path *c = NULL;
			char *g;
			if (e->outside && e->named_only) {
				char *why = draft_xprintf(d, "a call out of scope: its argument %s lies outside the bounds (%s); widen them to take it in",
						    e->argname, d->l->bounds_from);
				add_susp(d, &ds->susp, e, NULL,
					 draft_xprintf(d, "%s names %s", e->argname, e->text), why);
				free(why);
			} else if (e->outside) {
				char *why = draft_xprintf(d, "named by the argument %s of %s %s, outside the bounds (%s)",
						    e->argname, kind, s->name, d->l->bounds_from);
				add_susp(d, &ds->susp, e, literal(d, e->text), susp_what(d, e), why);
				free(why);
			} else if (runtime_covers(d, e->op, e->text)) {
				ds->covered += e->count;
			} else if (e->secret) {
				char *why = draft_xprintf(d, "a secret store, during a call of %s %s", kind, s->name);
				add_susp(d, &ds->susp, e, literal(d, e->text), susp_what(d, e), why);
				free(why);
			} else if (s->in_base) {
				char *why = draft_xprintf(d, "BASE does not grant it to %s %s", kind, s->name);
				add_susp(d, &ds->susp, e, literal(d, e->text), susp_what(d, e), why);
				free(why);
			} else if ((g = configured(d, e->text, &c))) {
				if ((e->op == MB_OP_READ && renamed(d, e->text)) ||
				    (e->op == MB_OP_WRITE && (e->presence & (1u << MB_PRESENT_NEW)) &&
				     !strchr(g, '*')))
					g = as_glob(d, g);
				char *note = draft_xprintf(d, "named by %s%s", c->source,
						     e->op == MB_OP_READ && renamed(d, e->text)
							     ? RENAMED_NOTE : "");
				add_line(d, &ds->grants[e->op], g, note, e);
				free(note);
				note_env_used(d, c);
			} else if (nowhere(e)) {
				ds->probes += e->count;
			} else if (noise(d, e)) {
				char *where = draft_xprintf(d, "during %s %s", kind, s->name);
				add_quiet(d, e, where ? where : "during a call");
				free(where);
			} else if (e->op == MB_OP_EXEC && helper(d, e, s)) {
				char *note = draft_xprintf(d, "a program the server runs: in %" PRIu64 " of %" PRIu64 " call%s",
						     e->calls, s->calls, s->calls == 1 ? "" : "s");
				add_line(d, &ds->grants[MB_OP_EXEC], literal(d, e->text), note, e);
				free(note);
			} else if (e->op == MB_OP_READ && (g = configured_dir(d, e->text, &c))) {
				char *note = draft_xprintf(d, "the directory of the file %s names, opened itself (to sync it or list it)",
						     c->source);
				add_line(d, &ds->list, g, note, e);
				free(note);
			} else {
				char *why = e->op == MB_OP_EXEC && is_program(e->text)
						    ? draft_xprintf(d, "a shell or interpreter run in %" PRIu64 " of the %" PRIu64 " calls of %s %s, beyond its arguments (a program it always runs would be granted)",
							      e->calls, s->calls, kind, s->name)
						    : draft_xprintf(d, "outside the arguments of %s %s and outside runtime",
							      kind, s->name);
				add_susp(d, &ds->susp, e, literal(d, e->text), susp_what(d, e), why);
				free(why);
			}
			break;
		}
		case LEARN_BASIS_ADDR: {
			bool rt = false;
			mb_vec_foreach(a, &d->rt_addrs) rt |= strcmp(*a, e->text) == 0;
			bool conf = false;
			for (char *const *a = d->l->cfg.argv; a && *a; a++)
				conf |= strstr(*a, e->text) != NULL;
			if (rt) {
				ds->covered += e->count;
			} else if (!e->named && !conf && !d->base && resolver(e->text)) {
				add_line(d, &d->quiet[e->op], draft_xstrdup(d, e->text),
					 "a name lookup, refused while learning (no network), and the server went on", e);
			} else if (e->named || conf) {
				char *note = e->named ? draft_xprintf(d, "named by the argument %s", e->argname)
						      : draft_xprintf(d, "named by the command line");
				add_line(d, &ds->grants[e->op], draft_xstrdup(d, e->text), note, e);
				free(note);
				d->connects |= e->op == MB_OP_CONNECT;
			} else {
				char *why = s->in_base
						    ? draft_xprintf(d, "BASE does not grant it to %s %s", kind, s->name)
						    : draft_xprintf(d, "no argument of %s %s names it, and runtime does not use it",
							      kind, s->name);
				add_susp(d, &ds->susp, e, draft_xstrdup(d, e->text), susp_what(d, e), why);
				free(why);
			}
			break;
		}
		case LEARN_BASIS_NEVER:
			add_susp(d, &ds->susp, e, NULL, susp_what(d, e), "never grantable");
			break;
		}
	}
	/* {NAME:-DEFAULT} grants all that {NAME} does, and more. */
	for (unsigned o = 0; o < MB_PATH_OPS; o++) {
		size_t k = 0;
		for (size_t i = 0; i < ds->grants[o].n; i++) {
			struct draft_grant *x = &ds->grants[o].v[i];
			bool drop = false;
			size_t n = strlen(x->text);
			mb_vec_foreach(y, &ds->grants[o]) {
				drop |= y != x && x->text[0] == '{' && x->text[n - 1] == '}' &&
					strncmp(y->text, x->text, n - 1) == 0 &&
					strncmp(y->text + n - 1, ":-", 2) == 0;
			}
			if (drop) {
				free(x->text);
				free(x->note);
				free(x->example);
				continue;
			}
			ds->grants[o].v[k++] = *x;
		}
		ds->grants[o].n = k;
	}
	mb_vec_foreach(ap, &ancestors) {
		const struct learn_record *e = *ap;
		bool have = false;
		for (unsigned o = MB_OP_READ; o <= MB_OP_WRITE; o++)
			mb_vec_foreach(x, &ds->grants[o]) {
				if (strcmp(x->text, e->text) == 0 &&
				    (o == MB_OP_WRITE || e->access == MB_ACCESS_LIST))
					have = true;
			}
		enum mb_op op = e->access == MB_ACCESS_MKDIR ? MB_OP_WRITE : MB_OP_READ;
		struct draft_grant *x = have ? NULL
					     : add_line(d, &ds->grants[op], draft_xstrdup(d, e->text),
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
	char *p = draft_xstrdup(d, path);
	char *slash = p ? strrchr(p, '/') : NULL;
	if (slash)
		*(slash == p ? slash + 1 : slash) = '\0';
	return p;
}

static char *common_dir(struct draft *d, const char *a, const char *b)
{
	char *c = draft_xstrdup(d, a);
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
	if (l->cfg.within && (l->roots.n || d->placeholders)) {
		/* The bounds the user gave are the draft's. */
		mb_vec_foreach(b, &l->bounds) {
			char *t = literal(d, *b);
			if (t && mb_vec_push(&d->within, t) < 0) {
				free(t);
				draft_oom(d);
			}
		}
		return;
	}
	MB_VEC(char *) c = { 0 };
	mb_vec_foreach(r, &l->roots) {
		char *dir = r->is_dir ? draft_xstrdup(d, r->canon) : parent_of(d, r->canon);
		if (dir && (mb_learn_too_wide(l, dir) || !mb_learn_in_bounds(l, dir))) {
			free(dir);
			dir = draft_xstrdup(d, r->canon);
			if (dir && mb_learn_too_wide(l, dir)) {
				free(dir);
				continue;
			}
		}
		if (!dir || mb_vec_push(&c, dir) < 0) {
			free(dir);
			draft_oom(d);
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
				if (mb_learn_too_wide(l, lca) || !mb_learn_in_bounds(l, lca)) {
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
			const char *raw = draft_raw_at(d, &w->pos);
			char *t = raw ? draft_xstrdup(d, raw) : draft_xprintf(d, "%s%s", w->text, w->optional ? "?" : "");
			if (t && mb_vec_push(&d->within, t) < 0) {
				free(t);
				draft_oom(d);
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
				draft_oom(d);
			}
		}
		free(*x);
	}
	mb_vec_free(&c);
}

/* ---- putting it together --------------------------------------------------- */

void draft_free(struct draft *d)
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
		for (unsigned o = 0; o <= MB_OP_COUNT_; o++) {
			draft_grant_vec *v = o < MB_OP_COUNT_ ? &ds->grants[o] : &ds->list;
			mb_vec_foreach(x, v) {
				free(x->text);
				free(x->note);
				free(x->example);
			}
			mb_vec_free(v);
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
	for (unsigned o = 0; o < MB_OP_COUNT_; o++) {
		mb_vec_foreach(x, &d->quiet[o]) {
			free(x->text);
			free(x->note);
			free(x->example);
		}
		mb_vec_free(&d->quiet[o]);
	}
	if (d->learn_rt_built)
		mb_callgrants_free(&d->learn_rt);
}

/* A name the server asked for and never connected to (its lookup failed
 * while learning, or the server went on without it: telemetry, update
 * checks): quiet, NAME:*, so that enforced its refusal (NXDOMAIN, as
 * good as the failure it lived with) is counted, not reported line by
 * line. Never a grant. */
static void quiet_names(struct draft *d)
{
	mb_vec_foreach(n, &d->l->names) {
		if (n->connected)
			continue;
		char *note = draft_xprintf(d, "a name looked up %" PRIu64 " time%s while learning and "
					      "never connected to: refused (NXDOMAIN) enforced",
					   n->asked, n->asked == 1 ? "" : "s");
		struct learn_record e = { .basis = LEARN_BASIS_ADDR, .op = MB_OP_CONNECT,
					  .count = n->asked, .syscall = "dns" };
		add_line(d, &d->quiet[MB_OP_CONNECT], draft_xprintf(d, "%s:*", n->name), note, &e);
		free(note);
	}
}

int draft_build(struct draft *d)
{
	if (d->base && d->base->files.n)
		d->main_file = d->base->files.v[0];
	int r = d->main_file ? read_base(d) : 0;
	if (r < 0)
		return r;
	collect_vars(d);
	classify_runtime(d);
	mb_vec_foreach(sp, &d->l->scopes) {
		if (!(*sp)->calls && !(*sp)->records.n)
			continue;
		struct draft_scope *ds = mb_vec_new(&d->scopes);
		if (!ds) {
			draft_oom(d);
			break;
		}
		ds->learned = *sp;
		classify_scope(d, ds);
	}
	quiet_names(d);
	compute_within(d);
	return d->r;
}

