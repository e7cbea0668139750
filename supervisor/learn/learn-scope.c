/* SPDX-License-Identifier: Apache-2.0 */
/* The learner's bookkeeping: what is a secret, what may be written down,
 * and the scopes (runtime, each tool, each method) with their records,
 * bounded (learn.h). */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/match.h"
#include "policy/resolve.h"
#include "supervisor/learn/learn-internal.h"
#include "report/report-request.h"

#define EXAMPLE_MAX 240 /* bytes of one call's arguments in the draft */

/* ---- secrets and redaction --------------------------------------------- */

bool mb_learn_in_secret(const struct mb_learner *l, const char *path)
{
	for (char **s = l->secrets; s && *s; s++)
		if (mb_path_match(*s, path))
			return true;
	return false;
}

bool mb_learn_holds_secret(const struct mb_learner *l, const char *dir)
{
	for (char **s = l->secrets; s && *s; s++)
		if (mb_path_match_ancestor(*s, dir))
			return true;
	return false;
}

/* Names of arguments, variables and environment entries whose values are
 * never written: token, password, key, secret and their kin. */
bool mb_learn_secret_name(const char *name)
{
	static const char *const parts[] = { "token", "passw", "secret", "key", "credential",
					     "cookie", "private", "auth" };
	char low[128];
	size_t n = 0;
	for (; name[n] && n < sizeof(low) - 1; n++)
		low[n] = (char)tolower((unsigned char)name[n]);
	low[n] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(parts); i++)
		for (const char *p = low; (p = strstr(p, parts[i])); p++) {
			/* "auth" is in "author" (GIT_AUTHOR_NAME), "key" in
			 * "keyboard": a word that goes on is not the secret. */
			if (strcmp(parts[i], "auth") == 0 && strncmp(p, "author", 6) == 0)
				continue;
			if (strcmp(parts[i], "key") == 0 && strncmp(p, "keyboard", 8) == 0)
				continue;
			return true;
		}
	return false;
}

bool mb_learn_redacts(const struct mb_learner *l, const char *name)
{
	return mb_learn_secret_name(name) || (l->cfg.base && mb_profile_redacts(l->cfg.base, name));
}

static bool is_home(const struct mb_learner *l, const char *dir)
{
	if (strcmp(dir, "/root") == 0 || (mb_path_match("/home/*", dir) && mb_path_components(dir) == 2))
		return true;
	return l->cfg.home && l->cfg.home[0] == '/' && strcmp(dir, l->cfg.home) == 0;
}

bool mb_learn_too_wide(const struct mb_learner *l, const char *dir)
{
	return mb_path_components(dir) < 2 || is_home(l, dir) || mb_learn_holds_secret(l, dir) ||
	       mb_learn_in_secret(l, dir);
}

/* A copy of v fit for the draft: secret-looking and redacted names
 * replaced, long strings replaced by their length, deep nesting cut. */
static cJSON *redacted(const struct mb_learner *l, const cJSON *v, int depth)
{
	if (cJSON_IsString(v)) {
		size_t n = strlen(v->valuestring);
		if (n <= MB_LEARN_VALUE_MAX)
			return cJSON_CreateString(v->valuestring);
		char buf[64];
		snprintf(buf, sizeof(buf), "(%zu bytes, not shown)", n);
		return cJSON_CreateString(buf);
	}
	if (!cJSON_IsObject(v) && !cJSON_IsArray(v))
		return cJSON_Duplicate(v, false);
	if (depth >= 4)
		return cJSON_CreateString(cJSON_IsObject(v) ? "{...}" : "[...]");
	cJSON *out = cJSON_IsObject(v) ? cJSON_CreateObject() : cJSON_CreateArray();
	int i = 0;
	for (const cJSON *c = v->child; out && c; c = c->next, i++) {
		cJSON *x;
		if (cJSON_IsArray(v) && i >= 16) {
			char buf[32];
			snprintf(buf, sizeof(buf), "(+%d more)", cJSON_GetArraySize(v) - i);
			x = cJSON_CreateString(buf);
			if (!x || !cJSON_AddItemToArray(out, x)) {
				cJSON_Delete(x);
				cJSON_Delete(out);
				return NULL;
			}
			break;
		}
		if (cJSON_IsObject(v) && c->string && mb_learn_redacts(l, c->string))
			x = cJSON_CreateString("(redacted)");
		else
			x = redacted(l, c, depth + 1);
		bool added = x && (cJSON_IsObject(v) ? cJSON_AddItemToObject(out, c->string, x)
						     : cJSON_AddItemToArray(out, x));
		if (!added) {
			cJSON_Delete(x);
			cJSON_Delete(out);
			return NULL;
		}
	}
	return out;
}

/* One line of evidence: the arguments as JSON, redacted, cut. */
char *mb_learn_evidence(const struct mb_learner *l, const cJSON *args)
{
	if (!args)
		return strdup("{}");
	cJSON *r = redacted(l, args, 0);
	char *s = r ? cJSON_PrintUnformatted(r) : NULL;
	cJSON_Delete(r);
	if (!s)
		return NULL;
	char *cut = mb_report_cut(s, strlen(s), EXAMPLE_MAX);
	free(s);
	return cut;
}

/* ---- scopes and records ------------------------------------------------- */

void mb_learn_scope_free(struct learn_scope *s)
{
	mb_vec_foreach(e, &s->records) {
		free(e->text);
		free(e->argname);
		free(e->example);
	}
	mb_vec_free(&s->records);
	free(s->index);
	mb_vec_foreach(a, &s->argnames) free(*a);
	mb_vec_free(&s->argnames);
	free(s->example);
	free(s->name);
}

static struct learn_scope *scope_find(struct mb_learner *l, enum learn_scope_kind kind,
				      const char *name)
{
	mb_vec_foreach(sp, &l->scopes) {
		if ((*sp)->kind == kind && strcmp((*sp)->name, name) == 0)
			return *sp;
	}
	return NULL;
}

/* The scope of a tool or method, made at first sight; NULL when there are
 * too many (counted). */
struct learn_scope *mb_learn_scope_get(struct mb_learner *l, enum learn_scope_kind kind,
				       const char *name)
{
	struct learn_scope *s = scope_find(l, kind, name);
	if (s)
		return s;
	if (l->scopes.n >= MB_LEARN_MAX_SCOPES) {
		l->scopes_over++;
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s || !(s->name = strdup(name)) || mb_vec_push(&l->scopes, s) < 0) {
		if (s)
			free(s->name);
		free(s);
		return NULL;
	}
	s->kind = kind;
	s->order = l->next_order++;
	const struct mb_profile *b = l->cfg.base;
	s->in_base = b && (kind == LEARN_SCOPE_TOOL ? mb_profile_tool(b, name) != NULL
						    : mb_profile_request(b, name) != NULL);
	return s;
}

void mb_learn_note_argnames(struct learn_scope *s, const cJSON *args)
{
	if (!cJSON_IsObject(args))
		return;
	for (const cJSON *c = args->child; c; c = c->next) {
		if (!c->string)
			continue;
		bool have = false;
		mb_vec_foreach(a, &s->argnames) have |= strcmp(*a, c->string) == 0;
		if (have)
			continue;
		if (s->argnames.n >= LEARN_MAX_ARGNAMES) {
			s->argnames_cut = true;
			return;
		}
		char *d = strdup(c->string);
		if (!d || mb_vec_push(&s->argnames, d) < 0) {
			free(d);
			return;
		}
	}
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * 1099511628211ull;
	return h;
}

static uint64_t record_hash(const struct learn_record *e)
{
	unsigned char b[3] = { (unsigned char)e->basis, (unsigned char)e->op,
			       (unsigned char)e->access };
	uint64_t h = fnv(1469598103934665603ull, b, sizeof(b));
	if (e->basis == LEARN_BASIS_BASE) {
		const void *p = e->base_pp ? (const void *)e->base_pp : (const void *)e->base_ep;
		return fnv(h, &p, sizeof(p));
	}
	h = fnv(h, e->text, strlen(e->text) + 1);
	if (e->argname)
		h = fnv(h, e->argname, strlen(e->argname) + 1);
	return h;
}

static bool record_same(const struct learn_record *a, const struct learn_record *b)
{
	if (a->basis != b->basis || a->op != b->op || a->access != b->access ||
	    a->named_only != b->named_only)
		return false;
	if (a->basis == LEARN_BASIS_BASE)
		return a->base_pp == b->base_pp && a->base_ep == b->base_ep;
	if (strcmp(a->text, b->text) != 0)
		return false;
	if (!a->argname || !b->argname)
		return a->argname == b->argname;
	return strcmp(a->argname, b->argname) == 0;
}

static int index_grow(struct learn_scope *s)
{
	size_t cap = s->index_cap ? s->index_cap * 2 : 64;
	uint32_t *ix = calloc(cap, sizeof(*ix));
	if (!ix)
		return -ENOMEM;
	for (size_t i = 0; i < s->records.n; i++) {
		size_t j = record_hash(&s->records.v[i]) & (cap - 1);
		while (ix[j])
			j = (j + 1) & (cap - 1);
		ix[j] = (uint32_t)i + 1;
	}
	free(s->index);
	s->index = ix;
	s->index_cap = cap;
	return 0;
}

/* The record of s like proto, made (its strings copied) at first sight;
 * NULL when s is full (counted) or memory ran out. */
struct learn_record *mb_learn_scope_record(struct mb_learner *l, struct learn_scope *s,
					   const struct learn_record *proto, const char *example,
					   const char *syscall)
{
	if (s->records.n * 2 >= s->index_cap && index_grow(s) < 0)
		return NULL;
	size_t j = record_hash(proto) & (s->index_cap - 1);
	while (s->index[j]) {
		struct learn_record *x = &s->records.v[s->index[j] - 1];
		if (record_same(x, proto))
			return x;
		j = (j + 1) & (s->index_cap - 1);
	}
	if (s->records.n >= MB_LEARN_MAX_RECORDS) {
		s->over_cap++;
		l->stats.over_cap++;
		return NULL;
	}
	struct learn_record n = *proto;
	n.text = strdup(proto->text ? proto->text : "");
	n.argname = proto->argname ? strdup(proto->argname) : NULL;
	n.example = example ? strdup(example) : NULL;
	n.syscall = syscall ? syscall : "";
	n.count = n.calls = n.last_call = 0;
	n.presence = 0;
	n.first_call_seq = l->stats.tool_calls;
	if (!n.text || (proto->argname && !n.argname) || (example && !n.example) ||
	    mb_vec_push(&s->records, n) < 0) {
		free(n.text);
		free(n.argname);
		free(n.example);
		return NULL;
	}
	s->index[j] = (uint32_t)s->records.n;
	return &s->records.v[s->records.n - 1];
}

/* The absolute form of a value as the server resolves it, and its
 * canonical form; false if it names no path. */
bool mb_learn_value_paths(const char *value, const char *cwd, char **abs, char **canon,
			bool *exists, bool *is_dir)
{
	char a[PATH_MAX], real[PATH_MAX];
	struct mb_resolved rs;
	if (!*value || strlen(value) >= PATH_MAX || mb_path_absolute(value, cwd, a, sizeof(a)) < 0)
		return false;
	if (mb_path_resolve(a, real, sizeof(real), NULL, NULL, &rs) < 0)
		return false;
	*abs = strdup(a);
	*canon = strdup(real);
	if (!*abs || !*canon) {
		free(*abs);
		free(*canon);
		return false;
	}
	if (exists)
		*exists = rs.exists;
	if (is_dir)
		*is_dir = rs.exists && rs.is_dir;
	return true;
}
