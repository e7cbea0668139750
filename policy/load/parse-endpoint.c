/* SPDX-License-Identifier: Apache-2.0 */
/* connect/bind grants: host:port, *.domain:port, ipv4:port, [ipv6]:port,
 * cidr:port ([v6]/N:port or [v6/N]:port), with a port, a range N-M or '*',
 * and an optional protocol before it, tcp: or udp: (neither: both). A host
 * name is checked and normalised here, never resolved: the supervisor
 * resolves names at run time, when the server asks (docs/design.md
 * "Names"), so a profile loads the same offline. */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "policy/match.h"

#include "policy/load/load-internal.h"

#define ENDPOINT_HINT "write host:port, *.domain:port, ip:port, [ipv6]:port or cidr:port"
#define PROTO_HINT "write tcp: or udp: before the address, or neither for both"

struct ep_parse {
	int family; /* 0: a host name */
	uint8_t addr[16];
	bool has_prefix;
	unsigned prefix;
	char host[256];
	char name[MB_NAME_MAX + 1]; /* family 0: host normalised, without "*." */
	bool wildcard;
	uint16_t lo, hi;
	uint8_t protos; /* MB_PROTO_*; 0: both */
	const char *text; /* the whole endpoint, for messages */
};

static int bad(struct loader *l, const struct yt_node *n, const struct ep_parse *ep,
	       const char *fmt, ...) _printf_(4, 5);
static int bad(struct loader *l, const struct yt_node *n, const struct ep_parse *ep,
	       const char *fmt, ...)
{
	char why[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return ld_error(l, -EINVAL, n, "bad endpoint '%s': %s", ep->text, why);
}

/* The protocol written before the address, if any: "tcp:" and "udp:" always
 * name one (a host cannot be called tcp or udp here); another word followed
 * by ':' and a host:port is a protocol this does not know. Sets ep->protos
 * and *rest (after the prefix). */
static int parse_proto(struct loader *l, const struct yt_node *n, const char *s,
		       struct ep_parse *ep, const char **rest)
{
	size_t w = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");
	const char *after = s + w + 1;
	*rest = s;
	if (w == 0 || s[w] != ':')
		return 0;
	bool known = w == 3 && (strncmp(s, "tcp", 3) == 0 || strncmp(s, "udp", 3) == 0);
	if (!known) {
		/* host:port, or an unbracketed IPv6 address: not a protocol */
		if (*after == ':' || (*after != '[' && !strchr(after, ':')))
			return 0;
		return bad(l, n, ep, "unknown protocol '%.*s' (%s)", (int)MB_MIN(w, (size_t)32), s,
			   PROTO_HINT);
	}
	ep->protos = s[0] == 't' ? MB_PROTO_TCP : MB_PROTO_UDP;
	if (*after == '\0')
		return bad(l, n, ep, "nothing after '%.4s' (write %.4sHOST:PORT)", s, s);
	size_t w2 = strspn(after, "abcdefghijklmnopqrstuvwxyz");
	if (w2 == 3 && after[3] == ':' &&
	    (strncmp(after, "tcp", 3) == 0 || strncmp(after, "udp", 3) == 0))
		return bad(l, n, ep, "one protocol per endpoint (list the address twice, or write "
				    "no protocol for both)");
	*rest = after;
	return 0;
}

static int parse_port(struct loader *l, const struct yt_node *n, const char *p, struct ep_parse *ep)
{
	if (strcmp(p, "*") == 0) {
		ep->lo = 1;
		ep->hi = 65535;
		return 0;
	}
	char buf[16];
	const char *dash = strchr(p, '-');
	size_t len = dash ? (size_t)(dash - p) : strlen(p);
	uint64_t lo, hi;
	if (len >= sizeof(buf))
		goto bad_port;
	memcpy(buf, p, len);
	buf[len] = '\0';
	if (ld_parse_uint(buf, &lo) < 0 || lo < 1 || lo > 65535)
		goto bad_port;
	hi = lo;
	if (dash && (ld_parse_uint(dash + 1, &hi) < 0 || hi < 1 || hi > 65535))
		goto bad_port;
	if (hi < lo)
		return bad(l, n, ep, "port range %s is reversed (write %s-%.*s)", p, dash + 1,
			   (int)len, p);
	ep->lo = (uint16_t)lo;
	ep->hi = (uint16_t)hi;
	return 0;
bad_port:
	return bad(l, n, ep, "bad port '%s' (a port is 1-65535, a range N-M, or *)", p);
}

static int parse_prefix(struct loader *l, const struct yt_node *n, const char *p, size_t len, struct ep_parse *ep)
{
	char buf[8];
	uint64_t v;
	unsigned max = ep->family == AF_INET ? 32 : 128;
	if (len >= sizeof(buf))
		len = sizeof(buf) - 1;
	memcpy(buf, p, len);
	buf[len] = '\0';
	if (ld_parse_uint(buf, &v) < 0 || v > max)
		return bad(l, n, ep, "bad prefix '/%s' (%s: /0 to /%u)", buf,
			   ep->family == AF_INET ? "IPv4" : "IPv6", max);
	ep->has_prefix = true;
	ep->prefix = (unsigned)v;
	return 0;
}

int ld_name_pattern(const char *host, char out[MB_NAME_MAX + 1], bool *wildcard, char *why,
		    size_t whylen)
{
	const char *h = host;
	*wildcard = false;
	if (strcmp(h, "*") == 0 || strcmp(h, "*.") == 0) {
		snprintf(why, whylen, "a wildcard names a domain (write *.example.org)");
		return -EINVAL;
	}
	if (h[0] == '*' && h[1] == '.') {
		*wildcard = true;
		h += 2;
	}
	int r = mb_name_normalize(h, strlen(h), out);
	if (r == -EILSEQ)
		snprintf(why, whylen, "'%s' is not ASCII (write an internationalised name in its "
				      "ASCII form, xn--...: idn2 prints it)", host);
	else if (r == -ENAMETOOLONG)
		snprintf(why, whylen, "host name '%s' too long (labels of at most 63 bytes, at most "
				      "253 in all)", host);
	else if (r < 0 && strchr(h, '*'))
		snprintf(why, whylen, "bad host name '%s' ('*' only as a whole first label: "
				      "*.example.org)", host);
	else if (r < 0)
		snprintf(why, whylen, "bad host name '%s' (letters, digits, '-' and '_' in labels "
				      "joined by '.')", host);
	return r < 0 ? -EINVAL : 0;
}

static int parse_name(struct loader *l, const struct yt_node *n, struct ep_parse *ep)
{
	char why[512];
	if (ld_name_pattern(ep->host, ep->name, &ep->wildcard, why, sizeof(why)) < 0)
		return bad(l, n, ep, "%s", why);
	return 0;
}

/* [addr]:port, [addr]/N:port, [addr/N]:port */
static int parse_bracketed(struct loader *l, const struct yt_node *n, const char *s,
			   struct ep_parse *ep)
{
	const char *close = strchr(s, ']');
	if (!close)
		return bad(l, n, ep, "a '[' without ']' (%s)", ENDPOINT_HINT);
	const char *in = s + 1;
	size_t inlen = (size_t)(close - in);
	const char *slash = memchr(in, '/', inlen);
	size_t alen = slash ? (size_t)(slash - in) : inlen;
	char addr[INET6_ADDRSTRLEN + 1];
	if (alen >= sizeof(addr) || (memcpy(addr, in, alen), addr[alen] = '\0',
				     inet_pton(AF_INET6, addr, ep->addr) != 1))
		return bad(l, n, ep, "bad IPv6 address '%.*s' (%s)", (int)MB_MIN(alen, 64), in,
			   ENDPOINT_HINT);
	ep->family = AF_INET6;
	int r;
	if (slash && (r = parse_prefix(l, n, slash + 1, inlen - alen - 1, ep)) < 0)
		return r;
	const char *p = close + 1;
	if (*p == '/') {
		if (slash)
			return bad(l, n, ep, "two prefixes (write [ADDR/N]:PORT or [ADDR]/N:PORT)");
		size_t plen = strcspn(p + 1, ":");
		if ((r = parse_prefix(l, n, p + 1, plen, ep)) < 0)
			return r;
		p += 1 + plen;
	}
	if (*p != ':')
		return bad(l, n, ep, "expected ':PORT' after the address (%s)", ENDPOINT_HINT);
	return parse_port(l, n, p + 1, ep);
}

static int parse_plain(struct loader *l, const struct yt_node *n, const char *s,
		       struct ep_parse *ep)
{
	const char *colon = strrchr(s, ':');
	if (!colon)
		return bad(l, n, ep, "no port (write %s:PORT, PORT being N, N-M or *)", ep->text);
	size_t hlen = (size_t)(colon - s);
	if (memchr(s, ':', hlen))
		return bad(l, n, ep, "an IPv6 address needs brackets (write [ADDR]:PORT)");
	const char *slash = memchr(s, '/', hlen);
	size_t alen = slash ? (size_t)(slash - s) : hlen;
	if (alen == 0)
		return bad(l, n, ep, "no host (%s)", ENDPOINT_HINT);
	if (alen >= sizeof(ep->host))
		return bad(l, n, ep, "the host name is longer than 253 bytes");
	memcpy(ep->host, s, alen);
	ep->host[alen] = '\0';
	int r;
	if (strspn(ep->host, "0123456789.") == alen) {
		if (inet_pton(AF_INET, ep->host, ep->addr) != 1)
			return bad(l, n, ep, "bad IPv4 address '%s' (%s)", ep->host, ENDPOINT_HINT);
		ep->family = AF_INET;
		if (slash && (r = parse_prefix(l, n, slash + 1, hlen - alen - 1, ep)) < 0)
			return r;
	} else {
		if (slash)
			return bad(l, n, ep,
				   "a host name cannot take a prefix (write an address: 10.0.0.0/8:PORT)");
		if ((r = parse_name(l, n, ep)) < 0)
			return r;
	}
	return parse_port(l, n, colon + 1, ep);
}

/* ::ffff:a.b.c.d is a v4 peer as the kernel reports it: keep it as v4. */
static void fold_mapped(int *family, uint8_t addr[16], unsigned *prefix)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	if (*family != AF_INET6 || memcmp(addr, mapped, 12) != 0 || *prefix < 96)
		return;
	memmove(addr, addr + 12, 4);
	memset(addr + 4, 0, 12);
	*family = AF_INET;
	*prefix -= 96;
}

static int check_host_bits(struct loader *l, const struct yt_node *n, const struct ep_parse *ep)
{
	unsigned bytes = ep->family == AF_INET ? 4 : 16;
	uint8_t net[16];
	memcpy(net, ep->addr, sizeof(net));
	for (unsigned i = 0; i < bytes; i++) {
		unsigned bit = i * 8;
		if (bit >= ep->prefix)
			net[i] = 0;
		else if (bit + 8 > ep->prefix)
			net[i] &= (uint8_t)(0xff << (8 - (ep->prefix - bit)));
	}
	if (memcmp(net, ep->addr, bytes) == 0)
		return 0;
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	inet_ntop(ep->family, ep->addr, a, sizeof(a));
	inet_ntop(ep->family, net, b, sizeof(b));
	return bad(l, n, ep, "host bits are set in %s/%u (write the network address %s/%u)", a,
		   ep->prefix, b, ep->prefix);
}

static int push(struct loader *l, mb_endpoint_vec *out, char *text, const struct yt_node *n,
		int family, const uint8_t addr[16], unsigned prefix, const struct ep_parse *ep)
{
	struct mb_endpoint *e = mb_vec_new(out);
	if (!e)
		return ld_oom(l);
	e->text = text;
	e->pos = ld_pos(l, n);
	e->family = family;
	memcpy(e->addr, addr, 16);
	e->prefix = (uint8_t)prefix;
	e->port_lo = ep->lo;
	e->port_hi = ep->hi;
	e->protos = ep->protos;
	if (!family) {
		e->wildcard = ep->wildcard;
		if (!(e->name = strdup(ep->name))) {
			out->n--;
			return ld_oom(l);
		}
	}
	return 0;
}

static int parse_one(struct loader *l, const struct yt_node *n, mb_endpoint_vec *out)
{
	char *s = NULL;
	int r = ld_expand(l, n->text, n, &s);
	if (r < 0)
		return r;
	struct ep_parse ep = { .text = s };
	const char *a;
	r = parse_proto(l, n, s, &ep, &a);
	if (r == 0)
		r = a[0] == '[' ? parse_bracketed(l, n, a, &ep) : parse_plain(l, n, a, &ep);
	if (r == 0 && ep.family) {
		unsigned max = ep.family == AF_INET ? 32 : 128;
		if (!ep.has_prefix)
			ep.prefix = max;
		r = check_host_bits(l, n, &ep);
	}
	if (r < 0) {
		free(s);
		return r;
	}
	if (ep.family)
		fold_mapped(&ep.family, ep.addr, &ep.prefix);
	r = push(l, out, s, n, ep.family, ep.addr, ep.prefix, &ep);
	if (r < 0)
		free(s);
	return r;
}

int ld_endpoint_list(struct loader *l, const struct yt_node *list, const char *what,
		     mb_endpoint_vec *out)
{
	char example[64], quoted[64];
	snprintf(example, sizeof(example), "%s: [HOST:PORT, ...]", what);
	snprintf(quoted, sizeof(quoted), "'%s'", what);
	int r = ld_scalar_list(l, list, quoted, "a list of endpoints", "an endpoint", example);
	if (r < 0 || list->kind != YT_SEQ)
		return r;
	for (size_t i = 0; i < list->n; i++) {
		r = parse_one(l, &list->items[i], out);
		if (r < 0)
			return r;
	}
	return 0;
}

/* A test's target: one address or one name, and one port. The error
 * names the whole expectation (n's text), the target being part of it. */
int ld_endpoint_target(struct loader *l, const struct yt_node *n, const char *text,
		       mb_endpoint_vec *out)
{
	struct ep_parse ep = { .text = text };
	const char *a;
	int r = parse_proto(l, n, text, &ep, &a);
	if (r < 0)
		return r;
	if (!strchr(a, ':'))
		return ld_error(l, -EINVAL, n, "bad target '%s': no port (write %s:PORT)", text, text);
	r = a[0] == '[' ? parse_bracketed(l, n, a, &ep) : parse_plain(l, n, a, &ep);
	if (r < 0)
		return r;
	if (ep.has_prefix || ep.lo != ep.hi || ep.wildcard)
		return ld_error(l, -EINVAL, n,
				"bad target '%s': a test names one address or name and one port (write IP:PORT, [IPV6]:PORT or HOST:PORT)",
				text);
	unsigned prefix = ep.family == AF_INET ? 32 : ep.family ? 128 : 0;
	if (ep.family)
		fold_mapped(&ep.family, ep.addr, &prefix);
	return push(l, out, (char *)text, n, ep.family, ep.addr, prefix, &ep);
}
