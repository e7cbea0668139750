/* SPDX-License-Identifier: Apache-2.0 */
/* Calls whose processes outlive them: a tool with outlive (profile.h)
 * starts processes that keep working after its call returned
 * (desktop-commander's start_process runs a shell command and answers
 * while it runs). Judged by runtime alone, their work would be denied the
 * moment the call returns; judged by the call's grants for ever, a process
 * could keep them as long as it liked. So:
 *  - a process that execs while a call of such a tool is in flight takes a
 *    copy of that call's grants (placeholders filled from its arguments),
 *    and so does every process it starts;
 *  - until it exits (its pid and start time no longer name it) or the
 *    tool's outlive has passed since the exec, whichever comes first.
 * The server's own process never execs during a call, so it never takes a
 * call's grants. Bounded: MB_LINGER_MAX_PROCS processes, MB_LINGER_MAX_SETS
 * grant sets; the oldest go first. Network operations of such processes are
 * judged by runtime and the requests in flight alone. */
#pragma once

#include <stdbool.h>

#include "policy/profile.h"
#include "supervisor/inspect/inflight.h"
#include "supervisor/notify/notify.h"

#define MB_LINGER_MAX_PROCS 64
#define MB_LINGER_MAX_SETS 16

struct mb_linger;

/* cwd: where relative argument values resolve (the correlator's). */
int mb_linger_new(const struct mb_profile *p, const char *cwd, struct mb_linger **ret);
void mb_linger_free(struct mb_linger *lg);

/* Before op is decided: an exec while calls with outlive are in flight
 * makes its process theirs. now_ns: mb_now_ns(). */
void mb_linger_note(struct mb_linger *lg, const struct mb_notified_op *op,
		    const struct mb_inflight *inflight, uint64_t now_ns);

/* The correlator's also_allows hook (ud is the mb_linger): does a call
 * whose process this is (or whose process started it) allow path op o? */
bool mb_linger_allows(void *ud, const struct mb_notified_op *op, enum mb_op o,
		      enum mb_access access, const char *path);

/* For tests: how many processes hold a call's grants now. */
size_t mb_linger_count(const struct mb_linger *lg);

/* The process's parent and start time from /proc/PID/stat; 0 or -errno.
 * The tests replace it to model a tree of processes. */
extern int (*mb_linger_proc_stat)(int pid, int *ret_ppid, unsigned long long *ret_start);
/* The process a thread belongs to (common/procstat.h), replaceable too. */
extern int (*mb_linger_proc_tgid)(int tid, int *ret_tgid);
