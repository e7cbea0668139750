/* SPDX-License-Identifier: Apache-2.0 */
/* Finding a program as the caller's shell would. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* The first executable regular file named cmd in the directories of path
 * (a PATH value), skipping empty and relative entries; cmd holding a '/'
 * is checked as it is. True with out filled. */
bool mb_which_in(const char *path, const char *cmd, char *out, size_t outsz);
/* The same in the caller's PATH (/usr/bin:/bin without one). */
bool mb_which(const char *cmd, char *out, size_t outsz);
