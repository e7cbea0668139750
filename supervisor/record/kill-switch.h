/* SPDX-License-Identifier: Apache-2.0 */
/* The kill switch (membrane-run(1), THE KILL SWITCH): how an operator tells
 * a running membrane-run to refuse every further call and stop its server.
 * Two ways in, both answered from the event loop, never waited on:
 *   - SIGUSR1 (INT, TERM and HUP are the server's: the relay forwards
 *     them): the sender's pid and uid, from the signal itself;
 *   - a unix stream socket at --control PATH (mode 0600, removed at exit):
 *     one line per connection, "kill [REASON]" or "status", one JSON line
 *     back; the peer's pid, uid and gid from SO_PEERCRED.
 * Who asked goes into the "killed" line. */
#pragma once

#include <cjson/cJSON.h>

#include "common/error.h"
#include "common/loop.h"

struct mb_killswitch;

struct mb_killswitch_ops {
	/* Kill: who asked (an object, the callee's to keep or free) and why
	 * (may be NULL). */
	void (*kill)(void *ud, cJSON *who, const char *reason);
	/* "status": an object to answer with (consumed), or NULL. */
	cJSON *(*status)(void *ud);
	void *ud;
};

/* Block SIGUSR1 into a signalfd and, with control_path, listen there.
 * Returns 0 or -errno with err set. */
int mb_killswitch_new(const char *control_path, struct mb_killswitch **ret, struct mb_error *err);
/* Start (loop) or stop (NULL) answering. The loop given before is
 * forgotten without being touched: it may be freed already. */
void mb_killswitch_attach(struct mb_killswitch *k, struct mb_loop *loop,
			  const struct mb_killswitch_ops *ops);
/* Close everything; the socket file is removed. */
void mb_killswitch_free(struct mb_killswitch *k);
