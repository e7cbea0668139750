/* SPDX-License-Identifier: Apache-2.0 */
/* The key table (policy/profile-keys.h) is whole, and the loader follows it:
 * every key has a name of its own, a decision about drafts (a writer, or
 * why drafts never hold it) and a section of membrane-profile(5); a fragment
 * may set exactly the keys the table lets it, which are those its messages
 * name; an unknown key's message lists the table in its order; the fuzzer's
 * dictionary holds every key and every key their values take. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/strbuf.h"
#include "policy/load/load-internal.h"
#include "tests/tap.h"

/* The DRAFT column as text: the writer's name, or why drafts never hold it. */
#define DRAFT(section, writer) #writer
#define NO_DRAFT(why) why

static const struct {
	const char *name, *draft, *man;
	const struct ld_names *sub;
} table[] = {
#define X(id, name, pass, where, read, sub, draft, man) { name, draft, man, sub },
	MB_PROFILE_KEYS(X)
#undef X
};

static char dir[64];

static void put(const char *rel, const char *text)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	FILE *f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		abort();
}

static void whole(void)
{
	is_int(ARRAY_SIZE(table), LD_KEY_COUNT_, "the loader has every key of the table");
	for (size_t k = 0; k < ARRAY_SIZE(table); k++) {
		const char *n = table[k].name;
		bool unique = true;
		for (size_t j = 0; j < k; j++)
			unique &= strcmp(table[j].name, n) != 0;
		ok(n[0] && unique && strcmp(ld_key_names[k], n) == 0, "'%s': a name of its own", n);
		ok(table[k].draft[0], "'%s': drafts write it (%s) or the table says why not", n,
		   table[k].draft);
		ok(table[k].man[0], "'%s': its section of membrane-profile(5) is named (%s)", n,
		   table[k].man);
	}
}

/* Each key alone in a fragment: refused unless the table lets a fragment
 * set it. */
static void fragments(void)
{
	static const char main_yml[] = "version: 1\nname: t\ninclude: [f]\n";
	const char *const dirs[] = { dir, NULL };
	struct mb_load_opts opts = { .include_dirs = dirs };
	for (size_t k = 0; k < LD_KEY_COUNT_; k++) {
		const char *n = ld_keys[k].name;
		char text[64], want[128];
		snprintf(text, sizeof(text), "%s: ~\n", n);
		put("runtimes/f.yml", text);
		struct mb_profile *p = NULL;
		struct mb_error err = { 0 };
		int r = mb_profile_load_buffer("main.yml", main_yml, strlen(main_yml), &opts, &p, &err);
		mb_profile_free(p);
		snprintf(want, sizeof(want), ": '%s' is not allowed in a runtime fragment", n);
		if (ld_keys[k].where == LD_WHERE_ANY)
			ok(r == 0, "'%s' may be set by a fragment (%s)", n, err.msg);
		else
			ok(r == -EINVAL && strstr(err.msg, want), "'%s' is refused in a fragment (%s)", n,
			   err.msg);
	}
}

/* LD_FRAGMENT_KEYS names the keys of WHERE ANY, each once. */
static void fragment_words(void)
{
	char words[] = LD_FRAGMENT_KEYS;
	size_t any = 0, named = 0;
	for (size_t k = 0; k < LD_KEY_COUNT_; k++)
		any += ld_keys[k].where == LD_WHERE_ANY;
	for (char *save = NULL, *w = strtok_r(words, ", ", &save); w; w = strtok_r(NULL, ", ", &save)) {
		if (strcmp(w, "and") == 0)
			continue;
		size_t k = 0;
		while (k < LD_KEY_COUNT_ && strcmp(ld_keys[k].name, w) != 0)
			k++;
		ok(k < LD_KEY_COUNT_ && ld_keys[k].where == LD_WHERE_ANY,
		   "messages say a fragment holds '%s': the table agrees", w);
		named++;
	}
	is_int(named, any, "messages name every key a fragment may set (" LD_FRAGMENT_KEYS ")");
}

static void unknown_key(void)
{
	static const char yml[] = "version: 1\nnetwrok: none\n";
	struct mb_strbuf want = { 0 };
	mb_strbuf_puts(&want, "main.yml:2:1: unknown key 'netwrok' (expected one of: ");
	for (size_t k = 0; k < LD_KEY_COUNT_; k++)
		mb_strbuf_printf(&want, "%s%s", k ? ", " : "", ld_keys[k].name);
	mb_strbuf_puts(&want, ")");
	struct mb_profile *p = NULL;
	struct mb_error err = { 0 };
	mb_profile_load_buffer("main.yml", yml, strlen(yml), NULL, &p, &err);
	mb_profile_free(p);
	is_str(err.msg, want.s, "an unknown key's message lists the table, in its order");
	mb_strbuf_free(&want);
}

static void in_dict(const char *dict, const char *key)
{
	char token[64];
	snprintf(token, sizeof(token), "\"%s:", key);
	ok(dict && strstr(dict, token), "tests/fuzz/profile.dict has %s\"", token);
}

static void dictionary(void)
{
	const char *top = getenv("top_srcdir");
	char path[4096], *dict = NULL;
	snprintf(path, sizeof(path), "%s/tests/fuzz/profile.dict", top ? top : ".");
	FILE *f = fopen(path, "r");
	size_t len = 0;
	if (f && getdelim(&dict, &len, '\0', f) < 0) {
		free(dict);
		dict = NULL;
	}
	if (f)
		fclose(f);
	for (size_t k = 0; k < ARRAY_SIZE(table); k++) {
		in_dict(dict, table[k].name);
		for (size_t i = 0; table[k].sub && i < table[k].sub->n; i++)
			in_dict(dict, table[k].sub->v[i]);
	}
	free(dict);
}

int main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/membrane-test-keys.XXXXXX");
	if (!mkdtemp(dir))
		abort();
	char sub[96];
	snprintf(sub, sizeof(sub), "%s/runtimes", dir);
	if (mkdir(sub, 0755) < 0)
		abort();
	whole();
	fragments();
	fragment_words();
	unknown_key();
	dictionary();
	char path[128];
	snprintf(path, sizeof(path), "%s/runtimes/f.yml", dir);
	unlink(path);
	rmdir(sub);
	rmdir(dir);
	return done_testing();
}
