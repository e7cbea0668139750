/* SPDX-License-Identifier: Apache-2.0 */
/* membrane-run --learn: see learn.h for what is learned, learn-default.h for
 * the sandbox without --profile. */
#pragma once

#include "supervisor/options.h"

/* Load BASE or build the learning default, run the server, write the draft.
 * Returns membrane-run's exit status (the server's own, as mb_run does;
 * 125 if the draft could not be written and the server exited 0). With
 * --explain, prints the learning sandbox's plan instead. */
int mb_learn(const struct mb_options *o);
