/* SPDX-License-Identifier: Apache-2.0 */
/* The grant-bearing keys: runtime (of the profile and of its fragments),
 * tools, requests and arguments.within. */
#include <stdio.h>
#include <string.h>

#include "policy/load/load-internal.h"

enum { G_READ, G_WRITE, G_EXEC, G_CONNECT, G_BIND, G_LIST, G_OUTLIVE, G_ENV, G_TMPFS, G_COUNT_ };
static const char *const grant_keys[G_COUNT_] = {
	[G_READ] = "read",   [G_WRITE] = "write",     [G_EXEC] = "exec", [G_CONNECT] = "connect",
	[G_BIND] = "bind",   [G_LIST] = "list",       [G_OUTLIVE] = "outlive",
	[G_ENV] = "env",     [G_TMPFS] = "tmpfs",
};
/* The keys each mapping takes, in the order messages list them. */
static const char *const runtime_keys[] = { "read", "write", "exec", "connect", "bind", "list",
					    "env", "tmpfs" };
static const char *const call_keys[] = { "read", "write", "exec", "connect", "bind", "list",
					 "outlive" };
static const char *const quiet_keys[] = { "read", "write", "exec", "connect", "bind" };
const struct ld_names ld_runtime_keys = { runtime_keys, ARRAY_SIZE(runtime_keys) };
const struct ld_names ld_call_keys = { call_keys, ARRAY_SIZE(call_keys) };
const struct ld_names ld_quiet_keys = { quiet_keys, ARRAY_SIZE(quiet_keys) };
#define CALL_GRANT_KEYS ARRAY_SIZE(call_keys)

static size_t key_index(const char *key)
{
	size_t k = 0;
	while (k < G_COUNT_ && strcmp(grant_keys[k], key) != 0)
		k++;
	return k;
}

static int outlive(struct loader *l, const struct yt_node *v, struct mb_tool *t);

static int env_list(struct loader *l, const struct yt_node *list);

/* The keys of map (checked by ld_map_keys already), in document order. */
static int grants(struct loader *l, const struct yt_node *map, enum ld_scope scope,
		  struct mb_grants *g, struct mb_tool *t)
{
	for (size_t i = 0; map->kind == YT_MAP && i < map->n; i++) {
		const struct yt_node *val = &map->pairs[i].value;
		size_t k = key_index(map->pairs[i].key.text);
		int r;
		if (k < MB_PATH_OPS)
			r = ld_path_list(l, val, grant_keys[k], scope, &g->path[k]);
		else if (k <= G_BIND)
			r = ld_endpoint_list(l, val, grant_keys[k], &g->net[MB_NET_OP_INDEX(k)]);
		else if (k == G_LIST)
			r = ld_path_list(l, val, "list", scope, &g->list);
		else if (k == G_OUTLIVE)
			r = outlive(l, val, t);
		else if (k == G_ENV)
			r = env_list(l, val);
		else
			r = ld_path_list(l, val, "tmpfs", LD_SCOPE_TMPFS, &l->p->tmpfs);
		if (r < 0)
			return r;
	}
	return 0;
}

static int env_list(struct loader *l, const struct yt_node *list)
{
	int r = ld_scalar_list(l, list, "'env'", "a list of NAME or NAME=VALUE", "NAME or NAME=VALUE",
			       "env: [PATH, HOME=/tmp]");
	if (r < 0 || list->kind != YT_SEQ)
		return r;
	for (size_t i = 0; i < list->n; i++) {
		const struct yt_node *it = &list->items[i];
		const char *eq = strchr(it->text, '=');
		size_t len = eq ? (size_t)(eq - it->text) : strlen(it->text);
		if (!mb_env_name_ok(it->text, len))
			return ld_error(l, -EINVAL, it,
					"bad environment variable name '%.*s' (letters, digits and '_', not starting with a digit)",
					(int)MB_MIN(len, LD_MAX_NAME), it->text);
		mb_vec_foreach(e, &l->p->env)
			if (strlen(e->name) == len && memcmp(e->name, it->text, len) == 0)
				return ld_error(l, -EINVAL, it, "duplicate env '%s' (first at %s:%u:%u)",
						e->name, e->pos.file, e->pos.line, e->pos.column);
		struct mb_env *e = mb_vec_new(&l->p->env);
		if (!e)
			return ld_oom(l);
		e->pos = ld_pos(l, it);
		e->name = strndup(it->text, len);
		if (!e->name)
			return ld_oom(l);
		if (eq && (r = ld_expand(l, eq + 1, it, &e->value)) < 0)
			return r;
	}
	return 0;
}

int ld_runtime(struct loader *l, const struct yt_node *map)
{
	if (map->kind != YT_MAP && !(map->kind == YT_SCALAR && map->null))
		return ld_type_error(l, map, "'runtime'", "a mapping of grants",
				     "runtime: { read: [/usr] }");
	const struct yt_pair *found[ARRAY_SIZE(runtime_keys)];
	int r = ld_map_keys(l, map, runtime_keys, ARRAY_SIZE(runtime_keys), found, "runtime", false);
	if (r < 0)
		return r;
	return grants(l, map, LD_SCOPE_RUNTIME, &l->p->runtime, NULL);
}

/* outlive: SECONDS, or a number with s, m or h: how long the processes a
 * call starts keep its grants once it has returned. */
static int outlive(struct loader *l, const struct yt_node *v, struct mb_tool *t)
{
	static const char example[] = "outlive: 60s";
	if (v->kind != YT_SCALAR || v->null)
		return ld_type_error(l, v, "'outlive'", "a duration", example);
	const char *s = v->text;
	size_t n = strspn(s, "0123456789");
	char digits[24];
	uint64_t val, unit = 1000;
	if (n == 0 || n >= sizeof(digits) || (s[n] && (s[n + 1] || !strchr("smh", s[n]))))
		return ld_error(l, -EINVAL, v,
				"bad outlive '%s' (write seconds, or a number with s, m or h: 60s, 5m)", s);
	memcpy(digits, s, n);
	digits[n] = '\0';
	if (s[n] == 'm')
		unit = 60 * 1000;
	else if (s[n] == 'h')
		unit = 3600 * 1000;
	if (ld_parse_uint(digits, &val) < 0 || val == 0 || val > MB_OUTLIVE_MAX_MS / unit)
		return ld_error(l, -EINVAL, v,
				"bad outlive '%s' (write a duration above 0 and at most 1h, or leave outlive out)",
				s);
	t->outlive_ms = val * unit;
	t->outlive_pos = ld_pos(l, v);
	return 0;
}

int ld_quiet(struct loader *l, const struct yt_node *map)
{
	if (map->kind != YT_MAP && !(map->kind == YT_SCALAR && map->null))
		return ld_type_error(l, map, "'quiet'", "a mapping of operations to targets",
				     "quiet: { read: [/usr/share/locale] }");
	const struct yt_pair *found[ARRAY_SIZE(quiet_keys)];
	int r = ld_map_keys(l, map, quiet_keys, ARRAY_SIZE(quiet_keys), found, "quiet", false);
	if (r < 0)
		return r;
	l->p->quiet_pos = ld_pos(l, map);
	/* Fixed paths (globs allowed), no placeholder; they need not exist:
	 * noise is often of what this host does not have. */
	return grants(l, map, LD_SCOPE_QUIET, &l->p->quiet, NULL);
}

static bool tool_name_ok(const char *s, bool request)
{
	size_t len = strlen(s);
	const char *set = request ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-/"
				  : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-";
	return len >= 1 && len <= LD_MAX_NAME && strspn(s, set) == len;
}

/* The params of the client requests a profile may grant, as MCP defines
 * them from 2024-11-05 to 2026-07-28, so that a placeholder no request of
 * the method can fill is refused at load. Any request may also carry _meta,
 * a task (2025-11-25) and, when retried, inputResponses and requestState
 * (2026-07-28). Methods not listed (extensions) are not checked. */
#define ANY_REQUEST_PARAMS "_meta task inputResponses requestState"
static const struct {
	const char *method, *params;
} request_params[] = {
	{ "completion/complete", "ref argument context" },
	{ "initialize", "protocolVersion capabilities clientInfo" },
	{ "logging/setLevel", "level" },
	{ "ping", "" },
	{ "prompts/get", "name arguments" },
	{ "prompts/list", "cursor" },
	{ "resources/list", "cursor" },
	{ "resources/read", "uri" },
	{ "resources/subscribe", "uri" },
	{ "resources/templates/list", "cursor" },
	{ "resources/unsubscribe", "uri" },
	{ "server/discover", "" },
	{ "tasks/cancel", "taskId" },
	{ "tasks/get", "taskId" },
	{ "tasks/list", "cursor" },
	{ "tasks/result", "taskId" },
	{ "tools/list", "cursor" },
};

static const char *known_params(const char *method)
{
	for (size_t i = 0; i < ARRAY_SIZE(request_params); i++)
		if (strcmp(request_params[i].method, method) == 0)
			return request_params[i].params;
	return NULL;
}

static bool word_in(const char *words, const char *w, size_t len)
{
	for (const char *p = words; *p;) {
		size_t n = strcspn(p, " ");
		if (n == len && memcmp(p, w, len) == 0)
			return true;
		p += n + (p[n] == ' ');
	}
	return false;
}

int ld_request_param_check(struct loader *l, const struct yt_node *n, const char *name,
			   size_t len)
{
	if (!l->req_params || word_in(l->req_params, name, len) ||
	    word_in(ANY_REQUEST_PARAMS, name, len))
		return 0;
	return ld_error(l, -EINVAL, n,
			"%s has no param '%.*s': nothing can fill {%.*s} (a request's placeholders name its params; %s takes %s%s" ANY_REQUEST_PARAMS ")",
			l->req_method, (int)len, name, (int)len, name, l->req_method, l->req_params,
			*l->req_params ? " " : "");
}

static int one_tool(struct loader *l, const struct yt_pair *pair, bool request)
{
	const char *kind = request ? "request" : "tool";
	const struct yt_node *key = &pair->key, *val = &pair->value;
	char where[LD_MAX_NAME + 16];
	snprintf(where, sizeof(where), "%s '%s'", kind, key->text);
	if (val->kind != YT_MAP && !(val->kind == YT_SCALAR && val->null)) {
		char example[LD_MAX_NAME + 40];
		snprintf(example, sizeof(example), "%s: { read: [PATH] } or %s: {}", key->text,
			 key->text);
		return ld_type_error(l, val, where, "a mapping of grants", example);
	}
	struct mb_tool *t = request ? mb_vec_new(&l->p->requests) : mb_vec_new(&l->p->tools);
	if (!t)
		return ld_oom(l);
	t->pos = ld_pos(l, key);
	t->name = strdup(key->text);
	if (!t->name)
		return ld_oom(l);
	const struct yt_pair *found[CALL_GRANT_KEYS];
	int r = ld_map_keys(l, val, call_keys, CALL_GRANT_KEYS, found, where, false);
	if (r < 0)
		return r;
	l->placeholders.n = 0; /* {x} vs {x[]} is checked within one tool */
	l->req_method = request ? t->name : NULL;
	l->req_params = request ? known_params(t->name) : NULL;
	r = grants(l, val, LD_SCOPE_CALL, &t->grants, t);
	l->req_method = l->req_params = NULL;
	return r;
}

static int calls(struct loader *l, const struct yt_node *map, bool request)
{
	const char *kind = request ? "request" : "tool";
	if (map->kind == YT_SCALAR && map->null)
		return 0;
	if (map->kind != YT_MAP)
		return ld_type_error(l, map, request ? "'requests'" : "'tools'",
				     request ? "a mapping of JSON-RPC methods to grants"
					     : "a mapping of tool names to grants",
				     request ? "requests: { resources/read: { read: [PATH] } }"
					     : "tools: { NAME: { read: [PATH] } }");
	for (size_t i = 0; i < map->n; i++) {
		const struct yt_node *key = &map->pairs[i].key;
		if (!tool_name_ok(key->text, request))
			return ld_error(l, -EINVAL, key,
					request ? "bad request method '%.*s' (a JSON-RPC method name of 1 to 128 letters, digits, '_', '.', '-' and '/', such as resources/read)"
						: "bad tool name '%.*s' (1 to 128 letters, digits, '_', '.' and '-')",
					LD_MAX_NAME + 1, key->text);
		if (request && strcmp(key->text, "tools/call") == 0)
			return ld_error(l, -EINVAL, key,
					"tools/call is not a request to grant (declare each tool under tools)");
		for (size_t j = 0; j < i; j++)
			if (strcmp(map->pairs[j].key.text, key->text) == 0)
				return ld_error(l, -EINVAL, key, "duplicate %s '%s' (first at %s:%u:%u)",
						kind, key->text, l->file, map->pairs[j].key.line,
						map->pairs[j].key.column);
		int r = one_tool(l, &map->pairs[i], request);
		if (r < 0)
			return r;
	}
	return 0;
}

int ld_tools(struct loader *l, const struct yt_node *map)
{
	return calls(l, map, false);
}

int ld_requests(struct loader *l, const struct yt_node *map)
{
	return calls(l, map, true);
}

static const char *const arguments_keys[] = { "within" };
const struct ld_names ld_arguments_keys = { arguments_keys, ARRAY_SIZE(arguments_keys) };

int ld_arguments(struct loader *l, const struct yt_node *map)
{
	if (map->kind != YT_MAP && !(map->kind == YT_SCALAR && map->null))
		return ld_type_error(l, map, "'arguments'", "a mapping",
				     "arguments: { within: [/srv/mcp] }");
	const struct yt_pair *found[1];
	int r = ld_map_keys(l, map, arguments_keys, 1, found, "arguments", false);
	if (r < 0 || !found[0])
		return r;
	return ld_path_list(l, &found[0]->value, "within", LD_SCOPE_WITHIN, &l->p->within);
}
