/* SPDX-License-Identifier: Apache-2.0 */
/* The sandbox's resolver's wire format (supervisor/resolve/dns-wire.h):
 * questions built byte by byte, each refusal with its reason, and answers
 * written and read back field by field. No sockets. */
#include <arpa/inet.h>
#include <errno.h>
#include <sys/socket.h>

#include "supervisor/resolve/dns-wire.h"
#include "tests/tap.h"

struct msg {
	uint8_t b[2048];
	size_t n;
};

static void put(struct msg *m, const void *p, size_t n)
{
	if (n == 0)
		return;
	memcpy(m->b + m->n, p, n);
	m->n += n;
}

static void put16(struct msg *m, unsigned v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };
	put(m, b, 2);
}

static void header(struct msg *m, unsigned id, unsigned flags, unsigned qd, unsigned an,
		   unsigned ns, unsigned ar)
{
	m->n = 0;
	put16(m, id);
	put16(m, flags);
	put16(m, qd);
	put16(m, an);
	put16(m, ns);
	put16(m, ar);
}

/* "a.b.c" as labels, root included. */
static void name(struct msg *m, const char *s)
{
	while (*s) {
		size_t l = strcspn(s, ".");
		uint8_t len = (uint8_t)l;
		put(m, &len, 1);
		put(m, s, l);
		s += l + (s[l] == '.');
	}
	uint8_t root = 0;
	put(m, &root, 1);
}

/* An OPT record: udp size, ttl word, data. */
static void opt(struct msg *m, unsigned size, uint32_t ttl, const void *data, size_t n)
{
	uint8_t root = 0;
	put(m, &root, 1);
	put16(m, MB_DNS_OPT);
	put16(m, size);
	put16(m, ttl >> 16);
	put16(m, ttl & 0xffff);
	put16(m, (unsigned)n);
	put(m, data, n);
}

/* A plain question: id 0x1234, RD, one name, type, class IN. */
static void query(struct msg *m, const char *qname, unsigned type)
{
	header(m, 0x1234, 0x0100, 1, 0, 0, 0);
	name(m, qname);
	put16(m, type);
	put16(m, 1);
}

static void refused(const struct msg *m, const char *want_why, bool want_header, const char *what)
{
	struct mb_dns_query q;
	const char *why = NULL;
	int r = mb_dns_parse_query(m->b, m->n, &q, &why);
	ok(r == -EBADMSG && why && strcmp(why, want_why) == 0 && q.header == want_header,
	   "%s: refused, '%s' (got %d, '%s')", what, want_why, r, why ? why : "");
}

static void test_parse(void)
{
	struct msg m;
	struct mb_dns_query q;
	const char *why;

	query(&m, "API.Example.org", MB_DNS_A);
	ok(mb_dns_parse_query(m.b, m.n, &q, &why) == 0, "a plain A question parses");
	ok(q.header && q.question && q.id == 0x1234 && q.qtype == MB_DNS_A && q.qclass == 1 &&
		   !q.edns,
	   "id, type, class, no EDNS");
	is_str(q.name, "api.example.org", "the name folded to lower case");
	ok(q.qname_len == 17 && memcmp(q.qname, "\3API\7Example\3org\0", 17) == 0,
	   "the wire name kept as asked, case and all");

	query(&m, "_dmarc.x-y.example", MB_DNS_AAAA);
	ok(mb_dns_parse_query(m.b, m.n, &q, &why) == 0 && q.qtype == MB_DNS_AAAA &&
		   strcmp(q.name, "_dmarc.x-y.example") == 0,
	   "AAAA, '_' and '-' in labels");

	query(&m, "example.org", 16);
	ok(mb_dns_parse_query(m.b, m.n, &q, &why) == 0 && q.qtype == 16,
	   "another type parses: the caller judges types");

	/* EDNS */
	header(&m, 7, 0x0120, 1, 0, 0, 1); /* RD and AD, as glibc's trust-ad sends */
	name(&m, "example.org");
	put16(&m, MB_DNS_A);
	put16(&m, 1);
	uint8_t cookie[] = { 0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8 };
	opt(&m, 4096, 0x8000 /* DO */, cookie, sizeof(cookie));
	ok(mb_dns_parse_query(m.b, m.n, &q, &why) == 0 && q.edns && q.edns_size == 4096,
	   "an EDNS OPT with a cookie, DO and AD: accepted (%s)", why ? why : "");
	is_int(mb_dns_max_answer(&q), MB_DNS_UDP_EDNS, "... answers kept to 1232 bytes");
	q.edns_size = 100;
	is_int(mb_dns_max_answer(&q), MB_DNS_UDP_PLAIN, "an advertised size below 512 counts as 512");
	q.edns = false;
	is_int(mb_dns_max_answer(&q), MB_DNS_UDP_PLAIN, "no EDNS: 512");

	/* a trailing dot is no label; the longest name */
	char longest[254];
	memset(longest, 'a', 253);
	longest[253] = '\0';
	for (int i = 63; i < 253; i += 64)
		longest[i] = '.';
	query(&m, longest, MB_DNS_A);
	ok(mb_dns_parse_query(m.b, m.n, &q, &why) == 0 && strlen(q.name) == 253,
	   "a name of 253 bytes (255 on the wire) parses (%s)", why ? why : "");
}

static void test_refusals(void)
{
	struct msg m;
	struct mb_dns_query q;
	const char *why;

	m.n = 11;
	memset(m.b, 0, 11);
	refused(&m, "a message shorter than a DNS header", false, "11 bytes");
	ok(mb_dns_parse_query(NULL, 0, &q, &why) == -EBADMSG, "no message");

	query(&m, "example.org", MB_DNS_A);
	m.b[2] |= 0x80;
	refused(&m, "a response, not a question", true, "QR set");
	query(&m, "example.org", MB_DNS_A);
	m.b[2] |= 0x28; /* opcode 5, UPDATE */
	refused(&m, "an opcode other than QUERY", true, "UPDATE");
	static const struct {
		unsigned bit;
		const char *what;
	} bits[] = { { 0x0400, "AA" }, { 0x0200, "TC" }, { 0x0040, "Z" }, { 0x0003, "an rcode" } };
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		query(&m, "example.org", MB_DNS_A);
		m.b[2] |= (uint8_t)(bits[i].bit >> 8);
		m.b[3] |= (uint8_t)bits[i].bit;
		refused(&m, "a question with the AA, TC or Z bit or an rcode set", true, bits[i].what);
	}
	static const unsigned counts[][4] = { { 0, 0, 0, 0 }, { 2, 0, 0, 0 }, { 1, 1, 0, 0 },
					      { 1, 0, 1, 0 }, { 1, 0, 0, 2 } };
	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		header(&m, 1, 0x100, counts[i][0], counts[i][1], counts[i][2], counts[i][3]);
		name(&m, "example.org");
		put16(&m, 1);
		put16(&m, 1);
		refused(&m, "not exactly one question and at most one EDNS record", true, "counts");
	}

	/* names */
	header(&m, 1, 0x100, 1, 0, 0, 0);
	put(&m, "\7example\xc0\x0c", 10);
	put16(&m, 1);
	put16(&m, 1);
	refused(&m, "a compressed or extended label in the question", true, "a pointer");
	header(&m, 1, 0x100, 1, 0, 0, 0);
	put(&m, "\x47x", 2);
	refused(&m, "a compressed or extended label in the question", true, "an extended label");
	header(&m, 1, 0x100, 1, 0, 0, 0);
	put(&m, "\7exa", 4);
	refused(&m, "a label runs past the message", true, "a cut label");
	header(&m, 1, 0x100, 1, 0, 0, 0);
	put(&m, "\7example", 8);
	refused(&m, "the question's name runs past the message", true, "no root label");
	static const char *const bad_labels[] = { "\3a.b", "\3a b", "\3a\0b", "\2\xc3\xbc" };
	for (size_t i = 0; i < sizeof(bad_labels) / sizeof(bad_labels[0]); i++) {
		header(&m, 1, 0x100, 1, 0, 0, 0);
		put(&m, bad_labels[i], (size_t)bad_labels[i][0] + 1);
		put(&m, "\3org\0", 5);
		put16(&m, 1);
		put16(&m, 1);
		refused(&m, "a label holds a byte that is not a letter, a digit, '-' or '_'", true,
			"a label with a dot, a space, a NUL or UTF-8");
	}
	query(&m, "-x.example", MB_DNS_A);
	refused(&m, "a label that begins with '-'", true, "a leading '-'");
	header(&m, 1, 0x100, 1, 0, 0, 0);
	name(&m, "");
	put16(&m, 1);
	put16(&m, 1);
	refused(&m, "a question for the root", true, "the root");
	char big[300];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	for (int i = 63; i < 299; i += 64)
		big[i] = '.';
	query(&m, big, MB_DNS_A);
	refused(&m, "a name longer than 255 bytes", true, "a name of 299 bytes");
	char l64[80] = "";
	memset(l64, 'b', 64);
	strcat(l64, ".org");
	header(&m, 1, 0x100, 1, 0, 0, 0);
	put(&m, "\x40", 1);
	put(&m, l64, 64);
	refused(&m, "a compressed or extended label in the question", true, "a label of 64 bytes");

	/* class, tail, OPT */
	query(&m, "example.org", MB_DNS_A);
	m.b[m.n - 1] = 3; /* CH */
	refused(&m, "a class other than IN", true, "class CH");
	query(&m, "example.org", MB_DNS_A);
	m.n -= 1;
	refused(&m, "the question's type and class run past the message", true, "a cut class");
	query(&m, "example.org", MB_DNS_A);
	put(&m, "x", 1);
	refused(&m, "bytes after the question", true, "a byte after");

	header(&m, 1, 0x100, 1, 0, 0, 1);
	name(&m, "example.org");
	put16(&m, 1);
	put16(&m, 1);
	struct msg base = m;
	name(&m, "x"); /* an owner other than the root */
	put16(&m, MB_DNS_OPT);
	put16(&m, 512);
	put16(&m, 0);
	put16(&m, 0);
	put16(&m, 0);
	refused(&m, "an additional record that is not EDNS's OPT", true, "OPT owned by a name");
	m = base;
	opt(&m, 512, 0x00010000 /* version 1 */, NULL, 0);
	refused(&m, "an EDNS OPT with an extended rcode or a version other than 0", true, "EDNS 1");
	m = base;
	opt(&m, 512, 0, "\0\12\0\10\1\2", 6);
	refused(&m, "an EDNS option runs past its record", true, "a cut option");
	m = base;
	opt(&m, 512, 0, NULL, 0);
	m.b[m.n - 1] = 4; /* rdlen 4, nothing follows */
	refused(&m, "an EDNS OPT runs past the message", true, "a cut OPT");
	m = base;
	put(&m, "\0\0", 2);
	refused(&m, "an additional record runs past the message", true, "a cut record");

	memset(m.b, 0, sizeof(m.b));
	m.n = MB_DNS_QUERY_MAX + 1;
	refused(&m, "a message longer than a question can be", false, "1025 bytes");
}

/* Read back an answer: the counts, the question, the records. */
static void test_write(void)
{
	struct msg m;
	struct mb_dns_query q;
	const char *why;
	query(&m, "Api.Example.org", MB_DNS_A);
	if (mb_dns_parse_query(m.b, m.n, &q, &why) < 0)
		abort();
	struct mb_addr a[3];
	uint8_t v4[4] = { 93, 184, 216, 34 }, v4b[4] = { 93, 184, 216, 35 }, v6[16] = { 0x20, 1, 0xd, 0xb8, [15] = 1 };
	mb_addr_set_v4(&a[0], v4, 0);
	mb_addr_set_v6(&a[1], v6, 0);
	mb_addr_set_v4(&a[2], v4b, 0);
	uint8_t out[600];
	ssize_t n = mb_dns_write_response(&q, MB_DNS_NOERROR, a, 3, 30, out, sizeof(out));
	ok(n == (ssize_t)(m.n + 2 * 16), "two A records of 16 bytes after the question (%zd)", n);
	ok(out[0] == 0x12 && out[1] == 0x34, "the id echoed");
	ok(out[2] == 0x81 && out[3] == 0x80, "QR, RD copied, RA, NOERROR");
	ok(out[4] == 0 && out[5] == 1 && out[6] == 0 && out[7] == 2 && out[10] == 0 && out[11] == 0,
	   "QDCOUNT 1, ANCOUNT 2, no OPT");
	ok(memcmp(out + 12, m.b + 12, m.n - 12) == 0, "the question echoed byte for byte");
	const uint8_t *r = out + m.n;
	static const uint8_t rr1[] = { 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 30, 0, 4, 93, 184, 216, 34 };
	ok(memcmp(r, rr1, 16) == 0, "owner pointer to the question, A, IN, TTL 30, the address");
	ok(r[31] == 35, "the second A record; the AAAA left out of an A answer");

	query(&m, "example.org", MB_DNS_AAAA);
	(void)mb_dns_parse_query(m.b, m.n, &q, &why);
	n = mb_dns_write_response(&q, MB_DNS_NOERROR, a, 3, 30, out, sizeof(out));
	ok(n == (ssize_t)(m.n + 28) && out[7] == 1 && out[m.n + 3] == 28 && out[m.n + 11] == 16 &&
		   memcmp(out + m.n + 12, v6, 16) == 0,
	   "an AAAA answer: one record of 16 bytes of address");

	n = mb_dns_write_response(&q, MB_DNS_NXDOMAIN, a, 3, 30, out, sizeof(out));
	ok(n == (ssize_t)m.n && (out[3] & 0xf) == 3 && out[7] == 0, "NXDOMAIN: no record");

	/* no room: fewer records, never TC */
	struct mb_addr many[40];
	for (int i = 0; i < 40; i++) {
		uint8_t ip[4] = { 93, 184, 0, (uint8_t)i };
		mb_addr_set_v4(&many[i], ip, 0);
	}
	query(&m, "example.org", MB_DNS_A);
	(void)mb_dns_parse_query(m.b, m.n, &q, &why);
	n = mb_dns_write_response(&q, MB_DNS_NOERROR, many, 40, 30, out, mb_dns_max_answer(&q));
	unsigned count = (unsigned)out[6] << 8 | out[7];
	ok(n > 0 && n <= 512 && count == (512 - m.n) / 16 && !(out[2] & 0x02),
	   "512 bytes hold %u of 40 records, TC clear (%zd bytes)", count, n);

	/* EDNS: the OPT answered, room kept for it */
	header(&m, 9, 0x100, 1, 0, 0, 1);
	name(&m, "example.org");
	put16(&m, MB_DNS_A);
	put16(&m, 1);
	opt(&m, 1232, 0, NULL, 0);
	(void)mb_dns_parse_query(m.b, m.n, &q, &why);
	n = mb_dns_write_response(&q, MB_DNS_NOERROR, many, 40, 30, out, 600);
	count = (unsigned)out[6] << 8 | out[7];
	size_t qlen = m.n - 11;
	ok(n > 0 && n <= 600 && out[11] == 1 && count == (600 - qlen - 11) / 16 &&
		   out[n - 11] == 0 && out[n - 9] == 41 && out[n - 8] == (1232 >> 8),
	   "with EDNS: %u records and our OPT last, in 600 bytes", count);

	/* a refusal of what could not be read: the header alone */
	m.n = 12;
	memset(m.b, 0, 12);
	m.b[0] = 0xab;
	m.b[2] = 0x80; /* a response */
	(void)mb_dns_parse_query(m.b, m.n, &q, &why);
	n = mb_dns_write_response(&q, MB_DNS_REFUSED, NULL, 0, 30, out, sizeof(out));
	ok(n == 12 && out[0] == 0xab && (out[3] & 0xf) == 5 && out[5] == 0,
	   "REFUSED without a question: 12 bytes, QDCOUNT 0");
	ok(mb_dns_write_response(&q, MB_DNS_REFUSED, NULL, 0, 30, out, 11) == -ENOBUFS,
	   "no room for a header: -ENOBUFS");

	char t[16];
	is_str(mb_dns_type_name(65, t, sizeof(t)), "HTTPS", "type names");
	is_str(mb_dns_type_name(999, t, sizeof(t)), "TYPE999", "an unknown type by number");
}

int main(void)
{
	test_parse();
	test_refusals();
	test_write();
	return done_testing();
}
