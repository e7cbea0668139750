/* gen-report: write a realistic report with the real reporter
 * (report/report.c), for membrane-audit's tests and its benchmark.
 *
 *   gen-report [-s SESSIONS] [-n EVENTS | -b BYTES] [-r SEED] [-t TARGETS] FILE
 *
 * SESSIONS reporters write to FILE at once, their lines interleaved as
 * concurrent membrane-run processes would; each session is a start, then
 * violations and refusals drawn from a seeded generator, then an exit.
 * -n: events per session (besides start and exit); -b: stop once FILE holds
 * BYTES. -t: how many distinct /srv/mcp/data-N paths to draw targets from. */
#include <getopt.h>
#include <string.h>
#include <sys/stat.h>

#include "report/report.h"

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
	unsigned long long bytes = 0;
	int c;
	while ((c = getopt(argc, argv, "s:n:b:r:t:")) != -1) {
		switch (c) {
		case 's': nsess = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'n': per = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'b': bytes = strtoull(optarg, NULL, 10); break;
		case 'r': rng_state ^= strtoull(optarg, NULL, 10) * 0x9e3779b97f4a7c15ull; break;
		case 't': ntargets = (unsigned)strtoul(optarg, NULL, 10); break;
		default:
			fputs("usage: gen-report [-s SESSIONS] [-n EVENTS | -b BYTES] [-r SEED] [-t TARGETS] FILE\n", stderr);
			return 2;
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
				cJSON *f = cJSON_CreateObject();
				cJSON_AddNumberToObject(f, "status", 0);
				if (emit(&s[i], "exit", f) < 0)
					return 1;
				s[i].done = true;
				live--;
				continue;
			}
			s[i].left--;
			int e = pick(5) == 0 ? emit(&s[i], "refused", refused(s[i].p, &s[i].id))
					      : emit(&s[i], "violation",
						     violation(s[i].p, &s[i].id, ntargets, s[i].audit));
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
