/* SPDX-License-Identifier: Apache-2.0 */
/* Times on the command line and in reports: RFC 3339, and durations back
 * from now for --since/--until. */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "audit/audit.h"

static bool digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

/* YYYY-MM-DD, then optionally [Tt ]HH:MM:SS[.frac](Z|z|+HH:MM|-HH:MM). A date
 * alone is midnight UTC (for --since 2026-11-26). */
int audit_parse_rfc3339(const char *s, int64_t *us)
{
	struct tm tm = { 0 };
	int y, mo, d, h = 0, mi = 0, sec = 0;
	if (strlen(s) < 10 || !digits(s, 4, &y) || s[4] != '-' || !digits(s + 5, 2, &mo) ||
	    s[7] != '-' || !digits(s + 8, 2, &d))
		return -EINVAL;
	if (mo < 1 || mo > 12 || d < 1 || d > 31)
		return -EINVAL;
	const char *p = s + 10;
	int64_t frac_us = 0, offset_s = 0;
	if (*p) {
		if ((*p != 'T' && *p != 't' && *p != ' ') || strlen(p) < 9 || !digits(p + 1, 2, &h) ||
		    p[3] != ':' || !digits(p + 4, 2, &mi) || p[6] != ':' || !digits(p + 7, 2, &sec))
			return -EINVAL;
		/* 60: a leap second, which time_t folds into the next one. */
		if (h > 23 || mi > 59 || sec > 60)
			return -EINVAL;
		p += 9;
		if (*p == '.') {
			p++;
			int n = 0;
			for (; *p >= '0' && *p <= '9'; p++, n++)
				if (n < 6)
					frac_us = frac_us * 10 + (*p - '0');
			if (n == 0)
				return -EINVAL;
			for (; n < 6; n++)
				frac_us *= 10;
		}
		if (*p == 'Z' || *p == 'z') {
			p++;
		} else if (*p == '+' || *p == '-') {
			int oh, om;
			if (!digits(p + 1, 2, &oh) || p[3] != ':' || !digits(p + 4, 2, &om) ||
			    oh > 23 || om > 59)
				return -EINVAL;
			offset_s = (*p == '-' ? -1 : 1) * (int64_t)(oh * 3600 + om * 60);
			p += 6;
		} else {
			return -EINVAL;
		}
		if (*p)
			return -EINVAL;
	}
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	time_t t = timegm(&tm);
	/* timegm normalises 31 February; a real date comes back unchanged. */
	if (tm.tm_mday != d || tm.tm_mon != mo - 1)
		return -EINVAL;
	*us = ((int64_t)t - offset_s) * 1000000 + frac_us;
	return 0;
}

int audit_parse_when(const char *s, int64_t now_us, int64_t *us)
{
	if (audit_parse_rfc3339(s, us) == 0)
		return 0;
	char *end;
	errno = 0;
	unsigned long long n = strtoull(s, &end, 10);
	if (end == s || errno || s[0] == '-' || s[0] == '+' || strlen(end) != 1)
		return -EINVAL;
	int64_t unit;
	switch (*end) {
	case 's': unit = 1; break;
	case 'm': unit = 60; break;
	case 'h': unit = 3600; break;
	case 'd': unit = 86400; break;
	case 'w': unit = 7 * 86400; break;
	default: return -EINVAL;
	}
	if (n > (unsigned long long)(INT64_MAX / 1000000 / unit))
		return -EINVAL;
	*us = now_us - (int64_t)n * unit * 1000000;
	return 0;
}
