/* SPDX-License-Identifier: Apache-2.0 */
/* Issue 14's language below the command line, each form through the code
 * a run uses: a profile loaded from text, a call's grants filled from its
 * arguments (policy/call-grants.h), the decision rule (policy/decide.h),
 * the static layer's widening (policy/widen.h) and the plan, and the
 * linter's data-or-code and own-interpreter judgements (policy/lint.h):
 *   {NAME:-DEFAULT}, {NAME:uri}, list, write over read-write opens. */
#include <cjson/cJSON.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy/call-grants.h"
#include "policy/decide.h"
#include "policy/lint.h"
#include "policy/plan.h"
#include "policy/widen.h"
#include "tests/policy/profile-test.h"

static struct mb_profile *load(const char *text)
{
	struct mb_load_opts o = { 0 };
	struct mb_error err = { 0 };
	struct mb_profile *p = NULL;
	if (mb_profile_load_buffer("lang.yml", text, strlen(text), &o, &p, &err) < 0)
		diag("load: %s", err.msg);
	return p;
}

/* Does the tool's call with args allow op on path? */
static bool allows(const struct mb_profile *p, const char *tool, const char *args, enum mb_op op,
		   enum mb_access access, const char *path)
{
	const struct mb_tool *t = mb_profile_tool(p, tool);
	cJSON *a = args ? cJSON_Parse(args) : NULL;
	struct mb_callgrants cg = { 0 }, rt = { 0 };
	bool r = false;
	if (t && mb_callgrants_build(&t->grants, a, "/srv/cwd", &cg) == 0 &&
	    mb_callgrants_build(&p->runtime, NULL, "/srv/cwd", &rt) == 0)
		r = mb_decide_path(&rt, &cg, p, op, access, path, NULL);
	mb_callgrants_free(&cg);
	mb_callgrants_free(&rt);
	cJSON_Delete(a);
	return r;
}

struct widened {
	char seen[4][64];
	int n;
};

static int note_widened(const char *path, void *ud)
{
	struct widened *w = ud;
	if (w->n < 4)
		snprintf(w->seen[w->n++], sizeof(w->seen[0]), "%s", path);
	return 0;
}

static void test_default(void)
{
	struct mb_profile *p = load("version: 1\nname: t\narguments: { within: [/srv] }\n"
				    "tools:\n"
				    "  status: { read: [\"{path:-/srv/repo}\"] }\n"
				    "  save: { write: [\"/srv/out/{name:-draft}.txt\"] }\n"
				    "  many: { read: [\"{paths[]}\"] }\n");
	if (!ok(p != NULL, "defaults load"))
		return;
	ok(allows(p, "status", "{\"path\":\"/srv/other\"}", MB_OP_READ, MB_ACCESS_OPEN, "/srv/other/x"),
	   "{path:-D}: the argument when given");
	ok(!allows(p, "status", "{\"path\":\"/srv/other\"}", MB_OP_READ, MB_ACCESS_OPEN, "/srv/repo/x"),
	   "... and then not the default");
	ok(allows(p, "status", "{}", MB_OP_READ, MB_ACCESS_OPEN, "/srv/repo/.git/HEAD"),
	   "the default when the argument is missing");
	ok(allows(p, "status", NULL, MB_OP_READ, MB_ACCESS_OPEN, "/srv/repo"),
	   "... or there are no arguments at all");
	ok(allows(p, "status", "{\"path\":\"\"}", MB_OP_READ, MB_ACCESS_OPEN, "/srv/repo/a"),
	   "... or it is empty");
	ok(!allows(p, "status", "{\"path\":42}", MB_OP_READ, MB_ACCESS_OPEN, "/srv/repo/a"),
	   "a value of another type grants nothing, not the default");
	ok(!allows(p, "status", "{}", MB_OP_READ, MB_ACCESS_OPEN, "/srv/other"),
	   "the default grants itself only");
	ok(allows(p, "save", "{}", MB_OP_WRITE, MB_ACCESS_OPEN, "/srv/out/draft.txt"),
	   "a default within one name");
	ok(allows(p, "save", "{\"name\":\"x\"}", MB_OP_WRITE, MB_ACCESS_OPEN, "/srv/out/x.txt") &&
		   !allows(p, "save", "{\"name\":\"x\"}", MB_OP_WRITE, MB_ACCESS_OPEN, "/srv/out/draft.txt"),
	   "... the argument when given");
	/* The static layer grants the default itself: no argument, so
	 * arguments.within never saw it. */
	const struct mb_tool *t = mb_profile_tool(p, "status");
	struct widened w = { 0 };
	mb_pattern_widen(p, &t->grants.path[MB_OP_READ].v[0], note_widened, &w);
	ok(w.n == 2 && mb_streq(w.seen[0], "/srv") && mb_streq(w.seen[1], "/srv/repo"),
	   "widened to arguments.within and to the default (%d: %s %s)", w.n, w.seen[0], w.seen[1]);
	mb_profile_free(p);
}

static int count_arg(const char *argname, const char *value, void *ud)
{
	(void)argname;
	(void)value;
	(*(int *)ud)++;
	return 0;
}

static void test_uri(void)
{
	struct mb_profile *p = load("version: 1\nname: t\narguments: { within: [/srv] }\n"
				    "tools:\n"
				    "  read_file: { read: [\"{path:uri}\"] }\n"
				    "  plain: { read: [\"{path}\"] }\n");
	if (!ok(p != NULL, "uri loads"))
		return;
	ok(allows(p, "read_file", "{\"path\":\"/srv/a.txt\"}", MB_OP_READ, MB_ACCESS_OPEN, "/srv/a.txt"),
	   "{path:uri}: a path is a path");
	ok(allows(p, "read_file", "{\"path\":\"file:///srv/a%20b.txt\"}", MB_OP_READ, MB_ACCESS_OPEN,
		  "/srv/a b.txt"),
	   "a file: URI fills in as its path, decoded");
	ok(allows(p, "read_file", "{\"path\":\"file://localhost/srv/c\"}", MB_OP_READ, MB_ACCESS_OPEN,
		  "/srv/c"),
	   "... of localhost too");
	ok(!allows(p, "read_file", "{\"path\":\"file://evil/srv/c\"}", MB_OP_READ, MB_ACCESS_OPEN, "/srv/c"),
	   "another host's file grants nothing");
	ok(!allows(p, "read_file", "{\"path\":\"https://example.org/srv/a\"}", MB_OP_READ,
		   MB_ACCESS_OPEN, "/srv/cwd/https:/example.org/srv/a"),
	   "an https URL names no file: nothing");
	ok(!allows(p, "plain", "{\"path\":\"file:///srv/a\"}", MB_OP_READ, MB_ACCESS_OPEN, "/srv/a"),
	   "without :uri, a URI is a relative path");
	/* arguments.within is not asked about a URL: it names no file. */
	int n = 0;
	cJSON *a = cJSON_Parse("{\"path\":\"https://example.org/x\"}");
	mb_grants_foreach_path_argument(&mb_profile_tool(p, "read_file")->grants, a, count_arg, &n);
	is_int(n, 0, "a URL is not held to arguments.within");
	cJSON_Delete(a);
	a = cJSON_Parse("{\"path\":\"file:///etc/passwd\"}");
	n = 0;
	mb_grants_foreach_path_argument(&mb_profile_tool(p, "read_file")->grants, a, count_arg, &n);
	is_int(n, 1, "a file: URI is");
	cJSON_Delete(a);
	ok(mb_value_is_uri("http://x") && mb_value_is_uri("file:/x") && mb_value_is_uri("s3+x.y-z://b") &&
		   !mb_value_is_uri("/a:b") && !mb_value_is_uri("a:b") && !mb_value_is_uri("1x://y"),
	   "what a URI looks like");
	char buf[64];
	ok(mb_uri_file_path("file:///a%2", buf, sizeof(buf)) < 0 &&
		   mb_uri_file_path("file:///a%00b", buf, sizeof(buf)) < 0,
	   "bad escapes refused");
	mb_profile_free(p);
}

static void test_list_rdwr(void)
{
	struct mb_profile *p = load("version: 1\nname: t\n"
				    "runtime: { list: [/srv/db] }\n"
				    "tools:\n"
				    "  q: { write: [\"/srv/db/test.db\"], list: [\"{dir}\"] }\n"
				    "  r: { read: [\"/srv/db/test.db\"] }\n");
	if (!ok(p != NULL, "list loads"))
		return;
	ok(allows(p, "r", "{}", MB_OP_READ, MB_ACCESS_OPEN, "/srv/db"),
	   "list: the directory opened itself (to fsync it)");
	ok(allows(p, "r", "{}", MB_OP_READ, MB_ACCESS_LIST, "/srv/db"), "... or to list it");
	ok(!allows(p, "r", "{}", MB_OP_READ, MB_ACCESS_OPEN, "/srv/db/other.db"),
	   "... never what is beneath it");
	ok(!allows(p, "r", "{}", MB_OP_WRITE, MB_ACCESS_OPEN, "/srv/db"), "... nor a write of it");
	ok(!allows(p, "r", "{}", MB_OP_READ, MB_ACCESS_RDWR, "/srv/db"),
	   "... nor the read half of a read-write open");
	ok(allows(p, "q", "{\"dir\":\"/srv/x\"}", MB_OP_READ, MB_ACCESS_OPEN, "/srv/x") &&
		   !allows(p, "q", "{\"dir\":\"/srv/x\"}", MB_OP_READ, MB_ACCESS_OPEN, "/srv/x/y"),
	   "list with a placeholder");
	ok(allows(p, "q", "{}", MB_OP_READ, MB_ACCESS_RDWR, "/srv/db/test.db"),
	   "write covers the read half of a read-write open");
	ok(!allows(p, "q", "{}", MB_OP_READ, MB_ACCESS_OPEN, "/srv/db/test.db"),
	   "... not a read-only open");
	ok(allows(p, "r", "{}", MB_OP_READ, MB_ACCESS_RDWR, "/srv/db/test.db"),
	   "a read grant covers the read half too");
	struct mb_decision d;
	struct mb_callgrants cg = { 0 };
	mb_callgrants_build(&mb_profile_tool(p, "q")->grants, NULL, "/", &cg);
	ok(mb_decide_path(NULL, &cg, p, MB_OP_READ, MB_ACCESS_RDWR, "/srv/db/test.db", &d) &&
		   d.rule == MB_RULE_RDWR && d.op == MB_OP_WRITE,
	   "rule 5 says so, and names the write grant");
	mb_callgrants_free(&cg);
	mb_profile_free(p);
}

/* A scratch tree: a database beside code, and programs. */
static char tree[64];
static void put(const char *rel, const char *text, mode_t mode)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", tree, rel);
	for (char *s = strchr(path + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		mkdir(path, 0755);
		*s = '/';
	}
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	if (fd >= 0) {
		(void)!write(fd, text, strlen(text));
		close(fd);
	}
}

static unsigned warnings(const char *text, enum mb_lint_kind kind)
{
	struct mb_profile *p = load(text);
	mb_lint_vec w = { 0 };
	unsigned n = 0;
	if (p && mb_lint(p, &(struct mb_lint_opts){ 0 }, &w) == 0)
		mb_vec_foreach(x, &w) n += x->kind == kind;
	mb_lint_free(&w);
	mb_profile_free(p);
	return p ? n : 99;
}

static void test_lint(void)
{
	snprintf(tree, sizeof(tree), "/tmp/membrane-lang.XXXXXX");
	if (!ok(mkdtemp(tree) != NULL, "a scratch tree"))
		return;
	put("db/test.db", "", 0644);
	put("app/index.js", "", 0644);
	put("bin/bash", "", 0755);
	put("bin/node", "", 0755);
	char text[1024];
	snprintf(text, sizeof(text),
		 "version: 1\nname: t\nlimits: { memory: 1M, tasks: 1, files: 1 }\n"
		 "runtime: { read: [\"%s/db/test.db\"], write: [\"%s/db/test.db*\"] }\n", tree, tree);
	is_int(warnings(text, MB_LINT_WRITE_CODE), 0, "a database read and written at runtime is data");
	snprintf(text, sizeof(text),
		 "version: 1\nname: t\nlimits: { memory: 1M, tasks: 1, files: 1 }\n"
		 "runtime: { read: [\"%s/app/index.js\"], write: [\"%s/app\"] }\n", tree, tree);
	is_int(warnings(text, MB_LINT_WRITE_CODE), 1, "a script written over is code");
	snprintf(text, sizeof(text),
		 "version: 1\nname: t\nlimits: { memory: 1M, tasks: 1, files: 1 }\n"
		 "runtime: { read: [\"%s/bin/node\"], exec: [\"%s/bin/bash\", \"%s/bin/node\"] }\n",
		 tree, tree, tree);
	is_int(warnings(text, MB_LINT_EXEC_INTERPRETER), 1,
	       "bash listed first: still the one beyond the server's own (node, read and exec)");
	snprintf(text, sizeof(text),
		 "version: 1\nname: t\nlimits: { memory: 1M, tasks: 1, files: 1 }\n"
		 "runtime: { exec: [\"%s/bin/bash\", \"%s/bin/node\"] }\n", tree, tree);
	is_int(warnings(text, MB_LINT_EXEC_INTERPRETER), 1,
	       "without a read of its own, the first exec grant is the server's");
	ok(mb_lint_is_interpreter("/usr/bin/sh") && !mb_lint_is_interpreter("/usr/bin/git"),
	   "sh is a shell (through its link), git none");
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tree);
	(void)!system(cmd);
}

static void test_plan_list(void)
{
	struct mb_profile *p = load("version: 1\nname: t\nruntime: { list: [/usr/share] }\n");
	struct mb_plan *plan = NULL;
	struct mb_error err = { 0 };
	if (!ok(p && mb_plan_compile(p, NULL, &plan, &err) == 0, "a list grant compiles")) {
		diag("%s", err.msg);
		mb_profile_free(p);
		return;
	}
	bool rule = false;
	mb_vec_foreach(r, &plan->fs_rules) rule |= mb_streq(r->path, "/usr/share") && r->ops == MB_PLAN_OP_LIST;
	ok(rule, "Landlock: the directory's names alone (MB_PLAN_OP_LIST)");
	bool ro = false;
	mb_vec_foreach(m, &plan->mounts) ro |= mb_streq(m->path, "/usr/share") && m->kind == MB_MOUNT_BIND_RO;
	ok(ro, "bound read-only");
	mb_plan_free(plan);
	mb_profile_free(p);
}

int main(void)
{
	test_default();
	test_uri();
	test_list_rdwr();
	test_lint();
	test_plan_list();
	return done_testing();
}
