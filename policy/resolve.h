/* SPDX-License-Identifier: Apache-2.0 */
/* Resolving a granted path on the host the way the kernel will inside the
 * sandbox: symlinks are followed component by component and each one met is
 * reported, so that the sandbox can recreate it and bind the real target. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Called for each symlink met: linkpath (canonical up to the link itself)
 * and what readlink() returned. A non-zero return stops the walk. */
typedef int (*mb_symlink_fn)(const char *linkpath, const char *target, void *ud);

struct mb_resolved {
	bool exists;
	bool is_dir;
};

/* Resolve the normalised absolute path into real (realsz >= PATH_MAX).
 * A missing component ends the walk: the rest is appended lexically and
 * exists is false. Returns 0, -ELOOP after 40 links, -ENAMETOOLONG, or the
 * callback's return value. */
int mb_path_resolve(const char *path, char *real, size_t realsz, mb_symlink_fn fn, void *ud,
		    struct mb_resolved *ret);
