/* SPDX-License-Identifier: Apache-2.0 */
/* The sandbox plan: what sandbox/ must build, compiled from a profile. Pure
 * data, computed without privileges and printed by --explain; sandbox/ applies
 * it. The static layer is the union of every grant: runtime + every tool and
 * request, with placeholders widened to arguments.within (or to the fixed
 * prefix before the first placeholder) and globs widened to their parent. */
#pragma once

#include "policy/decoy.h"
#include "policy/match.h"
#include "policy/profile.h"

enum mb_mount_kind {
	MB_MOUNT_BIND_RO, /* read or exec grants: read-only bind */
	MB_MOUNT_BIND_RW, /* write grants: read-write bind */
	MB_MOUNT_TMPFS,   /* runtime.tmpfs: a private, empty tmpfs */
	MB_MOUNT_SYMLINK, /* a granted path (or a component of one) is a symlink on
			     the host: recreated as the same symlink */
	MB_MOUNT_PROC,    /* /proc of the sandbox's pid namespace */
	MB_MOUNT_DEV,     /* minimal /dev: null zero full random urandom */
	MB_MOUNT_FILE,    /* a file of membrane's own (content), read-only, over
			     whatever the host's tree puts there: the sandbox's
			     resolver files */
};

const char *mb_mount_kind_name(enum mb_mount_kind k);

struct mb_mount {
	enum mb_mount_kind kind;
	char *path;        /* the same path inside and outside (canonical) */
	char *link_target; /* MB_MOUNT_SYMLINK: readlink() of path on the host */
	char *content;     /* MB_MOUNT_FILE: what the file holds */
	bool is_dir;       /* binds: the host path is a directory */
	bool exec;         /* rw binds: exec granted here, so no noexec (ro binds
			      are never noexec: ld.so maps libraries from them) */
	bool optional;     /* the grant was marked '?' and the path was missing */
	bool missing;      /* optional and absent on the host: skipped */
	struct mb_srcpos pos; /* the grant responsible */
};

/* A list grant in a plan's ops: the directory's names (Landlock
 * READ_DIR), not what it holds. */
#define MB_PLAN_OP_LIST (1u << MB_OP_COUNT_)

/* Landlock filesystem rule: allow ops (1 << MB_OP_READ|WRITE|EXEC, and
 * MB_PLAN_OP_LIST) beneath path. sandbox/ maps ops to the access rights of
 * the running ABI. */
struct mb_fs_rule {
	char *path;
	unsigned ops;
	bool is_dir;
	struct mb_srcpos pos;
};

/* Landlock TCP port rule (ABI 4+). */
struct mb_net_rule {
	uint16_t port;
	unsigned ops; /* 1 << MB_OP_CONNECT | 1 << MB_OP_BIND */
};

struct mb_plan {
	const struct mb_profile *profile; /* borrowed: outlives the plan */
	MB_VEC(struct mb_mount) mounts;   /* in order: parents before children */
	MB_VEC(struct mb_fs_rule) fs_rules;
	MB_VEC(struct mb_net_rule) net_rules;
	/* A connect/bind grant spans every port: Landlock cannot narrow it, so
	 * that access right is left unhandled (said by --explain). */
	bool connect_any_port, bind_any_port;
	/* socket(AF_NETLINK, *, NETLINK_ROUTE) is allowed by the seccomp
	 * baseline (getifaddrs); every other netlink family stays denied. */
	bool netlink_route;
	enum mb_network network;
	struct mb_limits limits;
	MB_VEC(char *) envp; /* NAME=VALUE, NULL-terminated when n > 0 */
	int require_landlock;
	unsigned require;             /* enum mb_require (policy/profile.h) */
	struct mb_srcpos require_pos; /* where the profile says so */
	struct mb_user user;
	const char *cwd; /* working directory inside: the caller's, where the
			    sandbox shows it (pick_cwd), else "/" */
	/* The sandbox's resolver (membrane-profile(5) "Name resolution"): the
	 * address its resolv.conf names, port 53, where membrane-run answers
	 * DNS. 127.0.0.53 in the sandbox's own network namespace; with
	 * network host one of the host's loopback for this run, 127.77.X.Y
	 * from membrane-run's pid. */
	uint8_t resolver[4];
	MB_VEC(struct mb_decoy) decoys; /* planted after the mounts (policy/decoy.h) */
};

/* Is a the sandbox's resolver (plan->resolver, port 53)? Membrane's own:
 * a DNS question to it is no connect of the server's to count (the call
 * record, budgets). */
bool mb_plan_is_resolver(const struct mb_plan *plan, const struct mb_addr *a);

/* The files the sandbox's resolver puts in place of the host's, each an
 * MB_MOUNT_FILE of the plan. */
extern const char *const mb_resolver_files[];

/* Compile p into a plan. envp supplies the values of pass-through env
 * entries. Host paths are examined (lstat/readlink) to recreate symlinks and
 * to tell files from directories; a required path that is missing fails with
 * the profile position. */
int mb_plan_compile(const struct mb_profile *p, char *const *envp, struct mb_plan **ret,
		    struct mb_error *err);
void mb_plan_free(struct mb_plan *plan);
MB_DEFINE_CLEANUP(struct mb_plan, mb_plan_free)
