/* SPDX-License-Identifier: Apache-2.0 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/macros.h"
#include "common/utf8.h"
#include "supervisor/inspect/json-text.h"

const char *mb_json_fault_name(enum mb_json_fault f)
{
	switch (f) {
	case MB_JSON_OK: return "ok";
	case MB_JSON_NUL: return "a NUL byte";
	case MB_JSON_BAD_UTF8: return "invalid UTF-8";
	case MB_JSON_CONTROL: return "a raw control character";
	case MB_JSON_TOO_DEEP: return "nesting too deep";
	case MB_JSON_SYNTAX: return "not valid JSON";
	case MB_JSON_NOMEM: return "out of memory";
	}
	return "?";
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
			size_t n = mb_utf8_seq_n(p + i, len - i);
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

/* pos at the opening quote; returns the offset after the closing one. A
 * quote is the closing one when an even number of backslashes precede it
 * (the opening quote stops the count). */
static size_t string_end(const char *s, size_t len, size_t pos)
{
	size_t open = pos;
	/* Most strings are short: look at a few bytes before calling memchr. */
	for (size_t stop = MB_MIN(len, pos + 24); ++pos < stop;) {
		if (s[pos] == '\\')
			pos++;
		else if (s[pos] == '"')
			return pos + 1;
	}
	if (pos > len)
		return len;
	while (pos < len) {
		const char *q = memchr(s + pos, '"', len - pos);
		if (!q)
			return len;
		size_t at = (size_t)(q - s), b = at;
		while (b > open + 1 && s[b - 1] == '\\')
			b--;
		if (((at - b) & 1) == 0)
			return at + 1;
		pos = at + 1;
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

static long hex4(const char *s)
{
	long v = 0;
	for (int i = 0; i < 4; i++) {
		int h = mb_hexval(s[i]);
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

/* ---- decoding ---- */

static size_t utf8_put(uint32_t cp, unsigned char *u)
{
	if (cp < 0x80) {
		u[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		u[0] = (unsigned char)(0xC0 | (cp >> 6));
		u[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		u[0] = (unsigned char)(0xE0 | (cp >> 12));
		u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	u[0] = (unsigned char)(0xF0 | (cp >> 18));
	u[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
	u[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
	u[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}

/* The escape at s[i] (a backslash) of a validated string: its code point,
 * and the offset after it. */
static size_t escape_at(const char *s, size_t i, uint32_t *cp)
{
	switch (s[i + 1]) {
	case 'b': *cp = '\b'; return i + 2;
	case 'f': *cp = '\f'; return i + 2;
	case 'n': *cp = '\n'; return i + 2;
	case 'r': *cp = '\r'; return i + 2;
	case 't': *cp = '\t'; return i + 2;
	case 'u': break;
	default: *cp = (unsigned char)s[i + 1]; return i + 2;
	}
	uint32_t v = (uint32_t)hex4(s + i + 2);
	if (v >= 0xD800 && v <= 0xDBFF) {
		uint32_t lo = (uint32_t)hex4(s + i + 8);
		*cp = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00);
		return i + 12;
	}
	*cp = v;
	return i + 6;
}

size_t mb_json_unescape(const char *s, struct mb_span v, char *out)
{
	size_t k = 0, i = v.off + 1, end = v.off + v.len - 1;
	while (i < end) {
		const char *bs = memchr(s + i, '\\', end - i);
		size_t stop = bs ? (size_t)(bs - s) : end;
		memcpy(out + k, s + i, stop - i);
		k += stop - i;
		i = stop;
		if (i < end) {
			uint32_t cp;
			i = escape_at(s, i, &cp);
			k += utf8_put(cp, (unsigned char *)out + k);
		}
	}
	out[k] = '\0';
	return k;
}

/* ---- the validator ---- */

/* A key of an object being validated: where its text is, and whether it
 * holds escapes (then "a" and "\u0061" are the same key). */
struct keyent {
	size_t off, rawlen; /* the body, between the quotes */
	uint64_t hash;      /* of the decoded bytes; only computed for big objects */
	bool esc;
};

#define KEYS_INLINE 64
#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

static inline uint64_t has_zero(uint64_t x)
{
	return (x - ONES) & ~x & HIGHS;
}

/* Eight bytes that need no attention inside a string: printable ASCII
 * other than '"' and '\\'. */
static inline bool plain8(const unsigned char *p)
{
	uint64_t x;
	memcpy(&x, p, 8);
	return !(((x - ONES * 0x20) & ~x & HIGHS) | (x & HIGHS) | has_zero(x ^ (ONES * '"')) |
		 has_zero(x ^ (ONES * '\\')));
}

/* Bytes inside a string that end a run of plain ones. */
enum { C_PLAIN, C_QUOTE, C_ESCAPE, C_CONTROL, C_HIGH };
static const unsigned char str_class[256] = {
	[0 ... 0x1F] = C_CONTROL,
	['"'] = C_QUOTE,
	['\\'] = C_ESCAPE,
	[0x80 ... 0xFF] = C_HIGH,
};

/* The string at p[pos] (its opening quote); *end gets the offset after the
 * closing quote, *esc whether it holds escapes. */
static inline __attribute__((always_inline)) enum mb_json_fault
scan_string(const unsigned char *p, size_t len, size_t pos, size_t *end, bool *esc)
{
	size_t i = pos + 1;
	for (;;) {
		while (i + 8 <= len && plain8(p + i))
			i += 8;
		while (i < len && str_class[p[i]] == C_PLAIN)
			i++;
		if (i >= len)
			return MB_JSON_SYNTAX;
		unsigned char c = p[i];
		switch (str_class[c]) {
		case C_QUOTE:
			*end = i + 1;
			return MB_JSON_OK;
		case C_CONTROL:
			return c ? MB_JSON_CONTROL : MB_JSON_NUL;
		case C_HIGH: {
			size_t n = mb_utf8_seq_n(p + i, len - i);
			if (!n)
				return MB_JSON_BAD_UTF8;
			i += n;
			continue;
		}
		}
		/* An escape. */
		*esc = true;
		if (i + 1 >= len)
			return MB_JSON_SYNTAX;
		unsigned char e = p[i + 1];
		if (e != 'u') {
			if (!e || !strchr("\"\\/bfnrt", e))
				return MB_JSON_SYNTAX;
			i += 2;
			continue;
		}
		long v = i + 6 <= len ? hex4((const char *)p + i + 2) : -1;
		if (v < 0)
			return MB_JSON_SYNTAX;
		if (v == 0)
			return MB_JSON_NUL;
		if (v >= 0xDC00 && v <= 0xDFFF)
			return MB_JSON_SYNTAX; /* a lone low surrogate */
		if (v >= 0xD800 && v <= 0xDBFF) {
			long lo = i + 12 <= len && p[i + 6] == '\\' && p[i + 7] == 'u'
					  ? hex4((const char *)p + i + 8)
					  : -1;
			if (lo < 0xDC00 || lo > 0xDFFF)
				return MB_JSON_SYNTAX; /* a lone high surrogate */
			i += 12;
		} else {
			i += 6;
		}
	}
}

static inline bool is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* RFC 8259's number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static bool scan_number(const unsigned char *p, size_t len, size_t pos, size_t *end)
{
	size_t i = pos;
	if (i < len && p[i] == '-')
		i++;
	if (i < len && p[i] == '0')
		i++;
	else if (i < len && is_digit(p[i]))
		while (i < len && is_digit(p[i]))
			i++;
	else
		return false;
	if (i < len && p[i] == '.') {
		if (++i >= len || !is_digit(p[i]))
			return false;
		while (i < len && is_digit(p[i]))
			i++;
	}
	if (i < len && (p[i] == 'e' || p[i] == 'E')) {
		if (++i < len && (p[i] == '+' || p[i] == '-'))
			i++;
		if (i >= len || !is_digit(p[i]))
			return false;
		while (i < len && is_digit(p[i]))
			i++;
	}
	if (i - pos > MB_JSON_NUMBER_MAX)
		return false;
	*end = i;
	return true;
}

/* The decoded bytes of key k (malloc'd, *n its length), or NULL. */
static char *key_decode(const char *s, const struct keyent *k, size_t *n)
{
	char *x = malloc(k->rawlen + 1);
	if (x)
		*n = mb_json_unescape(s, (struct mb_span){ k->off - 1, k->rawlen + 2 }, x);
	return x;
}

static bool key_eq(const char *s, const struct keyent *a, const struct keyent *b)
{
	if (!a->esc && !b->esc)
		return a->rawlen == b->rawlen && memcmp(s + a->off, s + b->off, a->rawlen) == 0;
	size_t na = 0, nb = 0;
	char *x = key_decode(s, a, &na), *y = key_decode(s, b, &nb);
	bool eq = true; /* cannot tell: call it a duplicate (refused) */
	if (x && y)
		eq = na == nb && memcmp(x, y, na) == 0;
	free(x);
	free(y);
	return eq;
}

static uint64_t key_hash(const char *s, struct keyent *k)
{
	size_t n = k->rawlen;
	char *d = NULL;
	const char *b = s + k->off;
	if (k->esc) {
		d = key_decode(s, k, &n);
		if (!d)
			return 0; /* all such keys collide, and are compared */
		b = d;
	}
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)b[i]) * 1099511628211ull;
	free(d);
	return h;
}

static int cmp_hash(const void *a, const void *b)
{
	uint64_t x = ((const struct keyent *)a)->hash, y = ((const struct keyent *)b)->hash;
	return x < y ? -1 : x > y;
}

/* Has the object whose keys are k[0, n) one twice? (May reorder k.) Small
 * objects compare every pair (lengths first); big ones sort by hash. */
static bool has_dup(const char *s, struct keyent *k, size_t n)
{
	if (n < 2)
		return false;
	if (n <= 16) {
		for (size_t i = 0; i < n; i++)
			for (size_t j = i + 1; j < n; j++)
				if ((k[i].esc || k[j].esc || k[i].rawlen == k[j].rawlen) &&
				    key_eq(s, &k[i], &k[j]))
					return true;
		return false;
	}
	for (size_t i = 0; i < n; i++)
		k[i].hash = key_hash(s, &k[i]);
	qsort(k, n, sizeof(*k), cmp_hash);
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n && k[j].hash == k[i].hash; j++)
			if (key_eq(s, &k[i], &k[j]))
				return true;
	return false;
}

struct keystack {
	struct keyent *v;
	size_t n, cap;
	struct keyent inl[KEYS_INLINE];
};

static struct keyent *key_push(struct keystack *ks)
{
	if (ks->n == ks->cap) {
		size_t ncap = ks->cap * 2;
		struct keyent *v = ks->v == ks->inl ? malloc(ncap * sizeof(*v))
						    : realloc(ks->v, ncap * sizeof(*v));
		if (!v)
			return NULL;
		if (ks->v == ks->inl)
			memcpy(v, ks->inl, sizeof(ks->inl));
		ks->v = v;
		ks->cap = ncap;
	}
	return &ks->v[ks->n++];
}

static int dup_push(size_t **dups, size_t *ndup, size_t off)
{
	/* Grown one by one: objects with a duplicate key are rare. */
	size_t *v = realloc(*dups, (*ndup + 1) * sizeof(*v));
	if (!v)
		return -1;
	v[(*ndup)++] = off;
	*dups = v;
	return 0;
}

/* Record on the tape (unless it overflowed): returns the entry or NULL. */
static struct mb_json_tape_ent *tape_push(struct mb_json_tape *t)
{
	if (!t || t->overflow)
		return NULL;
	if (t->n == MB_JSON_TAPE_MAX) {
		t->overflow = true;
		t->n = 0;
		return NULL;
	}
	return &t->e[t->n++];
}

enum mb_json_fault mb_json_validate(const char *s, size_t len, unsigned max_depth,
				    size_t **dups, size_t *ndup, struct mb_json_tape *tape)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned char kind[MB_JSON_VALIDATE_MAX_DEPTH];
	size_t base[MB_JSON_VALIDATE_MAX_DEPTH], open[MB_JSON_VALIDATE_MAX_DEPTH];
	unsigned depth = 0;
	/* The tape entry of the member being read, per recorded level. */
	struct mb_json_tape_ent *cur[MB_JSON_TAPE_DEPTH] = { 0 };
	struct keystack ks;
	ks.v = ks.inl;
	ks.n = 0;
	ks.cap = KEYS_INLINE;
	enum mb_json_fault f = MB_JSON_OK;
	if (max_depth > MB_JSON_VALIDATE_MAX_DEPTH)
		max_depth = MB_JSON_VALIDATE_MAX_DEPTH;
	size_t i = skip_ws(s, len, 0);

value:
	if (i >= len)
		goto syntax;
	switch (p[i]) {
	case '{':
	case '[':
		if (depth == max_depth) {
			f = MB_JSON_TOO_DEEP;
			goto out;
		}
		kind[depth] = p[i];
		open[depth] = i;
		base[depth] = ks.n;
		depth++;
		if (p[i] == '{' && depth <= MB_JSON_TAPE_DEPTH) {
			struct mb_json_tape_ent *e = tape_push(tape);
			if (e) {
				e->is_obj = true;
				e->obj = i;
			}
			cur[depth - 1] = NULL;
		}
		i = skip_ws(s, len, i + 1);
		if (kind[depth - 1] == '{') {
			if (i < len && p[i] == '}') {
				depth--;
				i++;
				goto after;
			}
			goto key;
		}
		if (i < len && p[i] == ']') {
			depth--;
			i++;
			goto after;
		}
		goto value;
	case '"': {
		bool esc = false;
		f = scan_string(p, len, i, &i, &esc);
		if (f != MB_JSON_OK)
			goto fault;
		goto after;
	}
	case 't':
		if (len - i < 4 || memcmp(p + i, "true", 4) != 0)
			goto syntax;
		i += 4;
		goto after;
	case 'f':
		if (len - i < 5 || memcmp(p + i, "false", 5) != 0)
			goto syntax;
		i += 5;
		goto after;
	case 'n':
		if (len - i < 4 || memcmp(p + i, "null", 4) != 0)
			goto syntax;
		i += 4;
		goto after;
	default:
		if (!scan_number(p, len, i, &i))
			goto syntax;
		goto after;
	}

key:
	if (i >= len || p[i] != '"')
		goto syntax;
	{
		struct keyent *k = key_push(&ks);
		if (!k) {
			f = MB_JSON_NOMEM;
			goto out;
		}
		k->off = i + 1;
		k->esc = false;
		f = scan_string(p, len, i, &i, &k->esc);
		if (f != MB_JSON_OK)
			goto fault;
		k->rawlen = i - 1 - k->off;
		if (depth <= MB_JSON_TAPE_DEPTH) {
			struct mb_json_tape_ent *e = tape_push(tape);
			if (e) {
				*e = (struct mb_json_tape_ent){
					.obj = open[depth - 1],
					.key_off = k->off,
					.key_len = k->rawlen,
					.key_esc = k->esc,
				};
			}
			cur[depth - 1] = e;
		}
	}
	i = skip_ws(s, len, i);
	if (i >= len || p[i] != ':')
		goto syntax;
	i = skip_ws(s, len, i + 1);
	if (depth <= MB_JSON_TAPE_DEPTH && cur[depth - 1])
		cur[depth - 1]->val_off = i;
	goto value;

after:
	/* A value just ended: the member it belongs to is complete. */
	if (depth && depth <= MB_JSON_TAPE_DEPTH && cur[depth - 1] && !tape->overflow) {
		cur[depth - 1]->val_len = i - cur[depth - 1]->val_off;
		cur[depth - 1] = NULL;
	}
	i = skip_ws(s, len, i);
	if (depth == 0) {
		if (i != len)
			goto syntax;
		goto out;
	}
	if (i >= len)
		goto syntax;
	if (kind[depth - 1] == '{') {
		if (p[i] == ',') {
			i = skip_ws(s, len, i + 1);
			goto key;
		}
		if (p[i] != '}')
			goto syntax;
		size_t b = base[depth - 1];
		if (has_dup(s, ks.v + b, ks.n - b) && dup_push(dups, ndup, open[depth - 1]) < 0) {
			f = MB_JSON_NOMEM;
			goto out;
		}
		ks.n = b;
	} else {
		if (p[i] == ',') {
			i = skip_ws(s, len, i + 1);
			goto value;
		}
		if (p[i] != ']')
			goto syntax;
	}
	depth--;
	i++;
	goto after;

fault:
	if (f != MB_JSON_SYNTAX)
		goto out;
syntax:
	/* Not JSON; say why more precisely if the pre-scan can. */
	f = mb_json_prescan(s, len, max_depth, NULL);
	if (f == MB_JSON_OK)
		f = MB_JSON_SYNTAX;
out:
	if (ks.v != ks.inl)
		free(ks.v);
	return f;
}

/* Is the unescaped key k[0, klen) the NUL-terminated want? */
static inline bool raw_key_is(const char *k, size_t klen, const char *want)
{
	size_t q = 0;
	while (q < klen && want[q] == k[q])
		q++;
	return q == klen && want[klen] == '\0';
}

size_t mb_json_members(const char *s, struct mb_span obj, const char *const *keys, size_t n,
		       struct mb_span *out)
{
	size_t found = 0;
	memset(out, 0, n * sizeof(*out));
	size_t end = obj.off + obj.len;
	size_t pos = skip_ws(s, end, obj.off);
	if (pos >= end || s[pos] != '{')
		return 0;
	pos = skip_ws(s, end, pos + 1);
	if (pos < end && s[pos] == '}')
		return 0;
	while (found < n) {
		pos = skip_ws(s, end, pos);
		if (pos >= end || s[pos] != '"')
			return found;
		size_t kend = string_end(s, end, pos);
		size_t ka = pos + 1, klen = kend - 1 - ka;
		bool esc = memchr(s + ka, '\\', klen) != NULL;
		pos = skip_ws(s, end, kend);
		if (pos >= end || s[pos] != ':')
			return found;
		size_t vstart = skip_ws(s, end, pos + 1);
		size_t vend = mb_json_value_end(s, end, vstart);
		for (size_t i = 0; i < n; i++) {
			if (out[i].len)
				continue;
			bool match = esc ? key_equals(s, ka, kend - 1, keys[i])
					 : raw_key_is(s + ka, klen, keys[i]);
			if (match) {
				out[i] = (struct mb_span){ vstart, vend - vstart };
				found++;
				break;
			}
		}
		pos = skip_ws(s, end, vend);
		if (pos >= end || s[pos] != ',')
			return found;
		pos++;
	}
	return found;
}

size_t mb_json_tape_members(const struct mb_json_tape *t, const char *s, struct mb_span obj,
			    const char *const *keys, size_t n, struct mb_span *out)
{
	size_t j = 0;
	if (t && !t->overflow)
		while (j < t->n && !(t->e[j].is_obj && t->e[j].obj == obj.off))
			j++;
	if (!t || t->overflow || j == t->n)
		return mb_json_members(s, obj, keys, n, out);
	memset(out, 0, n * sizeof(*out));
	size_t found = 0;
	for (j++; j < t->n && found < n; j++) {
		const struct mb_json_tape_ent *e = &t->e[j];
		if (e->is_obj || e->obj != obj.off)
			continue;
		const char *k = s + e->key_off;
		for (size_t i = 0; i < n; i++) {
			if (out[i].len)
				continue;
			bool match = e->key_esc ? key_equals(s, e->key_off, e->key_off + e->key_len, keys[i])
						: raw_key_is(k, e->key_len, keys[i]);
			if (match) {
				out[i] = (struct mb_span){ e->val_off, e->val_len };
				found++;
				break;
			}
		}
	}
	return found;
}
