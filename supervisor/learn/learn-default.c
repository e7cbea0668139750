/* SPDX-License-Identifier: Apache-2.0 */
/* The learning default: see learn-default.h. */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/strbuf.h"
#include "common/which.h"
#include "policy/lint.h"
#include "policy/match.h"
#include "policy/resolve.h"
#include "supervisor/learn/learn-default.h"
#include "supervisor/learn/learn-internal.h"

#define ETC_DEPTH 3 /* /etc/a/b/c: how deep a directory holding a secret is split */

static const char *const system_dirs[] = { "/usr", "/lib", "/lib64", "/lib32", "/libx32", "/bin",
					   "/sbin" };
/* Never a data directory: the system's own. */
static const char *const not_data[] = { "/usr", "/etc", "/proc", "/sys", "/dev", "/boot", "/run",
					"/lib", "/lib64", "/lib32", "/libx32", "/bin", "/sbin",
					"/var/lib/dpkg", "/var/cache", "/var/log" };

typedef MB_VEC(char *) str_vec;

struct dflt {
	char **secrets;
	const char *home;
	str_vec read, exec, write; /* texts as written (escaped, maybe '?') */
	str_vec trees, data;       /* for the summary */
	unsigned etc_entries, env_passed, env_held;
	int r;
};

static bool in_secret(const struct dflt *f, const char *path)
{
	for (char **s = f->secrets; *s; s++)
		if (mb_path_match(*s, path))
			return true;
	return false;
}

static bool holds_secret(const struct dflt *f, const char *dir)
{
	for (char **s = f->secrets; *s; s++)
		if (mb_path_match_ancestor(*s, dir))
			return true;
	return false;
}

static bool too_wide(const struct dflt *f, const char *dir)
{
	if (mb_path_components(dir) < 2 || strcmp(dir, "/root") == 0 ||
	    (mb_path_match("/home/*", dir) && mb_path_components(dir) == 2) ||
	    (f->home && f->home[0] == '/' && strcmp(dir, f->home) == 0))
		return true;
	return holds_secret(f, dir) || in_secret(f, dir);
}

static bool covered(const char *path, const char *const *dirs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (mb_path_within(path, dirs[i]))
			return true;
	return false;
}

/* path as a grant: '\', '*', '{' and a final '?' escaped; NULL when it
 * cannot be written (it holds "${"). */
static char *grant_text(const char *path, bool optional)
{
	if (strstr(path, "${"))
		return NULL;
	struct mb_strbuf b = { 0 };
	size_t n = strlen(path);
	for (size_t i = 0; i < n; i++) {
		if (path[i] == '\\' || path[i] == '*' || path[i] == '{' || (path[i] == '?' && i == n - 1))
			mb_strbuf_putc(&b, '\\');
		mb_strbuf_putc(&b, path[i]);
	}
	if (optional)
		mb_strbuf_putc(&b, '?');
	if (mb_strbuf_failed(&b) || !b.s) {
		mb_strbuf_free(&b);
		return NULL;
	}
	return mb_strbuf_take(&b);
}

static void push(struct dflt *f, str_vec *v, const char *path, bool optional)
{
	char *t = grant_text(path, optional);
	if (!t)
		return;
	mb_vec_foreach(x, v) {
		if (strcmp(*x, t) == 0) {
			free(t);
			return;
		}
	}
	if (mb_vec_push(v, t) < 0) {
		free(t);
		f->r = -ENOMEM;
	}
}

static void note(struct dflt *f, str_vec *v, const char *path)
{
	char *t = strdup(path);
	if (!t || mb_vec_push(v, t) < 0) {
		free(t);
		f->r = -ENOMEM;
	}
}

/* /etc, entry by entry where a secret store lies beneath. */
static void add_etc(struct dflt *f, const char *dir, unsigned depth)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		char path[PATH_MAX];
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >= (int)sizeof(path))
			continue;
		if (in_secret(f, path))
			continue;
		/* /etc/mtab leads into /proc/self: the sandbox has its own. */
		char real[PATH_MAX];
		struct mb_resolved rs;
		if (mb_path_resolve(path, real, sizeof(real), NULL, NULL, &rs) < 0 ||
		    mb_path_within(real, "/proc") || mb_path_within(real, "/dev") || in_secret(f, real))
			continue;
		struct stat st;
		if (holds_secret(f, path) && lstat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
			if (depth < ETC_DEPTH)
				add_etc(f, path, depth + 1);
			continue;
		}
		push(f, &f->read, path, true);
		f->etc_entries++;
	}
	closedir(d);
}

/* The file argv names (argv[0] through PATH), resolved into out, and as
 * named (absolute) into abs; false if none. */
static bool command_file(const char *arg, bool first, const char *cwd, char *out, char *abs)
{
	struct mb_resolved rs;
	if (first && !strchr(arg, '/'))
		return mb_which(arg, abs, PATH_MAX) &&
		       mb_path_resolve(abs, out, PATH_MAX, NULL, NULL, &rs) == 0 && rs.exists;
	if (mb_path_absolute(arg, cwd, abs, PATH_MAX) < 0 ||
	    mb_path_resolve(abs, out, PATH_MAX, NULL, NULL, &rs) < 0 || !rs.exists)
		return false;
	return true;
}

/* A file's tree: the outermost node_modules above it, else its directory;
 * the file alone when that is too wide. */
static void add_tree(struct dflt *f, const char *file)
{
	if (covered(file, system_dirs, ARRAY_SIZE(system_dirs)))
		return;
	char tree[PATH_MAX];
	snprintf(tree, sizeof(tree), "%s", file);
	const char *nm = strstr(tree, "/node_modules/");
	if (nm)
		tree[nm - tree + strlen("/node_modules")] = '\0';
	else
		*strrchr(tree, '/') = '\0';
	const char *g = !tree[0] || too_wide(f, tree) || in_secret(f, file) ? file : tree;
	if (in_secret(f, g))
		return;
	push(f, &f->read, g, false);
	push(f, &f->exec, g, false);
	note(f, &f->trees, g);
}

/* A path the command line names through a symlink (node_modules/.bin/X,
 * a data directory linked elsewhere): the server opens it by that name, so
 * the name is granted too, and the sandbox recreates the links on the way
 * as it does for any granted symlink. The resolved target is what the
 * caller granted. */
static void add_named(struct dflt *f, const char *named, const char *real, str_vec *also)
{
	char norm[PATH_MAX];
	if (mb_path_normalize(named, norm, sizeof(norm)) < 0 || strcmp(norm, real) == 0 ||
	    covered(norm, system_dirs, ARRAY_SIZE(system_dirs)) || in_secret(f, norm))
		return;
	push(f, &f->read, norm, false);
	push(f, also, norm, false);
}

static bool data_ok(const struct dflt *f, const char *dir)
{
	return !too_wide(f, dir) && !covered(dir, not_data, ARRAY_SIZE(not_data));
}

static void add_data(struct dflt *f, const char *dir)
{
	if (!data_ok(f, dir))
		return;
	mb_vec_foreach(x, &f->data) {
		if (mb_path_within(dir, *x))
			return;
	}
	push(f, &f->read, dir, false);
	push(f, &f->write, dir, false);
	note(f, &f->data, dir);
}

/* arg names a file that does not exist yet, in a directory that does. */
static void new_file_data(struct dflt *f, const char *arg, const char *cwd)
{
	char abs[PATH_MAX], real[PATH_MAX];
	struct mb_resolved rs;
	if (!strchr(arg, '/') || mb_path_absolute(arg, cwd, abs, sizeof(abs)) < 0)
		return;
	char *slash = strrchr(abs, '/');
	if (!slash || slash == abs)
		return;
	*slash = '\0';
	if (mb_path_resolve(abs, real, sizeof(real), NULL, NULL, &rs) == 0 && rs.exists && rs.is_dir)
		add_data(f, real);
}

static bool env_not_data(const char *name)
{
	static const char *const names[] = { "PATH", "HOME", "PWD", "OLDPWD", "SHELL", "TMPDIR",
					     "MAIL", "LOGNAME", "USER" };
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (strcmp(name, names[i]) == 0)
			return true;
	return strncmp(name, "XDG_", 4) == 0;
}

/* A path an environment variable names: its directory (or itself). */
static void env_data(struct dflt *f, const char *value)
{
	char abs[PATH_MAX], real[PATH_MAX];
	struct mb_resolved rs;
	if (value[0] != '/' || strchr(value, ':') || mb_path_normalize(value, abs, sizeof(abs)) < 0 ||
	    mb_path_resolve(abs, real, sizeof(real), NULL, NULL, &rs) < 0)
		return;
	if (rs.exists && rs.is_dir) {
		add_data(f, real);
		return;
	}
	char *slash = strrchr(real, '/');
	if (!slash || slash == real)
		return;
	*slash = '\0';
	struct stat st;
	if (stat(real, &st) == 0 && S_ISDIR(st.st_mode))
		add_data(f, real);
}

static void list(struct mb_strbuf *b, const char *key, const str_vec *v)
{
	if (!v->n)
		return;
	mb_strbuf_printf(b, "  %s:\n", key);
	mb_vec_foreach(x, v) {
		mb_strbuf_puts(b, "    - ");
		mb_learn_yq(b, *x);
		mb_strbuf_putc(b, '\n');
	}
}

static void join(struct mb_strbuf *b, const str_vec *v)
{
	mb_vec_foreach(x, v) mb_strbuf_printf(b, "%s%s", x == v->v ? "" : ", ", *x);
}

static void free_vec(str_vec *v)
{
	mb_vec_foreach(x, v) free(*x);
	mb_vec_free(v);
}

/* HOME becomes a private tmpfs unless it is no directory of its own (the
 * root, a system directory) or lies in what is granted already. */
static bool home_tmpfs(const struct dflt *f, const char *home)
{
	char norm[PATH_MAX];
	if (!home || home[0] != '/' || mb_path_normalize(home, norm, sizeof(norm)) < 0 ||
	    strcmp(norm, home) != 0 || mb_path_components(home) < 1 ||
	    covered(home, not_data, ARRAY_SIZE(not_data)) ||
	    covered(home, system_dirs, ARRAY_SIZE(system_dirs)) || mb_path_within(home, "/tmp"))
		return false;
	mb_vec_foreach(x, &f->data) {
		if (mb_path_within(home, *x))
			return false; /* a data directory beneath it is bound on top */
	}
	return true;
}

int mb_learn_default(char *const *argv, char *const *envp, const char *const *sets,
		     const char *const *within, const char *cwd, const char *home, char **ret_yaml,
		     char **ret_summary)
{
	struct dflt f = { .home = home };
	f.secrets = mb_lint_secret_stores(home);
	if (!f.secrets)
		return -ENOMEM;
	for (size_t i = 0; i < ARRAY_SIZE(system_dirs); i++) {
		bool opt = strcmp(system_dirs[i], "/usr") != 0;
		push(&f, &f.read, system_dirs[i], opt);
		push(&f, &f.exec, system_dirs[i], opt);
	}
	add_etc(&f, "/etc", 1);
	char file[PATH_MAX], named[PATH_MAX];
	for (size_t i = 0; argv && argv[i]; i++) {
		const char *a = argv[i];
		const char *eq = i > 0 && a[0] == '-' ? strchr(a, '=') : NULL;
		if (eq)
			a = eq + 1;
		if (!*a || (i > 0 && a[0] != '/' && !strchr(a, '/') && access(a, F_OK) != 0))
			continue;
		if (!command_file(a, i == 0, cwd, file, named)) {
			/* A file the server is to create (a database): its
			 * directory is its data. */
			if (i > 0)
				new_file_data(&f, a, cwd);
			continue;
		}
		struct stat st;
		if (stat(file, &st) == 0 && S_ISDIR(st.st_mode)) {
			if (i > 0 && data_ok(&f, file)) {
				add_data(&f, file);
				add_named(&f, named, file, &f.write);
			}
		} else {
			add_tree(&f, file);
			add_named(&f, named, file, &f.exec);
		}
	}
	/* The bounds the user gave, and the directory the server starts in:
	 * where it works. */
	for (const char *const *w = within; w && *w; w++)
		if (mb_path_resolve(*w, file, sizeof(file), NULL, NULL, &(struct mb_resolved){ 0 }) == 0)
			add_data(&f, file);
	if (cwd && mb_path_resolve(cwd, file, sizeof(file), NULL, NULL, &(struct mb_resolved){ 0 }) == 0)
		add_data(&f, file);
	/* HOME, private and empty: servers keep their state there
	 * (desktop-commander's ~/.claude-server-commander), and the real one
	 * holds the secret stores. */
	const char *private_home = home_tmpfs(&f, home) ? home : NULL;
	struct mb_strbuf env = { 0 };
	for (char *const *e = envp; e && *e; e++) {
		const char *eq = strchr(*e, '=');
		size_t len = eq ? (size_t)(eq - *e) : 0;
		char name[256];
		if (!eq || len >= sizeof(name) || !mb_env_name_ok(*e, len))
			continue;
		memcpy(name, *e, len);
		name[len] = '\0';
		if (mb_learn_secret_name(name)) {
			f.env_held++;
			continue;
		}
		bool dup = false;
		for (char *const *p = envp; p < e && !dup; p++)
			dup = strncmp(*p, *e, len + 1) == 0;
		if (dup)
			continue;
		f.env_passed++;
		mb_strbuf_puts(&env, "    - ");
		mb_learn_yq(&env, name);
		mb_strbuf_putc(&env, '\n');
		if (!env_not_data(name))
			env_data(&f, eq + 1);
	}

	struct mb_strbuf b = { 0 };
	mb_strbuf_puts(&b, "version: 1\nname: learning-default\n"
			   "description: \"membrane-run --learn without --profile\"\n"
			   "mode: audit\nunlisted_tools: allow\nnetwork: brokered\n");
	bool vars = false;
	for (const char *const *s = sets; s && *s; s++) {
		const char *eq = strchr(*s, '=');
		if (!eq)
			continue;
		if (!vars)
			mb_strbuf_puts(&b, "vars:\n");
		vars = true;
		mb_strbuf_printf(&b, "  %.*s: ", (int)(eq - *s), *s);
		mb_learn_yq(&b, eq + 1);
		mb_strbuf_putc(&b, '\n');
	}
	mb_strbuf_puts(&b, "runtime:\n");
	list(&b, "read", &f.read);
	list(&b, "exec", &f.exec);
	list(&b, "write", &f.write);
	mb_strbuf_puts(&b, "  tmpfs: [\"/tmp\"");
	if (private_home) {
		mb_strbuf_puts(&b, ", ");
		char *t = grant_text(private_home, false);
		mb_learn_yq(&b, t ? t : "/nonexistent");
		free(t);
	}
	mb_strbuf_puts(&b, "]\n");
	if (env.len) {
		mb_strbuf_puts(&b, "  env:\n");
		mb_strbuf_append(&b, env.s, env.len);
	}
	if (env.oom)
		b.oom = true;
	mb_strbuf_free(&env);

	struct mb_strbuf s = { 0 };
	mb_strbuf_printf(&s, "read and exec /usr and its links (/lib, /lib64, /bin, /sbin); read %u entries of /etc, not its secret stores",
			 f.etc_entries);
	if (f.trees.n) {
		mb_strbuf_puts(&s, "; read and exec the command's tree: ");
		join(&s, &f.trees);
	}
	if (f.data.n) {
		mb_strbuf_puts(&s, "; read and write the working directory and what its command line, environment and --within name: ");
		join(&s, &f.data);
	}
	if (private_home)
		mb_strbuf_printf(&s, "; a private, empty HOME (%s)", private_home);
	mb_strbuf_printf(&s, "; a private tmpfs on /tmp; network brokered: a connection an argument, the command line or the environment names is made, any other refused; %u environment variable%s passed through, %u held back (named like secrets)",
			 f.env_passed, f.env_passed == 1 ? "" : "s", f.env_held);

	free_vec(&f.read);
	free_vec(&f.exec);
	free_vec(&f.write);
	free_vec(&f.trees);
	free_vec(&f.data);
	mb_lint_secret_stores_free(f.secrets);
	if (f.r < 0 || mb_strbuf_failed(&b) || mb_strbuf_failed(&s)) {
		mb_strbuf_free(&b);
		mb_strbuf_free(&s);
		return -ENOMEM;
	}
	*ret_yaml = mb_strbuf_take(&b);
	*ret_summary = mb_strbuf_take(&s);
	return 0;
}
