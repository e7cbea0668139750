/* SPDX-License-Identifier: Apache-2.0 */
/* The walk over a JSON value's strings, their decoding with a map back to
 * the raw text, and the scanner object (scan.h). */
#include <stdio.h>
#include <strings.h>
#include <sys/types.h>
#include <stdlib.h>
#include <string.h>

#include "supervisor/inspect/inflight.h"
#include "supervisor/inspect/scan-internal.h"

/* One escape of a decoded string: its decoded bytes [dec, dec_end) came
 * from the raw bytes [raw, raw_end), offsets from the string's body. */
struct esc {
	size_t dec, dec_end, raw, raw_end;
};

struct mb_scan_walker {
	char *buf; /* decoded text */
	size_t cap;
	MB_VEC(struct esc) esc;
	char key[MB_SCAN_KEY_MAX];
	size_t key_len;
	bool have_key;
	const char *const *names;
	size_t nnames;
};

/* What mb_scan_raw_off needs: the body's offset in the text and the
 * escapes (none: decoded offsets are raw ones). */
struct map {
	size_t body;
	const struct esc *esc;
	size_t n;
};

int mb_scan_walker_new(struct mb_scan_walker **ret)
{
	struct mb_scan_walker *w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	*ret = w;
	return 0;
}

void mb_scan_walker_free(struct mb_scan_walker *w)
{
	if (!w)
		return;
	free(w->buf);
	mb_vec_free(&w->esc);
	free(w);
}

/* Four hex digits the validator has accepted. */
static unsigned hex4(const char *s)
{
	return (unsigned)(mb_hexval(s[0]) << 12 | mb_hexval(s[1]) << 8 | mb_hexval(s[2]) << 4 |
			  mb_hexval(s[3]));
}

static size_t put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Decode the body b[0, n) (validated: every escape is whole, surrogates
 * come in pairs) into w->buf, recording each escape. Decoding never
 * lengthens. Returns the decoded length, or -ENOMEM. */
static ssize_t decode(struct mb_scan_walker *w, const char *b, size_t n)
{
	if (n + 1 > w->cap) {
		char *nb = realloc(w->buf, n + 1);
		if (!nb)
			return -ENOMEM;
		w->buf = nb;
		w->cap = n + 1;
	}
	w->esc.n = 0;
	char *o = w->buf;
	size_t i = 0, d = 0;
	while (i < n) {
		const char *bs = memchr(b + i, '\\', n - i);
		size_t lit = bs ? (size_t)(bs - b) - i : n - i;
		memcpy(o + d, b + i, lit);
		d += lit;
		i += lit;
		if (!bs)
			break;
		struct esc e = { .dec = d, .raw = i };
		char c = b[i + 1];
		i += 2;
		switch (c) {
		case 'n': o[d++] = '\n'; break;
		case 't': o[d++] = '\t'; break;
		case 'r': o[d++] = '\r'; break;
		case 'b': o[d++] = '\b'; break;
		case 'f': o[d++] = '\f'; break;
		case 'u': {
			unsigned cp = hex4(b + i);
			i += 4;
			if (cp >= 0xd800 && cp < 0xdc00 && i + 6 <= n && b[i] == '\\' && b[i + 1] == 'u') {
				cp = 0x10000 + ((cp - 0xd800) << 10) + (hex4(b + i + 2) - 0xdc00);
				i += 6;
			}
			d += put_utf8(o + d, cp);
			break;
		}
		default: o[d++] = c; break; /* " \ / */
		}
		e.dec_end = d;
		e.raw_end = i;
		if (mb_vec_push(&w->esc, e) < 0)
			return -ENOMEM;
	}
	o[d] = '\0';
	return (ssize_t)d;
}

size_t mb_scan_raw_off(const struct mb_scan_found *f, size_t dec, bool end)
{
	const struct map *m = f->map;
	/* The last escape starting before dec (at or before, for a start). */
	size_t lo = 0, hi = m->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (end ? m->esc[mid].dec < dec : m->esc[mid].dec <= dec)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return m->body + dec;
	const struct esc *e = &m->esc[lo - 1];
	if (dec < e->dec_end || (end && dec == e->dec_end))
		return m->body + (end ? e->raw_end : e->raw);
	return m->body + e->raw_end + (dec - e->dec_end);
}

struct walk {
	const char *text;
	size_t str_off;
	struct map map;
	void (*fn)(void *ud, const struct mb_scan_found *f);
	void *ud;
	const struct mb_scan_str *str;
};

static void on_hit(void *ud, const struct mb_scan_hit *h)
{
	struct walk *wk = ud;
	struct mb_scan_found f = { .hit = *h, .str = wk->str, .str_off = wk->str_off, .map = &wk->map };
	f.raw_off = mb_scan_raw_off(&f, h->off, false);
	f.raw_len = mb_scan_raw_off(&f, h->off + h->len, true) - f.raw_off;
	wk->fn(wk->ud, &f);
}

static bool ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The end of the string whose opening quote is at q: its closing quote. */
static const char *string_end(const char *q, const char *end)
{
	const char *c = q + 1;
	for (;;) {
		const char *e = memchr(c, '"', (size_t)(end - c));
		if (!e)
			return NULL;
		const char *b = e;
		while (b > q + 1 && b[-1] == '\\')
			b--;
		if (((e - b) & 1) == 0)
			return e;
		c = e + 1;
	}
}

void mb_scan_walker_names(struct mb_scan_walker *w, const char *const *names, size_t n)
{
	w->names = names;
	w->nnames = n;
}

int mb_scan_walk(struct mb_scan_walker *w, struct mb_detector *dets, size_t ndets, unsigned where,
		 const char *text, struct mb_span v, void (*fn)(void *ud, const struct mb_scan_found *f),
		 void *ud)
{
	const char *p = text + v.off, *end = p + v.len;
	w->have_key = false;
	while (p < end) {
		const char *q = memchr(p, '"', (size_t)(end - p));
		if (!q)
			break;
		const char *close = string_end(q, end);
		if (!close)
			break;
		const char *body = q + 1;
		size_t n = (size_t)(close - body);
		bool esc = memchr(body, '\\', n) != NULL;
		const char *a = close + 1;
		while (a < end && ws(*a))
			a++;
		p = close + 1;
		if (a < end && *a == ':') {
			/* A member's name: the context of the value that follows. */
			if (esc) {
				ssize_t d = decode(w, body, n);
				if (d < 0)
					return (int)d;
				n = (size_t)d;
				body = w->buf;
			}
			w->key_len = n < MB_SCAN_KEY_MAX ? n : MB_SCAN_KEY_MAX;
			memcpy(w->key, body, w->key_len);
			w->have_key = true;
			p = a + 1;
			continue;
		}
		struct mb_scan_str str = { .s = body, .n = n, .key = w->have_key ? w->key : NULL,
					   .key_len = w->key_len, .names = w->names,
					   .nnames = w->nnames };
		struct walk wk = { .text = text, .str_off = (size_t)(q - text), .fn = fn, .ud = ud,
				   .str = &str };
		wk.map.body = (size_t)(body - text);
		if (esc) {
			ssize_t d = decode(w, body, n);
			if (d < 0)
				return (int)d;
			str.s = w->buf;
			str.n = (size_t)d;
			wk.map.esc = w->esc.v;
			wk.map.n = w->esc.n;
		}
		for (size_t i = 0; i < ndets; i++)
			if (dets[i].scan && (dets[i].where & where))
				dets[i].scan(&dets[i], &str, on_hit, &wk);
	}
	return 0;
}

/* ---- where a value lies ---- */

static size_t skip_ws(const char *s, size_t i, size_t end)
{
	while (i < end && ws(s[i]))
		i++;
	return i;
}

static void put_key(const char *text, size_t k, size_t kend, struct mb_strbuf *out)
{
	struct mb_span ks = { k, kend - k };
	char buf[MB_SCAN_KEY_MAX * 2 + 8];
	if (ks.len > sizeof(buf)) {
		mb_strbuf_append(out, text + k + 1, MB_SCAN_KEY_MAX);
		return;
	}
	size_t n = mb_json_unescape(text, ks, buf);
	mb_strbuf_append(out, buf, n);
}

void mb_json_path_at(const char *text, struct mb_span root, size_t off, struct mb_strbuf *out)
{
	size_t i = root.off, end = root.off + root.len;
	for (;;) {
		i = skip_ws(text, i, end);
		if (i >= end || (text[i] != '{' && text[i] != '['))
			return;
		bool obj = text[i] == '{';
		size_t idx = 0;
		i++;
		for (;;) {
			i = skip_ws(text, i, end);
			if (i >= end || text[i] == '}' || text[i] == ']')
				return;
			size_t k = i, kend = i;
			if (obj) {
				kend = mb_json_value_end(text, end, i);
				i = skip_ws(text, kend, end) + 1; /* the ':' */
			}
			size_t vs = skip_ws(text, i, end);
			size_t ve = mb_json_value_end(text, end, vs);
			if (off >= vs && off < ve) {
				if (obj) {
					if (out->len)
						mb_strbuf_putc(out, '.');
					put_key(text, k, kend, out);
				} else {
					mb_strbuf_printf(out, "[%zu]", idx);
				}
				i = vs;
				end = ve;
				break;
			}
			i = skip_ws(text, ve, end);
			if (i < end && text[i] == ',')
				i++;
			idx++;
		}
	}
}

/* ---- text for reports ---- */

static bool invisible(unsigned c)
{
	return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0xad || c == 0x34f || c == 0x61c ||
	       c == 0x115f || c == 0x1160 || c == 0x180e || (c >= 0x200b && c <= 0x200f) ||
	       (c >= 0x202a && c <= 0x202e) || (c >= 0x2060 && c <= 0x206f) || c == 0x3164 ||
	       (c >= 0xfe00 && c <= 0xfe0f) || c == 0xfeff || c == 0xffa0 ||
	       (c >= 0xe0000 && c <= 0xe0fff);
}

void mb_scan_show(const char *s, size_t n, enum mb_scan_kind kind, size_t max, struct mb_strbuf *out)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t start = out->len, i = 0;
	bool tags = kind == MB_SCAN_UNICODE_TAGS;
	if (tags)
		mb_strbuf_puts(out, "[tags: ");
	while (i < n) {
		if (out->len - start >= max) {
			mb_strbuf_puts(out, "...");
			break;
		}
		size_t len = mb_utf8_seq_n(u + i, n - i);
		if (!len)
			len = 1;
		unsigned c = mb_utf8_cp(u + i, len);
		if (tags && c >= 0xe0020 && c < 0xe007f)
			mb_strbuf_putc(out, (char)(c - 0xe0000));
		else if (tags && c >= 0xe0000 && c <= 0xe007f)
			; /* the language tag and cancel tag spell nothing */
		else if (c == '\n' || c == '\t')
			mb_strbuf_putc(out, ' ');
		else if (invisible(c))
			mb_strbuf_printf(out, c > 0xffff ? "\\U%08x" : "\\u%04x", c);
		else
			mb_strbuf_append(out, s + i, len);
		i += len;
	}
	if (tags)
		mb_strbuf_putc(out, ']');
}

/* ---- the scanner ---- */

static bool name_is(const char *s, size_t n, const char *word)
{
	size_t w = strlen(word);
	return n == w && strncasecmp(s, word, n) == 0;
}

/* A variable named like a secret: one of its '_'-separated words is. */
static bool secret_name(const char *name, size_t n)
{
	static const char *const words[] = {
		"TOKEN", "SECRET", "SECRETS", "PASSWORD", "PASSWD", "PASSPHRASE", "PASS", "PWD",
		"APIKEY", "KEY", "CREDENTIAL", "CREDENTIALS", "AUTH", "PAT", "DSN", "PRIVATE",
		"COOKIE",
	};
	/* PWD alone is the working directory. */
	if (name_is(name, n, "PWD") || name_is(name, n, "OLDPWD"))
		return false;
	size_t i = 0;
	while (i < n) {
		size_t j = i;
		while (j < n && name[j] != '_')
			j++;
		for (size_t k = 0; k < ARRAY_SIZE(words); k++)
			if (name_is(name + i, j - i, words[k]))
				return true;
		i = j + 1;
	}
	return false;
}

/* The profile's own secrets: variables scan.env names, and those named like
 * secrets unless their value is a path or a URL (GOOGLE_APPLICATION_
 * CREDENTIALS=/etc/key.json names a file, and paths appear in answers). */
static int add_env(struct mb_scan *sc, char *const *envp)
{
	for (char *const *e = envp; e && *e; e++) {
		const char *eq = strchr(*e, '=');
		if (!eq)
			continue;
		size_t nlen = (size_t)(eq - *e);
		const char *val = eq + 1;
		size_t vlen = strlen(val);
		bool named = false;
		mb_vec_foreach(x, &sc->p->scan.env) named |= strlen(*x) == nlen &&
							     memcmp(*x, *e, nlen) == 0;
		bool guessed = secret_name(*e, nlen) && val[0] != '/' && !strstr(val, "://");
		if ((!named && !guessed) || vlen < MB_SCAN_EXACT_MIN)
			continue;
		char label[128];
		snprintf(label, sizeof(label), "%.*s", (int)(nlen < 120 ? nlen : 120), *e);
		int r = mb_detector_exact_add(&sc->dets[DET_EXACT], MB_SCAN_ENV_SECRET, label, val, vlen);
		if (r < 0)
			return r;
	}
	return 0;
}

int mb_scan_new(const struct mb_profile *p, char *const *envp, const struct mb_scan_events *ev,
		struct mb_scan **ret)
{
	struct mb_scan *sc = calloc(1, sizeof(*sc));
	if (!sc)
		return -ENOMEM;
	sc->p = p;
	sc->ev = *ev;
	int r = mb_scan_walker_new(&sc->walker);
	if (r == 0)
		r = mb_detector_hidden(&sc->dets[DET_HIDDEN]);
	if (r == 0)
		r = mb_detector_contract_text(&sc->dets[DET_CONTRACT]);
	if (r == 0)
		r = mb_detector_secrets(&sc->dets[DET_SECRETS]);
	if (r == 0)
		r = mb_detector_exact(&sc->dets[DET_EXACT]);
	if (r == 0)
		r = add_env(sc, envp);
	if (r < 0) {
		mb_scan_free(sc);
		return r;
	}
	*ret = sc;
	return 0;
}

void mb_scan_free(struct mb_scan *sc)
{
	if (!sc)
		return;
	for (size_t i = 0; i < DET__N; i++)
		if (sc->dets[i].free)
			sc->dets[i].free(&sc->dets[i]);
	mb_scan_walker_free(sc->walker);
	mb_vec_free(&sc->seen);
	mb_vec_foreach(h, &sc->hidden) free(*h);
	mb_vec_free(&sc->hidden);
	mb_vec_foreach(h, &sc->tool_names) free(*h);
	mb_vec_free(&sc->tool_names);
	free(sc);
}

int mb_scan_add_exact(struct mb_scan *sc, enum mb_scan_kind kind, const char *label,
		      const char *value, size_t len)
{
	if (len < MB_SCAN_EXACT_MIN)
		return -EINVAL;
	return mb_detector_exact_add(&sc->dets[DET_EXACT], kind, label, value, len);
}

const struct mb_scan_stats *mb_scan_stats(const struct mb_scan *sc)
{
	return &sc->stats;
}

enum mb_scan_action mb_scan_action_for(const struct mb_scan *sc, unsigned where,
				       enum mb_scan_kind k)
{
	if (sc->p->mode == MB_MODE_AUDIT)
		return MB_SCAN_REPORT;
	return (enum mb_scan_action)(where == MB_SCAN_IN_CONTRACT ? sc->p->scan.contract[k]
								 : sc->p->scan.answers[k]);
}

const char *mb_scan_marker(enum mb_scan_kind k)
{
	static const char *const markers[] = {
#define X(id, name, ...) [MB_SCAN_##id] = "[membrane: redacted " name "]",
		MB_SCAN_KINDS(X)
#undef X
	};
	return markers[k];
}

void mb_scan_report(struct mb_scan *sc, const char *event, cJSON *fields)
{
	sc->ev.report(sc->ev.ud, event, fields);
}

void mb_scan_report_oom(struct mb_scan *sc, const char *what)
{
	cJSON *o = cJSON_CreateObject();
	char reason[160];
	snprintf(reason, sizeof(reason), "out of memory scanning %s: it was not scanned whole", what);
	if (o) {
		cJSON_AddStringToObject(o, "side", "server");
		cJSON_AddStringToObject(o, "reason", reason);
	}
	mb_scan_report(sc, "error", o);
}

void mb_scan_disable(struct mb_scan *sc)
{
	sc->disabled = true;
}

void mb_scan_expect(struct mb_scan *sc, const char *method)
{
	if (!sc->disabled && mb_scan_is_contract(method))
		mb_detector_contract_text_warm();
}

enum mb_scan_verdict mb_scan_result(struct mb_scan *sc, struct mb_call *c, const char *text,
				    struct mb_span msg, bool error, struct mb_strbuf *out)
{
	if (sc->disabled)
		return MB_SCAN_PASS;
	if (!error && mb_scan_is_contract(c->method))
		return mb_scan_contract(sc, c->method, text, msg, out);
	if (mb_scan_is_answer(c->method))
		return mb_scan_answer(sc, c, text, msg, error, out);
	return MB_SCAN_PASS;
}
