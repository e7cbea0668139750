/* SPDX-License-Identifier: Apache-2.0 */
/* The guard: membrane-run's backend (supervisor/run-backend.h) when it runs
 * a profile, in enforce or audit mode. The correlator decides each watched
 * operation against the grants in force (supervisor/notify/correlate.h);
 * the broker takes the network ones, applies the network rule and performs
 * what it allows in the host's namespace (supervisor/broker/broker.h),
 * asking the correlator about grants and writing its violations through it.
 * Learn mode's backend is the learner (supervisor/learn/learn-run.c). */
#pragma once

#include "policy/plan.h"
#include "policy/profile.h"
#include "supervisor/options.h"

/* Run the server with the guard answering (mb_run()); returns mb_run()'s
 * exit status. */
int mb_guard_run(const struct mb_options *o, const struct mb_profile *p, const struct mb_plan *plan);
