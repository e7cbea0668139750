/* SPDX-License-Identifier: Apache-2.0 */
/* The learner below the notifier: operations made up here, requests put in
 * a real in-flight table, frames fed as the relay's tap would, and the
 * draft read back. Each rule of the draft (learn.h, learn-draft.c) on a
 * small tree under /tmp: arguments' forms, ancestors, temporary siblings,
 * configuration, runtime's collapse and symlinked names, system files read
 * during calls, secrets, idle reads of data, never-grantable operations,
 * addresses, redaction, the caps; then the same with a BASE whose grants
 * decide first. */
#include <arpa/inet.h>
#include <pthread.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "policy/plan.h"
#include "supervisor/inspect/jsonrpc.h"
#include "supervisor/learn/learn.h"
#include "tests/tap.h"

#define R (1u << MB_OP_READ)
#define W (1u << MB_OP_WRITE)
#define X (1u << MB_OP_EXEC)

static char T[64]; /* the tree */

static const char *at(const char *rel)
{
	static char buf[8][PATH_MAX + 64];
	static int i;
	i = (i + 1) % 8;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", T, rel);
	return buf[i];
}

static void put(const char *rel, const char *text)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", at(rel));
	for (char *p = dir + strlen(T) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(dir, 0755);
		*p = '/';
	}
	FILE *f = fopen(at(rel), "w");
	if (!f)
		abort();
	fputs(text, f);
	fclose(f);
}

/* ---- operations made up ---- */

static const struct mb_watch_syscall *sc_of(int nr)
{
	const struct mb_watch_syscall *sc = mb_watch_lookup(nr);
	if (!sc)
		abort();
	return sc;
}

/* A thread that says its tid on one pipe (p[1]), then waits for another
 * (p[2]) to be closed at its other end. */
static void *thread_tid(void *arg)
{
	int *p = arg;
	pid_t tid = (pid_t)syscall(SYS_gettid);
	char c;
	if (write(p[1], &tid, sizeof(tid)) == sizeof(tid))
		(void)!read(p[2], &c, 1);
	return NULL;
}

static void op_path(struct mb_learner *l, int nr, uint64_t flags, unsigned ops, const char *path,
		    const char *raw, enum mb_presence presence)
{
	struct mb_notified_op op = { .id = 1, .pid = getpid(), .sc = sc_of(nr), .open_flags = flags, .n = 1 };
	op.t[0] = (struct mb_notified_target){ .kind = MB_TARGET_PATH, .presence = presence,
					       .ops = ops, .path = path, .raw = raw ? raw : path };
	if (mb_learner_decide(&op, l).verdict != MB_VERDICT_ALLOW)
		abort();
}

static void rd(struct mb_learner *l, const char *path, enum mb_presence presence)
{
	op_path(l, SYS_openat, O_RDONLY, R, path, NULL, presence);
}

static void rename_op(struct mb_learner *l, const char *from, const char *to)
{
	struct mb_notified_op op = { .id = 1, .pid = getpid(), .sc = sc_of(SYS_rename), .n = 2 };
	op.t[0] = (struct mb_notified_target){ .kind = MB_TARGET_PATH, .presence = MB_PRESENT,
					       .ops = W, .path = from, .raw = from };
	op.t[1] = (struct mb_notified_target){ .kind = MB_TARGET_PATH, .presence = MB_PRESENT,
					       .ops = W, .path = to, .raw = to };
	mb_learner_decide(&op, l);
}

static void connect_op(struct mb_learner *l, const char *ip, uint16_t port)
{
	struct mb_notified_op op = { .id = 1, .pid = getpid(), .sc = sc_of(SYS_connect), .n = 1 };
	uint8_t a[4];
	inet_pton(AF_INET, ip, a);
	op.t[0] = (struct mb_notified_target){ .kind = MB_TARGET_INET, .presence = MB_PRESENT,
					       .ops = 1u << MB_OP_CONNECT, .family = AF_INET };
	mb_addr_set_v4(&op.t[0].addr, a, port);
	mb_learner_decide(&op, l);
}

static void memfd_exec(struct mb_learner *l)
{
	struct mb_notified_op op = { .id = 1, .pid = getpid(), .sc = sc_of(SYS_execveat), .n = 1 };
	op.t[0] = (struct mb_notified_target){ .kind = MB_TARGET_MEMFD, .presence = MB_PRESENT,
					       .ops = X, .path = "memfd:payload" };
	mb_learner_decide(&op, l);
}

/* ---- the session ---- */

/* A client line through the tap and, for a request, into the table. */
static struct mb_call *client(struct mb_learner *l, struct mb_inflight *t, const char *text)
{
	struct mb_frame f = { .kind = MB_FRAME_LINE, .text = text, .len = strlen(text) };
	mb_learner_frame(l, MB_SIDE_CLIENT, &f);
	struct mb_jr_frame jf;
	mb_jr_parse(text, strlen(text), &jf);
	struct mb_call *c = NULL;
	if (jf.fault != MB_JR_FAULT_NONE || mb_inflight_add(t, MB_DIR_CLIENT, &jf.msgs[0], 0, &c) < 0)
		abort();
	mb_jr_frame_free(&jf);
	return c;
}

static void server(struct mb_learner *l, const char *text)
{
	struct mb_frame f = { .kind = MB_FRAME_LINE, .text = text, .len = strlen(text) };
	mb_learner_frame(l, MB_SIDE_SERVER, &f);
}

static char *call_text(int id, const char *tool, const char *args)
{
	char *s;
	if (asprintf(&s, "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"tools/call\",\"params\":{\"name\":\"%s\",\"arguments\":%s}}",
		     id, tool, args) < 0)
		abort();
	return s;
}

static struct mb_call *call(struct mb_learner *l, struct mb_inflight *t, int id, const char *tool,
			    const char *args)
{
	char *s = call_text(id, tool, args);
	struct mb_call *c = client(l, t, s);
	free(s);
	return c;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	char *buf = calloc(1, 1 << 22);
	size_t n = fread(buf, 1, (1 << 22) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* The block of a tool (or request) in the active part of the draft. */
static char *block(const char *text, const char *name)
{
	char key[256];
	snprintf(key, sizeof(key), "\n  \"%s\":", name);
	const char *s = strstr(text, key);
	if (!s)
		return strdup("");
	s += 1;
	const char *end = s + strlen(key);
	while ((end = strchr(end, '\n')) && (strncmp(end, "\n    ", 5) == 0))
		end++;
	return strndup(s, end ? (size_t)(end - s) : strlen(s));
}

static int count(const char *text, const char *needle)
{
	int n = 0;
	for (const char *p = text; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static bool has(const char *text, const char *needle)
{
	return strstr(text, needle) != NULL;
}

static struct mb_profile *load_text(const char *name, const char *text, struct mb_load_opts *lo)
{
	struct mb_error err = { 0 };
	struct mb_profile *p = NULL;
	if (mb_profile_load_buffer(name, text, strlen(text), lo, &p, &err) < 0) {
		printf("# %s\n", err.msg);
		abort();
	}
	return p;
}

/* ---- without BASE ---- */

static void no_base(void)
{
	char *yaml;
	if (asprintf(&yaml,
		     "version: 1\nname: t\nmode: audit\nunlisted_tools: allow\n"
		     "runtime:\n  read: [\"%s\", \"%s\"]\n  write: [\"%s\"]\n  tmpfs: [/tmp]\n  env: [STATE]\n",
		     at("srv"), at("code"), at("srv")) < 0)
		abort();
	struct mb_load_opts lo = { .check_existence = true };
	struct mb_profile *p = load_text("<test>", yaml, &lo);
	free(yaml);
	char state_env[PATH_MAX + 16];
	snprintf(state_env, sizeof(state_env), "STATE=%s", at("srv/data/state.json"));
	char *envp[] = { state_env, NULL };
	struct mb_error err = { 0 };
	struct mb_plan *plan = NULL;
	if (mb_plan_compile(p, envp, &plan, &err) < 0) {
		printf("# %s\n", err.msg);
		abort();
	}
	char *script = strdup(at("code/lib/m1.js")); /* at()'s buffers are reused */
	char *argv[] = { "/usr/bin/node", script, NULL };
	struct mb_learner_config cfg = {
		.profile = p, .plan = plan, .argv = argv, .caller_cwd = "/", .home = at("home"),
		.default_summary = "a test",
	};
	struct mb_learner *l = NULL;
	is_int(mb_learner_new(&cfg, &l, &err), 0, "a learner without BASE");
	struct mb_inflight *t = NULL;
	mb_inflight_new(&t);
	mb_learner_attach(l, t);

	/* What the server declares. */
	mb_inflight_remove(t, client(l, t, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{}}"));
	server(l, "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"capabilities\":{\"tools\":{},\"resources\":{\"subscribe\":true}}}}");
	mb_inflight_remove(t, client(l, t, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}"));
	server(l, "{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{\"tools\":[{\"name\":\"read_text_file\"},{\"name\":\"write_file\"},{\"name\":\"list_dir\"},{\"name\":\"save\"},{\"name\":\"fetch\"},{\"name\":\"arm\"},{\"name\":\"flood\"},{\"name\":\"never_called\"}]}}");

	/* Start-up: three modules beneath one directory, one elsewhere, a
	 * name through a symlink, a probe, the sandbox's own /proc. */
	rd(l, at("code/lib/m1.js"), MB_PRESENT);
	rd(l, at("code/lib/m2.js"), MB_PRESENT);
	op_path(l, SYS_openat, O_RDONLY, R, at("code/lib/m3.js"), at("link/lib/m3.js"), MB_PRESENT);
	rd(l, at("code/other/x.js"), MB_PRESENT);
	rd(l, at("code/none.js"), MB_PRESENT_NONE);
	rd(l, "/proc/self/maps", MB_PRESENT);
	uint64_t internal = mb_learner_stats(l)->internal;

	/* read_text_file: its own file, a secret, a system file, a neighbour. */
	struct mb_call *c;
	char args[4096], note[201];
	memset(note, 'n', 200);
	note[200] = '\0';
	snprintf(args, sizeof(args), "{\"path\":\"%s\",\"token\":\"s3cret-value\",\"note\":\"%s\"}",
		 at("srv/root/a.txt"), note);
	c = call(l, t, 4, "read_text_file", args);
	rd(l, at("srv/root/a.txt"), MB_PRESENT);
	rd(l, at("home/.ssh/id_rsa"), MB_PRESENT_NONE); /* the notifier never looks at the host */
	rd(l, "/usr/share/zoneinfo/Etc/UTC", MB_PRESENT);
	rd(l, at("srv/root/notes.md"), MB_PRESENT);
	mb_inflight_remove(t, c);

	/* write_file of a new file: the directories above it listed, a
	 * temporary sibling renamed over it. */
	snprintf(args, sizeof(args), "{\"path\":\"%s\",\"content\":\"x\"}", at("srv/root/sub/new.txt"));
	c = call(l, t, 5, "write_file", args);
	op_path(l, SYS_openat, O_RDONLY | O_DIRECTORY, R, at("srv/root"), NULL, MB_PRESENT);
	op_path(l, SYS_openat, O_RDONLY | O_DIRECTORY, R, at("srv/root/sub"), NULL, MB_PRESENT);
	op_path(l, SYS_openat, O_WRONLY | O_CREAT, W, at("srv/root/sub/new.txt.0a1b2c.tmp"), NULL,
		MB_PRESENT_NEW);
	rename_op(l, at("srv/root/sub/new.txt.0a1b2c.tmp"), at("srv/root/sub/new.txt"));
	mb_inflight_remove(t, c);

	/* list_dir of an array of paths. */
	snprintf(args, sizeof(args), "{\"paths\":[\"%s\"]}", at("srv/root/sub"));
	c = call(l, t, 6, "list_dir", args);
	op_path(l, SYS_openat, O_RDONLY | O_DIRECTORY, R, at("srv/root/sub"), NULL, MB_PRESENT);
	mb_inflight_remove(t, c);

	/* save: the file the environment names, replaced by a rename; a probe;
	 * an exec from memory. */
	c = call(l, t, 7, "save", "{}");
	rd(l, at("srv/data/state.json"), MB_PRESENT);
	op_path(l, SYS_openat, O_WRONLY | O_CREAT, W, at("srv/data/state.json.77.tmp"), NULL, MB_PRESENT_NEW);
	rename_op(l, at("srv/data/state.json.77.tmp"), at("srv/data/state.json"));
	rd(l, at("srv/data/missing.json"), MB_PRESENT_NONE);
	memfd_exec(l);
	mb_inflight_remove(t, c);

	/* A request method reads it too. */
	c = client(l, t, "{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"resources/read\",\"params\":{\"uri\":\"state://now\"}}");
	rd(l, at("srv/data/state.json"), MB_PRESENT);
	mb_inflight_remove(t, c);

	/* fetch: an address its argument names, and one nobody named. */
	c = call(l, t, 9, "fetch", "{\"url\":\"http://10.1.2.3:8080/x\"}");
	connect_op(l, "10.1.2.3", 8080);
	connect_op(l, "10.9.9.9", 443);
	mb_inflight_remove(t, c);

	/* Names asked of the sandbox's resolver, never connected to (a
	 * telemetry lookup that failed): quiet, never granted. */
	mb_learner_name_asked(l, "telemetry.example.test");
	mb_learner_name_asked(l, "telemetry.example.test");

	/* arm names a file; the server reads it later, idle. */
	snprintf(args, sizeof(args), "{\"path\":\"%s\"}", at("srv/root/sub/b.txt"));
	mb_inflight_remove(t, call(l, t, 10, "arm", args));
	rd(l, at("srv/root/sub/b.txt"), MB_PRESENT);

	/* flood: more distinct targets than a scope keeps. */
	c = call(l, t, 11, "flood", "{}");
	char fp[PATH_MAX];
	for (int i = 0; i < MB_LEARN_MAX_RECORDS + 5; i++) {
		snprintf(fp, sizeof(fp), "%s/%d", at("srv/flood"), i);
		rd(l, fp, MB_PRESENT_NONE);
	}
	mb_inflight_remove(t, c);

	const struct mb_learn_stats *st = mb_learner_stats(l);
	is_int(internal, 1, "the sandbox's own /proc is not recorded");
	is_int(st->probes, 1, "a start-up probe is counted, not recorded");
	is_int(st->over_cap, 5, "the targets over a scope's cap are counted");
	is_int(st->tool_calls, 7, "every tools/call is counted");
	is_int(st->requests, 10, "every request is counted");

	mb_learner_attach(l, NULL);
	mb_inflight_free(t);
	char draft[PATH_MAX];
	snprintf(draft, sizeof(draft), "%s", at("draft.yml"));
	unsigned nlint = 99;
	is_int(mb_learner_write_draft(l, draft, &lo, &nlint, &err), 0, "the draft is written and loads");
	if (err.msg[0])
		diag("%s", err.msg);
	char *d = slurp(draft);
	ok(d != NULL, "the draft is there");
	if (!d)
		return;
	is_int(count(d, "# LINT: "), (long long)nlint, "each lint warning is a comment in it");

	char line[PATH_MAX * 2];
	char *b = block(d, "read_text_file");
	ok(has(b, "read:\n      - \"{path}\""), "read_text_file: read {path}");
	ok(!has(b, "notes.md") && !has(b, "id_rsa") && !has(b, "zoneinfo"), "read_text_file: nothing else");
	free(b);
	snprintf(line, sizeof(line), "SUSPICIOUS: read %s during tool read_text_file", at("home/.ssh/id_rsa"));
	ok(has(d, line), "flagged: the read in the secret store");
	ok(has(d, "a secret store of the host, absent from the sandbox; a secret store"),
	   "... a secret store, absent from the sandbox (by its name: the host is not looked at)");
	snprintf(line, sizeof(line), "SUSPICIOUS: read %s during tool read_text_file", at("srv/root/notes.md"));
	ok(has(d, line), "flagged: the neighbour no argument named");
	ok(!has(d, "s3cret-value"), "the token's value is not in the draft");
	ok(has(d, "\"token\":\"(redacted)\""), "... it shows as (redacted)");
	ok(has(d, "\"note\":\"(200 bytes, not shown)\""), "a 200-byte value shows only its length");
	ok(has(d, "redact: [\"token\"]"), "redact proposes the secret-looking argument");

	b = block(d, "write_file");
	ok(has(b, "- \"{path}.*.tmp\"") && has(b, "- \"{path}\""), "write_file: write {path} and its temporary sibling");
	ok(!has(b, "read:"), "write_file: listing the directories above {path} needs no read grant (write grants it)");
	free(b);
	snprintf(line, sizeof(line), "within:\n    - \"%s\"", at("srv/root"));
	ok(has(d, line), "arguments.within: the common root of the arguments (and the directories listed)");

	b = block(d, "list_dir");
	ok(has(b, "read:\n      - \"{paths[]}\""), "list_dir: read {paths[]}");
	free(b);

	b = block(d, "save");
	snprintf(line, sizeof(line), "read:\n      - \"%s*\"", at("srv/data/state.json"));
	ok(has(b, line), "save: the configured file, read by a glob since a rename replaced it");
	snprintf(line, sizeof(line), "- \"%s.*.tmp\"", at("srv/data/state.json"));
	ok(has(b, line), "save: its temporary sibling written");
	ok(has(b, "named by the environment variable STATE"), "save: ... says who named it");
	ok(has(d, "# 1 call; 1 probe of paths that exist nowhere; 1 operation flagged SUSPICIOUS"),
	   "save: the probe is dropped and counted");
	free(b);
	ok(has(d, "SUSPICIOUS: exec of the anonymous memory file memfd:payload during tool save"),
	   "flagged: the exec from memory, never grantable");
	b = block(d, "resources/read");
	snprintf(line, sizeof(line), "- \"%s*\"", at("srv/data/state.json"));
	ok(has(d, "requests:\n") && has(b, line), "resources/read: a request entry");
	free(b);
	ok(has(d, "env:\n    - \"STATE\""), "the environment variable that named a grant is passed through");
	ok(!has(d, "STATE=") , "... without its value");

	b = block(d, "fetch");
	ok(has(b, "connect:\n      - \"10.1.2.3:8080\"") && has(b, "named by the argument url"),
	   "fetch: the address its argument names");
	free(b);
	ok(has(d, "SUSPICIOUS: connect 10.9.9.9:443 during tool fetch"), "flagged: the address nobody named");
	ok(has(d, "\nquiet:") && has(strstr(d, "\nquiet:"), "\"telemetry.example.test:*\"  # 2 times: a name looked up 2 times while learning and never connected to"),
	   "a name asked and never connected to: quiet, NAME:*");
	ok(count(d, "telemetry.example.test") == 1, "... and granted nowhere");

	snprintf(line, sizeof(line), "SUSPICIOUS: read %s during start-up or idle", at("srv/root/sub/b.txt"));
	ok(has(d, line), "flagged: the idle read of data a call named");
	ok(has(d, "data a call of arm named"), "... naming the call");

	snprintf(line, sizeof(line), "- \"%s\"  # collapsed to the directory: 3 names", at("code/lib"));
	ok(has(d, line), "runtime: three modules collapsed to their directory");
	snprintf(line, sizeof(line), "- \"%s\"  # read 1 time", at("code/other/x.js"));
	ok(has(d, line), "runtime: a lone file stays a file");
	snprintf(line, sizeof(line), "- \"%s\"  # the name the server asked for", at("link/lib"));
	ok(has(d, line), "runtime: the name a symlink led from, down to the granted directory");
	ok(has(d, "- \"/usr/share/zoneinfo/Etc/UTC\"  # read 1 time (openat) at start-up, while idle or during calls"),
	   "runtime: a system file read during a call");
	ok(has(d, "exec:\n    - \"/usr/bin/node\""), "runtime: the command itself");
	ok(!has(d, "none.js"), "a probe is granted nowhere");

	ok(has(d, "tools the server declared that no call used: never_called"), "header: the tool never called");
	ok(has(d, "never sent: resources/list, resources/templates/list, resources/subscribe, resources/unsubscribe"),
	   "header: the methods never sent");
	ok(has(d, "Over the recording caps, not in this draft: 5 targets"), "header: what was over the cap");
	ok(has(d, "# 1 call; 4096 probes of paths that exist nowhere; 5 targets over the cap\n  \"flood\": {}"),
	   "flood: says it was capped");
	ok(has(d, "name: \"m1\""), "the draft is named for the script the command runs");
	ok(has(d, "unlisted_tools: deny\n"), "unlisted tools denied");
	free(d);

	mb_learner_free(l);
	mb_plan_free(plan);
	mb_profile_free(p);
	free(script);
}

/* ---- with BASE ---- */

static void with_base(void)
{
	char base[PATH_MAX];
	snprintf(base, sizeof(base), "%s", at("base.yml"));
	FILE *f = fopen(base, "w");
	fprintf(f,
		"version: 1\nname: based\nvars:\n  CODE: \"%s\"\n  ROOT: \"%s\"\n"
		"runtime:\n  read: [\"${CODE}\", \"%s?\"]\n"
		"arguments:\n  within: [\"${ROOT}\"]\n"
		"tools:\n  read_text_file: { read: [\"{path}\"] }\n"
		"redact: [content]\nrequire: [namespaces]\n",
		at("code"), at("srv/root"), at("never/granted"));
	fclose(f);
	struct mb_load_opts lo = { .check_existence = true };
	struct mb_error err = { 0 };
	struct mb_profile *p = NULL;
	if (mb_profile_load(base, &lo, &p, &err) < 0) {
		printf("# %s\n", err.msg);
		abort();
	}
	p->mode = MB_MODE_AUDIT;
	p->unlisted_tools = MB_UNLISTED_ALLOW;
	struct mb_plan *plan = NULL;
	if (mb_plan_compile(p, NULL, &plan, &err) < 0)
		abort();
	char *argv[] = { "/usr/bin/node", NULL };
	struct mb_learner_config cfg = {
		.base = p, .base_path = base, .profile = p, .plan = plan, .argv = argv,
		.caller_cwd = "/", .home = at("home"),
	};
	struct mb_learner *l = NULL;
	is_int(mb_learner_new(&cfg, &l, &err), 0, "a learner with BASE");
	struct mb_inflight *t = NULL;
	mb_inflight_new(&t);
	mb_learner_attach(l, t);

	rd(l, at("code/lib/m1.js"), MB_PRESENT);
	char args[1024];
	snprintf(args, sizeof(args), "{\"path\":\"%s\",\"also\":\"%s\"}", at("srv/root/a.txt"),
		 at("srv/root/notes.md"));
	struct mb_call *c = call(l, t, 1, "read_text_file", args);
	rd(l, at("srv/root/a.txt"), MB_PRESENT);
	rd(l, at("srv/root/notes.md"), MB_PRESENT); /* "also" names it: BASE does not */
	mb_inflight_remove(t, c);
	snprintf(args, sizeof(args), "{\"path\":\"%s\",\"content\":\"secret text\"}", at("srv/root/w.txt"));
	c = call(l, t, 2, "write_file", args); /* BASE does not declare it */
	op_path(l, SYS_openat, O_WRONLY | O_CREAT, W, at("srv/root/w.txt"), NULL, MB_PRESENT_NEW);
	mb_inflight_remove(t, c);
	mb_learner_attach(l, NULL);
	mb_inflight_free(t);

	char draft[PATH_MAX];
	snprintf(draft, sizeof(draft), "%s", at("based.yml"));
	unsigned nlint = 0;
	is_int(mb_learner_write_draft(l, draft, &lo, &nlint, &err), 0, "the BASE draft is written and loads");
	if (err.msg[0])
		diag("%s", err.msg);
	char *d = slurp(draft);
	ok(d != NULL, "the BASE draft is there");
	if (!d)
		return;
	ok(has(d, "read:\n    - \"${CODE}\"  # read 1 time (openat) at start-up or while idle: BASE's grant (base.yml:7)"),
	   "runtime: BASE's grant kept as BASE wrote it, with where");
	ok(has(d, "was never exercised: left out"), "runtime: BASE's unused grant left out, and said");
	ok(has(d, "within:\n    - \"${ROOT}\""), "BASE's within, as written");
	ok(has(d, "\nrequire: [namespaces]\n"), "BASE's require, as written");
	char *b = block(d, "read_text_file");
	ok(has(b, "- \"{path}\"  # read 1 time (openat) in 1 of 1 call: BASE's grant"), "read_text_file: BASE's grant");
	ok(!has(b, "{also}"), "read_text_file: no {also}: BASE decides which arguments are paths");
	free(b);
	char line[PATH_MAX * 2];
	snprintf(line, sizeof(line), "SUSPICIOUS: read %s during tool read_text_file", at("srv/root/notes.md"));
	ok(has(d, line) && has(d, "BASE does not grant it to tool read_text_file"), "flagged: what BASE does not grant a tool it declares");
	b = block(d, "write_file");
	ok(has(b, "write:\n      - \"{path}\""), "write_file, which BASE does not declare, learned from its arguments");
	free(b);
	ok(!has(d, "secret text") && has(d, "\"content\":\"(redacted)\""), "BASE's redact list applies to the evidence");
	ok(has(d, "vars:\n  CODE: \"") && has(d, "ROOT: \""), "BASE's variables are declared");
	free(d);
	mb_learner_free(l);
	mb_plan_free(plan);
	mb_profile_free(p);
}

/* ---- issue 14: what the trial hit ---- */

static void exec_op(struct mb_learner *l, const char *path)
{
	op_path(l, SYS_execve, 0, X, path, NULL, MB_PRESENT);
}

static void issue14(void)
{
	char *yaml;
	if (asprintf(&yaml,
		     "version: 1\nname: t\nmode: audit\nunlisted_tools: allow\nnetwork: brokered\n"
		     "runtime:\n  read: [\"%s\", /usr]\n  write: [\"%s\", \"%s\"]\n  exec: [/usr]\n"
		     "  tmpfs: [/tmp, \"%s\"]\n  env: [HOME, GIT_AUTHOR_NAME, SHLVL]\n",
		     at("i14"), at("i14/db"), at("i14/work"), at("i14home")) < 0)
		abort();
	struct mb_load_opts lo = { .check_existence = true };
	struct mb_profile *p = load_text("<i14>", yaml, &lo);
	free(yaml);
	char home_env[PATH_MAX + 8], db[PATH_MAX];
	snprintf(home_env, sizeof(home_env), "HOME=%s", at("i14home"));
	snprintf(db, sizeof(db), "%s", at("i14/db/test.db"));
	char *envp[] = { home_env, "GIT_AUTHOR_NAME=Ada", "API_KEY_FILE_X=no", "SHLVL=2", NULL };
	struct mb_error err = { 0 };
	struct mb_plan *plan = NULL;
	if (mb_plan_compile(p, envp, &plan, &err) < 0) {
		printf("# %s\n", err.msg);
		abort();
	}
	char *argv[] = { "/usr/bin/node", "/nonexistent/server.js", db, NULL };
	const char *within[] = { at("i14/work"), NULL };
	char *w0 = strdup(within[0]);
	within[0] = w0;
	struct mb_learner_config cfg = {
		.profile = p, .plan = plan, .argv = argv, .caller_cwd = "/", .home = at("home"),
		.default_summary = "a test", .within = within,
	};
	struct mb_learner *l = NULL;
	is_int(mb_learner_new(&cfg, &l, &err), 0, "issue 14: a learner with --within");
	struct mb_inflight *t = NULL;
	mb_inflight_new(&t);
	mb_learner_attach(l, t);
	mb_inflight_remove(t, client(l, t, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}"));
	server(l, "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"tools\":["
		  "{\"name\":\"setwd\",\"inputSchema\":{\"properties\":{\"path\":{}}}},"
		  "{\"name\":\"status\",\"inputSchema\":{\"properties\":{\"path\":{}}}},"
		  "{\"name\":\"query\"},{\"name\":\"shell\"},{\"name\":\"run\"},{\"name\":\"fetch\"},"
		  "{\"name\":\"read\",\"inputSchema\":{\"properties\":{\"path\":{}}}}]}}");

	/* Start-up: the database is created; a probe of a locale that exists
	 * nowhere; a write to the system, refused while learning; a lookup. */
	op_path(l, SYS_openat, O_RDWR | O_CREAT, R | W, db, NULL, MB_PRESENT_NEW);
	rd(l, "/usr/share/locale/xx_YY/LC_MESSAGES/none.mo", MB_PRESENT_NONE);
	op_path(l, SYS_chmod, 0, W, "/usr/bin/env", NULL, MB_PRESENT);
	connect_op(l, "10.255.255.53", 53);
	connect_op(l, "192.0.2.9", 443);

	/* setwd names the repository; status leaves path out and works in it. */
	char args[PATH_MAX + 64];
	snprintf(args, sizeof(args), "{\"path\":\"%s\"}", at("i14/work/repo"));
	struct mb_call *c = call(l, t, 2, "setwd", args);
	rd(l, at("i14/work/repo/.git/HEAD"), MB_PRESENT);
	mb_inflight_remove(t, c);
	c = call(l, t, 3, "status", "{}");
	rd(l, at("i14/work/repo/.git/index"), MB_PRESENT);
	exec_op(l, "/usr/bin/git");
	mb_inflight_remove(t, c);
	c = call(l, t, 4, "status", "{}");
	rd(l, at("i14/work/repo/.git/index"), MB_PRESENT);
	exec_op(l, "/usr/bin/git");
	mb_inflight_remove(t, c);

	/* query: SQLite's journal beside the database, its directory synced. */
	c = call(l, t, 5, "query", "{\"sql\":\"insert\"}");
	char jr[PATH_MAX + 16];
	snprintf(jr, sizeof(jr), "%s-journal", db);
	op_path(l, SYS_openat, O_RDWR | O_CREAT, R | W, jr, NULL, MB_PRESENT_NEW);
	rd(l, at("i14/db"), MB_PRESENT);
	mb_inflight_remove(t, c);

	/* shell: a shell in one call of two is a deputy's; run: in each. */
	mb_inflight_remove(t, call(l, t, 6, "shell", "{}"));
	c = call(l, t, 7, "shell", "{}");
	exec_op(l, "/usr/bin/dash");
	mb_inflight_remove(t, c);
	c = call(l, t, 8, "run", "{}");
	exec_op(l, "/usr/bin/dash");
	mb_inflight_remove(t, c);

	/* read outside the bounds: flagged, the call and its read. */
	snprintf(args, sizeof(args), "{\"path\":\"%s\"}", at("i14/secret.txt"));
	c = call(l, t, 9, "read", args);
	rd(l, at("i14/secret.txt"), MB_PRESENT);
	mb_inflight_remove(t, c);

	/* A tool the server does not declare. */
	mb_inflight_remove(t, call(l, t, 10, "ghost", "{}"));

	/* fetch: the address its url names; mb_learner_addr_named says so. */
	c = call(l, t, 11, "fetch", "{\"url\":\"http://127.0.0.1:8123/x\"}");
	struct mb_addr a;
	uint8_t ip[4] = { 127, 0, 0, 1 };
	mb_addr_set_v4(&a, ip, 8123);
	ok(mb_learner_addr_named(l, MB_OP_CONNECT, &a), "the url names the address: the broker makes it");
	mb_addr_set_v4(&a, ip, 22);
	ok(!mb_learner_addr_named(l, MB_OP_CONNECT, &a), "... and no other");
	connect_op(l, "127.0.0.1", 8123);
	mb_inflight_remove(t, c);

	/* run again: its process (this test's) execs during the call, and
	 * works once the call is over: outlive. */
	c = call(l, t, 12, "run", "{}");
	struct mb_notified_op ex = { .id = 1, .pid = getpid(), .sc = sc_of(SYS_execve), .n = 1 };
	ex.t[0] = (struct mb_notified_target){ .kind = MB_TARGET_PATH, .presence = MB_PRESENT,
					       .ops = X, .path = "/usr/bin/dash", .raw = "/usr/bin/dash" };
	mb_learner_set_op(l, &ex);
	mb_learner_decide(&ex, l);
	mb_learner_set_op(l, NULL);
	mb_inflight_remove(t, c);
	struct mb_notified_op later = { .id = 1, .pid = getpid(), .sc = sc_of(SYS_execve), .n = 1 };
	later.t[0] = (struct mb_notified_target){ .kind = MB_TARGET_PATH, .presence = MB_PRESENT,
						  .ops = X, .path = "/usr/bin/env", .raw = "/usr/bin/env" };
	c = call(l, t, 13, "status", "{}");
	mb_learner_set_op(l, &later);
	mb_learner_decide(&later, l);
	mb_learner_set_op(l, NULL);
	mb_inflight_remove(t, c);
	/* ... and so does a thread of it (the notifier names threads: rg's
	 * walkers read on threads of their own). */
	int tp[4];
	pthread_t th;
	pid_t tid = 0;
	if (pipe(tp) == 0 && pipe(tp + 2) == 0 && pthread_create(&th, NULL, thread_tid, tp) == 0 &&
	    read(tp[0], &tid, sizeof(tid)) == sizeof(tid)) {
		struct mb_notified_op by_thread = { .id = 1, .pid = tid, .sc = sc_of(SYS_execve), .n = 1 };
		by_thread.t[0] = (struct mb_notified_target){ .kind = MB_TARGET_PATH, .presence = MB_PRESENT,
							      .ops = X, .path = "/usr/bin/true",
							      .raw = "/usr/bin/true" };
		c = call(l, t, 14, "poll", "{}");
		mb_learner_set_op(l, &by_thread);
		mb_learner_decide(&by_thread, l);
		mb_learner_set_op(l, NULL);
		mb_inflight_remove(t, c);
		close(tp[3]); /* the thread ends */
		pthread_join(th, NULL);
	}
	ok(tid > 0 && tid != getpid(), "a thread of this process (tid %d)", (int)tid);

	/* The private HOME was used. */
	char hf[PATH_MAX];
	snprintf(hf, sizeof(hf), "%s/.state/config.json", at("i14home"));
	op_path(l, SYS_openat, O_WRONLY | O_CREAT, W, hf, NULL, MB_PRESENT_NEW);

	char draft[PATH_MAX];
	snprintf(draft, sizeof(draft), "%s", at("i14.yml"));
	unsigned nlint = 0;
	struct mb_load_opts dlo = { .check_existence = true };
	is_int(mb_learner_write_draft(l, draft, &dlo, &nlint, &err), 0, "issue 14: the draft is written and loads");
	if (err.msg[0])
		diag("%s", err.msg);
	char *d = slurp(draft);
	if (!ok(d != NULL, "issue 14: the draft is there"))
		return;
	char line[2 * PATH_MAX];
	char *b = block(d, "status");
	snprintf(line, sizeof(line), "read:\n      - \"{path:-%s}\"", at("i14/work/repo"));
	ok(has(b, line), "a call that leaves path out: {path:-VALUE}, the value an earlier call gave");
	ok(has(b, "exec:\n      - \"/usr/bin/git\"") && has(b, "a program the server runs: in 2 of 3 calls"),
	   "the program the tool runs, granted with its evidence");
	ok(has(b, "read 2 times (openat) in 2 of 3 calls"), "counts never pass the calls");
	free(b);
	b = block(d, "query");
	snprintf(line, sizeof(line), "write:\n      - \"%s-*\"", db);
	ok(has(b, line), "SQLite's -journal: the sibling X-*");
	snprintf(line, sizeof(line), "list:\n      - \"%s\"", at("i14/db"));
	ok(has(b, line), "the database's directory opened itself: list");
	free(b);
	snprintf(line, sizeof(line), "write:\n    - \"%s*\"", db);
	ok(has(d, line), "the database created at start: a glob");
	ok(has(d, "SUSPICIOUS: exec /usr/bin/dash during tool shell") &&
		   has(d, "a shell or interpreter run in 1 of the 2 calls of tool shell"),
	   "a shell in one call of two: flagged");
	/* A LINT comment cuts block(): the whole draft is looked at. */
	ok(has(d, "- \"/usr/bin/dash\"  # executed 2 times (execve) in 2 of 2 calls: a program the server runs"),
	   "a shell in every call: granted");
	ok(has(d, "    outlive: 60s  # processes its calls started went on working"),
	   "its process worked once the call was over: outlive");
	ok(has(d, "- \"/usr/bin/env\"  # executed 1 time (execve) in 1 of 2 calls"),
	   "... what it did then is the call's, whatever else was in flight");
	ok(has(d, "- \"/usr/bin/true\"  # executed 1 time (execve) in 1 of 2 calls"),
	   "... and what a thread of it did");
	snprintf(line, sizeof(line), "SUSPICIOUS: path names %s during tool read", at("i14/secret.txt"));
	ok(has(d, line) && has(d, "a call out of scope: its argument path lies outside the bounds (--within)"),
	   "an argument outside --within: the call is flagged");
	snprintf(line, sizeof(line), "SUSPICIOUS: read %s during tool read", at("i14/secret.txt"));
	ok(has(d, line), "... and what it did there");
	snprintf(line, sizeof(line), "within:\n    - \"%s\"", at("i14/work"));
	ok(has(d, line), "arguments.within: the bounds given");
	ok(has(d, "ghost: the server does not declare it") && !has(d, "\"ghost\":"),
	   "a tool the server does not declare is never declared");
	ok(!has(d, "xx_YY"), "a path that exists nowhere is never flagged");
	ok(has(d, "quiet:\n") && has(d, "\"/usr/bin/env\"  # 1 time (chmod): refused while learning"),
	   "a write to the system the learning sandbox refused: quiet");
	ok(has(d, "\"10.255.255.53:53\"") || !has(d, "SUSPICIOUS: connect 10.255.255.53:53"),
	   "a name lookup is no connection nobody named");
	ok(has(d, "SUSPICIOUS: connect 192.0.2.9:443 during start-up or idle"),
	   "a connection at start-up nobody named: flagged");
	b = block(d, "fetch");
	ok(has(b, "connect:\n      - \"127.0.0.1:8123\""), "fetch: the address its url named");
	free(b);
	ok(has(d, "network: brokered"), "network: brokered");
	snprintf(line, sizeof(line), "- \"HOME=%s\"", at("i14home"));
	ok(has(d, line), "HOME with its value: the private HOME it used");
	snprintf(line, sizeof(line), "tmpfs:\n    - \"%s\"", at("i14home"));
	ok(has(d, line), "... a tmpfs");
	ok(has(d, "- \"GIT_AUTHOR_NAME\"  # passed through; while learning: Ada"),
	   "the environment it was given, by name, its value in a comment (GIT_AUTHOR is no secret)");
	ok(!has(d, "SHLVL"), "a shell's own variable is not passed");
	free(d);
	mb_learner_free(l);
	mb_inflight_free(t);
	mb_plan_free(plan);
	mb_profile_free(p);
	free(w0);
}

int main(void)
{
	snprintf(T, sizeof(T), "/tmp/membrane-test-learn.XXXXXX");
	if (!mkdtemp(T))
		abort();
	chmod(T, 0755);
	put("srv/root/a.txt", "a\n");
	put("srv/root/notes.md", "n\n");
	put("srv/root/sub/b.txt", "b\n");
	put("srv/data/state.json", "{}\n");
	put("srv/flood/.keep", "");
	put("code/lib/m1.js", "1");
	put("code/lib/m2.js", "2");
	put("code/lib/m3.js", "3");
	put("code/other/x.js", "x");
	put("home/.ssh/id_rsa", "not a key");
	if (symlink("code", at("link")) < 0)
		abort();

	put("i14/work/repo/.git/HEAD", "ref: refs/heads/main\n");
	put("i14/work/repo/.git/index", "");
	put("i14/db/.keep", "");
	put("i14/secret.txt", "no\n");
	put("i14home/.keep", "");
	no_base();
	with_base();
	issue14();

	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", T);
	if (getenv("KEEP")) return done_testing();
	if (system(cmd) != 0)
		diag("could not remove %s", T);
	return done_testing();
}
