/* SPDX-License-Identifier: Apache-2.0 */
/* Where a path starts, taken as an object, never re-derived from a name:
 *  - absolute: the target's root, /proc/PID/root opened once and kept (the
 *    baseline refuses chroot, pivot_root, mount and setns, so it cannot
 *    change);
 *  - relative to AT_FDCWD: the calling thread's cwd, /proc/TID/cwd opened
 *    O_PATH (the magic link yields the struct path itself, removed or not);
 *  - relative to a dirfd: /proc/TID/fd/N opened O_PATH, which pins the
 *    object that descriptor holds at this moment: a dup2 over the number
 *    afterwards changes nothing. (pidfd_getfd would pin the open file
 *    itself, which a path never needs; /proc/TID/fd/N is one system call
 *    instead of three and needs no PIDFD_THREAD, 6.9.)
 * Opening those links is subject to procfs' ptrace check with this
 * thread's credentials, the server's (notify-ident.h): the server can
 * always look at itself. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/kernel-compat.h"
#include "supervisor/notify/notify-internal.h"

static bool no_openat2; /* the kernel, or a seccomp filter around us, refused it */

int mb_openat2(int dirfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve)
{
	if (no_openat2)
		return -ENOSYS;
	struct open_how how = { .flags = flags, .mode = mode, .resolve = resolve };
	int fd = (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
	if (fd >= 0)
		return fd;
	if (errno == ENOSYS)
		no_openat2 = true;
	return -errno;
}

int mb_open_pinned(int dirfd, const char *name, uint64_t flags, uint64_t mode)
{
	int fd = mb_openat2(dirfd, name, flags, mode,
			    RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
	if (fd != -ENOSYS)
		return fd;
	/* One name beneath a pinned directory, which the walk found no link
	 * at: nothing to resolve but that name. */
	fd = openat(dirfd, name, (int)(flags | O_NOFOLLOW), (mode_t)mode);
	return fd < 0 ? -errno : fd;
}

int mb_anchor_root(struct mb_notifier *n)
{
	if (n->root >= 0)
		return n->root;
	if (n->fixed_root >= 0 || n->kept_root >= 0) {
		n->root = n->fixed_root >= 0 ? n->fixed_root : n->kept_root;
		n->root_owned = false;
		return n->root;
	}
	char p[48];
	snprintf(p, sizeof(p), "/proc/%d/root", (int)n->pid);
	int fd = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	n->root = fd;
	n->root_owned = !n->one_root;
	if (n->one_root)
		n->kept_root = fd;
	return fd;
}

/* Is /proc/TID still there? Tells "no such fd" from "no such thread". */
static bool thread_alive(pid_t tid)
{
	char p[32];
	snprintf(p, sizeof(p), "/proc/%d", (int)tid);
	struct stat st;
	return stat(p, &st) == 0;
}

int mb_anchor_at(struct mb_notifier *n, int dirfd, bool dir_only, bool want_name,
		 struct mb_anchor *ret)
{
	char p[64];
	if (dirfd == AT_FDCWD)
		snprintf(p, sizeof(p), "/proc/%d/cwd", (int)n->pid);
	else if (dirfd < 0)
		return -EBADF;
	else
		snprintf(p, sizeof(p), "/proc/%d/fd/%d", (int)n->pid, dirfd);
	int fd = open(p, O_PATH | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		if (e == ENOENT)
			return thread_alive(n->pid) ? -EBADF : -ESRCH;
		return -e;
	}
	fd = mb_track(n, fd);
	if (fd < 0)
		return fd;
	struct stat st;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (dir_only && !S_ISDIR(st.st_mode))
		return -ENOTDIR;
	*ret = (struct mb_anchor){ .fd = fd, .dead = S_ISDIR(st.st_mode) && st.st_nlink == 0 };
	if (want_name && !ret->dead) {
		int r = mb_name_of_fd(&n->aname, fd);
		if (r < 0)
			return r;
		if (n->aname.s[0] != '/')
			return -ENOTDIR; /* a pipe or socket as dirfd */
		ret->name = n->aname.s;
	}
	return 0;
}

/* The last number on the line of status that starts with key. */
static int last_field(const char *status, const char *key)
{
	const char *p = strstr(status, key);
	if (!p)
		return -1;
	p += strlen(key);
	const char *eol = strchr(p, '\n');
	if (!eol)
		eol = p + strlen(p);
	const char *last = NULL;
	for (const char *q = p; q < eol; q++)
		if ((*q >= '0' && *q <= '9') && (q == p || q[-1] == ' ' || q[-1] == '\t'))
			last = q;
	return last ? atoi(last) : -1;
}

int mb_anchor_ns_ids(struct mb_notifier *n)
{
	if (n->nstgid > 0)
		return 0;
	char p[48];
	snprintf(p, sizeof(p), "/proc/%d/status", (int)n->pid);
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	ssize_t len = read(fd, n->status, sizeof(n->status) - 1);
	int e = errno;
	mb_close(fd);
	if (len <= 0)
		return len < 0 ? -e : -EIO;
	n->status[len] = '\0';
	int tgid = last_field(n->status, "\nNStgid:");
	int pid = last_field(n->status, "\nNSpid:");
	if (tgid <= 0) /* before 4.1: no namespaces shown, so none nested */
		tgid = last_field(n->status, "\nTgid:");
	if (pid <= 0)
		pid = last_field(n->status, "\nPid:");
	if (tgid <= 0 || pid <= 0)
		return -EIO;
	n->nstgid = tgid;
	n->nspid = pid;
	return 0;
}
