/* SPDX-License-Identifier: Apache-2.0 */
/* Classification, id keys, the pre-scan and raw spans. */
#include "common/strbuf.h"
#include "supervisor/inspect/jsonrpc.h"
#include "supervisor/inspect/json-text.h"
#include "tests/tap.h"

static enum mb_jr_kind kind_of(const char *s, const char **invalid)
{
	struct mb_jr_frame f;
	mb_jr_parse(s, strlen(s), &f);
	enum mb_jr_kind k = f.fault ? (enum mb_jr_kind)-1 : f.msgs[0].kind;
	if (invalid)
		*invalid = f.fault ? mb_jr_fault_reason(&f) : f.msgs[0].invalid;
	mb_jr_frame_free(&f);
	return k;
}

static enum mb_jr_fault fault_of(const char *s, size_t len)
{
	struct mb_jr_frame f;
	mb_jr_parse(s, len, &f);
	enum mb_jr_fault r = f.fault;
	mb_jr_frame_free(&f);
	return r;
}

static char *key_of(const char *s)
{
	struct mb_jr_frame f;
	mb_jr_parse(s, strlen(s), &f);
	char *k = f.fault || !f.msgs[0].id.key ? NULL : strdup(f.msgs[0].id.key);
	mb_jr_frame_free(&f);
	return k;
}

static char *raw_id(const char *s)
{
	struct mb_jr_frame f;
	mb_jr_parse(s, strlen(s), &f);
	char *k = f.fault || !f.msgs[0].id.raw ? NULL : strndup(f.msgs[0].id.raw, f.msgs[0].id.raw_len);
	mb_jr_frame_free(&f);
	return k;
}

int main(void)
{
	const char *why;
	is_int(kind_of("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}", NULL), MB_JR_REQUEST, "request");
	is_int(kind_of("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}", NULL), MB_JR_NOTIFICATION, "notification");
	is_int(kind_of("{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"result\":{}}", NULL), MB_JR_RESULT, "result");
	is_int(kind_of("{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,\"message\":\"x\"}}", NULL), MB_JR_ERROR, "error with null id");
	is_int(kind_of("{\"jsonrpc\":\"2.0\",\"error\":{\"code\":-32700,\"message\":\"x\"}}", NULL), MB_JR_ERROR, "error without id (2025-11-25)");
	is_int(kind_of("{\"id\":1,\"method\":\"ping\"}", &why), MB_JR_INVALID, "no jsonrpc: invalid");
	ok(why && strstr(why, "jsonrpc"), "... says so: %s", why);
	is_int(kind_of("{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"ping\"}", &why), MB_JR_INVALID, "wrong version: invalid");
	is_int(kind_of("{\"jsonrpc\":2.0,\"id\":1,\"method\":\"ping\"}", &why), MB_JR_INVALID, "version as a number: invalid");
	is_int(kind_of("{\"jsonrpc\":\"2.0\",\"id\":{\"a\":1},\"method\":\"ping\"}", &why), MB_JR_INVALID, "object id: invalid");
	is_int(kind_of("{\"jsonrpc\":\"2.0\",\"id\":[1],\"method\":\"ping\"}", &why), MB_JR_INVALID, "array id: invalid");
	is_int(kind_of("{\"jsonrpc\":\"2.0\",\"id\":true,\"method\":\"ping\"}", &why), MB_JR_INVALID, "boolean id: invalid");
	is_int(kind_of("{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"ping\"}", &why), MB_JR_INVALID, "request with null id: invalid");
	is_int(kind_of("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{},\"error\":{}}", &why), MB_JR_INVALID, "result and error: invalid");
	is_int(kind_of("{\"jsonrpc\":\"2.0\",\"id\":1}", &why), MB_JR_INVALID, "neither: invalid");
	is_int(kind_of("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":7}", &why), MB_JR_INVALID, "numeric method: invalid");
	is_int(kind_of("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"a\",\"method\":\"b\"}", &why), MB_JR_INVALID, "duplicate key: invalid");
	is_int(kind_of("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"a\",\"name\":\"b\"}}", &why),
	       MB_JR_INVALID, "duplicate key deep inside: invalid");
	is_int(kind_of("{\"jsonrpc\":\"2.0\",\"id\":1,\"Method\":\"a\",\"result\":{}}", NULL), MB_JR_RESULT, "member names are case-sensitive");

	is_int(fault_of("", 0), MB_JR_FAULT_EMPTY, "empty line");
	is_int(fault_of("   \t", 4), MB_JR_FAULT_EMPTY, "blank line");
	is_int(fault_of("{", 1), MB_JR_FAULT_PARSE, "truncated JSON");
	is_int(fault_of("{} x", 4), MB_JR_FAULT_PARSE, "trailing garbage");
	is_int(fault_of("hello", 5), MB_JR_FAULT_PARSE, "not JSON");
	is_int(fault_of("42", 2), MB_JR_FAULT_NOT_OBJECT, "a number");
	is_int(fault_of("[]", 2), MB_JR_FAULT_EMPTY_BATCH, "empty batch");
	is_int(fault_of("{\"a\":\"\xff\"}", 8), MB_JR_FAULT_SCAN, "invalid UTF-8");
	is_int(fault_of("{\"a\":\"\xc0\xaf\"}", 9), MB_JR_FAULT_SCAN, "overlong UTF-8");
	is_int(fault_of("{\"a\":\"\xed\xa0\x80\"}", 10), MB_JR_FAULT_SCAN, "UTF-8 surrogate");
	is_int(fault_of("{\"a\":\"\xf4\x90\x80\x80\"}", 11), MB_JR_FAULT_SCAN, "over U+10FFFF");
	is_int(fault_of("{\"a\":\"\xe2\x82\xac\xf0\x9f\x98\x80\"}", 15), MB_JR_FAULT_NONE, "valid multibyte UTF-8");
	is_int(fault_of("{\"a\":\"x\0y\"}", 10), MB_JR_FAULT_SCAN, "raw NUL");
	is_int(fault_of("{\"a\":\"x\\u0000y\"}", 15), MB_JR_FAULT_SCAN, "escaped NUL");
	is_int(fault_of("{\"a\":\"x\\\\u0000y\"}", 17), MB_JR_FAULT_NONE, "an escaped backslash before u0000 is text");
	is_int(fault_of("{\"a\":\"x\ty\"}", 10), MB_JR_FAULT_SCAN, "raw control character in a string");
	is_int(fault_of("{\"id\"\x18:5}", 9), MB_JR_FAULT_SCAN, "control character between tokens (cJSON skips it; JSON does not)");
	is_int(fault_of("{\"id\"\r\t :5}", 11), MB_JR_FAULT_NONE, "JSON whitespace between tokens");

	/* Nesting: the bound is checked before cJSON recurses. */
	{
		size_t depth = 100000;
		char *s = malloc(2 * depth + 1);
		memset(s, '[', depth);
		memset(s + depth, ']', depth);
		s[2 * depth] = 0;
		struct mb_jr_frame f;
		mb_jr_parse(s, 2 * depth, &f);
		is_int(f.fault, MB_JR_FAULT_SCAN, "100000 levels: refused");
		is_int(f.scan, MB_JSON_TOO_DEEP, "... as too deep");
		mb_jr_frame_free(&f);
		/* Brackets inside strings do not count. */
		struct mb_strbuf b = { 0 };
		mb_strbuf_puts(&b, "{\"jsonrpc\":\"2.0\",\"method\":\"x\",\"params\":{\"s\":\"");
		for (int i = 0; i < 1000; i++)
			mb_strbuf_putc(&b, '[');
		mb_strbuf_puts(&b, "\"}}");
		is_int(fault_of(b.s, b.len), MB_JR_FAULT_NONE, "brackets in strings are not nesting");
		mb_strbuf_free(&b);
		free(s);
		char deep[2 * MB_JSON_MAX_DEPTH + 1];
		memset(deep, '[', MB_JSON_MAX_DEPTH);
		memset(deep + MB_JSON_MAX_DEPTH, ']', MB_JSON_MAX_DEPTH);
		is_int(fault_of(deep, 2 * MB_JSON_MAX_DEPTH), MB_JR_FAULT_NONE, "exactly the bound: accepted (batch)");
	}

	/* Ids */
	{
		char *a = key_of("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"x\"}");
		char *b = key_of("{\"jsonrpc\":\"2.0\",\"id\":\"1\",\"method\":\"x\"}");
		char *c = key_of("{\"jsonrpc\":\"2.0\",\"id\":1.0,\"method\":\"x\"}");
		char *d = key_of("{\"jsonrpc\":\"2.0\",\"id\":\"\\u0031\",\"method\":\"x\"}");
		char *e = key_of("{\"jsonrpc\":\"2.0\",\"id\":-7,\"method\":\"x\"}");
		ok(a && b && strcmp(a, b) != 0, "1 and \"1\" differ (%s, %s)", a, b);
		is_str(c, a, "1.0 is 1");
		is_str(d, b, "\"\\u0031\" is \"1\"");
		is_str(e, "n-7", "negative id");
		free(a), free(b), free(c), free(d), free(e);
		char *r = raw_id("{\"jsonrpc\":\"2.0\",\"id\" :  \"\\u0031\" ,\"method\":\"x\"}");
		is_str(r, "\"\\u0031\"", "raw id kept byte for byte");
		free(r);
		r = raw_id("{\"jsonrpc\":\"2.0\",\"id\":1.50,\"method\":\"x\"}");
		is_str(r, "1.50", "raw numeric id kept byte for byte");
		free(r);
		r = raw_id("{\"jsonrpc\":\"2.0\",\"\\u0069d\":9,\"method\":\"x\"}");
		is_str(r, "9", "escaped key found as cJSON finds it");
		free(r);
	}

	/* The validator is strict JSON (RFC 8259): what it accepts, the
	 * server's parser and cJSON accept too. */
	{
		static const char *const bad[] = {
			"{\"a\":01}", "{\"a\":1.}", "{\"a\":.5}", "{\"a\":-}", "{\"a\":1e}",
			"{\"a\":+1}", "{\"a\":tru}", "{\"a\":nul}", "{\"a\":1,}", "[1,]",
			"{\"a\" 1}", "{a:1}", "{'a':1}", "{\"a\":\"\\x\"}", "{\"a\":\"\\u12\"}",
			"\xef\xbb\xbf{}", "{\"a\":\"\\ud800\"}", "{\"a\":\"\\udc00\"}",
			"{\"a\":\"\\ud800\\u0041\"}", "{\"a\":NaN}", "{\"a\":Infinity}", "{}{}",
			"{\"a\":1}}", "[[]", "\"x",
		};
		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
			is_int(fault_of(bad[i], strlen(bad[i])), MB_JR_FAULT_PARSE, "not JSON: %s", bad[i]);
		static const char *const good[] = {
			"{\"a\":-0.5e+10}", "{\"a\":0}", "{\"a\":1E-2}", "{\"a\":[true,false,null,{}]}",
			"{\"a\":\"\\ud83d\\ude00 \\\" \\\\ \\/ \\b\\f\\n\\r\\t\"}", "{\"\":1}",
			" {\"a\" : [ 1 , 2 ] } ",
		};
		for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
			is_int(fault_of(good[i], strlen(good[i])), MB_JR_FAULT_NONE, "JSON: %s", good[i]);
		/* Numbers: 63 characters at most (cJSON's own limit). */
		struct mb_strbuf n = { 0 };
		mb_strbuf_puts(&n, "{\"a\":");
		for (int i = 0; i < 63; i++)
			mb_strbuf_putc(&n, '1');
		mb_strbuf_puts(&n, "}");
		is_int(fault_of(n.s, n.len), MB_JR_FAULT_NONE, "a number of 63 characters");
		mb_strbuf_free(&n);
		mb_strbuf_puts(&n, "{\"a\":");
		for (int i = 0; i < 64; i++)
			mb_strbuf_putc(&n, '1');
		mb_strbuf_puts(&n, "}");
		is_int(fault_of(n.s, n.len), MB_JR_FAULT_PARSE, "a number of 64 characters: refused");
		mb_strbuf_free(&n);
	}

	/* Duplicate keys, as the server's parser would decode them. */
	{
		is_int(kind_of("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"a\",\"m\\u0065thod\":\"b\"}", &why),
		       MB_JR_INVALID, "\"method\" and \"m\\u0065thod\" are one key");
		is_int(kind_of("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"a\",\"params\":{\"x\":[{\"k\":1,\"k\":2}]}}", NULL),
		       MB_JR_INVALID, "a duplicate inside an array inside params");
		is_int(kind_of("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"a\",\"params\":{\"k\":{\"k\":{\"k\":1}}}}", NULL),
		       MB_JR_REQUEST, "the same key at different levels is fine");
		/* Big objects: sorted by hash, and more keys than the stack holds. */
		for (int dup = 0; dup < 2; dup++) {
			struct mb_strbuf b = { 0 };
			mb_strbuf_puts(&b, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"a\",\"params\":{");
			for (int i = 0; i < 300; i++)
				mb_strbuf_printf(&b, "%s\"k%d\":{\"x%d\":1,\"y\":2}", i ? "," : "", i, i);
			if (dup)
				mb_strbuf_puts(&b, ",\"k\\u0031\\u0037\":0");
			mb_strbuf_puts(&b, "}}");
			struct mb_jr_frame f;
			mb_jr_parse(b.s, b.len, &f);
			is_int(f.fault ? -1 : (int)f.msgs[0].kind, dup ? MB_JR_INVALID : MB_JR_REQUEST,
			       dup ? "300 keys and k17 again (escaped): invalid" : "300 distinct keys: a request");
			mb_jr_frame_free(&f);
			mb_strbuf_free(&b);
		}
		/* In a batch, only the element holding the duplicate is invalid. */
		const char *s = "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"a\"},"
				"{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"a\",\"params\":{\"q\":1,\"q\":2}},"
				"{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"a\"}]";
		struct mb_jr_frame f;
		mb_jr_parse(s, strlen(s), &f);
		ok(f.n == 3 && f.msgs[0].kind == MB_JR_REQUEST && f.msgs[1].kind == MB_JR_INVALID &&
		   f.msgs[2].kind == MB_JR_REQUEST, "batch: the duplicate makes its element invalid only");
		mb_jr_frame_free(&f);
	}

	/* Members: from the validator's tape, or by a scan past it; params'. */
	{
		const char *s = "{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"method\":\"tools/call\",\"params\":"
				"{\"n\\u0061me\":\"echo\",\"arguments\":{\"text\":\"hi\",\"deep\":{\"a\":[1]}},"
				"\"_meta\":{\"progressToken\":-3}}}";
		struct mb_jr_frame f;
		mb_jr_parse(s, strlen(s), &f);
		struct mb_jr_msg *m = &f.msgs[0];
		is_str(mb_jr_param_str(m, MB_P_NAME), "echo", "params.name (escaped key) decoded");
		ok(m->p[MB_P_ARGUMENTS].len == 30 && s[m->p[MB_P_ARGUMENTS].off] == '{', "params.arguments span");
		const cJSON *a = mb_jr_param_node(m, MB_P_ARGUMENTS);
		is_str(mb_json_get_string(a, "text"), "hi", "arguments parsed on demand");
		static const char *const tk[] = { "progressToken" };
		struct mb_span tok;
		ok(mb_jr_members(m, m->p[MB_P_META], tk, 1, &tok) == 1, "_meta.progressToken found");
		is_str(mb_jr_key(m, tok), "n-3", "... its key");
		ok(!f.tape.overflow && f.tape.n > 0, "read from the tape");
		mb_jr_frame_free(&f);
		/* A message too big for the tape: the same answers by scanning. */
		struct mb_strbuf b = { 0 };
		mb_strbuf_puts(&b, "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"arguments\":{");
		for (int i = 0; i < 100; i++)
			mb_strbuf_printf(&b, "%s\"a%d\":%d", i ? "," : "", i, i);
		mb_strbuf_puts(&b, "},\"name\":\"echo\"}}");
		mb_jr_parse(b.s, b.len, &f);
		ok(f.tape.overflow, "100 arguments overflow the tape");
		is_int(f.msgs[0].kind, MB_JR_REQUEST, "... still a request");
		is_str(mb_jr_param_str(&f.msgs[0], MB_P_NAME), "echo", "... params.name found by scanning");
		is_str(f.msgs[0].id.key, "n7", "... and its id");
		mb_jr_frame_free(&f);
		mb_strbuf_free(&b);
	}

	/* Keys of numeric ids, as cJSON's double would give them. */
	{
		static const struct {
			const char *id, *key;
		} k[] = {
			{ "1e2", "n100" }, { "-0", "n0" }, { "1.5", "n1.5" }, { "100", "n100" },
			{ "123456789012345678", "n1.2345678901234568e+17" }, { "1e400", "ninf" },
			{ "0.1", "n0.10000000000000001" },
		};
		for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
			char line[128];
			snprintf(line, sizeof(line), "{\"jsonrpc\":\"2.0\",\"id\":%s,\"method\":\"x\"}", k[i].id);
			char *got = key_of(line);
			is_str(got, k[i].key, "id %s has key %s", k[i].id, k[i].key);
			free(got);
		}
	}

	/* Batches */
	{
		const char *s = "[ {\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"a\"} , 5, {\"jsonrpc\":\"2.0\",\"method\":\"n\"}]";
		struct mb_jr_frame f;
		mb_jr_parse(s, strlen(s), &f);
		ok(f.batch && f.n == 3, "batch of 3");
		is_int(f.msgs[0].kind, MB_JR_REQUEST, "element 1: request");
		is_int(f.msgs[1].kind, MB_JR_INVALID, "element 2: invalid");
		is_int(f.msgs[2].kind, MB_JR_NOTIFICATION, "element 3: notification");
		ok(f.msgs[1].span.len == 1 && s[f.msgs[1].span.off] == '5', "element spans");
		mb_jr_frame_free(&f);
	}

	/* Spans */
	{
		const char *s = "{\"result\":{\"tools\":[{\"a\":\"]}\"},{\"b\":[1,2]}],\"nextCursor\":\"c\"}}";
		struct mb_span all = { 0, strlen(s) }, r, t, c;
		ok(mb_json_member(s, all, "result", &r), "result member found");
		ok(mb_json_member(s, r, "tools", &t), "tools member found");
		ok(t.len == 24 && s[t.off] == '[', "tools span (%zu)", t.len);
		ok(mb_json_member(s, r, "nextCursor", &c) && c.len == 3, "nextCursor span");
		ok(!mb_json_member(s, r, "missing", &c), "absent member");
	}
	return done_testing();
}
