/* SPDX-License-Identifier: Apache-2.0 */
/* The server's socket, seen from the supervisor: a copy of its fd taken
 * with pidfd_getfd(2) (the same open file, so its options and status flags
 * are the server's), its kind, and which network namespace it lives in.
 *
 * pidfd_getfd needs ptrace access to the thread (PTRACE_MODE_ATTACH_
 * REALCREDS): the same condition as process_vm_readv, which the notifier
 * already relies on (notify-mem.c). */
#include <errno.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/kernel-compat.h"
#include "common/macros.h"
#include "supervisor/broker/broker-internal.h"

/* /proc/TID/status's Tgid: the thread group of a thread (before 6.9,
 * pidfd_open takes only a leader). */
static pid_t thread_group(pid_t tid)
{
	char p[64], buf[1024];
	snprintf(p, sizeof(p), "/proc/%d/status", (int)tid);
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	const char *t = strstr(buf, "\nTgid:");
	return t ? (pid_t)strtol(t + 6, NULL, 10) : -1;
}

/* A pidfd for the thread itself (its fd table is the one the call uses). */
static int open_thread(pid_t tid)
{
	int fd = (int)syscall(SYS_pidfd_open, tid, PIDFD_THREAD);
	if (fd >= 0 || errno != EINVAL)
		return fd < 0 ? -errno : fd;
	pid_t tgid = thread_group(tid);
	if (tgid <= 0)
		return -ESRCH;
	/* Threads share one fd table unless created without CLONE_FILES,
	 * which no runtime we host does. */
	fd = (int)syscall(SYS_pidfd_open, tgid, 0);
	return fd < 0 ? -errno : fd;
}

/* The server's close-on-exec flag: per fd, so not on our copy; fdinfo's
 * flags field carries it as O_CLOEXEC. */
static int fd_cloexec(pid_t tid, int fd, bool *ret)
{
	char p[64], buf[512];
	snprintf(p, sizeof(p), "/proc/%d/fdinfo/%d", (int)tid, fd);
	int f = open(p, O_RDONLY | O_CLOEXEC);
	if (f < 0)
		return -errno;
	ssize_t n = read(f, buf, sizeof(buf) - 1);
	close(f);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	const char *l = strstr(buf, "flags:");
	if (!l)
		return -EIO;
	unsigned long flags = strtoul(l + 6, NULL, 8);
	*ret = flags & O_CLOEXEC;
	return 0;
}

static int sockopt_int(int fd, int name, int *ret)
{
	socklen_t len = sizeof(*ret);
	return getsockopt(fd, SOL_SOCKET, name, ret, &len) < 0 ? -errno : 0;
}

/* Does the socket live in the sandbox's network namespace? SIOCGSKNS
 * gives its namespace; it needs CAP_NET_ADMIN over that namespace, which
 * the supervisor has for the sandbox's (root, or the owner of the
 * sandbox's user namespace) and, unprivileged, not for the host's: EPERM
 * then says "not the sandbox's". Anything not shown to be inside is
 * treated as a host socket, whose loopback is the host's (fail closed). */
static bool in_sandbox(struct mb_broker *b, pid_t tid, int fd)
{
	if (!b->netns_known) {
		char p[64];
		struct stat st, self;
		snprintf(p, sizeof(p), "/proc/%d/ns/net", (int)tid);
		if (stat(p, &st) < 0 || stat("/proc/self/ns/net", &self) < 0)
			return false;
		b->netns_dev = st.st_dev;
		b->netns_ino = st.st_ino;
		/* A sandbox without a network namespace of its own
		 * (--best-effort where namespaces are refused): its loopback
		 * is the host's, nothing is inside. */
		b->netns_shared = st.st_dev == self.st_dev && st.st_ino == self.st_ino;
		b->netns_known = true;
	}
	if (b->netns_shared)
		return false;
	int ns = ioctl(fd, SIOCGSKNS);
	if (ns < 0)
		return false;
	struct stat st;
	bool inside = fstat(ns, &st) == 0 && st.st_dev == b->netns_dev && st.st_ino == b->netns_ino;
	close(ns);
	return inside;
}

int mb_srvsock_get(struct mb_broker *b, pid_t tid, int fd, struct mb_srvsock *ret)
{
	*ret = (struct mb_srvsock){ .fd = -1 };
	int pidfd = open_thread(tid);
	if (pidfd < 0)
		return pidfd;
	int s = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	int r = s < 0 ? -errno : 0;
	close(pidfd);
	if (r < 0)
		return r == -ESRCH ? -ESRCH : r;
	ret->fd = s;
	struct stat st;
	if (fstat(s, &st) < 0 || !S_ISSOCK(st.st_mode)) {
		mb_srvsock_done(ret);
		return -ENOTSOCK;
	}
	if ((r = sockopt_int(s, SO_DOMAIN, &ret->domain)) < 0 ||
	    (r = sockopt_int(s, SO_TYPE, &ret->type)) < 0 ||
	    (r = sockopt_int(s, SO_PROTOCOL, &ret->protocol)) < 0) {
		mb_srvsock_done(ret);
		return r;
	}
	/* What a grant's tcp: or udp: names (MPTCP falls back to TCP, as
	 * Landlock counts it); another protocol needs a grant of both. */
	bool ip = ret->domain == AF_INET || ret->domain == AF_INET6;
	if (ip && (ret->protocol == IPPROTO_TCP || ret->protocol == IPPROTO_MPTCP))
		ret->proto = MB_PROTO_TCP;
	else if (ip && (ret->protocol == IPPROTO_UDP || ret->protocol == IPPROTO_UDPLITE))
		ret->proto = MB_PROTO_UDP;
	ret->status_fl = fcntl(s, F_GETFL);
	if (ret->status_fl < 0) {
		r = -errno;
		mb_srvsock_done(ret);
		return r;
	}
	ret->tid = tid;
	ret->num = fd;
	ret->host = !in_sandbox(b, tid, s);
	return 0;
}

int mb_srvsock_cloexec(struct mb_srvsock *s)
{
	int r = fd_cloexec(s->tid, s->num, &s->cloexec);
	return r == -ENOENT ? -ESRCH : r;
}

void mb_srvsock_done(struct mb_srvsock *s)
{
	s->fd = mb_close(s->fd);
}
