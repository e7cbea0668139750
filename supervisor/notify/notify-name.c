/* SPDX-License-Identifier: Apache-2.0 */
/* Names for the callback: strings that grow as needed (a canonical name has
 * no length limit of its own), and what an object held by a descriptor is.
 *
 * Why d_path names are right: the sandbox's root is the root of its mount
 * namespace (pivot_root), so readlink(2) of our own fd to one of its files
 * gives the path from that root, which is the path the server itself would
 * use (checked: a process that pivot_root'ed into a tmpfs shows
 * /proc/PID/cwd as "/srv/mcp", not as a host path). In the tests without
 * namespaces the two roots are the same. A name is only ever read from an
 * object we hold, never used to reach one. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy/path.h"
#include "supervisor/notify/notify-internal.h"

#define DELETED_SUFFIX " (deleted)"

static int reserve(struct mb_name *nm, size_t need)
{
	if (need <= nm->cap)
		return 0;
	size_t cap = nm->cap ? nm->cap : 256;
	while (cap < need)
		cap *= 2;
	char *s = realloc(nm->s, cap);
	if (!s)
		return -ENOMEM;
	nm->s = s;
	nm->cap = cap;
	return 0;
}

int mb_name_set(struct mb_name *nm, const char *s, size_t len)
{
	int r = reserve(nm, len + 1);
	if (r < 0)
		return r;
	memmove(nm->s, s, len);
	nm->s[len] = '\0';
	nm->len = len;
	return 0;
}

int mb_name_push(struct mb_name *nm, const char *comp, size_t clen)
{
	bool root = nm->len == 1 && nm->s[0] == '/';
	int r = reserve(nm, nm->len + clen + 2);
	if (r < 0)
		return r;
	if (!root)
		nm->s[nm->len++] = '/';
	memcpy(nm->s + nm->len, comp, clen);
	nm->len += clen;
	nm->s[nm->len] = '\0';
	return 0;
}

void mb_name_pop(struct mb_name *nm)
{
	while (nm->len > 1 && nm->s[nm->len - 1] != '/')
		nm->len--;
	if (nm->len > 1)
		nm->len--;
	nm->s[nm->len] = '\0';
}

int mb_name_join(struct mb_name *nm, const char *base, const char *rel)
{
	size_t bl = rel[0] == '/' ? 0 : strlen(base), rl = strlen(rel);
	int r = reserve(nm, bl + rl + 3);
	if (r < 0)
		return r;
	if (bl)
		memcpy(nm->s, base, bl);
	nm->s[bl] = '/';
	memcpy(nm->s + bl + (bl ? 1 : 0), rel, rl + 1);
	r = mb_path_normalize(nm->s, nm->s, nm->cap);
	if (r < 0)
		return r;
	nm->len = (size_t)r;
	return 0;
}

int mb_name_of_fd(struct mb_name *nm, int fd)
{
	char p[32];
	snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
	for (;;) {
		int r = reserve(nm, nm->cap < PATH_MAX ? PATH_MAX : nm->cap);
		if (r < 0)
			return r;
		ssize_t len = readlink(p, nm->s, nm->cap);
		if (len < 0)
			return -errno;
		if ((size_t)len < nm->cap) {
			nm->s[len] = '\0';
			nm->len = (size_t)len;
			return 0;
		}
		/* d_path is limited to a page by the kernel: never loops long. */
		if (nm->cap >= 16 * PATH_MAX)
			return -ENAMETOOLONG;
		if ((r = reserve(nm, nm->cap * 2)) < 0)
			return r;
	}
}

static bool deleted_suffix(const struct mb_name *nm)
{
	size_t sl = sizeof(DELETED_SUFFIX) - 1;
	return nm->len > sl && memcmp(nm->s + nm->len - sl, DELETED_SUFFIX, sl) == 0;
}

int mb_name_describe(struct mb_name *nm, int fd, enum mb_target_kind *kind)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return -errno;
	int r = mb_name_of_fd(nm, fd);
	if (r < 0)
		return r;
	*kind = MB_TARGET_PATH;
	if (nm->s[0] != '/') { /* "pipe:[123]", "socket:[7]", "anon_inode:[eventfd]" */
		*kind = MB_TARGET_ANON;
		return 0;
	}
	/* A removed directory has no link left either (nlink 0); a live file
	 * whose name ends in " (deleted)" is a path like any other. The suffix
	 * is dropped for the report only: nothing is ever reached by it. */
	if (st.st_nlink == 0 && deleted_suffix(nm)) {
		nm->len -= sizeof(DELETED_SUFFIX) - 1;
		nm->s[nm->len] = '\0';
		if (strncmp(nm->s, "/memfd:", 7) == 0) {
			*kind = MB_TARGET_MEMFD;
			memmove(nm->s, nm->s + 1, nm->len); /* "memfd:NAME" */
			nm->len--;
		} else {
			*kind = MB_TARGET_DELETED;
		}
		return 0;
	}
	r = mb_path_normalize(nm->s, nm->s, nm->cap);
	if (r < 0)
		return r;
	nm->len = (size_t)r;
	return 0;
}
