/* SPDX-License-Identifier: Apache-2.0 */
/* The seccomp baseline: system calls no MCP server needs and a sandbox must
 * not allow, denied with an errno (EPERM, or ENOSYS where callers fall back
 * to something else, EAFNOSUPPORT for socket families). Everything else is
 * allowed: the filesystem and the network are Landlock's job, the dynamic
 * watch is the notifier's. The native architecture is pinned: a system call
 * of another ABI (i386 through int 0x80, x32) kills the process.
 *
 * One table drives the filter and its description (--explain, the man
 * page): {system call, errno, condition, why}. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "common/strbuf.h"
#include "policy/plan.h"
#include "sandbox/bpf.h"

enum mb_seccomp_cond {
	MB_SC_ALWAYS,
	MB_SC_ANY_BIT,       /* arg[argi] has any bit of value set */
	MB_SC_EQ32,          /* the low 32 bits of arg[argi] equal value */
	MB_SC_NE,            /* arg[argi] differs from value */
	MB_SC_SOCKET_FAMILY, /* domain other than AF_UNIX, AF_INET, AF_INET6 (and
				AF_NETLINK with NETLINK_ROUTE when the plan asks) */
	MB_SC_MODE_DEVICE,   /* arg[argi] & S_IFMT is S_IFCHR or S_IFBLK */
	MB_SC_BIT_CLEAR,     /* arg[argi] lacks the bit(s) value */
};

/* What else decides a rule: some rows stand in for a kernel setting that
 * could not be made. */
enum mb_seccomp_when {
	MB_SC_WHEN_ALWAYS,
	MB_SC_WHEN_NO_MEMFD_SYSCTL, /* vm.memfd_noexec=2 is not in force (an
				       unprivileged caller cannot set it) */
};

struct mb_seccomp_env {
	const struct mb_plan *plan;
	bool memfd_noexec; /* vm.memfd_noexec=2 is in force in our pid namespace */
};

struct mb_seccomp_rule {
	const char *syscall;
	int err; /* errno the call fails with */
	enum mb_seccomp_cond cond;
	unsigned argi;
	uint64_t value;
	const char *why;
	enum mb_seccomp_when when;
	/* For a call newer than this libseccomp knows: its number, which from
	 * 424 on is the same on every architecture but alpha. */
	int nr;
};

/* Does the row apply in env? */
bool mb_seccomp_rule_applies(const struct mb_seccomp_rule *r, const struct mb_seccomp_env *env);

extern const struct mb_seccomp_rule mb_seccomp_baseline[];
extern const size_t mb_seccomp_baseline_n;

/* The condition of a rule in words ("arg0 has CLONE_NEW* flags"). */
void mb_seccomp_cond_describe(struct mb_strbuf *b, const struct mb_seccomp_rule *r,
			      const struct mb_seccomp_env *env);

/* Build the baseline filter as a BPF program (load it with mb_bpf_load()).
 * Pure computation: mb_sandbox_spawn() does it in the caller while the
 * sandbox's init is busy with its mounts. */
int mb_seccomp_baseline_build(const struct mb_seccomp_env *env, struct mb_bpf *ret,
			      struct mb_error *err);
