/* SPDX-License-Identifier: Apache-2.0 */
/* Numbers in profiles: plain decimal counts and byte sizes. Decimal only,
 * without sign or leading zeros, so that YAML 1.1 readers (which take 010
 * for octal) and membrane never disagree on a value. */
#include <string.h>

#include "policy/load/load-internal.h"

/* Parse the leading digits of s; *end points after them. */
static int parse_digits(const char *s, const char **end, uint64_t *ret)
{
	const char *p = s;
	uint64_t v = 0;
	if (*p < '0' || *p > '9')
		return -EINVAL;
	if (p[0] == '0' && p[1] >= '0' && p[1] <= '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned d = (unsigned)(*p - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	*end = p;
	*ret = v;
	return 0;
}

int ld_parse_uint(const char *s, uint64_t *ret)
{
	const char *end;
	uint64_t v;
	int r = parse_digits(s, &end, &v);
	if (r < 0)
		return r;
	if (*end)
		return -EINVAL;
	*ret = v;
	return 0;
}

int ld_parse_size(const char *s, uint64_t *ret)
{
	static const struct {
		const char *suffix;
		unsigned shift;
	} units[] = {
		{ "", 0 },    { "K", 10 },   { "M", 20 },   { "G", 30 },   { "T", 40 },
		{ "KiB", 10 }, { "MiB", 20 }, { "GiB", 30 }, { "TiB", 40 },
	};
	const char *end;
	uint64_t v;
	int r = parse_digits(s, &end, &v);
	if (r < 0)
		return r;
	for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
		if (strcmp(end, units[i].suffix) != 0)
			continue;
		if (units[i].shift && v > (UINT64_MAX >> units[i].shift))
			return -ERANGE;
		*ret = v << units[i].shift;
		return 0;
	}
	return -EINVAL;
}
