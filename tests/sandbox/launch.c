/* SPDX-License-Identifier: Apache-2.0 */
/* A test launcher: builds a struct mb_plan by hand from its options (no
 * profile, no plan compiler), runs COMMAND with mb_sandbox_spawn() and
 * copies stdio both ways. It exits as membrane-run would: the command's
 * status, 128+N, or 125/126/127 when the spawn failed.
 *
 *   launch [--ro|--rw|--exec|--tmpfs PATH]... [--no-proc] [--no-dev]
 *          [--net none|host] [--env NAME=VALUE]... [--cwd DIR]
 *          [--user UID:GID] [--best-effort] [--require-landlock N]
 *          [--memory BYTES] [--tasks N] [--files N]
 *          [--connect PORT] [--bind PORT] [--connect-any] [--bind-any]
 *          [--netlink-route] [--listener] [--listener-continue N]
 *          [--layers] [--hostile-signals] -- COMMAND [ARG]...
 *
 * Or, with --profile PROFILE [--set NAME=VALUE]..., the plan comes from a
 * real profile through the loader and the plan compiler (path options are
 * then refused; --env adds to its environment; --user, --best-effort,
 * --layers... still apply).
 *
 * A path that is a symlink on the host is recreated as that symlink (the
 * plan's MB_MOUNT_SYMLINK); --exec binds read-only without noexec and grants
 * exec; --ro read; --rw write and read.
 *
 * --listener answers every watched call through a notifier (mb_notifier,
 * performing what it is asked); --listener-continue N has N threads wait in
 * SECCOMP_IOCTL_NOTIF_RECV and answer CONTINUE without reading anything:
 * what notifying costs when nothing is decided and the kernel performs
 * every call (the benchmarks' "floor"; a notifier that performs the calls
 * itself, on several threads, can do better). */
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandbox/sandbox.h"
#include "supervisor/notify/notify.h"

static struct mb_plan plan;
static int continuers; /* --listener-continue N */

static struct mb_answer allow_all(const struct mb_notified_op *op, void *ud)
{
	(void)op;
	(void)ud;
	return (struct mb_answer){ MB_VERDICT_ALLOW, 0 };
}

_printf_(1, 2) _noreturn_ static void die(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "launch: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(125);
}

static void add_path(const char *path, enum mb_mount_kind kind, unsigned ops)
{
	struct stat st;
	struct mb_mount *m = mb_vec_new(&plan.mounts);
	if (!m)
		die("%s", "out of memory");
	m->path = (char *)path;
	m->kind = kind;
	m->pos = (struct mb_srcpos){ "launch", 1, 1 };
	if (kind == MB_MOUNT_TMPFS) {
		m->is_dir = true;
	} else if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
		char buf[PATH_MAX];
		ssize_t n = readlink(path, buf, sizeof(buf) - 1);
		if (n < 0)
			die("readlink %s failed", path);
		buf[n] = '\0';
		m->kind = MB_MOUNT_SYMLINK;
		m->link_target = strdup(buf);
		return; /* the target is granted by its own option */
	} else {
		m->is_dir = stat(path, &st) == 0 && S_ISDIR(st.st_mode);
		m->exec = ops & (1u << MB_OP_EXEC);
	}
	struct mb_fs_rule *r = mb_vec_new(&plan.fs_rules);
	if (!r)
		die("%s", "out of memory");
	r->path = (char *)path;
	r->ops = ops;
	r->is_dir = m->is_dir;
	r->pos = m->pos;
}

static void add_port(const char *arg, unsigned ops)
{
	struct mb_net_rule *r = mb_vec_new(&plan.net_rules);
	if (!r)
		die("%s", "out of memory");
	r->port = (uint16_t)atoi(arg);
	r->ops = ops;
}

static void print_layers(const struct mb_layers *l)
{
	fprintf(stderr,
		"layers: userns=%d mntns=%d pidns=%d netns=%d ipcns=%d utsns=%d cgroupns=%d "
		"rootfs=%d hidepid=%d landlock_abi=%d landlock_fs=%d landlock_net=%d "
		"landlock_scope=%d seccomp_baseline=%d seccomp_notify=%d no_new_privs=%d "
		"caps_dropped=%d memfd_noexec=%d limits=%d\n",
		l->userns, l->mntns, l->pidns, l->netns, l->ipcns, l->utsns, l->cgroupns, l->rootfs,
		l->proc_hidepid, l->landlock_abi, l->landlock_fs, l->landlock_net, l->landlock_scope,
		l->seccomp_baseline, l->seccomp_notify, l->no_new_privs, l->caps_dropped,
		l->memfd_noexec, l->limits);
}

/* Copy everything readable from `from` to `to`; false at end of file. */
static bool pump(int from, int to)
{
	char buf[65536];
	ssize_t n = read(from, buf, sizeof(buf));
	if (n < 0)
		return errno == EAGAIN || errno == EINTR;
	if (n == 0)
		return false;
	for (ssize_t off = 0; off < n;) {
		ssize_t w = write(to, buf + off, (size_t)(n - off));
		if (w < 0) {
			if (errno == EAGAIN) {
				struct pollfd p = { .fd = to, .events = POLLOUT };
				(void)poll(&p, 1, -1);
				continue;
			}
			return false;
		}
		off += w;
	}
	return true;
}

extern char **environ;

/* A real profile: loaded, then compiled into the plan. Runtime fragments
 * are looked up beside the profile, then in the source tree's profiles/. */
static struct mb_plan *compile(const char *path, const char *const *sets)
{
	static const char *const dirs[] = { MB_SRCDIR "/profiles", NULL };
	struct mb_load_opts lo = {
		.sets = sets,
		.include_dirs = dirs,
		.check_existence = true,
	};
	struct mb_profile *p = NULL;
	struct mb_plan *pl = NULL;
	struct mb_error err = { 0 };
	if (mb_profile_load(path, &lo, &p, &err) < 0 || mb_plan_compile(p, environ, &pl, &err) < 0)
		die("%s", err.msg);
	return pl; /* and p: both live until exit */
}

static int run(struct mb_sandbox_config *cfgp, bool layers);

/* Answer CONTINUE to whatever RECV gives, until the listener reports that
 * no watched process is left (ENOENT) or fails. */
static void *continue_all(void *arg)
{
	int fd = *(const int *)arg;
	for (;;) {
		struct seccomp_notif req;
		memset(&req, 0, sizeof(req));
		if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0) {
			if (errno == EINTR)
				continue;
			return NULL;
		}
		struct seccomp_notif_resp resp = { .id = req.id,
						   .flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE };
		(void)ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &resp);
	}
}

int main(int argc, char **argv)
{
	enum {
		O_RO = 0x100, O_RW, O_EXEC, O_TMPFS, O_NOPROC, O_NODEV, O_NET, O_ENV, O_CWD, O_USER,
		O_BEST, O_REQ, O_MEM, O_TASKS, O_FILES, O_CONNECT, O_BIND, O_CANY, O_BANY, O_NLR,
		O_LISTENER, O_LAYERS, O_HOSTILE, O_PROFILE, O_SET, O_CONTINUE,
	};
	static const struct option opts[] = {
		{ "ro", 1, NULL, O_RO },	 { "rw", 1, NULL, O_RW },
		{ "exec", 1, NULL, O_EXEC },	 { "tmpfs", 1, NULL, O_TMPFS },
		{ "no-proc", 0, NULL, O_NOPROC }, { "no-dev", 0, NULL, O_NODEV },
		{ "net", 1, NULL, O_NET },	 { "env", 1, NULL, O_ENV },
		{ "cwd", 1, NULL, O_CWD },	 { "user", 1, NULL, O_USER },
		{ "best-effort", 0, NULL, O_BEST }, { "require-landlock", 1, NULL, O_REQ },
		{ "memory", 1, NULL, O_MEM },	 { "tasks", 1, NULL, O_TASKS },
		{ "files", 1, NULL, O_FILES },	 { "connect", 1, NULL, O_CONNECT },
		{ "bind", 1, NULL, O_BIND },	 { "connect-any", 0, NULL, O_CANY },
		{ "bind-any", 0, NULL, O_BANY }, { "netlink-route", 0, NULL, O_NLR },
		{ "listener", 0, NULL, O_LISTENER }, { "layers", 0, NULL, O_LAYERS },
		{ "hostile-signals", 0, NULL, O_HOSTILE }, { "profile", 1, NULL, O_PROFILE },
		{ "set", 1, NULL, O_SET }, { "listener-continue", 1, NULL, O_CONTINUE },
		{ 0 },
	};
	const unsigned R = 1u << MB_OP_READ, W = 1u << MB_OP_WRITE, X = 1u << MB_OP_EXEC;
	struct mb_sandbox_config cfg = { .plan = &plan };
	bool proc = true, dev = true, layers = false;
	const char *profile_path = NULL;
	MB_VEC(const char *) sets = { 0 };
	plan.network = MB_NET_NONE;
	int c;
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case O_RO: add_path(optarg, MB_MOUNT_BIND_RO, R); break;
		case O_RW: add_path(optarg, MB_MOUNT_BIND_RW, R | W); break;
		case O_EXEC: add_path(optarg, MB_MOUNT_BIND_RO, R | X); break;
		case O_TMPFS: add_path(optarg, MB_MOUNT_TMPFS, R | W); break;
		case O_NOPROC: proc = false; break;
		case O_NODEV: dev = false; break;
		case O_NET:
			plan.network = strcmp(optarg, "host") == 0 ? MB_NET_HOST : MB_NET_NONE;
			break;
		case O_ENV:
			if (mb_vec_push(&plan.envp, optarg) < 0)
				die("%s", "out of memory");
			break;
		case O_CWD: plan.cwd = optarg; break;
		case O_USER:
			cfg.set_user = true;
			if (sscanf(optarg, "%u:%u", &cfg.uid, &cfg.gid) != 2)
				die("--user %s: expected UID:GID", optarg);
			break;
		case O_BEST: cfg.best_effort = true; break;
		case O_REQ: cfg.require_landlock = atoi(optarg); break;
		case O_MEM: plan.limits.memory = strtoull(optarg, NULL, 10); break;
		case O_TASKS: plan.limits.tasks = strtoull(optarg, NULL, 10); break;
		case O_FILES: plan.limits.files = strtoull(optarg, NULL, 10); break;
		case O_CONNECT: add_port(optarg, 1u << MB_OP_CONNECT); break;
		case O_BIND: add_port(optarg, 1u << MB_OP_BIND); break;
		case O_CANY: plan.connect_any_port = true; break;
		case O_BANY: plan.bind_any_port = true; break;
		case O_NLR: plan.netlink_route = true; break;
		case O_LISTENER: cfg.want_listener = true; break;
		case O_CONTINUE:
			cfg.want_listener = true;
			continuers = atoi(optarg);
			if (continuers < 1 || continuers > 64)
				die("--listener-continue %s: expected 1 to 64 threads", optarg);
			break;
		case O_LAYERS: layers = true; break;
		case O_PROFILE: profile_path = optarg; break;
		case O_SET:
			if (mb_vec_push(&sets, optarg) < 0)
				die("%s", "out of memory");
			break;
		case O_HOSTILE: {
			/* What a supervisor does around the spawn: every signal
			 * blocked, SIGPIPE ignored. None of it may reach the
			 * command. */
			sigset_t all;
			sigfillset(&all);
			sigprocmask(SIG_BLOCK, &all, NULL);
			signal(SIGPIPE, SIG_IGN);
			signal(SIGHUP, SIG_IGN);
			break;
		}
		default: die("%s", "bad option (see the comment at the top of launch.c)");
		}
	}
	if (optind >= argc)
		die("%s", "no command");
	if (profile_path) {
		if (plan.mounts.n || plan.fs_rules.n)
			die("%s", "--profile takes no path option: the profile says it all");
		if (sets.n && mb_vec_push(&sets, NULL) < 0)
			die("%s", "out of memory");
		struct mb_plan *pl = compile(profile_path, sets.n ? sets.v : NULL);
		/* --env adds to the profile's environment (sanitizer options
		 * in test builds). */
		if (plan.envp.n) {
			if (pl->envp.n)
				pl->envp.n--; /* its NULL */
			for (size_t i = 0; i < plan.envp.n; i++)
				if (mb_vec_push(&pl->envp, plan.envp.v[i]) < 0)
					die("%s", "out of memory");
			if (mb_vec_push(&pl->envp, NULL) < 0)
				die("%s", "out of memory");
		}
		cfg.plan = pl;
		cfg.argv = argv + optind;
		return run(&cfg, layers);
	}

	/* As the plan compiler does: /proc and /dev first, their rules marked
	 * as the sandbox's own. */
	static const struct mb_srcpos own = { "<sandbox>", 0, 0 };
	if (proc) {
		struct mb_mount *m = mb_vec_new(&plan.mounts);
		*m = (struct mb_mount){ .kind = MB_MOUNT_PROC, .path = "/proc", .is_dir = true };
		struct mb_fs_rule *r = mb_vec_new(&plan.fs_rules);
		*r = (struct mb_fs_rule){ .path = "/proc", .ops = R, .is_dir = true, .pos = own };
	}
	if (dev) {
		static char *const devs[] = { "/dev/null", "/dev/zero", "/dev/full", "/dev/random",
					      "/dev/urandom" };
		struct mb_mount *m = mb_vec_new(&plan.mounts);
		*m = (struct mb_mount){ .kind = MB_MOUNT_DEV, .path = "/dev", .is_dir = true };
		for (size_t i = 0; i < sizeof(devs) / sizeof(devs[0]); i++) {
			struct mb_fs_rule *r = mb_vec_new(&plan.fs_rules);
			*r = (struct mb_fs_rule){ .path = devs[i], .ops = R | W, .pos = own };
		}
	}
	/* Mounts in apply order: /proc and /dev first (they were added last). */
	size_t k = (proc ? 1 : 0) + (dev ? 1 : 0);
	if (k) {
		struct mb_mount tmp[2];
		size_t n = plan.mounts.n;
		memcpy(tmp, plan.mounts.v + n - k, k * sizeof(*tmp));
		memmove(plan.mounts.v + k, plan.mounts.v, (n - k) * sizeof(*tmp));
		memcpy(plan.mounts.v, tmp, k * sizeof(*tmp));
	}
	/* As the plan compiler does: a bind holding an exec grant at or beneath
	 * it is mounted without noexec (ld.so maps libraries executable). */
	for (size_t i = 0; i < plan.mounts.n; i++) {
		struct mb_mount *m = &plan.mounts.v[i];
		size_t n = strlen(m->path);
		for (size_t j = 0; j < plan.fs_rules.n; j++) {
			const struct mb_fs_rule *r = &plan.fs_rules.v[j];
			if ((r->ops & X) && strncmp(r->path, m->path, n) == 0 &&
			    (r->path[n] == '/' || r->path[n] == '\0' || n == 1))
				m->exec = true;
		}
	}
	if (plan.envp.n && mb_vec_push(&plan.envp, NULL) < 0)
		die("%s", "out of memory");
	cfg.argv = argv + optind;
	return run(&cfg, layers);
}

static int run(struct mb_sandbox_config *cfgp, bool layers)
{
	struct mb_sandbox_config cfg = *cfgp;
	struct mb_sandbox sb;
	struct mb_error err = { 0 };
	int r = mb_sandbox_spawn(&cfg, &sb, &err);
	if (r < 0) {
		fprintf(stderr, "launch: %s\n", err.msg);
		return mb_sandbox_exit_status(r);
	}
	if (layers)
		print_layers(&sb.layers);
	struct mb_notifier *notifier = NULL;
	static int continue_fd = -1;
	if (continuers) {
		continue_fd = TAKE_FD(sb.listener_fd);
		for (int i = 0; i < continuers; i++) {
			pthread_t t;
			if (pthread_create(&t, NULL, continue_all, &continue_fd) != 0)
				die("%s", "cannot start a thread");
			pthread_detach(t);
		}
	} else if (cfg.want_listener) {
		/* A real listener answers ID_VALID for an unknown id with ENOENT. */
		__u64 id = 1;
		int ok = sb.listener_fd >= 0 &&
			 ioctl(sb.listener_fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) < 0 && errno == ENOENT;
		fprintf(stderr, "listener: %s\n", ok ? "valid" : "invalid");
		/* The command waits on every watched call: answer them all. */
		if (ok && mb_notifier_new(TAKE_FD(sb.listener_fd), NULL, allow_all, NULL, &notifier,
					  &err) < 0)
			die("%s", err.msg);
	}

	/* The server's stdin is ours to feed, blocking writes keep it simple. */
	(void)fcntl(sb.stdin_fd, F_SETFL, 0);
	struct pollfd p[5] = {
		{ .fd = STDIN_FILENO, .events = POLLIN },
		{ .fd = sb.stdout_fd, .events = POLLIN },
		{ .fd = sb.stderr_fd, .events = POLLIN },
		{ .fd = sb.pidfd, .events = POLLIN },
		{ .fd = notifier ? mb_notifier_fd(notifier) : -1, .events = POLLIN },
	};
	bool exited = false;
	while (p[1].fd >= 0 || p[2].fd >= 0 || !exited) {
		if (poll(p, 5, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[4].revents & POLLIN) {
			if (mb_notifier_handle(notifier) < 0)
				p[4].fd = -1;
			continue;
		}
		if (p[4].revents) /* every watched process is gone */
			p[4].fd = -1;
		if (p[0].revents && !pump(STDIN_FILENO, sb.stdin_fd)) {
			p[0].fd = -1;
			sb.stdin_fd = mb_close(sb.stdin_fd);
		}
		for (int i = 1; i <= 2; i++)
			if (p[i].revents && !pump(p[i].fd, i))
				p[i].fd = -1;
		if (p[3].revents) {
			exited = true;
			p[3].fd = -1;
		}
	}
	int status = 125;
	if (mb_sandbox_wait(&sb, &status) < 0)
		status = 125;
	mb_sandbox_close(&sb);
	mb_notifier_free(notifier);
	return status;
}
