/* SPDX-License-Identifier: Apache-2.0 */
/* Decoys in the plan (policy/decoy.h): where one may go (the sandbox's own
 * skeleton, a runtime.tmpfs) and where not (under a host bind, through a
 * host symlink, over a mount), each refusal one line at the decoy's
 * position; what each holds, shaped by its name around a canary token of
 * its own, new every run; and the Landlock read rule that lets it be read. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/strbuf.h"
#include "policy/plan.h"
#include "tests/tap.h"

static char dir[64];

/* tmpl with each "@D@" replaced by the test's directory; malloc'd. */
static char *subst(const char *tmpl)
{
	struct mb_strbuf b = { 0 };
	for (const char *at; (at = strstr(tmpl, "@D@")); tmpl = at + 3) {
		mb_strbuf_append(&b, tmpl, (size_t)(at - tmpl));
		mb_strbuf_puts(&b, dir);
	}
	mb_strbuf_puts(&b, tmpl);
	if (mb_strbuf_failed(&b))
		abort();
	return mb_strbuf_take(&b);
}

static int compile(const char *yml, struct mb_profile **ret_p, struct mb_plan **ret_plan,
		   struct mb_error *err)
{
	char *text = subst(yml);
	int r = mb_profile_load_buffer("t.yml", text, strlen(text), NULL, ret_p, err);
	free(text);
	if (r < 0)
		return r;
	return mb_plan_compile(*ret_p, NULL, ret_plan, err);
}

static bool hex40(const char *s)
{
	return strlen(s) == 40 && strspn(s, "0123456789abcdef") == 40;
}

static void test_placed(void)
{
	static const char yml[] = "version: 1\nname: t\nruntime:\n  read: [\"@D@\"]\n"
				  "  tmpfs: [/home/agent]\n"
				  "decoys:\n  files: [/home/agent/.ssh/id_rsa, /home/agent/.aws/credentials,\n"
				  "          /srv/app/.env]\n";
	struct mb_profile *p = NULL;
	struct mb_plan *plan = NULL;
	struct mb_error err = { 0 };
	if (!ok(compile(yml, &p, &plan, &err) == 0, "decoys in a tmpfs and in the skeleton plan (%s)",
		err.msg)) {
		mb_profile_free(p);
		return;
	}
	is_int(plan->decoys.n, 3, "three decoys");
	const struct mb_decoy *d = plan->decoys.v;
	ok(hex40(d[0].token) && hex40(d[1].token) && hex40(d[2].token) &&
		   strcmp(d[0].token, d[1].token) && strcmp(d[1].token, d[2].token),
	   "each its own token of 40 hex digits");
	ok(strncmp(d[0].content, "-----BEGIN OPENSSH PRIVATE KEY-----\n", 36) == 0 &&
		   strstr(d[0].content, d[0].token) && d[0].len == strlen(d[0].content),
	   "id_rsa holds an OpenSSH key around its token");
	char aki[21] = "AKIA";
	for (int i = 0; i < 16; i++)
		aki[4 + i] = (char)(d[1].token[i] >= 'a' ? d[1].token[i] - 'a' + 'A' : d[1].token[i]);
	ok(strncmp(d[1].content, "[default]\naws_access_key_id = ", 30) == 0 &&
		   strstr(d[1].content, aki) && strstr(d[1].content, d[1].token),
	   "credentials holds AWS keys around its token");
	ok(strncmp(d[2].content, "API_KEY=", 8) == 0 && strstr(d[2].content, d[2].token),
	   ".env holds variables around its token");
	int rules = 0;
	mb_vec_foreach(f, &plan->fs_rules)
		rules += strcmp(f->path, "/srv/app/.env") == 0 && f->ops == 1u << MB_OP_READ;
	is_int(rules, 1, "a Landlock read rule for the decoy alone");
	char first[MB_CANARY_HEX];
	memcpy(first, d[0].token, sizeof(first));
	mb_plan_free(plan);
	plan = NULL;
	ok(mb_plan_compile(p, NULL, &plan, &err) == 0 && strcmp(plan->decoys.v[0].token, first) != 0,
	   "another run, another token");
	mb_plan_free(plan);
	mb_profile_free(p);
}

static void refused(const char *yml, const char *want, const char *what)
{
	struct mb_profile *p = NULL;
	struct mb_plan *plan = NULL;
	struct mb_error err = { 0 };
	int r = compile(yml, &p, &plan, &err);
	char *w = subst(want);
	ok(r == -EINVAL, "%s: refused", what);
	is_str(err.msg, w, "%s: one line at the decoy, saying where to put it", what);
	free(w);
	mb_plan_free(plan);
	mb_profile_free(p);
}

int main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/membrane-test-decoy.XXXXXX");
	if (!mkdtemp(dir))
		abort();
	test_placed();
	refused("version: 1\nname: t\nruntime:\n  read: [\"@D@\"]\ndecoys:\n  files: [\"@D@/.env\"]\n",
		"t.yml:6:11: decoy @D@/.env lies at or under @D@: the sandbox shows that directory "
		"from the host, and a decoy there would be written into the host's (put decoys "
		"where the sandbox has no host path: under a runtime.tmpfs entry, or a directory "
		"no grant names)",
		"a decoy under a host bind");
	refused("version: 1\nname: t\nruntime:\n  tmpfs: [/home/agent]\ndecoys:\n  files: [/home/agent]\n",
		"t.yml:6:11: decoy /home/agent lies at or under /home/agent: it would hide what the "
		"sandbox mounts there (put decoys where the sandbox has no host path: under a "
		"runtime.tmpfs entry, or a directory no grant names)",
		"a decoy over a mount");
	struct stat st;
	if (lstat("/lib", &st) == 0 && S_ISLNK(st.st_mode))
		refused("version: 1\nname: t\nruntime:\n  read: [/lib/x86_64-linux-gnu]\ndecoys:\n"
			"  files: [/lib/.env]\n",
			"t.yml:6:11: decoy /lib/.env lies at or under /lib: that is a symbolic link on "
			"the host, which would lead the decoy there (put decoys where the sandbox has "
			"no host path: under a runtime.tmpfs entry, or a directory no grant names)",
			"a decoy through a host symlink");
	rmdir(dir);
	return done_testing();
}
