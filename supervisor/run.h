/* Running a server under membrane (docs/design.md "Process model"). */
#pragma once

#include "policy/plan.h"
#include "policy/profile.h"
#include "supervisor/options.h"

/* Returns membrane-run's exit status: the server's own, 128+N for signal N,
 * 125 when membrane failed, 126/127 when the command could not be run. */
int mb_run(const struct mb_options *o, const struct mb_profile *p, const struct mb_plan *plan);

/* The same in learn mode (supervisor/learn/learn.h): the learner records every
 * watched operation and every frame instead of the correlator deciding. */
struct mb_learner;
int mb_run_learn(const struct mb_options *o, const struct mb_profile *p,
		 const struct mb_plan *plan, struct mb_learner *learn);
