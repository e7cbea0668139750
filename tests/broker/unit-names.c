/* SPDX-License-Identifier: Apache-2.0 */
/* Names as data (docs/design.md "Names"): normalising and matching host
 * names and wildcards (case, a trailing dot, IDN in its ASCII form, the
 * apex rule), name endpoints' ports and protocols, the classes of
 * addresses the guards refuse, and the resolver's bindings and what they
 * grant against the grants in force. No sockets, no lookups. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <sys/socket.h>

#include "policy/addr-class.h"
#include "policy/match.h"
#include "supervisor/resolve/resolve-internal.h"
#include "tests/tap.h"

static const struct {
	const char *in;
	int want;         /* 0 or -errno */
	const char *norm; /* when 0 */
} norm_cases[] = {
	{ "api.example.org", 0, "api.example.org" },
	{ "API.Example.ORG", 0, "api.example.org" },
	{ "api.example.org.", 0, "api.example.org" },
	{ "localhost", 0, "localhost" },
	{ "_dmarc.example.org", 0, "_dmarc.example.org" },
	{ "a-b.c-d.example", 0, "a-b.c-d.example" },
	{ "xn--bcher-kva.example", 0, "xn--bcher-kva.example" },
	{ "XN--BCHER-KVA.example", 0, "xn--bcher-kva.example" },
	{ "b\xc3\xbc" "cher.example", -EILSEQ, NULL },
	{ "", -EINVAL, NULL },
	{ ".", -EINVAL, NULL },
	{ "..", -EINVAL, NULL },
	{ "a..b", -EINVAL, NULL },
	{ ".a", -EINVAL, NULL },
	{ "a.b..", -EINVAL, NULL },
	{ "-a.example", -EINVAL, NULL },
	{ "a.-b.example", -EINVAL, NULL },
	{ "a b.example", -EINVAL, NULL },
	{ "a*.example", -EINVAL, NULL },
	{ "a/b", -EINVAL, NULL },
	{ "a:b", -EINVAL, NULL },
};

static void test_normalize(void)
{
	for (size_t i = 0; i < sizeof(norm_cases) / sizeof(norm_cases[0]); i++) {
		char out[MB_NAME_MAX + 1] = "";
		int r = mb_name_normalize(norm_cases[i].in, strlen(norm_cases[i].in), out);
		ok(r == norm_cases[i].want && (r < 0 || strcmp(out, norm_cases[i].norm) == 0),
		   "normalize '%s': %d '%s' (got %d '%s')", norm_cases[i].in, norm_cases[i].want,
		   norm_cases[i].norm ? norm_cases[i].norm : "", r, r == 0 ? out : "");
	}
	char label[80], name[300];
	memset(label, 'a', 63);
	label[63] = '\0';
	snprintf(name, sizeof(name), "%s.example", label);
	char out[MB_NAME_MAX + 1];
	ok(mb_name_normalize(name, strlen(name), out) == 0, "a label of 63 bytes");
	label[63] = 'a';
	label[64] = '\0';
	snprintf(name, sizeof(name), "%s.example", label);
	is_int(mb_name_normalize(name, strlen(name), out), -ENAMETOOLONG, "a label of 64 bytes");
	memset(name, 'a', 253);
	for (int i = 63; i < 253; i += 64)
		name[i] = '.';
	name[253] = '.';
	ok(mb_name_normalize(name, 254, out) == 0 && strlen(out) == 253,
	   "253 bytes, and a trailing dot past them");
	name[253] = 'a';
	is_int(mb_name_normalize(name, 254, out), -ENAMETOOLONG, "254 bytes");
	is_int(mb_name_normalize("ab", 1, out), 0, "only len bytes are read");
	is_str(out, "a", "... and written");
}

static const struct {
	const char *pattern;
	bool wildcard;
	const char *name;
	bool want;
} match_cases[] = {
	{ "api.example.org", false, "api.example.org", true },
	{ "api.example.org", false, "api.example.org.evil", false },
	{ "api.example.org", false, "x.api.example.org", false },
	{ "api.example.org", false, "example.org", false },
	{ "example.org", true, "api.example.org", true },
	{ "example.org", true, "a.b.c.example.org", true },
	{ "example.org", true, "example.org", false }, /* the apex: listed, or not granted */
	{ "example.org", true, "badexample.org", false },
	{ "example.org", true, "api.example.org.evil", false },
	{ "example.org", true, ".example.org", false }, /* an empty label is no label */
	{ "org", true, "example.org", true },
	{ "slack.com", true, "files.slack.com", true },
	{ "slack.com", true, "slack.com.", false },     /* names are normalised before */
};

static void test_match(void)
{
	for (size_t i = 0; i < sizeof(match_cases) / sizeof(match_cases[0]); i++)
		ok(mb_name_match(match_cases[i].pattern, match_cases[i].wildcard, match_cases[i].name) ==
			   match_cases[i].want,
		   "%s%s %s %s", match_cases[i].wildcard ? "*." : "", match_cases[i].pattern,
		   match_cases[i].want ? "grants" : "does not grant", match_cases[i].name);
	ok(!mb_name_match(NULL, false, "a") && !mb_name_match("a", false, NULL), "NULL grants nothing");

	struct mb_endpoint ep = { .name = (char *)"example.org", .wildcard = true, .port_lo = 443,
				  .port_hi = 443, .protos = MB_PROTO_TCP };
	ok(mb_endpoint_match_name(&ep, "api.example.org", 443, MB_PROTO_TCP), "name, port, TCP");
	ok(!mb_endpoint_match_name(&ep, "api.example.org", 444, MB_PROTO_TCP), "another port");
	ok(!mb_endpoint_match_name(&ep, "api.example.org", 443, MB_PROTO_UDP), "UDP to a tcp: grant");
	ok(!mb_endpoint_match_name(&ep, "api.example.org", 443, 0), "a protocol not known needs both");
	ok(mb_endpoint_match_name(&ep, "api.example.org", 0, 0), "port 0, a DNS question: any port");
	ok(!mb_endpoint_match_name(&ep, "example.org", 0, 0), "... the apex still not");
	struct mb_addr a;
	uint8_t ip[4] = { 93, 184, 216, 34 };
	mb_addr_set_v4(&a, ip, 443);
	ok(!mb_endpoint_match(&ep, &a), "a name endpoint never matches an address");
	struct mb_endpoint lit = { .family = AF_INET, .prefix = 32, .port_lo = 443, .port_hi = 443 };
	memcpy(lit.addr, ip, 4);
	ok(!mb_endpoint_match_name(&lit, "example.org", 443, 0), "an address endpoint never matches a name");
}

static const struct {
	const char *addr;
	enum mb_addr_class want;
} class_cases[] = {
	{ "93.184.216.34", MB_CLASS_PUBLIC },
	{ "8.8.8.8", MB_CLASS_PUBLIC },
	{ "192.0.2.7", MB_CLASS_PUBLIC }, /* documentation: unrouted, not refused */
	{ "127.0.0.1", MB_CLASS_LOOPBACK },
	{ "127.255.0.9", MB_CLASS_LOOPBACK },
	{ "10.1.2.3", MB_CLASS_PRIVATE },
	{ "172.16.0.1", MB_CLASS_PRIVATE },
	{ "172.31.255.255", MB_CLASS_PRIVATE },
	{ "172.32.0.1", MB_CLASS_PUBLIC },
	{ "192.168.1.1", MB_CLASS_PRIVATE },
	{ "169.254.1.1", MB_CLASS_LINK_LOCAL },
	{ "100.64.0.1", MB_CLASS_CGNAT },
	{ "100.127.255.255", MB_CLASS_CGNAT },
	{ "100.128.0.1", MB_CLASS_PUBLIC },
	{ "0.0.0.0", MB_CLASS_SPECIAL },
	{ "0.1.2.3", MB_CLASS_SPECIAL },
	{ "224.0.0.1", MB_CLASS_SPECIAL },
	{ "255.255.255.255", MB_CLASS_SPECIAL },
	{ "169.254.169.254", MB_CLASS_METADATA },
	{ "169.254.170.2", MB_CLASS_METADATA },
	{ "100.100.100.200", MB_CLASS_METADATA },
	{ "168.63.129.16", MB_CLASS_METADATA },
	{ "2606:2800:220:1::1", MB_CLASS_PUBLIC },
	{ "::1", MB_CLASS_LOOPBACK },
	{ "::", MB_CLASS_SPECIAL },
	{ "fc00::1", MB_CLASS_PRIVATE },
	{ "fd12:3456::1", MB_CLASS_PRIVATE },
	{ "fec0::1", MB_CLASS_PRIVATE },
	{ "fe80::1", MB_CLASS_LINK_LOCAL },
	{ "ff02::1", MB_CLASS_SPECIAL },
	{ "fd00:ec2::254", MB_CLASS_METADATA },
	{ "::ffff:127.0.0.1", MB_CLASS_LOOPBACK },
	{ "::ffff:169.254.169.254", MB_CLASS_METADATA },
	{ "64:ff9b::a9fe:a9fe", MB_CLASS_METADATA },
	{ "64:ff9b::a00:1", MB_CLASS_PRIVATE },
	{ "64:ff9b::5db8:d822", MB_CLASS_PUBLIC },
};

static void parse_addr(const char *s, struct mb_addr *a, uint16_t port)
{
	uint8_t ip[16];
	if (inet_pton(AF_INET, s, ip) == 1)
		mb_addr_set_v4(a, ip, port);
	else if (inet_pton(AF_INET6, s, ip) == 1)
		mb_addr_set_v6(a, ip, port);
	else
		abort();
}

static void test_classes(void)
{
	for (size_t i = 0; i < sizeof(class_cases) / sizeof(class_cases[0]); i++) {
		struct mb_addr a;
		parse_addr(class_cases[i].addr, &a, 0);
		enum mb_addr_class c = mb_addr_classify(&a);
		ok(c == class_cases[i].want, "%s is %s (got %s)", class_cases[i].addr,
		   mb_addr_class_name(class_cases[i].want), mb_addr_class_name(c));
	}
}

static void test_bindings(void)
{
	struct mb_bindings b = { 0 };
	struct mb_addr a, a2;
	parse_addr("93.184.216.34", &a, 443);
	parse_addr("2606:2800:220:1::1", &a2, 443);
	uint64_t s = 1000000000ull;
	ok(mb_bindings_add(&b, &a, "api.example.org", 10 * s, 100 * s) == 0, "bind an address");
	ok(mb_bindings_add(&b, &a, "www.example.org", 10 * s, 100 * s) == 0, "... to a second name");
	ok(mb_bindings_add(&b, &a2, "api.example.org", 9 * s, 100 * s) == 0, "an IPv6 address");
	ok(mb_bindings_add(&b, &a, "api.example.org", 11 * s, 100 * s) == 0 && b.n == 3,
	   "the same pair again renews, adds nothing");
	const struct mb_binding *x = mb_bindings_next(&b, &a, NULL);
	ok(x && strcmp(x->name, "api.example.org") == 0 && x->expires_ns == 111 * s,
	   "renewed: lives from the last answer");
	x = mb_bindings_next(&b, &a, x);
	ok(x && strcmp(x->name, "www.example.org") == 0, "the second name");
	ok(!mb_bindings_next(&b, &a, x), "no third");
	struct mb_addr other;
	parse_addr("93.184.216.35", &other, 443);
	ok(!mb_bindings_next(&b, &other, NULL), "another address is bound to nothing");
	/* full: an expired one goes first, else the oldest */
	for (unsigned i = b.n; i < MB_BINDINGS_MAX; i++) {
		struct mb_addr f;
		uint8_t ip[4] = { 10, 9, (uint8_t)(i >> 8), (uint8_t)i };
		mb_addr_set_v4(&f, ip, 0);
		mb_bindings_add(&b, &f, "fill.example", 20 * s + i, 100 * s);
	}
	is_int(b.n, MB_BINDINGS_MAX, "the table fills to its bound");
	ok(mb_bindings_add(&b, &other, "new.example", 14 * s, 2 * s) == 0 && b.n == MB_BINDINGS_MAX,
	   "one more, none expired: the bound holds");
	ok(mb_bindings_next(&b, &other, NULL) && !mb_bindings_next(&b, &a2, NULL),
	   "... and the oldest answer (the IPv6 one) made room");
	mb_bindings_free(&b);
}

/* Answers reused for a moment: by name and family, until their time. */
static void test_answer_cache(void)
{
	static struct mb_answer_cache c;
	struct mb_lookup l = { .name = "api.example.org", .family = AF_INET, .n = 1 };
	parse_addr("93.184.216.34", &l.addrs[0], 0);
	uint64_t s = 1000000000ull;
	mb_answer_cache_put(&c, &l, 10 * s, s);
	const struct mb_lookup *x = mb_answer_cache_get(&c, "api.example.org", 10 * s);
	ok(x && x->n == 1 && x->addrs[0].addr[0] == 93, "an answer is kept (both families: one lookup a name)");
	ok(!mb_answer_cache_get(&c, "www.example.org", 10 * s), "... for its name only");
	ok(!mb_answer_cache_get(&c, "api.example.org", 11 * s), "... until its time");
	struct mb_lookup fail = { .name = "down.example.org", .family = AF_INET, .gai = EAI_AGAIN };
	mb_answer_cache_put(&c, &fail, 10 * s, s);
	ok(!mb_answer_cache_get(&c, "down.example.org", 10 * s), "a failure to retry is not kept");
	struct mb_lookup none = { .name = "none.example.org", .family = AF_INET, .gai = EAI_NONAME };
	mb_answer_cache_put(&c, &none, 10 * s, s);
	x = mb_answer_cache_get(&c, "none.example.org", 10 * s);
	ok(x && x->gai == EAI_NONAME, "NXDOMAIN is kept");
	mb_answer_cache_put(&c, &l, 10 * s, 0);
	ok(!mb_answer_cache_get(&c, "api.example.org", 12 * s), "a life of 0 keeps nothing");
	for (int i = 0; i < MB_ANSWER_CACHE + 5; i++) {
		struct mb_lookup f = { .family = AF_INET };
		snprintf(f.name, sizeof(f.name), "n%d.example.org", i);
		mb_answer_cache_put(&c, &f, 20 * s + (uint64_t)i, s);
	}
	ok(mb_answer_cache_get(&c, "n68.example.org", 20 * s) &&
		   !mb_answer_cache_get(&c, "n0.example.org", 20 * s),
	   "full: the stalest makes room");
}

/* What bindings grant, against a profile's grants in force. */
static void test_grant(void)
{
	struct mb_profile p = { .mode = MB_MODE_ENFORCE };
	struct mb_endpoint rt = { .text = (char *)"api.example.org:443", .name = (char *)"api.example.org",
				  .port_lo = 443, .port_hi = 443 };
	p.runtime.net[0].v = &rt;
	p.runtime.net[0].n = 1;
	struct mb_tool tool = { .name = (char *)"search" };
	struct mb_endpoint te = { .text = (char *)"*.search.example:443", .name = (char *)"search.example",
				  .wildcard = true, .port_lo = 443, .port_hi = 443 };
	tool.grants.net[0].v = &te;
	tool.grants.net[0].n = 1;
	p.tools.v = &tool;
	p.tools.n = 1;
	struct mb_endpoint meta = { .text = (char *)"169.254.169.254:80", .family = AF_INET, .prefix = 32,
				    .port_lo = 80, .port_hi = 80, .addr = { 169, 254, 169, 254 } };
	struct mb_endpoint range = { .text = (char *)"169.254.0.0/16:80", .family = AF_INET, .prefix = 16,
				     .port_lo = 80, .port_hi = 80, .addr = { 169, 254 } };
	struct mb_endpoint both[2] = { range, meta };
	struct mb_resolver_config cfg = { .profile = &p, .udp_fd = -1, .tcp_fd = -1 };
	struct mb_resolver *r = NULL;
	struct mb_error err = { 0 };
	if (!ok(mb_resolver_new(&cfg, &r, &err) == 0, "a resolver without sockets"))
		return;
	struct mb_addr a, w;
	parse_addr("93.184.216.34", &a, 443);
	parse_addr("93.184.216.40", &w, 443);
	uint64_t now = mb_now_ns(), life = 60ull * 1000000000ull;
	mb_bindings_add(&r->bindings, &a, "api.example.org", now, life);
	mb_bindings_add(&r->bindings, &w, "x.search.example", now, life);
	const char *name = NULL;
	ok(mb_resolver_grant(r, MB_OP_CONNECT, &a, &name) == MB_SCOPE_IN_FORCE && name &&
		   strcmp(name, "api.example.org") == 0,
	   "an address answered for a runtime name: granted in force, by its name");
	a.port = 444;
	ok(mb_resolver_grant(r, MB_OP_CONNECT, &a, &name) == MB_SCOPE_NONE && name &&
		   strcmp(name, "api.example.org") == 0,
	   "another port: not granted, the name still said");
	a.port = 443;
	ok(mb_resolver_grant(r, MB_OP_BIND, &a, &name) == MB_SCOPE_NONE && !name, "a bind is never by name");
	ok(mb_resolver_grant(r, MB_OP_CONNECT, &w, &name) == MB_SCOPE_STATIC,
	   "a tool's name, nothing in flight: only the static union");
	struct mb_addr never;
	parse_addr("93.184.216.41", &never, 443);
	ok(mb_resolver_grant(r, MB_OP_CONNECT, &never, &name) == MB_SCOPE_NONE && !name,
	   "an address never answered: nothing, no name");
	mb_bindings_add(&r->bindings, &never, "api.example.org", now - 2 * life, life);
	ok(mb_resolver_grant(r, MB_OP_CONNECT, &never, &name) == MB_SCOPE_NONE && name &&
		   strcmp(name, "api.example.org") == 0,
	   "an expired answer grants nothing, and still names its name");

	struct mb_addr md;
	parse_addr("169.254.169.254", &md, 80);
	ok(mb_resolver_literal(r, MB_OP_CONNECT, &md) == MB_SCOPE_NONE, "metadata: no grant of it");
	p.runtime.net[0].v = &range;
	ok(mb_resolver_literal(r, MB_OP_CONNECT, &md) == MB_SCOPE_NONE, "... a range that covers it is none");
	p.runtime.net[0].v = both;
	p.runtime.net[0].n = 2;
	ok(mb_resolver_literal(r, MB_OP_CONNECT, &md) == MB_SCOPE_IN_FORCE, "... a grant of the address is");
	struct mb_addr self;
	parse_addr("127.0.0.53", &self, 53);
	ok(!mb_resolver_is_self(r, &self), "without sockets, nothing is the resolver");
	mb_resolver_free(r);
}

int main(void)
{
	test_normalize();
	test_match();
	test_classes();
	test_bindings();
	test_answer_cache();
	test_grant();
	return done_testing();
}
