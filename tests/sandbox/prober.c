/* SPDX-License-Identifier: Apache-2.0 */
/* The escape prober: run inside the sandbox under a minimal profile, it
 * tries to get out in every way the issue lists and checks that each try
 * fails with the errno it expects. It prints one line per attempt,
 *   PASS <name>: <what happened>      the attempt was blocked as expected
 *   FAIL <name>: <what happened>      it succeeded, or failed otherwise
 * then "COUNT <n>", and exits 0 only if every attempt passed.
 *
 * Safety: a broken sandbox runs these with real privileges on a real
 * machine, so every attempt harms nothing if it succeeds. Privileged calls
 * get bogus arguments where the kernel checks the privilege first (EPERM
 * means blocked; EINVAL/EBADF/ENOENT would mean the check was passed);
 * writes, truncates, renames and mounts aim at the test's own directories;
 * nothing is ever written to /proc or a terminal even when an open
 * succeeds; each attempt runs in a child process so one that succeeds
 * changes nothing for the next. The prober refuses to run when it sees more
 * than a handful of processes, i.e. outside a pid namespace.
 *
 *   prober --as root|nobody --rw DIR --rw2 DIR --ro DIR --home DIR --hostpid PID
 *          --tcp PORT --abstract NAME [--net none|host] [--only net]
 *          [--fd N]      (results on fd N: 2 under membrane-run, whose
 *                         inspector forwards only JSON-RPC on stdout)
 *   prober --noop            (what the exec attempts run if they get through)
 *   prober --caps            (exit 0 when the effective set is empty)
 *   prober --listen NAME     (on the host: listen on 127.0.0.1:<any port> and
 *                             on the abstract unix socket NAME, print the
 *                             port, wait to be killed)
 *   prober --lo              (exit 0 when a TCP round trip over 127.0.0.1
 *                             works: the loopback is up) */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/capability.h>
#include <linux/keyctl.h>
#include <linux/netlink.h>
#include <linux/reboot.h>
#include <linux/sched.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/kernel-compat.h"

extern char **environ;

/* Outcomes: 0 the call succeeded; > 0 an errno; these for the rest. */
#define KILLED(sig) (10000 + (sig))
#define NOCAPS 20000 /* the call "worked" but gave no capability */
#define EXITED(st) (30000 + (st))

static struct {
	const char *as, *rw, *rw2, *ro, *home, *abstract, *net, *only;
	pid_t hostpid;
	int tcp;
	bool root;
} o = { .net = "none" };

static int neg(void)
{
	return errno ? errno : EIO;
}

/* ---- helpers ----------------------------------------------------------- */

static char *path2(const char *dir, const char *name)
{
	static char buf[4][4096];
	static int i;
	char *b = buf[i++ % 4];
	snprintf(b, sizeof(buf[0]), "%s/%s", dir, name);
	return b;
}

/* Copy our own executable to dst with mode: a harmless program to try to
 * exec (run as "--noop" it exits 0 at once). */
static int copy_self(const char *dst, mode_t mode)
{
	int in = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -1;
	int out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (out < 0) {
		close(in);
		return -1;
	}
	char buf[65536];
	ssize_t n;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			break;
	close(in);
	close(out);
	return n == 0 ? 0 : -1;
}

static bool caps_empty(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	if (syscall(SYS_capget, &h, d) < 0)
		return false;
	return !d[0].effective && !d[1].effective && !d[0].permitted && !d[1].permitted;
}

/* Exec argv in a child; the outcome of the exec: its errno, or how the
 * program it ran ended (an exec that got through is a FAIL either way). */
static int try_exec(const char *path, int dirfd, int flags)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return neg();
	pid_t pid = fork();
	if (pid == 0) {
		char *argv[] = { (char *)path, "--noop", NULL };
		if (dirfd >= 0)
			syscall(SYS_execveat, dirfd, path, argv, environ, flags);
		else
			execve(path, argv, environ);
		int e = errno;
		(void)!write(p[1], &e, sizeof(e));
		_exit(127);
	}
	close(p[1]);
	int e = 0, ws = 0;
	ssize_t n = read(p[0], &e, sizeof(e));
	close(p[0]);
	waitpid(pid, &ws, 0);
	if (n == (ssize_t)sizeof(e))
		return e;
	return WIFSIGNALED(ws) ? KILLED(WTERMSIG(ws)) : 0;
}

/* ---- the attempts -------------------------------------------------------
 * Each returns 0 if it got through, else an errno (or KILLED/NOCAPS). */

#define SYSCALL_ATTEMPT(fn, call) \
	static int fn(void)       \
	{                         \
		return (call) < 0 ? neg() : 0; \
	}

static int a_mount(void)
{
	const char *d = path2(o.rw, "mnt");
	mkdir(d, 0755);
	return mount("none", d, "tmpfs", 0, NULL) < 0 ? neg() : 0;
}
SYSCALL_ATTEMPT(a_umount2, umount2(o.rw, MNT_DETACH))
SYSCALL_ATTEMPT(a_pivot_root, syscall(SYS_pivot_root, o.rw, o.rw))
SYSCALL_ATTEMPT(a_move_mount, syscall(SYS_move_mount, -1, "", -1, "", 0))
SYSCALL_ATTEMPT(a_open_tree, syscall(SYS_open_tree, -1, "", 0))
SYSCALL_ATTEMPT(a_fsopen, syscall(SYS_fsopen, "tmpfs", 0))
SYSCALL_ATTEMPT(a_fsconfig, syscall(SYS_fsconfig, -1, 0, NULL, NULL, 0))
SYSCALL_ATTEMPT(a_fsmount, syscall(SYS_fsmount, -1, 0, 0))
SYSCALL_ATTEMPT(a_fspick, syscall(SYS_fspick, -1, "", 0))
SYSCALL_ATTEMPT(a_mount_setattr, syscall(SYS_mount_setattr, -1, "", 0, NULL, 0))
/* Linux 6.15's open_tree_attr (467 on every architecture but alpha), which
 * Debian 12's headers and libseccomp do not know: invalid flags make the
 * kernel say EINVAL before any privilege check, so EPERM is the filter. */
SYSCALL_ATTEMPT(a_open_tree_attr, syscall(467, -1, "", 0xffffffffUL, NULL, 0))
SYSCALL_ATTEMPT(a_chroot, chroot(o.rw))
SYSCALL_ATTEMPT(a_unshare_user, unshare(CLONE_NEWUSER))
SYSCALL_ATTEMPT(a_unshare_mnt, unshare(CLONE_NEWNS))
SYSCALL_ATTEMPT(a_unshare_net, unshare(CLONE_NEWNET))
SYSCALL_ATTEMPT(a_unshare_time, unshare(CLONE_NEWTIME))
static int a_clone_user(void)
{
	long r = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, 0);
	if (r == 0)
		_exit(0);
	if (r > 0) {
		waitpid((pid_t)r, NULL, 0);
		return 0;
	}
	return neg();
}
static int a_clone_pid(void)
{
	long r = syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, NULL, NULL, NULL, 0);
	if (r == 0)
		_exit(0);
	if (r > 0) {
		waitpid((pid_t)r, NULL, 0);
		return 0;
	}
	return neg();
}
static int a_clone3_user(void)
{
	struct clone_args a = { .flags = CLONE_NEWUSER, .exit_signal = SIGCHLD };
	long r = syscall(SYS_clone3, &a, sizeof(a));
	if (r == 0)
		_exit(0);
	if (r > 0) {
		waitpid((pid_t)r, NULL, 0);
		return 0;
	}
	return neg();
}
SYSCALL_ATTEMPT(a_setns, setns(-1, 0))
SYSCALL_ATTEMPT(a_bpf, syscall(SYS_bpf, 5 /* BPF_PROG_LOAD */, NULL, 0))
SYSCALL_ATTEMPT(a_perf, syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0))
/* Not traced: the kernel itself would say ESRCH. */
SYSCALL_ATTEMPT(a_ptrace, syscall(SYS_ptrace, 2 /* PTRACE_PEEKDATA */, getpid(), NULL, NULL))
SYSCALL_ATTEMPT(a_ptrace_init, syscall(SYS_ptrace, 16 /* PTRACE_ATTACH */, 1, NULL, NULL))
/* Zero vectors: the kernel would return 0, touching nothing. */
SYSCALL_ATTEMPT(a_vm_writev, syscall(SYS_process_vm_writev, 1, NULL, 0, NULL, 0, 0))
SYSCALL_ATTEMPT(a_vm_readv, syscall(SYS_process_vm_readv, 1, NULL, 0, NULL, 0, 0))
SYSCALL_ATTEMPT(a_keyctl, syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_PROCESS_KEYRING, 0))
SYSCALL_ATTEMPT(a_add_key, syscall(SYS_add_key, "user", "membrane-probe", "x", 1,
				   KEY_SPEC_PROCESS_KEYRING))
SYSCALL_ATTEMPT(a_request_key, syscall(SYS_request_key, "user", "membrane-none", NULL, 0))
SYSCALL_ATTEMPT(a_userfaultfd, syscall(SYS_userfaultfd, 0xffff))
/* A page the kernel reads for a call and the supervisor cannot read. */
SYSCALL_ATTEMPT(a_memfd_secret, syscall(SYS_memfd_secret, 0))
SYSCALL_ATTEMPT(a_io_uring_setup, syscall(SYS_io_uring_setup, 0, NULL))
SYSCALL_ATTEMPT(a_io_uring_enter, syscall(SYS_io_uring_enter, -1, 0, 0, 0, NULL, 0))
SYSCALL_ATTEMPT(a_io_uring_register, syscall(SYS_io_uring_register, -1, 0, NULL, 0))
SYSCALL_ATTEMPT(a_open_by_handle, syscall(SYS_open_by_handle_at, -1, NULL, 0))
SYSCALL_ATTEMPT(a_name_to_handle, syscall(SYS_name_to_handle_at, AT_FDCWD, "/", NULL, NULL, 0))
SYSCALL_ATTEMPT(a_kexec_load, syscall(SYS_kexec_load, 0, 0, NULL, 0))
SYSCALL_ATTEMPT(a_kexec_file_load, syscall(SYS_kexec_file_load, -1, -1, 0, NULL, 0))
SYSCALL_ATTEMPT(a_init_module, syscall(SYS_init_module, NULL, 0, ""))
SYSCALL_ATTEMPT(a_finit_module, syscall(SYS_finit_module, -1, "", 0))
SYSCALL_ATTEMPT(a_delete_module, syscall(SYS_delete_module, "membrane_none", O_NONBLOCK))
/* Bad magic: with the capability the kernel says EINVAL and reboots nothing. */
SYSCALL_ATTEMPT(a_reboot, syscall(SYS_reboot, 0, 0, 0, NULL))
static long swapon_path(void)
{
	return syscall(SYS_swapon, path2(o.rw, "no-such-swap"), 0);
}
SYSCALL_ATTEMPT(a_swapon, swapon_path())
SYSCALL_ATTEMPT(a_swapoff, syscall(SYS_swapoff, path2(o.rw, "no-such-swap")))
SYSCALL_ATTEMPT(a_syslog, syscall(SYS_syslog, 10 /* SIZE_BUFFER */, NULL, 0))
SYSCALL_ATTEMPT(a_acct, syscall(SYS_acct, path2(o.rw, "no-such-acct")))
SYSCALL_ATTEMPT(a_quotactl, syscall(SYS_quotactl, 0, path2(o.rw, "no-such-dev"), 0, NULL))
SYSCALL_ATTEMPT(a_personality, syscall(SYS_personality, 0x0400000 /* READ_IMPLIES_EXEC */))
SYSCALL_ATTEMPT(a_personality_query, syscall(SYS_personality, 0xffffffffUL))
SYSCALL_ATTEMPT(a_iopl, syscall(SYS_iopl, 3))
SYSCALL_ATTEMPT(a_ioperm, syscall(SYS_ioperm, 0x80, 1, 1))
SYSCALL_ATTEMPT(a_kcmp, syscall(SYS_kcmp, getpid(), 1, 0 /* KCMP_FILE */, 0, 0))
SYSCALL_ATTEMPT(a_pidfd_getfd, syscall(SYS_pidfd_getfd, -1, 0, 0))
SYSCALL_ATTEMPT(a_fanotify, syscall(SYS_fanotify_init, 0, 0))

/* ioctls on every fd we hold: TIOCSTI would push a space into a terminal. */
static int tty_ioctl(int fd, unsigned long req)
{
	char c = ' ';
	char sub[2] = { 0, 0 }; /* TIOCLINUX subcode 0: nothing */
	return ioctl(fd, req, req == TIOCSTI ? &c : sub) < 0 ? neg() : 0;
}
static int a_tiocsti0(void) { return tty_ioctl(0, TIOCSTI); }
static int a_tiocsti1(void) { return tty_ioctl(1, TIOCSTI); }
static int a_tiocsti2(void) { return tty_ioctl(2, TIOCSTI); }
static int a_tioclinux0(void) { return tty_ioctl(0, TIOCLINUX); }
static int a_tioclinux1(void) { return tty_ioctl(1, TIOCLINUX); }
static int a_tioclinux2(void) { return tty_ioctl(2, TIOCLINUX); }
static int a_tiocsti_high(void)
{
	/* High bits set: the kernel reads an unsigned int. */
	char c = ' ';
	return syscall(SYS_ioctl, 0, 0xffffffff00000000UL | TIOCSTI, &c) < 0 ? neg() : 0;
}
/* Opening is the attempt; nothing is written even if it opens. */
static int open_only(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd < 0)
		return neg();
	close(fd);
	return 0;
}
static int a_dev_tty(void) { return open_only("/dev/tty", O_RDWR); }
static int a_any_tty_fd(void)
{
	/* Every fd we hold: none may be a terminal (stdio are pipes). */
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return neg();
	struct dirent *e;
	int found = ENOTTY;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && isatty(atoi(e->d_name)))
			found = 0;
	closedir(d);
	return found;
}

static int sock(int dom, int type, int proto)
{
	int fd = socket(dom, type | SOCK_CLOEXEC, proto);
	if (fd < 0)
		return neg();
	close(fd);
	return 0;
}
static int a_sock_packet(void) { return sock(AF_PACKET, SOCK_RAW, 0); }
static int a_sock_netlink_route(void) { return sock(AF_NETLINK, SOCK_RAW, 0); }
static int a_sock_netlink_uevent(void) { return sock(AF_NETLINK, SOCK_RAW, NETLINK_KOBJECT_UEVENT); }
static int a_sock_vsock(void) { return sock(AF_VSOCK, SOCK_STREAM, 0); }
static int a_sock_alg(void) { return sock(AF_ALG, SOCK_SEQPACKET, 0); }
static int a_sock_high(void)
{
	/* AF_INET in the low half, garbage above: must not slip through. */
	long fd = syscall(SYS_socket, 0x100000000L | AF_PACKET, SOCK_RAW, 0);
	if (fd < 0)
		return neg();
	close((int)fd);
	return 0;
}

static int a_mknod_chr(void)
{
	return mknod(path2(o.rw, "null"), S_IFCHR | 0600, makedev(1, 3)) < 0 ? neg() : 0;
}
static int a_mknodat_blk(void)
{
	return mknodat(AT_FDCWD, path2(o.rw, "blk"), S_IFBLK | 0600, makedev(7, 0)) < 0 ? neg() : 0;
}

/* Other ABIs: both must kill us (SIGSYS), not run getpid. */
static int in_child_killed(void (*fn)(void))
{
	pid_t pid = fork();
	if (pid == 0) {
		fn();
		_exit(0);
	}
	int ws;
	waitpid(pid, &ws, 0);
	return WIFSIGNALED(ws) ? KILLED(WTERMSIG(ws)) : 0;
}
static void x32_getpid(void)
{
	syscall(0x40000000 | 39);
}
static void i386_getpid(void)
{
#if defined(__x86_64__)
	long ret;
	__asm__ volatile("int $0x80" : "=a"(ret) : "a"(20L) : "memory");
	(void)ret;
#endif
}
static int a_x32(void) { return in_child_killed(x32_getpid); }
static int a_i386(void) { return in_child_killed(i386_getpid); }

/* Fileless exec: a memfd holding a copy of us, run through execveat. */
static int a_memfd_exec_flag(void)
{
	int fd = (int)syscall(SYS_memfd_create, "probe", MFD_EXEC);
	if (fd < 0)
		return neg();
	close(fd);
	return 0;
}
static int a_memfd_execveat(void)
{
	int fd = (int)syscall(SYS_memfd_create, "probe", MFD_CLOEXEC);
	if (fd < 0)
		return neg();
	int in = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	char buf[65536];
	ssize_t n;
	while (in >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
		(void)!write(fd, buf, (size_t)n);
	if (in >= 0)
		close(in);
	int r = try_exec("", fd, AT_EMPTY_PATH);
	close(fd);
	return r;
}
static int a_memfd_chmod(void)
{
	int fd = (int)syscall(SYS_memfd_create, "probe", MFD_CLOEXEC | MFD_NOEXEC_SEAL);
	if (fd < 0)
		return neg();
	int r = fchmod(fd, 0755) < 0 ? neg() : 0;
	close(fd);
	return r;
}

/* Files. */
static int a_shadow(void) { return open_only("/etc/shadow", O_RDONLY); }
static int a_home(void) { return open_only(o.home, O_RDONLY | O_DIRECTORY); }
static int a_write_ro(void) { return open_only(path2(o.ro, "ro.txt"), O_WRONLY); }
static int a_create_ro(void) { return open_only(path2(o.ro, "new"), O_WRONLY | O_CREAT); }
static int a_truncate_ro(void)
{
	return truncate(path2(o.ro, "ro.txt"), 0) < 0 ? neg() : 0;
}
static int a_create_root(void) { return open_only("/membrane-probe", O_WRONLY | O_CREAT); }
static int a_mkdir_root(void) { return mkdir("/membrane-probe.d", 0755) < 0 ? neg() : 0; }
static int a_create_dev(void) { return open_only("/dev/membrane-probe", O_WRONLY | O_CREAT); }
static int a_oldroot(void)
{
	struct stat st;
	return stat("/oldroot", &st) < 0 ? neg() : 0;
}
static int a_link_out(void)
{
	const char *src = path2(o.rw, "link-src");
	close(open(src, O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
	return link(src, path2(o.ro, "linked")) < 0 ? neg() : 0;
}
static int a_link_other(void)
{
	const char *src = path2(o.rw, "link-src2");
	close(open(src, O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
	return link(src, path2(o.rw2, "linked")) < 0 ? neg() : 0;
}
static int a_rename_other(void)
{
	const char *src = path2(o.rw, "rename-src3");
	close(open(src, O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
	return rename(src, path2(o.rw2, "renamed")) < 0 ? neg() : 0;
}
static int a_rename_out(void)
{
	const char *src = path2(o.rw, "rename-src");
	close(open(src, O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
	return rename(src, path2(o.ro, "renamed")) < 0 ? neg() : 0;
}
static int a_rename_to_root(void)
{
	const char *src = path2(o.rw, "rename-src2");
	close(open(src, O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
	return rename(src, "/membrane-renamed") < 0 ? neg() : 0;
}
static int a_setuid_file(void)
{
	const char *dst = path2(o.rw, "suid");
	if (copy_self(dst, 0755) < 0 || chmod(dst, 04755) < 0)
		return neg();
	return try_exec(dst, -1, 0);
}
static int a_exec_ro_noexec(void)
{
	return try_exec(path2(o.ro, "tool"), -1, 0);
}
static int a_exec_not_granted(void)
{
	/* On an exec-able mount (ld.so lives there) but only read is granted:
	 * Landlock alone says no. libc.so.6 runs as a program that prints its
	 * version, harmless if it gets through. */
	return try_exec("/usr/lib/x86_64-linux-gnu/libc.so.6", -1, 0);
}

/* /proc. */
static int a_proc_sys(void) { return open_only("/proc/sys/kernel/hostname", O_WRONLY); }
static int a_drop_caches(void) { return open_only("/proc/sys/vm/drop_caches", O_WRONLY); }
static int a_proc1_root(void) { return open_only("/proc/1/root/", O_RDONLY | O_DIRECTORY); }
static int a_proc1_root_link(void)
{
	char buf[256];
	return readlink("/proc/1/root", buf, sizeof(buf)) < 0 ? neg() : 0;
}
static int a_proc1_cwd(void) { return open_only("/proc/1/cwd/", O_RDONLY | O_DIRECTORY); }
static int a_self_root_dotdot(void)
{
	return open_only("/proc/self/root/../../../etc/shadow", O_RDONLY);
}
static int a_host_proc(void)
{
	char p[64];
	struct stat st;
	snprintf(p, sizeof(p), "/proc/%d", (int)o.hostpid);
	return stat(p, &st) < 0 ? neg() : 0;
}
static int a_kill_host(void) { return kill(o.hostpid, 0) < 0 ? neg() : 0; }
static int a_pidfd_host(void)
{
	long fd = syscall(SYS_pidfd_open, o.hostpid, 0);
	if (fd < 0)
		return neg();
	close((int)fd);
	return 0;
}

/* Privileges. */
static int a_setuid0(void)
{
	if (setuid(0) < 0)
		return neg();
	return caps_empty() ? NOCAPS : 0;
}
static int a_capset(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2] = { 0 };
	d[0].effective = d[0].permitted = 1u << CAP_SYS_ADMIN;
	return syscall(SYS_capset, &h, d) < 0 ? neg() : 0;
}
static int a_ambient(void)
{
	return prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_SYS_ADMIN, 0, 0) < 0 ? neg() : 0;
}
static int a_securebits(void)
{
	return prctl(PR_SET_SECUREBITS, 0, 0, 0, 0) < 0 ? neg() : 0;
}
static int a_nnp_clear(void)
{
	return prctl(PR_SET_NO_NEW_PRIVS, 0, 0, 0, 0) < 0 ? neg() : 0;
}
static int a_exec_regains(void)
{
	/* An exec as whatever uid we are must not bring capabilities back
	 * (uid 0 with SECBIT_NOROOT, everyone with no_new_privs). */
	pid_t pid = fork();
	if (pid == 0) {
		char *argv[] = { "prober", "--caps", NULL };
		execve("/proc/self/exe", argv, environ);
		_exit(126);
	}
	int ws;
	waitpid(pid, &ws, 0);
	if (WIFEXITED(ws) && WEXITSTATUS(ws) == 0)
		return NOCAPS;
	return WIFEXITED(ws) ? EXITED(WEXITSTATUS(ws)) : KILLED(WTERMSIG(ws));
}

/* Network. */
static int a_tcp_connect(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return neg();
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)o.tcp) };
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int r = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ? neg() : 0;
	close(fd);
	return r;
}
static int a_tcp_bind(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return neg();
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(0) };
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* Port 0 is still a bind Landlock checks; pick a fixed one to be exact. */
	sa.sin_port = htons((uint16_t)(o.tcp + 1));
	int r = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ? neg() : 0;
	close(fd);
	return r;
}
static int a_abstract(void)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return neg();
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t n = strlen(o.abstract);
	memcpy(sa.sun_path + 1, o.abstract, n);
	int r = connect(fd, (struct sockaddr *)&sa, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n))
			< 0 ? neg() : 0;
	close(fd);
	return r;
}
static int a_udp_out(void)
{
	/* 192.0.2.1 is TEST-NET-1: documentation only, routed nowhere. */
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return neg();
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(9) };
	sa.sin_addr.s_addr = htonl(0xC0000201);
	int r = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ? neg() : 0;
	close(fd);
	return r;
}

/* ---- the table ---------------------------------------------------------- */

#define SAME(e) e, e
#define A(n, f, ...) { n, f, __VA_ARGS__, false, 0 }
#define NET(n, f, want, h) { n, f, want, want, true, h }
struct attempt {
	const char *name;
	int (*fn)(void);
	int want_root, want_nobody; /* outcome expected for each launcher */
	bool net;                   /* a network attempt: expectations differ by mode */
	int want_host;              /* with --net host (for both launchers) */
};

static const struct attempt attempts[] = {
	A("mount tmpfs", a_mount, SAME(EPERM)),
	A("umount2", a_umount2, SAME(EPERM)),
	A("pivot_root", a_pivot_root, SAME(EPERM)),
	A("move_mount", a_move_mount, SAME(EPERM)),
	A("open_tree", a_open_tree, SAME(EPERM)),
	A("fsopen", a_fsopen, SAME(EPERM)),
	A("fsconfig", a_fsconfig, SAME(EPERM)),
	A("fsmount", a_fsmount, SAME(EPERM)),
	A("fspick", a_fspick, SAME(EPERM)),
	A("mount_setattr", a_mount_setattr, SAME(EPERM)),
	A("open_tree_attr", a_open_tree_attr, SAME(EPERM)),
	A("chroot", a_chroot, SAME(EPERM)),
	A("unshare(CLONE_NEWUSER)", a_unshare_user, SAME(EPERM)),
	A("unshare(CLONE_NEWNS)", a_unshare_mnt, SAME(EPERM)),
	A("unshare(CLONE_NEWNET)", a_unshare_net, SAME(EPERM)),
	A("unshare(CLONE_NEWTIME)", a_unshare_time, SAME(EPERM)),
	A("clone(CLONE_NEWUSER)", a_clone_user, SAME(EPERM)),
	A("clone(CLONE_NEWPID)", a_clone_pid, SAME(EPERM)),
	A("clone3(CLONE_NEWUSER)", a_clone3_user, SAME(ENOSYS)),
	A("setns", a_setns, SAME(EPERM)),
	A("bpf", a_bpf, SAME(EPERM)),
	A("perf_event_open", a_perf, SAME(EPERM)),
	A("ptrace(PEEKDATA self)", a_ptrace, SAME(EPERM)),
	A("ptrace(ATTACH init)", a_ptrace_init, SAME(EPERM)),
	A("process_vm_writev", a_vm_writev, SAME(EPERM)),
	A("process_vm_readv", a_vm_readv, SAME(EPERM)),
	A("keyctl", a_keyctl, SAME(EPERM)),
	A("add_key", a_add_key, SAME(EPERM)),
	A("request_key", a_request_key, SAME(EPERM)),
	A("userfaultfd", a_userfaultfd, SAME(EPERM)),
	A("memfd_secret", a_memfd_secret, SAME(ENOSYS)),
	A("io_uring_setup", a_io_uring_setup, SAME(ENOSYS)),
	A("io_uring_enter", a_io_uring_enter, SAME(ENOSYS)),
	A("io_uring_register", a_io_uring_register, SAME(ENOSYS)),
	A("open_by_handle_at", a_open_by_handle, SAME(EPERM)),
	A("name_to_handle_at", a_name_to_handle, SAME(EPERM)),
	A("kexec_load", a_kexec_load, SAME(EPERM)),
	A("kexec_file_load", a_kexec_file_load, SAME(EPERM)),
	A("init_module", a_init_module, SAME(EPERM)),
	A("finit_module", a_finit_module, SAME(EPERM)),
	A("delete_module", a_delete_module, SAME(EPERM)),
	A("reboot", a_reboot, SAME(EPERM)),
	A("swapon", a_swapon, SAME(EPERM)),
	A("swapoff", a_swapoff, SAME(EPERM)),
	A("syslog", a_syslog, SAME(EPERM)),
	A("acct", a_acct, SAME(EPERM)),
	A("quotactl", a_quotactl, SAME(EPERM)),
	A("personality(READ_IMPLIES_EXEC)", a_personality, SAME(EPERM)),
	A("personality(query)", a_personality_query, SAME(EPERM)),
	A("iopl", a_iopl, SAME(EPERM)),
	A("ioperm", a_ioperm, SAME(EPERM)),
	A("kcmp", a_kcmp, SAME(EPERM)),
	A("pidfd_getfd", a_pidfd_getfd, SAME(EPERM)),
	A("fanotify_init", a_fanotify, SAME(EPERM)),
	A("ioctl(0, TIOCSTI)", a_tiocsti0, SAME(EPERM)),
	A("ioctl(1, TIOCSTI)", a_tiocsti1, SAME(EPERM)),
	A("ioctl(2, TIOCSTI)", a_tiocsti2, SAME(EPERM)),
	A("ioctl(0, TIOCSTI|high bits)", a_tiocsti_high, SAME(EPERM)),
	A("ioctl(0, TIOCLINUX)", a_tioclinux0, SAME(EPERM)),
	A("ioctl(1, TIOCLINUX)", a_tioclinux1, SAME(EPERM)),
	A("ioctl(2, TIOCLINUX)", a_tioclinux2, SAME(EPERM)),
	A("open /dev/tty", a_dev_tty, SAME(ENOENT)),
	A("a terminal among our fds", a_any_tty_fd, SAME(ENOTTY)),
	A("socket(AF_PACKET)", a_sock_packet, SAME(EAFNOSUPPORT)),
	A("socket(AF_NETLINK, NETLINK_ROUTE) unasked", a_sock_netlink_route, SAME(EAFNOSUPPORT)),
	A("socket(AF_NETLINK, KOBJECT_UEVENT)", a_sock_netlink_uevent, SAME(EAFNOSUPPORT)),
	A("socket(AF_VSOCK)", a_sock_vsock, SAME(EAFNOSUPPORT)),
	A("socket(AF_ALG)", a_sock_alg, SAME(EAFNOSUPPORT)),
	A("socket(AF_PACKET|high bits)", a_sock_high, SAME(EAFNOSUPPORT)),
	A("mknod char device", a_mknod_chr, SAME(EPERM)),
	A("mknodat block device", a_mknodat_blk, SAME(EPERM)),
	A("x32 system call", a_x32, SAME(KILLED(SIGSYS))),
	A("i386 system call (int 0x80)", a_i386, SAME(KILLED(SIGSYS))),
	A("memfd_create(MFD_EXEC)", a_memfd_exec_flag, SAME(EPERM)),
	/* Root-launched: vm.memfd_noexec=2 seals the memfd, exec says EACCES.
	 * Nobody cannot set that sysctl: the baseline refuses unsealed
	 * memfds with ENOSYS instead. */
	A("memfd_create + execveat (fileless exec)", a_memfd_execveat, EACCES, ENOSYS),
	A("chmod +x a sealed memfd", a_memfd_chmod, SAME(EPERM)),
	A("read /etc/shadow", a_shadow, SAME(ENOENT)),
	A("read the caller's home", a_home, SAME(ENOENT)),
	A("write a read-only bind", a_write_ro, SAME(EROFS)),
	A("create in a read-only bind", a_create_ro, SAME(EROFS)),
	A("truncate a read-only file", a_truncate_ro, SAME(EROFS)),
	A("create outside every grant (/)", a_create_root, SAME(EROFS)),
	A("mkdir outside every grant (/)", a_mkdir_root, SAME(EROFS)),
	A("create in /dev", a_create_dev, SAME(EROFS)),
	A("reach the old root", a_oldroot, SAME(ENOENT)),
	A("hard link into a read-only bind", a_link_out, SAME(EROFS)),
	A("hard link into another writable tree", a_link_other, SAME(EXDEV)),
	A("rename into another writable tree", a_rename_other, SAME(EXDEV)),
	A("rename into a read-only bind", a_rename_out, SAME(EXDEV)),
	A("rename into /", a_rename_to_root, SAME(EXDEV)),
	A("exec a setuid copy in the writable tree", a_setuid_file, SAME(EACCES)),
	A("exec from a read-only bind (read granted, not exec)", a_exec_ro_noexec, SAME(EACCES)),
	A("exec a path not granted (Landlock)", a_exec_not_granted, SAME(EACCES)),
	/* Nobody meets the files' owner check (root's) before the read-only bind. */
	A("write /proc/sys", a_proc_sys, EROFS, EACCES),
	A("write a global sysctl (vm.drop_caches)", a_drop_caches, EROFS, EACCES),
	/* The init is not dumpable, and hidepid=invisible hides it: its gid=
	 * names a group the command does not hold (root-launched included). */
	A("open /proc/1/root", a_proc1_root, SAME(ENOENT)),
	A("readlink /proc/1/root", a_proc1_root_link, SAME(ENOENT)),
	A("open /proc/1/cwd", a_proc1_cwd, SAME(ENOENT)),
	A("/proc/self/root/../../../etc/shadow", a_self_root_dotdot, SAME(ENOENT)),
	A("see a host process in /proc", a_host_proc, SAME(ENOENT)),
	A("signal a host process", a_kill_host, SAME(ESRCH)),
	A("pidfd_open a host process", a_pidfd_host, SAME(ESRCH)),
	/* Root: uid 0 already, and still no capability. Nobody: uid 0 is not
	 * even mapped in its user namespace. */
	A("setuid(0)", a_setuid0, NOCAPS, EINVAL),
	A("capset CAP_SYS_ADMIN", a_capset, SAME(EPERM)),
	A("raise an ambient capability", a_ambient, SAME(EPERM)),
	A("clear securebits", a_securebits, SAME(EPERM)),
	A("clear no_new_privs", a_nnp_clear, SAME(EINVAL)),
	A("exec regains capabilities", a_exec_regains, SAME(NOCAPS)),
	/* Network: with network none the netns is empty; with host the wall
	 * is Landlock (TCP ports, abstract socket scope). */
	NET("TCP connect to the host's listener", a_tcp_connect, EACCES, EACCES),
	NET("TCP bind", a_tcp_bind, EACCES, EACCES),
	NET("connect to the host's abstract unix socket", a_abstract, ECONNREFUSED, EPERM),
	NET("UDP to a non-loopback address", a_udp_out, ENETUNREACH, -1),
};

static const char *outcome_name(int v, char *buf, size_t n)
{
	if (v == 0)
		return "SUCCEEDED";
	if (v == NOCAPS)
		return "no capability gained";
	if (v >= KILLED(0) && v < NOCAPS) {
		snprintf(buf, n, "killed by %s", sigabbrev_np(v - KILLED(0)));
		return buf;
	}
	if (v >= EXITED(0)) {
		snprintf(buf, n, "exited %d", v - EXITED(0));
		return buf;
	}
	const char *s = strerrorname_np(v);
	return s ? s : "?";
}

/* Run fn in a child: one attempt that got through changes nothing for the
 * next. The outcome travels back through a pipe. */
static int run(int (*fn)(void))
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return neg();
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		errno = 0;
		int v = fn();
		(void)!write(p[1], &v, sizeof(v));
		_exit(0);
	}
	close(p[1]);
	int v = -1, ws = 0;
	ssize_t n = read(p[0], &v, sizeof(v));
	close(p[0]);
	waitpid(pid, &ws, 0);
	if (n != (ssize_t)sizeof(v))
		return WIFSIGNALED(ws) ? KILLED(WTERMSIG(ws)) : EXITED(WEXITSTATUS(ws));
	return v;
}

static int count_processes(void)
{
	DIR *d = opendir("/proc");
	if (!d)
		return -1;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		if (e->d_name[0] >= '0' && e->d_name[0] <= '9')
			n++;
	closedir(d);
	return n;
}

static int listen_mode(const char *name)
{
	int t = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET };
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t len = sizeof(sa);
	if (t < 0 || bind(t, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(t, 8) < 0 ||
	    getsockname(t, (struct sockaddr *)&sa, &len) < 0)
		return 1;
	int u = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un su = { .sun_family = AF_UNIX };
	size_t n = strlen(name);
	if (n + 1 >= sizeof(su.sun_path))
		return 1;
	memcpy(su.sun_path + 1, name, n);
	if (u < 0 || bind(u, (struct sockaddr *)&su, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n)) < 0 ||
	    listen(u, 8) < 0)
		return 1;
	printf("%d\n", ntohs(sa.sin_port));
	fflush(stdout);
	for (;;)
		pause();
}

static int lo_mode(void)
{
	int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET };
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t len = sizeof(sa);
	if (l < 0 || bind(l, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(l, 1) < 0 ||
	    getsockname(l, (struct sockaddr *)&sa, &len) < 0) {
		perror("prober --lo: listen");
		return 1;
	}
	int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c < 0 || connect(c, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("prober --lo: connect");
		return 1;
	}
	int a = accept(l, NULL, NULL);
	char b = 0;
	if (a < 0 || write(c, "x", 1) != 1 || read(a, &b, 1) != 1 || b != 'x') {
		perror("prober --lo: round trip");
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--noop") == 0)
		return 0;
	if (argc == 2 && strcmp(argv[1], "--caps") == 0)
		return caps_empty() ? 0 : 1;
	if (argc == 3 && strcmp(argv[1], "--listen") == 0)
		return listen_mode(argv[2]);
	if (argc == 2 && strcmp(argv[1], "--lo") == 0)
		return lo_mode();

	static const struct option opts[] = {
		{ "as", 1, NULL, 'a' },	     { "rw", 1, NULL, 'w' }, { "rw2", 1, NULL, 'W' },    { "ro", 1, NULL, 'r' },
		{ "home", 1, NULL, 'h' },    { "hostpid", 1, NULL, 'p' }, { "tcp", 1, NULL, 't' },
		{ "abstract", 1, NULL, 'u' }, { "net", 1, NULL, 'n' },  { "only", 1, NULL, 'o' },
		{ "fd", 1, NULL, 'f' },
		{ 0 },
	};
	int c;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'a': o.as = optarg; break;
		case 'w': o.rw = optarg; break;
		case 'W': o.rw2 = optarg; break;
		case 'r': o.ro = optarg; break;
		case 'h': o.home = optarg; break;
		case 'p': o.hostpid = atoi(optarg); break;
		case 't': o.tcp = atoi(optarg); break;
		case 'u': o.abstract = optarg; break;
		case 'n': o.net = optarg; break;
		case 'o': o.only = optarg; break;
		case 'f':
			if (dup2(atoi(optarg), 1) < 0)
				return 2;
			break;
		default: return 2;
		}
	}
	if (!o.as || !o.rw || !o.rw2 || !o.ro || !o.home || !o.hostpid || !o.tcp || !o.abstract) {
		fprintf(stderr, "prober: missing arguments (see the comment in prober.c)\n");
		return 2;
	}
	o.root = strcmp(o.as, "root") == 0;
	bool host = strcmp(o.net, "host") == 0;

	/* The safety gate: in the sandbox's pid namespace we see the init, us
	 * and nothing else. More means we are on the host: do nothing. */
	int procs = count_processes();
	if (procs < 0 || procs > 4) {
		printf("REFUSE: %d processes visible: not inside a pid namespace, not probing\n", procs);
		return 3;
	}

	int n = 0, failed = 0;
	for (size_t i = 0; i < sizeof(attempts) / sizeof(attempts[0]); i++) {
		const struct attempt *a = &attempts[i];
		if (o.only && strcmp(o.only, "net") == 0 && !a->net)
			continue;
		int want = host && a->net ? a->want_host : o.root ? a->want_root : a->want_nobody;
		if (want < 0)
			continue; /* not meaningful in this mode (UDP would leave the host) */
		int got = run(a->fn);
		char b1[64], b2[64];
		bool pass = got == want;
		printf("%s %s: %s%s%s\n", pass ? "PASS" : "FAIL", a->name, outcome_name(got, b1, sizeof(b1)),
		       pass ? "" : ", expected ", pass ? "" : outcome_name(want, b2, sizeof(b2)));
		n++;
		failed += !pass;
	}
	printf("COUNT %d\n", n);
	fflush(stdout);
	return failed ? 1 : 0;
}
