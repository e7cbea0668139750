#include <stdint.h>
#include <string.h>

#include "supervisor/jsontext.h"

const char *mb_json_fault_name(enum mb_json_fault f)
{
	switch (f) {
	case MB_JSON_OK: return "ok";
	case MB_JSON_NUL: return "a NUL byte";
	case MB_JSON_BAD_UTF8: return "invalid UTF-8";
	case MB_JSON_CONTROL: return "a raw control character";
	case MB_JSON_TOO_DEEP: return "nesting too deep";
	}
	return "?";
}

/* Length of the valid UTF-8 sequence at s (c = s[0] >= 0x80), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t avail)
{
	unsigned char c = s[0];
	size_t n;
	unsigned char lo = 0x80, hi = 0xBF;
	if (c >= 0xC2 && c <= 0xDF)
		n = 2;
	else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		if (c == 0xE0)
			lo = 0xA0; /* overlong */
		else if (c == 0xED)
			hi = 0x9F; /* UTF-16 surrogates */
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		if (c == 0xF0)
			lo = 0x90; /* overlong */
		else if (c == 0xF4)
			hi = 0x8F; /* over U+10FFFF */
	} else
		return 0;
	if (avail < n)
		return 0;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	return n;
}

bool mb_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < len;) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		size_t n = utf8_seq(p + i, len - i);
		if (!n)
			return false;
		i += n;
	}
	return true;
}

enum mb_json_fault mb_json_prescan(const char *s, size_t len, unsigned max_depth,
				   unsigned *depth_out)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned depth = 0, deepest = 0;
	bool in_string = false;
	enum mb_json_fault fault = MB_JSON_OK;
	for (size_t i = 0; i < len;) {
		unsigned char c = p[i];
		if (c >= 0x80) {
			size_t n = utf8_seq(p + i, len - i);
			if (!n) {
				fault = MB_JSON_BAD_UTF8;
				break;
			}
			i += n;
			continue;
		}
		if (c == 0) {
			fault = MB_JSON_NUL;
			break;
		}
		if (in_string) {
			if (c == '"') {
				in_string = false;
			} else if (c == '\\') {
				if (i + 1 < len && p[i + 1] == 'u' && i + 5 < len &&
				    memcmp(p + i + 2, "0000", 4) == 0) {
					fault = MB_JSON_NUL;
					break;
				}
				/* Skip the escaped byte (a control byte there is
				 * invalid JSON, which cJSON reports). */
				if (i + 1 < len && p[i + 1] < 0x80)
					i++;
			} else if (c < 0x20) {
				fault = MB_JSON_CONTROL;
				break;
			}
			i++;
			continue;
		}
		if (c == '"') {
			in_string = true;
		} else if (c < 0x20 && c != ' ' && c != '\t' && c != '\n' && c != '\r') {
			/* cJSON skips any byte <= 0x20 as whitespace; JSON (and
			 * the server's parser) allows only these four. */
			fault = MB_JSON_CONTROL;
			break;
		} else if (c == '{' || c == '[') {
			if (++depth > deepest)
				deepest = depth;
			if (depth > max_depth) {
				fault = MB_JSON_TOO_DEEP;
				break;
			}
		} else if ((c == '}' || c == ']') && depth) {
			depth--;
		}
		i++;
	}
	if (depth_out)
		*depth_out = deepest;
	return fault;
}

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static size_t skip_ws(const char *s, size_t len, size_t pos)
{
	while (pos < len && is_ws(s[pos]))
		pos++;
	return pos;
}

/* pos at the opening quote; returns the offset after the closing one. */
static size_t string_end(const char *s, size_t len, size_t pos)
{
	for (pos++; pos < len; pos++) {
		if (s[pos] == '\\')
			pos++;
		else if (s[pos] == '"')
			return pos + 1;
	}
	return len;
}

size_t mb_json_value_end(const char *s, size_t len, size_t pos)
{
	pos = skip_ws(s, len, pos);
	if (pos >= len)
		return len;
	char c = s[pos];
	if (c == '"')
		return string_end(s, len, pos);
	if (c == '{' || c == '[') {
		unsigned depth = 0;
		while (pos < len) {
			char d = s[pos];
			if (d == '"') {
				pos = string_end(s, len, pos);
				continue;
			}
			if (d == '{' || d == '[')
				depth++;
			else if ((d == '}' || d == ']') && --depth == 0)
				return pos + 1;
			pos++;
		}
		return len;
	}
	while (pos < len && !is_ws(s[pos]) && s[pos] != ',' && s[pos] != ']' && s[pos] != '}')
		pos++;
	return pos;
}

struct mb_span mb_json_trim(const char *s, size_t len)
{
	size_t a = skip_ws(s, len, 0), b = len;
	while (b > a && is_ws(s[b - 1]))
		b--;
	return (struct mb_span){ a, b - a };
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static long hex4(const char *s)
{
	long v = 0;
	for (int i = 0; i < 4; i++) {
		int h = hexval(s[i]);
		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	return v;
}

/* Does the JSON string body s[a, b) (between the quotes) decode to key? */
static bool key_equals(const char *s, size_t a, size_t b, const char *key)
{
	const unsigned char *k = (const unsigned char *)key;
	while (a < b) {
		if (s[a] != '\\') {
			if (!*k || (unsigned char)s[a] != *k)
				return false;
			a++, k++;
			continue;
		}
		if (a + 1 >= b)
			return false;
		char e = s[a + 1];
		uint32_t cp;
		a += 2;
		switch (e) {
		case '"': cp = '"'; break;
		case '\\': cp = '\\'; break;
		case '/': cp = '/'; break;
		case 'b': cp = '\b'; break;
		case 'f': cp = '\f'; break;
		case 'n': cp = '\n'; break;
		case 'r': cp = '\r'; break;
		case 't': cp = '\t'; break;
		case 'u': {
			if (a + 4 > b)
				return false;
			long v = hex4(s + a);
			if (v < 0)
				return false;
			a += 4;
			cp = (uint32_t)v;
			if (cp >= 0xD800 && cp <= 0xDBFF && a + 6 <= b && s[a] == '\\' &&
			    s[a + 1] == 'u') {
				long lo = hex4(s + a + 2);
				if (lo >= 0xDC00 && lo <= 0xDFFF) {
					cp = 0x10000 + ((cp - 0xD800) << 10) + (uint32_t)(lo - 0xDC00);
					a += 6;
				}
			}
			break;
		}
		default:
			return false;
		}
		unsigned char u[4];
		size_t n;
		if (cp < 0x80) {
			u[0] = (unsigned char)cp;
			n = 1;
		} else if (cp < 0x800) {
			u[0] = (unsigned char)(0xC0 | (cp >> 6));
			u[1] = (unsigned char)(0x80 | (cp & 0x3F));
			n = 2;
		} else if (cp < 0x10000) {
			u[0] = (unsigned char)(0xE0 | (cp >> 12));
			u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
			u[2] = (unsigned char)(0x80 | (cp & 0x3F));
			n = 3;
		} else {
			u[0] = (unsigned char)(0xF0 | (cp >> 18));
			u[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
			u[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
			u[3] = (unsigned char)(0x80 | (cp & 0x3F));
			n = 4;
		}
		for (size_t i = 0; i < n; i++, k++)
			if (!*k || *k != u[i])
				return false;
	}
	return *k == '\0';
}

bool mb_json_member(const char *s, struct mb_span obj, const char *key, struct mb_span *ret)
{
	size_t end = obj.off + obj.len;
	size_t pos = skip_ws(s, end, obj.off);
	if (pos >= end || s[pos] != '{')
		return false;
	pos++;
	for (;;) {
		pos = skip_ws(s, end, pos);
		if (pos >= end || s[pos] != '"')
			return false;
		size_t kend = string_end(s, end, pos);
		bool match = key_equals(s, pos + 1, kend - 1, key);
		pos = skip_ws(s, end, kend);
		if (pos >= end || s[pos] != ':')
			return false;
		size_t vstart = skip_ws(s, end, pos + 1);
		size_t vend = mb_json_value_end(s, end, vstart);
		if (match) {
			*ret = (struct mb_span){ vstart, vend - vstart };
			return true;
		}
		pos = skip_ws(s, end, vend);
		if (pos >= end || s[pos] != ',')
			return false;
		pos++;
	}
}

int mb_json_elements(const char *s, struct mb_span arr, int (*fn)(struct mb_span elem, void *ud),
		     void *ud)
{
	size_t end = arr.off + arr.len;
	size_t pos = skip_ws(s, end, arr.off);
	if (pos >= end || s[pos] != '[')
		return 0;
	pos = skip_ws(s, end, pos + 1);
	if (pos < end && s[pos] == ']')
		return 0;
	for (;;) {
		size_t vstart = skip_ws(s, end, pos);
		size_t vend = mb_json_value_end(s, end, vstart);
		if (vend <= vstart)
			return 0;
		int r = fn((struct mb_span){ vstart, vend - vstart }, ud);
		if (r)
			return r;
		pos = skip_ws(s, end, vend);
		if (pos >= end || s[pos] != ',')
			return 0;
		pos++;
	}
}
