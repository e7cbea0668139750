/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/kernel-compat.h"
#include "sandbox/landlock.h"

#define FS(x) LANDLOCK_ACCESS_FS_##x
#define FS_V1                                                                         \
	(FS(EXECUTE) | FS(WRITE_FILE) | FS(READ_FILE) | FS(READ_DIR) | FS(REMOVE_DIR) | \
	 FS(REMOVE_FILE) | FS(MAKE_CHAR) | FS(MAKE_DIR) | FS(MAKE_REG) | FS(MAKE_SOCK) | \
	 FS(MAKE_FIFO) | FS(MAKE_BLOCK) | FS(MAKE_SYM))
/* The rights that make sense on a file (the kernel refuses the others). */
#define FS_FILE (FS(EXECUTE) | FS(WRITE_FILE) | FS(READ_FILE) | FS(TRUNCATE) | FS(IOCTL_DEV))

int mb_landlock_abi(void)
{
	static int cached = -1;
	if (cached >= 0)
		return cached;
	long v = syscall(SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	int abi = v < 0 ? 0 : v > MB_LANDLOCK_ABI_MAX ? MB_LANDLOCK_ABI_MAX : (int)v;
	const char *knob = getenv(MB_TEST_LANDLOCK_ABI_ENV);
	if (knob && *knob) {
		char *end;
		long k = strtol(knob, &end, 10);
		if (!*end && k >= 0 && k < abi)
			abi = (int)k;
	}
	cached = abi;
	return abi;
}

/* Stepped down like sandboxer.c: each ABI adds rights to the previous one. */
uint64_t mb_landlock_fs_handled(int abi)
{
	if (abi < 1)
		return 0;
	uint64_t h = FS_V1;
	if (abi >= 2)
		h |= FS(REFER);
	if (abi >= 3)
		h |= FS(TRUNCATE);
	if (abi >= 5)
		h |= FS(IOCTL_DEV);
	return h;
}

uint64_t mb_landlock_fs_access(unsigned ops, bool is_dir, int abi)
{
	uint64_t a = 0;
	if (ops & (1u << MB_OP_READ))
		a |= FS(READ_FILE) | FS(READ_DIR);
	if (ops & (1u << MB_OP_WRITE))
		/* Sockets and fifos: a server's own unix socket or named pipe
		 * in its writable tree. Never devices: MAKE_CHAR/BLOCK stay
		 * denied everywhere. REFER only here, where both the source
		 * and the target of a rename or link are writable.
		 * READ_FILE: write covers opening a file to read and write
		 * it (the dynamic layer's rule 5, policy/decide.h). */
		a |= FS(WRITE_FILE) | FS(READ_FILE) | FS(TRUNCATE) | FS(REMOVE_DIR) | FS(REMOVE_FILE) |
		     FS(MAKE_DIR) | FS(MAKE_REG) | FS(MAKE_SYM) | FS(MAKE_SOCK) | FS(MAKE_FIFO) |
		     FS(REFER);
	if (ops & (1u << MB_OP_EXEC))
		a |= FS(EXECUTE) | FS(READ_FILE);
	if (ops & MB_PLAN_OP_LIST)
		a |= FS(READ_DIR); /* names, never contents */
	if (!is_dir)
		a &= FS_FILE;
	return a & mb_landlock_fs_handled(abi);
}

uint64_t mb_landlock_net_handled(const struct mb_plan *plan, int abi)
{
	/* Brokered: the sandbox's netns holds only its own loopback, and what
	 * leaves it is connected by the supervisor, which Landlock does not
	 * confine. TCP rules would only keep the server from its own
	 * listeners (membrane-profile(5): a loopback connect that no grant
	 * names stays inside). */
	if (abi < 4 || plan->network == MB_NET_BROKERED)
		return 0;
	return (plan->connect_any_port ? 0 : LANDLOCK_ACCESS_NET_CONNECT_TCP) |
	       (plan->bind_any_port ? 0 : LANDLOCK_ACCESS_NET_BIND_TCP);
}

uint64_t mb_landlock_scoped(int abi)
{
	return abi >= 6 ? LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET | LANDLOCK_SCOPE_SIGNAL : 0;
}

const char *mb_landlock_fs_right_name(uint64_t bit)
{
	static const char *const names[] = {
		"execute",   "write_file", "read_file",  "read_dir",  "remove_dir", "remove_file",
		"make_char", "make_dir",   "make_reg",   "make_sock", "make_fifo",  "make_block",
		"make_sym",  "refer",      "truncate",   "ioctl_dev",
	};
	for (unsigned i = 0; i < ARRAY_SIZE(names); i++)
		if (bit == 1ULL << i)
			return names[i];
	return "?";
}

const char *mb_landlock_net_right_name(uint64_t bit)
{
	return bit == LANDLOCK_ACCESS_NET_BIND_TCP      ? "bind_tcp"
	       : bit == LANDLOCK_ACCESS_NET_CONNECT_TCP ? "connect_tcp"
							: "?";
}

const char *mb_landlock_scope_name(uint64_t bit)
{
	return bit == LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET ? "abstract_unix_socket"
	       : bit == LANDLOCK_SCOPE_SIGNAL             ? "signal"
							  : "?";
}

void mb_landlock_foreach_rule(const struct mb_plan *plan, mb_landlock_rule_fn fn, void *data)
{
	/* The plan already holds the rules for the sandbox's own mounts
	 * (/proc, the devices, tmpfs entries), marked "<sandbox>". */
	for (size_t i = 0; i < plan->fs_rules.n; i++) {
		const struct mb_fs_rule *fr = &plan->fs_rules.v[i];
		bool own = fr->pos.file && strcmp(fr->pos.file, "<sandbox>") == 0;
		struct mb_landlock_rule r = { fr->path, fr->ops, fr->is_dir, own ? NULL : &fr->pos,
					      own ? "sandbox" : "profile" };
		fn(&r, data);
	}
}

struct apply_ctx {
	int ruleset, abi, r;
	unsigned skipped;
	struct mb_error *err;
};

static void add_rule(const struct mb_landlock_rule *rule, void *data)
{
	struct apply_ctx *c = data;
	if (c->r < 0)
		return;
	int fd = open(rule->path, O_PATH | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT) {
			c->skipped++; /* optional and missing, or not mounted */
			return;
		}
		c->r = mb_error_set(c->err, mb_neg_errno(), "Landlock rule for %s: open: %m",
				    rule->path);
		return;
	}
	struct stat st;
	if (fstat(fd, &st) < 0) {
		c->r = mb_error_set(c->err, mb_neg_errno(), "Landlock rule for %s: fstat: %m",
				    rule->path);
		mb_close(fd);
		return;
	}
	/* What the path is now decides file or directory rights. */
	struct mb_landlock_path_beneath_attr pb = {
		.allowed_access = mb_landlock_fs_access(rule->ops, S_ISDIR(st.st_mode), c->abi),
		.parent_fd = fd,
	};
	if (pb.allowed_access &&
	    syscall(SYS_landlock_add_rule, c->ruleset, LANDLOCK_RULE_PATH_BENEATH, &pb, 0) < 0)
		c->r = mb_error_set(c->err, mb_neg_errno(), "landlock_add_rule %s: %m", rule->path);
	mb_close(fd);
}

int mb_landlock_apply(const struct mb_plan *plan, int abi, struct mb_landlock_result *res,
		      struct mb_error *err)
{
	struct mb_landlock_ruleset_attr attr = {
		.handled_access_fs = mb_landlock_fs_handled(abi),
		.handled_access_net = mb_landlock_net_handled(plan, abi),
		.scoped = mb_landlock_scoped(abi),
	};
	size_t size = abi >= 6 ? MB_LANDLOCK_ATTR_SIZE_V6
		      : abi >= 4 ? MB_LANDLOCK_ATTR_SIZE_V4
				 : MB_LANDLOCK_ATTR_SIZE_V1;
	int ruleset = (int)syscall(SYS_landlock_create_ruleset, &attr, size, 0);
	if (ruleset < 0)
		return mb_error_set(err, mb_neg_errno(), "landlock_create_ruleset (ABI %d): %m", abi);

	struct apply_ctx c = { .ruleset = ruleset, .abi = abi, .err = err };
	mb_landlock_foreach_rule(plan, add_rule, &c);
	if (c.r == 0 && attr.handled_access_net) {
		for (size_t i_nr = 0; i_nr < plan->net_rules.n; i_nr++) {
		const __typeof__(*plan->net_rules.v) *nr = &plan->net_rules.v[i_nr];
			struct mb_landlock_net_port_attr np = { .port = nr->port };
			if (nr->ops & (1u << MB_OP_CONNECT))
				np.allowed_access |= LANDLOCK_ACCESS_NET_CONNECT_TCP;
			if (nr->ops & (1u << MB_OP_BIND))
				np.allowed_access |= LANDLOCK_ACCESS_NET_BIND_TCP;
			np.allowed_access &= attr.handled_access_net;
			if (np.allowed_access &&
			    syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_NET_PORT, &np, 0) < 0) {
				c.r = mb_error_set(err, mb_neg_errno(),
						   "landlock_add_rule port %u: %m", nr->port);
				break;
			}
		}
	}
	if (c.r == 0 && syscall(SYS_landlock_restrict_self, ruleset, 0) < 0)
		c.r = mb_error_set(err, mb_neg_errno(), "landlock_restrict_self: %m");
	mb_close(ruleset);
	if (c.r < 0)
		return c.r;
	res->abi = abi;
	res->fs = true;
	res->net = attr.handled_access_net != 0;
	res->scope = attr.scoped != 0;
	res->skipped = c.skipped;
	return 0;
}
