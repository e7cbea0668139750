/* SPDX-License-Identifier: Apache-2.0 */
/* The static layer's view of a grant pattern: what a pattern with
 * placeholders or globs can ever reach, as plain paths the kernel can be told
 * about (docs/design.md "From profile to plan": placeholders widened to arguments.within, globs widened
 * to their parent directory). */
#pragma once

#include "policy/profile.h"

/* The literal prefix of a pattern: the components before the first one that
 * holds a placeholder or a glob, unescaped, into out. Returns its length (0
 * when the first component already varies), or -ENAMETOOLONG. */
int mb_pattern_fixed_prefix(const char *pattern, char *out, size_t outsz);

/* Call fn for each plain path that pattern widens to: itself when literal,
 * its fixed prefix when that is non-empty, else each arguments.within entry
 * of p, else "/" (a placeholder nothing bounds: the whole root). */
int mb_pattern_widen(const struct mb_profile *p, const struct mb_path_pattern *pattern,
		     int (*fn)(const char *path, void *ud), void *ud);
