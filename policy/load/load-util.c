/* SPDX-License-Identifier: Apache-2.0 */
/* Error reporting and type checks shared by the loader's files. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/strbuf.h"
#include "policy/load/load-internal.h"

int ld_error(struct loader *l, int code, const struct yt_node *at, const char *fmt, ...)
{
	char msg[MB_ERROR_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return mb_error_at(l->err, code, l->file, at ? at->line : 1, at ? at->column : 1, "%s",
			   msg);
}

int ld_oom(struct loader *l)
{
	return mb_error_set(l->err, -ENOMEM, "%s: out of memory while loading the profile",
			    l->file ? l->file : "profile");
}

int ld_type_error(struct loader *l, const struct yt_node *n, const char *what,
		  const char *expected, const char *example)
{
	return ld_error(l, -EINVAL, n, "%s must be %s, not %s (write %s)", what, expected,
			yt_describe(n), example);
}

/* key is none of names, or (known) a profile key a fragment may not set. */
static int unknown_key(struct loader *l, const struct yt_node *key, const char *const *names,
		       size_t n, const char *where, bool fragment, bool known)
{
	if (fragment) {
		if (known)
			return ld_error(l, -EINVAL, key,
					"'%s' is not allowed in a runtime fragment (a fragment holds only " LD_FRAGMENT_KEYS ")",
					key->text);
		return ld_error(l, -EINVAL, key,
				"unknown key '%s' (a fragment holds only " LD_FRAGMENT_KEYS ")",
				key->text);
	}
	_cleanup_(mb_strbuf_free) struct mb_strbuf b = { 0 };
	for (size_t i = 0; i < n; i++)
		mb_strbuf_printf(&b, "%s%s", i ? ", " : "", names[i]);
	if (mb_strbuf_failed(&b))
		return ld_oom(l);
	return ld_error(l, -EINVAL, key, "unknown key '%s'%s%s (expected one of: %s)", key->text,
			where ? " in " : "", where ? where : "", b.s);
}

int ld_map_keys(struct loader *l, const struct yt_node *map, const char *const *names, size_t n,
		const struct yt_pair **found, const char *where, bool fragment)
{
	for (size_t i = 0; i < n; i++)
		found[i] = NULL;
	if (map->kind != YT_MAP)
		return 0; /* null: nothing given */
	for (size_t i = 0; i < map->n; i++) {
		const struct yt_pair *pair = &map->pairs[i];
		size_t k = 0;
		while (k < n && strcmp(names[k], pair->key.text) != 0)
			k++;
		if (k == n || (fragment && ld_keys[k].where != LD_WHERE_ANY))
			return unknown_key(l, &pair->key, names, n, where, fragment, k < n);
		if (found[k])
			return ld_error(l, -EINVAL, &pair->key, "duplicate key '%s' (first at %s:%u:%u)",
					pair->key.text, l->file, found[k]->key.line,
					found[k]->key.column);
		found[k] = pair;
	}
	return 0;
}

int ld_string(struct loader *l, const struct yt_node *n, const char *what, const char *example,
	      char **ret)
{
	if (n->kind != YT_SCALAR || n->null)
		return ld_type_error(l, n, what, "a string", example);
	char *s = strdup(n->text);
	if (!s)
		return ld_oom(l);
	*ret = s;
	return 0;
}

int ld_scalar_list(struct loader *l, const struct yt_node *n, const char *what,
		   const char *list_desc, const char *item_desc, const char *example)
{
	if (n->kind == YT_SCALAR && n->null)
		return 0;
	if (n->kind != YT_SEQ)
		return ld_type_error(l, n, what, list_desc, example);
	for (size_t i = 0; i < n->n; i++) {
		const struct yt_node *it = &n->items[i];
		if (it->kind != YT_SCALAR || it->null) {
			char w[160];
			snprintf(w, sizeof(w), "an entry of %s", what);
			return ld_type_error(l, it, w, item_desc, example);
		}
	}
	return 0;
}
