/* SPDX-License-Identifier: Apache-2.0 */
/* membrane-run --doctor: what this host gives membrane-run, and, given a
 * profile, which layers a run of it would have. Facts come from
 * sandbox/probe.h; the verdict from a trial run, which builds the sandbox
 * as a run would, with and without best effort, and execs nothing
 * (mb_sandbox_trial()): what it says is what a run would do, not a guess. */
#pragma once

#include <stdio.h>

#include "policy/plan.h"
#include "policy/profile.h"
#include "supervisor/options.h"

/* Print the report to out. p and path are NULL without --profile (plan is
 * then that of an empty profile). Returns the exit status: 0 when a run
 * would have every layer without --best-effort; 1 when it would need
 * --best-effort, or be refused even with it; 125 when the report could not
 * be written. */
int mb_doctor(const struct mb_options *o, const struct mb_profile *p, const char *path,
	      const struct mb_plan *plan, FILE *out);
