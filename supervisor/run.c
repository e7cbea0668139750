/* SPDX-License-Identifier: Apache-2.0 */
/* membrane-run's run path: open the reporter (no report, no server), start
 * the sandbox, report "start", relay until the server exits, report "exit",
 * and hand back the exit status docs/design.md "Command line" promises. */
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/nettle-dl.h"
#include "common/strbuf.h"
#include "common/which.h"
#include "sandbox/describe.h"
#include "sandbox/landlock.h"
#include "sandbox/network.h"
#include "sandbox/sandbox.h"
#include "supervisor/notify/notify-thread.h"
#include "supervisor/notify/notify-ident.h"
#include "supervisor/notify/notify.h"
#include "supervisor/inspect/relay.h"
#include "supervisor/inspect/scan.h"
#include "report/report.h"
#include "report/report-sign.h"
#include "supervisor/run.h"

static int report_cb(void *ud, const char *event, const cJSON *fields)
{
	return mb_reporter_emit(ud, event, fields);
}

/* The layers in force, as sandbox/describe.c words them for every reader. */
static cJSON *layers_json(const struct mb_layers *l)
{
	struct mb_strbuf b = { 0 };
	mb_describe_layers_json(&b, l);
	cJSON *o = mb_strbuf_failed(&b) ? NULL : cJSON_Parse(b.s);
	mb_strbuf_free(&b);
	return o;
}

/* Best effort, said out loud: what this kernel's Landlock cannot enforce of
 * the plan (--require-landlock makes the sandbox refuse instead). Without
 * Landlock at all, only with --best-effort: otherwise the refusal says it. */
static void warn_landlock_gaps(const struct mb_plan *plan, bool best_effort)
{
	struct mb_strbuf b = { 0 };
	int abi = mb_landlock_abi();
	if (abi <= 0 && !best_effort)
		return;
	if (mb_describe_landlock_gaps(&b, plan, abi > 0 ? abi : 0) && !mb_strbuf_failed(&b))
		fprintf(stderr, "membrane-run: warning: Landlock ABI %d cannot enforce:\n%s", abi, b.s);
	mb_strbuf_free(&b);
}

static int emit_start(struct mb_reporter *rep, const struct mb_sandbox *sb, char *const *argv)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return -ENOMEM;
	cJSON_AddNumberToObject(o, "pid", sb->pid);
	cJSON *cmd = cJSON_AddArrayToObject(o, "command");
	for (size_t i = 0; argv[i]; i++)
		cJSON_AddItemToArray(cmd, cJSON_CreateString(argv[i]));
	cJSON *l = layers_json(&sb->layers);
	if (l)
		cJSON_AddItemToObject(o, "layers", l);
	int r = mb_reporter_emit(rep, "start", o);
	cJSON_Delete(o);
	return r;
}

static void emit_error(struct mb_reporter *rep, const char *reason)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return;
	cJSON_AddStringToObject(o, "reason", reason);
	(void)mb_reporter_emit(rep, "error", o);
	cJSON_Delete(o);
}

static int emit_exit(struct mb_reporter *rep, const struct mb_relay_result *res,
		     const struct mb_run_backend *be, void *self)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return -ENOMEM;
	cJSON_AddNumberToObject(o, "status", res->status);
	cJSON_AddNumberToObject(o, res->signaled ? "signal" : "code", res->code);
	if (be->exit_report)
		be->exit_report(self, o);
	int r = mb_reporter_emit(rep, "exit", o);
	cJSON_Delete(o);
	return r;
}

struct notify_setup {
	const struct mb_run_backend *be;
	void *self;
	/* The notifier's thread decides holding the lock the loop holds
	 * whenever it runs (notify-thread.h). Ours from before the thread
	 * starts until the relay's setup is done (locked): the thread may
	 * receive and resolve the server's first calls meanwhile, and decides
	 * none before the start report and the relay's tables. */
	pthread_mutex_t lock;
	bool locked;
	struct mb_notifier_thread *thread;
	const struct mb_plan *plan;
	char err[512]; /* why setup failed, when it says */
};

/* Each decoy's canary, to the answer scanner: found in an answer, it is
 * reported as exfiltration and scan.answers' action for kind canary
 * applies (report by default; redact, refuse). A token the scanner will
 * not take is a decoy that would leak unredacted: the run stops. */
static int add_canaries(struct notify_setup *ns, struct mb_inspector *ins)
{
	mb_vec_foreach(d, &ns->plan->decoys) {
		int r = mb_scan_add_exact(mb_inspector_scan(ins), MB_SCAN_CANARY, d->path, d->token,
					  strlen(d->token));
		if (r < 0) {
			snprintf(ns->err, sizeof(ns->err),
				 "decoy %s: the answer scanner cannot take its canary: %s", d->path,
				 strerror(-r));
			return r;
		}
	}
	return 0;
}

/* The relay's setup hook: the backend sees the loop and the inspector's
 * requests in flight, and the notifier's thread may decide. */
static int notify_setup(void *ud, struct mb_loop *loop, struct mb_inspector *ins)
{
	struct notify_setup *ns = ud;
	int r = add_canaries(ns, ins);
	if (r < 0)
		return r;
	ns->be->attach(ns->self, mb_inspector_inflight(ins), loop);
	if (ns->be->hooks)
		mb_inspector_set_hooks(ins, ns->be->hooks(ns->self));
	mb_loop_set_lock(loop, &ns->lock);
	ns->locked = false;
	pthread_mutex_unlock(&ns->lock);
	return 0;
}

/* No decision may follow (the loop has ended, or never ran): the tables
 * go away next. A thread waiting for the lock gets it, finds the notifier
 * closed (EPERM), and ends. */
static void notify_teardown(void *ud)
{
	struct notify_setup *ns = ud;
	if (ns->locked) {
		ns->locked = false;
		pthread_mutex_unlock(&ns->lock);
	}
	mb_notifier_thread_stop(ns->thread);
	ns->thread = NULL;
}

static int command_status(void *ud, int *ret_wstatus)
{
	return mb_sandbox_command_status(ud, ret_wstatus);
}

/* "not found" or "Permission denied" for a command the caller could run on
 * the host: the profile does not put it in the sandbox, or grants no exec
 * of it, which is worth saying rather than leaving to puzzle over. */
static void hint_missing_command(struct mb_error *err, const char *cmd)
{
	char host[PATH_MAX];
	size_t len = strlen(err->msg);
	const char *tail = err->code == -ENOENT ? ": command not found" : ": Permission denied";
	size_t tl = strlen(tail);
	if (len < tl || strcmp(err->msg + len - tl, tail) != 0 || !mb_which(cmd, host, sizeof(host)))
		return;
	snprintf(err->msg + len, sizeof(err->msg) - len,
		 " in the sandbox (the host runs %.400s: grant it under runtime.exec)", host);
}

/* A server that was started but cannot be served or reported on is
 * stopped. */
static void kill_and_reap(struct mb_sandbox *sb)
{
	(void)syscall(SYS_pidfd_send_signal, sb->pidfd, SIGKILL, NULL, 0);
	siginfo_t si;
	(void)waitid(P_PID, (id_t)sb->pid, &si, WEXITED);
}

/* network host: the sandbox shares the host's loopback, so the resolver
 * listens there, on this run's own address, made here (the init would
 * make it in the sandbox's namespace). Port 53 needs root: without it a
 * profile that grants names cannot run, one that grants none runs with
 * names that do not resolve. Returns 0, or -errno once said. */
static int host_resolver_sockets(const struct mb_profile *p, const struct mb_plan *plan,
				 int fds[2], struct mb_reporter *rep)
{
	if (plan->network != MB_NET_HOST)
		return 0;
	struct mb_error err = { 0 };
	int r = mb_net_resolver_sockets(plan->resolver, &fds[0], &fds[1], &err);
	if (r == 0 || !mb_profile_has_names(p))
		return 0;
	size_t len = strlen(err.msg);
	snprintf(err.msg + len, sizeof(err.msg) - len,
		 ": network host with name grants needs it (run membrane-run as root, or use "
		 "network: brokered)");
	fprintf(stderr, "membrane-run: %s\n", err.msg);
	emit_error(rep, err.msg);
	return r;
}

struct prepare {
	const struct mb_run_backend *be;
	void *self;
	bool done;
};

/* While the init builds the sandbox (sandbox.h, building): the backend's
 * tables, nettle for the reports' hash chain (common/sha256.h), and the
 * time zone that glibc's first gmtime_r (the start report's time) would
 * otherwise read on the start's path. */
static int prepare(void *ud, struct mb_error *err)
{
	struct prepare *pr = ud;
	if (pr->done)
		return 0;
	if (mb_nettle_load() < 0)
		return mb_error_set(err, -ELIBACC, "the reports' hash chain: cannot load %s",
				    mb_nettle_error());
	tzset();
	int r = pr->be->prepare ? pr->be->prepare(pr->self, err) : 0;
	pr->done = r == 0;
	return r;
}

/* The notifier on the sandbox's listener, answered by the backend, which
 * then starts. One root for all: pivot_root is done and the baseline
 * forbids another. */
static int start_notifier(struct mb_sandbox *sb, const struct mb_plan *plan,
			  struct mb_reporter *rep, const struct mb_run_backend *be, void *self,
			  struct mb_notifier **ret, struct mb_error *err)
{
	struct mb_notifier_opts nopts = {
		.root_fd = -1, .one_root = true,
		.restartable = !sb->layers.seccomp_notify_killable,
		.allows = be->allows,
	};
	if (nopts.restartable)
		fprintf(stderr, "membrane-run: this kernel lacks SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV "
				"(Linux 5.19): a signal could make the server repeat a call the "
				"supervisor performed, so path calls with side effects are refused "
				"(EACCES)\n");
	_cleanup_(mb_notifier_freep) struct mb_notifier *n = NULL;
	int r = mb_notifier_new(TAKE_FD(sb->listener_fd), &nopts, be->decide, self, &n, err);
	if (r < 0)
		return r;
	struct mb_run_session s = {
		.rep = rep,
		.pidfd = sb->pidfd,
		.listener = mb_notifier_fd(n),
		.resolver_fd = { TAKE_FD(sb->resolver_fd[0]), TAKE_FD(sb->resolver_fd[1]) },
	};
	mb_addr_set_v4(&s.resolver, plan->resolver, 53);
	r = be->start ? be->start(self, &s, err) : (mb_close(s.resolver_fd[0]),
						   mb_close(s.resolver_fd[1]), 0);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(n);
	return 0;
}

/* The sandbox or the command's exec failed (sandbox.h): nothing runs. */
static int spawn_failed(struct mb_reporter *rep, int r, struct mb_error *err, const char *argv0)
{
	if (r == -ENOENT || r == -EACCES)
		hint_missing_command(err, argv0);
	fprintf(stderr, "membrane-run: %s\n", err->msg);
	emit_error(rep, err->msg);
	(void)mb_reporter_checkpoint(rep);
	return mb_sandbox_exit_status(r);
}

int mb_run(const struct mb_options *o, const struct mb_profile *p, const struct mb_plan *plan,
	   const struct mb_run_backend *be, void *self)
{
	struct mb_error err = { 0 };
	_cleanup_(mb_reporter_closep) struct mb_reporter *rep = NULL;
	int r = mb_reporter_open(o->report ? o->report : "-", p->name ? p->name : "", p->mode, &rep,
				 &err);
	if (r < 0) {
		fprintf(stderr, "membrane-run: %s\n", err.msg);
		return MB_EXIT_MEMBRANE;
	}
	/* A session's sandbox under --listen: named by the front, and whose. */
	if ((o->http.report_session && mb_reporter_set_session(rep, o->http.report_session) < 0) ||
	    (o->http.principal && mb_reporter_set_principal(rep, o->http.principal) < 0)) {
		fprintf(stderr, "membrane-run: --report-session/--principal: out of memory\n");
		return MB_EXIT_MEMBRANE;
	}
	/* The dynamic layer performs what it allows: refuse a kernel that
	 * cannot install an opened file and answer in one step. */
	r = mb_notifier_check_kernel(&err);
	if (r < 0) {
		fprintf(stderr, "membrane-run: %s\n", err.msg);
		emit_error(rep, err.msg);
		return MB_EXIT_MEMBRANE;
	}
	/* Signed checkpoints: no key, no server, as with the report. */
	if (o->sign_key) {
		struct mb_report_key key;
		if (mb_report_key_load(o->sign_key, true, &key, &err) < 0) {
			fprintf(stderr, "membrane-run: %s\n", err.msg);
			return MB_EXIT_MEMBRANE;
		}
		mb_reporter_set_signer(rep, &key, o->checkpoint_every);
		mb_report_key_wipe(&key);
	}
	struct prepare pr = { .be = be, .self = self };
	struct mb_sandbox_config cfg = {
		.plan = plan,
		.argv = o->argv,
		.require_landlock = MB_MAX(o->require_landlock, p->require_landlock),
		.best_effort = o->best_effort,
		.set_user = o->user_set,
		.uid = o->uid,
		.gid = o->gid,
		.want_listener = true,
		.launch_early = true,
		.building = prepare,
		.building_ud = &pr,
	};
	warn_landlock_gaps(plan, o->best_effort);
	int host_resolver[2] = { -1, -1 };
	if (host_resolver_sockets(p, plan, host_resolver, rep) < 0)
		return MB_EXIT_MEMBRANE;
	struct mb_sandbox sb;
	r = mb_sandbox_spawn(&cfg, &sb, &err);
	if (r >= 0 && host_resolver[0] >= 0) {
		sb.resolver_fd[0] = TAKE_FD(host_resolver[0]);
		sb.resolver_fd[1] = TAKE_FD(host_resolver[1]);
		sb.layers.resolver = true;
	}
	mb_close(host_resolver[0]);
	mb_close(host_resolver[1]);
	if (r < 0)
		return spawn_failed(rep, r, &err, o->argv[0]);
	if (sb.no_namespaces[0])
		fprintf(stderr, "membrane-run: warning: running without namespaces (--best-effort): %s\n",
			sb.no_namespaces);
	/* The server's execve is under way, and it waits at its first watched
	 * call until we answer: from here on, every path out of this function
	 * kills it or serves it. The notifier and its thread are readied
	 * while the kernel execs; the start report waits for the exec. */
	_cleanup_(mb_notifier_freep) struct mb_notifier *notifier = NULL;
	struct notify_setup ns = {
		.be = be, .self = self, .plan = plan, .lock = PTHREAD_MUTEX_INITIALIZER,
	};
	pthread_mutex_lock(&ns.lock);
	ns.locked = true;
	r = prepare(&pr, &err); /* done already, unless the init never asked for its filters */
	if (r == 0)
		r = start_notifier(&sb, plan, rep, be, self, &notifier, &err);
	if (r == 0 && (r = mb_notifier_thread_start(notifier, &ns.lock, sb.pidfd, &ns.thread)) < 0)
		mb_error_set(&err, r, "starting the notifier's thread: %s", strerror(-r));
	if (r < 0) {
		notify_teardown(&ns);
		fprintf(stderr, "membrane-run: %s: stopping the server\n", err.msg);
		emit_error(rep, err.msg);
		kill_and_reap(&sb);
		mb_sandbox_close(&sb);
		return MB_EXIT_MEMBRANE;
	}
	r = mb_sandbox_await_exec(&sb, &err);
	if (r < 0) {
		notify_teardown(&ns);
		return spawn_failed(rep, r, &err, o->argv[0]);
	}
	sb.layers.seccomp_notify_sync = mb_notifier_sync_wake_up(notifier);
	if (emit_start(rep, &sb, o->argv) < 0) {
		notify_teardown(&ns);
		fprintf(stderr, "membrane-run: cannot write the start report: stopping the server\n");
		kill_and_reap(&sb);
		mb_sandbox_close(&sb);
		return MB_EXIT_MEMBRANE;
	}
	struct mb_relay_config rc = {
		.profile = p,
		.cwd = plan->cwd,
		.grace_ms = o->grace_ms,
		.max_message = o->max_message,
		.call_timeout_ms = o->call_timeout_ms,
		.envp = plan->envp.n ? plan->envp.v : NULL,
		.pid = sb.pid,
		.pidfd = sb.pidfd,
		.command_status = command_status,
		.command_status_ud = &sb,
		.command_fd = sb.status_fd,
		.server_stdin = sb.stdin_fd,
		.server_stdout = sb.stdout_fd,
		.server_stderr = sb.stderr_fd,
		.client_in = STDIN_FILENO,
		.client_out = STDOUT_FILENO,
		.report = report_cb,
		.report_ud = rep,
		.setup = notify_setup,
		.teardown = notify_teardown,
		.setup_ud = &ns,
		.tap = be->tap,
		.tap_ud = self,
		.stop_on_signal = be->stop_on_signal,
	};
	struct mb_relay_result res;
	r = mb_relay_run(&rc, &res);
	notify_teardown(&ns); /* done if the relay ran its teardown; not if it failed first */
	/* The notifier's thread performed the server's calls in its
	 * identity, and notifications handled here before it started (the
	 * command's execve) may have too: ours again for what follows (the
	 * sandbox's cgroup, the backend's stop, learn's draft). */
	mb_ident_supervisor();
	/* The relay closed the server's stdin; the rest are ours to close. The
	 * inspector and the loop are gone: what the backend still holds is
	 * written now, before "exit". */
	sb.stdin_fd = -1;
	if (be->stop(self) < 0 && r == 0) {
		kill_and_reap(&sb);
		res.report_failed = true;
	}
	if (r < 0) {
		if (ns.err[0]) {
			fprintf(stderr, "membrane-run: %s: stopping the server\n", ns.err);
			emit_error(rep, ns.err);
		} else {
			fprintf(stderr, "membrane-run: event loop: %s\n", strerror(-r));
		}
		kill_and_reap(&sb);
		mb_sandbox_close(&sb);
		return MB_EXIT_MEMBRANE;
	}
	if (res.report_failed) {
		kill_and_reap(&sb);
		mb_sandbox_close(&sb);
		fprintf(stderr, "membrane-run: a report could not be written: the server was stopped\n");
		return MB_EXIT_MEMBRANE;
	}
	if (emit_exit(rep, &res, be, self) < 0 || mb_reporter_checkpoint(rep) < 0)
		fprintf(stderr, "membrane-run: cannot write the exit report\n");
	/* The server ended when the init had its status; the init's own exit
	 * (its namespaces torn down) overlapped the reports. Nothing of the
	 * sandbox outlives us: wait for it. */
	int init_status;
	(void)mb_sandbox_wait(&sb, &init_status); /* -ECHILD: reaped by the relay already */
	mb_sandbox_close(&sb);
	return res.status;
}
