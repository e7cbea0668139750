/* SPDX-License-Identifier: Apache-2.0 */
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy/match.h"
#include "policy/resolve.h"

#define MAX_LINKS 40

int mb_path_resolve(const char *path, char *real, size_t realsz, mb_symlink_fn fn, void *ud,
		    struct mb_resolved *ret)
{
	char rest[PATH_MAX];  /* components still to walk, normalised */
	char cur[PATH_MAX];   /* real path walked so far, no symlinks in it */
	int links = 0;
	int r = mb_path_normalize(path, rest, sizeof(rest));
	if (r < 0)
		return r;
	strcpy(cur, "/");
	size_t curlen = 1;
	const char *p = rest;
	*ret = (struct mb_resolved){ .exists = true, .is_dir = true };

	for (;;) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		const char *end = strchrnul(p, '/');
		size_t len = (size_t)(end - p);
		size_t sep = curlen > 1 ? 1 : 0;
		if (curlen + sep + len + 1 > sizeof(cur))
			return -ENAMETOOLONG;
		size_t prevlen = curlen;
		if (sep)
			cur[curlen++] = '/';
		memcpy(cur + curlen, p, len);
		curlen += len;
		cur[curlen] = '\0';
		p = end;

		struct stat st;
		if (lstat(cur, &st) < 0) {
			/* Missing (or unreadable): the rest can only be lexical. */
			ret->exists = false;
			ret->is_dir = false;
			if (curlen + strlen(p) + 1 > sizeof(cur))
				return -ENAMETOOLONG;
			strcpy(cur + curlen, p);
			curlen += strlen(p);
			break;
		}
		if (!S_ISLNK(st.st_mode)) {
			ret->is_dir = S_ISDIR(st.st_mode);
			continue;
		}
		if (++links > MAX_LINKS)
			return -ELOOP;
		char target[PATH_MAX];
		ssize_t n = readlink(cur, target, sizeof(target) - 1);
		if (n < 0)
			return mb_neg_errno();
		target[n] = '\0';
		if (fn && (r = fn(cur, target, ud)) != 0)
			return r;
		/* Continue with target + rest, relative targets against the
		 * link's parent (which is real: cur has no links before it). */
		char next[PATH_MAX];
		cur[prevlen] = '\0';
		int m = target[0] == '/'
				? snprintf(next, sizeof(next), "%s/%s", target, p)
				: snprintf(next, sizeof(next), "%s/%s/%s", cur, target, p);
		if (m < 0 || (size_t)m >= sizeof(next))
			return -ENAMETOOLONG;
		if ((r = mb_path_normalize(next, rest, sizeof(rest))) < 0)
			return r;
		p = rest;
		strcpy(cur, "/");
		curlen = 1;
	}
	if (curlen + 1 > realsz)
		return -ENAMETOOLONG;
	memcpy(real, cur, curlen + 1);
	return 0;
}
