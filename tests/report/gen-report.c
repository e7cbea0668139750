/* SPDX-License-Identifier: Apache-2.0 */
/* gen-report: write a realistic report with the real reporter
 * (report/report.c), for membrane-audit's tests and its benchmark.
 *
 *   gen-report [-s SESSIONS] [-n EVENTS | -b BYTES] [-r SEED] [-t TARGETS]
 *              [-C] [-k KEY [-c N]] FILE
 *
 * SESSIONS reporters write to FILE at once, their lines interleaved as
 * concurrent membrane-run processes would; each session is a start, then
 * violations and refusals drawn from a seeded generator, then an exit.
 * -n: events per session (besides start and exit); -b: stop once FILE holds
 * BYTES. -t: how many distinct /srv/mcp/data-N paths to draw targets from.
 * -C: the second round's events too: call records (most lines), limits,
 * anomalies, decoy touches, exfiltrations, and a kill in the second session.
 * -k: sign the chain with the Ed25519 KEY, a checkpoint every N lines. */
#include <getopt.h>
#include <string.h>
#include <sys/stat.h>

#include "report/report.h"
#include "report/report-sign.h"

static uint64_t rng_state = 88172645463325252ull;

static uint64_t rnd(void)
{
	/* xorshift64: the same report for the same seed, everywhere. */
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static unsigned pick(unsigned n)
{
	return (unsigned)(rnd() % n);
}

struct profile {
	const char *name;
	const char *exe;
	const char *tools[4];
	const char *arg;
};

static const struct profile profiles[] = {
	{ "filesystem", "/usr/bin/node", { "read_text_file", "write_file", "list_directory", "move_file" }, "path" },
	{ "postgres", "/usr/bin/node", { "query", "list_tables", "describe_table", "query" }, "sql" },
	{ "fetch", "/usr/bin/python3", { "fetch", "fetch", "fetch_html", "fetch" }, "url" },
};

static const char *const secrets[] = {
	"/root/.ssh/id_rsa", "/etc/shadow", "/home/alice/.aws/credentials",
	"/home/alice/.config/gh/hosts.yml", "/proc/1/environ", "/var/lib/postgresql/15/main/pg_hba.conf",
};
static const char *const endpoints[] = {
	"169.254.169.254:80", "10.0.0.5:5432", "[2001:db8::1]:443", "203.0.113.7:22",
};

static cJSON *request(unsigned id, const struct profile *p, const char *tool, const char *argval)
{
	cJSON *r = cJSON_CreateObject();
	cJSON_AddNumberToObject(r, "id", id);
	cJSON_AddStringToObject(r, "method", "tools/call");
	cJSON_AddStringToObject(r, "tool", tool);
	cJSON *a = cJSON_AddObjectToObject(r, "arguments");
	cJSON_AddStringToObject(a, p->arg, argval);
	return r;
}

static cJSON *violation(const struct profile *p, unsigned *id, unsigned ntargets, bool audit)
{
	static const char *const ops[] = { "read", "read", "read", "write", "exec", "connect", "syscall" };
	const char *op = ops[pick(ARRAY_SIZE(ops))];
	char target[128], arg[128];
	const char *syscall;
	if (strcmp(op, "connect") == 0) {
		snprintf(target, sizeof(target), "%s", endpoints[pick(ARRAY_SIZE(endpoints))]);
		syscall = "connect";
	} else if (strcmp(op, "syscall") == 0) {
		snprintf(target, sizeof(target), "%s", pick(2) ? "ptrace" : "mount");
		syscall = target;
	} else if (strcmp(op, "exec") == 0) {
		snprintf(target, sizeof(target), "%s", pick(2) ? "/bin/sh" : "/usr/bin/curl");
		syscall = "execve";
	} else if (pick(3) == 0) {
		snprintf(target, sizeof(target), "%s", secrets[pick(ARRAY_SIZE(secrets))]);
		syscall = "openat";
	} else {
		snprintf(target, sizeof(target), "/srv/mcp/data-%u", pick(ntargets));
		syscall = strcmp(op, "write") == 0 ? "openat" : pick(2) ? "openat" : "statx";
	}
	cJSON *f = cJSON_CreateObject();
	cJSON_AddNumberToObject(f, "pid", 4000 + pick(64));
	cJSON_AddStringToObject(f, "exe", p->exe);
	cJSON_AddStringToObject(f, "op", op);
	cJSON_AddStringToObject(f, "syscall", syscall);
	cJSON_AddStringToObject(f, "target", target);
	cJSON_AddStringToObject(f, "decision", audit ? "allowed" : "denied");
	cJSON *reqs = cJSON_CreateArray();
	unsigned inflight = pick(4); /* 0: the server was idle */
	const char *first = NULL;
	for (unsigned i = 0; i < inflight && i < 2; i++) {
		const char *tool = p->tools[pick(4)];
		first = first ? first : tool;
		snprintf(arg, sizeof(arg), "/srv/mcp/notes-%u.txt", pick(100));
		cJSON_AddItemToArray(reqs, request(++*id, p, tool, arg));
	}
	char reason[160];
	if (first)
		snprintf(reason, sizeof(reason), "not granted to %s", first);
	else
		snprintf(reason, sizeof(reason), "no request in flight");
	cJSON_AddStringToObject(f, "reason", reason);
	cJSON_AddItemToObject(f, "requests", reqs);
	if (pick(5) == 0) /* repeats collapsed into one line, as the correlator writes them */
		cJSON_AddNumberToObject(f, "count", 2 + pick(9));
	return f;
}

static cJSON *refused(const struct profile *p, unsigned *id)
{
	cJSON *f = cJSON_CreateObject();
	bool undeclared = pick(2);
	const char *tool = undeclared ? "run_shell" : p->tools[pick(4)];
	cJSON_AddItemToObject(f, "request", request(++*id, p, tool,
						    undeclared ? "rm -rf /" : "/etc/passwd"));
	cJSON_AddStringToObject(f, "reason", undeclared ? "tool not declared by the profile"
						       : "argument path outside arguments.within");
	return f;
}

/* A call line: what a tools/call did, as supervisor/record writes it. */
static cJSON *call(const struct profile *p, unsigned *id)
{
	static const char *const outcomes[] = { "result", "result", "result", "result",
						"tool_error", "rpc_error", "timeout", "cancelled" };
	char arg[128];
	const char *tool = p->tools[pick(4)];
	snprintf(arg, sizeof(arg), "/srv/mcp/notes-%u.txt", pick(100));
	cJSON *f = cJSON_CreateObject();
	cJSON_AddItemToObject(f, "request", request(++*id, p, tool, arg));
	cJSON_AddStringToObject(f, "client", pick(2) ? "claude-desktop" : "inspector");
	cJSON_AddStringToObject(f, "started", "2026-11-26T14:03:11.000001Z");
	cJSON_AddNumberToObject(f, "duration_ms", (double)pick(100000) / 1000);
	const char *outcome = outcomes[pick(ARRAY_SIZE(outcomes))];
	cJSON_AddStringToObject(f, "outcome", outcome);
	if (strcmp(outcome, "rpc_error") == 0)
		cJSON_AddNumberToObject(cJSON_AddObjectToObject(f, "error"), "code", -32603);
	cJSON_AddNumberToObject(f, "bytes_in", 80 + pick(200));
	cJSON_AddNumberToObject(f, "bytes_out", 100 + pick(50000));
	cJSON *did = cJSON_AddObjectToObject(f, "did");
	static const char *const ops[] = { "read", "write", "exec", "connect" };
	for (size_t i = 0; i < ARRAY_SIZE(ops); i++) {
		cJSON *d = cJSON_AddObjectToObject(did, ops[i]);
		unsigned n = i == 0 ? pick(6) : pick(5) == 0 ? pick(3) : 0;
		cJSON_AddNumberToObject(d, "count", n);
		cJSON *t = cJSON_AddArrayToObject(d, "targets");
		for (unsigned k = 0; k < n && k < 5; k++) {
			char target[64];
			if (i == 3)
				snprintf(target, sizeof(target), "%s", endpoints[k % ARRAY_SIZE(endpoints)]);
			else
				snprintf(target, sizeof(target), "/srv/mcp/data-%u", k);
			cJSON_AddItemToArray(t, cJSON_CreateString(target));
		}
	}
	return f;
}

/* Now and then one of the other second-round events. */
static const char *other(const struct profile *p, unsigned *id, cJSON **ret)
{
	cJSON *f = cJSON_CreateObject();
	const char *tool = p->tools[pick(4)];
	switch (pick(4)) {
	case 0:
		cJSON_AddStringToObject(f, "budget", pick(2) ? "calls_per_minute" : "connects");
		cJSON_AddStringToObject(f, "scope", "tool");
		cJSON_AddStringToObject(f, "tool", tool);
		cJSON_AddNumberToObject(f, "limit", 10);
		cJSON_AddNumberToObject(f, "value", 11);
		cJSON_AddStringToObject(f, "decision", "denied");
		cJSON_AddItemToObject(f, "request", request(++*id, p, tool, "/srv/mcp/x"));
		*ret = f;
		return "limit";
	case 1:
		cJSON_AddStringToObject(f, "tool", tool);
		cJSON_AddStringToObject(f, "metric", "per_minute");
		cJSON_AddNumberToObject(f, "value", 40);
		cJSON_AddNumberToObject(f, "baseline", 4);
		cJSON_AddItemToObject(f, "request", request(++*id, p, tool, "/srv/mcp/x"));
		*ret = f;
		return "anomaly";
	case 2:
		cJSON_AddStringToObject(f, "op", "read");
		cJSON_AddStringToObject(f, "target", "/tmp/.aws/credentials");
		cJSON_AddStringToObject(f, "decision", "denied");
		cJSON *reqs = cJSON_AddArrayToObject(f, "requests");
		cJSON_AddItemToArray(reqs, request(++*id, p, tool, "/srv/mcp/x"));
		*ret = f;
		return "decoy";
	default:
		cJSON_AddStringToObject(f, "decoy", "/tmp/.aws/credentials");
		cJSON_AddStringToObject(f, "where", "result");
		cJSON_AddItemToObject(f, "request", request(++*id, p, tool, "/srv/mcp/x"));
		*ret = f;
		return "exfiltration";
	}
}

struct session {
	struct mb_reporter *r;
	const struct profile *p;
	bool audit;
	unsigned id, left;
	bool done;
};

static int emit(struct session *s, const char *event, cJSON *f)
{
	int e = mb_reporter_emit(s->r, event, f);
	cJSON_Delete(f);
	if (e < 0)
		fprintf(stderr, "gen-report: emit: %s\n", strerror(-e));
	return e;
}

int main(int argc, char **argv)
{
	unsigned nsess = 3, per = 100, ntargets = 1000;
	unsigned long long bytes = 0, every = 0;
	bool second = false;
	const char *keyfile = NULL;
	int c;
	while ((c = getopt(argc, argv, "s:n:b:r:t:Ck:c:")) != -1) {
		switch (c) {
		case 's': nsess = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'n': per = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'b': bytes = strtoull(optarg, NULL, 10); break;
		case 'r': rng_state ^= strtoull(optarg, NULL, 10) * 0x9e3779b97f4a7c15ull; break;
		case 't': ntargets = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'C': second = true; break;
		case 'k': keyfile = optarg; break;
		case 'c': every = strtoull(optarg, NULL, 10); break;
		default:
			fputs("usage: gen-report [-s SESSIONS] [-n EVENTS | -b BYTES] [-r SEED] [-t TARGETS] [-C] [-k KEY [-c N]] FILE\n", stderr);
			return 2;
		}
	}
	struct mb_report_key key;
	if (keyfile) {
		struct mb_error err = { 0 };
		if (mb_report_key_load(keyfile, true, &key, &err) < 0) {
			fprintf(stderr, "gen-report: %s\n", err.msg);
			return 1;
		}
	}
	if (optind != argc - 1 || nsess == 0 || ntargets == 0) {
		fputs("usage: gen-report [-s SESSIONS] [-n EVENTS | -b BYTES] [-r SEED] [-t TARGETS] FILE\n", stderr);
		return 2;
	}
	const char *file = argv[optind];
	struct session *s = calloc(nsess, sizeof(*s));
	for (unsigned i = 0; i < nsess; i++) {
		struct mb_error err = { 0 };
		s[i].p = &profiles[i % ARRAY_SIZE(profiles)];
		s[i].audit = i % 4 == 3;
		s[i].left = per;
		if (mb_reporter_open(file, s[i].p->name, s[i].audit ? MB_MODE_AUDIT : MB_MODE_ENFORCE,
				     &s[i].r, &err) < 0) {
			fprintf(stderr, "gen-report: %s\n", err.msg);
			return 1;
		}
		if (keyfile)
			mb_reporter_set_signer(s[i].r, &key, (unsigned)every);
		cJSON *f = cJSON_CreateObject();
		cJSON_AddNumberToObject(f, "pid", 4000 + i);
		cJSON *cmd = cJSON_AddArrayToObject(f, "command");
		cJSON_AddItemToArray(cmd, cJSON_CreateString(s[i].p->exe));
		cJSON_AddItemToArray(cmd, cJSON_CreateString("server.js"));
		cJSON_AddNumberToObject(f, "landlock_abi", 7);
		if (emit(&s[i], "start", f) < 0)
			return 1;
	}
	unsigned live = nsess;
	unsigned long long count = 0;
	bool stop_all = false;
	while (live) {
		for (unsigned i = 0; i < nsess; i++) {
			if (s[i].done)
				continue;
			if (bytes ? stop_all : s[i].left == 0) {
				cJSON *f;
				if (second && i == 1) {
					f = cJSON_CreateObject();
					cJSON *by = cJSON_AddObjectToObject(f, "by");
					cJSON_AddStringToObject(by, "via", "signal");
					cJSON_AddNumberToObject(by, "pid", 1);
					cJSON_AddStringToObject(f, "reason", "asked to stop");
					if (emit(&s[i], "killed", f) < 0)
						return 1;
				}
				f = cJSON_CreateObject();
				cJSON_AddNumberToObject(f, "status", 0);
				if (emit(&s[i], "exit", f) < 0 || mb_reporter_checkpoint(s[i].r) < 0)
					return 1;
				s[i].done = true;
				live--;
				continue;
			}
			s[i].left--;
			int e;
			unsigned roll = second ? pick(10) : 9;
			if (roll < 6) {
				e = emit(&s[i], "call", call(s[i].p, &s[i].id));
			} else if (roll == 6) {
				cJSON *f = NULL;
				const char *ev = other(s[i].p, &s[i].id, &f);
				e = emit(&s[i], ev, f);
			} else {
				e = pick(5) == 0 ? emit(&s[i], "refused", refused(s[i].p, &s[i].id))
						 : emit(&s[i], "violation",
							violation(s[i].p, &s[i].id, ntargets, s[i].audit));
			}
			if (e < 0)
				return 1;
			if (bytes && ++count % 256 == 0) {
				struct stat st;
				stop_all = stat(file, &st) == 0 && (unsigned long long)st.st_size >= bytes;
			}
		}
	}
	for (unsigned i = 0; i < nsess; i++)
		mb_reporter_close(s[i].r);
	free(s);
	return 0;
}
