/* SPDX-License-Identifier: Apache-2.0 */
/* membrane-run's command line (docs/design.md "Command line"; man/membrane-run.1). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/vec.h"
#include "policy/profile.h"
#include "supervisor/http/http-options.h"

enum mb_action {
	MB_ACTION_RUN,
	MB_ACTION_CHECK,
	MB_ACTION_EXPLAIN,
	MB_ACTION_TEST_PROFILE, /* --test-profile PROFILE */
	MB_ACTION_LINT,         /* --lint PROFILE */
	MB_ACTION_DOCTOR,       /* --doctor [--profile PROFILE] */
	MB_ACTION_HELP,
	MB_ACTION_VERSION,
};

struct mb_options {
	enum mb_action action;
	const char *profile;       /* as given: a path or a name */
	bool profile_own;          /* given by --test-profile or --lint */
	MB_VEC(const char *) sets; /* NAME=VALUE, NULL-terminated when n > 0 */
	const char *report;        /* NULL: stderr */
	bool mode_set;
	enum mb_mode mode;
	char *const *argv;         /* the command after "--" */
	uint64_t grace_ms;         /* --grace: after stdin's EOF, before SIGTERM */
	size_t max_message;        /* --max-message: longest line accepted */
	uint64_t call_timeout_ms;  /* --call-timeout: a request's window without
				      response or progress; 0: no limit */
	int require_landlock;      /* --require-landlock N: minimum ABI, 0 = none */
	bool best_effort;          /* --best-effort: run with what the kernel offers */
	bool report_probes;        /* --report-probes: report operations on paths
				      that exist nowhere too */
	const char *learn;         /* --learn DRAFT: learn mode, the draft's path */
	MB_VEC(const char *) within; /* --within DIR (learn): the bounds,
					NULL-terminated when n > 0 */
	bool user_set;             /* --user USER[:GROUP] (root only) */
	uid_t uid;
	gid_t gid;
	/* The security team's record (man/membrane-run.1, THE RECORD). */
	bool record_set;           /* --record: over the profile's record */
	enum mb_record_scope record;
	const char *baseline;      /* --baseline FILE: over anomaly.baseline */
	const char *control;       /* --control PATH: the kill switch's socket */
	const char *sign_key;      /* --sign-key KEY: sign checkpoints */
	unsigned checkpoint_every; /* --checkpoint-every N (0: the default) */
	struct mb_http_options http; /* --listen and its family */
};

/* Parse argv. Returns 0, or -EINVAL after printing one line that names the
 * bad argument and suggests --help. */
int mb_options_parse(int argc, char **argv, struct mb_options *ret);
void mb_options_free(struct mb_options *o);
void mb_options_usage(FILE *f);
