/* SPDX-License-Identifier: Apache-2.0 */
/* The notifier against a watched process in its own mount and pid namespace
 * (and user namespace when not root), pivot_root'ed into a tmpfs that shows
 * only a bind of the test's data directory at /srv/mcp and /usr: the shape
 * of the sandbox. Checks that targets are named as the sandbox sees them
 * (/proc/PID/cwd after pivot_root, /proc/self in another pid namespace) and
 * that presence tells the sandbox, the host and nowhere apart. Also checks
 * the launch hand-off: the first execve answered by mb_watch_continue_launch. */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox/watch.h"
#include "tests/notify/harness.h"
#include "tests/tap.h"

#define R (1u << MB_OP_READ)
#define W (1u << MB_OP_WRITE)
#define X (1u << MB_OP_EXEC)

static char tmpl[] = "/tmp/mb-notify-ns-XXXXXX";
static char T[256];
static char hostpath[512];
static int memfd = -1;

static long fdres(long r)
{
	if (r < 0)
		return -errno;
	close((int)r);
	return 0;
}

static long open_ro(const char *p) { return fdres(syscall(SYS_openat, AT_FDCWD, p, O_RDONLY)); }

static long c_abs(void) { return open_ro("/srv/mcp/f"); }
static long c_rel(void) { return open_ro("f"); }
static long c_hostpath(void) { return open_ro(hostpath); }
static long c_passwd(void) { return open_ro("/etc/passwd"); }
static long c_nowhere(void) { return open_ro("/nonexistent-mb/x"); }
static long c_bin_true(void) { return open_ro("/bin/true"); }
static long c_proc_self(void) { return open_ro("/proc/self/status"); }
static long c_proc_thread_self(void) { return open_ro("/proc/thread-self/status"); }
static long c_proc_cwd(void) { return open_ro("/proc/self/cwd/f"); }
static long c_proc_fd(void)
{
	int fd = open("/srv/mcp/f", O_PATH);
	char p[64];
	snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
	long r = open_ro(p);
	close(fd);
	return r;
}
static long c_creat_inside(void)
{
	return fdres(syscall(SYS_openat, AT_FDCWD, "/srv/mcp/new", O_WRONLY | O_CREAT, 0600));
}
static long c_creat_host_dir(void)
{
	return fdres(syscall(SYS_openat, AT_FDCWD, "/root/mb-new", O_WRONLY | O_CREAT, 0600));
}
static long c_creat_nowhere(void)
{
	return fdres(syscall(SYS_openat, AT_FDCWD, "/nodir-mb/x", O_WRONLY | O_CREAT, 0600));
}
static long c_link_to_host(void) { return open_ro("/srv/mcp/tohost"); }
static long exec_in_child(int memfd_exec)
{
	pid_t p = fork();
	if (p == 0) {
		char *argv[] = { "true", NULL }, *envp[] = { NULL };
		if (memfd_exec)
			syscall(SYS_execveat, memfd, "", argv, envp, AT_EMPTY_PATH);
		else
			syscall(SYS_execve, "/usr/bin/true", argv, envp);
		_exit(100 + errno);
	}
	int st;
	waitpid(p, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}
static long c_exec(void) { return exec_in_child(0); }
static long c_exec_memfd(void) { return exec_in_child(1); }

#define CASES(X)                                                                              \
	X(abs) X(rel) X(hostpath) X(passwd) X(nowhere) X(bin_true) X(proc_self)               \
	X(proc_thread_self) X(proc_cwd) X(proc_fd) X(creat_inside) X(creat_host_dir)          \
	X(creat_nowhere) X(link_to_host) X(exec) X(exec_memfd)
#define ENUM(n) C_##n,
#define FN(n) c_##n,
enum { CASES(ENUM) C_COUNT_ };
static h_case_fn const cases[] = { CASES(FN) };

static void die(int code)
{
	_exit(code);
}

static void write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		die(80);
	close(fd);
}

static void sub(char *buf, size_t sz, const char *rel)
{
	snprintf(buf, sz, "%s/root%s", T, rel);
}

/* In the child: become pid 1 of new namespaces, with a fresh root. */
static void ns_setup(void)
{
	uid_t uid = getuid();
	gid_t gid = getgid();
	int flags = CLONE_NEWNS | CLONE_NEWPID;
	if (uid != 0)
		flags |= CLONE_NEWUSER;
	if (unshare(flags) < 0)
		die(81);
	if (uid != 0) {
		char map[64];
		write_file("/proc/self/setgroups", "deny");
		snprintf(map, sizeof(map), "%d %d 1", (int)uid, (int)uid);
		write_file("/proc/self/uid_map", map);
		snprintf(map, sizeof(map), "%d %d 1", (int)gid, (int)gid);
		write_file("/proc/self/gid_map", map);
	}
	pid_t p = fork();
	if (p < 0)
		die(82);
	if (p > 0) {
		int st;
		waitpid(p, &st, 0);
		_exit(WIFEXITED(st) ? WEXITSTATUS(st) : 83);
	}
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	char r[512], a[512];
	snprintf(r, sizeof(r), "%s/root", T);
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("none", r, "tmpfs", 0, "mode=0755") < 0)
		die(84);
	static const char *dirs[] = { "/srv", "/srv/mcp", "/usr", "/proc", "/old" };
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		sub(a, sizeof(a), dirs[i]);
		mkdir(a, 0755);
	}
	sub(a, sizeof(a), "/bin");
	symlink("usr/bin", a);
	sub(a, sizeof(a), "/lib");
	symlink("usr/lib", a);
	sub(a, sizeof(a), "/lib64");
	symlink("usr/lib64", a);
	char data[512];
	snprintf(data, sizeof(data), "%s/data", T);
	sub(a, sizeof(a), "/srv/mcp");
	if (mount(data, a, NULL, MS_BIND | MS_REC, NULL) < 0)
		die(85);
	sub(a, sizeof(a), "/usr");
	if (mount("/usr", a, NULL, MS_BIND | MS_REC, NULL) < 0)
		die(86);
	sub(a, sizeof(a), "/proc");
	if (mount("proc", a, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		die(87);
	if (chdir(r) < 0 || syscall(SYS_pivot_root, ".", "old") < 0 ||
	    umount2("/old", MNT_DETACH) < 0 || rmdir("/old") < 0 || chdir("/srv/mcp") < 0)
		die(88);
}

static void check(const char *what, const struct h_rec *r, enum mb_target_kind kind,
		  enum mb_presence pres, unsigned ops, const char *path)
{
	if (!ok(r != NULL, "%s: the callback was asked", what))
		return;
	is_str(h_kind_name(r->t[0].kind), h_kind_name(kind), "%s: kind", what);
	is_str(h_presence_name(r->t[0].presence), h_presence_name(pres), "%s: presence", what);
	is_int(r->t[0].ops, ops, "%s: ops", what);
	if (path)
		is_str(r->t[0].path, path, "%s: target", what);
}

static void allow(void)
{
	h_verdict = (struct mb_answer){ MB_VERDICT_ALLOW, 0 };
	h_deny_syscall = NULL;
	h_deny_nth = 0;
}

static void deny(void)
{
	allow();
	h_verdict = (struct mb_answer){ MB_VERDICT_DENY, 0 };
}

static void cleanup(void)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpl);
	if (system(cmd) != 0)
		diag("could not remove %s", tmpl);
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

static struct mb_answer allow_all(const struct mb_notified_op *op, void *ud)
{
	(*(int *)ud)++;
	(void)op;
	return (struct mb_answer){ MB_VERDICT_ALLOW, 0 };
}

/* The launch: install, hand over, exec; the supervisor lets the first
 * execve through with mb_watch_continue_launch, then serves the rest. */
static void test_launch(void)
{
	struct mb_error err = { 0 };
	struct mb_bpf f = { 0 };
	int hand[2];
	if (!ok(mb_watch_filter_build(&f, &err) == 0 && mb_watch_handoff_pair(hand) == 0,
		"launch: filter and hand-off pair"))
		return;
	fflush(stdout);
	pid_t p = fork();
	if (p == 0) {
		unsigned feat;
		int l = mb_watch_install(&f, &feat);
		if (l < 0 || mb_watch_handoff_send(hand[1], l, feat) < 0)
			_exit(90);
		close(l);
		char *argv[] = { "true", NULL }, *envp[] = { NULL };
		execve("/bin/true", argv, envp);
		_exit(91);
	}
	mb_bpf_free(&f);
	close(hand[1]);
	int listener = -1;
	unsigned feat;
	is_int(mb_watch_handoff_recv(hand[0], &listener, &feat, &err), 0, "launch: listener received");
	close(hand[0]);
	is_int(mb_watch_continue_launch(listener, &err), 0, "launch: the first execve let through");
	struct mb_notifier *n = NULL;
	int asked = 0;
	if (!ok(mb_notifier_new(listener, NULL, allow_all, &asked, &n, &err) == 0, "launch: notifier"))
		return;
	/* The filter's users drop when the child is reaped: watch its pidfd. */
	int pidfd = (int)syscall(SYS_pidfd_open, p, 0);
	int st = 0;
	bool reaped = false;
	while (!reaped) {
		struct pollfd pf[2] = { { .fd = mb_notifier_fd(n), .events = POLLIN },
					{ .fd = pidfd, .events = POLLIN } };
		if (poll(pf, 2, 10000) <= 0)
			break;
		if (pf[0].revents & POLLIN) {
			if (mb_notifier_handle(n) < 0)
				break;
			continue;
		}
		if (pf[1].revents & POLLIN)
			reaped = waitpid(p, &st, 0) == p;
	}
	if (!reaped) {
		kill(p, SIGKILL);
		waitpid(p, &st, 0);
	}
	close(pidfd);
	ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "launch: the command ran (status %d)", st);
	ok(asked > 0, "launch: what it did after exec was decided (%d calls)", asked);
	mb_notifier_free(n);
}

int main(void)
{
	if (!mkdtemp(tmpl) || !realpath(tmpl, T)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	atexit(cleanup);
	chmod(T, 0755);
	diag("running as uid %d in %s", (int)getuid(), T);
	char p[512];
	snprintf(p, sizeof(p), "%s/root", T);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/data", T);
	mkdir(p, 0755);
	snprintf(hostpath, sizeof(hostpath), "%s/data/f", T);
	FILE *fp = fopen(hostpath, "w");
	if (!fp)
		return 1;
	fputs("hello\n", fp);
	fclose(fp);
	snprintf(p, sizeof(p), "%s/data/tohost", T);
	symlink("/etc/hostname", p);
	memfd = copy_true();

	int r = h_start(cases, ns_setup, NULL);
	if (r < 0) {
		printf("Bail out! starting the namespaced child: %s\n", strerror(-r));
		return 1;
	}
	const struct h_rec *rec;

	allow();
	is_int(h_run(C_abs), 0, "an absolute path inside");
	check("absolute inside", h_find("openat"), MB_TARGET_PATH, MB_PRESENT, R, "/srv/mcp/f");
	is_int(h_run(C_rel), 0, "relative to the cwd after pivot_root");
	check("relative inside", h_find("openat"), MB_TARGET_PATH, MB_PRESENT, R, "/srv/mcp/f");
	deny();
	/* The host is never looked at: a path the sandbox lacks is absent,
	 * whatever the host holds. */
	is_int(h_run(C_hostpath), -ENOENT, "a host path the sandbox does not show: denied as ENOENT");
	check("host-only path", h_find("openat"), MB_TARGET_PATH, MB_PRESENT_NONE, R, hostpath);
	is_int(h_run(C_passwd), -ENOENT, "/etc/passwd, absent from the sandbox: ENOENT");
	check("/etc/passwd", h_find("openat"), MB_TARGET_PATH, MB_PRESENT_NONE, R, "/etc/passwd");
	allow();
	is_int(h_run(C_nowhere), -ENOENT, "a path that exists nowhere: the kernel's ENOENT");
	check("nowhere", h_find("openat"), MB_TARGET_PATH, MB_PRESENT_NONE, R, "/nonexistent-mb/x");
	is_int(h_run(C_bin_true), 0, "/bin/true through the sandbox's own /bin symlink");
	check("/bin/true", h_find("openat"), MB_TARGET_PATH, MB_PRESENT, R, "/usr/bin/true");
	is_int(h_run(C_proc_self), 0, "/proc/self in the sandbox's pid namespace");
	check("/proc/self/status", h_find("openat"), MB_TARGET_PATH, MB_PRESENT, R, "/proc/1/status");
	is_int(h_run(C_proc_thread_self), 0, "/proc/thread-self");
	check("/proc/thread-self/status", h_find("openat"), MB_TARGET_PATH, MB_PRESENT, R,
	      "/proc/1/task/1/status");
	is_int(h_run(C_proc_cwd), 0, "/proc/self/cwd/f");
	check("/proc/self/cwd/f", h_find("openat"), MB_TARGET_PATH, MB_PRESENT, R, "/srv/mcp/f");
	is_int(h_run(C_proc_fd), 0, "/proc/self/fd/N");
	check("/proc/self/fd/N", h_find("openat"), MB_TARGET_PATH, MB_PRESENT, R, "/srv/mcp/f");
	is_int(h_run(C_creat_inside), 0, "O_CREAT inside");
	check("O_CREAT inside", h_find("openat"), MB_TARGET_PATH, MB_PRESENT_NEW, W, "/srv/mcp/new");
	snprintf(p, sizeof(p), "%s/data/new", T);
	ok(access(p, F_OK) == 0, "  ... made on the host through the bind");
	deny();
	is_int(h_run(C_creat_host_dir), -ENOENT, "O_CREAT in a host directory the sandbox lacks");
	check("O_CREAT in /root", h_find("openat"), MB_TARGET_PATH, MB_PRESENT_NONE, W, "/root/mb-new");
	allow();
	is_int(h_run(C_creat_nowhere), -ENOENT, "O_CREAT where no directory exists anywhere");
	check("O_CREAT nowhere", h_find("openat"), MB_TARGET_PATH, MB_PRESENT_NONE, W, "/nodir-mb/x");
	is_int(h_run(C_link_to_host), -ENOENT, "a symlink inside pointing at a host-only file");
	check("symlink to the host", h_find("openat"), MB_TARGET_PATH, MB_PRESENT_NONE, R,
	      "/etc/hostname");
	is_int(h_run(C_exec), 0, "execve inside: ran");
	check("execve inside", h_find("execve"), MB_TARGET_PATH, MB_PRESENT, X, "/usr/bin/true");
	h_deny_syscall = "execveat";
	is_int(h_run(C_exec_memfd), 100 + EACCES, "execveat of a memfd inside: denied");
	check("execveat memfd inside", h_find("execveat"), MB_TARGET_MEMFD, MB_PRESENT, X, "memfd:mb-true");
	rec = h_find("execveat");
	ok(rec && rec->pid > 1, "the notification's pid is in our pid namespace (%d)", rec ? (int)rec->pid : 0);

	int status = h_stop();
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child exited cleanly (status %d)", status);

	test_launch();
	return done_testing();
}
