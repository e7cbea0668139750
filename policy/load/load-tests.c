/* SPDX-License-Identifier: Apache-2.0 */
/* tests: a profile's self-tests, checked and kept in the model (struct
 * mb_test). `membrane-run --test-profile` evaluates them; a run only checks
 * them, so that a broken test is found by --check as early as a broken
 * grant. Arguments are YAML turned into the JSON a client would send. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "policy/load/load-internal.h"
#include "policy/match.h"

#define TEST_EXAMPLE "tests: [{ tool: NAME, arguments: { path: /srv/mcp/a.txt }, allow: [read /srv/mcp/a.txt], deny: [read /etc/passwd] }]"
#define OPS_HINT "read, write, exec, list, mkdir, connect or bind"

enum { T_TOOL, T_REQUEST, T_IDLE, T_ARGUMENTS, T_PARAMS, T_ALLOW, T_DENY, T_COUNT_ };
static const char *const test_keys[T_COUNT_] = {
	[T_TOOL] = "tool",           [T_REQUEST] = "request", [T_IDLE] = "idle",
	[T_ARGUMENTS] = "arguments", [T_PARAMS] = "params",   [T_ALLOW] = "allow",
	[T_DENY] = "deny",
};
const struct ld_names ld_test_keys = { test_keys, T_COUNT_ };

/* The operations an expectation names. list and mkdir are read and write
 * with the access the dynamic layer's ancestor rules look at. */
static const struct {
	const char *name;
	enum mb_op op;
	enum mb_access access;
} expect_ops[] = {
	{ "read", MB_OP_READ, MB_ACCESS_OPEN },      { "write", MB_OP_WRITE, MB_ACCESS_OPEN },
	{ "exec", MB_OP_EXEC, MB_ACCESS_OPEN },      { "list", MB_OP_READ, MB_ACCESS_LIST },
	{ "mkdir", MB_OP_WRITE, MB_ACCESS_MKDIR },   { "connect", MB_OP_CONNECT, MB_ACCESS_OPEN },
	{ "bind", MB_OP_BIND, MB_ACCESS_OPEN },
};

/* JSON's number grammar: what a client could send as a number. Other plain
 * scalars YAML might call numbers (0x1f, 1_000, .inf) stay strings. */
static bool json_number(const char *s)
{
	if (*s == '-')
		s++;
	if (*s == '0')
		s++;
	else if (*s >= '1' && *s <= '9')
		while (*s >= '0' && *s <= '9')
			s++;
	else
		return false;
	if (*s == '.') {
		s++;
		if (!(*s >= '0' && *s <= '9'))
			return false;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (!(*s >= '0' && *s <= '9'))
			return false;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return *s == '\0';
}

static bool one_of(const char *s, const char *a, const char *b, const char *c)
{
	return strcmp(s, a) == 0 || strcmp(s, b) == 0 || strcmp(s, c) == 0;
}

/* A scalar: YAML 1.2's core schema for plain ones (null, booleans,
 * numbers), a string (with ${VAR}s expanded) otherwise. */
static int scalar_json(struct loader *l, const struct yt_node *n, cJSON **ret)
{
	if (n->null) {
		*ret = cJSON_CreateNull();
	} else if (n->plain && one_of(n->text, "true", "True", "TRUE")) {
		*ret = cJSON_CreateTrue();
	} else if (n->plain && one_of(n->text, "false", "False", "FALSE")) {
		*ret = cJSON_CreateFalse();
	} else if (n->plain && json_number(n->text)) {
		*ret = cJSON_CreateNumber(strtod(n->text, NULL));
	} else {
		_cleanup_free_ char *s = NULL;
		int r = ld_expand(l, n->text, n, &s);
		if (r < 0)
			return r;
		*ret = cJSON_CreateString(s);
	}
	return *ret ? 0 : ld_oom(l);
}

static int to_json(struct loader *l, const struct yt_node *n, cJSON **ret)
{
	if (n->kind == YT_SCALAR)
		return scalar_json(l, n, ret);
	cJSON *c = n->kind == YT_SEQ ? cJSON_CreateArray() : cJSON_CreateObject();
	if (!c)
		return ld_oom(l);
	for (size_t i = 0; i < n->n; i++) {
		const struct yt_node *v = n->kind == YT_SEQ ? &n->items[i] : &n->pairs[i].value;
		if (n->kind == YT_MAP) {
			const struct yt_node *key = &n->pairs[i].key;
			for (size_t j = 0; j < i; j++)
				if (strcmp(n->pairs[j].key.text, key->text) == 0) {
					cJSON_Delete(c);
					return ld_error(l, -EINVAL, key,
							"duplicate key '%s' (first at %s:%u:%u)",
							key->text, l->file, n->pairs[j].key.line,
							n->pairs[j].key.column);
				}
		}
		cJSON *item = NULL;
		int r = to_json(l, v, &item);
		if (r < 0) {
			cJSON_Delete(c);
			return r;
		}
		bool added = n->kind == YT_SEQ
				     ? cJSON_AddItemToArray(c, item)
				     : cJSON_AddItemToObject(c, n->pairs[i].key.text, item);
		if (!added) {
			cJSON_Delete(item);
			cJSON_Delete(c);
			return ld_oom(l);
		}
	}
	*ret = c;
	return 0;
}

/* arguments or params: a mapping (the JSON object sent), or empty. */
static int json_object(struct loader *l, const struct yt_pair *pair, cJSON **ret)
{
	const struct yt_node *v = &pair->value;
	if (v->kind == YT_SCALAR && v->null)
		return 0;
	if (v->kind != YT_MAP) {
		char what[32], example[64];
		snprintf(what, sizeof(what), "'%s'", pair->key.text);
		snprintf(example, sizeof(example), "%s: { path: /srv/mcp/a.txt }", pair->key.text);
		return ld_type_error(l, v, what, "a mapping", example);
	}
	return to_json(l, v, ret);
}

static int expectation(struct loader *l, const struct yt_node *n, const char *list,
		       mb_expect_vec *out)
{
	char what[32], example[64];
	snprintf(what, sizeof(what), "an entry of '%s'", list);
	snprintf(example, sizeof(example), "%s: [read /srv/mcp/a.txt]", list);
	if (n->kind != YT_SCALAR || n->null)
		return ld_type_error(l, n, what, "an expectation OP TARGET", example);
	struct mb_expect *e = mb_vec_new(out);
	if (!e)
		return ld_oom(l);
	e->pos = ld_pos(l, n);
	int r = ld_expand(l, n->text, n, &e->text);
	if (r < 0)
		return r;
	const char *s = e->text;
	size_t oplen = strcspn(s, " \t");
	const char *target = s + oplen + strspn(s + oplen, " \t");
	if (oplen == 0 || !*target)
		return ld_error(l, -EINVAL, n,
				"bad expectation '%s' (write OP TARGET, such as read /srv/mcp/a.txt or connect 10.0.0.1:443)",
				s);
	size_t k = 0;
	while (k < ARRAY_SIZE(expect_ops) &&
	       !(strlen(expect_ops[k].name) == oplen && memcmp(expect_ops[k].name, s, oplen) == 0))
		k++;
	if (k == ARRAY_SIZE(expect_ops))
		return ld_error(l, -EINVAL, n, "unknown operation '%.*s' in '%s' (write " OPS_HINT ")",
				(int)MB_MIN(oplen, 32), s, s);
	e->op = expect_ops[k].op;
	e->access = expect_ops[k].access;
	if (e->op == MB_OP_CONNECT || e->op == MB_OP_BIND)
		return ld_endpoint_target(l, n, target, &e->addrs);
	if (target[0] != '/')
		return ld_error(l, -EINVAL, n, "relative path '%s' in '%s' (write an absolute path)",
				target, s);
	size_t len = strlen(target);
	if (len > LD_MAX_PATH)
		return ld_error(l, -ENAMETOOLONG, n, "path longer than %d bytes (shorten it)",
				LD_MAX_PATH);
	e->path = malloc(len + 1);
	if (!e->path)
		return ld_oom(l);
	r = mb_path_normalize(target, e->path, len + 1);
	return r < 0 ? ld_error(l, r, n, "cannot normalise path '%s'", target) : 0;
}

static int expectations(struct loader *l, const struct yt_pair *pair, mb_expect_vec *out)
{
	const struct yt_node *v = &pair->value;
	if (v->kind == YT_SCALAR && v->null)
		return 0;
	if (v->kind != YT_SEQ) {
		char what[32], example[64];
		snprintf(what, sizeof(what), "'%s'", pair->key.text);
		snprintf(example, sizeof(example), "%s: [read /srv/mcp/a.txt]", pair->key.text);
		return ld_type_error(l, v, what, "a list of expectations", example);
	}
	for (size_t i = 0; i < v->n; i++) {
		int r = expectation(l, &v->items[i], pair->key.text, out);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Which of tool, request, idle the test names: exactly one. */
static int subject(struct loader *l, const struct yt_node *n, const struct yt_pair *const *found,
		   unsigned *ret)
{
	const struct yt_pair *first = NULL;
	for (unsigned k = T_TOOL; k <= T_IDLE; k++) {
		if (!found[k])
			continue;
		if (first) {
			/* The one written second is the extra. */
			const struct yt_pair *a = first, *b = found[k];
			if (b->key.line < a->key.line ||
			    (b->key.line == a->key.line && b->key.column < a->key.column)) {
				a = found[k];
				b = first;
			}
			return ld_error(l, -EINVAL, &b->key,
					"a test exercises one thing, not both '%s' and '%s' (split it in two tests)",
					a->key.text, b->key.text);
		}
		first = found[k];
		*ret = k;
	}
	if (!first)
		return ld_error(l, -EINVAL, n,
				"a test names what it exercises (write tool: NAME, request: METHOD or idle: true)");
	return 0;
}

static int one_test(struct loader *l, const struct yt_node *n)
{
	if (n->kind != YT_MAP)
		return ld_type_error(l, n, "an entry of 'tests'", "a mapping", TEST_EXAMPLE);
	const struct yt_pair *found[T_COUNT_];
	int r = ld_map_keys(l, n, test_keys, T_COUNT_, found, "a test", false);
	unsigned kind = 0;
	if (r == 0)
		r = subject(l, n, found, &kind);
	if (r < 0)
		return r;
	struct mb_test *t = mb_vec_new(&l->p->tests);
	if (!t)
		return ld_oom(l);
	t->pos = ld_pos(l, n);
	const struct yt_node *v = &found[kind]->value;
	if (kind == T_IDLE) {
		t->kind = MB_TEST_IDLE;
		if (v->kind != YT_SCALAR || !v->plain || strcmp(v->text, "true") != 0)
			return ld_error(l, -EINVAL, v, "'idle' must be true (write idle: true)");
	} else {
		bool tool = kind == T_TOOL;
		t->kind = tool ? MB_TEST_TOOL : MB_TEST_REQUEST;
		r = ld_string(l, v, tool ? "'tool'" : "'request'",
			      tool ? "tool: NAME" : "request: METHOD", &t->name);
		if (r < 0)
			return r;
		if (tool && !mb_profile_tool(l->p, t->name))
			return ld_error(l, -EINVAL, v,
					"tool '%s' is not declared under tools (declare it, or fix the name)",
					t->name);
		if (!tool && !mb_profile_request(l->p, t->name))
			return ld_error(l, -EINVAL, v,
					"request '%s' is not declared under requests (declare it, or test what runtime alone allows with idle: true)",
					t->name);
	}
	/* arguments go with a tool, params with a request. */
	static const char *const owner[T_COUNT_] = { [T_TOOL] = "a tool test",
						     [T_REQUEST] = "a request test",
						     [T_IDLE] = "an idle test" };
	if (found[T_ARGUMENTS] && kind != T_TOOL)
		return ld_error(l, -EINVAL, &found[T_ARGUMENTS]->key,
				"'arguments' belongs to a tool test, not %s (%s)", owner[kind],
				kind == T_REQUEST ? "write params" : "remove it");
	if (found[T_PARAMS] && kind != T_REQUEST)
		return ld_error(l, -EINVAL, &found[T_PARAMS]->key,
				"'params' belongs to a request test, not %s (%s)", owner[kind],
				kind == T_TOOL ? "write arguments" : "remove it");
	const struct yt_pair *args = found[T_ARGUMENTS] ? found[T_ARGUMENTS] : found[T_PARAMS];
	if (args && (r = json_object(l, args, &t->arguments)) < 0)
		return r;
	if (found[T_ALLOW] && (r = expectations(l, found[T_ALLOW], &t->allow)) < 0)
		return r;
	if (found[T_DENY] && (r = expectations(l, found[T_DENY], &t->deny)) < 0)
		return r;
	if (t->allow.n + t->deny.n == 0)
		return ld_error(l, -EINVAL, n,
				"a test without allow or deny checks nothing (add allow: [OP TARGET] or deny: [OP TARGET])");
	return 0;
}

int ld_tests(struct loader *l, const struct yt_node *list)
{
	if (list->kind == YT_SCALAR && list->null)
		return 0;
	if (list->kind != YT_SEQ)
		return ld_type_error(l, list, "'tests'", "a list of tests", TEST_EXAMPLE);
	for (size_t i = 0; i < list->n; i++) {
		int r = one_test(l, &list->items[i]);
		if (r < 0)
			return r;
	}
	return 0;
}
