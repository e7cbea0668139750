/* SPDX-License-Identifier: Apache-2.0 */
/* membrane-run: parse the command line, load the profile, and either check
 * it, explain it, or run the server under the supervisor. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/lint.h"
#include "policy/plan.h"
#include "policy/profile.h"
#include "sandbox/sandbox.h"
#include "supervisor/doctor.h"
#include "supervisor/explain.h"
#include "supervisor/http/http.h"
#include "supervisor/learn/learn-run.h"
#include "supervisor/profile-lookup.h"
#include "supervisor/options.h"
#include "supervisor/run-guard.h"
#include "supervisor/test-profile.h"

extern char **environ;

static int load_profile(const struct mb_options *o, struct mb_profile **ret, char **ret_path)
{
	struct mb_error err = { 0 };
	_cleanup_free_ char *path = NULL;
	int r = mb_profile_lookup(o->profile, &path, &err);
	if (r < 0) {
		fprintf(stderr, "membrane-run: %s\n", err.msg);
		return r;
	}
	/* Fragments: runtimes/NAME.yml beside the profile first (the loader
	 * does that), then beside the profiles of the search path. */
	const char *const *dirs = mb_profile_dirs();
	struct mb_load_opts lo = {
		.sets = o->sets.n ? o->sets.v : NULL,
		.include_dirs = dirs,
		.check_existence = true,
	};
	r = mb_profile_load(path, &lo, ret, &err);
	if (r < 0)
		fprintf(stderr, "membrane-run: %s\n", err.msg);
	else if (ret_path)
		*ret_path = TAKE_PTR(path);
	return r;
}

/* --doctor without --profile: the sandbox of a profile that grants nothing. */
static int load_empty_profile(struct mb_profile **ret)
{
	static const char text[] = "version: 1\nname: doctor\n";
	struct mb_error err = { 0 };
	struct mb_load_opts lo = { 0 };
	int r = mb_profile_load_buffer("(empty profile)", text, sizeof(text) - 1, &lo, ret, &err);
	if (r < 0)
		fprintf(stderr, "membrane-run: --doctor: %s\n", err.msg);
	return r;
}

/* --lint: one line per warning on stdout, "file:line:column: warning: ...". */
static int lint(const struct mb_profile *profile)
{
	mb_lint_vec warnings = { 0 };
	struct mb_lint_opts lo = { .home = getenv("HOME") };
	int r = mb_lint(profile, &lo, &warnings);
	if (r < 0) {
		fprintf(stderr, "membrane-run: --lint: out of memory\n");
		mb_lint_free(&warnings);
		return MB_EXIT_MEMBRANE;
	}
	mb_vec_foreach(w, &warnings)
		printf("%s:%u:%u: warning: %s\n", w->pos.file, w->pos.line, w->pos.column, w->msg);
	int status = warnings.n ? 1 : 0;
	mb_lint_free(&warnings);
	if (fflush(stdout) != 0) {
		fprintf(stderr, "membrane-run: --lint: cannot write the warnings: %m\n");
		return MB_EXIT_MEMBRANE;
	}
	return status;
}

/* --test-profile: TAP on stdout; 1 if any expectation fails. */
static int test_profile(const struct mb_profile *profile, const struct mb_plan *plan)
{
	int r = mb_selftest(profile, plan->cwd, stdout);
	if (r < 0) {
		fprintf(stderr, "membrane-run: --test-profile: %s\n", strerror(-r));
		return MB_EXIT_MEMBRANE;
	}
	if (fflush(stdout) != 0) {
		fprintf(stderr, "membrane-run: --test-profile: cannot write the report: %m\n");
		return MB_EXIT_MEMBRANE;
	}
	return r > 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct mb_options o;
	int r = mb_options_parse(argc, argv, &o);
	if (r < 0)
		return MB_EXIT_MEMBRANE;
	switch (o.action) {
	case MB_ACTION_HELP:
		mb_options_usage(stdout);
		return 0;
	case MB_ACTION_VERSION:
		printf("membrane-run %s\n", PACKAGE_VERSION);
		return 0;
	default:
		break;
	}
	if (o.learn) {
		r = mb_learn(&o);
		mb_options_free(&o);
		return r;
	}

	_cleanup_(mb_profile_freep) struct mb_profile *profile = NULL;
	_cleanup_free_ char *path = NULL;
	if (o.action == MB_ACTION_DOCTOR && !o.profile ? load_empty_profile(&profile) < 0
						       : load_profile(&o, &profile, &path) < 0) {
		mb_options_free(&o);
		return MB_EXIT_MEMBRANE;
	}
	/* --lint judges the profile as written, not as overridden. */
	if (o.mode_set && o.action != MB_ACTION_LINT)
		profile->mode = o.mode;

	struct mb_error err = { 0 };
	_cleanup_(mb_plan_freep) struct mb_plan *plan = NULL;
	r = mb_plan_compile(profile, environ, &plan, &err);
	if (r < 0) {
		fprintf(stderr, "membrane-run: %s\n", err.msg);
		mb_options_free(&o);
		return MB_EXIT_MEMBRANE;
	}

	int status = 0;
	switch (o.action) {
	case MB_ACTION_CHECK:
		break;
	case MB_ACTION_EXPLAIN:
		if (mb_explain(plan, stdout) < 0) {
			fprintf(stderr, "membrane-run: --explain: cannot write the plan: %m\n");
			status = MB_EXIT_MEMBRANE;
		}
		break;
	case MB_ACTION_TEST_PROFILE:
		status = test_profile(profile, plan);
		break;
	case MB_ACTION_LINT:
		status = lint(profile);
		break;
	case MB_ACTION_DOCTOR:
		status = mb_doctor(&o, o.profile ? profile : NULL, path, plan, stdout);
		break;
	default:
		/* --listen: a front that runs each session as this same
		 * command without --listen (supervisor/http/front.c). */
		status = mb_http_listening(&o.http) ? mb_http_serve(&o, argv, profile)
						    : mb_guard_run(&o, profile, plan);
		break;
	}
	mb_options_free(&o);
	return status;
}
