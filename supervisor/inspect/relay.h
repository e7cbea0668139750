/* SPDX-License-Identifier: Apache-2.0 */
/* The relay: membrane-run's event loop around a started server. The client
 * is our stdin/stdout, the server the three pipes the sandbox handed back;
 * every line passes through the inspector. Backpressure: a side is not read
 * while the queue it feeds is above its high mark. The server's stderr goes
 * to ours, each line prefixed "[server] ". Signals INT, TERM and HUP are
 * forwarded to the sandbox; SIGPIPE is ignored.
 *
 * Shutdown as the MCP stdio transport describes it: at the client's EOF the
 * server's stdin is closed; after grace_ms it gets SIGTERM, after another
 * grace_ms SIGKILL. When the server exits, what it wrote is drained, every
 * request still in flight is answered with an error, and the relay returns
 * the server's status. */
#pragma once

#include <cjson/cJSON.h>
#include <stdint.h>
#include <sys/types.h>

#include "policy/profile.h"
#include "supervisor/inspect/inspector.h"
#include "common/loop.h"

struct mb_relay_config {
	const struct mb_profile *profile;
	const char *cwd;          /* the server's working directory, or NULL */
	uint64_t grace_ms;
	size_t max_message;
	uint64_t call_timeout_ms; /* see mb_inspector_config */
	char *const *envp;        /* see mb_inspector_config */
	pid_t pid;                /* the server (the sandbox's init) */
	int pidfd;
	/* When pid is an init that exits 128+N for a command killed by signal
	 * N: the command's own wait status once pid has exited (0, or -errno
	 * if unknown). NULL: pid's own exit is the server's. */
	int (*command_status)(void *ud, int *ret_wstatus);
	void *command_status_ud;
	/* With command_status: readable once the init has that status, which
	 * it writes before it exits. The server has ended then, and the relay
	 * does not wait for the init's own exit (the tearing down of its
	 * namespaces); the caller reaps it. -1: the pidfd alone tells. */
	int command_fd;
	int server_stdin, server_stdout, server_stderr; /* O_NONBLOCK */
	int client_in, client_out;                     /* usually 0 and 1 */
	int (*report)(void *ud, const char *event, const cJSON *fields);
	void *report_ud;
	/* Called once the loop and inspector exist, before the first read:
	 * where the run's backend adds its seccomp listener watch. */
	int (*setup)(void *ud, struct mb_loop *loop, struct mb_inspector *ins);
	/* Called once the loop has ended (or setup failed), before the
	 * inspector and the loop go away: what setup started on another
	 * thread stops here. May be NULL. */
	void (*teardown)(void *ud);
	void *setup_ud;
	/* A view of the session for the run's backend (the learner records
	 * it): every frame read from a side, before the inspector sees it.
	 * May be NULL. */
	void (*tap)(void *ud, enum mb_side from, const struct mb_frame *f);
	void *tap_ud;
	/* An INT or TERM forwarded to the server also starts the shutdown a
	 * client's EOF starts (SIGTERM after grace_ms, SIGKILL
	 * after as long again), so that membrane-run gets to its exit work
	 * even if the server ignores the signal (learn mode's draft). */
	bool stop_on_signal;
};

struct mb_relay_result {
	int status;        /* for exit(): the server's code, or 128 + signal */
	bool signaled;
	int code;          /* exit code, or the signal number */
	bool report_failed; /* a report could not be written: the server was killed */
};

/* Returns 0 with *res filled, or -errno if the loop itself failed. */
int mb_relay_run(const struct mb_relay_config *cfg, struct mb_relay_result *res);
