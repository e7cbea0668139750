/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the sandbox's resolver's parser and writer
 * (supervisor/resolve/dns-wire.h), on any bytes, as the sandbox may send
 * them. Besides what the sanitizers catch, it checks what the resolver
 * relies on: a question parsed is one the text name names exactly (lower
 * case of its labels, dots between), and an answer is never longer than
 * the room given, holds the question byte for byte and never sets TC. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "supervisor/resolve/dns-wire.h"

#define CHECK(c)                  \
	do {                      \
		if (!(c))         \
			abort();  \
	} while (0)

static void check_name(const struct mb_dns_query *q)
{
	char text[MB_DNS_NAME_WIRE + 1];
	size_t t = 0;
	for (size_t i = 0; i < q->qname_len && q->qname[i];) {
		size_t len = q->qname[i++];
		CHECK(len >= 1 && len <= 63 && i + len < q->qname_len);
		if (t)
			text[t++] = '.';
		for (size_t k = 0; k < len; k++) {
			char c = (char)q->qname[i + k];
			text[t++] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
		}
		i += len;
	}
	text[t] = '\0';
	CHECK(strcmp(text, q->name) == 0);
	CHECK(strlen(q->name) <= MB_NAME_MAX);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mb_dns_query q;
	const char *why = NULL;
	int r = mb_dns_parse_query(data, size, &q, &why);
	CHECK(r == 0 ? why == NULL : why != NULL);
	if (r == 0) {
		CHECK(q.header && q.question);
		check_name(&q);
	}
	if (!q.header)
		return 0;
	struct mb_addr addrs[3];
	uint8_t ip4[4] = { 192, 0, 2, 1 }, ip6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	mb_addr_set_v4(&addrs[0], ip4, 0);
	mb_addr_set_v6(&addrs[1], ip6, 0);
	mb_addr_set_v4(&addrs[2], ip4, 0);
	static const size_t rooms[] = { 11, 12, 40, 512, 1232, 4096 };
	for (size_t i = 0; i < sizeof(rooms) / sizeof(rooms[0]); i++) {
		uint8_t *out = malloc(rooms[i]); /* exact size: ASan sees an overrun */
		CHECK(out);
		ssize_t n = mb_dns_write_response(&q, r == 0 ? MB_DNS_NOERROR : MB_DNS_REFUSED, addrs,
						  3, 30, out, rooms[i]);
		if (n >= 0) {
			CHECK((size_t)n <= rooms[i] && n >= MB_DNS_HEADER);
			CHECK(!(out[2] & 0x02) && (out[2] & 0x80));
			if (q.question)
				CHECK(memcmp(out + MB_DNS_HEADER, q.qname, q.qname_len) == 0);
		}
		free(out);
	}
	return 0;
}
