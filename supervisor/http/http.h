/* SPDX-License-Identifier: Apache-2.0 */
/* membrane-run --listen: the Streamable HTTP front (docs/design.md "Serving
 * over HTTP", man/membrane-run.1). */
#pragma once

#include "policy/plan.h"
#include "policy/profile.h"
#include "supervisor/options.h"

/* Serve until SIGINT or SIGTERM. argv: membrane-run's own, which each
 * session's child is given again without the HTTP options. Returns the exit
 * status: 0 after a clean stop, 125 when membrane failed. */
int mb_http_serve(const struct mb_options *o, char **argv, const struct mb_profile *p);
