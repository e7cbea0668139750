/* Classification, id keys, the pre-scan and raw spans. */
#include "common/strbuf.h"
#include "supervisor/jsonrpc.h"
#include "supervisor/jsontext.h"
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
