/* SPDX-License-Identifier: Apache-2.0 */
/* DNS messages (dns-wire.h). Every read goes through a cursor that knows
 * the end of the message: take() fails past it, and a failure anywhere
 * refuses the message. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "supervisor/resolve/dns-wire.h"

enum {
	F_QR = 0x8000,
	F_OPCODE = 0x7800,
	F_AA = 0x0400,
	F_TC = 0x0200,
	F_RD = 0x0100,
	F_RA = 0x0080,
	F_Z = 0x0040,
	F_AD = 0x0020,
	F_CD = 0x0010,
	F_RCODE = 0x000f,
	CLASS_IN = 1,
};

struct cursor {
	const uint8_t *p, *end;
};

static bool take(struct cursor *c, size_t n, const uint8_t **ret)
{
	if ((size_t)(c->end - c->p) < n)
		return false;
	*ret = c->p;
	c->p += n;
	return true;
}

static bool u16(struct cursor *c, uint16_t *ret)
{
	const uint8_t *b;
	if (!take(c, 2, &b))
		return false;
	*ret = (uint16_t)(b[0] << 8 | b[1]);
	return true;
}

static bool u32(struct cursor *c, uint32_t *ret)
{
	uint16_t hi, lo;
	if (!u16(c, &hi) || !u16(c, &lo))
		return false;
	*ret = (uint32_t)hi << 16 | lo;
	return true;
}

static int refuse(const char **why, const char *reason)
{
	*why = reason;
	return -EBADMSG;
}

/* The question's name: labels up to the root, copied as written into
 * q->qname and as text into a buffer, then normalised. */
static int read_name(struct cursor *c, struct mb_dns_query *q, const char **why)
{
	char text[MB_DNS_NAME_WIRE + 1];
	size_t tl = 0, wl = 0;
	for (;;) {
		const uint8_t *b;
		if (!take(c, 1, &b))
			return refuse(why, "the question's name runs past the message");
		uint8_t len = b[0];
		if (len & 0xc0)
			return refuse(why, "a compressed or extended label in the question");
		if (wl + 1 + len > MB_DNS_NAME_WIRE)
			return refuse(why, "a name longer than 255 bytes");
		q->qname[wl++] = len;
		if (len == 0)
			break;
		const uint8_t *label;
		if (!take(c, len, &label))
			return refuse(why, "a label runs past the message");
		memcpy(q->qname + wl, label, len);
		wl += len;
		for (size_t i = 0; i < len; i++) {
			uint8_t ch = label[i];
			/* A '.' or any byte outside a host name's would make the
			 * text name another name than the wire one. */
			if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			      (ch >= '0' && ch <= '9') || ch == '-' || ch == '_'))
				return refuse(why, "a label holds a byte that is not a letter, a digit, "
						   "'-' or '_'");
		}
		if (tl)
			text[tl++] = '.';
		memcpy(text + tl, label, len);
		tl += len;
	}
	q->qname_len = wl;
	if (tl == 0)
		return refuse(why, "a question for the root");
	int r = mb_name_normalize(text, tl, q->name);
	if (r == -ENAMETOOLONG)
		return refuse(why, "a name longer than 253 bytes");
	if (r < 0)
		return refuse(why, "a label that begins with '-'");
	return 0;
}

/* The one additional record a question may carry: EDNS's OPT (RFC 6891
 * 6.1.2), version 0, owned by the root; its options are walked to check
 * that they fill its data exactly, and otherwise ignored. */
static int read_opt(struct cursor *c, struct mb_dns_query *q, const char **why)
{
	const uint8_t *owner;
	uint16_t type, size, rdlen;
	uint32_t ttl;
	if (!take(c, 1, &owner) || !u16(c, &type) || !u16(c, &size) || !u32(c, &ttl) ||
	    !u16(c, &rdlen))
		return refuse(why, "an additional record runs past the message");
	if (owner[0] != 0 || type != MB_DNS_OPT)
		return refuse(why, "an additional record that is not EDNS's OPT");
	if ((ttl >> 24) != 0 || ((ttl >> 16) & 0xff) != 0)
		return refuse(why, "an EDNS OPT with an extended rcode or a version other than 0");
	const uint8_t *data;
	if (!take(c, rdlen, &data))
		return refuse(why, "an EDNS OPT runs past the message");
	struct cursor o = { data, data + rdlen };
	while (o.p < o.end) {
		uint16_t code, olen;
		const uint8_t *skip;
		if (!u16(&o, &code) || !u16(&o, &olen) || !take(&o, olen, &skip))
			return refuse(why, "an EDNS option runs past its record");
	}
	q->edns = true;
	q->edns_size = size;
	return 0;
}

int mb_dns_parse_query(const uint8_t *msg, size_t len, struct mb_dns_query *q, const char **why)
{
	memset(q, 0, sizeof(*q));
	*why = NULL;
	if (!msg || len > MB_DNS_QUERY_MAX)
		return refuse(why, "a message longer than a question can be");
	struct cursor c = { msg, msg + len };
	uint16_t qd, an, ns, ar;
	if (!u16(&c, &q->id) || !u16(&c, &q->flags) || !u16(&c, &qd) || !u16(&c, &an) ||
	    !u16(&c, &ns) || !u16(&c, &ar))
		return refuse(why, "a message shorter than a DNS header");
	q->header = true;
	if (q->flags & F_QR)
		return refuse(why, "a response, not a question");
	if (q->flags & F_OPCODE)
		return refuse(why, "an opcode other than QUERY");
	if (q->flags & (F_AA | F_TC | F_Z | F_RCODE))
		return refuse(why, "a question with the AA, TC or Z bit or an rcode set");
	if (qd != 1 || an != 0 || ns != 0 || ar > 1)
		return refuse(why, "not exactly one question and at most one EDNS record");
	int r = read_name(&c, q, why);
	if (r < 0)
		return r;
	if (!u16(&c, &q->qtype) || !u16(&c, &q->qclass))
		return refuse(why, "the question's type and class run past the message");
	if (q->qclass != CLASS_IN)
		return refuse(why, "a class other than IN");
	q->question = true;
	if (ar == 1 && (r = read_opt(&c, q, why)) < 0)
		return r;
	if (c.p != c.end)
		return refuse(why, "bytes after the question");
	return 0;
}

size_t mb_dns_max_answer(const struct mb_dns_query *q)
{
	if (!q->edns || q->edns_size <= MB_DNS_UDP_PLAIN)
		return MB_DNS_UDP_PLAIN;
	return q->edns_size < MB_DNS_UDP_EDNS ? q->edns_size : MB_DNS_UDP_EDNS;
}

struct writer {
	uint8_t *p, *end;
};

static bool put(struct writer *w, const void *b, size_t n)
{
	if ((size_t)(w->end - w->p) < n)
		return false;
	memcpy(w->p, b, n);
	w->p += n;
	return true;
}

static bool put16(struct writer *w, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };
	return put(w, b, 2);
}

static bool put32(struct writer *w, uint32_t v)
{
	return put16(w, (uint16_t)(v >> 16)) && put16(w, (uint16_t)v);
}

/* EDNS's OPT of the answer: our size, version 0, no option. */
static bool put_opt(struct writer *w)
{
	uint8_t root = 0;
	return put(w, &root, 1) && put16(w, MB_DNS_OPT) && put16(w, MB_DNS_UDP_EDNS) &&
	       put32(w, 0) && put16(w, 0);
}

ssize_t mb_dns_write_response(const struct mb_dns_query *q, int rcode, const struct mb_addr *addrs,
			      size_t n, uint32_t ttl, uint8_t *out, size_t max)
{
	struct writer w = { out, out + max };
	bool question = q->question;
	bool opt = question && q->edns;
	/* Room for the OPT record is kept whatever the answers take. */
	size_t opt_len = opt ? 11 : 0;
	if (max < opt_len)
		return -ENOBUFS;
	w.end -= opt_len;
	uint16_t flags = (uint16_t)(F_QR | F_RA | (q->flags & (F_RD | F_CD)) | (rcode & F_RCODE));
	if (!put16(&w, q->id) || !put16(&w, flags) || !put16(&w, question ? 1 : 0) ||
	    !put16(&w, 0) || !put16(&w, 0) || !put16(&w, opt ? 1 : 0))
		return -ENOBUFS;
	if (question && (!put(&w, q->qname, q->qname_len) || !put16(&w, q->qtype) ||
			 !put16(&w, q->qclass)))
		return -ENOBUFS;
	uint16_t count = 0;
	for (size_t i = 0; question && rcode == MB_DNS_NOERROR && i < n && count < 0xffff; i++) {
		int family = q->qtype == MB_DNS_A ? AF_INET : q->qtype == MB_DNS_AAAA ? AF_INET6 : 0;
		if (addrs[i].family != family)
			continue;
		uint16_t rdlen = family == AF_INET ? 4 : 16;
		uint8_t *mark = w.p;
		/* The owner is the question's name: a pointer to offset 12. */
		if (!put16(&w, 0xc000 | MB_DNS_HEADER) || !put16(&w, q->qtype) ||
		    !put16(&w, CLASS_IN) || !put32(&w, ttl) || !put16(&w, rdlen) ||
		    !put(&w, addrs[i].addr, rdlen)) {
			w.p = mark; /* no room: the answer ends with the records before */
			break;
		}
		count++;
	}
	out[6] = (uint8_t)(count >> 8);
	out[7] = (uint8_t)count;
	w.end += opt_len;
	if (opt && !put_opt(&w))
		return -ENOBUFS;
	return w.p - out;
}

const char *mb_dns_type_name(uint16_t type, char *buf, size_t bufsz)
{
	static const struct {
		uint16_t type;
		const char *name;
	} names[] = {
		{ 1, "A" },	    { 2, "NS" },   { 5, "CNAME" }, { 6, "SOA" },  { 12, "PTR" },
		{ 15, "MX" },	    { 16, "TXT" }, { 28, "AAAA" }, { 33, "SRV" }, { 35, "NAPTR" },
		{ 41, "OPT" },	    { 43, "DS" },  { 48, "DNSKEY" }, { 64, "SVCB" }, { 65, "HTTPS" },
		{ 255, "ANY" },
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].type == type) {
			snprintf(buf, bufsz, "%s", names[i].name);
			return buf;
		}
	snprintf(buf, bufsz, "TYPE%u", (unsigned)type);
	return buf;
}
