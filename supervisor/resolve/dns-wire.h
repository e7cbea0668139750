/* SPDX-License-Identifier: Apache-2.0 */
/* DNS messages as the sandbox's resolver reads and writes them (RFC 1035,
 * RFC 6891 for EDNS): the one wire format membrane parses by hand, since
 * it is ours to answer. Pure and bounded: every read is checked against
 * the message's length, nothing is allocated, and a message that is not
 * exactly one plain question is refused whole rather than guessed at
 * (fuzzed by tests/fuzz/fuzz-dns.c).
 *
 * What a question may be: a query (QR 0, opcode QUERY, no AA, TC or Z
 * bit, rcode 0; RD, AD and CD as the client likes), one question, no
 * answer or authority record, at most one additional record and that an
 * EDNS OPT of version 0 owned by the root; its name uncompressed, labels
 * of 1 to 63 letters, digits, '-' and '_', at most 253 bytes written as
 * text; class IN; and nothing after it. The type is the caller's to judge
 * (A and AAAA are answered). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "policy/match.h"

enum {
	MB_DNS_HEADER = 12,
	MB_DNS_UDP_PLAIN = 512,  /* the largest UDP answer without EDNS */
	MB_DNS_UDP_EDNS = 1232,  /* what we advertise and keep to with EDNS
				    (the DNS flag day 2020 size) */
	MB_DNS_QUERY_MAX = 1024, /* a longer question is refused: one name of
				    255 bytes and an OPT fit in far less */
	MB_DNS_NAME_WIRE = 255,
};

enum mb_dns_type {
	MB_DNS_A = 1,
	MB_DNS_CNAME = 5,
	MB_DNS_AAAA = 28,
	MB_DNS_OPT = 41,
};

enum mb_dns_rcode {
	MB_DNS_NOERROR = 0,
	MB_DNS_FORMERR = 1,
	MB_DNS_SERVFAIL = 2,
	MB_DNS_NXDOMAIN = 3,
	MB_DNS_REFUSED = 5,
};

struct mb_dns_query {
	bool header;   /* the 12-byte header was read: id and flags hold */
	bool question; /* the question was read whole: it can be echoed */
	uint16_t id;
	uint16_t flags;
	uint16_t qtype, qclass;
	/* The name as asked, on the wire (case kept: a client may check that
	 * its 0x20 case mix comes back) and normalised (policy/match.h). */
	uint8_t qname[MB_DNS_NAME_WIRE];
	size_t qname_len;
	char name[MB_NAME_MAX + 1];
	bool edns;           /* an OPT record came with it */
	uint16_t edns_size;  /* the UDP size it advertised */
};

/* Parse the len bytes at msg as a question. Returns 0, or -EBADMSG with
 * *why saying what is wrong (a static string for the report); q says how
 * far it got (header, question) so that the refusal can still be
 * answered. */
int mb_dns_parse_query(const uint8_t *msg, size_t len, struct mb_dns_query *q, const char **why);

/* The response to q: rcode, and with MB_DNS_NOERROR one record per address
 * of n that has the question's type (A: IPv4, AAAA: IPv6), each owned by
 * the name asked and living ttl seconds. Records that do not fit in max
 * bytes (see mb_dns_max_answer) are left out; TC is never set: fewer
 * addresses are a complete answer. A question that was not read is not
 * echoed (QDCOUNT 0). Returns the length written, or -ENOBUFS when not even
 * the header and the question fit. */
ssize_t mb_dns_write_response(const struct mb_dns_query *q, int rcode, const struct mb_addr *addrs,
			      size_t n, uint32_t ttl, uint8_t *out, size_t max);

/* The largest answer q may get over UDP: 512 bytes without EDNS, the size
 * it advertised (at least 512) but at most MB_DNS_UDP_EDNS with it. */
size_t mb_dns_max_answer(const struct mb_dns_query *q);

/* "A", "AAAA", "TXT"..., or "TYPE65" into buf (at least 16 bytes). */
const char *mb_dns_type_name(uint16_t type, char *buf, size_t bufsz);
