/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by the profile loader's tests: fixture paths and checks of
 * path patterns and endpoints against what a profile should hold. */
#pragma once

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "policy/profile.h"
#include "tests/tap.h"

__attribute__((unused)) static char *fixture(const char *rel)
{
	const char *top = getenv("top_srcdir");
	char *p = NULL;
	if (asprintf(&p, "%s/tests/fixtures/profiles/%s", top ? top : ".", rel) < 0)
		abort();
	return p;
}

__attribute__((unused)) static void is_pattern(const struct mb_path_pattern *pp, const char *text,
					       bool optional, bool ph, bool glob,
					       const char *file, unsigned line, unsigned col)
{
	if (!ok(pp != NULL, "pattern %s present", text))
		return;
	is_str(pp->text, text, "pattern %s: text", text);
	ok(pp->optional == optional && pp->has_placeholder == ph && pp->has_glob == glob,
	   "pattern %s: optional=%d placeholder=%d glob=%d (got %d %d %d)", text, optional, ph,
	   glob, pp->optional, pp->has_placeholder, pp->has_glob);
	if (file)
		ok(mb_streq(pp->pos.file, file) && pp->pos.line == line && pp->pos.column == col,
		   "pattern %s: at %s:%u:%u (got %s:%u:%u)", text, file, line, col, pp->pos.file,
		   pp->pos.line, pp->pos.column);
}

/* addr as inet_pton reads it; v4 addresses are stored in the first 4 bytes. */
__attribute__((unused)) static void is_endpoint(const struct mb_endpoint *ep, const char *text,
						const char *addr, unsigned prefix,
						unsigned lo, unsigned hi)
{
	uint8_t want[16] = { 0 };
	int family = strchr(addr, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(family, addr, want) != 1)
		abort();
	if (!ok(ep != NULL, "endpoint %s present", text))
		return;
	is_str(ep->text, text, "endpoint %s: text", text);
	ok(ep->family == family && memcmp(ep->addr, want, 16) == 0 && ep->prefix == prefix,
	   "endpoint %s: %s/%u", text, addr, prefix);
	ok(ep->port_lo == lo && ep->port_hi == hi, "endpoint %s: ports %u-%u (got %u-%u)", text,
	   lo, hi, ep->port_lo, ep->port_hi);
}
