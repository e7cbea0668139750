/* SPDX-License-Identifier: Apache-2.0 */
/* What one openat(2)+close(2) costs in the server under each layer:
 *   bare                 no filter
 *   seccomp allow-all    a filter that returns ALLOW (the baseline's cost)
 *   landlock             a ruleset allowing reads beneath /
 *   bare notify loop     the watch filter, and a minimal supervisor loop:
 *                        RECV, process_vm_readv of the path, ID_VALID,
 *                        SEND CONTINUE (the anchor of bench/README.md)
 *   notifier             the watch filter and supervisor/notify/notify.c with a
 *                        callback that allows everything: path read once,
 *                        opened by the supervisor (openat2 RESOLVE_IN_ROOT |
 *                        RESOLVE_NO_SYMLINKS, the fast way: the decision's
 *                        pure twin allows the name first) and installed in
 *                        the server (ADDFD + SEND)
 *   notifier+correlator  the same, deciding with supervisor/notify/correlate.c as
 *                        membrane-run does: Node's runtime grants (as
 *                        profiles/runtimes/node.yml) and a tools/call of
 *                        read_text_file in flight whose {path} grants the
 *                        file, so each openat walks runtime, misses, and is
 *                        allowed by the call's grant
 * The notification rows run with and without SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP,
 * with the two processes pinned to one CPU (taskset) and unpinned. Each row
 * is the median of REPS runs of N calls; ratios are to the bare row and to
 * the bare notify loop under the same conditions (target: notifier within
 * 1.3x of it). Prints a markdown table. */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <poll.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/kernel-compat.h"
#include "sandbox/watch.h"
#include "supervisor/inspect/jsonrpc.h"
#include "supervisor/notify/correlate.h"
#include "supervisor/notify/notify.h"

#define REPS 9

static char path[256];
static int n_bare = 200000, n_notify = 20000;

enum layer { L_BARE, L_ALLOW, L_LANDLOCK, L_WATCH };
enum server { S_NONE, S_BARE_LOOP, S_NOTIFIER, S_CORRELATOR };

static struct mb_correlator *corr;
static unsigned long corr_lines;

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

enum cpus { C_SAME, C_SPLIT, C_ANY };
static const char *const cpus_name[] = { "both on CPU 0", "CPU 0 / CPU 1", "unpinned" };

/* cpu < 0: any */
static void pin(int cpu)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	if (cpu >= 0) {
		CPU_SET(cpu, &set);
	} else {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		for (long i = 0; i < n && i < CPU_SETSIZE; i++)
			CPU_SET((int)i, &set);
	}
	(void)sched_setaffinity(0, sizeof(set), &set);
}

static int allow_all_filter(void)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	/* One rule, so that the program walks a comparison like a real one. */
	seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(kexec_load), 0);
	seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 1);
	int r = seccomp_load(ctx);
	seccomp_release(ctx);
	return r;
}

static int landlock_read_only(void)
{
	struct mb_landlock_ruleset_attr attr = {
		.handled_access_fs = LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR |
				     LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_EXECUTE,
	};
	int rs = (int)syscall(SYS_landlock_create_ruleset, &attr, MB_LANDLOCK_ATTR_SIZE_V1, 0);
	if (rs < 0)
		return -errno;
	struct mb_landlock_path_beneath_attr pb = {
		.allowed_access = LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR,
		.parent_fd = open("/", O_PATH | O_CLOEXEC),
	};
	if (syscall(SYS_landlock_add_rule, rs, LANDLOCK_RULE_PATH_BENEATH, &pb, 0) < 0)
		return -errno;
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	if (syscall(SYS_landlock_restrict_self, rs, 0) < 0)
		return -errno;
	return 0;
}

/* The server side: the loop being measured. Writes ns per call. */
static _noreturn_ void server(enum layer layer, const struct mb_bpf *f, int hand,
			      int res, int n)
{
	int r = 0;
	if (layer == L_ALLOW)
		r = allow_all_filter();
	else if (layer == L_LANDLOCK)
		r = landlock_read_only();
	else if (layer == L_WATCH) {
		unsigned feat;
		int l = mb_watch_install(f, &feat);
		if (l < 0 || mb_watch_handoff_send(hand, l, feat) < 0)
			_exit(2);
		close(l);
	}
	if (r < 0)
		_exit(3);
	/* warm up */
	for (int i = 0; i < 100; i++)
		close((int)syscall(SYS_openat, AT_FDCWD, path, O_RDONLY));
	double t0 = now_ns();
	for (int i = 0; i < n; i++) {
		int fd = (int)syscall(SYS_openat, AT_FDCWD, path, O_RDONLY);
		if (fd < 0)
			_exit(4);
		close(fd);
	}
	double ns = (now_ns() - t0) / n;
	if (write(res, &ns, sizeof(ns)) != sizeof(ns))
		_exit(5);
	_exit(0);
}

static struct mb_answer allow_all(const struct mb_notified_op *op, void *ud)
{
	(void)op;
	(void)ud;
	return (struct mb_answer){ MB_VERDICT_ALLOW, 0 };
}

/* allow_all's pure twin: the notifier's fast open, as membrane-run has it. */
static bool allows_all(const struct mb_notified_op *op, void *ud)
{
	(void)op;
	(void)ud;
	return true;
}

/* The anchor: the least a supervisor that reads the path can do. */
static int bare_loop_once(int fd, struct seccomp_notif *req, struct seccomp_notif_resp *resp,
			  size_t reqsz, size_t respsz)
{
	char buf[4096];
	memset(req, 0, reqsz);
	if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, req) < 0)
		return errno == ENOENT || errno == EINTR ? 0 : -errno;
	uint64_t a = req->data.args[1];
	size_t chunk = 4096 - (size_t)(a % 4096);
	struct iovec l = { buf, chunk }, rm = { (void *)(uintptr_t)a, chunk };
	(void)process_vm_readv((pid_t)req->pid, &l, 1, &rm, 1, 0);
	memset(resp, 0, respsz);
	resp->id = req->id;
	if (ioctl(fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &req->id) == 0) {
		resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		(void)ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, resp);
	}
	return 0;
}

static double run(enum layer layer, enum server srv, bool sync_wake, enum cpus cpus, bool one_root)
{
	struct mb_error err = { 0 };
	struct mb_bpf f = { 0 };
	int hand[2] = { -1, -1 }, res[2];
	if (layer == L_WATCH && (mb_watch_filter_build(&f, &err) < 0 || mb_watch_handoff_pair(hand) < 0)) {
		fprintf(stderr, "bench: %s\n", err.msg);
		exit(1);
	}
	if (pipe2(res, O_CLOEXEC) < 0)
		exit(1);
	int n = layer == L_WATCH ? n_notify : n_bare;
	pin(cpus == C_ANY ? -1 : 0);
	pid_t pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (cpus == C_SPLIT)
			pin(1);
		server(layer, &f, hand[1], res[1], n);
	}
	close(res[1]);
	close(hand[1]);
	mb_bpf_free(&f);

	struct mb_notifier *nt = NULL;
	int listener = -1;
	struct seccomp_notif *req = NULL;
	struct seccomp_notif_resp *resp = NULL;
	size_t reqsz = 0, respsz = 0;
	if (layer == L_WATCH) {
		unsigned feat;
		if (mb_watch_handoff_recv(hand[0], &listener, &feat, &err) < 0) {
			fprintf(stderr, "bench: %s\n", err.msg);
			exit(1);
		}
		if (srv == S_NOTIFIER || srv == S_CORRELATOR) {
			struct mb_notifier_opts o = {
				.no_sync_wake_up = !sync_wake, .root_fd = -1, .one_root = one_root,
				.allows = srv == S_CORRELATOR ? mb_correlate_allows : allows_all,
			};
			int r = srv == S_CORRELATOR
					? mb_notifier_new(listener, &o, mb_correlate, corr, &nt, &err)
					: mb_notifier_new(listener, &o, allow_all, NULL, &nt, &err);
			if (r < 0) {
				fprintf(stderr, "bench: %s\n", err.msg);
				exit(1);
			}
			listener = mb_notifier_fd(nt);
		} else {
			struct seccomp_notif_sizes sz;
			syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sz);
			reqsz = MB_MAX(sz.seccomp_notif, sizeof(*req));
			respsz = MB_MAX(sz.seccomp_notif_resp, sizeof(*resp));
			req = calloc(1, reqsz);
			resp = calloc(1, respsz);
			if (sync_wake)
				(void)ioctl(listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS,
					    SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP);
		}
	}
	close(hand[0]);

	double ns = -1;
	for (;;) {
		struct pollfd p[2] = { { .fd = res[0], .events = POLLIN }, { .fd = listener, .events = POLLIN } };
		if (poll(p, listener >= 0 ? 2 : 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (listener >= 0 && (p[1].revents & POLLIN)) {
			int r = nt ? mb_notifier_handle(nt) : bare_loop_once(listener, req, resp, reqsz, respsz);
			if (r < 0) {
				fprintf(stderr, "bench: notifier: %s\n", strerror(-r));
				break;
			}
			continue;
		}
		if (p[0].revents) {
			if (read(res[0], &ns, sizeof(ns)) != sizeof(ns))
				ns = -1;
			break;
		}
	}
	int st;
	waitpid(pid, &st, 0);
	close(res[0]);
	if (nt)
		mb_notifier_free(nt);
	else if (listener >= 0)
		close(listener);
	free(req);
	free(resp);
	pin(-1);
	return ns;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(enum layer layer, enum server srv, bool sync_wake, enum cpus cpus, bool one_root)
{
	double v[REPS];
	for (int i = 0; i < REPS; i++)
		v[i] = run(layer, srv, sync_wake, cpus, one_root);
	qsort(v, REPS, sizeof(v[0]), cmp);
	return v[REPS / 2];
}

static int count_report(void *ud, const char *event, const cJSON *fields)
{
	(void)ud;
	(void)event;
	(void)fields;
	corr_lines++;
	return 0;
}

/* membrane-run's correlator, with a read_text_file call of path in flight. */
static struct mb_profile *bench_profile;
static struct mb_inflight *bench_inflight;

static void correlator_setup(const char *dir)
{
	char text[4096], msg[1024];
	snprintf(text, sizeof(text),
		 "version: 1\n"
		 "name: bench\n"
		 "runtime:\n"
		 "  read: [/etc/ld.so.cache, /usr/lib/x86_64-linux-gnu, /lib/x86_64-linux-gnu,\n"
		 "         /usr/bin/node, /etc/ssl/openssl.cnf, /etc/ssl/certs, /etc/localtime,\n"
		 "         /usr/share/zoneinfo, /sys/fs/cgroup/memory.max, /sys/fs/cgroup/memory.high,\n"
		 "         /usr/lib/node_modules/@modelcontextprotocol/server-filesystem]\n"
		 "  exec: [/usr/bin/node]\n"
		 "arguments:\n"
		 "  within: [\"%s\"]\n"
		 "tools:\n"
		 "  read_text_file: { read: [\"{path}\"] }\n"
		 "  write_file: { write: [\"{path}\", \"{path}.*.tmp\"] }\n",
		 dir);
	struct mb_load_opts lo = { 0 };
	struct mb_error err = { 0 };
	if (mb_profile_load_buffer("bench.yml", text, strlen(text), &lo, &bench_profile, &err) < 0 ||
	    mb_inflight_new(&bench_inflight) < 0) {
		fprintf(stderr, "bench: %s\n", err.msg);
		exit(1);
	}
	struct mb_correlator_config cfg = { .profile = bench_profile, .cwd = dir,
					    .report = count_report };
	if (mb_correlator_new(&cfg, &corr, &err) < 0) {
		fprintf(stderr, "bench: %s\n", err.msg);
		exit(1);
	}
	snprintf(msg, sizeof(msg),
		 "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":"
		 "{\"name\":\"read_text_file\",\"arguments\":{\"path\":\"%s\"}}}", path);
	struct mb_jr_frame jf;
	mb_jr_parse(msg, strlen(msg), &jf);
	if (jf.fault != MB_JR_FAULT_NONE ||
	    mb_inflight_add(bench_inflight, MB_DIR_CLIENT, &jf.msgs[0], 0, NULL) < 0)
		exit(1);
	mb_jr_frame_free(&jf);
	mb_correlator_attach(corr, bench_inflight, NULL);
}

/* The decision alone, without the kernel: ns per mb_correlate() on the
 * operation the notifier hands over for the benchmark's openat. */
static double decision_ns(void)
{
	struct mb_notified_op op = { .id = 1, .pid = getpid(), .sc = mb_watch_lookup(SYS_openat),
				     .open_flags = O_RDONLY, .n = 1 };
	op.t[0] = (struct mb_notified_target){ .kind = MB_TARGET_PATH, .presence = MB_PRESENT,
					       .ops = 1u << MB_OP_READ, .path = path };
	int n = 2000000;
	double t0 = now_ns();
	for (int i = 0; i < n; i++)
		if (mb_correlate(&op, corr).verdict != MB_VERDICT_ALLOW)
			exit(1);
	return (now_ns() - t0) / n;
}

int main(int argc, char **argv)
{
	/* --quick: fewer calls; --pinned: only the rows bench/README.md
	 * compares (sync wake-up, both processes on CPU 0); --once ROW: one
	 * run of one of those rows (loop, notifier, correlator), its ns per
	 * call alone on stdout, for A/B runs of two builds taking turns
	 * (--unpinned: the two processes where the scheduler puts them). */
	bool pinned_only = false;
	const char *once = NULL;
	enum cpus once_cpus = C_SAME;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--quick") == 0) {
			n_bare = 20000;
			n_notify = 2000;
		} else if (strcmp(argv[i], "--pinned") == 0) {
			pinned_only = true;
		} else if (strcmp(argv[i], "--once") == 0 && i + 1 < argc) {
			once = argv[++i];
		} else if (strcmp(argv[i], "--unpinned") == 0) {
			once_cpus = C_ANY;
		}
	}
	char dir[] = "/tmp/mb-bench-XXXXXX";
	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/file", dir);
	int fd = open(path, O_CREAT | O_WRONLY, 0644);
	if (fd < 0)
		return 1;
	close(fd);
	correlator_setup(dir);
	if (once) {
		enum server srv = strcmp(once, "loop") == 0	    ? S_BARE_LOOP
				  : strcmp(once, "notifier") == 0 ? S_NOTIFIER
								    : S_CORRELATOR;
		printf("%.0f\n", run(L_WATCH, srv, true, once_cpus, true));
		unlink(path);
		rmdir(dir);
		return 0;
	}

	printf("openat(\"%s\") + close, ns per call, median of %d runs (%d calls each; %d under "
	       "notification), uid %d, %ld CPUs\n\n",
	       path, REPS, n_bare, n_notify, (int)getuid(), sysconf(_SC_NPROCESSORS_ONLN));
	/* A throwaway run first: the first process to loop pays for cold caches
	 * and a CPU still clocking up. Single-process rows run on CPU 0. */
	(void)run(L_BARE, S_NONE, false, C_SAME, false);
	double bare = median(L_BARE, S_NONE, false, C_SAME, false);
	double allow = median(L_ALLOW, S_NONE, false, C_SAME, false);
	double ll = median(L_LANDLOCK, S_NONE, false, C_SAME, false);
	printf("The correlator's decision alone (mb_correlate, 11 runtime patterns missed, the "
	       "call's {path} matched): %.0f ns\n\n", decision_ns());
	printf("| layer | ns/call | x bare |\n|---|---:|---:|\n");
	printf("| bare | %.0f | 1.00 |\n", bare);
	printf("| seccomp allow-all | %.0f | %.2f |\n", allow, allow / bare);
	printf("| landlock (read beneath /) | %.0f | %.2f |\n", ll, ll / bare);
	printf("\n| notification | wake-up | CPUs | ns/call | x bare | x bare loop |\n"
	       "|---|---|---|---:|---:|---:|\n");
	for (int s = 1; s >= (pinned_only ? 1 : 0); s--) {
		for (int c = C_SAME; c <= (pinned_only ? C_SAME : C_ANY); c++) {
			/* Interleaved, so that a neighbour's load falls on all
			 * three alike; the ratios are medians of per-round ratios. */
			double loop[REPS], ours[REPS], pc[REPS], co[REPS], r1[REPS], r2[REPS], r3[REPS];
			for (int i = 0; i < REPS; i++) {
				loop[i] = run(L_WATCH, S_BARE_LOOP, s, c, false);
				ours[i] = run(L_WATCH, S_NOTIFIER, s, c, true);
				pc[i] = run(L_WATCH, S_NOTIFIER, s, c, false);
				co[i] = run(L_WATCH, S_CORRELATOR, s, c, true);
				r1[i] = ours[i] / loop[i];
				r2[i] = pc[i] / loop[i];
				r3[i] = co[i] / loop[i];
			}
			qsort(loop, REPS, sizeof(double), cmp);
			qsort(ours, REPS, sizeof(double), cmp);
			qsort(pc, REPS, sizeof(double), cmp);
			qsort(co, REPS, sizeof(double), cmp);
			qsort(r1, REPS, sizeof(double), cmp);
			qsort(r2, REPS, sizeof(double), cmp);
			qsort(r3, REPS, sizeof(double), cmp);
			double l = loop[REPS / 2], o = ours[REPS / 2], p = pc[REPS / 2], k = co[REPS / 2];
			const char *w = s ? "sync" : "plain";
			printf("| bare loop (RECV, read path, ID_VALID, CONTINUE) | %s | %s | %.0f | %.2f | 1.00 |\n",
			       w, cpus_name[c], l, l / bare);
			printf("| notifier, one root | %s | %s | %.0f | %.2f | %.2f |\n", w, cpus_name[c], o,
			       o / bare, r1[REPS / 2]);
			printf("| notifier, /proc/PID/root per call | %s | %s | %.0f | %.2f | %.2f |\n", w,
			       cpus_name[c], p, p / bare, r2[REPS / 2]);
			printf("| **notifier + correlator**, one root, a call in flight | %s | %s | %.0f | %.2f | **%.2f** |\n",
			       w, cpus_name[c], k, k / bare, r3[REPS / 2]);
			fflush(stdout);
		}
	}
	const struct mb_correlator_stats *cs = mb_correlator_stats(corr);
	printf("\ncorrelator: %llu operations decided, %llu violations, %lu report lines\n",
	       (unsigned long long)cs->decided, (unsigned long long)cs->violations, corr_lines);
	double la[3];
	if (getloadavg(la, 3) == 3)
		printf("\nload average at the end: %.2f %.2f %.2f\n", la[0], la[1], la[2]);
	unlink(path);
	rmdir(dir);
	return 0;
}
