/* SPDX-License-Identifier: Apache-2.0 */
/* membrane-run --test-profile: evaluate a profile's tests (the tests key)
 * against its policy, without running anything, and print TAP. */
#pragma once

#include <stdio.h>

#include "policy/profile.h"

/* Evaluate every test of p, printing one TAP line per expectation to out.
 * cwd is the server's working directory in the sandbox (plan->cwd), against
 * which relative argument values resolve, as in a run. Returns the number of
 * expectations that failed (a profile without tests counts as one failure:
 * it proves nothing), or -ENOMEM. */
int mb_selftest(const struct mb_profile *p, const char *cwd, FILE *out);
