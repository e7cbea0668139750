/* SPDX-License-Identifier: Apache-2.0 */
/* Compiling a profile into a sandbox plan: every grant widened to plain
 * paths, resolved on the host (symlinks recorded), merged, and turned into
 * the mount list and the Landlock rules. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "policy/elf.h"
#include "policy/match.h"
#include "policy/plan.h"
#include "policy/resolve.h"
#include "policy/widen.h"

#define OP_BIT(op) (1u << (op))
#define PATH_OPS_MASK (OP_BIT(MB_OP_READ) | OP_BIT(MB_OP_WRITE) | OP_BIT(MB_OP_EXEC))

/* Port ranges wider than this are left to the dynamic layer: one Landlock
 * rule per port would cost a syscall each. */
#define MAX_PORT_RULES_PER_RANGE 1024

/* The five devices of the sandbox's own /dev (sandbox/mounts.c makes them). */
static const char *const sandbox_devices[] = {
	"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom",
};

/* A widened, resolved grant before it becomes mounts and rules. */
struct sgrant {
	char *real;
	unsigned ops;
	bool exists, is_dir, optional, tmpfs;
	struct mb_srcpos pos;
};

struct compiler {
	const struct mb_profile *profile;
	struct mb_plan *plan;
	MB_VEC(struct sgrant) grants;
	MB_VEC(struct mb_mount) links; /* symlinks met while resolving */
	struct mb_error *err;
	/* The grant being widened. */
	const struct mb_path_pattern *cur;
	unsigned cur_ops;
	bool cur_tmpfs;
};

const char *mb_mount_kind_name(enum mb_mount_kind k)
{
	switch (k) {
	case MB_MOUNT_BIND_RO: return "ro";
	case MB_MOUNT_BIND_RW: return "rw";
	case MB_MOUNT_TMPFS: return "tmpfs";
	case MB_MOUNT_SYMLINK: return "symlink";
	case MB_MOUNT_PROC: return "proc";
	case MB_MOUNT_DEV: return "dev";
	case MB_MOUNT_FILE: return "file";
	}
	return "?";
}

static bool is_internal(const char *path)
{
	return mb_path_within(path, "/proc") || mb_path_within(path, "/dev");
}

static int note_link(const char *linkpath, const char *target, void *ud)
{
	struct compiler *c = ud;
	mb_vec_foreach(l, &c->links) {
		if (strcmp(l->path, linkpath) == 0)
			return 0;
	}
	struct mb_mount *m = mb_vec_new(&c->links);
	if (!m)
		return -ENOMEM;
	m->kind = MB_MOUNT_SYMLINK;
	m->path = strdup(linkpath);
	m->link_target = strdup(target);
	m->pos = c->cur->pos;
	if (!m->path || !m->link_target)
		return -ENOMEM;
	return 0;
}

static int add_widened(const char *path, void *ud)
{
	struct compiler *c = ud;
	char real[PATH_MAX];
	struct mb_resolved rs;
	int r = mb_path_resolve(path, real, sizeof(real), note_link, c, &rs);
	if (r < 0)
		return mb_error_at(c->err, r, c->cur->pos.file, c->cur->pos.line, c->cur->pos.column,
				   "%s: cannot resolve: %s", path, strerror(-r));
	if (!rs.exists && !c->cur->optional && !c->cur_tmpfs && !is_internal(real))
		return mb_error_at(c->err, -ENOENT, c->cur->pos.file, c->cur->pos.line,
				   c->cur->pos.column,
				   "%s: No such file or directory (create it, fix the path, or mark it optional with a trailing '?')",
				   path);
	if (mb_path_within(real, "/dev") && strcmp(real, "/dev") != 0) {
		bool known = false;
		for (size_t i = 0; i < ARRAY_SIZE(sandbox_devices); i++)
			known |= mb_path_within(real, sandbox_devices[i]);
		if (!known)
			return mb_error_at(c->err, -EINVAL, c->cur->pos.file, c->cur->pos.line,
					   c->cur->pos.column,
					   "%s: the sandbox's /dev holds only null, zero, full, random and urandom",
					   path);
	}
	mb_vec_foreach(g, &c->grants) {
		if (strcmp(g->real, real) == 0 && g->tmpfs == c->cur_tmpfs) {
			g->ops |= c->cur_ops;
			return 0;
		}
	}
	struct sgrant *g = mb_vec_new(&c->grants);
	if (!g)
		return -ENOMEM;
	g->real = strdup(real);
	if (!g->real)
		return -ENOMEM;
	g->ops = c->cur_ops;
	g->exists = rs.exists;
	g->is_dir = rs.exists ? rs.is_dir : true;
	g->optional = c->cur->optional;
	g->tmpfs = c->cur_tmpfs;
	g->pos = c->cur->pos;
	return 0;
}

static int add_patterns(struct compiler *c, const mb_pattern_vec *v, unsigned ops, bool tmpfs)
{
	mb_vec_foreach(pp, v) {
		c->cur = pp;
		c->cur_ops = ops;
		c->cur_tmpfs = tmpfs;
		int r = mb_pattern_widen(c->profile, pp, add_widened, c);
		if (r < 0)
			return r;
	}
	return 0;
}

static int add_grants(struct compiler *c, const struct mb_grants *g)
{
	for (unsigned op = 0; op < MB_PATH_OPS; op++) {
		int r = add_patterns(c, &g->path[op], OP_BIT(op), false);
		if (r < 0)
			return r;
	}
	return add_patterns(c, &g->list, MB_PLAN_OP_LIST, false);
}

/* An exec grant is useless without the ELF interpreter the kernel runs the
 * program with (Landlock asks for execute on ld.so itself), nor without the
 * links that lead to it (/lib64 -> usr/lib64 on Debian). Grant it with the
 * exec grant's position, so --explain says where it came from. A directory
 * grant may hold any program: use the interpreter of our own architecture. */
static int add_interpreters(struct compiler *c)
{
	size_t n = c->grants.n;
	for (size_t i = 0; i < n; i++) {
		struct sgrant g = c->grants.v[i];
		if (!(g.ops & OP_BIT(MB_OP_EXEC)) || !g.exists || g.tmpfs)
			continue;
		char interp[PATH_MAX];
		int r = mb_elf_interpreter(g.is_dir ? "/proc/self/exe" : g.real, interp, sizeof(interp));
		if (r <= 0)
			continue; /* static, a script, or unreadable: the kernel will say */
		struct mb_path_pattern pp = { .text = interp, .pos = g.pos };
		c->cur = &pp;
		c->cur_ops = OP_BIT(MB_OP_EXEC);
		c->cur_tmpfs = false;
		if ((r = add_widened(interp, c)) < 0)
			return r;
	}
	return 0;
}

/* Order paths so that a parent sorts before its children and siblings stay
 * together: compare as if '/' were the smallest byte. */
static int path_cmp(const char *a, const char *b)
{
	for (;; a++, b++) {
		unsigned char x = (unsigned char)*a, y = (unsigned char)*b;
		if (x != y) {
			if (x == '/')
				return y ? -1 : 1;
			if (y == '/')
				return x ? 1 : -1;
			return x < y ? -1 : 1;
		}
		if (!x)
			return 0;
	}
}

static int mount_cmp(const void *a, const void *b)
{
	const struct mb_mount *x = a, *y = b;
	return path_cmp(x->path, y->path);
}

static int sgrant_cmp(const void *a, const void *b)
{
	const struct sgrant *x = a, *y = b;
	return path_cmp(x->real, y->real);
}

/* The effective access a bind gives: RW beats RO; exec only matters for RW
 * binds, which are noexec unless exec is granted at or beneath them (RO binds
 * keep exec so that ld.so can map libraries; Landlock decides execve). */
struct access {
	bool present, rw, exec;
};

static struct access nearest_mount(const struct mb_plan *plan, const char *path)
{
	struct access a = { 0 };
	/* Mounts are appended parents first: the last ancestor is nearest. A
	 * tmpfs (or the sandbox's /proc and /dev) shows nothing of the host, so
	 * what lies beneath it must still be bound or linked. */
	for (size_t i = plan->mounts.n; i-- > 0;) {
		const struct mb_mount *m = &plan->mounts.v[i];
		if (m->kind == MB_MOUNT_SYMLINK || m->missing || !mb_path_within(path, m->path))
			continue;
		if (m->kind != MB_MOUNT_BIND_RO && m->kind != MB_MOUNT_BIND_RW)
			return a;
		a.present = true;
		a.rw = m->kind == MB_MOUNT_BIND_RW;
		a.exec = !a.rw || m->exec;
		return a;
	}
	return a;
}

static int push_mount(struct mb_plan *plan, enum mb_mount_kind kind, const char *path,
		      const struct sgrant *g)
{
	struct mb_mount *m = mb_vec_new(&plan->mounts);
	if (!m || !(m->path = strdup(path)))
		return -ENOMEM;
	m->kind = kind;
	if (g) {
		m->is_dir = g->is_dir;
		m->exec = g->ops & OP_BIT(MB_OP_EXEC);
		m->optional = g->optional;
		m->missing = !g->exists && !g->tmpfs;
		m->pos = g->pos;
	} else {
		m->is_dir = true;
		m->pos = (struct mb_srcpos){ .file = "<sandbox>" };
	}
	return 0;
}

static int build_mounts(struct compiler *c)
{
	struct mb_plan *plan = c->plan;
	int r;
	if ((r = push_mount(plan, MB_MOUNT_PROC, "/proc", NULL)) < 0 ||
	    (r = push_mount(plan, MB_MOUNT_DEV, "/dev", NULL)) < 0)
		return r;
	if (c->grants.n)
		qsort(c->grants.v, c->grants.n, sizeof(*c->grants.v), sgrant_cmp);
	mb_vec_foreach(g, &c->grants) {
		if (is_internal(g->real))
			continue;
		if (g->tmpfs) {
			if ((r = push_mount(plan, MB_MOUNT_TMPFS, g->real, g)) < 0)
				return r;
			continue;
		}
		bool want_rw = g->ops & OP_BIT(MB_OP_WRITE);
		bool want_exec = g->ops & OP_BIT(MB_OP_EXEC);
		struct access have = nearest_mount(plan, g->real);
		if (have.present && (have.rw || !want_rw) && (have.exec || !want_exec))
			continue;
		/* Never narrow what an ancestor already gives. */
		bool rw = want_rw || (have.present && have.rw);
		if ((r = push_mount(plan, rw ? MB_MOUNT_BIND_RW : MB_MOUNT_BIND_RO, g->real, g)) < 0)
			return r;
		struct mb_mount *m = &plan->mounts.v[plan->mounts.n - 1];
		m->exec = want_exec || (have.present && have.exec && have.rw);
	}
	/* Symlinks beneath a bind are already visible through it. */
	mb_vec_foreach(l, &c->links) {
		if (nearest_mount(plan, l->path).present) {
			free(l->path);
			free(l->link_target);
			continue;
		}
		if (mb_vec_push(&plan->mounts, *l) < 0)
			return -ENOMEM;
	}
	c->links.n = 0;
	/* Stable: the symlinks join in path order, parents still first. */
	qsort(plan->mounts.v + 2, plan->mounts.n - 2, sizeof(*plan->mounts.v), mount_cmp);
	return 0;
}

static int build_fs_rules(struct compiler *c)
{
	struct mb_plan *plan = c->plan;
	struct mb_srcpos internal = { .file = "<sandbox>" };
	struct mb_fs_rule *f;
	if (!(f = mb_vec_new(&plan->fs_rules)) || !(f->path = strdup("/proc")))
		return -ENOMEM;
	f->ops = OP_BIT(MB_OP_READ);
	f->is_dir = true;
	f->pos = internal;
	for (size_t i = 0; i < ARRAY_SIZE(sandbox_devices); i++) {
		if (!(f = mb_vec_new(&plan->fs_rules)) || !(f->path = strdup(sandbox_devices[i])))
			return -ENOMEM;
		f->ops = OP_BIT(MB_OP_READ) | OP_BIT(MB_OP_WRITE);
		f->pos = internal;
	}
	mb_vec_foreach(g, &c->grants) {
		if (!g->exists && !g->tmpfs && !is_internal(g->real))
			continue; /* optional and missing */
		if (!(f = mb_vec_new(&plan->fs_rules)) || !(f->path = strdup(g->real)))
			return -ENOMEM;
		f->ops = g->tmpfs ? OP_BIT(MB_OP_READ) | OP_BIT(MB_OP_WRITE) : g->ops;
		f->is_dir = g->is_dir;
		f->pos = g->pos;
	}
	return 0;
}

static int add_port_rule(struct mb_plan *plan, uint16_t port, unsigned op)
{
	mb_vec_foreach(n, &plan->net_rules) {
		if (n->port == port) {
			n->ops |= OP_BIT(op);
			return 0;
		}
	}
	struct mb_net_rule *n = mb_vec_new(&plan->net_rules);
	if (!n)
		return -ENOMEM;
	n->port = port;
	n->ops = OP_BIT(op);
	return 0;
}

static int add_net(struct mb_plan *plan, const struct mb_grants *g)
{
	for (unsigned i = 0; i < 2; i++) {
		enum mb_op op = i == 0 ? MB_OP_CONNECT : MB_OP_BIND;
		bool *any = i == 0 ? &plan->connect_any_port : &plan->bind_any_port;
		mb_vec_foreach(ep, &g->net[i]) {
			if (ep->protos && !(ep->protos & MB_PROTO_TCP))
				continue; /* Landlock's ports are TCP's */
			unsigned width = (unsigned)ep->port_hi - ep->port_lo + 1;
			if (width > MAX_PORT_RULES_PER_RANGE) {
				*any = true;
				continue;
			}
			for (unsigned port = ep->port_lo; port <= ep->port_hi; port++) {
				int r = add_port_rule(plan, (uint16_t)port, op);
				if (r < 0)
					return r;
			}
		}
	}
	return 0;
}

static const char *env_lookup(char *const *envp, const char *name)
{
	size_t n = strlen(name);
	for (char *const *e = envp; e && *e; e++)
		if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

static int build_env(struct mb_plan *plan, const struct mb_profile *p, char *const *envp)
{
	mb_vec_foreach(e, &p->env) {
		const char *value = e->value ? e->value : env_lookup(envp, e->name);
		if (!value)
			continue; /* passed through, but the caller has none */
		char *s;
		if (asprintf(&s, "%s=%s", e->name, value) < 0)
			return -ENOMEM;
		if (mb_vec_push(&plan->envp, s) < 0) {
			free(s);
			return -ENOMEM;
		}
	}
	if (mb_vec_push(&plan->envp, NULL) < 0)
		return -ENOMEM;
	plan->envp.n--; /* the terminator is not an entry */
	return 0;
}

/* The caller's working directory when the sandbox shows it, else "/". */
static const char *pick_cwd(const struct mb_plan *plan)
{
	static char cwd[PATH_MAX];
	if (!getcwd(cwd, sizeof(cwd)))
		return "/";
	char real[PATH_MAX];
	struct mb_resolved rs;
	if (mb_path_resolve(cwd, real, sizeof(real), NULL, NULL, &rs) < 0 || !rs.exists ||
	    !rs.is_dir)
		return "/";
	/* The nearest mount decides: a private tmpfs shows nothing of the
	 * host beneath its root (a cwd under /tmp is not there). */
	const struct mb_mount *near = NULL;
	mb_vec_foreach(m, &plan->mounts) {
		if ((m->kind == MB_MOUNT_BIND_RO || m->kind == MB_MOUNT_BIND_RW ||
		     m->kind == MB_MOUNT_TMPFS) &&
		    !m->missing && m->is_dir && mb_path_within(real, m->path))
			near = m;
	}
	if (near && (near->kind != MB_MOUNT_TMPFS || strcmp(near->path, real) == 0)) {
		strcpy(cwd, real);
		return cwd;
	}
	return "/";
}

const char *const mb_resolver_files[] = { "/etc/resolv.conf", "/etc/hosts", "/etc/nsswitch.conf",
					  NULL };

bool mb_plan_is_resolver(const struct mb_plan *plan, const struct mb_addr *a)
{
	return plan && a && a->family == AF_INET && a->port == 53 &&
	       memcmp(a->addr, plan->resolver, 4) == 0;
}

/* Where the sandbox's resolver listens (struct mb_plan's resolver). */
static void pick_resolver(struct mb_plan *plan)
{
	static const uint8_t own[4] = { 127, 0, 0, 53 };
	memcpy(plan->resolver, own, 4);
	if (plan->network == MB_NET_HOST) {
		/* The host's loopback is shared: an address of this run's own,
		 * clear of systemd-resolved's 127.0.0.53 and .54. */
		unsigned pid = (unsigned)getpid();
		plan->resolver[1] = 77;
		plan->resolver[2] = (uint8_t)(pid >> 8);
		plan->resolver[3] = (uint8_t)pid;
	}
}

static char *resolver_file(const struct mb_plan *plan, const char *path)
{
	char *s = NULL;
	int n = -1;
	if (strcmp(path, "/etc/resolv.conf") == 0)
		n = asprintf(&s, "# membrane: membrane-run answers the sandbox's DNS itself\n"
				 "# (membrane-profile(5), Name resolution)\n"
				 "nameserver %u.%u.%u.%u\n",
			     plan->resolver[0], plan->resolver[1], plan->resolver[2], plan->resolver[3]);
	else if (strcmp(path, "/etc/hosts") == 0)
		n = asprintf(&s, "127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n");
	else
		n = asprintf(&s, "passwd: files\ngroup: files\nshadow: files\ngshadow: files\n"
				 "hosts: files dns\nnetworks: files\nprotocols: files\n"
				 "services: files\nethers: files\nrpc: files\n");
	return n < 0 ? NULL : s;
}

/* membrane's resolv.conf, hosts and nsswitch.conf in place of the host's,
 * whatever the grants bind there: what the host's would have been at
 * exactly those paths (a bind, a recreated symlink) is dropped, and the
 * files go on top of whatever an ancestor's bind shows, last. Landlock
 * may let them be read; the dynamic layer holds reads to the grants as
 * for any path. */
static int add_resolver_files(struct mb_plan *plan)
{
	for (size_t k = 0; mb_resolver_files[k]; k++) {
		const char *path = mb_resolver_files[k];
		size_t o = 0;
		for (size_t i = 0; i < plan->mounts.n; i++) {
			struct mb_mount *m = &plan->mounts.v[i];
			if (strcmp(m->path, path) == 0) {
				free(m->path);
				free(m->link_target);
				continue;
			}
			plan->mounts.v[o++] = *m;
		}
		plan->mounts.n = o;
		struct mb_mount *m = mb_vec_new(&plan->mounts);
		if (!m)
			return -ENOMEM;
		m->kind = MB_MOUNT_FILE;
		m->pos = (struct mb_srcpos){ .file = "<sandbox>" };
		if (!(m->path = strdup(path)) || !(m->content = resolver_file(plan, path)))
			return -ENOMEM;
		struct mb_fs_rule *f = mb_vec_new(&plan->fs_rules);
		if (!f || !(f->path = strdup(path)))
			return -ENOMEM;
		f->ops = OP_BIT(MB_OP_READ);
		f->pos = m->pos;
	}
	return 0;
}

int mb_plan_compile(const struct mb_profile *p, char *const *envp, struct mb_plan **ret,
		    struct mb_error *err)
{
	_cleanup_(mb_plan_freep) struct mb_plan *plan = calloc(1, sizeof(*plan));
	if (!plan)
		return -ENOMEM;
	plan->profile = p;
	plan->network = p->network;
	plan->limits = p->limits;
	plan->require_landlock = p->require_landlock;
	plan->require = p->require;
	plan->require_pos = p->require_pos;
	plan->user = p->user;
	pick_resolver(plan);

	struct compiler c = { .profile = p, .plan = plan, .err = err };
	int r = add_grants(&c, &p->runtime);
	if (r == 0)
		r = add_patterns(&c, &p->tmpfs, 0, true);
	for (size_t i = 0; r == 0 && i < p->tools.n; i++)
		r = add_grants(&c, &p->tools.v[i].grants);
	for (size_t i = 0; r == 0 && i < p->requests.n; i++)
		r = add_grants(&c, &p->requests.v[i].grants);
	if (r == 0)
		r = add_interpreters(&c);
	if (r == 0)
		r = build_mounts(&c);
	if (r == 0)
		r = build_fs_rules(&c);
	if (r == 0)
		r = add_resolver_files(plan);
	if (r == 0)
		r = add_net(plan, &p->runtime);
	for (size_t i = 0; r == 0 && i < p->tools.n; i++)
		r = add_net(plan, &p->tools.v[i].grants);
	for (size_t i = 0; r == 0 && i < p->requests.n; i++)
		r = add_net(plan, &p->requests.v[i].grants);
	/* DNS over TCP to the sandbox's resolver, where Landlock holds TCP
	 * ports (brokered: not at all): the resolver is membrane's own. */
	if (r == 0 && plan->network != MB_NET_BROKERED)
		r = add_port_rule(plan, 53, MB_OP_CONNECT);
	if (r == 0)
		r = build_env(plan, p, envp);
	if (r == 0)
		r = mb_plan_decoys(plan, err);
	if (r == 0)
		plan->cwd = pick_cwd(plan);

	mb_vec_foreach(g, &c.grants) free(g->real);
	mb_vec_free(&c.grants);
	mb_vec_foreach(l, &c.links) {
		free(l->path);
		free(l->link_target);
	}
	mb_vec_free(&c.links);
	if (r < 0) {
		if (r == -ENOMEM)
			mb_error_set(err, r, "out of memory while compiling the profile");
		return r;
	}
	*ret = TAKE_PTR(plan);
	return 0;
}

void mb_plan_free(struct mb_plan *plan)
{
	if (!plan)
		return;
	mb_vec_foreach(m, &plan->mounts) {
		free(m->path);
		free(m->link_target);
		free(m->content);
	}
	mb_vec_free(&plan->mounts);
	mb_vec_foreach(f, &plan->fs_rules) free(f->path);
	mb_vec_free(&plan->fs_rules);
	mb_vec_free(&plan->net_rules);
	mb_vec_foreach(e, &plan->envp) free(*e);
	mb_vec_free(&plan->envp);
	mb_decoys_free(plan);
	free(plan);
}
