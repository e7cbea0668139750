/* SPDX-License-Identifier: Apache-2.0 */
/* The static layer in words, for --explain, the start-up warning and the
 * start report. Pure: nothing here touches the kernel except through the
 * ABI the caller passes (mb_landlock_abi() for the running kernel). */
#pragma once

#include <stdbool.h>

#include "common/strbuf.h"
#include "policy/plan.h"
#include "sandbox/sandbox.h"

/* Every Landlock rule of the plan with the access rights it becomes at ABI
 * abi, the rights handled, the TCP port rules, the scopes, and what this
 * ABI cannot enforce. */
void mb_describe_landlock(struct mb_strbuf *b, const struct mb_plan *plan, int abi);

/* What the plan asks that ABI abi cannot enforce, one indented line each
 * ("  truncate (ABI 3): ..."). Returns how many lines (0: nothing is lost).
 * membrane-run prints these at start as warnings, and --require-landlock
 * turns them into a refusal. */
unsigned mb_describe_landlock_gaps(struct mb_strbuf *b, const struct mb_plan *plan, int abi);

/* The seccomp baseline: one line per rule, {system call, errno, condition,
 * why}, for a sandbox where vm.memfd_noexec could (or could not) be set. */
void mb_describe_seccomp(struct mb_strbuf *b, const struct mb_plan *plan, bool memfd_noexec);

/* The layers in force, one line each ("namespaces: user mount pid ..."). */
void mb_describe_layers(struct mb_strbuf *b, const struct mb_layers *l);

/* The same as one JSON object, for the start report:
 * {"namespaces":["mount",...],"rootfs":true,"landlock":{"abi":7,"fs":true,
 *  "net":true,"scope":true},"seccomp":{"baseline":true,"notify":false},
 *  "no_new_privs":true,"caps_dropped":true,"memfd_noexec":true,
 *  "limits":true,"proc_hidepid":true,"memory":{"by":"cgroup1","sysv_shm":true}};
 *  memory's "by" is none, rlimit (then with "why"), cgroup1 or cgroup2;
 *  sysv_shm: the IPC namespace bounds System V shared memory to the limit. */
void mb_describe_layers_json(struct mb_strbuf *b, const struct mb_layers *l);

/* What holds limits.memory, in one line ("memory limit: ..."): by, why no
 * cgroup could be had for MB_MEMORY_RLIMIT, and whether the IPC namespace
 * bounds System V shared memory too. */
void mb_describe_memory(struct mb_strbuf *b, enum mb_memory_by by, const char *why,
			bool shm_limited);
