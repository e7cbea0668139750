/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <string.h>

#include "common/kernel-compat.h"
#include "sandbox/describe.h"
#include "sandbox/landlock.h"
#include "sandbox/seccomp-baseline.h"

static void put_fs_rights(struct mb_strbuf *b, uint64_t rights)
{
	const char *sep = "";
	for (unsigned i = 0; i < 64; i++) {
		uint64_t bit = 1ULL << i;
		if (rights & bit) {
			mb_strbuf_printf(b, "%s%s", sep, mb_landlock_fs_right_name(bit));
			sep = ",";
		}
	}
	if (!*sep)
		mb_strbuf_puts(b, "(none)");
}

static void put_pos(struct mb_strbuf *b, const struct mb_srcpos *pos)
{
	if (pos && pos->file && pos->line)
		mb_strbuf_printf(b, "  (%s:%u:%u)", pos->file, pos->line, pos->column);
}

struct rules_ctx {
	struct mb_strbuf *b;
	int abi;
};

static void put_rule(const struct mb_landlock_rule *r, void *data)
{
	struct rules_ctx *c = data;
	uint64_t got = mb_landlock_fs_access(r->ops, r->is_dir, c->abi);
	uint64_t want = mb_landlock_fs_access(r->ops, r->is_dir, MB_LANDLOCK_ABI_MAX);
	mb_strbuf_printf(c->b, "  %-36s ", r->path);
	put_fs_rights(c->b, got);
	if (want & ~got) {
		mb_strbuf_puts(c->b, "  [this kernel lacks: ");
		put_fs_rights(c->b, want & ~got);
		mb_strbuf_putc(c->b, ']');
	}
	if (r->pos)
		put_pos(c->b, r->pos);
	else
		mb_strbuf_puts(c->b, "  (sandbox)");
	mb_strbuf_putc(c->b, '\n');
}

static void put_ports(struct mb_strbuf *b, const struct mb_plan *plan, unsigned op, bool any)
{
	if (any) {
		mb_strbuf_puts(b, "any (left unhandled: Landlock cannot say \"all ports\")");
		return;
	}
	const char *sep = "";
	for (size_t i = 0; i < plan->net_rules.n; i++)
		if (plan->net_rules.v[i].ops & (1u << op)) {
			mb_strbuf_printf(b, "%s%u", sep, plan->net_rules.v[i].port);
			sep = " ";
		}
	if (!*sep)
		mb_strbuf_puts(b, "none");
}

/* Which ABI brought a right, and what its absence leaves open. */
static const struct {
	int abi;
	const char *what, *open;
} gaps[] = {
	{ 2, "refer", "renames and links across directories are refused everywhere, even between "
		      "writable trees" },
	{ 3, "truncate", "truncate(2) of a file that is only readable is not stopped by Landlock" },
	{ 4, "tcp ports", "TCP bind and connect are not restricted to the granted ports" },
	{ 5, "ioctl_dev", "ioctl(2) on the granted device files is not restricted" },
	{ 6, "scopes", "abstract unix sockets and signals outside the sandbox are not scoped (the "
		       "network and pid namespaces still separate them)" },
};

unsigned mb_describe_landlock_gaps(struct mb_strbuf *b, const struct mb_plan *plan, int abi)
{
	unsigned n = 0;
	if (abi <= 0) {
		mb_strbuf_puts(b, "  Landlock is missing: no access rights beyond the mounts and the "
				  "owner checks; exec is limited only by noexec mounts\n");
		return 1;
	}
	bool wants_net = (!plan->connect_any_port || !plan->bind_any_port) &&
			 plan->network != MB_NET_BROKERED;
	for (size_t i = 0; i < ARRAY_SIZE(gaps); i++) {
		if (abi >= gaps[i].abi)
			continue;
		if (gaps[i].abi == 4 && !wants_net)
			continue;
		mb_strbuf_printf(b, "  %s (ABI %d): %s\n", gaps[i].what, gaps[i].abi, gaps[i].open);
		n++;
	}
	return n;
}

void mb_describe_landlock(struct mb_strbuf *b, const struct mb_plan *plan, int abi)
{
	if (abi <= 0) {
		mb_strbuf_puts(b, "Landlock: not available on this kernel\n");
		mb_describe_landlock_gaps(b, plan, abi);
		return;
	}
	mb_strbuf_printf(b, "Landlock: ABI %d", abi);
	if (abi < MB_LANDLOCK_ABI_MAX)
		mb_strbuf_printf(b, " (membrane knows %d)", MB_LANDLOCK_ABI_MAX);
	mb_strbuf_puts(b, "; handled, so denied unless a rule grants them:\n  filesystem: ");
	put_fs_rights(b, mb_landlock_fs_handled(abi));
	uint64_t net = mb_landlock_net_handled(plan, abi);
	mb_strbuf_puts(b, "\n  network: ");
	if (!net)
		mb_strbuf_puts(b, abi >= 4 ? "(none)" : "(needs ABI 4)");
	for (uint64_t bit = 1; bit <= LANDLOCK_ACCESS_NET_CONNECT_TCP; bit <<= 1)
		if (net & bit)
			mb_strbuf_printf(b, "%s ", mb_landlock_net_right_name(bit));
	uint64_t scoped = mb_landlock_scoped(abi);
	mb_strbuf_puts(b, "\n  scoped: ");
	if (!scoped)
		mb_strbuf_puts(b, "(needs ABI 6)");
	for (uint64_t bit = 1; bit <= LANDLOCK_SCOPE_SIGNAL; bit <<= 1)
		if (scoped & bit)
			mb_strbuf_printf(b, "%s ", mb_landlock_scope_name(bit));
	mb_strbuf_puts(b, "\nLandlock filesystem rules (rights beneath each path):\n");
	struct rules_ctx c = { b, abi };
	mb_landlock_foreach_rule(plan, put_rule, &c);
	if (plan->network == MB_NET_BROKERED) {
		mb_strbuf_puts(b, "Landlock TCP ports: not used (network brokered: the sandbox's "
				  "namespace is empty, the supervisor makes the connects)\n");
	} else {
		mb_strbuf_puts(b, "Landlock TCP ports: connect ");
		put_ports(b, plan, MB_OP_CONNECT, plan->connect_any_port);
		mb_strbuf_puts(b, "; bind ");
		put_ports(b, plan, MB_OP_BIND, plan->bind_any_port);
		mb_strbuf_putc(b, '\n');
	}
	struct mb_strbuf g = { 0 };
	if (mb_describe_landlock_gaps(&g, plan, abi)) {
		mb_strbuf_printf(b, "Not enforced by this kernel (ABI %d):\n", abi);
		mb_strbuf_puts(b, g.s);
	}
	if (mb_strbuf_failed(&g))
		b->oom = true;
	mb_strbuf_free(&g);
}

static const char *errno_name(int e)
{
	const char *s = strerrorname_np(e);
	return s ? s : "?";
}

void mb_describe_seccomp(struct mb_strbuf *b, const struct mb_plan *plan, bool memfd_noexec)
{
	struct mb_seccomp_env env = { .plan = plan, .memfd_noexec = memfd_noexec };
	mb_strbuf_puts(b, "seccomp baseline: the native architecture only (i386 and x32 system calls "
			  "kill the process); everything not listed is allowed:\n");
	for (size_t i = 0; i < mb_seccomp_baseline_n; i++) {
		const struct mb_seccomp_rule *r = &mb_seccomp_baseline[i];
		if (!mb_seccomp_rule_applies(r, &env))
			continue;
		mb_strbuf_printf(b, "  %-18s %-13s ", r->syscall, errno_name(r->err));
		mb_seccomp_cond_describe(b, r, &env);
		mb_strbuf_printf(b, ": %s\n", r->why);
	}
}

static void yesno(struct mb_strbuf *b, const char *name, bool v)
{
	mb_strbuf_printf(b, "%s: %s\n", name, v ? "yes" : "no");
}

/* The namespaces a sandbox has, in the order both descriptions name them:
 * each name after sep (before the first: first_sep), quoted for JSON when
 * json is set. Returns how many. */
static unsigned put_namespaces(struct mb_strbuf *b, const struct mb_layers *l, bool json,
			       const char *first_sep, const char *sep)
{
	const struct {
		bool on;
		const char *name;
	} ns[] = {
		{ l->userns, "user" }, { l->mntns, "mount" }, { l->pidns, "pid" }, { l->netns, "net" },
		{ l->ipcns, "ipc" },   { l->utsns, "uts" },   { l->cgroupns, "cgroup" },
	};
	unsigned n = 0;
	for (size_t i = 0; i < ARRAY_SIZE(ns); i++)
		if (ns[i].on)
			mb_strbuf_printf(b, json ? "%s\"%s\"" : "%s%s", n++ ? sep : first_sep,
					 ns[i].name);
	return n;
}

void mb_describe_layers(struct mb_strbuf *b, const struct mb_layers *l)
{
	mb_strbuf_puts(b, "namespaces:");
	mb_strbuf_puts(b, put_namespaces(b, l, false, " ", " ") ? "\n" : " none\n");
	yesno(b, "fresh root", l->rootfs);
	yesno(b, "/proc hidepid", l->proc_hidepid);
	if (l->landlock_abi)
		mb_strbuf_printf(b, "landlock: ABI %d (filesystem %s, network %s, scopes %s)\n",
				 l->landlock_abi, l->landlock_fs ? "yes" : "no",
				 l->landlock_net ? "yes" : "no", l->landlock_scope ? "yes" : "no");
	else
		mb_strbuf_puts(b, "landlock: no\n");
	yesno(b, "seccomp baseline", l->seccomp_baseline);
	yesno(b, "seccomp notifier", l->seccomp_notify);
	if (l->seccomp_notify) {
		yesno(b, "  waits killable only (5.19+)", l->seccomp_notify_killable);
		yesno(b, "  synchronous wake-up (6.6+)", l->seccomp_notify_sync);
	}
	yesno(b, "no_new_privs", l->no_new_privs);
	yesno(b, "capabilities dropped", l->caps_dropped);
	yesno(b, "memfd noexec", l->memfd_noexec);
	yesno(b, "limits", l->limits);
	mb_describe_memory(b, l->memory, l->memory_why, l->shm_limited);
}

static const char *const memory_by_name[] = {
	[MB_MEMORY_NONE] = "none",
	[MB_MEMORY_RLIMIT] = "rlimit",
	[MB_MEMORY_CGROUP1] = "cgroup1",
	[MB_MEMORY_CGROUP2] = "cgroup2",
};

void mb_describe_memory(struct mb_strbuf *b, enum mb_memory_by by, const char *why,
			bool shm_limited)
{
	mb_strbuf_puts(b, "memory limit: ");
	switch (by) {
	case MB_MEMORY_NONE:
		mb_strbuf_puts(b, "none asked\n");
		break;
	case MB_MEMORY_CGROUP2:
	case MB_MEMORY_CGROUP1:
		mb_strbuf_printf(b, "a cgroup %s leaf (%s): all the sandbox's memory, shared "
				    "mappings, memfds and tmpfs files included\n",
				 by == MB_MEMORY_CGROUP2 ? "v2" : "v1",
				 by == MB_MEMORY_CGROUP2 ? "memory.max" : "memory.limit_in_bytes");
		break;
	case MB_MEMORY_RLIMIT:
		mb_strbuf_printf(b, "RLIMIT_DATA and each private tmpfs's size%s only: shared "
				    "anonymous mappings, memfds%s are not counted (no cgroup: %s)\n",
				 shm_limited ? ", and System V shared memory in all," : "",
				 shm_limited ? "" : " and System V shared memory",
				 why && *why ? why : "none can be had here");
		break;
	}
}

static void jbool(struct mb_strbuf *b, const char *name, bool v, bool comma)
{
	mb_strbuf_printf(b, "\"%s\":%s%s", name, v ? "true" : "false", comma ? "," : "");
}

void mb_describe_layers_json(struct mb_strbuf *b, const struct mb_layers *l)
{
	mb_strbuf_puts(b, "{\"namespaces\":[");
	put_namespaces(b, l, true, "", ",");
	mb_strbuf_puts(b, "],");
	jbool(b, "rootfs", l->rootfs, true);
	mb_strbuf_printf(b, "\"landlock\":{\"abi\":%d,", l->landlock_abi);
	jbool(b, "fs", l->landlock_fs, true);
	jbool(b, "net", l->landlock_net, true);
	jbool(b, "scope", l->landlock_scope, false);
	mb_strbuf_puts(b, "},\"seccomp\":{");
	jbool(b, "baseline", l->seccomp_baseline, true);
	jbool(b, "notify", l->seccomp_notify, true);
	jbool(b, "notify_killable", l->seccomp_notify_killable, true);
	jbool(b, "notify_sync_wake_up", l->seccomp_notify_sync, false);
	mb_strbuf_puts(b, "},");
	jbool(b, "no_new_privs", l->no_new_privs, true);
	jbool(b, "caps_dropped", l->caps_dropped, true);
	jbool(b, "memfd_noexec", l->memfd_noexec, true);
	jbool(b, "limits", l->limits, true);
	jbool(b, "proc_hidepid", l->proc_hidepid, true);
	jbool(b, "resolver", l->resolver, true);
	mb_strbuf_printf(b, "\"memory\":{\"by\":\"%s\"", memory_by_name[l->memory]);
	if (l->memory == MB_MEMORY_RLIMIT) {
		mb_strbuf_puts(b, ",\"why\":");
		mb_strbuf_json_string(b, l->memory_why, strlen(l->memory_why));
	}
	if (l->memory != MB_MEMORY_NONE)
		mb_strbuf_printf(b, ",\"sysv_shm\":%s", l->shm_limited ? "true" : "false");
	mb_strbuf_puts(b, "}}");
}
