/* SPDX-License-Identifier: Apache-2.0 */
/* The HTTP front's pure parts against tables: the Origin and Host rule
 * (gate.c), bearer tokens (auth.c), the 2026-07-28 header mirror and the
 * kinds of message (rpc.c), --listen's address forms (listen.c), event ids
 * (sse.c) and the rate's bucket. No sockets, no privileges. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "supervisor/http/auth.h"
#include "supervisor/http/gate.h"
#include "supervisor/http/http-internal.h"
#include "supervisor/http/listen.h"
#include "supervisor/http/rpc.h"
#include "tests/tap.h"

static struct mb_listener loopback(void)
{
	static char *o[] = { "//127.0.0.1:8080", "//localhost:8080", "//[::1]:8080" };
	struct mb_listener l = { .loopback = true, .port = 8080 };
	l.origins.v = o;
	l.origins.n = 3;
	return l;
}

static void test_origin(void)
{
	struct mb_listener l = loopback();
	const char *why;
	static const struct {
		const char *host, *origin;
		bool tls;
		int want;
	} t[] = {
		{ "127.0.0.1:8080", NULL, false, 0 },
		{ "localhost:8080", "http://localhost:8080", false, 0 },
		{ "LOCALHOST:8080", "http://127.0.0.1:8080", false, 0 },
		{ "[::1]:8080", "http://[::1]:8080", false, 0 },
		{ NULL, NULL, false, 0 },                       /* HTTP/1.0: no Host */
		{ "127.0.0.1:8080", "http://evil.example", false, -EPERM },
		{ "127.0.0.1:8080", "null", false, -EPERM },
		{ "127.0.0.1:8080", "http://localhost:8081", false, -EPERM },
		{ "127.0.0.1:8080", "https://localhost:8080", false, -EPERM }, /* scheme */
		{ "127.0.0.1:8080", "http://localhost:8080", true, -EPERM },
		{ "evil.example:8080", NULL, false, -EPERM },   /* rebinding */
		{ "127.0.0.1.evil.example", NULL, false, -EPERM },
		{ "localhost.evil.example:8080", NULL, false, -EPERM },
		{ "127.1.2.3:8080", NULL, false, 0 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(t); i++)
		is_int(mb_gate_origin(&l, t[i].tls, t[i].host, t[i].origin, NULL, 0, &why), t[i].want,
		       "Host %s, Origin %s%s", t[i].host ? t[i].host : "(none)",
		       t[i].origin ? t[i].origin : "(none)", t[i].tls ? " over TLS" : "");
	const char *allow[] = { "https://app.example" };
	is_int(mb_gate_origin(&l, false, "localhost:8080", "https://app.example", allow, 1, &why), 0,
	       "--allow-origin admits its origin");
	is_int(mb_gate_origin(&l, false, "localhost:8080", "https://app.example.evil", allow, 1, &why), -EPERM,
	       "... and no other");
	const char *any[] = { "*" };
	is_int(mb_gate_origin(&l, false, "localhost:8080", "http://anything", any, 1, &why), 0,
	       "--allow-origin '*' admits any");
	struct mb_listener wide = { .loopback = false, .port = 443 };
	static char *o[] = { "//10.0.0.5:443" };
	wide.origins.v = o;
	wide.origins.n = 1;
	is_int(mb_gate_origin(&wide, true, "mcp.example", NULL, NULL, 0, &why), 0,
	       "a listener off loopback takes any Host (a load balancer's name)");
	is_int(mb_gate_origin(&wide, true, "mcp.example", "https://mcp.example", NULL, 0, &why), -EPERM,
	       "... but an Origin only of its own or --allow-origin");
	is_int(mb_gate_origin(&wide, true, "x", "https://10.0.0.5", NULL, 0, &why), 0,
	       "an Origin without the default port is its own");
}

static void test_tokens(void)
{
	struct mb_tokens *t = NULL;
	struct mb_error err = { 0 };
	is_int(mb_tokens_parse("# who\nalice 0123456789abcdef0123\n\n  bob\tfedcba9876543210fedc  \n", "t", &t, &err), 0,
	       "a token file with a comment, a blank line and tabs");
	is_int((int)mb_tokens_count(t), 2, "... holds two tokens");
	is_str(mb_tokens_check(t, "Bearer 0123456789abcdef0123"), "alice", "alice's token names alice");
	is_str(mb_tokens_check(t, "bearer fedcba9876543210fedc"), "bob", "the scheme is case-insensitive");
	ok(!mb_tokens_check(t, "Bearer 0123456789abcdef012"), "a prefix of a token is no token");
	ok(!mb_tokens_check(t, "Bearer 0123456789abcdef01234"), "nor is a longer one");
	ok(!mb_tokens_check(t, "Basic YWxpY2U6eA=="), "Basic is not Bearer");
	ok(!mb_tokens_check(t, NULL), "no header, no principal");
	mb_tokens_free(t);
	static const char *const bad[] = {
		"alice short\n", "alice\n", "alice a b c d e f g h i j k l m n o p\n", "# nothing\n",
		"a 0123456789abcdef0123\nb 0123456789abcdef0123\n",
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		t = NULL;
		ok(mb_tokens_parse(bad[i], "t", &t, &err) == -EINVAL && !t, "refused: %s", err.msg);
	}
}

static void test_rpc(void)
{
	cJSON *m = cJSON_Parse("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"_meta\":{\"progressToken\":\"p1\"}}}");
	const char *why;
	is_int(mb_rpc_kind(m), MB_RPC_REQUEST, "a request");
	is_int(mb_rpc_mirror_check(m, "tools/call", "echo", &why), 0, "Mcp-Method and Mcp-Name mirror the body");
	is_int(mb_rpc_mirror_check(m, "tools/call", "ECHO", &why), -EINVAL, "a name that differs: %s", why);
	is_int(mb_rpc_mirror_check(m, "tools/list", "echo", &why), -EINVAL, "a method that differs: %s", why);
	is_int(mb_rpc_mirror_check(m, NULL, "echo", &why), -EINVAL, "no Mcp-Method: %s", why);
	is_int(mb_rpc_mirror_check(m, "tools/call", NULL, &why), -EINVAL, "no Mcp-Name for tools/call: %s", why);
	char *k = mb_rpc_progress_key(m);
	is_str(k, "\"p1\"", "the progress token's key");
	free(k);
	k = mb_rpc_id_key(m);
	is_str(k, "3", "the id's key");
	free(k);
	cJSON_Delete(m);
	m = cJSON_Parse("{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"resources/read\",\"params\":{\"uri\":\"file:///x\"}}");
	is_int(mb_rpc_mirror_check(m, "resources/read", "file:///x", &why), 0, "resources/read mirrors its uri");
	cJSON_Delete(m);
	m = cJSON_Parse("{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"tools/list\"}");
	is_int(mb_rpc_mirror_check(m, "tools/list", NULL, &why), 0, "tools/list needs no Mcp-Name");
	cJSON_Delete(m);
	static const struct {
		const char *json;
		enum mb_rpc_kind want;
	} k2[] = {
		{ "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}", MB_RPC_NOTIFICATION },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}", MB_RPC_RESPONSE },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":1}}", MB_RPC_RESPONSE },
		{ "{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"x\"}", MB_RPC_INVALID },
		{ "{\"jsonrpc\":\"2.0\",\"method\":7}", MB_RPC_INVALID },
		{ "[1]", MB_RPC_INVALID },
		{ "{\"jsonrpc\":\"2.0\",\"id\":1}", MB_RPC_INVALID },
	};
	for (size_t i = 0; i < ARRAY_SIZE(k2); i++) {
		m = cJSON_Parse(k2[i].json);
		is_int(mb_rpc_kind(m), k2[i].want, "kind of %s", k2[i].json);
		cJSON_Delete(m);
	}
	char *e = mb_rpc_error(NULL, MB_RPC_HEADER_MISMATCH, "a \"quoted\" why");
	is_str(e, "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32020,\"message\":\"a \\\"quoted\\\" why\"}}",
	       "an error body");
	free(e);
	ok(mb_rpc_version_known("2025-03-26") && mb_rpc_version_known("2025-06-18") &&
	   mb_rpc_version_known("2025-11-25") && mb_rpc_version_known("2026-07-28"), "the four revisions");
	ok(!mb_rpc_version_known("2025-01-01") && !mb_rpc_version_known(""), "... and no other");
	ok(mb_rpc_version_stateless("2026-07-28") && !mb_rpc_version_stateless("2025-11-25") &&
	   !mb_rpc_version_stateless(NULL), "2026-07-28 alone is stateless");
}

static void test_split(void)
{
	char h[64], p[16];
	ok(mb_listen_split("127.0.0.1:8080", h, sizeof(h), p, sizeof(p)) == 0 && !strcmp(h, "127.0.0.1") && !strcmp(p, "8080"),
	   "host:port");
	ok(mb_listen_split("[::1]:443", h, sizeof(h), p, sizeof(p)) == 0 && !strcmp(h, "::1") && !strcmp(p, "443"),
	   "[v6]:port");
	ok(mb_listen_split("localhost:0", h, sizeof(h), p, sizeof(p)) == 0, "a name, port 0");
	static const char *const bad[] = { "8080", "::1:8080", "[::1]8080", "host:", ":80", "h:8x", "[::1]:" };
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		is_int(mb_listen_split(bad[i], h, sizeof(h), p, sizeof(p)), -EINVAL, "refused: %s", bad[i]);
}

static void test_event_ids(void)
{
	unsigned no;
	uint64_t seq;
	ok(mb_stream_parse_event_id("3-17", &no, &seq) == 0 && no == 3 && seq == 17, "3-17");
	ok(mb_stream_parse_event_id("3-", &no, &seq) < 0 && mb_stream_parse_event_id("x-1", &no, &seq) < 0 &&
	   mb_stream_parse_event_id("3-1x", &no, &seq) < 0 && mb_stream_parse_event_id("", &no, &seq) < 0,
	   "malformed ids are refused");
}

static void test_rate(void)
{
	struct mb_rate *r = NULL;
	ok(mb_rate_new(2, &r) == 0, "a rate of 2 per second");
	unsigned got = 0;
	for (int i = 0; i < 10; i++)
		got += mb_rate_take(r, "10.0.0.1", 1000000000ull);
	is_int((int)got, 4, "a burst of twice the rate, then no more");
	ok(mb_rate_take(r, "10.0.0.2", 1000000000ull), "another address has its own bucket");
	ok(mb_rate_take(r, "10.0.0.1", 1600000000ull), "half a second later, one more");
	mb_rate_free(r);
}

int main(void)
{
	test_origin();
	test_tokens();
	test_rpc();
	test_split();
	test_event_ids();
	test_rate();
	return done_testing();
}
