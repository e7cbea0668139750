/* SPDX-License-Identifier: Apache-2.0 */
/* The matcher: does a set of grants allow op X on target Y? It is on the
 * notification hot path, so queries never allocate: targets are normalised
 * into caller buffers and patterns are matched in place.
 *
 * Pattern syntax (after placeholders are filled): an absolute, normalised
 * path. A pattern grants the path it names and everything beneath it, compared
 * component by component: /srv/mcp grants /srv/mcp and /srv/mcp/a/b, not
 * /srv/mcp2; "/" grants every path. Within one component:
 *   '*'  matches any run of bytes, empty included, except '/': /a/f*.tmp
 *        grants /a/f1.tmp and /a/f1.tmp/child, not /a/b/f1.tmp. It matches a
 *        leading '.' too (unlike a shell).
 *   '\'  makes the next byte literal ("\*" is a '*', "\\" a '\'). Argument
 *        values are escaped this way when substituted, so they never glob. An
 *        escaped '/' matches nothing (target components hold no '/'); a '\'
 *        that ends the pattern makes it match nothing.
 *   '?', '[', '{' and every other byte are literal.
 * Targets are literal: a '*' or '\' in a target is just a byte. Matching is
 * linear in the common case (no recursion; a '*' backtracks only to the last
 * '*' of its component). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy/path.h"
#include "policy/profile.h"

/* Does pattern (normalised, may hold globs and escapes) grant path (normalised,
 * literal)? A path that is not absolute is granted by nothing. */
bool mb_path_match(const char *pattern, const char *path);

/* The mirror of mb_path_match: is dir (normalised, literal) a proper ancestor
 * of some path that pattern grants? That is, dir has fewer components than
 * pattern and each of them matches the pattern's component at the same
 * place: /srv and /srv/mcp are ancestors of the pattern /srv/mcp/f*.txt,
 * /srv/mcp/f1.txt and /srv/other are not. "/" is an ancestor of every
 * pattern but "/". */
bool mb_path_match_ancestor(const char *pattern, const char *dir);

/* A concrete network target: IPv4-mapped IPv6 addresses are folded to IPv4 by
 * mb_addr_set_*() so that ::ffff:10.0.0.1 is matched as 10.0.0.1. */
struct mb_addr {
	int family; /* AF_INET or AF_INET6 */
	uint8_t addr[16];
	uint16_t port;
	uint8_t proto; /* MB_PROTO_* (policy/profile.h); mb_addr_set_*() leave
			  0: both */
};

/* Fill from a raw address in network byte order; port in host byte order.
 * Only ::ffff:a.b.c.d is folded (not ::a.b.c.d nor 64:ff9b::/96, which name
 * other hosts). */
void mb_addr_set_v4(struct mb_addr *a, const uint8_t ip[4], uint16_t port);
void mb_addr_set_v6(struct mb_addr *a, const uint8_t ip[16], uint16_t port);
/* "1.2.3.4:80" or "[::1]:80" into buf (at least 64 bytes; shorter buffers get
 * a truncated string). Returns buf. */
const char *mb_addr_format(const struct mb_addr *a, char *buf, size_t bufsz);

/* Does ep grant a? Every protocol a speaks granted (see MB_PROTO_*), same
 * family (an IPv6 grant never matches an IPv4 target nor
 * the reverse), the first ep->prefix bits equal, port_lo <= port <= port_hi.
 * A grant inside ::ffff:0:0/96 (prefix >= 96) is folded to IPv4 like targets
 * are, so [::ffff:127.0.0.1]:80 and 127.0.0.1:80 grant the same thing. A
 * prefix longer than the family's address grants nothing. */
bool mb_endpoint_match(const struct mb_endpoint *ep, const struct mb_addr *a);

/* ---- host names ---------------------------------------------------------
 * A name as a grant holds it and as a DNS question asks it: ASCII letters
 * folded to lower case (DNS compares names so, RFC 4343), one trailing dot
 * dropped ("api.example.org." is "api.example.org"), labels of 1 to 63
 * letters, digits, '-' and '_' (SRV and DMARC names), no label starting
 * with '-', at most 253 bytes. An internationalised name is written in its
 * ASCII form (xn--...): a byte above 0x7f is refused, since two spellings
 * of one name would otherwise match differently. */
#define MB_NAME_MAX 253

/* Normalise the len bytes at in into out (at least MB_NAME_MAX + 1 bytes).
 * Returns 0, -EILSEQ (a byte above 0x7f: write the ASCII form), -EINVAL (a
 * byte or a label shape not allowed, an empty name) or -ENAMETOOLONG (a
 * label over 63 bytes, a name over 253). */
int mb_name_normalize(const char *in, size_t len, char out[MB_NAME_MAX + 1]);

/* Does the pattern (normalised) grant name (normalised)? Without wildcard:
 * the same name. With wildcard (written "*.example.org", held as
 * "example.org"): a name that ends in ".example.org" with one label or more
 * before it, at any depth; never example.org itself (the apex), which is
 * granted only when listed. */
bool mb_name_match(const char *pattern, bool wildcard, const char *name);

/* Does ep (a name endpoint: ep->name set) grant name on port for proto, as
 * mb_endpoint_match does an address? port 0 asks for any port: a DNS
 * question names none, and a name is asked for if some grant names it. */
bool mb_endpoint_match_name(const struct mb_endpoint *ep, const char *name, uint16_t port,
			    uint8_t proto);
