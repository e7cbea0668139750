/* SPDX-License-Identifier: Apache-2.0 */
/* Running a server under membrane (docs/design.md "Process model"): the
 * same sandbox, notifier, relay and reports in every mode; who answers the
 * watched calls is the backend's (supervisor/run-backend.h). */
#pragma once

#include "policy/plan.h"
#include "policy/profile.h"
#include "supervisor/options.h"
#include "supervisor/run-backend.h"

/* Run o->argv under p and plan, be answering the notifier with self as its
 * argument (borrowed: free it after this returns). Returns membrane-run's
 * exit status: the server's own, 128+N for signal N, 125 when membrane
 * failed, 126/127 when the command could not be run. */
int mb_run(const struct mb_options *o, const struct mb_profile *p, const struct mb_plan *plan,
	   const struct mb_run_backend *be, void *self);
