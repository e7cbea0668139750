/* membrane-run --learn DRAFT [--profile BASE] -- COMMAND: load BASE (or build
 * the learning default), make it audit-like, say what the sandbox allows,
 * run the server with the learner as its backend (supervisor/run-backend.h)
 * in the guard's place, and write the draft when it is over. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "policy/plan.h"
#include "sandbox/sandbox.h"
#include "supervisor/explain.h"
#include "supervisor/learn/learn-default.h"
#include "supervisor/learn/learn-run.h"
#include "supervisor/learn/learn.h"
#include "supervisor/profile-lookup.h"
#include "supervisor/resolve/resolve.h"
#include "supervisor/run.h"

extern char **environ;

/* The learner as membrane-run's backend: it answers every watched call
 * itself (recorded, then CONTINUE) and sees every frame. Beside it the
 * sandbox's resolver answers every name (answer_all), so that the server
 * gets as far as its connects, and tells the learner which name each
 * address was answered for: the draft grants names. */
struct learn_backend {
	struct mb_learner *l;
	const struct mb_profile *profile;
	struct mb_resolver *resolver;
};

static const char *addr_name(void *ud, const struct mb_addr *a)
{
	return mb_resolver_name(ud, a);
}

static bool addr_self(void *ud, const struct mb_addr *a)
{
	return mb_resolver_is_self(ud, a);
}

static int learner_start(void *self, const struct mb_run_session *s, struct mb_error *err)
{
	struct learn_backend *b = self;
	struct mb_resolver_config rc = {
		.profile = b->profile,
		.udp_fd = s->resolver_fd[0],
		.tcp_fd = s->resolver_fd[1],
		.addr = s->resolver,
		.answer_all = true,
	};
	int r = mb_resolver_new(&rc, &b->resolver, err);
	if (r == 0)
		mb_learner_set_names(b->l, addr_name, addr_self, b->resolver);
	return r;
}

static struct mb_answer learner_decide(const struct mb_notified_op *op, void *self)
{
	return mb_learner_decide(op, ((struct learn_backend *)self)->l);
}

static void learner_tap(void *self, enum mb_side from, const struct mb_frame *f)
{
	mb_learner_frame(((struct learn_backend *)self)->l, from, f);
}

static void learner_attach(void *self, const struct mb_inflight *inflight, struct mb_loop *loop)
{
	struct learn_backend *b = self;
	mb_learner_attach(b->l, inflight);
	mb_resolver_attach(b->resolver, inflight, loop);
}

static int learner_stop(void *self)
{
	struct learn_backend *b = self;
	mb_learner_attach(b->l, NULL);
	mb_resolver_attach(b->resolver, NULL, NULL);
	return 0;
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

	_cleanup_(mb_profile_freep) struct mb_profile *p = NULL;
	_cleanup_free_ char *base_path = NULL, *yaml = NULL, *summary = NULL;
	int r;
	if (o->profile) {
		r = mb_profile_lookup(o->profile, &base_path, &err);
		if (r == 0)
			r = mb_profile_load(base_path, &lo, &p, &err);
	} else {
		r = mb_learn_default(o->argv, environ, sets, cwd, home, &yaml, &summary);
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
	};
	_cleanup_(mb_learner_freep) struct mb_learner *l = NULL;
	r = mb_learner_new(&lc, &l, &err);
	if (r < 0) {
		fprintf(stderr, "membrane-run: %s\n", err.msg);
		return MB_EXIT_MEMBRANE;
	}
	struct learn_backend lb = { .l = l, .profile = p };
	int status = mb_run(o, p, plan, &learner_backend, &lb);
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
