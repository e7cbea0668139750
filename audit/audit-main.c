/* SPDX-License-Identifier: Apache-2.0 */
/* membrane-audit [options] [COMMAND] [REPORT-FILE...]
 * Reads Reports v1 (man/membrane-report.5); see man/membrane-audit.1. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

#include "audit/audit.h"

enum {
	OPT_SINCE = 0x100,
	OPT_UNTIL,
	OPT_PROFILE,
	OPT_TOOL,
	OPT_OP,
	OPT_DECISION,
	OPT_EVENT,
	OPT_SESSION,
	OPT_KIND,
	OPT_JSON,
	OPT_TOP,
	OPT_VERSION,
	OPT_OUTCOME,
	OPT_KEY,
	OPT_BY,
};

static const struct option long_options[] = {
	{ "since", required_argument, NULL, OPT_SINCE },
	{ "until", required_argument, NULL, OPT_UNTIL },
	{ "profile", required_argument, NULL, OPT_PROFILE },
	{ "tool", required_argument, NULL, OPT_TOOL },
	{ "op", required_argument, NULL, OPT_OP },
	{ "decision", required_argument, NULL, OPT_DECISION },
	{ "event", required_argument, NULL, OPT_EVENT },
	{ "session", required_argument, NULL, OPT_SESSION },
	{ "kind", required_argument, NULL, OPT_KIND },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "top", required_argument, NULL, OPT_TOP },
	{ "outcome", required_argument, NULL, OPT_OUTCOME },
	{ "key", required_argument, NULL, OPT_KEY },
	{ "by", required_argument, NULL, OPT_BY },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ 0 },
};


static void usage(FILE *f)
{
	fputs("Usage: membrane-audit [options] [COMMAND] [REPORT-FILE...]\n"
	      "Read membrane reports (standard input when no file is given).\n"
	      "\n"
	      "  summary            counts by event, profile, tool, op, decision, kind, and the\n"
	      "                     top targets (the default)\n"
	      "  list               one readable line per event\n"
	      "  verify             check every session's seq/prev chain; name the first\n"
	      "                     line removed, reordered or edited (--key: and signed)\n"
	      "  calls              the call record: one line per call, what it did\n"
	      "  timeline SESSION   one session's story in order: calls with what each\n"
	      "                     did, violations, refusals, limits, anomalies, decoys\n"
	      "  baseline           per-tool rates and volumes, as JSON for --baseline\n"
	      "  tools              per tool, across reports: calls, denials, volume\n"
	      "  sessions           per session: calls, violations, limits, anomalies,\n"
	      "                     decoy touches, exfiltrations, kills\n"
	      "\n"
	      "  --since WHEN       events at or after WHEN: RFC 3339 (2026-11-26T14:00:00Z,\n"
	      "                     2026-11-26) or a duration back from now (90s, 30m, 1h, 2d, 1w)\n"
	      "  --until WHEN       events before WHEN\n"
	      "  --profile NAME     events of this profile\n"
	      "  --tool NAME        events naming this tool among their requests\n"
	      "  --op OP            read, write, exec, connect, bind or syscall\n"
	      "  --decision D       denied or allowed\n"
	      "  --event E          start, violation, refused, exit, error, poisoning,\n"
	      "                     secret, call, limit, anomaly, decoy, exfiltration,\n"
	      "                     killed or checkpoint\n"
	      "  --kind K           poisoning and secret findings of this kind (directive-tag,\n"
	      "                     private-key, ...: membrane-report(5))\n"
	      "  --outcome O        calls: result, tool_error, rpc_error, refused, cancelled\n"
	      "                     or timeout\n"
	      "  --session ID       a session, or the start of its id\n"
	      "                     (a filter given twice matches either value)\n"
	      "  --key PUB          verify: check the signed checkpoints with this public key\n"
	      "  --by KEY           tools: order by calls, denials or volume (default calls)\n"
	      "  --json             JSON: list, calls and timeline print the report's own\n"
	      "                     lines, the other commands one object\n"
	      "  --top N            summary: how many targets to show (default 10);\n"
	      "                     tools, sessions: how many rows\n"
	      "  -h, --help         show this help, exit\n"
	      "      --version      show the version, exit\n"
	      "\n"
	      "Exit status: 0 ok; 1 verify found a broken chain, a bad or missing signature\n"
	      "or a malformed line; 2 usage or read error; 3 a command skipped malformed lines.\n"
	      "See membrane-audit(1) and membrane-report(5).\n",
	      f);
}

_printf_(1, 2) static int bad(const char *fmt, ...)
{
	va_list ap;
	fputs("membrane-audit: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (try --help)\n", stderr);
	return AUDIT_EXIT_USAGE;
}

static bool one_of(const char *v, const char *const *set)
{
	for (; *set; set++)
		if (strcmp(v, *set) == 0)
			return true;
	return false;
}

static char *join(const char *const *set, char *buf, size_t size)
{
	buf[0] = '\0';
	for (size_t i = 0; set[i]; i++) {
		strncat(buf, set[i], size - strlen(buf) - 1);
		if (set[i + 1])
			strncat(buf, set[i + 2] ? ", " : " or ", size - strlen(buf) - 1);
	}
	return buf;
}

int main(int argc, char **argv)
{
	struct audit_input in = { .top = 10 };
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	int64_t now_us = (int64_t)now.tv_sec * 1000000 + now.tv_nsec / 1000;
	int c, status = AUDIT_EXIT_USAGE;
	char buf[128];
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
		enum audit_key key;
		/* The values Reports v1 defines: a filter on anything else is a typo
		 * that would silently match nothing. */
		const char *const *set = NULL;
		const char *name;
		switch (c) {
		case OPT_SINCE:
		case OPT_UNTIL: {
			int64_t *t = c == OPT_SINCE ? &in.filter.since_us : &in.filter.until_us;
			if (audit_parse_when(optarg, now_us, t) < 0) {
				status = bad("%s %s: expected RFC 3339 (2026-11-26T14:03:11Z) or a "
					     "duration like 30m, 1h, 2d",
					     c == OPT_SINCE ? "--since" : "--until", optarg);
				goto out;
			}
			*(c == OPT_SINCE ? &in.filter.has_since : &in.filter.has_until) = true;
			continue;
		}
		case OPT_PROFILE: key = AUDIT_KEY_PROFILE; name = "--profile"; break;
		case OPT_TOOL: key = AUDIT_KEY_TOOL; name = "--tool"; break;
		case OPT_SESSION: key = AUDIT_KEY_SESSION; name = "--session"; break;
		case OPT_OP: key = AUDIT_KEY_OP; name = "--op"; set = mb_report_ops; break;
		case OPT_DECISION: key = AUDIT_KEY_DECISION; name = "--decision"; set = mb_report_decisions; break;
		case OPT_EVENT: key = AUDIT_KEY_EVENT; name = "--event"; set = mb_report_events; break;
		case OPT_KIND: key = AUDIT_KEY_KIND; name = "--kind"; set = mb_report_kinds; break;
		case OPT_OUTCOME: key = AUDIT_KEY_OUTCOME; name = "--outcome"; set = mb_report_outcomes; break;
		case OPT_KEY:
			in.key = optarg;
			continue;
		case OPT_BY: {
			static const char *const bys[] = { "calls", "denials", "volume", NULL };
			if (!one_of(optarg, bys)) {
				status = bad("--by %s: expected %s", optarg, join(bys, buf, sizeof(buf)));
				goto out;
			}
			in.by = optarg;
			continue;
		}
		case OPT_JSON:
			in.json = true;
			continue;
		case OPT_TOP: {
			char *end;
			errno = 0;
			unsigned long n = strtoul(optarg, &end, 10);
			if (*end || end == optarg || errno || n == 0 || n > 4096) {
				status = bad("--top %s: expected a number from 1 to 4096", optarg);
				goto out;
			}
			in.top = n;
			continue;
		}
		case 'h':
			usage(stdout);
			status = AUDIT_EXIT_OK;
			goto out;
		case OPT_VERSION:
			printf("membrane-audit %s\n", PACKAGE_VERSION);
			status = AUDIT_EXIT_OK;
			goto out;
		case ':':
			status = bad("%s needs a value", argv[optind - 1]);
			goto out;
		default:
			status = bad("unknown option %s", argv[optind - 1]);
			goto out;
		}
		if (set && !one_of(optarg, set)) {
			status = bad("%s %s: expected %s", name, optarg, join(set, buf, sizeof(buf)));
			goto out;
		}
		if (!*optarg) {
			status = bad("%s: the value is empty", name);
			goto out;
		}
		if (audit_filter_add(&in.filter, key, optarg) < 0) {
			fputs("membrane-audit: out of memory\n", stderr);
			goto out;
		}
	}

	static const struct {
		const char *name;
		int (*run)(const struct audit_input *in);
	} commands[] = {
		{ "summary", audit_summary }, { "list", audit_list },	    { "verify", audit_verify },
		{ "calls", audit_calls },     { "timeline", audit_timeline }, { "baseline", audit_baseline },
		{ "tools", audit_tools },     { "sessions", audit_sessions },
	};
	size_t cmd = 0;
	char **rest = argv + optind;
	size_t nrest = (size_t)(argc - optind);
	for (size_t i = 0; nrest && i < ARRAY_SIZE(commands); i++)
		if (strcmp(rest[0], commands[i].name) == 0) {
			cmd = i;
			rest++;
			nrest--;
			break;
		}
	const char *name = commands[cmd].name;
	if (strcmp(name, "timeline") == 0) {
		if (!nrest) {
			status = bad("timeline needs a SESSION (an id, or the start of one as list prints it)");
			goto out;
		}
		in.session = *rest++;
		nrest--;
	}
	in.files = rest;
	in.nfiles = nrest;
	if (in.key && strcmp(name, "verify") != 0) {
		status = bad("--key is for verify");
		goto out;
	}
	if (in.by && strcmp(name, "tools") != 0) {
		status = bad("--by is for tools");
		goto out;
	}
	/* A chain has to be read whole: a filtered one is broken. */
	if (strcmp(name, "verify") == 0 && !audit_filter_empty(&in.filter)) {
		status = bad("verify reads every line: it takes no filter");
		goto out;
	}
	status = commands[cmd].run(&in);
out:
	audit_filter_free(&in.filter);
	return status;
}
