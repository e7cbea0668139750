/* SPDX-License-Identifier: Apache-2.0 */
/* membrane-run --learn DRAFT [--profile BASE] -- COMMAND: load BASE (or build
 * the learning default), make it audit-like, say what the sandbox allows,
 * run the server with the learner as its backend (supervisor/run-backend.h)
 * in the guard's place, and write the draft when it is over. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "policy/path.h"
#include "policy/plan.h"
#include "policy/resolve.h"
#include "sandbox/sandbox.h"
#include "supervisor/broker/broker.h"
#include "supervisor/explain.h"
#include "supervisor/learn/learn-default.h"
#include "supervisor/learn/learn-run.h"
#include "supervisor/learn/learn.h"
#include "supervisor/profile-lookup.h"
#include "supervisor/resolve/resolve.h"
#include "supervisor/run.h"

extern char **environ;

/* The learner as membrane-run's backend: it answers every watched call
 * itself (recorded, then CONTINUE) and sees every frame. Without BASE the
 * learning sandbox's network is brokered: a connection that an argument
 * of a call in flight, the command line or the environment names is made
 * by a broker on the host, so that the session sees a server's success
 * path (a fetch); anything else is refused (EPERM) and flagged. Beside it
 * the sandbox's resolver answers every name (answer_all), so that the
 * server gets as far as its connects, and tells the learner which name
 * each address was answered for: the draft grants names. */
struct learn_backend {
	struct mb_learner *l;
	const struct mb_profile *profile;
	bool brokered;
	struct mb_broker *broker;
	struct mb_resolver *resolver;
};

static enum mb_net_grant learn_granted(void *ud, const struct mb_notified_op *op, enum mb_op o,
				       const struct mb_addr *a)
{
	(void)op;
	return mb_learner_addr_named(ud, o, a) ? MB_NET_GRANTED : MB_NET_NOT_GRANTED;
}

/* The learner recorded the operation already. */
static int learn_net_report(void *ud, const struct mb_notified_op *op, enum mb_op o,
			    const struct mb_notified_target *t, const struct mb_net_outcome *out)
{
	(void)ud, (void)op, (void)o, (void)t, (void)out;
	return 0;
}

static const char *addr_name(void *ud, const struct mb_addr *a)
{
	return mb_resolver_name(ud, a);
}

static bool addr_self(void *ud, const struct mb_addr *a)
{
	return mb_resolver_is_self(ud, a);
}

static void name_asked(void *ud, const char *name)
{
	mb_learner_name_asked(ud, name);
}

static int learner_start(void *self, const struct mb_run_session *s, struct mb_error *err)
{
	struct learn_backend *lb = self;
	struct mb_resolver_config rc = {
		.profile = lb->profile,
		.udp_fd = s->resolver_fd[0],
		.tcp_fd = s->resolver_fd[1],
		.addr = s->resolver,
		.answer_all = true,
		.asked = name_asked,
		.asked_ud = lb->l,
	};
	/* First: it owns the resolver's sockets from here, whatever fails. */
	int r = mb_resolver_new(&rc, &lb->resolver, err);
	if (r < 0)
		return r;
	mb_learner_set_names(lb->l, addr_name, addr_self, lb->resolver);
	if (!lb->brokered)
		return 0;
	struct mb_broker_config bcfg = {
		.network = MB_NET_BROKERED,
		.mode = MB_MODE_ENFORCE, /* what nobody named stays out */
		.hooks = { .granted = learn_granted, .report = learn_net_report, .ud = lb->l },
	};
	r = mb_broker_new(&bcfg, &lb->broker, err);
	if (r == 0)
		mb_broker_set_listener(lb->broker, s->listener);
	return r;
}

static void learner_attach(void *self, const struct mb_inflight *inflight, struct mb_loop *loop)
{
	struct learn_backend *lb = self;
	mb_learner_attach(lb->l, inflight);
	if (lb->broker)
		mb_broker_set_loop(lb->broker, loop);
	mb_resolver_attach(lb->resolver, inflight, loop);
}

static int learner_stop(void *self)
{
	struct learn_backend *lb = self;
	if (lb->broker)
		mb_broker_set_loop(lb->broker, NULL);
	mb_resolver_attach(lb->resolver, NULL, NULL);
	mb_learner_attach(lb->l, NULL);
	return 0;
}

/* Who does an operation says which call it belongs to once the call is
 * over: the learner is told before it records (learn.h). */
static struct mb_answer learner_decide(const struct mb_notified_op *op, void *self)
{
	struct learn_backend *lb = self;
	mb_learner_set_op(lb->l, op);
	struct mb_answer a = mb_learner_decide(op, lb->l);
	if (lb->broker && mb_broker_handles(op))
		a = mb_broker_decide(lb->broker, op);
	mb_learner_set_op(lb->l, NULL);
	return a;
}

static void learner_tap(void *self, enum mb_side from, const struct mb_frame *f)
{
	mb_learner_frame(((struct learn_backend *)self)->l, from, f);
}

static const struct mb_run_backend learner_backend = {
	.start = learner_start,
	.decide = learner_decide,
	.attach = learner_attach,
	.tap = learner_tap,
	.stop = learner_stop,
	/* The draft is written after the server exits: a ^C must get there. */
	.stop_on_signal = true,
};

int mb_learn(const struct mb_options *o)
{
	struct mb_error err = { 0 };
	const char *const *sets = o->sets.n ? o->sets.v : NULL;
	struct mb_load_opts lo = {
		.sets = sets,
		.include_dirs = mb_profile_dirs(),
		.check_existence = true,
	};
	char cwd[PATH_MAX];
	if (!getcwd(cwd, sizeof(cwd)))
		snprintf(cwd, sizeof(cwd), "/");
	const char *home = getenv("HOME");

	/* --within: the bounds, canonical, each an existing directory. */
	char bounds_buf[16][PATH_MAX];
	const char *bounds[17] = { 0 };
	size_t nb = 0;
	for (size_t i = 0; i < o->within.n && o->within.v[i]; i++) {
		char abs[PATH_MAX];
		struct mb_resolved rs;
		if (nb == 16) {
			fprintf(stderr, "membrane-run: --within %s: at most 16 bounds (give their common directory)\n",
				o->within.v[i]);
			return MB_EXIT_MEMBRANE;
		}
		if (mb_path_absolute(o->within.v[i], cwd, abs, sizeof(abs)) < 0 ||
		    mb_path_resolve(abs, bounds_buf[nb], PATH_MAX, NULL, NULL, &rs) < 0 || !rs.exists ||
		    !rs.is_dir) {
			fprintf(stderr, "membrane-run: --within %s: not an existing directory (name the directory the server's arguments may reach)\n",
				o->within.v[i]);
			return MB_EXIT_MEMBRANE;
		}
		bounds[nb] = bounds_buf[nb];
		nb++;
	}

	_cleanup_(mb_profile_freep) struct mb_profile *p = NULL;
	_cleanup_free_ char *base_path = NULL, *yaml = NULL, *summary = NULL;
	int r;
	if (o->profile) {
		r = mb_profile_lookup(o->profile, &base_path, &err);
		if (r == 0)
			r = mb_profile_load(base_path, &lo, &p, &err);
	} else {
		r = mb_learn_default(o->argv, environ, sets, nb ? bounds : NULL, cwd, home, &yaml,
				     &summary);
		if (r < 0)
			mb_error_set(&err, r, "the learning default: %s", strerror(-r));
		else
			r = mb_profile_load_buffer("<learning default>", yaml, strlen(yaml), &lo, &p,
						   &err);
	}
	if (r < 0) {
		fprintf(stderr, "membrane-run: %s\n", err.msg);
		return MB_EXIT_MEMBRANE;
	}
	/* BASE's grants decide what the draft keeps; the sandbox runs it the
	 * way audit mode does, every tool listed and called. */
	const struct mb_profile *base = o->profile ? p : NULL;
	p->mode = MB_MODE_AUDIT;
	p->unlisted_tools = MB_UNLISTED_ALLOW;

	_cleanup_(mb_plan_freep) struct mb_plan *plan = NULL;
	r = mb_plan_compile(p, environ, &plan, &err);
	if (r < 0) {
		fprintf(stderr, "membrane-run: %s\n", err.msg);
		return MB_EXIT_MEMBRANE;
	}
	if (o->action == MB_ACTION_EXPLAIN) {
		if (mb_explain(plan, stdout) < 0) {
			fprintf(stderr, "membrane-run: --explain: cannot write the plan: %m\n");
			return MB_EXIT_MEMBRANE;
		}
		return 0;
	}
	if (base)
		fprintf(stderr,
			"membrane-run: learning into %s: the sandbox is BASE's (%s), every operation it allows is allowed and recorded\n",
			o->learn, base_path);
	else
		fprintf(stderr,
			"membrane-run: learning into %s: the sandbox is the learning default: %s; every operation it allows is allowed and recorded\n",
			o->learn, summary);

	struct mb_learner_config lc = {
		.base = base,
		.base_path = base_path,
		.profile = p,
		.plan = plan,
		.default_summary = summary,
		.argv = o->argv,
		.caller_cwd = cwd,
		.home = home,
		.sets = sets,
		.within = nb ? bounds : NULL,
	};
	_cleanup_(mb_learner_freep) struct mb_learner *l = NULL;
	r = mb_learner_new(&lc, &l, &err);
	if (r < 0) {
		fprintf(stderr, "membrane-run: %s\n", err.msg);
		return MB_EXIT_MEMBRANE;
	}
	struct learn_backend lb = { .l = l, .profile = p,
				    .brokered = !base && p->network == MB_NET_BROKERED };
	int status = mb_run(o, p, plan, &learner_backend, &lb);
	mb_broker_free(lb.broker);
	/* The draft asks the resolver no more: the addresses are text by now. */
	mb_learner_set_names(l, NULL, NULL, NULL);
	mb_resolver_free(lb.resolver);
	/* The server may not have run at all (126, 127, or membrane's own
	 * failure before it started): a draft is still written from what was
	 * seen, and says how little that was. */
	unsigned nlint = 0;
	r = mb_learner_write_draft(l, o->learn, &lo, &nlint, &err);
	if (r < 0) {
		fprintf(stderr, "membrane-run: %s\n", err.msg);
		return status ? status : MB_EXIT_MEMBRANE;
	}
	const struct mb_learn_stats *st = mb_learner_stats(l);
	fprintf(stderr,
		"membrane-run: draft written to %s: %llu requests (%llu tools/call), %llu targets recorded; %u lint warning%s noted in it\n",
		o->learn, (unsigned long long)st->requests, (unsigned long long)st->tool_calls,
		(unsigned long long)st->recorded, nlint, nlint == 1 ? "" : "s");
	return status;
}
