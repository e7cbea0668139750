/* SPDX-License-Identifier: Apache-2.0 */
/* Lexical path operations (policy/path.h): normalisation, absolute paths
 * from argument values, containment and component counts. */
#include <errno.h>
#include <string.h>

#include "policy/path.h"

/* Append the components of [p, end) to out[0..*o), folding "//" and ".",
 * popping on "..". Writing never overtakes reading when out aliases the
 * input at or before p: every step emits at most what it consumed. An
 * intermediate result that does not fit is -ENAMETOOLONG even if a later
 * ".." would have shortened it: the answer is conservative, never wrong. */
static int push_components(char *out, size_t *o, size_t outsz, const char *p, const char *end)
{
	while (p < end) {
		while (p < end && *p == '/')
			p++;
		const char *c = p;
		while (p < end && *p != '/')
			p++;
		size_t len = (size_t)(p - c);
		if (len == 0 || (len == 1 && c[0] == '.'))
			continue;
		if (len == 2 && c[0] == '.' && c[1] == '.') {
			while (*o > 0 && out[*o - 1] != '/')
				(*o)--;
			if (*o > 0)
				(*o)--; /* drop the slash before the popped component */
			continue;
		}
		if (*o + 1 + len + 1 > outsz)
			return -ENAMETOOLONG;
		out[(*o)++] = '/';
		memmove(out + *o, c, len);
		*o += len;
	}
	return 0;
}

static int finish(char *out, size_t o, size_t outsz)
{
	if (o == 0) {
		if (outsz < 2)
			return -ENAMETOOLONG;
		out[o++] = '/';
	}
	out[o] = '\0';
	return (int)o;
}

int mb_path_normalize(const char *in, char *out, size_t outsz)
{
	if (!in || in[0] != '/')
		return -EINVAL;
	if (outsz == 0)
		return -ENAMETOOLONG;
	size_t o = 0;
	int r = push_components(out, &o, outsz, in, in + strlen(in));
	if (r < 0)
		return r;
	return finish(out, o, outsz);
}

int mb_path_absolute(const char *value, const char *cwd, char *out, size_t outsz)
{
	if (!value || !value[0])
		return -EINVAL;
	if (value[0] == '/')
		return mb_path_normalize(value, out, outsz);
	if (!cwd || cwd[0] != '/')
		return -EINVAL;
	if (outsz == 0)
		return -ENAMETOOLONG;
	size_t o = 0;
	int r = push_components(out, &o, outsz, cwd, cwd + strlen(cwd));
	if (r < 0)
		return r;
	r = push_components(out, &o, outsz, value, value + strlen(value));
	if (r < 0)
		return r;
	return finish(out, o, outsz);
}

unsigned mb_path_components(const char *s)
{
	unsigned n = 0;
	for (char prev = '/'; *s; prev = *s++)
		if (*s != '/' && prev == '/')
			n++;
	return n;
}

bool mb_path_within(const char *path, const char *dir)
{
	if (!path || !dir || path[0] != '/' || dir[0] != '/')
		return false;
	size_t n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (n == 1)
		return true;
	return strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0');
}
