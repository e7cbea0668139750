/* SPDX-License-Identifier: Apache-2.0 */
/* Profile variables: declared under vars (main file and fragments), given
 * with --set, referenced as ${NAME} or ${NAME:-default}. Every declared value
 * is resolved, whether used or not, so that a typo in an unused variable is
 * still an error; --set values are taken literally (the shell has expanded
 * them already). */
#include <string.h>

#include "common/strbuf.h"
#include "policy/load/load-internal.h"

#define VAR_NAME_HINT "letters, digits and '_', not starting with a digit"
#define CMDLINE "command line"

static bool is_name_start(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static bool is_name_char(char c)
{
	return is_name_start(c) || (c >= '0' && c <= '9');
}

static size_t name_span(const char *s)
{
	if (!is_name_start(s[0]))
		return 0;
	size_t n = 1;
	while (is_name_char(s[n]))
		n++;
	return n;
}

static bool valid_name(const char *s, size_t len)
{
	return len > 0 && name_span(s) == len;
}

static ssize_t find_var(const struct loader *l, const char *name, size_t len)
{
	for (size_t i = 0; i < l->vars.n; i++)
		if (strlen(l->vars.v[i].name) == len && memcmp(l->vars.v[i].name, name, len) == 0)
			return (ssize_t)i;
	return -1;
}

int ld_vars_collect(struct loader *l, const struct yt_node *map)
{
	if (map->kind == YT_SCALAR && map->null)
		return 0;
	if (map->kind != YT_MAP)
		return ld_type_error(l, map, "'vars'", "a mapping of NAME: value",
				     "vars: { ROOT: /srv/mcp }");
	for (size_t i = 0; i < map->n; i++) {
		const struct yt_node *key = &map->pairs[i].key, *val = &map->pairs[i].value;
		if (!valid_name(key->text, strlen(key->text)))
			return ld_error(l, -EINVAL, key, "bad variable name '%s' (" VAR_NAME_HINT ")",
					key->text);
		for (size_t j = 0; j < i; j++)
			if (strcmp(map->pairs[j].key.text, key->text) == 0)
				return ld_error(l, -EINVAL, key,
						"duplicate variable '%s' (first at %s:%u:%u)", key->text,
						l->file, map->pairs[j].key.line,
						map->pairs[j].key.column);
		if (val->kind != YT_SCALAR || val->null) {
			char what[LD_MAX_NAME + 32], example[LD_MAX_NAME + 32];
			snprintf(what, sizeof(what), "variable '%.*s'", LD_MAX_NAME, key->text);
			snprintf(example, sizeof(example), "%.*s: VALUE", LD_MAX_NAME, key->text);
			return ld_type_error(l, val, what, "a string", example);
		}
		/* The first declaration read wins: the main file is read
		 * first, and a file before the fragments it includes. */
		if (find_var(l, key->text, strlen(key->text)) >= 0)
			continue;
		struct ld_var *v = mb_vec_new(&l->vars);
		if (!v)
			return ld_oom(l);
		v->name = key->text;
		v->raw = val;
		v->file = l->file;
		v->line = key->line;
		v->column = key->column;
	}
	return 0;
}

static int apply_sets(struct loader *l)
{
	if (!l->opts->sets)
		return 0;
	for (const char *const *s = l->opts->sets; *s; s++) {
		const char *eq = strchr(*s, '=');
		if (!eq)
			return mb_error_set(l->err, -EINVAL,
					    CMDLINE ": --set %s: expected NAME=VALUE (write --set %s=VALUE)",
					    *s, *s);
		size_t len = (size_t)(eq - *s);
		if (!valid_name(*s, len))
			return mb_error_set(l->err, -EINVAL,
					    CMDLINE ": --set %s: bad variable name '%.*s' (" VAR_NAME_HINT ")",
					    *s, (int)len, *s);
		ssize_t i = find_var(l, *s, len);
		if (i >= 0) {
			l->vars.v[i].set = eq + 1; /* a later --set wins */
			continue;
		}
		char *name = strndup(*s, len);
		if (!name || mb_vec_push(&l->set_names, name) < 0) {
			free(name);
			return ld_oom(l);
		}
		struct ld_var *v = mb_vec_new(&l->vars);
		if (!v)
			return ld_oom(l);
		v->name = name;
		v->set = eq + 1;
		v->file = CMDLINE;
	}
	return 0;
}

static int cycle_error(struct loader *l, const struct yt_node *at, size_t again)
{
	_cleanup_(mb_strbuf_free) struct mb_strbuf b = { 0 };
	size_t k = 0;
	while (k < l->resolving.n && l->resolving.v[k] != again)
		k++;
	for (; k < l->resolving.n; k++)
		mb_strbuf_printf(&b, "${%s} -> ", l->vars.v[l->resolving.v[k]].name);
	mb_strbuf_printf(&b, "${%s}", l->vars.v[again].name);
	if (mb_strbuf_failed(&b))
		return ld_oom(l);
	return ld_error(l, -EINVAL, at, "variable cycle: %s (a variable cannot refer to itself)",
			b.s);
}

static int resolve(struct loader *l, size_t i, const struct yt_node *at)
{
	struct ld_var *v = &l->vars.v[i];
	if (v->state == LD_VAR_DONE)
		return 0;
	if (v->state == LD_VAR_RESOLVING)
		return cycle_error(l, at, i);
	if (l->resolving.n >= LD_MAX_VAR_DEPTH)
		return ld_error(l, -EINVAL, at,
				"variables refer to each other more than %d deep (simplify vars)",
				LD_MAX_VAR_DEPTH);
	if (v->set) {
		v->value = strdup(v->set);
		if (!v->value)
			return ld_oom(l);
		v->state = LD_VAR_DONE;
		return 0;
	}
	if (mb_vec_push(&l->resolving, i) < 0)
		return ld_oom(l);
	v->state = LD_VAR_RESOLVING;
	const char *saved = l->file;
	l->file = v->file;
	char *value = NULL;
	int r = ld_expand(l, v->raw->text, v->raw, &value);
	l->file = saved;
	l->resolving.n--;
	v = &l->vars.v[i];
	if (r < 0)
		return r;
	v->value = value;
	v->state = LD_VAR_DONE;
	return 0;
}

int ld_vars_resolve(struct loader *l)
{
	int r = apply_sets(l);
	if (r < 0)
		return r;
	for (size_t i = 0; i < l->vars.n; i++) {
		r = resolve(l, i, l->vars.v[i].raw);
		if (r < 0)
			return r;
	}
	return 0;
}

/* The reference starting at p ("${..."), for messages: up to its '}', cut
 * at 64 bytes. */
static int bad_reference(struct loader *l, const struct yt_node *at, const char *p)
{
	size_t n = strcspn(p, "}");
	if (p[n] == '}')
		n++;
	return ld_error(l, -EINVAL, at,
			"bad variable reference '%.*s%s' (write ${NAME} or ${NAME:-default})",
			(int)MB_MIN(n, 64), p, n > 64 ? "..." : "");
}

int ld_expand(struct loader *l, const char *text, const struct yt_node *at, char **ret)
{
	struct mb_strbuf b = { 0 };
	const char *p = text;
	int r = 0;
	while (*p) {
		if (p[0] != '$' || p[1] != '{') {
			mb_strbuf_putc(&b, *p++);
			continue;
		}
		const char *name = p + 2;
		size_t len = name_span(name);
		const char *q = name + len, *def = NULL;
		size_t deflen = 0;
		if (len > 0 && q[0] == ':' && q[1] == '-') {
			def = q + 2;
			deflen = strcspn(def, "${}");
			q = def + deflen;
		}
		if (len == 0 || *q != '}') {
			r = bad_reference(l, at, p);
			break;
		}
		ssize_t i = find_var(l, name, len);
		if (i >= 0) {
			l->vars.v[i].referenced = true;
			r = resolve(l, (size_t)i, at);
			if (r < 0)
				break;
			mb_strbuf_puts(&b, l->vars.v[i].value);
		} else if (def) {
			mb_strbuf_append(&b, def, deflen);
		} else {
			r = ld_error(l, -EINVAL, at,
				     "undefined variable ${%.*s} (define it under vars, or give --set %.*s=VALUE)",
				     (int)len, name, (int)len, name);
			break;
		}
		p = q + 1;
	}
	if (r == 0 && !b.s)
		mb_strbuf_puts(&b, "");
	if (r == 0 && mb_strbuf_failed(&b))
		r = ld_oom(l);
	if (r < 0) {
		mb_strbuf_free(&b);
		return r;
	}
	*ret = mb_strbuf_take(&b);
	return 0;
}

int ld_vars_finish(struct loader *l)
{
	for (size_t i = 0; i < l->vars.n; i++) {
		const struct ld_var *v = &l->vars.v[i];
		if (v->raw || v->referenced)
			continue;
		_cleanup_(mb_strbuf_free) struct mb_strbuf have = { 0 };
		for (size_t j = 0; j < l->vars.n; j++)
			if (l->vars.v[j].raw)
				mb_strbuf_printf(&have, "%s%s", have.len ? ", " : "",
						 l->vars.v[j].name);
		if (mb_strbuf_failed(&have))
			return ld_oom(l);
		return mb_error_set(l->err, -EINVAL,
				    CMDLINE ": --set %s: the profile has no variable %s (it has%s%s)",
				    v->name, v->name, have.len ? ": " : " none", have.len ? have.s : "");
	}
	for (size_t i = 0; i < l->vars.n; i++) {
		struct ld_var *v = &l->vars.v[i];
		struct mb_var *out = mb_vec_new(&l->p->vars);
		if (!out)
			return ld_oom(l);
		out->name = strdup(v->name);
		out->value = TAKE_PTR(v->value);
		if (!out->name)
			return ld_oom(l);
		out->pos = (struct mb_srcpos){ .file = v->file, .line = v->line, .column = v->column };
		out->from_command_line = v->set != NULL;
	}
	return 0;
}
