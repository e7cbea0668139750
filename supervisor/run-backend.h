/* SPDX-License-Identifier: Apache-2.0 */
/* What answers the sandbox's watched calls during a run: membrane-run's
 * session backend. supervisor/run.c starts the sandbox, the notifier and the
 * relay the same way whatever the mode; what differs is who answers the
 * notifier, what it needs to see of the session, and what it does when the
 * server is gone. That is this interface, and run.c never asks which
 * backend it has (OpenSSH's ssh-sandbox.h, crun's cgroup-internal.h):
 *  - the guard (supervisor/run-guard.c): the correlator decides against
 *    the profile's grants, the broker performs the network calls;
 *  - the learner (supervisor/learn/learn-run.c): records every operation
 *    and every frame, answers CONTINUE.
 * The calls come in this order: start; attach and hooks, once the loop
 * exists; decide, tap and the hooks from the loop, as calls and frames
 * come; stop, once the relay returned. A backend outlives the run: its owner frees it after mb_run()
 * returned, and so after the notifier that called it. */
#pragma once

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "common/error.h"
#include "common/loop.h"
#include "supervisor/inspect/inflight.h"
#include "supervisor/inspect/inspector.h"
#include "supervisor/notify/notify.h"

struct mb_reporter;

/* The server as it stands when a backend starts. */
struct mb_run_session {
	struct mb_reporter *rep; /* the run's report (borrowed) */
	int pidfd;               /* the server's init, to stop it when a report fails */
	int listener;            /* the notifier's fd (borrowed), for answers of its own */
	/* The sandbox's resolver sockets (UDP, TCP listening), the backend's
	 * to answer on and close; -1 when the sandbox has none. */
	int resolver_fd[2];
	struct mb_addr resolver; /* their address, port 53 */
};

struct mb_run_backend {
	/* What needs neither the sandbox nor the session (tables built from the
	 * profile), done while the sandbox's init builds the sandbox: off the
	 * start's path. Called once, before start. May be NULL. Returns 0, or
	 * -errno with err set: the run stops. */
	int (*prepare)(void *self, struct mb_error *err);
	/* The server waits at its first watched call and the notifier exists,
	 * deciding nothing yet. May be NULL. Returns 0, or -errno with err
	 * set: the server is stopped. */
	int (*start)(void *self, const struct mb_run_session *s, struct mb_error *err);
	/* The notifier's callback; self is its ud. */
	mb_decide_fn decide;
	/* decide's pure twin: would decide allow op, without reporting or
	 * performing anything? The notifier then opens the name as written
	 * first and decides on what that open proved (notify.h, opts.allows).
	 * May be NULL: every open is resolved completely before decide. */
	mb_allows_fn allows;
	/* The relay's loop and the inspector's requests in flight exist; both
	 * go away before stop. */
	void (*attach)(void *self, const struct mb_inflight *inflight, struct mb_loop *loop);
	/* Every frame read from either side, before the inspector sees it
	 * (relay.h). May be NULL. */
	void (*tap)(void *self, enum mb_side from, const struct mb_frame *f);
	/* Watchers of the client's requests (inspector.h), set before the
	 * first frame. May be NULL. */
	const struct mb_inspector_hooks *(*hooks)(void *self);
	/* The relay returned: forget the loop and the table, and write what is
	 * pending before the exit report. Returns 0, or -errno when a report
	 * could not be written (the server is then stopped: membrane failed). */
	int (*stop)(void *self);
	/* Fields of its own for the exit report (the guard's quiet count).
	 * May be NULL. */
	void (*exit_report)(void *self, cJSON *fields);
	/* Work remains after the server exits (learn's draft): an INT or TERM
	 * starts the shutdown too, so that membrane-run gets to it. */
	bool stop_on_signal;
};
