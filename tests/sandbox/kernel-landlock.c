/* SPDX-License-Identifier: Apache-2.0 */
/* Landlock at every ABI from 1 to what the kernel offers: the rights a plan's
 * ops become, and what a process restricted by mb_landlock_apply() can
 * still do, checked for real in a child per ABI. No namespaces here, so
 * Landlock is the only wall and each result is its own. The lower ABIs
 * are the fallback paths of older kernels, reached on this one by asking
 * for less (what MEMBRANE_TEST_LANDLOCK_ABI does for a whole run). */
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "common/kernel-compat.h"
#include "sandbox/landlock.h"
#include "tests/tap.h"

#define R (1u << MB_OP_READ)
#define W (1u << MB_OP_WRITE)
#define X (1u << MB_OP_EXEC)

static char T[64];
static int port_granted, port_denied;
/* Of this run: the abstract namespace is the whole network namespace's, shared
 * with any other run of the suite. */
static char abstract_name[64];

static char *p(const char *rel)
{
	static char buf[8][256];
	static int i;
	char *b = buf[i++ % 8];
	snprintf(b, sizeof(buf[0]), "%s/%s", T, rel);
	return b;
}

static void rule(struct mb_plan *plan, const char *path, unsigned ops, bool dir)
{
	struct mb_fs_rule *r = mb_vec_new(&plan->fs_rules);
	r->path = strdup(path);
	r->ops = ops;
	r->is_dir = dir;
}

static int listen_tcp(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET };
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t len = sizeof(sa);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 16) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0)
		exit(99);
	return ntohs(sa.sin_port);
}

static socklen_t abstract_addr(struct sockaddr_un *su)
{
	*su = (struct sockaddr_un){ .sun_family = AF_UNIX };
	size_t n = strlen(abstract_name);
	memcpy(su->sun_path + 1, abstract_name, n);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
}

/* The outcome of one operation: 0 or its errno. */
static int e(int r)
{
	return r < 0 ? errno : 0;
}

static int tcp_connect(int port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int r = e(connect(fd, (struct sockaddr *)&sa, sizeof(sa)));
	close(fd);
	return r;
}

static int open_close(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC, 0644);
	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

/* What the restricted child observed, in a fixed order. */
enum {
	READ_RO, WRITE_RO, CREATE_NONE, WRITE_RW, TRUNCATE_RO, RENAME_RW_RW2, LINK_RW_RO,
	EXEC_NOT_GRANTED, READ_DIR_X, TCP_GRANTED, TCP_DENIED, ABSTRACT, SIGNAL_PARENT,
	IOCTL_DEV, N_OBS,
};
static const char *const obs_name[N_OBS] = {
	"read a read-granted file", "write a read-granted file", "create where nothing is granted",
	"write a write-granted file", "truncate a read-granted file",
	"rename between two writable trees", "hard link into a read-only tree",
	"exec a program not granted", "list an exec-only directory", "TCP connect, granted port",
	"TCP connect, other port", "connect to an abstract unix socket outside",
	"signal a process outside", "ioctl on /dev/null",
};

static void child(int abi, int out)
{
	struct mb_plan plan = { 0 };
	rule(&plan, p("ro"), R, true);
	rule(&plan, p("rw"), R | W, true);
	rule(&plan, p("rw2"), R | W, true);
	rule(&plan, p("x"), X, true);
	rule(&plan, "/dev/null", R | W, false);
	struct mb_net_rule *nr = mb_vec_new(&plan.net_rules);
	nr->port = (uint16_t)port_granted;
	nr->ops = 1u << MB_OP_CONNECT;

	int obs[N_OBS + 4];
	struct mb_error err = { 0 };
	struct mb_landlock_result res = { 0 };
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || mb_landlock_apply(&plan, abi, &res, &err) < 0) {
		obs[0] = -1;
		(void)!write(out, obs, sizeof(obs));
		_exit(1);
	}
	obs[READ_RO] = open_close(p("ro/f"), O_RDONLY);
	obs[WRITE_RO] = open_close(p("ro/f"), O_WRONLY);
	obs[CREATE_NONE] = open_close(p("none/new"), O_WRONLY | O_CREAT);
	obs[WRITE_RW] = open_close(p("rw/f"), O_WRONLY);
	obs[TRUNCATE_RO] = e(truncate(p("ro/f"), 0));
	obs[RENAME_RW_RW2] = e(rename(p("rw/moved"), p("rw2/moved")));
	obs[LINK_RW_RO] = e(link(p("rw/f"), p("ro/linked")));
	pid_t pid = fork();
	if (pid == 0) {
		char *argv[] = { "true", NULL };
		execve("/usr/bin/true", argv, argv + 1);
		_exit(errno);
	}
	int ws;
	waitpid(pid, &ws, 0);
	obs[EXEC_NOT_GRANTED] = WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
	obs[READ_DIR_X] = open_close(p("x"), O_RDONLY | O_DIRECTORY);
	obs[TCP_GRANTED] = tcp_connect(port_granted);
	obs[TCP_DENIED] = tcp_connect(port_denied);
	int u = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un su;
	socklen_t sl = abstract_addr(&su);
	obs[ABSTRACT] = e(connect(u, (struct sockaddr *)&su, sl));
	close(u);
	obs[SIGNAL_PARENT] = e(kill(getppid(), 0));
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	struct termios tio;
	obs[IOCTL_DEV] = e(ioctl(fd, TCGETS, &tio));
	close(fd);
	obs[N_OBS] = res.abi;
	obs[N_OBS + 1] = res.fs;
	obs[N_OBS + 2] = res.net;
	obs[N_OBS + 3] = res.scope;
	(void)!write(out, obs, sizeof(obs));
	_exit(0);
}

static void prepare(void)
{
	static const char *const dirs[] = { "ro", "rw", "rw2", "x", "none" };
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++)
		mkdir(p(dirs[i]), 0755);
	close(open(p("ro/f"), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
	(void)!write(open(p("ro/f"), O_WRONLY | O_CLOEXEC), "data", 4);
	close(open(p("rw/f"), O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
	close(open(p("rw/moved"), O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
	unlink(p("rw2/moved"));
	unlink(p("ro/linked"));
}

static void check_abi(int abi)
{
	prepare();
	int pipefd[2];
	if (pipe(pipefd) < 0)
		exit(99);
	pid_t pid = fork();
	if (pid == 0) {
		close(pipefd[0]);
		child(abi, pipefd[1]);
	}
	close(pipefd[1]);
	int obs[N_OBS + 4];
	ssize_t n = read(pipefd[0], obs, sizeof(obs));
	close(pipefd[0]);
	waitpid(pid, NULL, 0);
	if (!ok(n == (ssize_t)sizeof(obs) && obs[0] != -1, "ABI %d: the ruleset applies", abi))
		return;

	int want[N_OBS] = {
		[READ_RO] = 0,
		[WRITE_RO] = EACCES,
		[CREATE_NONE] = EACCES,
		[WRITE_RW] = 0,
		/* TRUNCATE is a right from ABI 3; before, truncate is free. */
		[TRUNCATE_RO] = abi >= 3 ? EACCES : 0,
		/* ABI 1 denies every reparenting; REFER (ABI 2) allows it where
		 * both trees grant it. */
		[RENAME_RW_RW2] = abi >= 2 ? 0 : EXDEV,
		[LINK_RW_RO] = EACCES,
		[EXEC_NOT_GRANTED] = EACCES,
		[READ_DIR_X] = EACCES,
		[TCP_GRANTED] = 0,
		[TCP_DENIED] = abi >= 4 ? EACCES : 0,
		[ABSTRACT] = abi >= 6 ? EPERM : 0,
		[SIGNAL_PARENT] = abi >= 6 ? EPERM : 0,
		[IOCTL_DEV] = abi >= 5 ? EACCES : ENOTTY,
	};
	for (int i = 0; i < N_OBS; i++)
		is_int(obs[i], want[i], "ABI %d: %s: %s", abi, obs_name[i],
		       want[i] ? strerrorname_np(want[i]) : "allowed");
	is_int(obs[N_OBS], abi, "ABI %d: the result says the ABI in force", abi);
	is_int(obs[N_OBS + 2], abi >= 4, "ABI %d: network rules %s", abi, abi >= 4 ? "in force" : "absent");
	is_int(obs[N_OBS + 3], abi >= 6, "ABI %d: scoping %s", abi, abi >= 6 ? "in force" : "absent");
}

int main(void)
{
	/* The mapping, as data. */
	const uint64_t FSR = LANDLOCK_ACCESS_FS_READ_FILE, FSD = LANDLOCK_ACCESS_FS_READ_DIR;
	is_int(mb_landlock_fs_access(R, true, 1), FSR | FSD, "read on a directory: read_file|read_dir");
	is_int(mb_landlock_fs_access(R, false, 7), FSR, "read on a file: read_file only");
	is_int(mb_landlock_fs_access(X, false, 7), FSR | LANDLOCK_ACCESS_FS_EXECUTE,
	       "exec on a file: execute|read_file");
	ok(!(mb_landlock_fs_access(W, true, 1) & LANDLOCK_ACCESS_FS_REFER), "ABI 1: no refer right");
	ok(mb_landlock_fs_access(W, true, 2) & LANDLOCK_ACCESS_FS_REFER, "ABI 2: write carries refer");
	ok(!(mb_landlock_fs_access(W, true, 2) & LANDLOCK_ACCESS_FS_TRUNCATE), "ABI 2: no truncate");
	ok(mb_landlock_fs_access(W, false, 3) & LANDLOCK_ACCESS_FS_TRUNCATE, "ABI 3: write carries truncate");
	ok(!(mb_landlock_fs_access(W, false, 7) & ~(uint64_t)(LANDLOCK_ACCESS_FS_WRITE_FILE |
							      LANDLOCK_ACCESS_FS_READ_FILE |
							      LANDLOCK_ACCESS_FS_TRUNCATE)),
	   "write on a file: only file rights");
	ok(mb_landlock_fs_access(W, false, 1) & LANDLOCK_ACCESS_FS_READ_FILE,
	   "write carries read_file: a read-write open is a write");
	is_int(mb_landlock_fs_access(MB_PLAN_OP_LIST, true, 7), LANDLOCK_ACCESS_FS_READ_DIR,
	       "list: the directory's names alone");
	ok(!(mb_landlock_fs_access(R | W | X, true, 7) &
	     (LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_BLOCK | LANDLOCK_ACCESS_FS_IOCTL_DEV)),
	   "no grant ever gives device rights");
	is_int(mb_landlock_fs_handled(1), 0x1fff, "ABI 1 handles the 13 first rights");
	is_int(mb_landlock_fs_handled(4), 0x7fff, "ABI 4 handles refer and truncate too");
	is_int(mb_landlock_fs_handled(7), 0xffff, "ABI 5+ handles ioctl_dev too");
	struct mb_plan any = { .connect_any_port = true };
	is_int(mb_landlock_net_handled(&any, 4), LANDLOCK_ACCESS_NET_BIND_TCP,
	       "connect to any port: connect left unhandled");
	is_int(mb_landlock_net_handled(&any, 3), 0, "ABI 3: no network rights");
	is_int(mb_landlock_scoped(5), 0, "ABI 5: no scopes");
	is_str(mb_landlock_fs_right_name(LANDLOCK_ACCESS_FS_REFER), "refer", "right names");

	int kabi = mb_landlock_abi();
	if (!ok(kabi >= 1, "the kernel offers Landlock (ABI %d)", kabi))
		return done_testing();

	snprintf(T, sizeof(T), "/tmp/membrane-landlock.XXXXXX");
	if (!mkdtemp(T))
		return 99;
	snprintf(abstract_name, sizeof(abstract_name), "membrane-test-landlock-%d", (int)getpid());
	port_granted = listen_tcp();
	port_denied = listen_tcp();
	int u = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un su;
	socklen_t sl = abstract_addr(&su);
	if (u < 0 || bind(u, (struct sockaddr *)&su, sl) < 0 || listen(u, 16) < 0)
		return 99;

	for (int abi = 1; abi <= kabi; abi++)
		check_abi(abi);

	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", T);
	(void)!system(cmd);
	return done_testing();
}
