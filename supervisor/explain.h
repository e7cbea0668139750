/* SPDX-License-Identifier: Apache-2.0 */
/* --explain: print the compiled plan for a reviewer. */
#pragma once

#include <stdio.h>

#include "policy/plan.h"

int mb_explain(const struct mb_plan *plan, FILE *out);
