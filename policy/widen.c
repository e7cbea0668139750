/* SPDX-License-Identifier: Apache-2.0 */
#include <limits.h>
#include <string.h>

#include "policy/widen.h"

/* Does the component [c, end) hold a placeholder or an unescaped glob? */
static bool component_varies(const char *c, const char *end)
{
	for (const char *s = c; s < end; s++) {
		if (*s == '\\') {
			s++;
			continue;
		}
		if (*s == '*' || *s == '{')
			return true;
	}
	return false;
}

int mb_pattern_fixed_prefix(const char *pattern, char *out, size_t outsz)
{
	size_t o = 0;
	const char *p = pattern;
	while (*p == '/') {
		const char *c = p + 1;
		const char *end = c;
		while (*end && *end != '/') {
			if (*end == '\\' && end[1])
				end++;
			end++;
		}
		if (end == c || component_varies(c, end))
			break;
		if (o + 1 + (size_t)(end - c) + 1 > outsz)
			return -ENAMETOOLONG;
		out[o++] = '/';
		for (const char *s = c; s < end; s++) {
			if (*s == '\\' && s + 1 < end)
				s++;
			out[o++] = *s;
		}
		p = end;
	}
	if (*p && *p != '/' && o == 0) {
		/* Starts with a placeholder: nothing is fixed. */
		out[0] = '\0';
		return 0;
	}
	if (o == 0 && pattern[0] == '/' && (!*p || strcmp(p, "/") == 0)) {
		/* The pattern is "/" itself. */
		if (outsz < 2)
			return -ENAMETOOLONG;
		out[o++] = '/';
	}
	out[o] = '\0';
	return (int)o;
}

int mb_pattern_widen(const struct mb_profile *p, const struct mb_path_pattern *pattern,
		     int (*fn)(const char *path, void *ud), void *ud)
{
	char prefix[PATH_MAX];
	int r = mb_pattern_fixed_prefix(pattern->text, prefix, sizeof(prefix));
	if (r < 0)
		return r;
	if (r > 0)
		return fn(prefix, ud);
	if (!pattern->has_placeholder)
		return fn("/", ud); /* a glob in the first component */
	if (p->within.n == 0)
		return fn("/", ud);
	mb_vec_foreach(w, &p->within) {
		if ((r = fn(w->text, ud)) != 0)
			return r;
	}
	/* A default of the opening placeholder is filled in without an
	 * argument, so arguments.within never saw it: it is granted as such. */
	mb_vec_foreach(o, &pattern->ph) {
		size_t n = strlen(o->name);
		if (o->dflt && o->dflt[0] == '/' && strncmp(pattern->text + 1, o->name, n) == 0 &&
		    (pattern->text[1 + n] == '}' || pattern->text[1 + n] == '[') &&
		    (r = fn(o->dflt, ud)) != 0)
			return r;
	}
	return 0;
}
