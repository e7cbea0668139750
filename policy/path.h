/* SPDX-License-Identifier: Apache-2.0 */
/* Lexical path operations: the one place that decides what "the same path"
 * means for profiles, arguments and notified targets alike (policy/path.c).
 * Nothing here touches the filesystem: symlinks are policy/resolve.h's job
 * on the host, and the notifier's in the sandbox. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Lexical normalisation of an absolute path: duplicate slashes folded, "."
 * dropped, ".." pops a component (never above "/"), no trailing slash except
 * for "/" itself. out may alias in; outsz >= strlen(in) + 1 always suffices.
 * Returns the length, -EINVAL for a path that is not absolute, or
 * -ENAMETOOLONG if outsz is too small. */
int mb_path_normalize(const char *in, char *out, size_t outsz);

/* The absolute, normalised path that an argument value names, lexically (no
 * symlinks: that is policy/resolve.h's job on the host): value itself when
 * absolute, else cwd + "/" + value; then normalised as above. out must
 * not alias value or cwd. Returns the length, -EINVAL for an empty value or a
 * relative one without an absolute cwd, -ENAMETOOLONG if it (or a step of
 * it) does not fit in outsz. Per-call grants and the arguments.within check both
 * use it, so that they agree on what a value names. */
int mb_path_absolute(const char *value, const char *cwd, char *out, size_t outsz);

/* Is path equal to or beneath dir (both normalised, literal)? Component-aware:
 * /srv/mcp2 is not beneath /srv/mcp. */
bool mb_path_within(const char *path, const char *dir);
/* The number of components of a path ("/usr/lib/" has 2, "/" none). */
unsigned mb_path_components(const char *s);
