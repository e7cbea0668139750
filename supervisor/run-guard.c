/* SPDX-License-Identifier: Apache-2.0 */
/* The guard: the correlator, the broker and the sandbox's resolver
 * behind membrane-run's backend interface (see run-guard.h). They are made
 * at start, when the reporter and the server exist, and live until
 * mb_run() returned. The run's record (supervisor/record/record.h) rides
 * along: made before the server starts (what it needs -- a baseline, the
 * control socket -- refuses the run when missing), it wraps each decision
 * and watches the calls. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "policy/addr-class.h"
#include "report/report.h"
#include "common/loop.h"
#include "sandbox/sandbox.h"
#include "supervisor/broker/broker.h"
#include "supervisor/guard/denials.h"
#include "supervisor/guard/linger.h"
#include "supervisor/notify/correlate.h"
#include "supervisor/resolve/resolve.h"
#include "supervisor/record/record.h"
#include "supervisor/run-guard.h"
#include "supervisor/run.h"

struct guard {
	const struct mb_profile *profile;
	const struct mb_plan *plan;
	bool report_probes;
	struct mb_reporter *rep; /* from start on */
	int pidfd;
	struct mb_correlator *corr;
	struct mb_broker *broker;
	struct mb_linger *linger;
	struct mb_denial_log *denials;
	const struct mb_inflight *inflight;
	struct mb_resolver *resolver;
	/* The name a violation line being written carries beside its target
	 * (a connect to an address answered for it), or NULL. */
	const char *line_name;
	struct mb_record *rec;
};

/* "name" right after "target": the correlator builds the line, the name
 * is the resolver's to know. What follows target moves behind name, each
 * member keeping its key (cJSON_AddItemToArray leaves it). The correlator
 * keeps the object for its count line, which so says the name too. */
static void add_name(cJSON *fields, const char *name)
{
	cJSON *target = cJSON_GetObjectItemCaseSensitive(fields, "target");
	if (!target || !cJSON_AddStringToObject(fields, "name", name))
		return;
	cJSON *item = target->next;
	while (item && !(item->string && strcmp(item->string, "name") == 0)) {
		cJSON *next = item->next;
		cJSON_AddItemToArray(fields, cJSON_DetachItemViaPointer(fields, item));
		item = next;
	}
}

/* The correlator's reports: a line that cannot be written stops the
 * server at once (fail closed), before it can do more unreported. A
 * denial is also told to its call and on stderr, and quiet noise is
 * counted instead (supervisor/guard/denials.h). */
static int corr_report(void *ud, const char *event, const cJSON *fields)
{
	struct guard *g = ud;
	if (g->line_name && !cJSON_GetObjectItemCaseSensitive(fields, "name"))
		add_name((cJSON *)fields, g->line_name);
	if (mb_denials_seen(g->denials, event, fields))
		return 0;
	int r = mb_reporter_emit(g->rep, event, fields);
	if (r < 0)
		(void)syscall(SYS_pidfd_send_signal, g->pidfd, SIGKILL, NULL, 0);
	return r;
}

/* The broker's hooks, answered by the correlator (correlate.h): the
 * grants in force and the static union, and its violation lines; and by
 * the resolver: what names say of an address. */
static enum mb_net_grant broker_granted(void *ud, const struct mb_notified_op *op, enum mb_op o,
					const struct mb_addr *a)
{
	(void)op;
	struct guard *g = ud;
	return mb_correlator_addr_in_force(g->corr, o, a)   ? MB_NET_GRANTED
	       : mb_correlator_addr_in_union(g->corr, o, a) ? MB_NET_GRANTED_STATIC
							    : MB_NET_NOT_GRANTED;
}

static enum mb_net_grant grant_of(enum mb_name_scope s)
{
	return s == MB_SCOPE_IN_FORCE ? MB_NET_GRANTED
	       : s == MB_SCOPE_STATIC ? MB_NET_GRANTED_STATIC
				      : MB_NET_NOT_GRANTED;
}

static void broker_names(void *ud, const struct mb_notified_op *op, enum mb_op o,
			 const struct mb_addr *a, struct mb_net_names *ret)
{
	(void)op;
	struct guard *g = ud;
	*ret = (struct mb_net_names){ .resolver = mb_resolver_is_self(g->resolver, a) };
	ret->grant = grant_of(mb_resolver_grant(g->resolver, o, a, &ret->name));
	ret->expired = ret->name && ret->grant == MB_NET_NOT_GRANTED &&
		       !mb_resolver_live(g->resolver, a);
	if (mb_addr_classify(a) == MB_CLASS_METADATA)
		ret->exact = grant_of(mb_resolver_literal(g->resolver, o, a));
}

static int broker_report(void *ud, const struct mb_notified_op *op, enum mb_op o,
			 const struct mb_notified_target *t, const struct mb_net_outcome *out)
{
	struct guard *g = ud;
	g->line_name = out->name;
	int r = mb_correlator_report_target(g->corr, op, o, t, out->allowed, out->reason);
	g->line_name = NULL;
	return r;
}

/* A question the resolver refused (or, in audit mode, answered for a
 * scope not in force): a violation line through the correlator, with the
 * requests in flight, as op resolve whose target is the name. No system
 * call and no process carries a DNS question: syscall is "dns", pid 0;
 * presence "sandbox", where it was asked. */
static int resolver_report(void *ud, const char *target, bool allowed, const char *reason)
{
	struct guard *g = ud;
	static const struct mb_watch_syscall dns = { .name = "dns", .nr = -1 };
	struct mb_notified_op op = { .sc = &dns };
	struct mb_notified_target t = { .kind = MB_TARGET_NONE, .presence = MB_PRESENT,
					.path = target };
	return mb_correlator_report_target(g->corr, &op, MB_OP_RESOLVE, &t, allowed, reason);
}

/* For the call record: the name an address was answered for (the
 * resolver exists once the guard has started). */
static const char *answered_name(void *ud, const struct mb_addr *a)
{
	struct guard *g = ud;
	return g->resolver ? mb_resolver_name(g->resolver, a) : NULL;
}

/* The tables: nothing here reports or needs the sandbox. */
static int guard_prepare(void *self, struct mb_error *err)
{
	struct guard *g = self;
	int r = mb_linger_new(g->profile, g->plan->cwd, &g->linger);
	if (r == 0)
		r = mb_denials_new(g->profile, stderr, &g->denials);
	if (r < 0)
		return mb_error_set(err, r, "the guard: %s", strerror(-r));
	struct mb_correlator_config ccfg = {
		.profile = g->profile,
		.cwd = g->plan->cwd,
		.home = getenv("HOME"),
		.report_probes = g->report_probes,
		.report = corr_report,
		.report_ud = g,
		.also_allows = mb_linger_allows,
		.also_ud = g->linger,
	};
	r = mb_correlator_new(&ccfg, &g->corr, err);
	if (r < 0)
		return r;
	struct mb_broker_config bcfg = {
		.network = g->plan->network,
		.mode = g->profile->mode,
		.hooks = { .granted = broker_granted, .report = broker_report, .names = broker_names,
			   .ud = g },
	};
	return mb_broker_new(&bcfg, &g->broker, err);
}

static int guard_start(void *self, const struct mb_run_session *s, struct mb_error *err)
{
	struct guard *g = self;
	g->rep = s->rep;
	g->pidfd = s->pidfd;
	struct mb_resolver_config rcfg = {
		.profile = g->profile,
		.udp_fd = s->resolver_fd[0],
		.tcp_fd = s->resolver_fd[1],
		.addr = s->resolver,
		.report = resolver_report,
		.report_ud = g,
	};
	/* It owns the resolver's sockets from here, whatever fails. */
	int r = mb_resolver_new(&rcfg, &g->resolver, err);
	if (r < 0)
		return r;
	mb_broker_set_listener(g->broker, s->listener);
	mb_record_start(g->rec, s->pidfd, mb_reporter_session(s->rep));
	return 0;
}

/* Who answers the notifier: the record first, for a decoy, a budget or a
 * server being stopped; then the broker every network call but those to an
 * AF_UNIX or other family's address (it applies the network rule and
 * performs what it allows, asking the correlator about grants and
 * reports), and those too when they are made on an IPv4 or IPv6 socket;
 * the correlator everything else. The record then hears the answer: what
 * was done during the calls in flight. */
static struct mb_answer guard_decide(const struct mb_notified_op *op, void *self)
{
	struct guard *g = self;
	struct mb_answer a;
	if (!mb_record_before(g->rec, op, &a)) {
		if (mb_broker_handles(op)) {
			a = mb_broker_decide(g->broker, op);
		} else if (!mb_broker_foreign(g->broker, op, &a)) {
			mb_linger_note(g->linger, op, g->inflight, mb_now_ns());
			a = mb_correlate(op, g->corr);
		}
	}
	mb_record_after(g->rec, op, a);
	return a;
}

/* guard_decide's pure twin, for the notifier's fast opens. */
static bool guard_allows(const struct mb_notified_op *op, void *self)
{
	struct guard *g = self;
	struct mb_answer a;
	return !mb_broker_handles(op) && !mb_broker_foreign(g->broker, op, &a) &&
	       mb_correlate_allows(op, g->corr);
}

/* The correlator sees the requests in flight and ends each second of
 * repeats on the loop's timer; the broker waits for blocking connects. */
static void guard_attach(void *self, const struct mb_inflight *inflight, struct mb_loop *loop)
{
	struct guard *g = self;
	g->inflight = inflight;
	mb_denials_attach(g->denials, inflight);
	mb_correlator_attach(g->corr, inflight, loop);
	mb_broker_set_loop(g->broker, loop);
	mb_resolver_attach(g->resolver, inflight, loop);
	mb_record_attach(g->rec, inflight, loop);
}

static void guard_tap(void *self, enum mb_side from, const struct mb_frame *f)
{
	struct guard *g = self;
	mb_record_tap(g->rec, from, f);
}

static const struct mb_inspector_hooks *guard_hooks(void *self)
{
	struct guard *g = self;
	return mb_record_hooks(g->rec);
}

/* Connects still waiting are given up (the server is gone), and the
 * counts of repeats still pending are written. */
static int guard_stop(void *self)
{
	struct guard *g = self;
	mb_broker_set_loop(g->broker, NULL);
	mb_resolver_attach(g->resolver, NULL, NULL);
	g->inflight = NULL;
	mb_denials_attach(g->denials, NULL);
	mb_correlator_attach(g->corr, NULL, NULL);
	mb_record_attach(g->rec, NULL, NULL);
	return mb_correlator_flush(g->corr);
}

/* The exit report counts the quiet noise. */
static void guard_exit_report(void *self, cJSON *fields)
{
	struct guard *g = self;
	uint64_t n = g->denials ? mb_denials_quiet(g->denials) : 0;
	if (n || g->profile->quiet_pos.line)
		cJSON_AddNumberToObject(fields, "quiet", (double)n);
}

static const struct mb_run_backend guard_backend = {
	.prepare = guard_prepare,
	.start = guard_start,
	.decide = guard_decide,
	.allows = guard_allows,
	.attach = guard_attach,
	.tap = guard_tap,
	.hooks = guard_hooks,
	.stop = guard_stop,
	.exit_report = guard_exit_report,
};

int mb_guard_run(const struct mb_options *o, const struct mb_profile *p, const struct mb_plan *plan)
{
	struct guard g = { .profile = p, .plan = plan, .report_probes = o->report_probes, .pidfd = -1 };
	/* Under --listen each session is a membrane-run of its own, given the
	 * front's options: each gets its own control socket, PATH.SESSION. */
	_cleanup_free_ char *control = NULL;
	if (o->control && o->http.report_session &&
	    asprintf(&control, "%s.%s", o->control, o->http.report_session) < 0) {
		fprintf(stderr, "membrane-run: out of memory\n");
		return MB_EXIT_MEMBRANE;
	}
	if (o->control && !control && !(control = strdup(o->control))) {
		fprintf(stderr, "membrane-run: out of memory\n");
		return MB_EXIT_MEMBRANE;
	}
	struct mb_record_config rcfg = {
		.profile = p,
		.plan = plan,
		.scope = o->record_set ? o->record : p->record,
		.baseline = o->baseline,
		.control = control,
		.grace_ms = o->grace_ms,
		.report = corr_report,
		.report_ud = &g,
		.name_of = answered_name,
		.name_ud = &g,
	};
	struct mb_error err = { 0 };
	if (mb_record_new(&rcfg, &g.rec, &err) < 0) {
		fprintf(stderr, "membrane-run: %s\n", err.msg);
		return MB_EXIT_MEMBRANE;
	}
	int status = mb_run(o, p, plan, &guard_backend, &g);
	/* The broker's hooks answer from the correlator: it goes first. */
	mb_broker_free(g.broker);
	mb_resolver_free(g.resolver);
	mb_correlator_free(g.corr);
	mb_linger_free(g.linger);
	mb_denials_free(g.denials);
	mb_record_free(g.rec);
	return status;
}
