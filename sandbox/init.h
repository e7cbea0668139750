/* SPDX-License-Identifier: Apache-2.0 */
/* The sandbox's init: pid 1 of its pid namespace. It reaps every child
 * (orphans of the command land on it), forwards SIGTERM, SIGINT and SIGHUP
 * to the command, and exits with the command's status (128+N when the
 * command died of signal N). When it exits the kernel kills whatever is left
 * in the namespace; it dies with membrane-run through PR_SET_PDEATHSIG. */
#pragma once

#include <signal.h>
#include <sys/types.h>

/* The signals the init takes: block them before forking the command so that
 * none is lost, and unblock them in the command before exec. */
void mb_init_sigset(sigset_t *set);

/* Put every signal back to its default action (membrane-run may ignore
 * SIGPIPE; ignored dispositions would survive exec). */
void mb_init_reset_signals(void);

/* The init is a clone of membrane-run, not an exec of its own: its
 * argument and environment areas are membrane-run's (the profile's path,
 * --set values, the caller's environment), which /proc/1/cmdline and
 * /proc/1/environ show. Overwrite both, the arguments with a neutral name.
 * Whatever still points into them (argv, environ) reads empty strings
 * afterwards: copy what the command needs first. Returns 0 or -errno. */
int mb_init_hide_args(void);

/* Run the init loop for the command `cmd` (a child of ours) and return the
 * status to exit with; *ret_wstatus gets the command's own wait status (pid
 * 1 cannot die of a signal sent from inside, so 128+N is all its exit code
 * can say). Expects mb_init_sigset() blocked. */
int mb_init_loop(pid_t cmd, int *ret_wstatus);
