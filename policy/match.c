/* SPDX-License-Identifier: Apache-2.0 */
/* Path patterns and network endpoints against concrete targets. Everything
 * here runs per notified operation: no allocation, no recursion, and a cost
 * bounded by the lengths of the pattern and the target. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "policy/match.h"

/* The end of the pattern component that starts at p: the first '/' that no
 * '\' escapes, or the end of the string. A dangling '\' stays in the
 * component and makes it match nothing. */
static const char *pattern_component_end(const char *p)
{
	while (*p && *p != '/')
		p += (p[0] == '\\' && p[1]) ? 2 : 1;
	return p;
}

/* One pattern component [p, pend) against one target component [t, tend).
 * The classic two-pointer wildcard match: on a mismatch, retry from the last
 * '*' with one more target byte swallowed by it. An earlier '*' never needs
 * revisiting, since the later one can absorb whatever it would have, so the
 * cost is O(|p| * |t|) at worst and linear for the usual one-star pattern. */
static bool match_component(const char *p, const char *pend, const char *t, const char *tend)
{
	const char *star_p = NULL, *star_t = NULL;

	while (t < tend) {
		if (p < pend) {
			if (*p == '*') {
				star_p = ++p;
				star_t = t;
				continue;
			}
			char c = *p;
			size_t step = 1;
			if (c == '\\') {
				if (p + 1 >= pend)
					return false; /* dangling escape */
				c = p[1];
				step = 2;
			}
			if (c == *t) {
				p += step;
				t++;
				continue;
			}
		}
		if (!star_p)
			return false;
		p = star_p;
		t = ++star_t;
	}
	while (p < pend && *p == '*')
		p++;
	return p == pend;
}

/* Walk pattern and path component by component, as far as both go. */
enum walk_end {
	WALK_MISMATCH,       /* a component differs */
	WALK_PATTERN_ENDED,  /* every pattern component matched: path is it or beneath */
	WALK_PATH_ENDED,     /* every path component matched and the pattern goes on */
};

static inline enum walk_end walk(const char *p, const char *t)
{
	for (;;) {
		while (*p == '/')
			p++;
		while (*t == '/')
			t++;
		if (!*p)
			return WALK_PATTERN_ENDED;
		if (!*t)
			return WALK_PATH_ENDED;
		const char *pend = pattern_component_end(p);
		const char *tend = strchrnul(t, '/');
		if (!match_component(p, pend, t, tend))
			return WALK_MISMATCH;
		p = pend;
		t = tend;
	}
}

bool mb_path_match(const char *pattern, const char *path)
{
	if (!pattern || !path || pattern[0] != '/' || path[0] != '/')
		return false;
	return walk(pattern, path) == WALK_PATTERN_ENDED;
}

bool mb_path_match_ancestor(const char *pattern, const char *dir)
{
	if (!pattern || !dir || pattern[0] != '/' || dir[0] != '/')
		return false;
	return walk(pattern, dir) == WALK_PATH_ENDED;
}

static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

void mb_addr_set_v4(struct mb_addr *a, const uint8_t ip[4], uint16_t port)
{
	memset(a, 0, sizeof(*a));
	a->family = AF_INET;
	memcpy(a->addr, ip, 4);
	a->port = port;
}

void mb_addr_set_v6(struct mb_addr *a, const uint8_t ip[16], uint16_t port)
{
	if (memcmp(ip, v4mapped, sizeof(v4mapped)) == 0) {
		mb_addr_set_v4(a, ip + 12, port);
		return;
	}
	memset(a, 0, sizeof(*a));
	a->family = AF_INET6;
	memcpy(a->addr, ip, 16);
	a->port = port;
}

const char *mb_addr_format(const struct mb_addr *a, char *buf, size_t bufsz)
{
	char ip[INET6_ADDRSTRLEN];

	if (bufsz == 0)
		return buf;
	if (a->family == AF_INET && inet_ntop(AF_INET, a->addr, ip, sizeof(ip)))
		snprintf(buf, bufsz, "%s:%u", ip, (unsigned)a->port);
	else if (a->family == AF_INET6 && inet_ntop(AF_INET6, a->addr, ip, sizeof(ip)))
		snprintf(buf, bufsz, "[%s]:%u", ip, (unsigned)a->port);
	else
		snprintf(buf, bufsz, "?:%u", (unsigned)a->port);
	return buf;
}

static bool prefix_equal(const uint8_t *x, const uint8_t *y, unsigned bits)
{
	unsigned full = bits / 8, rest = bits % 8;
	if (memcmp(x, y, full) != 0)
		return false;
	if (rest == 0)
		return true;
	uint8_t mask = (uint8_t)(0xffu << (8 - rest));
	return ((x[full] ^ y[full]) & mask) == 0;
}

/* Port and protocol: both of the target's within the endpoint's. */
static bool port_proto_match(const struct mb_endpoint *ep, uint16_t port, uint8_t proto)
{
	if (port < ep->port_lo || port > ep->port_hi)
		return false;
	unsigned want = proto ? proto : MB_PROTO_BOTH;
	unsigned have = ep->protos ? ep->protos : MB_PROTO_BOTH;
	return !(want & ~have);
}

bool mb_endpoint_match(const struct mb_endpoint *ep, const struct mb_addr *a)
{
	if (!ep || !a || ep->name)
		return false;
	if (!port_proto_match(ep, a->port, a->proto))
		return false;

	/* Fold both sides the way mb_addr_set_v6() folds targets, so that a
	 * grant or a hand-built target written as ::ffff:a.b.c.d is IPv4. */
	int family = ep->family;
	const uint8_t *addr = ep->addr;
	unsigned prefix = ep->prefix;
	if (family == AF_INET6 && prefix >= 96 && prefix <= 128 &&
	    memcmp(addr, v4mapped, sizeof(v4mapped)) == 0) {
		family = AF_INET;
		addr += 12;
		prefix -= 96;
	}
	int tfamily = a->family;
	const uint8_t *taddr = a->addr;
	if (tfamily == AF_INET6 && memcmp(taddr, v4mapped, sizeof(v4mapped)) == 0) {
		tfamily = AF_INET;
		taddr += 12;
	}

	unsigned max = family == AF_INET ? 32 : family == AF_INET6 ? 128 : 0;
	if (max == 0 || prefix > max || tfamily != family)
		return false;
	return prefix_equal(addr, taddr, prefix);
}

/* ---- host names ------------------------------------------------------- */

int mb_name_normalize(const char *in, size_t len, char out[MB_NAME_MAX + 1])
{
	if (len > 0 && in[len - 1] == '.')
		len--; /* the root label, written or not */
	if (len == 0)
		return -EINVAL;
	if (len > MB_NAME_MAX)
		return -ENAMETOOLONG;
	size_t label = 0;
	for (size_t i = 0; i <= len; i++) {
		unsigned char c = i < len ? (unsigned char)in[i] : '.';
		if (c == '.') {
			if (label == 0)
				return -EINVAL; /* an empty label: ".." or a leading dot */
			if (label > 63)
				return -ENAMETOOLONG;
			label = 0;
		} else if (c >= 0x80) {
			return -EILSEQ;
		} else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
			   (c == '-' && label > 0)) {
			label++;
		} else if (c >= 'A' && c <= 'Z') {
			c = (unsigned char)(c - 'A' + 'a');
			label++;
		} else {
			return -EINVAL;
		}
		if (i < len)
			out[i] = (char)c;
	}
	out[len] = '\0';
	return 0;
}

bool mb_name_match(const char *pattern, bool wildcard, const char *name)
{
	if (!pattern || !name)
		return false;
	if (!wildcard)
		return strcmp(pattern, name) == 0;
	size_t pl = strlen(pattern), nl = strlen(name);
	/* at least one label and its dot before the domain */
	return nl >= pl + 2 && name[nl - pl - 1] == '.' && memcmp(name + nl - pl, pattern, pl) == 0;
}

bool mb_endpoint_match_name(const struct mb_endpoint *ep, const char *name, uint16_t port,
			    uint8_t proto)
{
	if (!ep || !ep->name)
		return false;
	if (port && !port_proto_match(ep, port, proto))
		return false;
	return mb_name_match(ep->name, ep->wildcard, name);
}
