/* SPDX-License-Identifier: Apache-2.0 */
/* The server's credentials on the thread that performs its calls.
 *
 * What the notifier performs (opens, path mutations, and the walk that
 * resolves them) runs on the notifier's own thread (the event loop's), with
 * the fsuid, fsgid, supplementary groups and effective capabilities of the
 * server, so that DAC, read-only mounts and procfs' ptrace checks answer as
 * they would for the server. The server's credentials cannot change after
 * start (no capabilities, no_new_privs), so they are read once, from
 * /proc/PID/status of the first notification.
 *
 * Identity is per thread in Linux, but glibc's set*id() and setgroups()
 * change every thread of the process: the raw system calls are used here,
 * and they change the calling thread only. Switching costs a commit of new
 * credentials (several microseconds here, bench/notify-results.md), so the
 * thread stays in the server's identity between notifications and goes back
 * to the supervisor's own only around the rarer work that needs it: the
 * broker (host sockets), building a call's grants (symlinks resolved on the
 * host), learn mode's recording and draft, and the end of the session.
 *
 * Per launch mode (sandbox/child.c):
 *  - root, no user: the server is uid 0 without capabilities, no groups: the
 *    thread drops its effective capabilities (permitted kept) and its
 *    groups; reading the server's memory still passes (same real uid, the
 *    server's permitted set is empty);
 *  - root, user U:G: real, effective and fs ids U/G with saved uid and gid 0
 *    (the way back), groups {G}: the effective set clears itself, and
 *    process_vm_readv's REALCREDS check passes on the real ids;
 *  - unprivileged: the supervisor already is the server's uid, without
 *    capabilities: nothing changes. It does own the sandbox's user
 *    namespace, which gives it every capability inside it; no thread can
 *    shed that, so procfs entries guarded by ptrace checks are opened only
 *    for processes the server's uid owns (notify-walk.c). */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define MB_IDENT_MAX_GROUPS 64

struct mb_ident {
	bool known;
	uid_t uid;              /* the server's effective (and fs) uid */
	gid_t gid;
	int ngroups;            /* supplementary groups; -1: more than we hold */
	gid_t groups[MB_IDENT_MAX_GROUPS];
	uint64_t cap_eff;       /* its effective capabilities, in its own namespace */
	mode_t umask;           /* as /proc/PID/status said when read */
};

/* Read pid's credentials from /proc/PID/status. Returns 0 or -errno. */
int mb_ident_read(pid_t pid, struct mb_ident *ret);

/* The calling thread takes id (idempotent: nothing is done when it already
 * has it, or when the supervisor has no privilege to change). Returns 0 or
 * -errno; on error the thread keeps the supervisor's own identity. */
int mb_ident_server(const struct mb_ident *id);
/* The calling thread goes back to the supervisor's own credentials
 * (idempotent). */
void mb_ident_supervisor(void);

/* Around privileged work on a thread that may be in the server's identity:
 *   struct mb_ident_scope s = mb_ident_privileged(); ...; mb_ident_restore(&s); */
struct mb_ident_scope {
	const struct mb_ident *was; /* the identity to go back to, or NULL */
};
struct mb_ident_scope mb_ident_privileged(void);
void mb_ident_restore(struct mb_ident_scope *s);
