/* Lexical path normalisation: the one place that decides what "the same
 * path" means for profiles, arguments and notified targets alike. */
#include <string.h>

#include "policy/match.h"

int mb_path_normalize(const char *in, char *out, size_t outsz)
{
	if (!in || in[0] != '/')
		return -EINVAL;
	size_t inlen = strlen(in);
	if (outsz == 0)
		return -ENAMETOOLONG;
	/* Work in place when out aliases in: writing never overtakes reading,
	 * since every step emits at most what it consumed. */
	size_t o = 0;
	const char *p = in, *end = in + inlen;
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
			while (o > 0 && out[o - 1] != '/')
				o--;
			if (o > 0)
				o--; /* drop the slash before the popped component */
			continue;
		}
		if (o + 1 + len + 1 > outsz)
			return -ENAMETOOLONG;
		out[o++] = '/';
		memmove(out + o, c, len);
		o += len;
	}
	if (o == 0) {
		if (outsz < 2)
			return -ENAMETOOLONG;
		out[o++] = '/';
	}
	out[o] = '\0';
	return (int)o;
}
