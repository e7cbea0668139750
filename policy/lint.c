/* SPDX-License-Identifier: Apache-2.0 */
/* The profile linter (policy/lint.h). Every path check looks at what a grant
 * reaches in the static layer, the way the plan compiler widens it
 * (policy/widen.h): a placeholder reaches each arguments.within entry (or
 * its fixed prefix, or /), a glob its parent. That is what the kernel grants
 * however well the dynamic layer narrows it per call, and it is what a
 * reviewer should see. */
#include <arpa/inet.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "common/strbuf.h"
#include "policy/addr-class.h"
#include "policy/lint.h"
#include "policy/match.h"
#include "policy/resolve.h"
#include "policy/widen.h"

static const char *const kind_names[MB_LINT_COUNT_] = {
	[MB_LINT_WRITE_CODE] = "write-code",
	[MB_LINT_WRITE_EXEC] = "write-exec",
	[MB_LINT_READ_WHOLESALE] = "read-wholesale",
	[MB_LINT_READ_SECRET] = "read-secret",
	[MB_LINT_CONNECT_ANY] = "connect-any",
	[MB_LINT_CONNECT_METADATA] = "connect-metadata",
	[MB_LINT_EXEC_INTERPRETER] = "exec-interpreter",
	[MB_LINT_UNLISTED_ALLOW] = "unlisted-allow",
	[MB_LINT_PLACEHOLDER_ROOT] = "placeholder-root",
	[MB_LINT_GLOB_WIDE] = "glob-wide",
	[MB_LINT_MODE_AUDIT] = "mode-audit",
	[MB_LINT_LIMITS] = "limits",
};

const char *mb_lint_kind_name(enum mb_lint_kind k)
{
	return (unsigned)k < MB_LINT_COUNT_ ? kind_names[k] : "?";
}

/* Secret stores beneath a home directory, and elsewhere. */
static const char *const home_secrets[] = {
	".ssh", ".aws", ".azure", ".config/gcloud", ".kube", ".docker", ".gnupg",
	".password-store", ".netrc", ".pgpass", ".git-credentials", ".npmrc", ".pypirc",
	".config/gh", ".vault-token",
};
static const char *const system_secrets[] = {
	"/etc/shadow", "/etc/shadow-", "/etc/gshadow", "/etc/gshadow-", "/etc/ssh",
	"/etc/ssl/private", "/etc/sudoers", "/etc/krb5.keytab", "/run/secrets",
	"/var/run/secrets",
};

/* Shells and interpreters, by family: a version suffix is dropped first
 * (python3.11 is python, perl5.36.0 perl). */
static const char *const interpreters[] = {
	"sh", "bash", "rbash", "dash", "ash", "zsh", "ksh", "mksh", "csh", "tcsh", "fish",
	"busybox", "python", "pypy", "perl", "ruby", "node", "deno", "bun", "php", "lua",
	"luajit", "tclsh", "wish", "awk", "gawk", "mawk", "nawk", "Rscript", "java",
};
/* What a directory of programs is looked into for. */
static const char *const probe_names[] = {
	"sh", "bash", "dash", "zsh", "python3", "python", "perl", "ruby", "node", "php", "lua",
};
static const char *const bin_dirs[] = {
	"/bin", "/usr/bin", "/usr/local/bin", "/sbin", "/usr/sbin", "/usr/local/sbin",
};

static const char *const metadata_names[] = { "metadata.google.internal", "metadata" };

typedef MB_VEC(char *) str_vec;

struct linter {
	const struct mb_profile *p;
	mb_lint_vec *out;
	str_vec homes;   /* patterns: /root, /home/NAME (a glob), $HOME */
	str_vec secrets; /* patterns of secret stores */
	char own_family[32]; /* the server's own interpreter, "" if none */
	int r;               /* sticky -ENOMEM */
};

_printf_(4, 5) static void warn(struct linter *L, enum mb_lint_kind kind,
				const struct mb_srcpos *pos, const char *fmt, ...)
{
	if (L->r < 0)
		return;
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	mb_vec_foreach(w, L->out) {
		if (w->kind == kind && w->pos.file == pos->file && w->pos.line == pos->line &&
		    w->pos.column == pos->column && strcmp(w->msg, buf) == 0)
			return; /* one host name, several addresses; one within, many grants */
	}
	struct mb_lint_warning *w = mb_vec_new(L->out);
	if (!w || !(w->msg = strdup(buf))) {
		L->r = -ENOMEM;
		return;
	}
	w->kind = kind;
	w->pos = *pos;
}

static const char *at(const struct mb_srcpos *pos, char *buf, size_t sz)
{
	snprintf(buf, sz, "%s:%u", pos->file ? pos->file : "?", pos->line);
	return buf;
}

/* Does pattern name exactly path (not something beneath it)? */
static bool names_exactly(const char *pattern, const char *path)
{
	return mb_path_match(pattern, path) && mb_path_components(pattern) == mb_path_components(path);
}

static bool within_arguments(const struct mb_profile *p, const char *path)
{
	mb_vec_foreach(w, &p->within) {
		if (mb_path_match(w->text, path))
			return true;
	}
	return false;
}

static const char *op_verb(enum mb_op op)
{
	return mb_op_name(op);
}

/* ---- what a path grant reaches ---- */

struct reach {
	const char *path;            /* plain, as widened */
	const struct mb_srcpos *pos; /* where to point: the grant, or the within entry */
	bool via_within;
};

typedef int (*reach_fn)(struct linter *L, const struct mb_path_pattern *pp, enum mb_op op,
			const struct reach *r, void *ud);

static int each_reach(struct linter *L, const struct mb_path_pattern *pp, enum mb_op op,
		      reach_fn fn, void *ud)
{
	char prefix[PATH_MAX];
	int n = mb_pattern_fixed_prefix(pp->text, prefix, sizeof(prefix));
	if (n < 0)
		return 0; /* too long to be anything the loader accepted */
	struct reach r = { .path = prefix, .pos = &pp->pos };
	if (n > 0)
		return fn(L, pp, op, &r, ud);
	if (!pp->has_placeholder || L->p->within.n == 0) {
		r.path = "/";
		return fn(L, pp, op, &r, ud);
	}
	mb_vec_foreach(w, &L->p->within) {
		r = (struct reach){ .path = w->text, .pos = &w->pos, .via_within = true };
		int ret = fn(L, pp, op, &r, ud);
		if (ret)
			return ret;
	}
	return 0;
}

/* Every path grant of every scope, with its op. */
typedef void (*site_fn)(struct linter *L, const struct mb_path_pattern *pp, enum mb_op op,
			bool runtime);

static void each_site(struct linter *L, site_fn fn)
{
	const struct mb_profile *p = L->p;
	for (unsigned op = 0; op < MB_PATH_OPS; op++) {
		mb_vec_foreach(pp, &p->runtime.path[op]) fn(L, pp, (enum mb_op)op, true);
		mb_vec_foreach(t, &p->tools) {
			mb_vec_foreach(pp, &t->grants.path[op]) fn(L, pp, (enum mb_op)op, false);
		}
		mb_vec_foreach(t, &p->requests) {
			mb_vec_foreach(pp, &t->grants.path[op]) fn(L, pp, (enum mb_op)op, false);
		}
	}
}

/* The reach as the subject of a message: the path, and the pattern it
 * comes from when the static layer widened it there. A reach through
 * arguments.within points at the within entry, which many grants share:
 * the path alone, so that their warnings are one. */
static const char *subject(const struct mb_path_pattern *pp, const struct reach *r, char *buf,
			   size_t sz)
{
	if (r->via_within || (!pp->has_glob && !pp->has_placeholder))
		snprintf(buf, sz, "%s", r->path);
	else
		snprintf(buf, sz, "%s (where the static layer widens '%s')", r->path, pp->text);
	return buf;
}

/* ---- breadth: placeholders and globs that reach too far ---- */

static bool is_home_or_above(struct linter *L, const char *path, const char **which)
{
	if (strcmp(path, "/") == 0) {
		*which = "/";
		return true;
	}
	mb_vec_foreach(h, &L->homes) {
		if (names_exactly(*h, path) || mb_path_match_ancestor(*h, path)) {
			*which = *h;
			return true;
		}
	}
	return false;
}

/* Returns 1 when it warned, so that the read checks stay quiet. */
static int breadth(struct linter *L, const struct mb_path_pattern *pp, enum mb_op op,
		   const struct reach *r)
{
	const char *home;
	if (r->via_within && strcmp(r->path, "/") == 0) {
		warn(L, MB_LINT_PLACEHOLDER_ROOT, r->pos,
		     "arguments.within '/' bounds nothing: a path argument may name any file (name the directory the server works in)");
		return 1;
	}
	if (pp->has_placeholder && !r->via_within && strcmp(r->path, "/") == 0) {
		warn(L, MB_LINT_PLACEHOLDER_ROOT, r->pos,
		     "'%s' takes any path: no arguments.within bounds the argument, so the whole root is granted %s (add arguments: { within: [DIR] })",
		     pp->text, op_verb(op));
		return 1;
	}
	if (pp->has_glob && !pp->has_placeholder && is_home_or_above(L, r->path, &home)) {
		if (strcmp(home, "/") == 0)
			warn(L, MB_LINT_GLOB_WIDE, r->pos,
			     "'%s' widens to / in the static layer: the kernel grants %s on the whole root (start the pattern with the directory it lies in)",
			     pp->text, op_verb(op));
		else
			warn(L, MB_LINT_GLOB_WIDE, r->pos,
			     "'%s' widens to %s in the static layer, which takes in the home %s %s: the kernel grants %s on all of it (start the pattern with the directory it lies in)",
			     pp->text, r->path, names_exactly(home, r->path) ? "directory" : "directories",
			     home, op_verb(op));
		return 1;
	}
	return 0;
}

/* ---- read: home directories, /etc, secrets ---- */

static void read_checks(struct linter *L, const struct mb_path_pattern *pp, const struct reach *r)
{
	const char *path = r->path;
	char what[PATH_MAX + 128];
	subject(pp, r, what, sizeof(what));
	if (strcmp(path, "/") == 0) {
		warn(L, MB_LINT_READ_WHOLESALE, r->pos,
		     "read of %s takes in the whole filesystem, every home directory and /etc with it (grant the directories the server needs)",
		     what);
		return;
	}
	if (strcmp(path, "/etc") == 0) {
		warn(L, MB_LINT_READ_WHOLESALE, r->pos,
		     "read of %s takes in /etc whole, /etc/shadow and the host's keys with it (grant the files the server reads, such as /etc/ssl/certs)",
		     what);
		return;
	}
	mb_vec_foreach(h, &L->homes) {
		if (names_exactly(*h, path)) {
			warn(L, MB_LINT_READ_WHOLESALE, r->pos,
			     "read of %s takes in a home directory whole, its keys, tokens and history with it (grant the one directory the server works in)",
			     what);
			return;
		}
		if (mb_path_match_ancestor(*h, path)) {
			warn(L, MB_LINT_READ_WHOLESALE, r->pos,
			     "read of %s takes in the home directories %s (grant the one directory the server works in)",
			     what, *h);
			return;
		}
	}
	mb_vec_foreach(s, &L->secrets) {
		if (mb_path_match(*s, path)) {
			warn(L, MB_LINT_READ_SECRET, r->pos,
			     "read of %s, in the secret store %s (remove it; give the server the one credential it needs, in an environment variable)",
			     what, *s);
			return;
		}
		if (mb_path_match_ancestor(*s, path)) {
			warn(L, MB_LINT_READ_SECRET, r->pos,
			     "read of %s takes in the secret store %s (grant the files the server needs, not the directory that holds them)",
			     what, *s);
			return;
		}
	}
}

/* ---- write: over code, inside exec trees ---- */

/* Code by its name: a program's tree (node_modules, site-packages), the
 * system's directories, or a file a runtime loads (.js, .py, .so, ...). */
static bool code_like(const char *path)
{
	static const char *const dirs[] = { "/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin",
					    "/etc", "/opt", "/boot" };
	static const char *const trees[] = { "/node_modules/", "/node_modules", "/site-packages",
					     "/dist-packages", "/.git/hooks" };
	static const char *const exts[] = { ".js", ".mjs", ".cjs", ".ts", ".py", ".pyc", ".so",
					    ".node", ".sh", ".rb", ".pl", ".php", ".lua", ".jar",
					    ".wasm", ".class" };
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++)
		if (mb_path_within(path, dirs[i]))
			return true;
	for (size_t i = 0; i < ARRAY_SIZE(trees); i++)
		if (strstr(path, trees[i]))
			return true;
	const char *base = strrchr(path, '/'), *dot = base ? strrchr(base, '.') : NULL;
	for (size_t i = 0; dot && i < ARRAY_SIZE(exts); i++)
		if (strcmp(dot, exts[i]) == 0)
			return true;
	return false;
}

/* A runtime read grant that is data, not code: runtime also writes it (a
 * database the command line names, its journal beside it) and nothing in
 * its name says code. A server reads and writes its data; it reads its
 * code. */
static bool is_data(const struct mb_profile *p, const char *path)
{
	if (code_like(path))
		return false;
	mb_vec_foreach(w, &p->runtime.path[MB_OP_WRITE]) {
		char prefix[PATH_MAX];
		if (mb_pattern_fixed_prefix(w->text, prefix, sizeof(prefix)) > 0 &&
		    mb_path_within(path, prefix) && !code_like(prefix))
			return true;
	}
	return false;
}

struct code_ctx {
	const struct reach *w; /* the write */
	const char *what;      /* ... as a message's subject */
	bool warned;
};

/* The server's own files: every exec grant (any scope), then the runtime
 * read grants that are not data (outside arguments.within). */
static int code_reach(struct linter *L, const struct mb_path_pattern *pp, enum mb_op op,
		      const struct reach *r, void *ud)
{
	struct code_ctx *c = ud;
	char where[PATH_MAX + 32];
	if (c->warned)
		return 1;
	if (mb_path_within(r->path, c->w->path)) {
		warn(L, MB_LINT_WRITE_CODE, c->w->pos,
		     "write on %s covers %s, which the server %s (%s): it could change code it loads or runs (grant write on a directory of its own, apart from its code)",
		     c->what, r->path, op == MB_OP_EXEC ? "may run (exec)" : "reads (runtime)",
		     at(&pp->pos, where, sizeof(where)));
		c->warned = true;
		return 1;
	}
	if (op == MB_OP_EXEC && mb_path_within(c->w->path, r->path)) {
		warn(L, MB_LINT_WRITE_EXEC, c->w->pos,
		     "write on %s lies inside %s, which is granted exec (%s): the server could write a program and run it (keep what it writes apart from what it runs)",
		     c->what, r->path, at(&pp->pos, where, sizeof(where)));
		c->warned = true;
		return 1;
	}
	return 0;
}

static void write_checks(struct linter *L, const struct mb_path_pattern *wpp, const struct reach *w)
{
	char what[PATH_MAX + 128];
	struct code_ctx c = { .w = w, .what = subject(wpp, w, what, sizeof(what)) };
	const struct mb_profile *p = L->p;
	mb_vec_foreach(pp, &p->runtime.path[MB_OP_EXEC]) {
		if (each_reach(L, pp, MB_OP_EXEC, code_reach, &c))
			return;
	}
	mb_vec_foreach(t, &p->tools) {
		mb_vec_foreach(pp, &t->grants.path[MB_OP_EXEC]) {
			if (each_reach(L, pp, MB_OP_EXEC, code_reach, &c))
				return;
		}
	}
	mb_vec_foreach(t, &p->requests) {
		mb_vec_foreach(pp, &t->grants.path[MB_OP_EXEC]) {
			if (each_reach(L, pp, MB_OP_EXEC, code_reach, &c))
				return;
		}
	}
	mb_vec_foreach(pp, &p->runtime.path[MB_OP_READ]) {
		char prefix[PATH_MAX];
		if (mb_pattern_fixed_prefix(pp->text, prefix, sizeof(prefix)) > 0 &&
		    (within_arguments(p, prefix) || is_data(p, prefix)))
			continue; /* data the tools work on, not code */
		if (each_reach(L, pp, MB_OP_READ, code_reach, &c))
			return;
	}
}

/* ---- exec: shells and interpreters ---- */

/* The family of a program name, or "" when it is no shell or interpreter. */
static void family_of(const char *name, char *out, size_t outsz)
{
	size_t len = strlen(name);
	while (len > 0 && ((name[len - 1] >= '0' && name[len - 1] <= '9') || name[len - 1] == '.' ||
			   name[len - 1] == '-'))
		len--;
	out[0] = '\0';
	if (len == 0 || len >= outsz)
		return;
	char base[32];
	if (len >= sizeof(base))
		return;
	memcpy(base, name, len);
	base[len] = '\0';
	if (strcmp(base, "nodejs") == 0)
		strcpy(base, "node");
	for (size_t i = 0; i < ARRAY_SIZE(interpreters); i++)
		if (strcmp(base, interpreters[i]) == 0) {
			snprintf(out, outsz, "%s", base);
			return;
		}
}

static const char *basename_of(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* The family of the program a literal exec grant names: by its own name,
 * else by what its symlinks resolve to (/usr/bin/sh is dash). is_dir says
 * the grant is a directory on the host. */
static void program_family(const char *path, char *out, size_t outsz, bool *is_dir)
{
	char real[PATH_MAX];
	struct mb_resolved rs = { 0 };
	*is_dir = false;
	family_of(basename_of(path), out, outsz);
	if (mb_path_resolve(path, real, sizeof(real), NULL, NULL, &rs) < 0)
		return;
	*is_dir = rs.exists && rs.is_dir;
	if (!out[0] && rs.exists && !rs.is_dir)
		family_of(basename_of(real), out, outsz);
}

bool mb_lint_is_interpreter(const char *path)
{
	char family[32];
	bool is_dir;
	program_family(path, family, sizeof(family), &is_dir);
	return family[0] && !is_dir;
}

/* A directory granted exec: does it hold shells or interpreters? */
static int exec_dir_reach(struct linter *L, const struct mb_path_pattern *pp, enum mb_op op,
			  const struct reach *r, void *ud)
{
	char what[PATH_MAX + 128];
	subject(pp, r, what, sizeof(what));
	for (size_t i = 0; i < ARRAY_SIZE(bin_dirs); i++)
		if (mb_path_within(bin_dirs[i], r->path)) {
			warn(L, MB_LINT_EXEC_INTERPRETER, r->pos,
			     "exec of %s allows every program in %s, shells and interpreters included (grant the programs the server runs, one by one)",
			     what, bin_dirs[i]);
			return 0;
		}
	struct stat st;
	if (stat(r->path, &st) < 0 || !S_ISDIR(st.st_mode))
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(probe_names); i++) {
		char prog[PATH_MAX];
		snprintf(prog, sizeof(prog), "%s/%s", strcmp(r->path, "/") ? r->path : "",
			 probe_names[i]);
		/* A literal directory, or a placeholder, reaches every program
		 * in it; the dynamic layer holds a glob to the names it matches. */
		if (pp->has_glob && !pp->has_placeholder && !mb_path_match(pp->text, prog))
			continue;
		if (stat(prog, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111)) {
			warn(L, MB_LINT_EXEC_INTERPRETER, r->pos,
			     "exec of %s allows %s, a shell or interpreter that runs any code it is given (grant the programs the server runs, one by one)",
			     what, prog);
			return 0;
		}
	}
	return 0;
}

static void exec_checks(struct linter *L, const struct mb_path_pattern *pp)
{
	if (pp->has_glob || pp->has_placeholder) {
		each_reach(L, pp, MB_OP_EXEC, exec_dir_reach, NULL);
		return;
	}
	char family[32];
	bool is_dir;
	char path[PATH_MAX];
	if (mb_pattern_fixed_prefix(pp->text, path, sizeof(path)) <= 0)
		return;
	program_family(path, family, sizeof(family), &is_dir);
	if (is_dir) {
		struct reach r = { .path = path, .pos = &pp->pos };
		exec_dir_reach(L, pp, MB_OP_EXEC, &r, NULL);
		return;
	}
	if (!family[0] || strcmp(family, L->own_family) == 0)
		return;
	if (L->own_family[0])
		warn(L, MB_LINT_EXEC_INTERPRETER, &pp->pos,
		     "exec of %s, a shell or interpreter (%s) beyond the server's own (%s): it runs any code it is given (remove it; if the server runs a helper, grant that program)",
		     path, family, L->own_family);
	else
		warn(L, MB_LINT_EXEC_INTERPRETER, &pp->pos,
		     "exec of %s, a shell or interpreter (%s) that runs any code it is given (remove it; if the server runs a helper, grant that program)",
		     path, family);
}

/* Does runtime grant read of exactly path? */
static bool runtime_reads(const struct mb_profile *p, const char *path)
{
	mb_vec_foreach(pp, &p->runtime.path[MB_OP_READ]) {
		char prefix[PATH_MAX];
		if (!pp->has_glob && !pp->has_placeholder &&
		    mb_pattern_fixed_prefix(pp->text, prefix, sizeof(prefix)) > 0 &&
		    strcmp(prefix, path) == 0)
			return true;
	}
	return false;
}

/* The server's own interpreter: the interpreter runtime grants both exec
 * and read of (Node opens its own executable at start: node.yml and every
 * learned draft grant both), whatever the order of the grants; else the
 * first runtime exec grant, for a profile that grants no such read. The
 * server itself is that program; any other shell or interpreter (the bash
 * a tool runs, listed first or not) is a way to run code it was never
 * meant to. */
static void find_own_family(struct linter *L)
{
	const mb_pattern_vec *v = &L->p->runtime.path[MB_OP_EXEC];
	L->own_family[0] = '\0';
	char path[PATH_MAX], fam[32];
	bool is_dir;
	mb_vec_foreach(pp, v) {
		if (pp->has_glob || pp->has_placeholder ||
		    mb_pattern_fixed_prefix(pp->text, path, sizeof(path)) <= 0)
			continue;
		program_family(path, fam, sizeof(fam), &is_dir);
		if (fam[0] && runtime_reads(L->p, path)) {
			snprintf(L->own_family, sizeof(L->own_family), "%s", fam);
			return;
		}
	}
	if (!v->n || v->v[0].has_glob)
		return;
	if (mb_pattern_fixed_prefix(v->v[0].text, path, sizeof(path)) > 0)
		program_family(path, L->own_family, sizeof(L->own_family), &is_dir);
}

/* ---- one path grant ---- */

static int site_reach(struct linter *L, const struct mb_path_pattern *pp, enum mb_op op,
		      const struct reach *r, void *ud)
{
	if (breadth(L, pp, op, r))
		return 0;
	if (op == MB_OP_READ)
		read_checks(L, pp, r);
	else if (op == MB_OP_WRITE)
		write_checks(L, pp, r);
	return 0;
}

static void site(struct linter *L, const struct mb_path_pattern *pp, enum mb_op op, bool runtime)
{
	each_reach(L, pp, op, site_reach, NULL);
	if (op == MB_OP_EXEC)
		exec_checks(L, pp);
}

/* ---- network ---- */

static void connect_checks(struct linter *L, const mb_endpoint_vec *v)
{
	mb_vec_foreach(ep, v) {
		if (ep->name && ep->wildcard && !strchr(ep->name, '.')) {
			warn(L, MB_LINT_CONNECT_ANY, &ep->pos,
			     "connect to '%s' reaches every name under a top-level domain (name the hosts the server talks to)",
			     ep->text);
			continue;
		}
		if (!ep->name && ep->prefix == 0) {
			warn(L, MB_LINT_CONNECT_ANY, &ep->pos,
			     "connect to '%s' reaches every %s address, the whole Internet and the local network (name the hosts the server talks to)",
			     ep->text, ep->family == AF_INET ? "IPv4" : "IPv6");
			continue;
		}
		const char *hit = NULL;
		for (size_t i = 0; i < ARRAY_SIZE(metadata_names) && !hit; i++)
			if (mb_endpoint_match_name(ep, metadata_names[i], 0, 0))
				hit = metadata_names[i];
		for (size_t i = 0; mb_metadata_addrs[i] && !hit && !ep->name; i++) {
			struct mb_addr a;
			uint8_t ip[16];
			if (inet_pton(AF_INET, mb_metadata_addrs[i], ip) == 1)
				mb_addr_set_v4(&a, ip, ep->port_lo);
			else if (inet_pton(AF_INET6, mb_metadata_addrs[i], ip) == 1)
				mb_addr_set_v6(&a, ip, ep->port_lo);
			else
				continue;
			a.proto = ep->protos;
			if (mb_endpoint_match(ep, &a))
				hit = mb_metadata_addrs[i];
		}
		if (hit)
			warn(L, MB_LINT_CONNECT_METADATA, &ep->pos,
			     "connect to '%s' reaches the cloud metadata service %s, which hands out the host's credentials (remove it)",
			     ep->text, hit);
	}
}

/* ---- the profile's own keys ---- */

static void profile_checks(struct linter *L)
{
	const struct mb_profile *p = L->p;
	if (p->unlisted_tools == MB_UNLISTED_ALLOW)
		warn(L, MB_LINT_UNLISTED_ALLOW, &p->unlisted_tools_pos,
		     "unlisted_tools: allow lets the server run tools the profile never declared, with runtime's grants and no argument checks (declare every tool and write unlisted_tools: deny)");
	if (p->mode == MB_MODE_AUDIT && p->mode_pos.line)
		warn(L, MB_LINT_MODE_AUDIT, &p->mode_pos,
		     "mode: audit reports violations but lets them happen (write mode: enforce; try a profile with membrane-run --mode audit instead)");
	const struct mb_limits *lim = &p->limits;
	if (!lim->pos.line) {
		warn(L, MB_LINT_LIMITS, &p->pos,
		     "no limits: a runaway server may take every byte of memory, task and file descriptor it can (add limits: { memory: 512M, tasks: 64, files: 1024 })");
		return;
	}
	char missing[64] = "", fix[96] = "";
	if (!lim->memory) {
		strcat(missing, ", memory");
		strcat(fix, ", memory: 512M");
	}
	if (!lim->tasks) {
		strcat(missing, ", tasks");
		strcat(fix, ", tasks: 64");
	}
	if (!lim->files) {
		strcat(missing, ", files");
		strcat(fix, ", files: 1024");
	}
	if (missing[0])
		warn(L, MB_LINT_LIMITS, &lim->pos, "limits without %s (add %s)", missing + 2, fix + 2);
}

/* ---- driver ---- */

static int push_str(struct linter *L, str_vec *v, const char *fmt, ...) _printf_(3, 4);
static int push_str(struct linter *L, str_vec *v, const char *fmt, ...)
{
	char *s;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return L->r = -ENOMEM;
	mb_vec_foreach(e, v) {
		if (strcmp(*e, s) == 0) {
			free(s);
			return 0;
		}
	}
	if (mb_vec_push(v, s) < 0) {
		free(s);
		return L->r = -ENOMEM;
	}
	return 0;
}

static void build_lists(struct linter *L, const struct mb_lint_opts *o)
{
	char home[PATH_MAX];
	bool have_home = o && o->home && o->home[0] == '/' &&
			 mb_path_normalize(o->home, home, sizeof(home)) > 1;
	push_str(L, &L->homes, "/root");
	push_str(L, &L->homes, "/home/*");
	if (have_home && !mb_path_match("/home/*", home))
		push_str(L, &L->homes, "%s", home);
	mb_vec_foreach(h, &L->homes) {
		for (size_t i = 0; i < ARRAY_SIZE(home_secrets); i++)
			push_str(L, &L->secrets, "%s/%s", *h, home_secrets[i]);
	}
	for (size_t i = 0; i < ARRAY_SIZE(system_secrets); i++)
		push_str(L, &L->secrets, "%s", system_secrets[i]);
}

static size_t file_index(const struct mb_profile *p, const char *file)
{
	for (size_t i = 0; i < p->files.n; i++)
		if (p->files.v[i] == file || (file && strcmp(p->files.v[i], file) == 0))
			return i;
	return p->files.n;
}

static const struct mb_profile *sort_profile;

static int warning_cmp(const void *a, const void *b)
{
	const struct mb_lint_warning *x = a, *y = b;
	size_t fx = file_index(sort_profile, x->pos.file), fy = file_index(sort_profile, y->pos.file);
	if (fx != fy)
		return fx < fy ? -1 : 1;
	if (x->pos.line != y->pos.line)
		return x->pos.line < y->pos.line ? -1 : 1;
	if (x->pos.column != y->pos.column)
		return x->pos.column < y->pos.column ? -1 : 1;
	return (int)x->kind - (int)y->kind;
}

int mb_lint(const struct mb_profile *p, const struct mb_lint_opts *o, mb_lint_vec *ret)
{
	struct linter L = { .p = p, .out = ret };
	build_lists(&L, o);
	find_own_family(&L);
	each_site(&L, site);
	connect_checks(&L, &p->runtime.net[MB_NET_OP_INDEX(MB_OP_CONNECT)]);
	mb_vec_foreach(t, &p->tools) connect_checks(&L, &t->grants.net[MB_NET_OP_INDEX(MB_OP_CONNECT)]);
	mb_vec_foreach(t, &p->requests) connect_checks(&L, &t->grants.net[MB_NET_OP_INDEX(MB_OP_CONNECT)]);
	profile_checks(&L);
	mb_vec_foreach(h, &L.homes) free(*h);
	mb_vec_free(&L.homes);
	mb_vec_foreach(s, &L.secrets) free(*s);
	mb_vec_free(&L.secrets);
	if (L.r < 0)
		return L.r;
	if (ret->n > 1) {
		sort_profile = p;
		qsort(ret->v, ret->n, sizeof(*ret->v), warning_cmp);
		sort_profile = NULL;
	}
	return 0;
}

char **mb_lint_secret_stores(const char *home)
{
	struct linter L = { 0 };
	struct mb_lint_opts o = { .home = home };
	build_lists(&L, &o);
	mb_vec_foreach(h, &L.homes) free(*h);
	mb_vec_free(&L.homes);
	if (L.r == 0 && mb_vec_push(&L.secrets, NULL) == 0)
		return L.secrets.v;
	mb_vec_foreach(s, &L.secrets) free(*s);
	mb_vec_free(&L.secrets);
	return NULL;
}

void mb_lint_secret_stores_free(char **v)
{
	for (char **s = v; s && *s; s++)
		free(*s);
	free(v);
}

void mb_lint_free(mb_lint_vec *v)
{
	mb_vec_foreach(w, v) free(w->msg);
	mb_vec_free(v);
}
