/* SPDX-License-Identifier: Apache-2.0 */
/* The notifier against the real kernel, without namespaces: a child under
 * the watch filter makes each watched call; the test checks what the
 * decision callback was shown (kind, presence, ops, path or address) and what
 * the child's call returned (CONTINUE lets the kernel answer; a denial
 * arrives as EACCES or EPERM). Runs as root and as nobody. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/filter.h>
#include <linux/openat2.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/kernel-compat.h"
#include "sandbox/watch.h"
#include "tests/notify/harness.h"
#include "tests/tap.h"

#define R (1u << MB_OP_READ)
#define W (1u << MB_OP_WRITE)
#define X (1u << MB_OP_EXEC)
#define C (1u << MB_OP_CONNECT)
#define B (1u << MB_OP_BIND)

static char T[256];       /* the test directory (canonical) */
static char P[3][H_PATH_MAX]; /* expected paths, built in the parent */
static char *pages;       /* two readable pages, then an inaccessible one */
static long pgsz;
static char *longpath;    /* PATH_MAX - 1 bytes naming T/f */
static char *toolong;     /* PATH_MAX bytes without a NUL */
static int memfd = -1;    /* a copy of /bin/true */
static int delfd = -1;    /* an open file that was unlinked */
static int pipefd[2];
static char abstract_name[64];

static long sys(long r)
{
	return r < 0 ? -errno : r;
}

/* Open-like results: close the fd, keep the error. */
static long fdres(long r)
{
	if (r < 0)
		return -errno;
	close((int)r);
	return 0;
}

/* ---- cases, run in the child (cwd = T) ---------------------------------- */

static long c_open_abs(void)
{
	snprintf(P[0], sizeof(P[0]), "%s/f", T);
	return fdres(syscall(SYS_openat, AT_FDCWD, P[0], O_RDONLY));
}
static long c_open_rel_cwd(void) { return fdres(syscall(SYS_openat, AT_FDCWD, "f", O_RDONLY)); }
static long c_open_rel_dirfd(void)
{
	int d = open("d", O_PATH | O_DIRECTORY); /* O_PATH: not notified */
	long r = fdres(syscall(SYS_openat, d, "g", O_RDONLY));
	close(d);
	return r;
}
static long c_open_dotdot_dirfd(void)
{
	int d = open("d", O_PATH | O_DIRECTORY);
	long r = fdres(syscall(SYS_openat, d, "../f", O_RDONLY));
	close(d);
	return r;
}
static long c_open_symlink(void) { return fdres(syscall(SYS_openat, AT_FDCWD, "ln", O_RDONLY)); }
static long c_open_nofollow(void)
{
	return fdres(syscall(SYS_openat, AT_FDCWD, "ln", O_RDONLY | O_NOFOLLOW));
}
static long c_open_abs_symlink_dir(void)
{
	return fdres(syscall(SYS_openat, AT_FDCWD, "abs/g", O_RDONLY));
}
static long c_open_creat_new(void)
{
	return fdres(syscall(SYS_openat, AT_FDCWD, "new1", O_WRONLY | O_CREAT, 0600));
}
static long c_open_creat_existing_ro(void)
{
	return fdres(syscall(SYS_openat, AT_FDCWD, "f", O_RDONLY | O_CREAT, 0600));
}
static long c_open_trunc_ro(void)
{
	return fdres(syscall(SYS_openat, AT_FDCWD, "t1", O_RDONLY | O_TRUNC));
}
static long c_open_rdwr(void) { return fdres(syscall(SYS_openat, AT_FDCWD, "f", O_RDWR)); }
static long c_open_dangling_creat(void)
{
	return fdres(syscall(SYS_openat, AT_FDCWD, "dang", O_WRONLY | O_CREAT, 0600));
}
/* Missing files behind a symlinked directory (ld.so's glibc-hwcaps probes). */
static long c_open_link_probe(void)
{
	return fdres(syscall(SYS_openat, AT_FDCWD, "abs/no/such", O_RDONLY));
}
static long c_open_link_creat(void)
{
	return fdres(syscall(SYS_openat, AT_FDCWD, "abs/new3", O_WRONLY | O_CREAT, 0600));
}
static long c_open_link_dangling(void)
{
	return fdres(syscall(SYS_openat, AT_FDCWD, "abs/dl", O_WRONLY | O_CREAT, 0600));
}
static long c_open_link_dangling_dir(void)
{
	return fdres(syscall(SYS_openat, AT_FDCWD, "abs/dl/x", O_RDONLY));
}
static long c_open_link_dotdot(void)
{
	return fdres(syscall(SYS_openat, AT_FDCWD, "sub/../missing", O_RDONLY));
}
static long c_open_probe(void)
{
	return fdres(syscall(SYS_openat, AT_FDCWD, "no/such/file", O_RDONLY));
}
static long c_open_deny(void) { return fdres(syscall(SYS_openat, AT_FDCWD, "f", O_RDONLY)); }
static long c_open_opath(void) { return fdres(syscall(SYS_openat, AT_FDCWD, "f", O_PATH)); }
static long c_open_legacy(void) { return fdres(syscall(SYS_open, "f", O_WRONLY)); }
static long c_creat(void) { return fdres(syscall(SYS_creat, "c1", 0600)); }
static long c_tmpfile(void) { return fdres(syscall(SYS_openat, AT_FDCWD, "d", O_TMPFILE | O_WRONLY, 0600)); }
static long c_openat2_plain(void)
{
	struct open_how how = { .flags = O_RDONLY };
	return fdres(syscall(SYS_openat2, AT_FDCWD, "ln", &how, sizeof(how)));
}
static long c_openat2_in_root(void)
{
	int d = open("d", O_PATH | O_DIRECTORY);
	/* d/rootlink -> "/g": absolute, so beneath d it means d/g */
	struct open_how how = { .flags = O_RDONLY, .resolve = RESOLVE_IN_ROOT };
	long r = fdres(syscall(SYS_openat2, d, "rootlink", &how, sizeof(how)));
	close(d);
	return r;
}
static long c_openat2_opath(void)
{
	struct open_how how = { .flags = O_PATH };
	return fdres(syscall(SYS_openat2, AT_FDCWD, "f", &how, sizeof(how)));
}
static long c_openat2_creat(void)
{
	struct open_how how = { .flags = O_WRONLY | O_CREAT | O_EXCL, .mode = 0600 };
	return fdres(syscall(SYS_openat2, AT_FDCWD, "new2", &how, sizeof(how)));
}
static long c_page_cross(void)
{
	/* starts 8 bytes before the end of the first page */
	char *s = pages + pgsz - 8;
	return fdres(syscall(SYS_openat, AT_FDCWD, s, O_RDONLY));
}
static long c_page_end_nul(void)
{
	/* "f" with its NUL as the last byte before the unmapped page */
	char *s = pages + 2 * pgsz - 2;
	memcpy(s, "f", 2);
	return fdres(syscall(SYS_openat, AT_FDCWD, s, O_RDONLY));
}
static long c_page_end_no_nul(void)
{
	/* no NUL before the unmapped page: the kernel says EFAULT */
	char *s = pages + 2 * pgsz - 3;
	memcpy(s, "fff", 3);
	return fdres(syscall(SYS_openat, AT_FDCWD, s, O_RDONLY));
}
static long c_unmapped(void)
{
	return fdres(syscall(SYS_openat, AT_FDCWD, pages + 2 * pgsz, O_RDONLY));
}
static long c_null_path(void) { return fdres(syscall(SYS_openat, AT_FDCWD, NULL, O_RDONLY)); }
static long c_path_max(void) { return fdres(syscall(SYS_openat, AT_FDCWD, longpath, O_RDONLY)); }
static long c_path_too_long(void) { return fdres(syscall(SYS_openat, AT_FDCWD, toolong, O_RDONLY)); }
static long c_proc_fd_reopen(void)
{
	int fd = open("f", O_PATH);
	char p[64];
	snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
	long r = fdres(syscall(SYS_openat, AT_FDCWD, p, O_RDONLY));
	close(fd);
	return r;
}
static long c_proc_fd_pipe(void)
{
	char p[64];
	snprintf(p, sizeof(p), "/proc/self/fd/%d", pipefd[0]);
	return fdres(syscall(SYS_openat, AT_FDCWD, p, O_RDONLY));
}
static long c_proc_fd_deleted(void)
{
	char p[64];
	snprintf(p, sizeof(p), "/proc/self/fd/%d", delfd);
	return fdres(syscall(SYS_openat, AT_FDCWD, p, O_RDONLY));
}
static long c_proc_cwd(void) { return fdres(syscall(SYS_openat, AT_FDCWD, "/proc/self/cwd/f", O_RDONLY)); }
static long c_proc_status(void) { return fdres(syscall(SYS_openat, AT_FDCWD, "/proc/self/status", O_RDONLY)); }
static long c_dev_stdin_like(void)
{
	/* a symlink whose text goes through /proc/self: d/in -> /proc/self/fd/N */
	return fdres(syscall(SYS_openat, AT_FDCWD, "d/in", O_RDONLY));
}

static void *thread_open(void *arg)
{
	long *r = arg;
	*r = fdres(syscall(SYS_openat, AT_FDCWD, "f", O_RDONLY));
	return NULL;
}
static long c_thread(void)
{
	pthread_t th;
	long r = -1;
	if (pthread_create(&th, NULL, thread_open, &r) != 0)
		return -EAGAIN;
	pthread_join(th, NULL);
	return r;
}

/* exec in a grandchild: 0 if it ran and exited 0, else 100 + errno of exec */
static long exec_in_child(int how)
{
	pid_t p = fork();
	if (p == 0) {
		char *argv[] = { "true", NULL }, *envp[] = { NULL };
		if (how == 0)
			syscall(SYS_execve, "/bin/true", argv, envp);
		else if (how == 1)
			syscall(SYS_execveat, memfd, "", argv, envp, AT_EMPTY_PATH);
		else if (how == 3) {
			char pp[64];
			snprintf(pp, sizeof(pp), "/proc/self/fd/%d", memfd);
			syscall(SYS_execve, pp, argv, envp);
		} else if (how == 4)
			syscall(SYS_execveat, delfd, "", argv, envp, AT_EMPTY_PATH);
		else
			syscall(SYS_execveat, AT_FDCWD, "/bin/true", argv, envp, AT_SYMLINK_NOFOLLOW);
		_exit(100 + errno);
	}
	int st;
	waitpid(p, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}
static long c_execve(void) { return exec_in_child(0); }
static long c_execveat_memfd(void) { return exec_in_child(1); }
static long c_execveat_nofollow(void) { return exec_in_child(2); }
static long c_execve_proc_memfd(void) { return exec_in_child(3); }
static long c_execveat_deleted(void) { return exec_in_child(4); }

static long c_connect_v4(void)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(9) };
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	long r = sys(syscall(SYS_connect, s, &a, sizeof(a)));
	close(s);
	return r;
}
static long c_connect_v6(void)
{
	int s = socket(AF_INET6, SOCK_DGRAM, 0);
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(443) };
	inet_pton(AF_INET6, "2001:db8::1", &a.sin6_addr);
	long r = sys(syscall(SYS_connect, s, &a, sizeof(a)));
	close(s);
	return r;
}
static long c_connect_mapped(void)
{
	int s = socket(AF_INET6, SOCK_DGRAM, 0);
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(53) };
	inet_pton(AF_INET6, "::ffff:10.1.2.3", &a.sin6_addr);
	long r = sys(syscall(SYS_connect, s, &a, sizeof(a)));
	close(s);
	return r;
}
static long c_connect_unix(void)
{
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un a = { .sun_family = AF_UNIX, .sun_path = "sock" };
	long r = sys(syscall(SYS_connect, s, &a, sizeof(a)));
	close(s);
	return r;
}
static long c_connect_abstract(void)
{
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	size_t l = strlen(abstract_name);
	memcpy(a.sun_path + 1, abstract_name, l);
	long r = sys(syscall(SYS_connect, s, &a, offsetof(struct sockaddr_un, sun_path) + 1 + l));
	close(s);
	return r;
}
static long c_connect_unspec(void)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr a = { .sa_family = AF_UNSPEC };
	long r = sys(syscall(SYS_connect, s, &a, sizeof(a)));
	close(s);
	return r;
}
/* An AF_INET family in 8 bytes: too short for a sockaddr_in. */
static long c_connect_short(void)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(9) };
	long r = sys(syscall(SYS_connect, s, &a, 8));
	close(s);
	return r;
}
/* A sockaddr the supervisor cannot read (an unmapped page). */
static long c_connect_unreadable(void)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	void *p = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long r = sys(syscall(SYS_connect, s, p, sizeof(struct sockaddr_in)));
	munmap(p, 4096);
	close(s);
	return r;
}
/* sendto with an address of length 0 (not NULL: the filter sees it). */
static long c_sendto_zerolen(void)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET };
	long r = sys(syscall(SYS_sendto, s, "x", 1, 0, &a, 0));
	close(s);
	return r;
}
static long c_bind_unix(void)
{
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un a = { .sun_family = AF_UNIX, .sun_path = "bsock" };
	long r = sys(syscall(SYS_bind, s, &a, sizeof(a)));
	close(s);
	return r;
}
static long c_bind_v4(void)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = 0 };
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	long r = sys(syscall(SYS_bind, s, &a, sizeof(a)));
	close(s);
	return r;
}
static long c_sendto_addr(void)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(9) };
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	long r = sys(syscall(SYS_sendto, s, "x", 1, 0, &a, sizeof(a)));
	close(s);
	return r;
}
static long c_sendto_noaddr(void)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(9) };
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	long r = sys(syscall(SYS_connect, s, &a, sizeof(a)));
	if (r == 0)
		r = sys(syscall(SYS_sendto, s, "x", 1, 0, NULL, 0));
	close(s);
	return r;
}
static long c_sendmsg_v6(void)
{
	int s = socket(AF_INET6, SOCK_DGRAM, 0);
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(5353) };
	inet_pton(AF_INET6, "::1", &a.sin6_addr);
	struct iovec iov = { .iov_base = "x", .iov_len = 1 };
	struct msghdr m = { .msg_name = &a, .msg_namelen = sizeof(a), .msg_iov = &iov, .msg_iovlen = 1 };
	long r = sys(syscall(SYS_sendmsg, s, &m, 0));
	close(s);
	return r;
}
static long c_sendmsg_noname(void)
{
	int sv[2];
	socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
	struct iovec iov = { .iov_base = "x", .iov_len = 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	long r = sys(syscall(SYS_sendmsg, sv[0], &m, 0));
	close(sv[0]);
	close(sv[1]);
	return r;
}
static long c_sendmmsg(void)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a[2] = {
		{ .sin_family = AF_INET, .sin_port = htons(9) },
		{ .sin_family = AF_INET, .sin_port = htons(10) },
	};
	inet_pton(AF_INET, "127.0.0.1", &a[0].sin_addr);
	inet_pton(AF_INET, "127.0.0.2", &a[1].sin_addr);
	struct iovec iov = { .iov_base = "x", .iov_len = 1 };
	struct mmsghdr mm[2] = { 0 };
	for (int i = 0; i < 2; i++) {
		mm[i].msg_hdr.msg_name = &a[i];
		mm[i].msg_hdr.msg_namelen = sizeof(a[i]);
		mm[i].msg_hdr.msg_iov = &iov;
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	long r = sys(syscall(SYS_sendmmsg, s, mm, 2, 0));
	close(s);
	return r;
}
static long c_rename(void) { return sys(syscall(SYS_rename, "r1", "r2")); }
static long c_renameat_dirfd(void)
{
	int d = open("d", O_PATH | O_DIRECTORY);
	long r = sys(syscall(SYS_renameat, d, "g2", AT_FDCWD, "r3"));
	close(d);
	return r;
}
static long c_renameat2_exchange(void)
{
	return sys(syscall(SYS_renameat2, AT_FDCWD, "x1", AT_FDCWD, "x2", RENAME_EXCHANGE));
}
static long c_link(void) { return sys(syscall(SYS_link, "f", "l1")); }
static long c_linkat_follow(void)
{
	return sys(syscall(SYS_linkat, AT_FDCWD, "ln", AT_FDCWD, "l2", AT_SYMLINK_FOLLOW));
}
static long c_linkat_nofollow(void) { return sys(syscall(SYS_linkat, AT_FDCWD, "ln", AT_FDCWD, "l3", 0)); }
static long c_symlink(void) { return sys(syscall(SYS_symlink, "/anything/at/all", "s1")); }
static long c_symlinkat(void)
{
	int d = open("d", O_PATH | O_DIRECTORY);
	long r = sys(syscall(SYS_symlinkat, "f", d, "s2"));
	close(d);
	return r;
}
static long c_unlink_deny(void) { return sys(syscall(SYS_unlink, "victim")); }
static long c_unlinkat_dirfd(void)
{
	int d = open("d", O_PATH | O_DIRECTORY);
	long r = sys(syscall(SYS_unlinkat, d, "g3", 0));
	close(d);
	return r;
}
static long c_mkdir(void) { return sys(syscall(SYS_mkdir, "nd", 0700)); }
static long c_mkdirat(void) { return sys(syscall(SYS_mkdirat, AT_FDCWD, "nd2", 0700)); }
static long c_rmdir(void) { return sys(syscall(SYS_rmdir, "nd")); }
static long c_mknod(void) { return sys(syscall(SYS_mknod, "fifo1", S_IFIFO | 0600, 0)); }
static long c_truncate_deny(void) { return sys(syscall(SYS_truncate, "f", 0)); }
static long c_chmod(void) { return sys(syscall(SYS_chmod, "ln", 0644)); }
/* Metadata written by name: extended attributes (an ACL is a chmod by
 * another name) and times. */
static long c_setxattr(void) { return sys(syscall(SYS_setxattr, "ln", "user.mb", "v", 1, 0)); }
static long c_lsetxattr(void) { return sys(syscall(SYS_lsetxattr, "ln", "user.mb", "v", 1, 0)); }
static long c_removexattr(void) { return sys(syscall(SYS_removexattr, "f", "user.none")); }
static long c_utimensat(void) { return sys(syscall(SYS_utimensat, AT_FDCWD, "ln", NULL, 0)); }
static long c_futimens(void)
{
	int fd = open("f", O_RDONLY);
	long r = sys(syscall(SYS_utimensat, fd, NULL, NULL, 0));
	close(fd);
	return r;
}
static long c_fchmodat(void) { return sys(syscall(SYS_fchmodat, AT_FDCWD, "ln", 0644)); }
static long c_fchmodat2_nofollow(void)
{
	return sys(syscall(SYS_fchmodat2, AT_FDCWD, "ln", 0644, AT_SYMLINK_NOFOLLOW));
}
static long c_chown(void) { return sys(syscall(SYS_chown, "f", -1, -1)); }
static long c_lchown(void) { return sys(syscall(SYS_lchown, "ln", -1, -1)); }
static long c_fchownat_empty(void)
{
	int fd = open("f", O_PATH);
	long r = sys(syscall(SYS_fchownat, fd, "", -1, -1, AT_EMPTY_PATH));
	close(fd);
	return r;
}
static long c_second_listener(void)
{
	/* A second listener in the same chain would take notifications before
	 * ours (the newest filter wins among USER_NOTIF): the kernel refuses. */
	struct sock_filter insn = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF);
	struct sock_fprog prog = { .len = 1, .filter = &insn };
	return sys(syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog));
}
static long c_bad_dirfd(void) { return fdres(syscall(SYS_openat, 999, "f", O_RDONLY)); }

#define CASES(X)                                                                                \
	X(open_abs) X(open_rel_cwd) X(open_rel_dirfd) X(open_dotdot_dirfd) X(open_symlink)     \
	X(open_nofollow) X(open_abs_symlink_dir) X(open_creat_new) X(open_creat_existing_ro)   \
	X(open_trunc_ro) X(open_rdwr) X(open_dangling_creat) X(open_probe) X(open_deny)       \
	X(open_link_probe) X(open_link_creat) X(open_link_dangling) X(open_link_dangling_dir)  \
	X(open_link_dotdot)                                                                    \
	X(open_opath) X(open_legacy) X(creat) X(tmpfile) X(openat2_plain) X(openat2_in_root)   \
	X(openat2_opath) X(openat2_creat) X(page_cross) X(page_end_nul) X(page_end_no_nul)      \
	X(unmapped) X(null_path) X(path_max) X(path_too_long) X(proc_fd_reopen)                \
	X(proc_fd_pipe) X(proc_fd_deleted) X(proc_cwd) X(proc_status) X(dev_stdin_like)       \
	X(thread) X(execve) X(execveat_memfd) X(execveat_nofollow) X(execve_proc_memfd)              \
	X(execveat_deleted) X(connect_v4) X(connect_v6) \
	X(connect_mapped) X(connect_unix) X(connect_abstract) X(connect_unspec) X(bind_unix)   \
	X(connect_short) X(connect_unreadable) X(sendto_zerolen)                             \
	X(bind_v4) X(sendto_addr) X(sendto_noaddr) X(sendmsg_v6) X(sendmsg_noname) X(sendmmsg) \
	X(rename) X(renameat_dirfd) X(renameat2_exchange) X(link) X(linkat_follow)             \
	X(linkat_nofollow) X(symlink) X(symlinkat) X(unlink_deny) X(unlinkat_dirfd) X(mkdir)   \
	X(mkdirat) X(rmdir) X(mknod) X(truncate_deny) X(chmod) X(fchmodat) X(fchmodat2_nofollow) \
	X(chown) X(lchown) X(fchownat_empty) X(second_listener) X(bad_dirfd)                 \
	X(setxattr) X(lsetxattr) X(removexattr) X(utimensat) X(futimens)

#define ENUM(n) C_##n,
#define FN(n) c_##n,
enum { CASES(ENUM) C_COUNT_ };
static h_case_fn const cases[] = { CASES(FN) };

/* ---- checks, in the parent -------------------------------------------- */

static const char *tp(const char *rel)
{
	static char buf[4][H_PATH_MAX];
	static int i;
	char *b = buf[i++ % 4];
	snprintf(b, H_PATH_MAX, "%s/%s", T, rel);
	return b;
}

static void check(const char *what, const struct h_rec *r, unsigned i, enum mb_target_kind kind,
		  enum mb_presence pres, unsigned ops, const char *path)
{
	if (!ok(r != NULL, "%s: the callback was asked", what)) {
		for (int k = 0; k < h_nrecs; k++)
			diag("  saw %s %s", h_recs[k].syscall, h_recs[k].t[0].path);
		return;
	}
	is_str(h_kind_name(r->t[i].kind), h_kind_name(kind), "%s: kind", what);
	is_str(h_presence_name(r->t[i].presence), h_presence_name(pres), "%s: presence", what);
	is_int(r->t[i].ops, ops, "%s: ops", what);
	if (path)
		is_str(r->t[i].path, path, "%s: target", what);
}

static void allow(void)
{
	h_verdict = (struct mb_answer){ MB_VERDICT_ALLOW, 0 };
	h_deny_nth = 0;
	h_deny_syscall = NULL;
}

static void deny(void)
{
	allow();
	h_verdict = (struct mb_answer){ MB_VERDICT_DENY, 0 };
}

static int mkfile(const char *rel, const char *content)
{
	FILE *f = fopen(tp(rel), "w");
	if (!f)
		return -1;
	fputs(content, f);
	return fclose(f);
}

static char tmpl[] = "/tmp/mb-notify-XXXXXX";

static void cleanup(void)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpl);
	if (system(cmd) != 0)
		diag("could not remove %s", tmpl);
}

static void child_setup(void)
{
	if (chdir(T) < 0)
		_exit(99);
}

static int copy_true(void)
{
	int fd = memfd_create("mb-true", MFD_CLOEXEC);
	int in = open("/bin/true", O_RDONLY);
	char buf[65536];
	ssize_t n;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(fd, buf, (size_t)n) != n)
			return -1;
	close(in);
	return fd;
}

int main(void)
{
	if (!mkdtemp(tmpl)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	atexit(cleanup);
	if (!realpath(tmpl, T)) {
		printf("Bail out! realpath: %s\n", strerror(errno));
		return 1;
	}
	diag("running as uid %d in %s", (int)getuid(), T);

	/* fixtures */
	char b[H_PATH_MAX];
	mkfile("f", "hello\n");
	mkfile("t1", "truncate me\n");
	mkfile("r1", "r1");
	mkfile("x1", "x1");
	mkfile("x2", "x2");
	mkfile("victim", "v");
	mkfile("del", "deleted");
	mkdir(tp("d"), 0755);
	mkfile("d/g", "g");
	mkfile("d/g2", "g2");
	mkfile("d/g3", "g3");
	symlink("f", tp("ln"));
	snprintf(b, sizeof(b), "%s/d", T);
	symlink(b, tp("abs"));
	symlink("newfile", tp("dang"));
	symlink("/g", tp("d/rootlink"));
	symlink("../newfile2", tp("d/dl"));
	mkdir(tp("d/sub"), 0755);
	snprintf(b, sizeof(b), "%s/d/sub", T);
	symlink(b, tp("sub"));
	if (pipe(pipefd) < 0)
		return 1;
	snprintf(b, sizeof(b), "/proc/self/fd/%d", pipefd[0]);
	symlink(b, tp("d/in"));
	delfd = open(tp("del"), O_RDONLY);
	unlink(tp("del"));
	memfd = copy_true();

	int us = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un ua = { .sun_family = AF_UNIX };
	snprintf(ua.sun_path, sizeof(ua.sun_path), "%s", tp("sock"));
	if (bind(us, (struct sockaddr *)&ua, sizeof(ua)) < 0 || listen(us, 8) < 0)
		return 1;
	snprintf(abstract_name, sizeof(abstract_name), "mb-notify-test-%d", (int)getpid());
	int as = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un aa = { .sun_family = AF_UNIX };
	memcpy(aa.sun_path + 1, abstract_name, strlen(abstract_name));
	if (bind(as, (struct sockaddr *)&aa, offsetof(struct sockaddr_un, sun_path) + 1 +
						     strlen(abstract_name)) < 0 ||
	    listen(as, 8) < 0)
		return 1;

	pgsz = sysconf(_SC_PAGESIZE);
	pages = mmap(NULL, 3 * (size_t)pgsz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	/* PROT_NONE rather than munmap: a hole could be mapped again by the
	 * next allocation (ASan's, for one); both fault alike. */
	mprotect(pages + 2 * pgsz, (size_t)pgsz, PROT_NONE);
	/* across the first page boundary: T/f written from 8 bytes before it */
	snprintf(pages + pgsz - 8, (size_t)pgsz, "%s/f", T);
	longpath = malloc(PATH_MAX);
	size_t tl = strlen(T);
	memcpy(longpath, T, tl);
	memset(longpath + tl, '/', PATH_MAX - 2 - tl - 1);
	memcpy(longpath + PATH_MAX - 3, "/f", 3); /* strlen == PATH_MAX - 1 */
	toolong = malloc(PATH_MAX + 1);
	memcpy(toolong, T, tl);
	memset(toolong + tl, '/', PATH_MAX - tl - 1);
	memcpy(toolong + PATH_MAX - 1, "f", 2); /* strlen == PATH_MAX */

	int r = h_start(cases, child_setup, NULL);
	if (r < 0) {
		printf("Bail out! starting the watched child: %s\n", strerror(-r));
		return 1;
	}
	ok(h_features() & MB_WATCH_KILLABLE_RECV, "WAIT_KILLABLE_RECV taken by this kernel");
	ok(mb_notifier_sync_wake_up(h_notifier()), "SYNC_WAKE_UP taken by this kernel");
	const struct h_rec *rec;
	long ret;

	/* ---- opens ---- */
	allow();
	is_int(h_run(C_open_abs), 0, "openat absolute: allowed");
	check("openat absolute", h_find("openat"), 0, MB_TARGET_PATH, MB_PRESENT, R, tp("f"));
	is_int(h_run(C_open_rel_cwd), 0, "openat relative to cwd: allowed");
	check("openat relative to cwd", h_find("openat"), 0, MB_TARGET_PATH, MB_PRESENT, R, tp("f"));
	is_int(h_run(C_open_rel_dirfd), 0, "openat relative to a dirfd");
	check("openat relative to a dirfd", h_find("openat"), 0, MB_TARGET_PATH, MB_PRESENT, R, tp("d/g"));
	is_int(h_run(C_open_dotdot_dirfd), 0, "openat ../ from a dirfd");
	check("openat ../ from a dirfd", h_find("openat"), 0, MB_TARGET_PATH, MB_PRESENT, R, tp("f"));
	is_int(h_run(C_open_symlink), 0, "openat through a symlink");
	check("openat through a symlink", h_find("openat"), 0, MB_TARGET_PATH, MB_PRESENT, R, tp("f"));
	is_int(h_run(C_open_nofollow), -ELOOP, "O_NOFOLLOW on a symlink: the kernel's ELOOP");
	ok(h_find("openat") == NULL, "  ... before any permission is looked at: nothing to decide");
	is_int(h_run(C_open_abs_symlink_dir), 0, "openat through an absolute symlink to a dir");
	check("absolute symlink dir", h_find("openat"), 0, MB_TARGET_PATH, MB_PRESENT, R, tp("d/g"));
	is_int(h_run(C_open_creat_new), 0, "O_CREAT of a new file");
	check("O_CREAT new", h_find("openat"), 0, MB_TARGET_PATH, MB_PRESENT_NEW, W, tp("new1"));
	is_int(h_run(C_open_creat_existing_ro), 0, "O_RDONLY|O_CREAT of an existing file");
	check("O_RDONLY|O_CREAT existing", h_find("openat"), 0, MB_TARGET_PATH, MB_PRESENT, R, tp("f"));
	is_int(h_run(C_open_trunc_ro), 0, "O_RDONLY|O_TRUNC");
	check("O_RDONLY|O_TRUNC", h_find("openat"), 0, MB_TARGET_PATH, MB_PRESENT, R | W, tp("t1"));
	is_int(h_run(C_open_rdwr), 0, "O_RDWR");
	check("O_RDWR", h_find("openat"), 0, MB_TARGET_PATH, MB_PRESENT, R | W, tp("f"));
	deny();
	is_int(h_run(C_open_dangling_creat), -EACCES, "O_CREAT through a dangling symlink: denied");
	check("O_CREAT via dangling symlink", h_find("openat"), 0, MB_TARGET_PATH, MB_PRESENT_NEW, W,
	      tp("newfile"));
	ok(access(tp("newfile"), F_OK) < 0, "the denied O_CREAT created nothing");
	allow();
	is_int(h_run(C_open_probe), -ENOENT, "a probe gets the kernel's ENOENT");
	check("probe", h_find("openat"), 0, MB_TARGET_PATH, MB_PRESENT_NONE, R, tp("no/such/file"));
	is_int(h_run(C_open_link_probe), -ENOENT, "a probe behind a symlinked dir: ENOENT");
	check("probe behind a symlink", h_find("openat"), 0, MB_TARGET_PATH, MB_PRESENT_NONE, R,
	      tp("d/no/such"));
	is_int(h_run(C_open_link_creat), 0, "O_CREAT behind a symlinked dir");
	check("O_CREAT behind a symlink", h_find("openat"), 0, MB_TARGET_PATH, MB_PRESENT_NEW, W,
	      tp("d/new3"));
	is_int(h_run(C_open_link_dangling_dir), -ENOENT, "beneath a dangling symlink: ENOENT");
	check("beneath a dangling symlink", h_find("openat"), 0, MB_TARGET_PATH, MB_PRESENT_NONE, R,
	      tp("newfile2/x"));
	is_int(h_run(C_open_link_dotdot), -ENOENT, "\"..\" after a symlink is not lexical");
	check("\"..\" after a symlink", h_find("openat"), 0, MB_TARGET_PATH, MB_PRESENT_NONE, R,
	      tp("d/missing"));
	deny();
	is_int(h_run(C_open_link_dangling), -EACCES, "O_CREAT of a dangling symlink behind a symlink");
	check("dangling behind a symlink", h_find("openat"), 0, MB_TARGET_PATH, MB_PRESENT_NEW, W,
	      tp("newfile2"));
	ok(access(tp("newfile2"), F_OK) < 0, "the denied O_CREAT created nothing");
	is_int(h_run(C_open_deny), -EACCES, "a denied open reaches the child as EACCES");
	allow();
	uint64_t before = h_stats().received;
	is_int(h_run(C_open_opath), 0, "openat O_PATH");
	is_int(h_stats().received, before,
	       "openat O_PATH is not notified (the filter lets it through)");
	is_int(h_run(C_open_legacy), 0, "open(2)");
	check("open(2) O_WRONLY", h_find("open"), 0, MB_TARGET_PATH, MB_PRESENT, W, tp("f"));
	is_int(h_run(C_creat), 0, "creat(2)");
	check("creat", h_find("creat"), 0, MB_TARGET_PATH, MB_PRESENT_NEW, W, tp("c1"));
	ret = h_run(C_tmpfile);
	ok(ret == 0 || ret == -EOPNOTSUPP, "O_TMPFILE (%ld)", ret);
	check("O_TMPFILE", h_find("openat"), 0, MB_TARGET_PATH, MB_PRESENT, W, tp("d"));
	is_int(h_run(C_openat2_plain), 0, "openat2");
	check("openat2", h_find("openat2"), 0, MB_TARGET_PATH, MB_PRESENT, R, tp("f"));
	is_int(h_run(C_openat2_in_root), 0, "openat2 RESOLVE_IN_ROOT");
	check("openat2 RESOLVE_IN_ROOT: an absolute link stays beneath the dirfd", h_find("openat2"), 0,
	      MB_TARGET_PATH, MB_PRESENT, R, tp("d/g"));
	is_int(h_run(C_openat2_opath), -ENOSYS,
	       "openat2 O_PATH: ENOSYS (neither continued nor installable), callers fall back to openat");
	ok(h_find("openat2") == NULL, "openat2 O_PATH: answered without asking");
	is_int(h_run(C_openat2_creat), 0, "openat2 O_CREAT|O_EXCL");
	check("openat2 O_CREAT|O_EXCL", h_find("openat2"), 0, MB_TARGET_PATH, MB_PRESENT_NEW, W, tp("new2"));

	/* ---- reading the path out of the target ---- */
	is_int(h_run(C_page_cross), 0, "a path across a page boundary");
	check("page boundary", h_find("openat"), 0, MB_TARGET_PATH, MB_PRESENT, R, tp("f"));
	is_int(h_run(C_page_end_nul), 0, "a path whose NUL ends the last mapped page");
	check("NUL at a page's end", h_find("openat"), 0, MB_TARGET_PATH, MB_PRESENT, R, tp("f"));
	before = h_stats().kernel;
	is_int(h_run(C_page_end_no_nul), -EFAULT, "no NUL before an unmapped page: EFAULT");
	ok(h_find("openat") == NULL, "  ... and the callback was not asked");
	is_int(h_run(C_unmapped), -EFAULT, "an unmapped pointer: the kernel's EFAULT reaches the child");
	ok(h_find("openat") == NULL, "  ... and the callback was not asked");
	is_int(h_run(C_null_path), -EFAULT, "a NULL path: EFAULT");
	is_int(h_stats().kernel, before + 3, "three calls left to the kernel");
	is_int(h_run(C_path_max), 0, "a path of PATH_MAX - 1 bytes");
	check("PATH_MAX - 1", h_find("openat"), 0, MB_TARGET_PATH, MB_PRESENT, R, tp("f"));
	is_int(h_run(C_path_too_long), -ENAMETOOLONG, "a path of PATH_MAX bytes: ENAMETOOLONG");
	ok(h_find("openat") == NULL, "  ... and the callback was not asked");
	deny();
	is_int(h_run(C_bad_dirfd), -EBADF, "a closed dirfd: the kernel's EBADF, even when denying");
	allow();

	/* ---- /proc ---- */
	is_int(h_run(C_proc_fd_reopen), 0, "reopening an O_PATH fd through /proc/self/fd");
	check("/proc/self/fd/N", h_find("openat"), 0, MB_TARGET_PATH, MB_PRESENT, R, tp("f"));
	is_int(h_run(C_proc_fd_pipe), 0, "opening a pipe through /proc/self/fd");
	check("/proc/self/fd/N of a pipe", h_find("openat"), 0, MB_TARGET_ANON, MB_PRESENT, R, NULL);
	rec = h_find("openat");
	ok(rec && strncmp(rec->t[0].path, "pipe:[", 6) == 0, "  named pipe:[...] (%s)",
	   rec ? rec->t[0].path : "");
	is_int(h_run(C_proc_fd_deleted), 0, "opening a deleted file through /proc/self/fd");
	check("/proc/self/fd/N of a deleted file", h_find("openat"), 0, MB_TARGET_DELETED, MB_PRESENT,
	      R, tp("del"));
	is_int(h_run(C_proc_cwd), 0, "/proc/self/cwd/f");
	check("/proc/self/cwd/f", h_find("openat"), 0, MB_TARGET_PATH, MB_PRESENT, R, tp("f"));
	is_int(h_run(C_proc_status), 0, "/proc/self/status");
	rec = h_find("openat");
	check("/proc/self/status", rec, 0, MB_TARGET_PATH, MB_PRESENT, R, NULL);
	snprintf(b, sizeof(b), "/proc/%d/status", rec ? (int)rec->pid : 0);
	ok(rec && strcmp(rec->t[0].path, b) == 0, "  names the child's own /proc entry (%s)",
	   rec ? rec->t[0].path : "");
	is_int(h_run(C_dev_stdin_like), 0, "a symlink into /proc/self/fd");
	check("symlink to /proc/self/fd/N", h_find("openat"), 0, MB_TARGET_ANON, MB_PRESENT, R, NULL);

	is_int(h_run(C_thread), 0, "a thread's open, relative to the shared cwd");
	rec = h_find("openat");
	check("thread", rec, 0, MB_TARGET_PATH, MB_PRESENT, R, tp("f"));

	/* ---- exec ---- */
	deny();
	is_int(h_run(C_execve), 100 + EACCES, "execve denied: EACCES");
	check("execve /bin/true", h_find("execve"), 0, MB_TARGET_PATH, MB_PRESENT, X, "/usr/bin/true");
	allow();
	is_int(h_run(C_execve), 0, "execve allowed: it ran");
	h_deny_syscall = "execveat";
	is_int(h_run(C_execveat_memfd), 100 + EACCES, "execveat of a memfd denied");
	check("execveat memfd", h_find("execveat"), 0, MB_TARGET_MEMFD, MB_PRESENT, X, "memfd:mb-true");
	allow();
	is_int(h_run(C_execveat_memfd), 0, "execveat of a memfd allowed: it ran");
	deny();
	is_int(h_run(C_execveat_nofollow), 100 + EACCES, "execveat AT_SYMLINK_NOFOLLOW denied");
	check("execveat nofollow", h_find("execveat"), 0, MB_TARGET_PATH, MB_PRESENT, X, "/usr/bin/true");
	is_int(h_run(C_execve_proc_memfd), 100 + EACCES, "execve of /proc/self/fd/N of a memfd denied");
	check("execve /proc/self/fd/N memfd", h_find("execve"), 0, MB_TARGET_MEMFD, MB_PRESENT, X,
	      "memfd:mb-true");
	is_int(h_run(C_execveat_deleted), 100 + EACCES, "execveat of a deleted file denied");
	check("execveat deleted", h_find("execveat"), 0, MB_TARGET_DELETED, MB_PRESENT, X, tp("del"));

	/* ---- sockets ---- */
	allow();
	is_int(h_run(C_connect_v4), 0, "connect v4 allowed");
	rec = h_find("connect");
	check("connect v4", rec, 0, MB_TARGET_INET, MB_PRESENT, C, NULL);
	if (rec) {
		char a[64];
		is_str(h_addr_format(&rec->t[0].addr, a, sizeof(a)), "127.0.0.1:9", "connect v4: address");
	}
	deny();
	is_int(h_run(C_connect_v6), -EPERM, "connect v6 denied: EPERM");
	rec = h_find("connect");
	check("connect v6", rec, 0, MB_TARGET_INET, MB_PRESENT, C, NULL);
	if (rec) {
		char a[64];
		is_str(h_addr_format(&rec->t[0].addr, a, sizeof(a)), "[2001:db8::1]:443",
		       "connect v6: address");
	}
	is_int(h_run(C_connect_mapped), -EPERM, "connect to a v4-mapped v6 address denied");
	rec = h_find("connect");
	if (ok(rec != NULL, "connect v4-mapped: asked")) {
		char a[64];
		is_str(h_addr_format(&rec->t[0].addr, a, sizeof(a)), "10.1.2.3:53",
		       "connect v4-mapped: folded to v4");
	}
	allow();
	is_int(h_run(C_connect_unix), 0, "connect to a named unix socket");
	rec = h_find("connect");
	check("connect unix", rec, 0, MB_TARGET_PATH, MB_PRESENT, W, tp("sock"));
	ok(rec && rec->t[0].unix_socket && rec->t[0].family == AF_UNIX, "  marked as a unix socket");
	is_int(h_run(C_connect_abstract), 0, "connect to an abstract unix socket");
	snprintf(b, sizeof(b), "@%s", abstract_name);
	check("connect abstract", h_find("connect"), 0, MB_TARGET_UNIX_ABSTRACT, MB_PRESENT, C, b);
	deny();
	is_int(h_run(C_connect_unspec), -EPERM, "connect AF_UNSPEC: asked, denied");
	rec = h_find("connect");
	ok(rec && rec->t[0].kind == MB_TARGET_UNSPEC && rec->t[0].salen == sizeof(struct sockaddr),
	   "  ... as AF_UNSPEC, its bytes handed over (the broker reads them by the socket)");
	is_int(h_run(C_connect_short), -EINVAL, "a sockaddr_in of 8 bytes: the kernel's EINVAL");
	ok(h_find("connect") == NULL, "  ... given without asking");
	is_int(h_run(C_connect_unreadable), -EPERM, "an unreadable sockaddr: asked, denied");
	rec = h_find("connect");
	ok(rec && rec->t[0].kind == MB_TARGET_NONE && rec->t[0].unreadable,
	   "  ... marked unreadable, never continued");
	is_int(h_run(C_sendto_zerolen), -EPERM, "sendto with an address of length 0: asked, denied");
	rec = h_find("sendto");
	ok(rec && rec->t[0].kind == MB_TARGET_NONE && !rec->t[0].unreadable,
	   "  ... as no destination");
	is_int(h_run(C_bind_unix), -EPERM, "bind of a unix socket path denied");
	check("bind unix", h_find("bind"), 0, MB_TARGET_PATH, MB_PRESENT_NEW, W, tp("bsock"));
	ok(access(tp("bsock"), F_OK) < 0, "  ... and no socket file was made");
	is_int(h_run(C_bind_v4), -EPERM, "bind v4 denied");
	check("bind v4", h_find("bind"), 0, MB_TARGET_INET, MB_PRESENT, B, NULL);
	is_int(h_run(C_sendto_addr), -EPERM, "sendto with an address denied");
	check("sendto", h_find("sendto"), 0, MB_TARGET_INET, MB_PRESENT, C, NULL);
	h_deny_syscall = "sendto";
	before = h_stats().received;
	is_int(h_run(C_sendto_noaddr), 1, "sendto without an address on a connected socket");
	ok(h_find("sendto") == NULL, "  ... not notified (the filter checks the pointer)");
	is_int(h_stats().received, before + 1, "  ... only its connect was");
	deny();
	is_int(h_run(C_sendmsg_v6), -EPERM, "sendmsg with a v6 name denied");
	rec = h_find("sendmsg");
	check("sendmsg", rec, 0, MB_TARGET_INET, MB_PRESENT, C, NULL);
	if (rec) {
		char a[64];
		is_str(h_addr_format(&rec->t[0].addr, a, sizeof(a)), "[::1]:5353", "sendmsg: address");
	}
	is_int(h_run(C_sendmsg_noname), -EPERM, "sendmsg without a name: asked, denied");
	rec = h_find("sendmsg");
	ok(rec && rec->t[0].kind == MB_TARGET_NONE, "  ... as no destination (never continued)");
	allow();
	h_deny_nth = 1;
	is_int(h_run(C_sendmmsg), -EPERM, "sendmmsg: denied as one call");
	is_int(h_nrecs, 1, "  ... asked once, for every destination");
	if (h_nrecs == 1) {
		char a[64];
		is_int(h_recs[0].nmsg, 2, "  ... two messages");
		is_str(h_addr_format(&h_recs[0].t[1].addr, a, sizeof(a)), "127.0.0.2:10",
		       "  ... the second one's destination");
	}

	/* ---- names ---- */
	allow();
	is_int(h_run(C_rename), 0, "rename");
	rec = h_find("rename");
	check("rename source", rec, 0, MB_TARGET_PATH, MB_PRESENT, W, tp("r1"));
	check("rename destination", rec, 1, MB_TARGET_PATH, MB_PRESENT_NEW, W, tp("r2"));
	is_int(h_run(C_renameat_dirfd), 0, "renameat with a dirfd");
	rec = h_find("renameat");
	check("renameat source", rec, 0, MB_TARGET_PATH, MB_PRESENT, W, tp("d/g2"));
	check("renameat destination", rec, 1, MB_TARGET_PATH, MB_PRESENT_NEW, W, tp("r3"));
	is_int(h_run(C_renameat2_exchange), 0, "renameat2 RENAME_EXCHANGE");
	rec = h_find("renameat2");
	check("renameat2 first", rec, 0, MB_TARGET_PATH, MB_PRESENT, W, tp("x1"));
	check("renameat2 second", rec, 1, MB_TARGET_PATH, MB_PRESENT, W, tp("x2"));
	is_int(h_run(C_link), 0, "link");
	rec = h_find("link");
	check("link old", rec, 0, MB_TARGET_PATH, MB_PRESENT, R | W, tp("f"));
	check("link new", rec, 1, MB_TARGET_PATH, MB_PRESENT_NEW, W, tp("l1"));
	is_int(h_run(C_linkat_follow), 0, "linkat AT_SYMLINK_FOLLOW");
	check("linkat follow", h_find("linkat"), 0, MB_TARGET_PATH, MB_PRESENT, R | W, tp("f"));
	is_int(h_run(C_linkat_nofollow), 0, "linkat without AT_SYMLINK_FOLLOW");
	check("linkat nofollow", h_find("linkat"), 0, MB_TARGET_PATH, MB_PRESENT, R | W, tp("ln"));
	is_int(h_run(C_symlink), 0, "symlink");
	rec = h_find("symlink");
	check("symlink", rec, 0, MB_TARGET_PATH, MB_PRESENT_NEW, W, tp("s1"));
	is_int(rec ? (int)rec->n : -1, 1, "symlink: its text is no target");
	is_int(h_run(C_symlinkat), 0, "symlinkat with a dirfd");
	check("symlinkat", h_find("symlinkat"), 0, MB_TARGET_PATH, MB_PRESENT_NEW, W, tp("d/s2"));
	deny();
	is_int(h_run(C_unlink_deny), -EACCES, "unlink denied: EACCES");
	check("unlink", h_find("unlink"), 0, MB_TARGET_PATH, MB_PRESENT, W, tp("victim"));
	ok(access(tp("victim"), F_OK) == 0, "  ... and the file is still there");
	allow();
	is_int(h_run(C_unlinkat_dirfd), 0, "unlinkat with a dirfd");
	check("unlinkat", h_find("unlinkat"), 0, MB_TARGET_PATH, MB_PRESENT, W, tp("d/g3"));
	is_int(h_run(C_mkdir), 0, "mkdir");
	check("mkdir", h_find("mkdir"), 0, MB_TARGET_PATH, MB_PRESENT_NEW, W, tp("nd"));
	is_int(h_run(C_mkdirat), 0, "mkdirat");
	check("mkdirat", h_find("mkdirat"), 0, MB_TARGET_PATH, MB_PRESENT_NEW, W, tp("nd2"));
	is_int(h_run(C_rmdir), 0, "rmdir");
	check("rmdir", h_find("rmdir"), 0, MB_TARGET_PATH, MB_PRESENT, W, tp("nd"));
	is_int(h_run(C_mknod), 0, "mknod of a fifo");
	check("mknod", h_find("mknod"), 0, MB_TARGET_PATH, MB_PRESENT_NEW, W, tp("fifo1"));
	deny();
	is_int(h_run(C_truncate_deny), -EACCES, "truncate denied");
	check("truncate", h_find("truncate"), 0, MB_TARGET_PATH, MB_PRESENT, W, tp("f"));
	struct stat st;
	ok(stat(tp("f"), &st) == 0 && st.st_size == 6, "  ... and the file kept its content");
	allow();
	is_int(h_run(C_chmod), 0, "chmod through a symlink");
	check("chmod follows", h_find("chmod"), 0, MB_TARGET_PATH, MB_PRESENT, W, tp("f"));
	ret = h_run(C_setxattr);
	ok(ret == 0 || ret == -EOPNOTSUPP, "setxattr: the kernel's answer (%ld)", ret);
	check("setxattr follows", h_find("setxattr"), 0, MB_TARGET_PATH, MB_PRESENT, W, tp("f"));
	ret = h_run(C_lsetxattr);
	ok(ret == -EPERM || ret == -EOPNOTSUPP, "lsetxattr of a user xattr on a link: the kernel's answer (%ld)", ret);
	check("lsetxattr does not follow", h_find("lsetxattr"), 0, MB_TARGET_PATH, MB_PRESENT, W, tp("ln"));
	ret = h_run(C_removexattr);
	ok(ret == -ENODATA || ret == -EOPNOTSUPP, "removexattr of none: the kernel's answer (%ld)", ret);
	check("removexattr", h_find("removexattr"), 0, MB_TARGET_PATH, MB_PRESENT, W, tp("f"));
	is_int(h_run(C_utimensat), 0, "utimensat through a symlink");
	check("utimensat follows", h_find("utimensat"), 0, MB_TARGET_PATH, MB_PRESENT, W, tp("f"));
	before = h_stats().received;
	is_int(h_run(C_futimens), 0, "futimens (utimensat with a NULL path)");
	is_int(h_stats().received, before + 1,
	       "futimens is not notified (the filter lets it through), only its open");
	deny();
	is_int(h_run(C_utimensat), -EACCES, "utimensat denied");
	is_int(h_run(C_setxattr), -EACCES, "setxattr denied");
	allow();
	is_int(h_run(C_fchmodat), 0, "fchmodat");
	check("fchmodat follows", h_find("fchmodat"), 0, MB_TARGET_PATH, MB_PRESENT, W, tp("f"));
	ret = h_run(C_fchmodat2_nofollow);
	ok(ret == -EOPNOTSUPP || ret == 0, "fchmodat2 AT_SYMLINK_NOFOLLOW: the kernel's answer (%ld)", ret);
	check("fchmodat2 nofollow", h_find("fchmodat2"), 0, MB_TARGET_PATH, MB_PRESENT, W, tp("ln"));
	is_int(h_run(C_chown), 0, "chown");
	check("chown", h_find("chown"), 0, MB_TARGET_PATH, MB_PRESENT, W, tp("f"));
	is_int(h_run(C_lchown), 0, "lchown");
	check("lchown", h_find("lchown"), 0, MB_TARGET_PATH, MB_PRESENT, W, tp("ln"));
	is_int(h_run(C_fchownat_empty), 0, "fchownat AT_EMPTY_PATH");
	check("fchownat AT_EMPTY_PATH", h_find("fchownat"), 0, MB_TARGET_PATH, MB_PRESENT, W, tp("f"));

	is_int(h_run(C_second_listener), -EBUSY,
	       "the server cannot add a listener of its own in front of ours");

	struct mb_notifier_stats all = h_stats();
	const struct mb_notifier_stats *s = &all;
	if (h_twin())
		ok(mb_notifier_stats(h_twin())->received > 0 &&
			   mb_notifier_stats(h_notifier())->received > 0,
		   "both notifiers on the listener took notifications (%llu and %llu)",
		   (unsigned long long)mb_notifier_stats(h_notifier())->received,
		   (unsigned long long)mb_notifier_stats(h_twin())->received);
	diag("received %llu, decided %llu, continued %llu, performed %llu (fast %llu, walked %llu), "
	     "denied %llu, kernel %llu, unreadable %llu, vanished %llu",
	     (unsigned long long)s->received, (unsigned long long)s->decided,
	     (unsigned long long)s->continued, (unsigned long long)s->performed,
	     (unsigned long long)s->fast, (unsigned long long)s->walked,
	     (unsigned long long)s->denied, (unsigned long long)s->kernel,
	     (unsigned long long)s->unreadable, (unsigned long long)s->vanished);
	if (getenv("MB_NOTIFY_FAST") && !getenv("MB_NOTIFY_NO_OPENAT2"))
		ok(s->fast > 0, "the fast way was taken (%llu opens)", (unsigned long long)s->fast);
	if (getenv("MB_NOTIFY_NO_OPENAT2"))
		ok(s->fast == 0 && s->walked > 0, "without openat2 every path took the walk (%llu)",
		   (unsigned long long)s->walked);
	int status = h_stop();
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child exited cleanly (status %d)", status);
	close(us);
	close(as);
	return done_testing();
}
