/* SPDX-License-Identifier: Apache-2.0 */
/* Profile self-tests, below the command line: the tests key as the loader
 * keeps it (YAML typed into JSON, expectations parsed and normalised, host
 * names kept as names, never resolved), and the dynamic layer's decision rule
 * (policy/decide.h) that --test-profile and the correlator share: grants,
 * listing ancestors, creating ancestors, network. */
#include <arpa/inet.h>
#include <cjson/cJSON.h>

#include "policy/call-grants.h"
#include "policy/decide.h"
#include "policy/match.h"
#include "tests/policy/profile-test.h"

static struct mb_profile *load(const char *rel)
{
	char *path = fixture(rel);
	struct mb_load_opts o = { 0 };
	struct mb_profile *p = NULL;
	struct mb_error err = { 0 };
	if (mb_profile_load(path, &o, &p, &err) < 0)
		diag("load %s: %s", rel, err.msg);
	free(path);
	return p;
}

static void is_json(const cJSON *j, const char *want, const char *what)
{
	char *got = j ? cJSON_PrintUnformatted(j) : NULL;
	is_str(got, want, "%s", what);
	free(got);
}

static void is_expect(const struct mb_expect *e, enum mb_op op, enum mb_access access,
		      const char *text, const char *path, unsigned line, unsigned col)
{
	ok(e->op == op && e->access == access, "'%s': op %d access %d (got %d %d)", text, op,
	   access, e->op, e->access);
	is_str(e->text, text, "'%s': text", text);
	if (path)
		is_str(e->path, path, "'%s': normalised path", text);
	ok(e->pos.line == line && e->pos.column == col, "'%s' at %u:%u (got %u:%u)", text, line,
	   col, e->pos.line, e->pos.column);
}

static void test_model(void)
{
	struct mb_profile *p = load("good/tests.yml");
	if (!ok(p != NULL, "good/tests.yml loads"))
		return;
	if (!is_int(p->tests.n, 4, "four tests")) {
		mb_profile_free(p);
		return;
	}
	const struct mb_test *t = &p->tests.v[0];
	ok(t->kind == MB_TEST_TOOL && mb_streq(t->name, "read_text_file"), "a tool test");
	ok(t->pos.line == 16 && t->pos.column == 5, "the test at 16:5 (got %u:%u)", t->pos.line,
	   t->pos.column);
	/* Plain scalars typed by YAML 1.2's core schema, quoted ones strings,
	 * ${VAR}s expanded in strings, JSON-only numbers. */
	is_json(t->arguments,
		"{\"path\":\"/tmp/a.txt\",\"quoted\":\"42\",\"int\":42,\"neg\":-1500,\"hex\":\"0x1f\","
		"\"yes\":true,\"no\":false,\"nothing\":null,\"tilde\":null,\"empty\":null,"
		"\"list\":[1,\"two\",\"/tmp\"],\"map\":{\"k\":\"v\"}}",
		"arguments as the JSON a client sends");
	if (is_int(t->allow.n, 2, "two allow")) {
		is_expect(&t->allow.v[0], MB_OP_READ, MB_ACCESS_OPEN, "read /tmp/a.txt", "/tmp/a.txt",
			  30, 13);
		is_expect(&t->allow.v[1], MB_OP_READ, MB_ACCESS_LIST, "list /tmp", "/tmp", 30, 35);
	}
	if (is_int(t->deny.n, 6, "six deny")) {
		is_expect(&t->deny.v[0], MB_OP_READ, MB_ACCESS_OPEN, "read /etc//passwd/../shadow",
			  "/etc/shadow", 32, 9);
		is_expect(&t->deny.v[1], MB_OP_WRITE, MB_ACCESS_OPEN, "write /tmp/a.txt", "/tmp/a.txt",
			  33, 9);
		is_expect(&t->deny.v[2], MB_OP_EXEC, MB_ACCESS_OPEN, "exec /bin/sh", "/bin/sh", 34, 9);
		is_expect(&t->deny.v[3], MB_OP_WRITE, MB_ACCESS_MKDIR, "mkdir /tmp/new", "/tmp/new", 35,
			  9);
		const struct mb_expect *c = &t->deny.v[4];
		is_expect(c, MB_OP_CONNECT, MB_ACCESS_OPEN, "connect [::ffff:10.0.0.1]:443", NULL, 36, 9);
		if (is_int(c->addrs.n, 1, "one address"))
			is_endpoint(&c->addrs.v[0], "[::ffff:10.0.0.1]:443", "10.0.0.1", 32, 443, 443);
		const struct mb_expect *b = &t->deny.v[5];
		is_expect(b, MB_OP_BIND, MB_ACCESS_OPEN, "bind 0.0.0.0:8080", NULL, 37, 9);
		ok(b->addrs.n == 1 && b->addrs.v[0].port_lo == 8080 && !b->addrs.v[0].name,
		   "bind 0.0.0.0:8080: one address, port 8080");
	}
	t = &p->tests.v[1];
	ok(t->kind == MB_TEST_REQUEST && mb_streq(t->name, "resources/read"), "a request test");
	is_json(t->arguments, "{\"uri\":\"file:///tmp/res\"}", "params");
	t = &p->tests.v[2];
	ok(t->kind == MB_TEST_IDLE && !t->name && !t->arguments, "an idle test, no name, no params");
	t = &p->tests.v[3];
	ok(!t->arguments, "a tool test without arguments has none");
	ok(t->deny.n == 1 && t->deny.v[0].addrs.n == 1 &&
		   mb_streq(t->deny.v[0].addrs.v[0].name, "localhost") &&
		   t->deny.v[0].addrs.v[0].port_lo == 5432,
	   "a host name is kept as a name, never resolved");
	mb_profile_free(p);
}

/* ---- the decision rule ---- */

static const char decide_profile[] =
	"version: 1\n"
	"name: d\n"
	"runtime:\n"
	"  read: [/usr/lib]\n"
	"  write: [/var/tmp/rt]\n"
	"  connect: [\"127.0.0.1:53\"]\n"
	"arguments:\n"
	"  within: [/srv]\n"
	"tools:\n"
	"  r: { read: [\"{path}\"] }\n"
	"  w: { write: [\"{path}\", \"{path}.*.tmp\"] }\n"
	"  g: { read: [\"/srv/data/f*.txt\"] }\n"
	"  q: { connect: [\"[::1]:5432\"] }\n";

static const char no_within_profile[] =
	"version: 1\n"
	"name: n\n"
	"tools:\n"
	"  r: { read: [\"{path}\"] }\n";

struct dcase {
	const char *tool; /* NULL: idle */
	const char *args;
	enum mb_op op;
	enum mb_access access;
	const char *path;
	enum mb_decision_rule want; /* MB_RULE_NONE: denied */
	bool by_runtime;
	enum mb_op grant_op;
};

#define R MB_OP_READ
#define W MB_OP_WRITE
#define X MB_OP_EXEC
#define OPEN MB_ACCESS_OPEN
#define LIST MB_ACCESS_LIST
#define MKDIR MB_ACCESS_MKDIR
#define DENIED MB_RULE_NONE
#define GRANT MB_RULE_GRANT
#define LISTED MB_RULE_LIST_ANCESTOR
#define MADE MB_RULE_MKDIR_ANCESTOR

static const struct dcase dcases[] = {
	/* 1: grants, the call's and runtime's */
	{ "r", "{\"path\":\"/srv/a/b/c.txt\"}", R, OPEN, "/srv/a/b/c.txt", GRANT, false, R },
	{ "r", "{\"path\":\"/srv/a/b/c.txt\"}", R, LIST, "/srv/a/b/c.txt", GRANT, false, R },
	{ "r", "{\"path\":\"/srv/a/b/c.txt\"}", R, OPEN, "/srv/a/b/c.txt/x", GRANT, false, R },
	{ "r", "{\"path\":\"/srv/a/b/c.txt\"}", R, OPEN, "/usr/lib/libc.so.6", GRANT, true, R },
	{ "r", "{\"path\":\"/srv/a/b/c.txt\"}", X, OPEN, "/usr/lib/libc.so.6", DENIED, false, R },
	{ "r", "{\"path\":\"/srv/a/b/c.txt\"}", R, OPEN, "/srv/a/b/other.txt", DENIED, false, R },
	{ "r", "{\"path\":\"/srv/a/b/c.txt\"}", W, OPEN, "/srv/a/b/c.txt", DENIED, false, R },
	/* 2: listing the ancestors of a granted path, within /srv */
	{ "r", "{\"path\":\"/srv/a/b/c.txt\"}", R, LIST, "/srv/a/b", LISTED, false, R },
	{ "r", "{\"path\":\"/srv/a/b/c.txt\"}", R, LIST, "/srv/a", LISTED, false, R },
	{ "r", "{\"path\":\"/srv/a/b/c.txt\"}", R, LIST, "/srv", LISTED, false, R },
	{ "r", "{\"path\":\"/srv/a/b/c.txt\"}", R, LIST, "/", DENIED, false, R },
	{ "r", "{\"path\":\"/srv/a/b/c.txt\"}", R, OPEN, "/srv/a/b", DENIED, false, R },
	{ "r", "{\"path\":\"/srv/a/b/c.txt\"}", R, LIST, "/srv/a/x", DENIED, false, R },
	{ "r", "{\"path\":\"/srv/a/b/c.txt\"}", R, LIST, "/srv/a/b/c.txt2", DENIED, false, R },
	{ "r", "{\"path\":\"/srv/a/b/c.txt\"}", W, MKDIR, "/srv/a", DENIED, false, R },
	/* a listing of runtime's ancestors is outside within: denied */
	{ "r", "{\"path\":\"/srv/a/b/c.txt\"}", R, LIST, "/usr", DENIED, false, R },
	/* 3: creating the missing ancestors of a write-granted path */
	{ "w", "{\"path\":\"/srv/new/d/f.txt\"}", W, MKDIR, "/srv/new/d", MADE, false, W },
	{ "w", "{\"path\":\"/srv/new/d/f.txt\"}", W, MKDIR, "/srv/new", MADE, false, W },
	{ "w", "{\"path\":\"/srv/new/d/f.txt\"}", W, MKDIR, "/srv/new/d/f.txt", GRANT, false, W },
	{ "w", "{\"path\":\"/srv/new/d/f.txt\"}", W, OPEN, "/srv/new/d", DENIED, false, W },
	{ "w", "{\"path\":\"/srv/new/d/f.txt\"}", W, MKDIR, "/srv/other", DENIED, false, W },
	{ "w", "{\"path\":\"/srv/new/d/f.txt\"}", W, MKDIR, "/var/tmp", DENIED, false, W },
	{ "w", "{\"path\":\"/srv/new/d/f.txt\"}", R, LIST, "/srv/new/d", LISTED, false, W },
	{ "w", "{\"path\":\"/srv/new/d/f.txt\"}", R, OPEN, "/srv/new/d/f.txt", DENIED, false, W },
	{ "w", "{\"path\":\"/srv/new/d/f.txt\"}", W, OPEN, "/srv/new/d/f.txt.0a1b.tmp", GRANT, false, W },
	/* an access with an op it does not go with is the plain op */
	{ "w", "{\"path\":\"/srv/new/d/f.txt\"}", W, LIST, "/srv/new", DENIED, false, W },
	{ "r", "{\"path\":\"/srv/a/b/c.txt\"}", R, MKDIR, "/srv/a", DENIED, false, R },
	/* a glob's ancestors are the directories above its first glob */
	{ "g", NULL, R, LIST, "/srv/data", LISTED, false, R },
	{ "g", NULL, R, LIST, "/srv/data/f1.txt", GRANT, false, R },
	{ "g", NULL, R, LIST, "/srv/data/g1.txt", DENIED, false, R },
	/* an argument that fills nothing grants nothing, and lists nothing */
	{ "r", "{\"path\":42}", R, LIST, "/srv", DENIED, false, R },
	/* idle: runtime alone */
	{ NULL, NULL, W, OPEN, "/var/tmp/rt/x", GRANT, true, W },
	{ NULL, NULL, W, MKDIR, "/var/tmp", DENIED, false, W },
	{ NULL, NULL, R, LIST, "/srv", DENIED, false, R },
	{ NULL, NULL, R, OPEN, "relative/path", DENIED, false, R },
};

static void test_decide(void)
{
	struct mb_load_opts o = { 0 };
	struct mb_profile *p = NULL;
	struct mb_error err = { 0 };
	if (!ok(mb_profile_load_buffer("d.yml", decide_profile, strlen(decide_profile), &o, &p,
				       &err) == 0,
		"the decision profile loads (%s)", err.msg))
		return;
	struct mb_callgrants runtime;
	if (!ok(mb_callgrants_build(&p->runtime, NULL, "/", &runtime) == 0, "runtime builds")) {
		mb_profile_free(p);
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(dcases); i++) {
		const struct dcase *c = &dcases[i];
		struct mb_callgrants call = { 0 };
		cJSON *args = c->args ? cJSON_Parse(c->args) : NULL;
		const struct mb_tool *t = c->tool ? mb_profile_tool(p, c->tool) : NULL;
		if (t && mb_callgrants_build(&t->grants, args, "/", &call) < 0)
			abort();
		struct mb_decision d;
		bool allowed = mb_decide_path(&runtime, t ? &call : NULL, p, c->op, c->access, c->path,
					      &d);
		const char *what = c->access == LIST ? "list" : c->access == MKDIR ? "mkdir" : mb_op_name(c->op);
		if (c->want == DENIED)
			ok(!allowed && d.rule == DENIED && !d.pattern, "%s %s: %s %s is denied",
			   c->tool ? c->tool : "idle", c->args ? c->args : "", what, c->path);
		else
			ok(allowed && d.rule == c->want && d.by_runtime == c->by_runtime &&
				   d.op == c->grant_op && d.pattern,
			   "%s %s: %s %s is allowed as '%s' by %s's %s grant (got rule %d, runtime %d, op %d)",
			   c->tool ? c->tool : "idle", c->args ? c->args : "", what, c->path,
			   mb_decision_rule_name(c->want), c->by_runtime ? "runtime" : "the call",
			   mb_op_name(c->grant_op), d.rule, d.by_runtime, d.op);
		mb_callgrants_free(&call);
		cJSON_Delete(args);
	}
	ok(!mb_decide_path(&runtime, NULL, p, MB_OP_CONNECT, OPEN, "/usr/lib", NULL),
	   "connect is no path op");
	ok(mb_decide_path(&runtime, NULL, p, R, OPEN, "/usr/lib", NULL), "ret may be NULL");

	/* Network: runtime's endpoints, then the call's. */
	const struct mb_tool *q = mb_profile_tool(p, "q");
	struct mb_callgrants call;
	if (mb_callgrants_build(&q->grants, NULL, "/", &call) < 0)
		abort();
	uint8_t lo4[4] = { 127, 0, 0, 1 }, other4[4] = { 10, 0, 0, 1 }, lo6[16] = { [15] = 1 };
	struct mb_addr a;
	struct mb_decision d;
	mb_addr_set_v4(&a, lo4, 53);
	ok(mb_decide_addr(&runtime, &call, MB_OP_CONNECT, &a, &d) && d.by_runtime &&
		   d.endpoint && d.op == MB_OP_CONNECT,
	   "connect 127.0.0.1:53 by runtime");
	ok(!mb_decide_addr(&runtime, &call, MB_OP_BIND, &a, &d) && d.rule == DENIED,
	   "bind 127.0.0.1:53 is not a connect grant");
	mb_addr_set_v6(&a, lo6, 5432);
	ok(mb_decide_addr(&runtime, &call, MB_OP_CONNECT, &a, &d) && !d.by_runtime,
	   "connect [::1]:5432 by the call");
	ok(!mb_decide_addr(&runtime, NULL, MB_OP_CONNECT, &a, &d), "... and not while idle");
	mb_addr_set_v4(&a, other4, 5432);
	ok(!mb_decide_addr(&runtime, &call, MB_OP_CONNECT, &a, NULL), "connect 10.0.0.1:5432 denied");
	mb_callgrants_free(&call);
	mb_callgrants_free(&runtime);
	mb_profile_free(p);

	/* Without arguments.within, no ancestor is listed or created. */
	p = NULL;
	if (!ok(mb_profile_load_buffer("n.yml", no_within_profile, strlen(no_within_profile), &o, &p,
				       &err) == 0,
		"the profile without within loads"))
		return;
	cJSON *args = cJSON_Parse("{\"path\":\"/srv/a/b.txt\"}");
	if (mb_callgrants_build(&p->tools.v[0].grants, args, "/", &call) < 0)
		abort();
	ok(mb_decide_path(NULL, &call, p, R, OPEN, "/srv/a/b.txt", NULL), "no within: the grant holds");
	ok(!mb_decide_path(NULL, &call, p, R, LIST, "/srv/a", NULL),
	   "no within: the parent is not listed");
	mb_callgrants_free(&call);
	cJSON_Delete(args);
	mb_profile_free(p);
}

int main(void)
{
	test_model();
	test_decide();
	return done_testing();
}
