/* membrane-run's run path: open the reporter (no report, no server), start
 * the sandbox, report "start", relay until the server exits, report "exit",
 * and hand back the exit status DESIGN.md promises. */
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/strbuf.h"
#include "common/which.h"
#include "sandbox/describe.h"
#include "sandbox/landlock.h"
#include "sandbox/sandbox.h"
#include "supervisor/broker/broker.h"
#include "supervisor/notify/correlate.h"
#include "supervisor/learn/learn.h"
#include "supervisor/notify/notify-loop.h"
#include "supervisor/notify/notify.h"
#include "supervisor/inspect/relay.h"
#include "report/report.h"
#include "supervisor/run.h"

#define EXIT_MEMBRANE 125

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

static int emit_exit(struct mb_reporter *rep, const struct mb_relay_result *res)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return -ENOMEM;
	cJSON_AddNumberToObject(o, "status", res->status);
	cJSON_AddNumberToObject(o, res->signaled ? "signal" : "code", res->code);
	int r = mb_reporter_emit(rep, "exit", o);
	cJSON_Delete(o);
	return r;
}

/* The correlator's reports: a line that cannot be written stops the
 * server at once (fail closed), before it can do more unreported. */
struct corr_report {
	struct mb_reporter *rep;
	int pidfd;
};

static int corr_report_cb(void *ud, const char *event, const cJSON *fields)
{
	struct corr_report *cr = ud;
	int r = mb_reporter_emit(cr->rep, event, fields);
	if (r < 0)
		(void)syscall(SYS_pidfd_send_signal, cr->pidfd, SIGKILL, NULL, 0);
	return r;
}

/* The broker's hooks, answered by the correlator (correlate.h): the
 * grants in force and the static union, and its violation lines. */
static enum mb_net_grant broker_granted(void *ud, const struct mb_notified_op *op, enum mb_op o,
					const struct mb_addr *a)
{
	(void)op;
	struct mb_correlator *c = ud;
	return mb_correlator_addr_in_force(c, o, a)   ? MB_NET_GRANTED
	       : mb_correlator_addr_in_union(c, o, a) ? MB_NET_GRANTED_STATIC
						      : MB_NET_NOT_GRANTED;
}

static int broker_report(void *ud, const struct mb_notified_op *op, enum mb_op o,
			 const struct mb_addr *a, const struct mb_net_outcome *out)
{
	return mb_correlator_report_addr(ud, op, o, a, out->host_only ? MB_PRESENT_HOST : MB_PRESENT,
					 out->allowed, out->reason);
}

/* Who answers the notifier: the broker every connect, bind and addressed
 * send on an IPv4/IPv6 socket (it applies the network rule and makes what
 * leaves the sandbox, asking the correlator about grants and reports), the
 * correlator everything else. */
struct deciders {
	struct mb_broker *broker;
	struct mb_correlator *corr;
};

static struct mb_answer decide(const struct mb_notified_op *op, void *ud)
{
	struct deciders *d = ud;
	if (mb_broker_handles(op))
		return mb_broker_decide(d->broker, op);
	return mb_correlate(op, d->corr);
}

struct notify_setup {
	struct mb_notifier *n;
	struct mb_correlator *corr; /* or the learner */
	struct mb_broker *broker;
	struct mb_learner *learn;
	struct mb_notifier_io nw;
	int pidfd;
};

/* The relay's setup hook: the listener joins the event loop, the
 * correlator (or the learner) sees the inspector's requests in flight, and
 * the broker waits for blocking connects in the loop. */
static int notify_setup(void *ud, struct mb_loop *loop, struct mb_inspector *ins)
{
	struct notify_setup *ns = ud;
	if (ns->corr)
		mb_correlator_attach(ns->corr, mb_inspector_inflight(ins), loop);
	if (ns->broker)
		mb_broker_set_loop(ns->broker, loop);
	if (ns->learn)
		mb_learner_attach(ns->learn, mb_inspector_inflight(ins));
	return mb_notifier_io_add(&ns->nw, loop, ns->n, ns->pidfd);
}

static int command_status(void *ud, int *ret_wstatus)
{
	return mb_sandbox_command_status(ud, ret_wstatus);
}

/* A server that was started but cannot be reported on is stopped. */
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

static void kill_and_reap(struct mb_sandbox *sb)
{
	(void)syscall(SYS_pidfd_send_signal, sb->pidfd, SIGKILL, NULL, 0);
	siginfo_t si;
	(void)waitid(P_PID, (id_t)sb->pid, &si, WEXITED);
}

/* learn: NULL, or learn mode's learner, which then takes the correlator's
 * place (every operation is recorded and continued) and sees every frame. */
static int run(const struct mb_options *o, const struct mb_profile *p, const struct mb_plan *plan,
	       struct mb_learner *learn)
{
	struct mb_error err = { 0 };
	_cleanup_(mb_reporter_closep) struct mb_reporter *rep = NULL;
	int r = mb_reporter_open(o->report ? o->report : "-", p->name ? p->name : "", p->mode, &rep,
				 &err);
	if (r < 0) {
		fprintf(stderr, "membrane-run: %s\n", err.msg);
		return EXIT_MEMBRANE;
	}
	struct mb_sandbox_config cfg = {
		.plan = plan,
		.argv = o->argv,
		.require_landlock = MB_MAX(o->require_landlock, p->require_landlock),
		.best_effort = o->best_effort,
		.set_user = o->user_set,
		.uid = o->uid,
		.gid = o->gid,
		.want_listener = true,
	};
	warn_landlock_gaps(plan, o->best_effort);
	struct mb_sandbox sb;
	r = mb_sandbox_spawn(&cfg, &sb, &err);
	if (r < 0) {
		if (r == -ENOENT || r == -EACCES)
			hint_missing_command(&err, o->argv[0]);
		fprintf(stderr, "membrane-run: %s\n", err.msg);
		emit_error(rep, err.msg);
		return r == -ENOENT ? 127 : (r == -EACCES || r == -ENOEXEC) ? 126 : EXIT_MEMBRANE;
	}
	if (sb.no_namespaces[0])
		fprintf(stderr, "membrane-run: warning: running without namespaces (--best-effort): %s\n",
			sb.no_namespaces);
	/* The server waits at its first watched call until we answer: from
	 * here on, every path out of this function kills it or serves it. One
	 * root for all: pivot_root is done and the baseline forbids another. */
	_cleanup_(mb_correlator_freep) struct mb_correlator *corr = NULL;
	_cleanup_(mb_notifier_freep) struct mb_notifier *notifier = NULL;
	struct corr_report cr = { .rep = rep, .pidfd = sb.pidfd };
	struct mb_correlator_config ccfg = {
		.profile = p,
		.cwd = plan->cwd,
		.report_probes = o->report_probes,
		.report = corr_report_cb,
		.report_ud = &cr,
	};
	_cleanup_(mb_broker_freep) struct mb_broker *broker = NULL;
	struct deciders dd = { 0 };
	struct mb_notifier_opts nopts = { .root_fd = -1, .one_root = true };
	/* Learning records every operation and answers it itself: no
	 * correlator, no broker. */
	r = learn ? 0 : mb_correlator_new(&ccfg, &corr, &err);
	if (r == 0 && !learn) {
		struct mb_broker_config bcfg = {
			.network = plan->network,
			.mode = p->mode,
			.hooks = { .granted = broker_granted, .report = broker_report, .ud = corr },
		};
		r = mb_broker_new(&bcfg, &broker, &err);
	}
	if (r == 0) {
		dd = (struct deciders){ .broker = broker, .corr = corr };
		r = mb_notifier_new(TAKE_FD(sb.listener_fd), &nopts, learn ? mb_learner_decide : decide,
				    learn ? (void *)learn : (void *)&dd, &notifier, &err);
	} else {
		mb_close(TAKE_FD(sb.listener_fd));
	}
	if (r < 0) {
		fprintf(stderr, "membrane-run: %s: stopping the server\n", err.msg);
		emit_error(rep, err.msg);
		kill_and_reap(&sb);
		mb_sandbox_close(&sb);
		return EXIT_MEMBRANE;
	}
	sb.layers.seccomp_notify_sync = mb_notifier_sync_wake_up(notifier);
	if (broker)
		mb_broker_set_listener(broker, mb_notifier_fd(notifier));
	if (emit_start(rep, &sb, o->argv) < 0) {
		fprintf(stderr, "membrane-run: cannot write the start report: stopping the server\n");
		kill_and_reap(&sb);
		mb_sandbox_close(&sb);
		return EXIT_MEMBRANE;
	}
	struct mb_relay_config rc = {
		.profile = p,
		.cwd = plan->cwd,
		.grace_ms = o->grace_ms,
		.max_message = o->max_message,
		.call_timeout_ms = o->call_timeout_ms,
		.pid = sb.pid,
		.pidfd = sb.pidfd,
		.command_status = command_status,
		.command_status_ud = &sb,
		.server_stdin = sb.stdin_fd,
		.server_stdout = sb.stdout_fd,
		.server_stderr = sb.stderr_fd,
		.client_in = STDIN_FILENO,
		.client_out = STDOUT_FILENO,
		.report = report_cb,
		.report_ud = rep,
	};
	struct notify_setup ns = {
		.n = notifier, .corr = corr, .broker = broker, .learn = learn, .pidfd = sb.pidfd
	};
	rc.setup = notify_setup;
	rc.setup_ud = &ns;
	if (learn) {
		rc.tap = mb_learner_frame;
		rc.tap_ud = learn;
		rc.stop_on_signal = true;
	}
	struct mb_relay_result res;
	r = mb_relay_run(&rc, &res);
	/* The relay closed the server's stdin; the rest are ours to close. The
	 * inspector and the loop are gone: the counts still pending are
	 * written now, before "exit". */
	sb.stdin_fd = -1;
	if (learn)
		mb_learner_attach(learn, NULL);
	if (broker)
		mb_broker_set_loop(broker, NULL);
	if (corr)
		mb_correlator_attach(corr, NULL, NULL);
	if (corr && mb_correlator_flush(corr) < 0 && r == 0) {
		kill_and_reap(&sb);
		res.report_failed = true;
	}
	if (r < 0) {
		fprintf(stderr, "membrane-run: event loop: %s\n", strerror(-r));
		kill_and_reap(&sb);
		mb_sandbox_close(&sb);
		return EXIT_MEMBRANE;
	}
	mb_sandbox_close(&sb);
	if (res.report_failed) {
		fprintf(stderr, "membrane-run: a report could not be written: the server was stopped\n");
		return EXIT_MEMBRANE;
	}
	if (emit_exit(rep, &res) < 0)
		fprintf(stderr, "membrane-run: cannot write the exit report\n");
	return res.status;
}

int mb_run(const struct mb_options *o, const struct mb_profile *p, const struct mb_plan *plan)
{
	return run(o, p, plan, NULL);
}

int mb_run_learn(const struct mb_options *o, const struct mb_profile *p,
		 const struct mb_plan *plan, struct mb_learner *learn)
{
	return run(o, p, plan, learn);
}
