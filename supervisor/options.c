/* SPDX-License-Identifier: Apache-2.0 */
#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "supervisor/options.h"

enum {
	OPT_SET = 0x100,
	OPT_REPORT,
	OPT_MODE,
	OPT_CHECK,
	OPT_EXPLAIN,
	OPT_VERSION,
	OPT_GRACE,
	OPT_MAX_MESSAGE,
	OPT_CALL_TIMEOUT,
	OPT_TEST_PROFILE,
	OPT_LINT,
	OPT_REQUIRE_LANDLOCK,
	OPT_BEST_EFFORT,
	OPT_USER,
	OPT_REPORT_PROBES,
	OPT_LEARN,
	OPT_RECORD,
	OPT_BASELINE,
	OPT_CONTROL,
	OPT_SIGN_KEY,
	OPT_CHECKPOINT_EVERY,
	OPT_DOCTOR,
	OPT_WITHIN,
};

static const struct option long_options[] = {
	{ "profile", required_argument, NULL, 'p' },
	{ "set", required_argument, NULL, OPT_SET },
	{ "report", required_argument, NULL, OPT_REPORT },
	{ "mode", required_argument, NULL, OPT_MODE },
	{ "check", no_argument, NULL, OPT_CHECK },
	{ "explain", no_argument, NULL, OPT_EXPLAIN },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "grace", required_argument, NULL, OPT_GRACE },
	{ "max-message", required_argument, NULL, OPT_MAX_MESSAGE },
	{ "call-timeout", required_argument, NULL, OPT_CALL_TIMEOUT },
	{ "test-profile", required_argument, NULL, OPT_TEST_PROFILE },
	{ "lint", required_argument, NULL, OPT_LINT },
	{ "require-landlock", required_argument, NULL, OPT_REQUIRE_LANDLOCK },
	{ "best-effort", no_argument, NULL, OPT_BEST_EFFORT },
	{ "user", required_argument, NULL, OPT_USER },
	{ "report-probes", no_argument, NULL, OPT_REPORT_PROBES },
	{ "learn", required_argument, NULL, OPT_LEARN },
	{ "record", required_argument, NULL, OPT_RECORD },
	{ "baseline", required_argument, NULL, OPT_BASELINE },
	{ "control", required_argument, NULL, OPT_CONTROL },
	{ "sign-key", required_argument, NULL, OPT_SIGN_KEY },
	{ "checkpoint-every", required_argument, NULL, OPT_CHECKPOINT_EVERY },
	MB_HTTP_LONG_OPTIONS
	{ "doctor", no_argument, NULL, OPT_DOCTOR },
	{ "within", required_argument, NULL, OPT_WITHIN },
	{ 0 },
};

void mb_options_usage(FILE *f)
{
	fputs("Usage: membrane-run --profile PROFILE [options] -- COMMAND [ARG]...\n"
	      "       membrane-run --learn DRAFT [--profile BASE] [options] -- COMMAND [ARG]...\n"
	      "       membrane-run --test-profile PROFILE [--set NAME=VALUE]...\n"
	      "       membrane-run --lint PROFILE [--set NAME=VALUE]...\n"
	      "       membrane-run --doctor [--profile PROFILE [--set NAME=VALUE]...]\n"
	      "Run an MCP server in a sandbox shaped by the tools its profile declares.\n"
	      "\n"
	      "  -p, --profile PROFILE  a path, or NAME looked up as NAME.yml in\n"
	      "                         $XDG_CONFIG_HOME/membrane/profiles, " MB_SYSCONF_PROFILES_DIR ",\n"
	      "                         and " MB_PROFILES_DIR "\n"
	      "      --set NAME=VALUE   give a profile variable (repeatable)\n"
	      "      --report DEST      where reports go: a file (appended), '-' for stderr,\n"
	      "                         or 'syslog' (default: stderr)\n"
	      "      --mode MODE        enforce (default) or audit\n"
	      "      --report-probes    also report operations on paths that exist nowhere\n"
	      "                         (the kernel answers them ENOENT by itself)\n"
	      "      --grace SECONDS    after the client's EOF, wait this long before SIGTERM,\n"
	      "                         and as long again before SIGKILL (default 3)\n"
	      "      --max-message SIZE longest JSON-RPC line accepted, e.g. 16M (default)\n"
	      "      --call-timeout SECONDS  close a request's window for attribution after\n"
	      "                         this long without response or progress (default\n"
	      "                         300; 0: never)\n"
	      "      --require-landlock N  refuse to start below Landlock ABI N\n"
	      "      --best-effort      run with the layers this kernel offers (said in the\n"
	      "                         start report) instead of refusing\n"
	      "      --user USER[:GROUP]  run the server as USER (name or uid) when started\n"
	      "                         as root\n"
	      "      --record WHAT      a call line for: tools (each tools/call, the\n"
	      "                         default), all (every request) or none\n"
	      "      --baseline FILE    report calls that depart from this baseline\n"
	      "                         (membrane-audit baseline); over anomaly.baseline\n"
	      "      --control PATH     listen on this unix socket for 'kill' and 'status'\n"
	      "                         (SIGUSR1 kills too): refuse every further call and\n"
	      "                         stop the server\n"
	      "      --sign-key KEY     sign the report's chain with this Ed25519 key (a file,\n"
	      "                         or credential:NAME of systemd's LoadCredential=)\n"
	      "      --checkpoint-every N  lines between signed checkpoints (default 100)\n"
	      "      --learn DRAFT      run the server in learn mode: allow what the static\n"
	      "                         layer (BASE, or the learning default) allows, record\n"
	      "                         every operation, and write a draft profile to DRAFT\n"
	      "                         at exit\n"
	      "      --within DIR       with --learn: the bounds of what the server's\n"
	      "                         arguments may name (repeatable); what lies outside\n"
	      "                         is flagged in the draft, never granted\n"
	      "      --check            validate the profile, print nothing on success, exit\n"
	      "      --explain          print the compiled sandbox plan, exit\n"
	      "      --test-profile PROFILE\n"
	      "                         evaluate the profile's tests, print TAP, exit\n"
	      "                         (0: all pass, 1: a test fails, 125: a broken profile)\n"
	      "      --lint PROFILE     warn about grants that defeat the sandbox, exit\n"
	      "                         (0: clean, 1: warnings, 125: a broken profile)\n"
	      "      --doctor           say what this host gives membrane-run and, with\n"
	      "                         --profile, which layers a run of it would have; exit\n"
	      "                         (0: all of them, 1: --best-effort needed or refused)\n",
	      f);
	mb_http_options_usage(f);
	fputs("  -h, --help             show this help, exit\n"
	      "      --version          show the version, exit\n"
	      "\n"
	      "Exit status: the server's own; 128+N if it died of signal N; 125 membrane\n"
	      "failed; 126 command not executable; 127 command not found.\n"
	      "See membrane-run(1) and membrane-profile(5).\n",
	      f);
}

_printf_(1, 2) static int bad(const char *fmt, ...)
{
	va_list ap;
	fputs("membrane-run: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (try --help)\n", stderr);
	return -EINVAL;
}

/* --test-profile and --lint name the profile themselves: with --profile
 * too, which one was meant is unclear. */
static int profile_from(struct mb_options *o, const char *opt, bool own, const char *value)
{
	if (o->profile && (own || o->profile_own))
		return bad("%s %s: the profile is given twice (--test-profile and --lint take it: membrane-run --lint PROFILE)",
			   opt, value);
	o->profile = value;
	o->profile_own = own;
	return 0;
}

/* "3", "0.5": seconds, to milliseconds. */
static int parse_seconds(const char *s, uint64_t *ret)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || v < 0 || v > 86400)
		return -EINVAL;
	*ret = (uint64_t)(v * 1000.0 + 0.5);
	return 0;
}

/* "16M", "4096", "64K", "1G": bytes (binary units). */
static int parse_size(const char *s, size_t *ret)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || s[0] == '-')
		return -EINVAL;
	unsigned shift = 0;
	switch (*end) {
	case '\0': break;
	case 'K': case 'k': shift = 10; end++; break;
	case 'M': case 'm': shift = 20; end++; break;
	case 'G': case 'g': shift = 30; end++; break;
	default: return -EINVAL;
	}
	if (*end == 'i' && end[1] == 'B')
		end += 2;
	else if (*end == 'B')
		end++;
	if (*end || v == 0 || v > (SIZE_MAX >> 1 >> shift))
		return -EINVAL;
	*ret = (size_t)(v << shift);
	return 0;
}

/* A name or a number; "user:group" or the user's primary group. */
static int parse_id(const char *s, bool group, unsigned *ret)
{
	char *end;
	unsigned long n = strtoul(s, &end, 10);
	if (*s && !*end && n < (unsigned long)(uid_t)-1) {
		*ret = (unsigned)n;
		return 0;
	}
	if (group) {
		struct group *gr = getgrnam(s);
		if (!gr)
			return -ENOENT;
		*ret = gr->gr_gid;
	} else {
		struct passwd *pw = getpwnam(s);
		if (!pw)
			return -ENOENT;
		*ret = pw->pw_uid;
	}
	return 0;
}

static int parse_user(const char *arg, struct mb_options *o)
{
	char user[256];
	const char *colon = strchr(arg, ':');
	size_t n = colon ? (size_t)(colon - arg) : strlen(arg);
	if (!n || n >= sizeof(user) || (colon && !colon[1]))
		return bad("--user %s: expected USER or USER:GROUP", arg);
	memcpy(user, arg, n);
	user[n] = '\0';
	unsigned uid, gid;
	if (parse_id(user, false, &uid) < 0)
		return bad("--user %s: no such user %s", arg, user);
	if (colon) {
		if (parse_id(colon + 1, true, &gid) < 0)
			return bad("--user %s: no such group %s", arg, colon + 1);
	} else {
		struct passwd *pw = getpwuid(uid);
		if (!pw)
			return bad("--user %s: uid %u has no passwd entry: name the group too (USER:GROUP)",
				   arg, uid);
		gid = pw->pw_gid;
	}
	o->user_set = true;
	o->uid = uid;
	o->gid = gid;
	return 0;
}

int mb_options_parse(int argc, char **argv, struct mb_options *o)
{
	*o = (struct mb_options){
		.action = MB_ACTION_RUN,
		.grace_ms = 3000,
		.max_message = 16u << 20,
		.call_timeout_ms = 300000,
	};
	mb_http_options_init(&o->http);
	int c;
	/* '+': stop at the first non-option, so the command's own options are
	 * never taken for ours even without "--". ':' : report missing values. */
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+:p:h", long_options, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (profile_from(o, "--profile", false, optarg) < 0)
				return -EINVAL;
			break;
		case OPT_TEST_PROFILE:
		case OPT_LINT:
			if (profile_from(o, c == OPT_LINT ? "--lint" : "--test-profile", true, optarg) < 0)
				return -EINVAL;
			o->action = c == OPT_LINT ? MB_ACTION_LINT : MB_ACTION_TEST_PROFILE;
			break;
		case OPT_SET:
			if (!strchr(optarg, '=') || optarg[0] == '=')
				return bad("--set %s: expected NAME=VALUE", optarg);
			if (mb_vec_push(&o->sets, optarg) < 0)
				return -ENOMEM;
			break;
		case OPT_REPORT:
			if (!*optarg)
				return bad("--report: expected a file, '-' or 'syslog'");
			o->report = optarg;
			break;
		case OPT_MODE:
			if (strcmp(optarg, "enforce") == 0)
				o->mode = MB_MODE_ENFORCE;
			else if (strcmp(optarg, "audit") == 0)
				o->mode = MB_MODE_AUDIT;
			else
				return bad("--mode %s: expected enforce or audit", optarg);
			o->mode_set = true;
			break;
		case OPT_GRACE:
			if (parse_seconds(optarg, &o->grace_ms) < 0)
				return bad("--grace %s: expected a number of seconds", optarg);
			break;
		case OPT_CALL_TIMEOUT:
			if (parse_seconds(optarg, &o->call_timeout_ms) < 0)
				return bad("--call-timeout %s: expected a number of seconds (0: never)", optarg);
			break;
		case OPT_MAX_MESSAGE:
			if (parse_size(optarg, &o->max_message) < 0)
				return bad("--max-message %s: expected a size such as 16M or 65536", optarg);
			break;
		case OPT_CHECK:
			o->action = MB_ACTION_CHECK;
			break;
		case OPT_DOCTOR:
			o->action = MB_ACTION_DOCTOR;
			break;
		case OPT_EXPLAIN:
			o->action = MB_ACTION_EXPLAIN;
			break;
		case OPT_REQUIRE_LANDLOCK: {
			char *end;
			long n = strtol(optarg, &end, 10);
			if (!*optarg || *end || n < 1 || n > 99)
				return bad("--require-landlock %s: expected an ABI version, 1 or more", optarg);
			o->require_landlock = (int)n;
			break;
		}
		case OPT_BEST_EFFORT:
			o->best_effort = true;
			break;
		case OPT_REPORT_PROBES:
			o->report_probes = true;
			break;
		case OPT_LEARN:
			if (!*optarg)
				return bad("--learn: expected the path of the draft to write");
			o->learn = optarg;
			break;
		case OPT_WITHIN:
			if (!*optarg)
				return bad("--within: expected a directory");
			if (mb_vec_push(&o->within, optarg) < 0)
				return -ENOMEM;
			break;
		case OPT_USER:
			if (parse_user(optarg, o) < 0)
				return -EINVAL;
			break;
		case OPT_RECORD:
			if (strcmp(optarg, "tools") == 0)
				o->record = MB_RECORD_TOOLS;
			else if (strcmp(optarg, "all") == 0)
				o->record = MB_RECORD_ALL;
			else if (strcmp(optarg, "none") == 0)
				o->record = MB_RECORD_NONE;
			else
				return bad("--record %s: expected tools, all or none", optarg);
			o->record_set = true;
			break;
		case OPT_BASELINE:
		case OPT_CONTROL:
		case OPT_SIGN_KEY:
			if (!*optarg)
				return bad("%s: the value is empty", c == OPT_BASELINE ? "--baseline"
								     : c == OPT_CONTROL ? "--control"
											: "--sign-key");
			*(c == OPT_BASELINE ? &o->baseline : c == OPT_CONTROL ? &o->control
									      : &o->sign_key) = optarg;
			break;
		case OPT_CHECKPOINT_EVERY: {
			char *end;
			unsigned long n = strtoul(optarg, &end, 10);
			if (!*optarg || *end || n < 1 || n > 1000000)
				return bad("--checkpoint-every %s: expected a number of lines from 1 to 1000000",
					   optarg);
			o->checkpoint_every = (unsigned)n;
			break;
		}
		case 'h':
			o->action = MB_ACTION_HELP;
			return 0;
		case OPT_VERSION:
			o->action = MB_ACTION_VERSION;
			return 0;
		case ':':
			return bad("%s needs a value", argv[optind - 1]);
		default:
			if (c >= MB_HTTP_OPT_BASE && c < MB_HTTP_OPT_BASE + MB_HTTP_OPT_COUNT) {
				if (mb_http_option(&o->http, c, optarg, argv, optind) < 0)
					return -EINVAL;
				break;
			}
			return bad("unknown option %s", argv[optind - 1]);
		}
	}
	if (o->sets.n && mb_vec_push(&o->sets, NULL) < 0)
		return -ENOMEM;
	if (o->within.n && mb_vec_push(&o->within, NULL) < 0)
		return -ENOMEM;
	if (o->within.n && !o->learn)
		return bad("--within %s bounds what learn mode grants: use it with --learn (a profile says arguments.within)",
			   o->within.v[0]);
	if (o->learn) {
		if (o->action != MB_ACTION_RUN && o->action != MB_ACTION_EXPLAIN)
			return bad("--learn runs a server: it does not go with --check, --test-profile, --lint or --doctor");
		if (o->profile_own)
			return bad("--learn takes its BASE with --profile");
		if (o->mode_set)
			return bad("--learn allows what the static layer allows, as audit mode does: drop --mode");
		if (o->record_set || o->baseline || o->control)
			return bad("--record, --baseline and --control watch a profile's run: they do not go with --learn");
	}
	if (mb_http_options_check(&o->http, o->action == MB_ACTION_RUN, o->learn) < 0)
		return -EINVAL;
	if (o->action == MB_ACTION_DOCTOR && (o->learn || o->profile_own))
		return bad("--doctor takes its profile with --profile");
	if (!o->profile && !o->learn && o->action != MB_ACTION_DOCTOR)
		return bad("no profile given: use --profile PROFILE");
	o->argv = argv + optind;
	if (o->action == MB_ACTION_RUN && !o->argv[0])
		return bad("no command given: membrane-run --profile P -- COMMAND [ARG]...");
	static const char *const action_opt[] = {
		[MB_ACTION_CHECK] = "--check", [MB_ACTION_EXPLAIN] = "--explain",
		[MB_ACTION_TEST_PROFILE] = "--test-profile", [MB_ACTION_LINT] = "--lint",
		[MB_ACTION_DOCTOR] = "--doctor",
	};
	if (o->action != MB_ACTION_RUN && o->argv[0] && !o->learn)
		return bad("%s takes no command", action_opt[o->action]);
	return 0;
}

void mb_options_free(struct mb_options *o)
{
	mb_vec_free(&o->sets);
	mb_http_options_free(&o->http);
	mb_vec_free(&o->within);
}
