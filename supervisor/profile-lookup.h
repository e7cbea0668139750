/* SPDX-License-Identifier: Apache-2.0 */
/* Finding a profile by name (docs/design.md "Command line", --profile) and the directories that
 * include fragments are looked up in. */
#pragma once

#include "common/error.h"

/* A path (holds a '/' or names an existing file) is used as given; a NAME is
 * looked up as NAME.yml in $XDG_CONFIG_HOME/membrane/profiles (default
 * ~/.config/...), the system profiles directory, and the installed one;
 * a membrane-run run from its build tree also looks in the source tree's
 * profiles/, so that --profile NAME and include: work before make install.
 * Returns 0 with *ret a malloc'd path, or -ENOENT with err listing where it
 * looked. */
int mb_profile_lookup(const char *arg, char **ret, struct mb_error *err);

/* The profile directories in search order, NULL-terminated; static storage
 * valid until the next call. */
const char *const *mb_profile_dirs(void);
