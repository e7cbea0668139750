/* SPDX-License-Identifier: Apache-2.0 */
/* mb_callgrants_canonicalize: grants rewritten into the form the notifier
 * gives its targets (symlinks resolved), against a real tree of directories
 * and symlinks made in a temporary directory. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy/call-grants.h"
#include "tests/tap.h"

static char T[PATH_MAX];

static const char *at(const char *rel)
{
	static char buf[8][PATH_MAX];
	static int i;
	char *b = buf[i++ % 8];
	snprintf(b, PATH_MAX, "%s%s", T, rel);
	return b;
}

static void mk(const char *rel)
{
	if (mkdir(at(rel), 0755) < 0)
		perror(rel), exit(99);
}

static void touch(const char *rel)
{
	FILE *f = fopen(at(rel), "w");
	if (!f)
		perror(rel), exit(99);
	fclose(f);
}

static void ln(const char *target, const char *rel)
{
	if (symlink(target, at(rel)) < 0)
		perror(rel), exit(99);
}

/* Build grants of one read pattern (text with T spliced in for '@'),
 * fill them from args, canonicalise them. */
struct built {
	struct mb_grants g;
	struct mb_path_pattern pp;
	char text[PATH_MAX];
	struct mb_callgrants cg;
	int r;
};

static void build(struct built *b, const char *tpl, const char *args_json,
		  const char *const *within, size_t nwithin)
{
	memset(b, 0, sizeof(*b));
	char *o = b->text;
	for (const char *s = tpl; *s; s++) {
		if (*s == '@')
			o += sprintf(o, "%s", T);
		else
			*o++ = *s;
	}
	*o = '\0';
	b->pp.text = b->text;
	b->pp.has_placeholder = strchr(b->text, '{') != NULL;
	b->pp.has_glob = strchr(b->text, '*') != NULL;
	b->g.path[MB_OP_READ].v = &b->pp;
	b->g.path[MB_OP_READ].n = 1;
	cJSON *args = NULL;
	if (args_json) {
		/* '@' in arguments is T too */
		char buf[4 * PATH_MAX], *q = buf;
		for (const char *s = args_json; *s; s++) {
			if (*s == '@')
				q += sprintf(q, "%s", T);
			else
				*q++ = *s;
		}
		*q = '\0';
		args = cJSON_Parse(buf);
	}
	b->r = mb_callgrants_build(&b->g, args, "/", &b->cg);
	if (b->r == 0)
		b->r = mb_callgrants_canonicalize(&b->cg, within, nwithin);
	cJSON_Delete(args);
}

static bool allows(const struct built *b, const char *path)
{
	return mb_callgrants_allows_path(&b->cg, MB_OP_READ, path, NULL);
}

static size_t count(const struct built *b)
{
	return b->cg.path[MB_OP_READ].n;
}

static const char *text(const struct built *b, size_t i)
{
	return i < count(b) ? b->cg.path[MB_OP_READ].v[i].text : "(none)";
}

int main(void)
{
	char tmpl[] = "/tmp/mb-canon-XXXXXX";
	if (!mkdtemp(tmpl))
		return 99;
	/* The tree's own directory may sit behind a symlink (/tmp elsewhere):
	 * name it canonically so that the expectations are exact. */
	if (!realpath(tmpl, T))
		return 99;
	mk("/real");
	touch("/real/file.txt");
	ln("real", "/link");            /* a directory symlink, relative */
	ln("file.txt", "/real/flink");  /* a file symlink */
	mk("/st*r");
	ln("st*r", "/sl");              /* leads to a name with a '*' in it */
	mk("/root");
	mk("/root/data");
	touch("/root/data/x");
	mk("/secret");
	touch("/secret/key");
	ln(at("/secret"), "/root/out"); /* leads out of the within root */
	ln("data/x", "/root/in");       /* stays in */
	ln("loop2", "/loop1");
	ln("loop1", "/loop2");
	char within_root[PATH_MAX];
	snprintf(within_root, sizeof(within_root), "%s", at("/root"));
	const char *within[] = { within_root };
	struct built b;

	/* Runtime literals */
	build(&b, "@/link", NULL, NULL, 0);
	is_int(b.r, 0, "a directory symlink: built");
	is_int(count(&b), 2, "... two forms: where it leads, and the link itself");
	is_str(text(&b, 0), at("/real"), "... the first is the real directory");
	is_str(text(&b, 1), at("/link"), "... the second the link's own name");
	ok(allows(&b, at("/real/file.txt")), "... grants what is beneath the real directory");
	ok(!allows(&b, at("/realm")), "... component-aware still");
	mb_callgrants_free(&b.cg);

	build(&b, "@/link/file.txt", NULL, NULL, 0);
	is_int(count(&b), 1, "a path through a directory symlink: one form");
	is_str(text(&b, 0), at("/real/file.txt"), "... resolved");
	mb_callgrants_free(&b.cg);

	build(&b, "@/real/flink", NULL, NULL, 0);
	is_int(count(&b), 2, "a file symlink: two forms");
	ok(allows(&b, at("/real/file.txt")), "... the file it leads to (open follows)");
	ok(allows(&b, at("/real/flink")), "... the link itself (unlink does not follow)");
	ok(!allows(&b, at("/real/other")), "... nothing else");
	mb_callgrants_free(&b.cg);

	build(&b, "@/link/new/deeper", NULL, NULL, 0);
	is_int(count(&b), 1, "missing components after a symlink: one form");
	is_str(text(&b, 0), at("/real/new/deeper"), "... the rest kept as written");
	mb_callgrants_free(&b.cg);

	build(&b, "@/link/*.tmp", NULL, NULL, 0);
	is_int(count(&b), 1, "a glob behind a symlink: one form");
	is_str(text(&b, 0), at("/real/*.tmp"), "... its fixed part resolved, the glob kept");
	ok(allows(&b, at("/real/a.tmp")), "... matches in the real directory");
	ok(!allows(&b, at("/link/a.tmp")), "... not through the link's name (never a target)");
	mb_callgrants_free(&b.cg);

	build(&b, "/nonexistent-membrane-dir/x", NULL, NULL, 0);
	is_int(count(&b), 1, "a missing path: unchanged");
	is_str(text(&b, 0), "/nonexistent-membrane-dir/x", "... as written");
	mb_callgrants_free(&b.cg);

	build(&b, "/proc/self/maps", NULL, NULL, 0);
	is_str(text(&b, 0), "/proc/self/maps", "/proc is the sandbox's own: kept as written");
	mb_callgrants_free(&b.cg);

	build(&b, "/", NULL, NULL, 0);
	is_str(text(&b, 0), "/", "\"/\" stays \"/\"");
	mb_callgrants_free(&b.cg);

	build(&b, "@/loop1/x", NULL, NULL, 0);
	is_int(b.r, 0, "a symlink loop: built");
	is_str(text(&b, 0), at("/loop1/x"), "... kept as written (the kernel says ELOOP itself)");
	mb_callgrants_free(&b.cg);

	/* Argument values: escaped again after resolution */
	build(&b, "{path}", "{\"path\":\"@/sl/x\"}", NULL, 0);
	is_int(count(&b), 1, "a value through a symlink to a name holding '*': one form");
	ok(allows(&b, at("/st*r/x")), "... grants the real name");
	ok(!allows(&b, at("/stXr/x")), "... and the '*' in it is no glob");
	mb_callgrants_free(&b.cg);

	build(&b, "{path}.*.tmp", "{\"path\":\"@/link/file.txt\"}", NULL, 0);
	is_int(count(&b), 1, "{path}.*.tmp through a directory symlink: one form");
	ok(allows(&b, at("/real/file.txt.0a1b.tmp")), "... the temporary sibling in the real directory");
	ok(!allows(&b, at("/real/file.txt")), "... not the file itself");
	mb_callgrants_free(&b.cg);

	/* Bounded by arguments.within */
	build(&b, "{path}", "{\"path\":\"@/root/in\"}", within, 1);
	is_int(count(&b), 2, "a value naming a link that stays within: two forms");
	ok(allows(&b, at("/root/data/x")), "... grants where it leads");
	ok(allows(&b, at("/root/in")), "... and the link");
	mb_callgrants_free(&b.cg);

	build(&b, "{path}", "{\"path\":\"@/root/out/key\"}", within, 1);
	is_int(b.r, 0, "a value leading out of within through a directory link: built");
	is_int(count(&b), 0, "... grants nothing");
	ok(!allows(&b, at("/secret/key")), "... not the file outside");
	mb_callgrants_free(&b.cg);

	build(&b, "{path}", "{\"path\":\"@/root/out\"}", within, 1);
	is_int(count(&b), 1, "a value naming a link that leads out: one form");
	ok(allows(&b, at("/root/out")), "... the link itself (it lies within)");
	ok(!allows(&b, at("/secret")), "... not where it leads");
	ok(!allows(&b, at("/secret/key")), "... nor beneath");
	mb_callgrants_free(&b.cg);

	build(&b, "{path}", "{\"path\":\"@/root/out/key\"}", NULL, 0);
	is_int(count(&b), 1, "without within the same value is not bounded");
	ok(allows(&b, at("/secret/key")), "... and grants where it leads");
	mb_callgrants_free(&b.cg);

	build(&b, "@/root/out", NULL, within, 1);
	is_int(count(&b), 2, "a runtime literal is never bounded by within");
	ok(allows(&b, at("/secret/key")), "... where it leads is granted");
	mb_callgrants_free(&b.cg);

	build(&b, "{path}", "{\"path\":\"@/root/data/x\"}", within, 1);
	is_int(count(&b), 1, "a value with no symlink: one form");
	is_str(text(&b, 0), at("/root/data/x"), "... unchanged");
	mb_callgrants_free(&b.cg);

	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", T);
	if (system(cmd) != 0)
		diag("could not remove %s", T);
	return done_testing();
}
