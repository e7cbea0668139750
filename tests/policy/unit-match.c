/* SPDX-License-Identifier: Apache-2.0 */
/* The matcher as data, in the manner of libseccomp's sim tests: tables of
 * (pattern, target) -> expected answer for paths, normalisation, concrete
 * per-call grants built from real JSON, and endpoints. A reference matcher
 * (plain recursion, exponential but obviously right) cross-checks the real one
 * on generated inputs. No privileges, no files. */
#include <arpa/inet.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "policy/call-grants.h"
#include "policy/match.h"
#include "tests/tap.h"

/* ---------------------------------------------------------------------------
 * mb_path_match: pattern, path, expected
 * ------------------------------------------------------------------------- */

static const struct {
	const char *pattern, *path;
	bool want;
} match_cases[] = {
	/* "/" grants everything absolute */
	{ "/", "/", true },
	{ "/", "/etc", true },
	{ "/", "/a/b/c", true },
	/* a pattern grants itself and what is beneath, component-aware */
	{ "/srv/mcp", "/srv/mcp", true },
	{ "/srv/mcp", "/srv/mcp/a", true },
	{ "/srv/mcp", "/srv/mcp/a/b/c.txt", true },
	{ "/srv/mcp", "/srv/mcp2", false },
	{ "/srv/mcp", "/srv/mcp2/a", false },
	{ "/srv/mcp", "/srv/mc", false },
	{ "/srv/mcp", "/srv", false },
	{ "/srv/mcp", "/", false },
	{ "/srv/mcp", "/srv/mcp.bak", false },
	{ "/srv/mcp", "/srv/mcp/", true },  /* robust to a trailing slash */
	{ "/srv/mcp", "/srv//mcp", true },  /* and to a doubled one */
	{ "/srv/mcp", "/srv/MCP", false },  /* bytes, not case-folded */
	{ "/srv/mcp/", "/srv/mcp", true },  /* a pattern's trailing slash changes nothing */
	{ "/srv/mcp/file.txt", "/srv/mcp/file.txt", true },
	{ "/srv/mcp/file.txt", "/srv/mcp/file.txt.bak", false },
	{ "/srv/mcp/file.txt", "/srv/mcp/file.tx", false },
	{ "/srv/mcp/file.txt", "/srv/mcp", false },
	/* '*' within one component */
	{ "/a/*.tmp", "/a/x.tmp", true },
	{ "/a/*.tmp", "/a/x.tmp/child", true },
	{ "/a/*.tmp", "/a/b/x.tmp", false },
	{ "/a/*.tmp", "/a/.tmp", true }, /* empty run */
	{ "/a/*.tmp", "/a/x.tmpz", false },
	{ "/a/*.tmp", "/a/x.y.tmp", true },
	{ "/a/*.tmp", "/a", false },
	{ "/a/*.tmp", "/a/tmp", false },
	{ "/a/*", "/a/x", true },
	{ "/a/*", "/a/x/y", true },
	{ "/a/*", "/a", false },
	{ "/a/*", "/a/.hidden", true }, /* a leading dot is nothing special */
	{ "/*", "/etc", true },
	{ "/*", "/", false },
	{ "/a/**", "/a/x", true },
	{ "/a/**", "/a/x/y", true },
	{ "/a/b*", "/a/b", true },
	{ "/a/b*", "/a/bcd", true },
	{ "/a/b*", "/a/ab", false },
	{ "/a/*b*c", "/a/abc", true },
	{ "/a/*b*c", "/a/bc", true },
	{ "/a/*b*c", "/a/xbxc", true },
	{ "/a/*b*c", "/a/xbxcx", false },
	{ "/a/*b*c", "/a/cb", false },
	{ "/a/*/c", "/a/b/c", true },
	{ "/a/*/c", "/a/b/c/d", true },
	{ "/a/*/c", "/a/b/d", false },
	{ "/a/*/c", "/a/b", false },
	{ "/home/*/.cache", "/home/alice/.cache", true },
	{ "/home/*/.cache", "/home/alice/.cache/x", true },
	{ "/home/*/.cache", "/home/alice/bob/.cache", false },
	{ "/home/*/.cache", "/home/.cache", false },
	/* server-filesystem's write-then-rename sibling */
	{ "/srv/mcp/notes.txt.*.tmp", "/srv/mcp/notes.txt.3f2a9c.tmp", true },
	{ "/srv/mcp/notes.txt.*.tmp", "/srv/mcp/notes.txt", false },
	{ "/srv/mcp/notes.txt.*.tmp", "/srv/mcp/notes.txt..tmp", true },
	{ "/srv/mcp/notes.txt.*.tmp", "/srv/mcp/notes.txtX.1.tmp", false },
	{ "/srv/mcp/notes.txt.*.tmp", "/srv/mcp/other.txt.1.tmp", false },
	{ "/srv/mcp/notes.txt.*.tmp", "/srv/mcp/notes.txt.a/b.tmp", false },
	/* backtracking to the last '*' */
	{ "/a/*ab", "/a/aab", true },
	{ "/a/*aab", "/a/aaab", true },
	{ "/a/*a*b", "/a/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaac", false },
	{ "/a/*a*a*a*a*a*a*a*a*b", "/a/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false },
	{ "/a/*a*a*a*a*a*a*a*a*b", "/a/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", true },
	/* escapes in patterns */
	{ "/a/\\*", "/a/*", true },
	{ "/a/\\*", "/a/x", false },
	{ "/a/\\*", "/a/\\*", false },
	{ "/a/\\\\", "/a/\\", true },
	{ "/a/\\\\", "/a/x", false },
	{ "/a/\\\\*", "/a/\\xyz", true }, /* an escaped '\' then a real glob */
	{ "/a/\\\\*", "/a/xyz", false },
	{ "/a/\\x", "/a/x", true },      /* escaping an ordinary byte is harmless */
	{ "/a/b\\", "/a/b", false },     /* a dangling escape matches nothing */
	{ "/a/b\\", "/a/b\\", false },
	{ "/a/x\\/y", "/a/x/y", false }, /* an escaped '/' matches nothing */
	{ "/a/x\\/y", "/a/x", false },
	/* other glob syntaxes are literal */
	{ "/a/?", "/a/?", true },
	{ "/a/?", "/a/x", false },
	{ "/a/[ab]", "/a/[ab]", true },
	{ "/a/[ab]", "/a/a", false },
	{ "/a/{x,y}", "/a/x", false },
	/* targets are literal */
	{ "/a/x", "/a/*", false },
	{ "/a/*", "/a/*", true },
	{ "/a/\\*", "/a/\\", false },
	{ "/a/x", "/a/x\\", false },
	/* weird bytes */
	{ "/a/\xc3\xa9*", "/a/\xc3\xa9t\xc3\xa9", true },
	{ "/a/\xff*\x01", "/a/\xff\x80\x01", true },
	{ "/a/\x01", "/a/\x02", false },
	{ "/a/ b", "/a/ b", true },
	{ "/a/\n", "/a/\n/x", true },
	/* not absolute: nothing */
	{ "/a", "a", false },
	{ "a", "/a", false },
	{ "", "/a", false },
	{ "/a", "", false },
	{ "*", "/a", false },
	{ "/", "", false },
};

/* A matcher anyone can read: split both into components, then glob each
 * pair by recursion. Exponential, fine for short generated inputs. */
static bool ref_glob(const char *p, size_t pn, const char *t, size_t tn)
{
	if (pn == 0)
		return tn == 0;
	if (p[0] == '*')
		return ref_glob(p + 1, pn - 1, t, tn) || (tn > 0 && ref_glob(p, pn, t + 1, tn - 1));
	if (p[0] == '\\') {
		if (pn < 2)
			return false;
		return tn > 0 && p[1] == t[0] && ref_glob(p + 2, pn - 2, t + 1, tn - 1);
	}
	return tn > 0 && p[0] == t[0] && ref_glob(p + 1, pn - 1, t + 1, tn - 1);
}

static bool ref_match(const char *pattern, const char *path)
{
	if (pattern[0] != '/' || path[0] != '/')
		return false;
	const char *p = pattern, *t = path;
	for (;;) {
		while (*p == '/')
			p++;
		while (*t == '/')
			t++;
		if (!*p)
			return true;
		if (!*t)
			return false;
		const char *pe = p;
		while (*pe && *pe != '/')
			pe += (pe[0] == '\\' && pe[1]) ? 2 : 1;
		const char *te = strchrnul(t, '/');
		if (!ref_glob(p, (size_t)(pe - p), t, (size_t)(te - t)))
			return false;
		p = pe;
		t = te;
	}
}

/* A grant set holding one runtime pattern per op (no placeholders). */
static void grants_add(struct mb_grants *g, enum mb_op op, const char *text)
{
	struct mb_path_pattern *pp = mb_vec_new(&g->path[op]);
	if (!pp)
		abort();
	pp->text = strdup(text);
	pp->has_placeholder = strchr(text, '{') != NULL;
	pp->has_glob = strchr(text, '*') != NULL;
}

static void grants_add_ep(struct mb_grants *g, enum mb_op op, int family, const char *addr,
			  unsigned prefix, unsigned lo, unsigned hi)
{
	struct mb_endpoint *ep = mb_vec_new(&g->net[MB_NET_OP_INDEX(op)]);
	if (!ep || inet_pton(family, addr, ep->addr) != 1)
		abort();
	ep->text = strdup(addr);
	ep->family = family;
	ep->prefix = (uint8_t)prefix;
	ep->port_lo = (uint16_t)lo;
	ep->port_hi = (uint16_t)hi;
}

static void grants_clear(struct mb_grants *g)
{
	for (int op = 0; op < MB_PATH_OPS; op++) {
		mb_vec_foreach(pp, &g->path[op])
			free(pp->text);
		mb_vec_free(&g->path[op]);
	}
	for (int i = 0; i < 2; i++) {
		mb_vec_foreach(ep, &g->net[i])
			free(ep->text);
		mb_vec_free(&g->net[i]);
	}
}

/* The cpattern hot path (memcmp for literal patterns) must agree with the
 * general matcher. A pattern that cannot match anything may be left out. */
static bool via_callgrants(const char *pattern, const char *path)
{
	struct mb_grants g = { 0 };
	struct mb_callgrants cg;
	grants_add(&g, MB_OP_READ, pattern);
	g.path[MB_OP_READ].v[0].has_placeholder = false;
	if (mb_callgrants_build(&g, NULL, NULL, &cg) < 0)
		abort();
	bool r = mb_callgrants_allows_path(&cg, MB_OP_READ, path, NULL);
	mb_callgrants_free(&cg);
	grants_clear(&g);
	return r;
}

static void test_match_table(void)
{
	size_t n = ARRAY_SIZE(match_cases);
	for (size_t i = 0; i < n; i++) {
		const char *p = match_cases[i].pattern, *t = match_cases[i].path;
		bool want = match_cases[i].want;
		ok(mb_path_match(p, t) == want, "match %zu: \"%s\" %s \"%s\"", i, p,
		   want ? "grants" : "does not grant", t);
		/* the reference is exponential in stars: spare it the worst cases */
		size_t stars = 0;
		for (const char *q = p; *q; q++)
			stars += *q == '*';
		if (stars <= 4)
			ok(ref_match(p, t) == want, "reference %zu agrees", i);
		/* callgrants takes normalised patterns and targets; the cases
		 * that are not normalised go through mb_path_match only. */
		char np[256], nt[256];
		if (mb_path_normalize(p, np, sizeof(np)) >= 0 && strcmp(np, p) == 0 &&
		    mb_path_normalize(t, nt, sizeof(nt)) >= 0 && strcmp(nt, t) == 0)
			ok(via_callgrants(p, t) == want, "callgrants %zu agrees", i);
	}
	diag("%zu matcher cases", n);
}

/* Generated inputs over a tiny alphabet that holds every special byte. */
static void test_match_generated(void)
{
	static const char alpha[] = "ab*\\/.";
	unsigned seed = 12345, bad = 0, bad_fast = 0, n = 20000;
	char pat[16], path[16];
	for (unsigned i = 0; i < n; i++) {
		size_t pl = 1 + (size_t)(rand_r(&seed) % 10), tl = 1 + (size_t)(rand_r(&seed) % 10);
		pat[0] = path[0] = '/';
		for (size_t k = 1; k < pl; k++)
			pat[k] = alpha[rand_r(&seed) % 6];
		for (size_t k = 1; k < tl; k++)
			path[k] = "ab*\\/."[rand_r(&seed) % 6];
		pat[pl] = path[tl] = '\0';
		bool got = mb_path_match(pat, path), want = ref_match(pat, path);
		if (got != want && bad++ < 5)
			diag("mismatch: \"%s\" vs \"%s\": got %d want %d", pat, path, got, want);
		/* targets reach the matcher normalised, patterns normalised: check
		 * the hot path on those */
		char np[16], nt[16];
		if (mb_path_normalize(pat, np, sizeof(np)) >= 0 &&
		    mb_path_normalize(path, nt, sizeof(nt)) >= 0 && strcmp(np, pat) == 0 &&
		    via_callgrants(np, nt) != mb_path_match(np, nt) && bad_fast++ < 5)
			diag("hot path differs: \"%s\" vs \"%s\"", np, nt);
	}
	is_int(bad, 0, "%u generated cases agree with the reference matcher", n);
	is_int(bad_fast, 0, "the literal hot path agrees with the general matcher");
}

static void test_within(void)
{
	static const struct {
		const char *path, *dir;
		bool want;
	} c[] = {
		{ "/srv/mcp", "/srv/mcp", true },   { "/srv/mcp/a", "/srv/mcp", true },
		{ "/srv/mcp2", "/srv/mcp", false }, { "/srv", "/srv/mcp", false },
		{ "/anything", "/", true },         { "/", "/", true },
		{ "/srv/mcp/a", "/srv/mcp/", true }, { "/srv/mcpa", "/srv/mcp/", false },
		{ "relative", "/", false },         { "/srv/mcp", "srv", false },
		{ "/srv/mc", "/srv/mcp", false },   { "/srv/mcp/*", "/srv/mcp/*", true },
		{ "/srv/mcp/x", "/srv/mcp/*", false }, /* literal: no globs */
	};
	for (size_t i = 0; i < ARRAY_SIZE(c); i++)
		ok(mb_path_within(c[i].path, c[i].dir) == c[i].want, "within: \"%s\" in \"%s\" is %s",
		   c[i].path, c[i].dir, c[i].want ? "true" : "false");
}

/* mb_path_match_ancestor: is dir a proper ancestor of what pattern grants? */
static void test_ancestor(void)
{
	static const struct {
		const char *pattern, *dir;
		bool want;
	} c[] = {
		{ "/srv/mcp/a.txt", "/", true },
		{ "/srv/mcp/a.txt", "/srv", true },
		{ "/srv/mcp/a.txt", "/srv/mcp", true },
		{ "/srv/mcp/a.txt", "/srv/mcp/", true },      /* a trailing slash changes nothing */
		{ "/srv/mcp/a.txt", "/srv//mcp", true },
		{ "/srv/mcp/a.txt", "/srv/mcp/a.txt", false }, /* itself: a grant, not an ancestor */
		{ "/srv/mcp/a.txt", "/srv/mcp/a.txt/b", false },
		{ "/srv/mcp/a.txt", "/srv/mc", false },
		{ "/srv/mcp/a.txt", "/srv/mcp2", false },
		{ "/srv/mcp/a.txt", "/srv/other", false },
		{ "/srv/mcp/a.txt", "/etc", false },
		{ "/", "/", false },                            /* "/" has no ancestor */
		{ "/a", "/", true },
		/* globs match the components they stand for */
		{ "/srv/*/a.txt", "/srv/mcp", true },
		{ "/srv/*/a.txt", "/srv/mcp/a.txt", false },
		{ "/srv/f*.d/x", "/srv/f1.d", true },
		{ "/srv/f*.d/x", "/srv/g1.d", false },
		{ "/srv/mcp/a.txt.*.tmp", "/srv/mcp", true },
		/* escapes are literal */
		{ "/srv/a\\*b/x", "/srv/a*b", true },
		{ "/srv/a\\*b/x", "/srv/aXb", false },
		/* not absolute: nothing */
		{ "srv/mcp", "/", false },
		{ "/srv/mcp", "srv", false },
	};
	for (size_t i = 0; i < ARRAY_SIZE(c); i++)
		ok(mb_path_match_ancestor(c[i].pattern, c[i].dir) == c[i].want,
		   "ancestor: \"%s\" of \"%s\" is %s", c[i].dir, c[i].pattern,
		   c[i].want ? "true" : "false");
	ok(!mb_path_match_ancestor(NULL, "/") && !mb_path_match_ancestor("/a", NULL),
	   "ancestor: NULL is nothing's ancestor");
}

/* ---------------------------------------------------------------------------
 * mb_path_normalize / mb_path_absolute
 * ------------------------------------------------------------------------- */

static void test_normalize(void)
{
	static const struct {
		const char *in, *want; /* want NULL: -EINVAL */
	} c[] = {
		{ "/", "/" },
		{ "//", "/" },
		{ "///", "/" },
		{ "/.", "/" },
		{ "/..", "/" },
		{ "/../..", "/" },
		{ "/./././", "/" },
		{ "/a", "/a" },
		{ "/a/", "/a" },
		{ "/a//b///c/", "/a/b/c" },
		{ "/a/./b/.", "/a/b" },
		{ "/a/b/..", "/a" },
		{ "/a/b/../..", "/" },
		{ "/a/b/../../..", "/" },
		{ "/a/b/../../../c", "/c" },
		{ "/srv/mcp/../../etc/passwd", "/etc/passwd" },
		{ "/srv/mcp/./../mcp2", "/srv/mcp2" },
		{ "/a/.../b", "/a/.../b" },   /* "..." is a name */
		{ "/a/..b/c", "/a/..b/c" },
		{ "/a/.b", "/a/.b" },
		{ "/a/b../", "/a/b.." },
		{ "/a\\/..", "/" },            /* bytes: '\' escapes nothing here */
		{ "/x/a\\\\/../b", "/x/b" },
		{ "/a/*/..", "/a" },
		{ "/a b/ c ", "/a b/ c " },
		{ "", NULL },
		{ "a/b", NULL },
		{ "./a", NULL },
		{ "~/a", NULL },
	};
	for (size_t i = 0; i < ARRAY_SIZE(c); i++) {
		char out[64];
		int r = mb_path_normalize(c[i].in, out, sizeof(out));
		if (c[i].want) {
			is_int(r, (int)strlen(c[i].want), "normalize \"%s\" length", c[i].in);
			is_str(r >= 0 ? out : NULL, c[i].want, "normalize \"%s\"", c[i].in);
			/* in place, with exactly strlen(in) + 1 bytes */
			char buf[64];
			strcpy(buf, c[i].in);
			r = mb_path_normalize(buf, buf, strlen(buf) + 1);
			is_str(r >= 0 ? buf : NULL, c[i].want, "normalize \"%s\" in place", c[i].in);
		} else {
			is_int(r, -EINVAL, "normalize \"%s\" is -EINVAL", c[i].in);
		}
	}
	is_int(mb_path_normalize(NULL, (char[8]){ 0 }, 8), -EINVAL, "normalize NULL is -EINVAL");

	/* sizes: the output must fit, terminator included */
	char small[8];
	is_int(mb_path_normalize("/abcdef", small, 8), 7, "7 bytes fit in 8");
	is_int(mb_path_normalize("/abcdefg", small, 8), -ENAMETOOLONG, "8 bytes do not fit in 8");
	is_int(mb_path_normalize("/", small, 1), -ENAMETOOLONG, "\"/\" needs 2 bytes");
	is_int(mb_path_normalize("/", small, 0), -ENAMETOOLONG, "outsz 0");
	is_int(mb_path_normalize("/abcdefgh/..", small, 8), -ENAMETOOLONG,
	       "a step that does not fit is an error even if \"..\" would shorten it");
	is_int(mb_path_normalize("//////////a", small, 8), 2, "slashes cost nothing");

	/* beyond PATH_MAX: never overflows */
	size_t big = 3 * PATH_MAX;
	char *in = malloc(big + 1), *out = malloc(PATH_MAX);
	in[0] = '/';
	memset(in + 1, 'a', big - 1);
	in[big] = '\0';
	is_int(mb_path_normalize(in, out, PATH_MAX), -ENAMETOOLONG, "3*PATH_MAX path into PATH_MAX");
	is_int(mb_path_normalize(in, in, big + 1), (int)big, "3*PATH_MAX path in place");
	size_t k = 1;
	for (; k + 4 <= big; k += 4)
		memcpy(in + k, "a/./", 4); /* "/a/./a/./" ... */
	in[k] = '\0';
	int r = mb_path_normalize(in, in, big + 1);
	ok(r == (int)(k / 2), "in place, \"/a/./\" repeated halves (%d of %zu)", r, k);
	ok(r > 0 && strspn(in, "/a") == (size_t)r && strstr(in, "//") == NULL,
	   "... into \"/a/a/...\"");
	free(in);
	free(out);
}

static void test_absolute(void)
{
	static const struct {
		const char *value, *cwd, *want; /* want NULL: -EINVAL */
	} c[] = {
		{ "/etc/passwd", NULL, "/etc/passwd" },
		{ "/etc/passwd", "/srv", "/etc/passwd" },
		{ "notes.txt", "/srv/mcp", "/srv/mcp/notes.txt" },
		{ "notes.txt", "/srv/mcp/", "/srv/mcp/notes.txt" },
		{ "./a//b/", "/srv/mcp", "/srv/mcp/a/b" },
		{ "../etc", "/srv/mcp", "/srv/etc" },
		{ "../../../../etc", "/srv/mcp", "/etc" },
		{ ".", "/srv/mcp", "/srv/mcp" },
		{ "..", "/", "/" },
		{ "a", "/", "/a" },
		{ "a", "//srv/./x/..", "/srv/a" },
		{ "notes.txt", NULL, NULL },
		{ "notes.txt", "relative/cwd", NULL },
		{ "", "/srv", NULL },
		{ NULL, "/srv", NULL },
	};
	for (size_t i = 0; i < ARRAY_SIZE(c); i++) {
		char out[64];
		int r = mb_path_absolute(c[i].value, c[i].cwd, out, sizeof(out));
		if (c[i].want)
			is_str(r >= 0 ? out : NULL, c[i].want, "absolute \"%s\" in \"%s\"", c[i].value,
			       c[i].cwd ? c[i].cwd : "(null)");
		else
			is_int(r, -EINVAL, "absolute \"%s\" in \"%s\" is -EINVAL",
			       c[i].value ? c[i].value : "(null)", c[i].cwd ? c[i].cwd : "(null)");
	}
	char small[8];
	is_int(mb_path_absolute("abcd", "/xyz", small, sizeof(small)), -ENAMETOOLONG,
	       "absolute: cwd + value that do not fit");
	is_int(mb_path_absolute("abc", "/xy", small, sizeof(small)), 7, "absolute: exactly fits");
}

/* ---------------------------------------------------------------------------
 * Concrete grants built from JSON arguments
 * ------------------------------------------------------------------------- */

struct query {
	const char *path;
	bool want;
};

static const struct cg_case {
	const char *name;
	const char *patterns[4]; /* read grants */
	const char *args;        /* JSON; NULL for no arguments */
	const char *cwd;
	const char *want[8];     /* concrete patterns, in order */
	struct query q[6];
} cg_cases[] = {
	{ "plain {path}", { "{path}" }, "{\"path\":\"/srv/mcp/notes.txt\"}", NULL,
	  { "/srv/mcp/notes.txt" },
	  { { "/srv/mcp/notes.txt", true }, { "/srv/mcp/notes.txt2", false },
	    { "/srv/mcp", false }, { "/srv/mcp/notes.txt/x", true } } },
	{ "dot-dot in the value", { "{path}" }, "{\"path\":\"/srv/mcp/../../etc/passwd\"}", NULL,
	  { "/etc/passwd" },
	  { { "/etc/passwd", true }, { "/srv/mcp/etc/passwd", false } } },
	{ "duplicate and trailing slashes", { "{path}" }, "{\"path\":\"/srv//mcp///a/\"}", NULL,
	  { "/srv/mcp/a" }, { { "/srv/mcp/a", true }, { "/srv/mcp/ab", false } } },
	{ "value \"/\" under a bare {path}", { "{path}" }, "{\"path\":\"/\"}", NULL, { "/" },
	  { { "/etc/shadow", true }, { "/", true } } },
	{ "value \"/\" under {path}.*.tmp", { "{path}.*.tmp" }, "{\"path\":\"/\"}", NULL,
	  { "/.*.tmp" }, { { "/etc/shadow", false }, { "/.x.tmp", true } } },
	{ "write-then-rename sibling", { "{path}", "{path}.*.tmp" },
	  "{\"path\":\"/srv/mcp/a.txt\"}", NULL, { "/srv/mcp/a.txt", "/srv/mcp/a.txt.*.tmp" },
	  { { "/srv/mcp/a.txt.0123abcd.tmp", true }, { "/srv/mcp/b.txt.0123.tmp", false },
	    { "/srv/a.txt.0123.tmp", false }, { "/srv/mcp/a.txt.x/y.tmp", false } } },
	{ "sibling of a resolved value", { "{path}.*.tmp" }, "{\"path\":\"/srv/mcp/x/..\"}", NULL,
	  { "/srv/mcp.*.tmp" }, { { "/srv/mcp.1.tmp", true }, { "/srv/mcp/x/...1.tmp", false } } },
	{ "'*' in the value is literal", { "{path}" }, "{\"path\":\"/srv/mcp/*\"}", NULL,
	  { "/srv/mcp/\\*" }, { { "/srv/mcp/*", true }, { "/srv/mcp/secret", false } } },
	{ "'*' in the value, glob in the pattern", { "{path}.*.tmp" },
	  "{\"path\":\"/srv/*/f\"}", NULL, { "/srv/\\*/f.*.tmp" },
	  { { "/srv/*/f.1.tmp", true }, { "/srv/x/f.1.tmp", false } } },
	{ "'\\' in the value is literal", { "{path}" }, "{\"path\":\"/srv/mcp/a\\\\\"}", NULL,
	  { "/srv/mcp/a\\\\" },
	  { { "/srv/mcp/a\\", true }, { "/srv/mcp/a", false }, { "/srv/mcp/a\\/x", true } } },
	{ "'\\' then '*' in the value", { "{path}" }, "{\"path\":\"/srv/a\\\\*\"}", NULL,
	  { "/srv/a\\\\\\*" }, { { "/srv/a\\*", true }, { "/srv/a\\xyz", false } } },
	{ "'\\' before /.. resolves as bytes", { "{path}" },
	  "{\"path\":\"/srv/mcp/a\\\\/../../etc\"}", NULL, { "/srv/etc" },
	  { { "/srv/etc", true }, { "/srv/mcp", false } } },
	{ "'\\' at the end, then the sibling glob", { "{path}.*.tmp" },
	  "{\"path\":\"/srv/mcp/a\\\\\"}", NULL, { "/srv/mcp/a\\\\.*.tmp" },
	  { { "/srv/mcp/a\\.1f.tmp", true }, { "/srv/mcp/a.1f.tmp", false } } },
	{ "?, [ and { are bytes", { "{path}" }, "{\"path\":\"/srv/?[x]{y}\"}", NULL,
	  { "/srv/?[x]{y}" }, { { "/srv/?[x]{y}", true }, { "/srv/a[x]{y}", false } } },
	{ "weird bytes", { "{path}" }, "{\"path\":\"/srv/\\u0001\\u00ff\\n \\t\"}", NULL,
	  { "/srv/\x01\xc3\xbf\n \t" }, { { "/srv/\x01\xc3\xbf\n \t", true } } },
	{ "empty value", { "{path}" }, "{\"path\":\"\"}", "/srv", { NULL },
	  { { "/srv", false } } },
	{ "missing argument", { "{path}" }, "{\"other\":\"/srv\"}", NULL, { NULL },
	  { { "/srv", false } } },
	{ "number", { "{path}" }, "{\"path\":42}", NULL, { NULL }, { { "/", false } } },
	{ "null", { "{path}" }, "{\"path\":null}", NULL, { NULL }, { { "/", false } } },
	{ "array for a scalar", { "{path}" }, "{\"path\":[\"/srv\"]}", NULL, { NULL },
	  { { "/srv", false } } },
	{ "object", { "{path}" }, "{\"path\":{\"a\":\"/srv\"}}", NULL, { NULL },
	  { { "/srv", false } } },
	{ "arguments not an object", { "{path}" }, "[\"/srv\"]", NULL, { NULL },
	  { { "/srv", false } } },
	{ "no arguments", { "{path}", "/usr" }, NULL, NULL, { "/usr" },
	  { { "/usr/lib", true }, { "/srv", false } } },
	{ "repeated key: the last counts", { "{path}" },
	  "{\"path\":\"/srv/a\",\"path\":\"/srv/b\"}", NULL, { "/srv/b" },
	  { { "/srv/b", true }, { "/srv/a", false } } },
	{ "relative value with cwd", { "{path}" }, "{\"path\":\"notes.txt\"}", "/srv/mcp",
	  { "/srv/mcp/notes.txt" }, { { "/srv/mcp/notes.txt", true } } },
	{ "relative value climbing out of cwd", { "{path}" }, "{\"path\":\"../etc\"}", "/srv/mcp",
	  { "/srv/etc" }, { { "/srv/etc", true }, { "/srv/mcp/etc", false } } },
	{ "\".\" with cwd", { "{path}" }, "{\"path\":\".\"}", "/srv/mcp", { "/srv/mcp" },
	  { { "/srv/mcp/x", true } } },
	{ "relative value without cwd", { "{path}" }, "{\"path\":\"notes.txt\"}", NULL, { NULL },
	  { { "/notes.txt", false } } },
	{ "array", { "{paths[]}" }, "{\"paths\":[\"/a\",\"/b/c\"]}", NULL, { "/a", "/b/c" },
	  { { "/a/x", true }, { "/b/c", true }, { "/b", false } } },
	{ "empty array", { "{paths[]}" }, "{\"paths\":[]}", NULL, { NULL }, { { "/", false } } },
	{ "array of mixed types", { "{paths[]}" },
	  "{\"paths\":[1,\"/c\",null,{\"x\":\"/o\"},[\"/d\"],\"\",true,\"/e\"]}", NULL,
	  { "/c", "/e" }, { { "/c", true }, { "/d", false }, { "/o", false }, { "/e", true } } },
	{ "string for an array", { "{paths[]}" }, "{\"paths\":\"/a\"}", NULL, { NULL },
	  { { "/a", false } } },
	{ "array elements escaped and resolved", { "{paths[]}.*.tmp" },
	  "{\"paths\":[\"/a/*\",\"b/../c\"]}", "/w", { "/a/\\*.*.tmp", "/w/c.*.tmp" },
	  { { "/a/*.1.tmp", true }, { "/a/x.1.tmp", false }, { "/w/c.1.tmp", true } } },
	{ "two arrays multiply", { "{dirs[]}/{names[]}" },
	  "{\"dirs\":[\"/x\",\"/y\"],\"names\":[\"1\",\"2\"]}", NULL,
	  { "/x/1", "/y/1", "/x/2", "/y/2" }, { { "/y/2", true }, { "/y/3", false } } },
	{ "one array twice takes one element", { "/base/{n[]}.{n[]}" },
	  "{\"n\":[\"a\",\"b\"]}", NULL, { "/base/a.a", "/base/b.b" },
	  { { "/base/a.b", false }, { "/base/b.b", true } } },
	{ "placeholder inside a component", { "/srv/mcp/{name}" }, "{\"name\":\"x\"}", NULL,
	  { "/srv/mcp/x" }, { { "/srv/mcp/x", true }, { "/srv/mcp", false } } },
	{ "inner placeholder: \"..\"", { "/srv/mcp/{name}" }, "{\"name\":\"..\"}", NULL, { NULL },
	  { { "/srv", false } } },
	{ "inner placeholder: \".\"", { "/srv/mcp/{name}" }, "{\"name\":\".\"}", NULL, { NULL },
	  { { "/srv/mcp", false } } },
	{ "inner placeholder: a '/'", { "/srv/mcp/{name}" }, "{\"name\":\"a/b\"}", NULL, { NULL },
	  { { "/srv/mcp/a/b", false } } },
	{ "inner placeholder: \"/\"", { "/srv/mcp/{name}" }, "{\"name\":\"/\"}", NULL, { NULL },
	  { { "/srv/mcp", false } } },
	{ "inner placeholder: empty", { "/srv/mcp/{name}" }, "{\"name\":\"\"}", NULL, { NULL },
	  { { "/srv/mcp", false } } },
	{ "inner placeholder: '*'", { "/srv/mcp/{name}" }, "{\"name\":\"*\"}", NULL,
	  { "/srv/mcp/\\*" }, { { "/srv/mcp/*", true }, { "/srv/mcp/x", false } } },
	{ "inner placeholder meets a dot", { "/srv/mcp/.{name}" }, "{\"name\":\".\"}", NULL,
	  { NULL }, { { "/srv", false } } },
	{ "inner placeholder, harmless dots", { "/srv/mcp/{name}.bak" }, "{\"name\":\".\"}", NULL,
	  { "/srv/mcp/..bak" }, { { "/srv/mcp/..bak", true } } },
	{ "opening value \"/\" meets a dot", { "{path}." }, "{\"path\":\"/\"}", NULL, { NULL },
	  { { "/etc", false } } },
	{ "escaped brace is no placeholder", { "/x/\\{path}" }, "{\"path\":\"/etc\"}", NULL,
	  { "/x/\\{path}" }, { { "/x/{path}", true }, { "/etc", false } } },
	{ "unclosed brace is literal", { "/x/{path" }, "{\"path\":\"/etc\"}", NULL,
	  { "/x/{path" }, { { "/x/{path", true } } },
	{ "runtime escapes stay escapes", { "/data/\\*lit", "/data/b*" }, NULL, NULL,
	  { "/data/\\*lit", "/data/b*" },
	  { { "/data/*lit", true }, { "/data/xlit", false }, { "/data/bee", true } } },
	{ "runtime pattern not absolute", { "data" }, NULL, NULL, { NULL },
	  { { "/data", false } } },
	{ "runtime dangling escape", { "/data\\" }, NULL, NULL, { NULL }, { { "/data", false } } },
	{ "runtime escaped slash", { "/a\\/b" }, NULL, NULL, { NULL }, { { "/a/b", false } } },
};

static int check_cg_case(const struct cg_case *c)
{
	struct mb_grants g = { 0 };
	struct mb_callgrants cg;
	for (size_t i = 0; i < ARRAY_SIZE(c->patterns) && c->patterns[i]; i++)
		grants_add(&g, MB_OP_READ, c->patterns[i]);
	cJSON *args = c->args ? cJSON_Parse(c->args) : NULL;
	if (c->args && !args)
		return ok(false, "%s: JSON parses", c->name);

	int r = mb_callgrants_build(&g, args, c->cwd, &cg);
	is_int(r, 0, "%s: build", c->name);
	size_t nwant = 0;
	while (nwant < ARRAY_SIZE(c->want) && c->want[nwant])
		nwant++;
	const mb_cpattern_vec *got = &cg.path[MB_OP_READ];
	bool same = got->n == nwant;
	for (size_t i = 0; same && i < nwant; i++)
		same = strcmp(got->v[i].text, c->want[i]) == 0;
	ok(same, "%s: %zu concrete pattern(s)", c->name, nwant);
	if (!same)
		for (size_t i = 0; i < got->n; i++)
			diag("  got \"%s\"", got->v[i].text);
	for (size_t i = 0; i < ARRAY_SIZE(c->q) && c->q[i].path; i++) {
		const struct mb_cpattern *which = NULL;
		bool a = mb_callgrants_allows_path(&cg, MB_OP_READ, c->q[i].path, &which);
		ok(a == c->q[i].want, "%s: \"%s\" %s", c->name, c->q[i].path,
		   c->q[i].want ? "allowed" : "denied");
		if (a)
			ok(which && which->src >= g.path[MB_OP_READ].v &&
				   which->src < g.path[MB_OP_READ].v + g.path[MB_OP_READ].n &&
				   mb_path_match(which->text, c->q[i].path),
			   "%s: which names the grant", c->name);
	}
	mb_callgrants_free(&cg);
	cJSON_Delete(args);
	grants_clear(&g);
	return 0;
}

static void test_callgrants_table(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(cg_cases); i++)
		check_cg_case(&cg_cases[i]);
	diag("%zu callgrants cases", ARRAY_SIZE(cg_cases));
}

/* Build g = { read: [pattern] } against {"path": value}; how many concrete
 * patterns came out. */
static size_t n_concrete(const char *pattern, const char *value, const char *cwd)
{
	struct mb_grants g = { 0 };
	struct mb_callgrants cg;
	grants_add(&g, MB_OP_READ, pattern);
	cJSON *args = cJSON_CreateObject();
	cJSON_AddStringToObject(args, "path", value);
	if (mb_callgrants_build(&g, args, cwd, &cg) < 0)
		abort();
	size_t n = cg.path[MB_OP_READ].n;
	mb_callgrants_free(&cg);
	cJSON_Delete(args);
	grants_clear(&g);
	return n;
}

static void test_callgrants_long(void)
{
	size_t big = 2 * PATH_MAX;
	char *v = malloc(big + 1);
	v[0] = '/';
	memset(v + 1, 'a', big - 1);
	v[big] = '\0';
	is_int(n_concrete("{path}", v, NULL), 0, "a value of 2*PATH_MAX grants nothing");
	v[PATH_MAX] = '\0';
	is_int(n_concrete("{path}", v, NULL), 0, "a value of PATH_MAX bytes grants nothing");
	v[PATH_MAX - 1] = '\0';
	is_int(n_concrete("{path}", v, NULL), 1, "a value of PATH_MAX - 1 bytes grants");
	is_int(n_concrete("{path}/x", v, NULL), 0, "... but not once the pattern makes it longer");
	is_int(n_concrete("{path}", "x", v), 0, "a cwd of PATH_MAX - 1 bytes plus a name: nothing");
	/* escapes double the text, not the path it names */
	memset(v + 1, '*', PATH_MAX - 2);
	is_int(n_concrete("{path}", v, NULL), 1, "a PATH_MAX - 1 value of '*' grants");
	ok(via_callgrants("/", v) == true, "sanity: \"/\" grants it");
	/* ".." shortening a too-long value: conservative, grants nothing */
	memset(v + 1, 'a', big - 1);
	v[big] = '\0';
	memcpy(v + big - 3, "/..", 3);
	is_int(n_concrete("{path}", v, NULL), 0, "an over-long step grants nothing even if .. shortens it");
	free(v);

	/* many elements: linear, every one granted */
	cJSON *args = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(args, "paths");
	char name[32];
	for (int i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "/srv/mcp/f%d", i);
		cJSON_AddItemToArray(arr, cJSON_CreateString(name));
	}
	struct mb_grants g = { 0 };
	struct mb_callgrants cg;
	grants_add(&g, MB_OP_READ, "{paths[]}");
	is_int(mb_callgrants_build(&g, args, NULL, &cg), 0, "5000 elements: build");
	is_int(cg.path[MB_OP_READ].n, 5000, "5000 elements: 5000 patterns");
	ok(mb_callgrants_allows_path(&cg, MB_OP_READ, "/srv/mcp/f4999", NULL), "the last one grants");
	ok(!mb_callgrants_allows_path(&cg, MB_OP_READ, "/srv/mcp/f5000", NULL), "one more does not");
	mb_callgrants_free(&cg);
	grants_clear(&g);

	/* products above the cap grant nothing */
	cJSON *names = cJSON_AddArrayToObject(args, "names");
	for (int i = 0; i < 2; i++)
		cJSON_AddItemToArray(names, cJSON_CreateString(i ? "b" : "a"));
	grants_add(&g, MB_OP_READ, "{paths[]}/{names[]}");
	is_int(mb_callgrants_build(&g, args, NULL, &cg), 0, "5000 x 2 elements: build");
	is_int(cg.path[MB_OP_READ].n, 0, "a product of 10000 > %d grants nothing",
	       MB_CALLGRANTS_MAX_PRODUCT);
	mb_callgrants_free(&cg);
	grants_clear(&g);
	cJSON_Delete(args);
}

static void test_callgrants_ops(void)
{
	struct mb_grants g = { 0 };
	struct mb_callgrants cg;
	grants_add(&g, MB_OP_READ, "{source}");
	grants_add(&g, MB_OP_WRITE, "{source}");
	grants_add(&g, MB_OP_WRITE, "{destination}");
	grants_add(&g, MB_OP_EXEC, "/usr/bin/node");
	grants_add_ep(&g, MB_OP_CONNECT, AF_INET, "127.0.0.1", 32, 5432, 5432);
	grants_add_ep(&g, MB_OP_BIND, AF_INET6, "::1", 128, 8000, 8080);
	cJSON *args = cJSON_Parse("{\"source\":\"/srv/mcp/a\",\"destination\":\"/srv/mcp/b\"}");
	is_int(mb_callgrants_build(&g, args, NULL, &cg), 0, "move_file: build");
	ok(mb_callgrants_allows_path(&cg, MB_OP_READ, "/srv/mcp/a", NULL), "read source");
	ok(!mb_callgrants_allows_path(&cg, MB_OP_READ, "/srv/mcp/b", NULL), "not read destination");
	const struct mb_cpattern *which = NULL;
	ok(mb_callgrants_allows_path(&cg, MB_OP_WRITE, "/srv/mcp/b", &which) && which &&
		   which->src == &g.path[MB_OP_WRITE].v[1],
	   "write destination, named by the second write grant");
	ok(!mb_callgrants_allows_path(&cg, MB_OP_EXEC, "/srv/mcp/a", NULL), "not exec source");
	ok(mb_callgrants_allows_path(&cg, MB_OP_EXEC, "/usr/bin/node", NULL), "exec node");
	ok(!mb_callgrants_allows_path(&cg, MB_OP_CONNECT, "/srv/mcp/a", NULL), "connect is no path op");
	ok(!mb_callgrants_allows_path(&cg, (enum mb_op)-1, "/srv/mcp/a", NULL), "a bad op is nothing");
	ok(!mb_callgrants_allows_path(&cg, MB_OP_READ, "srv/mcp/a", NULL), "a relative target is nothing");
	ok(!mb_callgrants_allows_path(&cg, MB_OP_READ, NULL, NULL), "a NULL target is nothing");

	struct mb_addr a;
	const struct mb_endpoint *ep = NULL;
	mb_addr_set_v4(&a, (const uint8_t[]){ 127, 0, 0, 1 }, 5432);
	ok(mb_callgrants_allows_addr(&cg, MB_OP_CONNECT, &a, &ep) && ep == &g.net[0].v[0],
	   "connect 127.0.0.1:5432, named");
	ok(!mb_callgrants_allows_addr(&cg, MB_OP_BIND, &a, NULL), "not bind 127.0.0.1:5432");
	ok(!mb_callgrants_allows_addr(&cg, MB_OP_READ, &a, NULL), "read is no network op");
	uint8_t v6[16] = { 0 };
	v6[15] = 1;
	mb_addr_set_v6(&a, v6, 8080);
	ok(mb_callgrants_allows_addr(&cg, MB_OP_BIND, &a, NULL), "bind [::1]:8080");
	ok(!mb_callgrants_allows_addr(&cg, MB_OP_CONNECT, &a, NULL), "not connect [::1]:8080");
	mb_callgrants_free(&cg);
	mb_callgrants_free(&cg); /* idempotent */
	ok(!mb_callgrants_allows_addr(&cg, MB_OP_BIND, &a, NULL), "freed grants allow nothing");

	/* *ret is written only on success; build works with runtime-only grants */
	struct mb_grants empty = { 0 };
	is_int(mb_callgrants_build(&empty, args, NULL, &cg), 0, "empty grants: build");
	ok(!mb_callgrants_allows_path(&cg, MB_OP_READ, "/", NULL), "empty grants allow nothing");
	mb_callgrants_free(&cg);
	cJSON_Delete(args);
	grants_clear(&g);
}

/* ---------------------------------------------------------------------------
 * mb_grants_foreach_path_argument
 * ------------------------------------------------------------------------- */

struct collect {
	char buf[512];
	int calls, stop_after;
};

static int collect_fn(const char *name, const char *value, void *ud)
{
	struct collect *c = ud;
	size_t l = strlen(c->buf);
	snprintf(c->buf + l, sizeof(c->buf) - l, "%s%s=%s", l ? " " : "", name, value);
	return ++c->calls == c->stop_after ? 7 : 0;
}

static void test_foreach(void)
{
	struct mb_grants g = { 0 };
	grants_add(&g, MB_OP_READ, "{source}");
	grants_add(&g, MB_OP_READ, "{paths[]}");
	grants_add(&g, MB_OP_READ, "/usr");
	grants_add(&g, MB_OP_WRITE, "{source}");          /* same argument: once */
	grants_add(&g, MB_OP_WRITE, "{source}.*.tmp");    /* once more: still once */
	grants_add(&g, MB_OP_WRITE, "{destination}");
	grants_add(&g, MB_OP_WRITE, "/srv/mcp/{name}");   /* a file name, not a path */
	grants_add(&g, MB_OP_EXEC, "{missing}");
	cJSON *args = cJSON_Parse("{\"source\":\"/srv/a\",\"destination\":\"rel/b\","
				  "\"paths\":[\"/p1\",3,\"\",\"/p2\"],\"name\":\"n\",\"missing\":5}");

	struct collect c = { .stop_after = -1 };
	is_int(mb_grants_foreach_path_argument(&g, args, collect_fn, &c), 0, "foreach: returns 0");
	is_str(c.buf, "source=/srv/a paths=/p1 paths= paths=/p2 destination=rel/b",
	       "foreach: every path value once, raw, non-strings skipped");

	struct collect s = { .stop_after = 2 };
	is_int(mb_grants_foreach_path_argument(&g, args, collect_fn, &s), 7,
	       "foreach: stops with fn's value");
	is_int(s.calls, 2, "foreach: after two calls");

	struct collect none = { .stop_after = -1 };
	is_int(mb_grants_foreach_path_argument(&g, NULL, collect_fn, &none), 0, "foreach: no arguments");
	is_int(none.calls, 0, "foreach: nothing to check without arguments");
	cJSON_Delete(args);
	grants_clear(&g);
}

/* ---------------------------------------------------------------------------
 * Endpoints
 * ------------------------------------------------------------------------- */

static const struct {
	int family;
	const char *addr;
	unsigned prefix, lo, hi;
	const char *target; /* parsed as v4 or v6 by its look */
	unsigned port;
	bool want;
} ep_cases[] = {
	{ AF_INET, "127.0.0.1", 32, 80, 80, "127.0.0.1", 80, true },
	{ AF_INET, "127.0.0.1", 32, 80, 80, "127.0.0.1", 81, false },
	{ AF_INET, "127.0.0.1", 32, 80, 80, "127.0.0.1", 79, false },
	{ AF_INET, "127.0.0.1", 32, 80, 80, "127.0.0.2", 80, false },
	{ AF_INET, "127.0.0.1", 32, 80, 80, "::ffff:127.0.0.1", 80, true },
	{ AF_INET, "127.0.0.1", 32, 80, 80, "::1", 80, false },
	{ AF_INET, "127.0.0.1", 32, 80, 80, "::127.0.0.1", 80, false },   /* compat: not folded */
	{ AF_INET, "127.0.0.1", 32, 80, 80, "64:ff9b::7f00:1", 80, false }, /* NAT64: not folded */
	{ AF_INET, "10.0.0.0", 8, 443, 443, "10.255.1.2", 443, true },
	{ AF_INET, "10.0.0.0", 8, 443, 443, "11.0.0.1", 443, false },
	{ AF_INET, "10.0.0.0", 8, 443, 443, "9.255.255.255", 443, false },
	{ AF_INET, "10.1.2.3", 8, 443, 443, "10.9.9.9", 443, true },      /* host bits ignored */
	{ AF_INET, "192.168.1.0", 24, 1, 65535, "192.168.1.255", 1, true },
	{ AF_INET, "192.168.1.0", 24, 1, 65535, "192.168.2.0", 1, false },
	{ AF_INET, "192.168.1.128", 25, 1, 65535, "192.168.1.127", 22, false },
	{ AF_INET, "192.168.1.128", 25, 1, 65535, "192.168.1.128", 22, true },
	{ AF_INET, "192.168.1.2", 31, 1, 65535, "192.168.1.3", 22, true },
	{ AF_INET, "192.168.1.2", 31, 1, 65535, "192.168.1.4", 22, false },
	{ AF_INET, "0.0.0.0", 0, 1, 65535, "1.2.3.4", 1, true },
	{ AF_INET, "0.0.0.0", 0, 1, 65535, "255.255.255.255", 65535, true },
	{ AF_INET, "0.0.0.0", 0, 1, 65535, "1.2.3.4", 0, false },
	{ AF_INET, "0.0.0.0", 0, 1, 65535, "2001:db8::1", 443, false },
	{ AF_INET, "0.0.0.0", 0, 0, 65535, "1.2.3.4", 0, true },
	{ AF_INET, "1.2.3.4", 32, 65535, 65535, "1.2.3.4", 65535, true },
	{ AF_INET, "1.2.3.4", 32, 65535, 65535, "1.2.3.4", 65534, false },
	{ AF_INET, "1.2.3.4", 32, 1, 1, "1.2.3.4", 1, true },
	{ AF_INET, "1.2.3.4", 32, 1, 1, "1.2.3.4", 2, false },
	{ AF_INET, "1.2.3.4", 32, 8000, 8080, "1.2.3.4", 7999, false },
	{ AF_INET, "1.2.3.4", 32, 8000, 8080, "1.2.3.4", 8000, true },
	{ AF_INET, "1.2.3.4", 32, 8000, 8080, "1.2.3.4", 8080, true },
	{ AF_INET, "1.2.3.4", 32, 8000, 8080, "1.2.3.4", 8081, false },
	{ AF_INET, "1.2.3.4", 33, 1, 65535, "1.2.3.4", 80, false },  /* bad prefix: nothing */
	{ AF_INET6, "::1", 128, 80, 80, "::1", 80, true },
	{ AF_INET6, "::1", 128, 80, 80, "::2", 80, false },
	{ AF_INET6, "::1", 128, 80, 80, "127.0.0.1", 80, false },
	{ AF_INET6, "::", 0, 1, 65535, "2001:db8::1", 443, true },
	{ AF_INET6, "::", 0, 1, 65535, "127.0.0.1", 443, false },
	{ AF_INET6, "::", 0, 1, 65535, "::ffff:127.0.0.1", 443, false }, /* folded: v4 */
	{ AF_INET6, "2001:db8::", 32, 443, 443, "2001:db8:ffff::1", 443, true },
	{ AF_INET6, "2001:db8::", 32, 443, 443, "2001:db9::1", 443, false },
	{ AF_INET6, "2001:db8:0:1::", 64, 443, 443, "2001:db8:0:1:ffff:ffff:ffff:ffff", 443, true },
	{ AF_INET6, "2001:db8:0:1::", 64, 443, 443, "2001:db8:0:2::1", 443, false },
	{ AF_INET6, "2001:db8::", 33, 443, 443, "2001:db8:7fff::1", 443, true },
	{ AF_INET6, "2001:db8::", 33, 443, 443, "2001:db8:8000::1", 443, false },
	{ AF_INET6, "2001:db8::1", 127, 443, 443, "2001:db8::", 443, true },
	{ AF_INET6, "2001:db8::1", 127, 443, 443, "2001:db8::2", 443, false },
	{ AF_INET6, "2001:db8::1", 129, 443, 443, "2001:db8::1", 443, false }, /* bad prefix */
	{ AF_INET6, "::ffff:127.0.0.1", 128, 80, 80, "127.0.0.1", 80, true },  /* grant folded */
	{ AF_INET6, "::ffff:127.0.0.1", 128, 80, 80, "::ffff:127.0.0.1", 80, true },
	{ AF_INET6, "::ffff:127.0.0.1", 128, 80, 80, "127.0.0.2", 80, false },
	{ AF_INET6, "::ffff:0:0", 96, 53, 53, "8.8.8.8", 53, true },
	{ AF_INET6, "::ffff:0:0", 96, 53, 53, "::1", 53, false },
	{ AF_INET6, "::ffff:10.0.0.0", 104, 53, 53, "10.1.1.1", 53, true },
	{ AF_INET6, "::ffff:10.0.0.0", 104, 53, 53, "11.0.0.1", 53, false },
	{ AF_INET6, "::ffff:0:0", 95, 53, 53, "8.8.8.8", 53, false }, /* not all mapped: v6 */
	{ 0, "0.0.0.0", 0, 0, 65535, "1.2.3.4", 1, false },           /* no family: nothing */
};

static void target_from_text(struct mb_addr *a, const char *text, unsigned port)
{
	uint8_t buf[16];
	if (strchr(text, ':')) {
		if (inet_pton(AF_INET6, text, buf) != 1)
			abort();
		mb_addr_set_v6(a, buf, (uint16_t)port);
	} else {
		if (inet_pton(AF_INET, text, buf) != 1)
			abort();
		mb_addr_set_v4(a, buf, (uint16_t)port);
	}
}

static void test_endpoints(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(ep_cases); i++) {
		struct mb_endpoint ep = { .family = ep_cases[i].family,
					  .prefix = (uint8_t)ep_cases[i].prefix,
					  .port_lo = (uint16_t)ep_cases[i].lo,
					  .port_hi = (uint16_t)ep_cases[i].hi };
		if (inet_pton(ep_cases[i].family ? ep_cases[i].family : AF_INET, ep_cases[i].addr,
			      ep.addr) != 1)
			abort();
		struct mb_addr a;
		target_from_text(&a, ep_cases[i].target, ep_cases[i].port);
		ok(mb_endpoint_match(&ep, &a) == ep_cases[i].want, "endpoint %s/%u:%u-%u %s %s:%u",
		   ep_cases[i].addr, ep_cases[i].prefix, ep_cases[i].lo, ep_cases[i].hi,
		   ep_cases[i].want ? "grants" : "does not grant", ep_cases[i].target,
		   ep_cases[i].port);
	}
	diag("%zu endpoint cases", ARRAY_SIZE(ep_cases));

	/* a hand-built target left unfolded is still seen as IPv4 */
	struct mb_endpoint ep = { .family = AF_INET, .prefix = 32, .port_lo = 1, .port_hi = 65535 };
	inet_pton(AF_INET, "127.0.0.1", ep.addr);
	struct mb_addr raw = { .family = AF_INET6, .port = 80 };
	inet_pton(AF_INET6, "::ffff:127.0.0.1", raw.addr);
	ok(mb_endpoint_match(&ep, &raw), "an unfolded mapped target still matches its IPv4 grant");
	ok(!mb_endpoint_match(NULL, &raw) && !mb_endpoint_match(&ep, NULL), "NULL matches nothing");

	/* Protocols: a grant of one matches only a target of that one; a
	 * target whose protocol is not known needs a grant of both. */
	static const struct {
		unsigned grant, target;
		bool want;
	} protos[] = {
		{ 0, 0, true },
		{ 0, MB_PROTO_TCP, true },
		{ 0, MB_PROTO_UDP, true },
		{ MB_PROTO_BOTH, 0, true },
		{ MB_PROTO_TCP, MB_PROTO_TCP, true },
		{ MB_PROTO_TCP, MB_PROTO_UDP, false },
		{ MB_PROTO_TCP, 0, false },
		{ MB_PROTO_UDP, MB_PROTO_UDP, true },
		{ MB_PROTO_UDP, MB_PROTO_TCP, false },
		{ MB_PROTO_UDP, MB_PROTO_BOTH, false },
	};
	for (size_t i = 0; i < ARRAY_SIZE(protos); i++) {
		ep.protos = (uint8_t)protos[i].grant;
		raw.proto = (uint8_t)protos[i].target;
		ok(mb_endpoint_match(&ep, &raw) == protos[i].want,
		   "a grant of protocols %u %s a target speaking %u", protos[i].grant,
		   protos[i].want ? "matches" : "does not match", protos[i].target);
	}
}

static void test_addr(void)
{
	struct mb_addr a;
	char buf[64];
	uint8_t ip[16];

	target_from_text(&a, "::ffff:1.2.3.4", 5);
	is_int(a.family, AF_INET, "::ffff:1.2.3.4 folds to AF_INET");
	ok(memcmp(a.addr, (const uint8_t[]){ 1, 2, 3, 4 }, 4) == 0, "... as 1.2.3.4");
	is_str(mb_addr_format(&a, buf, sizeof(buf)), "1.2.3.4:5", "format folded");
	target_from_text(&a, "::1", 443);
	is_int(a.family, AF_INET6, "::1 stays AF_INET6");
	is_str(mb_addr_format(&a, buf, sizeof(buf)), "[::1]:443", "format ::1");
	target_from_text(&a, "::127.0.0.1", 1);
	is_int(a.family, AF_INET6, "::127.0.0.1 (compat) stays AF_INET6");
	target_from_text(&a, "2001:db8::1", 65535);
	is_str(mb_addr_format(&a, buf, sizeof(buf)), "[2001:db8::1]:65535", "format v6, port 65535");
	target_from_text(&a, "255.255.255.255", 0);
	is_str(mb_addr_format(&a, buf, sizeof(buf)), "255.255.255.255:0", "format v4, port 0");
	inet_pton(AF_INET6, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", ip);
	mb_addr_set_v6(&a, ip, 65535);
	is_str(mb_addr_format(&a, buf, sizeof(buf)),
	       "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535", "the longest address fits in 64");
	char tiny[8];
	memset(tiny, 'x', sizeof(tiny));
	is_str(mb_addr_format(&a, tiny, 6), "[ffff", "a short buffer is cut, not overrun");
	is_int(tiny[6], 'x', "... and nothing is written past it");
	struct mb_addr bad = { .family = 0, .port = 9 };
	is_str(mb_addr_format(&bad, buf, sizeof(buf)), "?:9", "unknown family");
}

int main(void)
{
	test_match_table();
	test_match_generated();
	test_within();
	test_ancestor();
	test_normalize();
	test_absolute();
	test_callgrants_table();
	test_callgrants_long();
	test_callgrants_ops();
	test_foreach();
	test_endpoints();
	test_addr();
	return done_testing();
}
