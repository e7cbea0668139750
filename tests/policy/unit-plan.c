/* SPDX-License-Identifier: Apache-2.0 */
/* The plan compiler: widening, host resolution with recreated symlinks,
 * mount merging, Landlock rules, ports, environment. Profiles are built by
 * hand so that the compiler is tested apart from the loader. */
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy/plan.h"
#include "policy/widen.h"
#include "tests/tap.h"

static char dir[256];

static void pattern(mb_pattern_vec *v, const char *text, bool optional)
{
	struct mb_path_pattern *pp = mb_vec_new(v);
	pp->text = strdup(text);
	pp->optional = optional;
	pp->has_placeholder = strchr(text, '{') != NULL;
	pp->has_glob = strchr(text, '*') != NULL;
	pp->pos = (struct mb_srcpos){ "t.yml", (unsigned)v->n, 3 };
}

static char *at(const char *rel)
{
	static char buf[4][PATH_MAX];
	static int i;
	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, rel);
	return buf[i];
}

static struct mb_profile *profile_new(void)
{
	struct mb_profile *p = calloc(1, sizeof(*p));
	char *f = strdup("t.yml");
	mb_vec_push(&p->files, f);
	return p;
}

static struct mb_tool *tool(struct mb_profile *p, const char *name)
{
	struct mb_tool *t = mb_vec_new(&p->tools);
	t->name = strdup(name);
	return t;
}

static const struct mb_mount *find_mount(const struct mb_plan *plan, const char *path)
{
	mb_vec_foreach(m, &plan->mounts) if (strcmp(m->path, path) == 0) return m;
	return NULL;
}

static const struct mb_fs_rule *find_rule(const struct mb_plan *plan, const char *path)
{
	mb_vec_foreach(f, &plan->fs_rules) if (strcmp(f->path, path) == 0) return f;
	return NULL;
}

static void setup_tree(void)
{
	strcpy(dir, "/tmp/membrane-plan-XXXXXX");
	if (!mkdtemp(dir))
		exit(99);
	/* Resolve our own directory: /tmp itself might be a link. */
	char real[PATH_MAX];
	if (!realpath(dir, real))
		exit(99);
	strcpy(dir, real);
	mkdir(at("srv"), 0755);
	mkdir(at("srv/mcp"), 0755);
	mkdir(at("srv/mcp2"), 0755);
	mkdir(at("srv/mcp/bin"), 0755);
	mkdir(at("data"), 0755);
	close(open(at("srv/mcp/notes.txt"), O_CREAT | O_WRONLY, 0644));
	symlink("srv/mcp", at("link"));       /* relative link */
	symlink(at("data"), at("abslink"));   /* absolute link */
	symlink("link/notes.txt", at("chain")); /* link through a link */
}

static void cleanup_tree(void)
{
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		diag("could not remove %s", dir);
}

static void test_prefix(void)
{
	char out[PATH_MAX];
	is_int(mb_pattern_fixed_prefix("/srv/mcp/{path}", out, sizeof(out)), 8, "prefix before a placeholder");
	is_str(out, "/srv/mcp", "prefix text");
	is_int(mb_pattern_fixed_prefix("{path}.*.tmp", out, sizeof(out)), 0, "a leading placeholder fixes nothing");
	is_int(mb_pattern_fixed_prefix("/usr/lib/python3*", out, sizeof(out)), 8, "a glob component is not fixed");
	is_str(out, "/usr/lib", "glob prefix text");
	mb_pattern_fixed_prefix("/a/b\\*c/d", out, sizeof(out));
	is_str(out, "/a/b*c/d", "an escaped star is literal and unescaped");
	mb_pattern_fixed_prefix("/", out, sizeof(out));
	is_str(out, "/", "the root is its own prefix");
	is_int(mb_pattern_fixed_prefix("/*.txt", out, sizeof(out)), 0, "a glob in the first component");
}

static void test_compile(void)
{
	struct mb_profile *p = profile_new();
	pattern(&p->runtime.path[MB_OP_READ], "/lib", false);
	pattern(&p->runtime.path[MB_OP_READ], "/usr", false);
	pattern(&p->runtime.path[MB_OP_READ], at("abslink"), false);
	pattern(&p->runtime.path[MB_OP_READ], at("chain"), false);
	pattern(&p->runtime.path[MB_OP_READ], at("nowhere"), true);
	pattern(&p->runtime.path[MB_OP_EXEC], "/usr/bin/env", false);
	pattern(&p->runtime.path[MB_OP_READ], "/dev/urandom", false);
	pattern(&p->runtime.path[MB_OP_READ], "/proc/self/maps", false);
	pattern(&p->tmpfs, "/tmp", false);
	pattern(&p->within, at("srv/mcp"), false);
	struct mb_tool *t = tool(p, "write_file");
	pattern(&t->grants.path[MB_OP_WRITE], "{path}", false);
	pattern(&t->grants.path[MB_OP_WRITE], "{path}.*.tmp", false);
	t = tool(p, "run");
	pattern(&t->grants.path[MB_OP_EXEC], at("srv/mcp/bin/{name}"), false);
	t = tool(p, "fetch");
	struct mb_endpoint *ep = mb_vec_new(&t->grants.net[0]);
	ep->text = strdup("127.0.0.1:5432");
	ep->family = 2;
	ep->port_lo = ep->port_hi = 5432;
	ep = mb_vec_new(&t->grants.net[0]);
	ep->text = strdup("udp:127.0.0.1:53"); /* no Landlock rule: its ports are TCP's */
	ep->family = 2;
	ep->port_lo = ep->port_hi = 53;
	ep->protos = MB_PROTO_UDP;
	ep = mb_vec_new(&t->grants.net[1]);
	ep->text = strdup("udp:0.0.0.0:5353");
	ep->family = 2;
	ep->port_lo = ep->port_hi = 5353;
	ep->protos = MB_PROTO_UDP;
	ep = mb_vec_new(&t->grants.net[0]);
	ep->text = strdup("0.0.0.0/0:*");
	ep->family = 2;
	ep->port_lo = 1;
	ep->port_hi = 65535;
	struct mb_env *e = mb_vec_new(&p->env);
	e->name = strdup("LANG");
	e = mb_vec_new(&p->env);
	e->name = strdup("HOME");
	e->value = strdup("/tmp");
	e = mb_vec_new(&p->env);
	e->name = strdup("ABSENT");

	char *envp[] = { "LANG=C.UTF-8", "SECRET=x", "PATH=/bin", NULL };
	struct mb_plan *plan = NULL;
	struct mb_error err = { 0 };
	int r = mb_plan_compile(p, envp, &plan, &err);
	if (!is_int(r, 0, "a profile with links, placeholders, tmpfs and ports compiles"))
		diag("%s", err.msg);
	if (!plan)
		return;

	const struct mb_mount *m;
	ok(plan->mounts.n >= 2 && plan->mounts.v[0].kind == MB_MOUNT_PROC &&
		   plan->mounts.v[1].kind == MB_MOUNT_DEV,
	   "/proc and /dev come first");
	m = find_mount(plan, "/lib");
	ok(m && m->kind == MB_MOUNT_SYMLINK && strcmp(m->link_target, "usr/lib") == 0,
	   "/lib is recreated as the symlink it is on the host");
	m = find_mount(plan, "/usr");
	ok(m && m->kind == MB_MOUNT_BIND_RO, "/usr is bound read-only");
	ok(!find_mount(plan, "/usr/lib"), "/usr/lib (the target of /lib) needs no mount of its own beneath /usr");
	ok(!find_mount(plan, "/usr/bin/env"), "exec beneath a read-only bind needs no mount of its own");
	m = find_mount(plan, at("abslink"));
	ok(m && m->kind == MB_MOUNT_SYMLINK && strcmp(m->link_target, at("data")) == 0,
	   "an absolute symlink is recreated");
	m = find_mount(plan, at("data"));
	ok(m && m->kind == MB_MOUNT_BIND_RO, "the target of an absolute symlink is bound");
	m = find_mount(plan, at("chain"));
	ok(m && m->kind == MB_MOUNT_SYMLINK, "a link through a link: the first is recreated");
	m = find_mount(plan, at("link"));
	ok(m && m->kind == MB_MOUNT_SYMLINK && strcmp(m->link_target, "srv/mcp") == 0,
	   "a link through a link: the second is recreated");
	m = find_mount(plan, at("srv/mcp"));
	ok(m && m->kind == MB_MOUNT_BIND_RW, "{path} widened to arguments.within: bound read-write");
	ok(m && !m->exec, "a read-write bind without exec grants is noexec");
	m = find_mount(plan, at("srv/mcp/bin"));
	ok(m && m->kind == MB_MOUNT_BIND_RW && m->exec,
	   "exec beneath a noexec rw bind gets its own exec-capable bind that keeps rw");
	ok(!find_mount(plan, at("srv/mcp2")), "a sibling with a common prefix is not bound");
	m = find_mount(plan, at("nowhere"));
	ok(m && m->missing && m->optional, "an optional missing path is listed as skipped");
	m = find_mount(plan, "/tmp");
	ok(m && m->kind == MB_MOUNT_TMPFS, "tmpfs entries become private tmpfs mounts");
	ok(!find_mount(plan, "/dev/urandom") && !find_mount(plan, "/proc/self/maps"),
	   "grants under /dev and /proc bind nothing from the host");

	/* Parents before children, whatever order the grants came in. */
	bool ordered = true;
	for (size_t i = 3; i < plan->mounts.n; i++)
		for (size_t j = 2; j < i; j++) {
			const char *a = plan->mounts.v[i].path, *b = plan->mounts.v[j].path;
			size_t n = strlen(a);
			if (strncmp(b, a, n) == 0 && b[n] == '/')
				ordered = false; /* a child (b) came before its parent (a) */
		}
	ok(ordered, "every mount comes after its ancestors");

	const struct mb_fs_rule *f = find_rule(plan, "/usr/lib");
	ok(f && f->ops == 1u << MB_OP_READ, "the Landlock rule for /lib names the real path /usr/lib");
	f = find_rule(plan, "/usr/bin/env");
	ok(f && f->ops == 1u << MB_OP_EXEC && !f->is_dir, "an exec grant on a file is a file rule");
	f = find_rule(plan, at("srv/mcp/notes.txt"));
	ok(f && f->ops == 1u << MB_OP_READ && !f->is_dir, "a link chain resolves to the real file");
	f = find_rule(plan, at("srv/mcp"));
	ok(f && (f->ops & (1u << MB_OP_WRITE)), "within gets the write of {path}");
	f = find_rule(plan, at("srv/mcp/bin"));
	ok(f && f->ops == 1u << MB_OP_EXEC, "a placeholder after a fixed prefix widens to the prefix");
	ok(!find_rule(plan, at("nowhere")), "no Landlock rule for a missing optional path");
	f = find_rule(plan, "/tmp");
	ok(f && f->ops == ((1u << MB_OP_READ) | (1u << MB_OP_WRITE)), "tmpfs is readable and writable");
	ok(find_rule(plan, "/proc") && find_rule(plan, "/dev/null"), "the sandbox's /proc and devices have rules");

	ok(plan->connect_any_port, "a grant of every port leaves TCP connect to the dynamic layer");
	ok(plan->net_rules.n == 2 && plan->net_rules.v[0].port == 5432 &&
		   plan->net_rules.v[1].port == 53 && plan->net_rules.v[1].ops == 1u << MB_OP_CONNECT,
	   "one port, one rule; none for a udp: grant; TCP 53 for the sandbox's resolver");
	ok(plan->resolver[0] == 127 && plan->resolver[1] == 0 && plan->resolver[2] == 0 &&
		   plan->resolver[3] == 53,
	   "the sandbox's resolver: 127.0.0.53 in its own network namespace");
	const char *const files[] = { "/etc/resolv.conf", "/etc/hosts", "/etc/nsswitch.conf" };
	for (size_t k = 0; k < 3; k++) {
		const struct mb_mount *fm = &plan->mounts.v[plan->mounts.n - 3 + k];
		ok(fm->kind == MB_MOUNT_FILE && strcmp(fm->path, files[k]) == 0 && fm->content,
		   "%s: membrane's own, mounted last", files[k]);
		f = find_rule(plan, files[k]);
		ok(f && f->ops == 1u << MB_OP_READ, "%s: Landlock may read it", files[k]);
	}
	ok(strstr(plan->mounts.v[plan->mounts.n - 3].content, "nameserver 127.0.0.53\n") != NULL,
	   "resolv.conf names the sandbox's resolver");
	ok(strstr(plan->mounts.v[plan->mounts.n - 1].content, "hosts: files dns\n") != NULL,
	   "nsswitch.conf: files, then DNS");
	ok(!plan->bind_any_port, "a udp: bind leaves Landlock's TCP binds closed");

	is_int(plan->envp.n, 2, "only the profile's variables reach the environment");
	is_str(plan->envp.v[0], "LANG=C.UTF-8", "a passed-through variable takes the caller's value");
	is_str(plan->envp.v[1], "HOME=/tmp", "a set variable takes the profile's value");
	ok(plan->envp.v[2] == NULL, "the environment is NULL-terminated");
	mb_plan_free(plan);
	mb_profile_free(p);
}

static void test_errors(void)
{
	struct mb_profile *p = profile_new();
	pattern(&p->runtime.path[MB_OP_READ], "/usr", false);
	pattern(&p->runtime.path[MB_OP_READ], at("missing/dir"), false);
	struct mb_plan *plan = NULL;
	struct mb_error err = { 0 };
	char want[PATH_MAX + 200];
	snprintf(want, sizeof(want),
		 "t.yml:2:3: %s: No such file or directory (create it, fix the path, or mark it optional with a trailing '?')",
		 at("missing/dir"));
	is_int(mb_plan_compile(p, NULL, &plan, &err), -ENOENT, "a missing required path fails");
	is_str(err.msg, want, "the error names the profile line and the path");
	ok(plan == NULL, "no partial plan");
	mb_profile_free(p);

	p = profile_new();
	pattern(&p->runtime.path[MB_OP_READ], "/dev/tty", false);
	err.msg[0] = 0;
	is_int(mb_plan_compile(p, NULL, &plan, &err), -EINVAL, "a device the sandbox has not is refused");
	is_str(err.msg, "t.yml:1:3: /dev/tty: the sandbox's /dev holds only null, zero, full, random and urandom",
	       "the error names the device");
	mb_profile_free(p);

	p = profile_new();
	struct mb_tool *t = tool(p, "anything");
	pattern(&t->grants.path[MB_OP_READ], "{path}", false);
	is_int(mb_plan_compile(p, NULL, &plan, &err), 0, "a placeholder nothing bounds compiles");
	const struct mb_mount *m = plan ? find_mount(plan, "/") : NULL;
	ok(m && m->kind == MB_MOUNT_BIND_RO, "... and widens to the whole root (the linter warns)");
	mb_plan_free(plan);
	mb_profile_free(p);
}

int main(void)
{
	setup_tree();
	test_prefix();
	test_compile();
	test_errors();
	cleanup_tree();
	return done_testing();
}
