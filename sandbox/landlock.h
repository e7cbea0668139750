/* SPDX-License-Identifier: Apache-2.0 */
/* Landlock: the filesystem and network wall. The plan's rules give ops
 * (read, write, exec) beneath paths and TCP ports; here they become the
 * access rights of the ABI the running kernel offers, stepped down as
 * samples/landlock/sandboxer.c does, with every right the ABI knows handled
 * so that anything not granted is denied. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "policy/plan.h"

/* Test-only knob: MEMBRANE_TEST_LANDLOCK_ABI=N caps the ABI we use at N (0:
 * behave as if Landlock were missing), so the fallback paths for older
 * kernels run on this one. Not for users: it weakens the sandbox. */
#define MB_TEST_LANDLOCK_ABI_ENV "MEMBRANE_TEST_LANDLOCK_ABI"

/* The highest ABI this build knows. */
#define MB_LANDLOCK_ABI_MAX 7

/* The running kernel's ABI (0: no Landlock), capped by the test knob and by
 * MB_LANDLOCK_ABI_MAX. Asked once per process. */
int mb_landlock_abi(void);

/* Every filesystem right ABI abi knows. */
uint64_t mb_landlock_fs_handled(int abi);
/* The rights for ops (1 << MB_OP_*) on a directory or a file, at ABI abi
 * (abi = MB_LANDLOCK_ABI_MAX gives what we would ask of a full kernel). */
uint64_t mb_landlock_fs_access(unsigned ops, bool is_dir, int abi);
/* The network rights handled at abi for this plan (a right granted for every
 * port is left unhandled: Landlock has no "any port" rule). */
uint64_t mb_landlock_net_handled(const struct mb_plan *plan, int abi);
uint64_t mb_landlock_scoped(int abi);

/* The name of one right ("read_file"), of a net right, of a scope. */
const char *mb_landlock_fs_right_name(uint64_t bit);
const char *mb_landlock_net_right_name(uint64_t bit);
const char *mb_landlock_scope_name(uint64_t bit);

/* One filesystem rule as applied: ops say what was asked, pos where (NULL
 * for the sandbox's own mounts: /proc, the devices, tmpfs entries), why is
 * "profile" or "sandbox". */
struct mb_landlock_rule {
	const char *path;
	unsigned ops;
	bool is_dir;
	const struct mb_srcpos *pos;
	const char *why;
};
typedef void (*mb_landlock_rule_fn)(const struct mb_landlock_rule *r, void *data);
void mb_landlock_foreach_rule(const struct mb_plan *plan, mb_landlock_rule_fn fn, void *data);

struct mb_landlock_result {
	int abi;
	bool fs, net, scope;
	unsigned skipped; /* rules whose path is absent from the sandbox */
};

/* Build the ruleset and restrict the calling thread (no_new_privs must be
 * set). abi > 0. */
int mb_landlock_apply(const struct mb_plan *plan, int abi, struct mb_landlock_result *res,
		      struct mb_error *err);
