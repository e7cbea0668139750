/* SPDX-License-Identifier: Apache-2.0 */
/* Detectors of text the model reads and a person does not see (scan.h):
 *  - hidden (contract and answers): Unicode tag characters, zero-width and
 *    other invisible characters, bidirectional controls, terminal escape
 *    sequences and control characters;
 *  - contract text (the contract only): HTML comments, directive blocks
 *    (<IMPORTANT>...</IMPORTANT>), and phrases that instruct the model
 *    against its user: to set other instructions aside, to keep something
 *    from the user, to read a file that holds secrets, to act on other
 *    tools or servers.
 *
 * The hidden detector is on the answers' hot path: it skips printable ASCII
 * eight bytes at a time and looks at a character only when a word holds a
 * control or a non-ASCII byte. Characters that real text uses are let be:
 * a zero-width joiner or non-joiner, or a left-to-right or right-to-left
 * mark, between two visible non-ASCII characters (emoji sequences, Indic
 * and Persian script, Hebrew and Arabic); a single variation selector (a
 * run of them is how bytes are smuggled); the tag sequence of a flag emoji;
 * a byte-order mark opening a string; tab, LF, CR and form feed.
 *
 * The contract text detector reads descriptions, which are short and seen
 * once per listing: it works on a copy with the hidden characters removed
 * (so that <IMPO\u200bRTANT> is still a directive) and matches phrases with
 * POSIX extended expressions, case-insensitively. Phrases are heuristics:
 * they catch the published shapes of tool poisoning (Invariant Labs'
 * <IMPORTANT> blocks, shadowing of another server's tools, "do not mention
 * this to the user") and their rewordings that keep those words, not every
 * way a sentence can be written. */
#include <pthread.h>
#include <regex.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/macros.h"
#include "common/strbuf.h"
#include "common/utf8.h"
#include "supervisor/inspect/scan.h"

/* ---- hidden ---- */

enum cls {
	C_NONE,
	C_TAG,       /* U+E0000-E007F */
	C_ZW,        /* zero-width or invisible: always */
	C_ZW_JOIN,   /* ZWJ, ZWNJ: unless between visible non-ASCII */
	C_BIDI,      /* embeddings, overrides, isolates: always */
	C_BIDI_MARK, /* LRM, RLM, ALM: unless between visible non-ASCII */
	C_VS,        /* variation selectors: in runs of two or more */
	C_CTRL,      /* C1 controls */
};

static enum cls classify(unsigned c)
{
	if (c < 0x80)
		return C_NONE;
	if (c <= 0x9f)
		return C_CTRL;
	if (c >= 0xe0000 && c <= 0xe007f)
		return C_TAG;
	if ((c >= 0xfe00 && c <= 0xfe0f) || (c >= 0xe0100 && c <= 0xe01ef))
		return C_VS;
	switch (c) {
	case 0x200c:
	case 0x200d:
		return C_ZW_JOIN;
	case 0x200e:
	case 0x200f:
	case 0x061c:
		return C_BIDI_MARK;
	case 0x200b:
	case 0x2060:
	case 0x2061:
	case 0x2062:
	case 0x2063:
	case 0x2064:
	case 0xfeff:
	case 0x180e:
	case 0x115f:
	case 0x1160:
	case 0x3164:
	case 0xffa0:
		return C_ZW;
	}
	if ((c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069))
		return C_BIDI;
	return C_NONE;
}

static enum mb_scan_kind kind_of(enum cls c)
{
	switch (c) {
	case C_TAG: return MB_SCAN_UNICODE_TAGS;
	case C_BIDI:
	case C_BIDI_MARK: return MB_SCAN_BIDI;
	case C_CTRL: return MB_SCAN_ANSI;
	default: return MB_SCAN_ZERO_WIDTH;
	}
}

/* The code point at s[i] (valid UTF-8) and its length. */
static unsigned cp_at(const unsigned char *s, size_t i, size_t *len)
{
	unsigned char b = s[i];
	*len = b < 0x80 ? 1 : b < 0xe0 ? 2 : b < 0xf0 ? 3 : 4;
	return mb_utf8_cp(s + i, *len);
}

/* Bytes of an escape sequence or control character at s[0] (< 0x20 or
 * DEL): CSI (ESC [ params final), OSC/DCS/APC/PM/SOS (to BEL or ESC \),
 * ESC and one character, or the control alone. */
static size_t ctrl_len(const unsigned char *s, size_t n)
{
	if (s[0] != 0x1b || n < 2)
		return 1;
	unsigned char t = s[1];
	size_t i = 2;
	if (t == '[') {
		while (i < n && s[i] >= 0x20 && s[i] <= 0x3f)
			i++;
		return i < n && s[i] >= 0x40 && s[i] <= 0x7e ? i + 1 : i;
	}
	if (t == ']' || t == 'P' || t == '_' || t == '^' || t == 'X') {
		for (size_t lim = n < 4096 ? n : 4096; i < lim; i++) {
			if (s[i] == 0x07)
				return i + 1;
			if (s[i] == 0x1b && i + 1 < n && s[i + 1] == '\\')
				return i + 2;
		}
		return i;
	}
	return t >= 0x20 && t < 0x7f ? 2 : 1;
}

/* Can the character at s[i] (lead byte >= 0x80) be one classify() knows?
 * Only these lead bytes start one: C2 (C1 controls), D8 (U+061C), E1
 * (U+115F, U+1160, U+180E), E2 80-81 (U+2000-207F), E3 (U+3164), EF (U+FE00-
 * FEFF, U+FFA0), F3 (tags, variation selectors). */
static inline bool candidate(const unsigned char *s, size_t n, size_t i)
{
	switch (s[i]) {
	case 0xc2: return i + 1 < n && s[i + 1] <= 0x9f;
	case 0xe2: return i + 1 < n && (s[i + 1] == 0x80 || s[i + 1] == 0x81);
	case 0xd8:
	case 0xe1:
	case 0xe3:
	case 0xef:
	case 0xf3: return true;
	default: return false;
	}
}

/* The high bit of each byte of the 8-byte word (little-endian) that is
 * < 0x20, DEL or non-ASCII; the lowest set bit is exact (borrows and carries
 * only mark bytes above a true one). */
static inline uint64_t word_special(uint64_t w)
{
	const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
	return (w | (w + ones) | ((w - 0x20 * ones) & ~w)) & high;
}

struct run {
	enum cls cls;
	size_t off, end, count;
};

static void flush(struct run *r, mb_scan_hit_fn fn, void *ud)
{
	if (r->cls == C_NONE)
		return;
	if (r->cls != C_VS || r->count >= 2) {
		struct mb_scan_hit h = { kind_of(r->cls), r->off, r->end - r->off, NULL };
		fn(ud, &h);
	}
	r->cls = C_NONE;
}

/* The flag emoji's tag sequence: U+1F3F4, then tags ending in U+E007F. */
static bool flag_tags(const unsigned char *s, size_t off, size_t end)
{
	return off >= 4 && memcmp(s + off - 4, "\xf0\x9f\x8f\xb4", 4) == 0 && end - off <= 7 * 4 &&
	       memcmp(s + end - 4, "\xf3\xa0\x81\xbf", 4) == 0;
}

static bool visible_non_ascii(const unsigned char *s, size_t n, size_t i, bool before)
{
	if (before) {
		if (i == 0 || s[i - 1] < 0x80)
			return false;
		size_t j = i - 1;
		while (j > 0 && (s[j] & 0xc0) == 0x80)
			j--;
		size_t len;
		return classify(cp_at(s, j, &len)) == C_NONE;
	}
	if (i >= n || s[i] < 0x80)
		return false;
	size_t len;
	enum cls c = classify(cp_at(s, i, &len));
	return c == C_NONE || c == C_VS;
}

static void hidden_scan(const struct mb_detector *d, const struct mb_scan_str *str,
			mb_scan_hit_fn fn, void *ud)
{
	(void)d;
	const unsigned char *s = (const unsigned char *)str->s;
	size_t n = str->n, i = 0;
	struct run r = { .cls = C_NONE };
	while (i < n) {
		if (r.cls == C_NONE) {
			while (i + 8 <= n) {
				uint64_t w, m;
				memcpy(&w, s + i, 8);
				if ((m = word_special(w))) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
					i += (size_t)__builtin_ctzll(m) / 8; /* the first special */
#endif
					break;
				}
				i += 8;
			}
			while (i < n && s[i] >= 0x20 && s[i] < 0x7f)
				i++;
			if (i >= n)
				break;
		}
		unsigned char b = s[i];
		size_t len;
		enum cls c;
		if (b < 0x80) {
			if (b == '\n' || b == '\t' || b == '\r' || b == '\f' || (b >= 0x20 && b < 0x7f)) {
				if (r.cls != C_NONE)
					flush(&r, fn, ud);
				i++;
				continue;
			}
			len = ctrl_len(s + i, n - i);
			c = C_CTRL;
		} else if (!candidate(s, n, i)) {
			/* Most non-ASCII text: no code point we look for. */
			if (r.cls != C_NONE)
				flush(&r, fn, ud);
			i += b < 0xe0 ? 2 : b < 0xf0 ? 3 : 4;
			continue;
		} else {
			unsigned cp = cp_at(s, i, &len);
			c = classify(cp);
			if (c == C_ZW && cp == 0xfeff && i == 0)
				c = C_NONE; /* a byte-order mark opening a file */
			if ((c == C_ZW_JOIN || c == C_BIDI_MARK) && visible_non_ascii(s, n, i, true) &&
			    visible_non_ascii(s, n, i + len, false))
				c = C_NONE;
		}
		if (r.cls != C_NONE && (c != r.cls || c == C_NONE))
			flush(&r, fn, ud);
		if (c != C_NONE) {
			if (r.cls == C_NONE)
				r = (struct run){ c, i, i, 0 };
			r.end = i + len;
			r.count++;
		}
		i += len;
		if (r.cls == C_TAG && (i >= n || s[i] != 0xf3) && flag_tags(s, r.off, r.end))
			r.cls = C_NONE;
	}
	flush(&r, fn, ud);
}

int mb_detector_hidden(struct mb_detector *d)
{
	*d = (struct mb_detector){ .name = "hidden", .where = MB_SCAN_IN_CONTRACT | MB_SCAN_IN_ANSWERS,
				   .scan = hidden_scan };
	return 0;
}

/* ---- contract text ---- */

/* ' ' in a phrase stands for any run of white space. */
static const struct {
	enum mb_scan_kind kind;
	const char *re;
} phrases[] = {
	{ MB_SCAN_OVERRIDE,
	  "(ignore|disregard|forget|override|bypass) (all |any |the |your |every )?(of )?(the |your )?"
	  "(previous|prior|above|earlier|preceding|other|existing|original|system|safety|user'?s?) "
	  "(instructions|prompts?|rules|guidelines|directions|messages|constraints|policies|guardrails)" },
	{ MB_SCAN_OVERRIDE,
	  "(reveal|print|output|repeat|leak|disclose) (me )?(your|the) (system prompt|hidden "
	  "instructions|initial instructions)" },
	{ MB_SCAN_OVERRIDE,
	  "(takes?|has|have|given) (absolute |the highest |higher |top )?(precedence|priority) over" },
	{ MB_SCAN_OVERRIDE, "(new|updated|real|true|actual) (system )?instructions ?:" },
	{ MB_SCAN_OVERRIDE, "(from now on|you are now)[,[:space:]]" },
	{ MB_SCAN_CONCEALMENT,
	  "(do not|don't|dont|never|must not|should not|shouldn't|without) (ever )?"
	  "(tell|inform|mention|reveal|show|notify|alert|disclose|telling|informing|mentioning|"
	  "notifying|alerting|asking|revealing)( [a-z'-]+){0,3}( (to|with))? (the )?"
	  "(users?|humans?|operators?|person|customers?)" },
	{ MB_SCAN_CONCEALMENT,
	  "(users?|humans?) (must|should|will|need|needs|does|do) (not|never) (to )?"
	  "(know|see|notice|find out|learn|be told|be informed|be aware)" },
	{ MB_SCAN_CONCEALMENT,
	  "(hide|conceal|keep) (this|it|that|these|them)( secret| hidden)? from (the )?(users?|humans?)" },
	{ MB_SCAN_CONCEALMENT,
	  "(do not|don't|dont|never) (mention|reveal|disclose|explain|say) (that|this|these|the "
	  "(fact|instructions?|file|step))" },
	{ MB_SCAN_CONCEALMENT,
	  "(silently|secretly|covertly|quietly|invisibly) (send|read|forward|include|copy|upload|"
	  "exfiltrate|pass|add|call|invoke|run|execute|collect|attach|append)" },
	{ MB_SCAN_SENSITIVE_PATH,
	  "(\\.ssh(/|$|[^a-z0-9_])|id_(rsa|dsa|ecdsa|ed25519)|\\.cursor/|mcp\\.json|"
	  "claude_desktop_config|\\.aws/(credentials|config)|\\.netrc|\\.npmrc|\\.pypirc|"
	  "\\.git-credentials|\\.docker/config\\.json|\\.kube/config|/etc/(shadow|passwd|sudoers)|"
	  "\\.bash_history|\\.zsh_history|wallet\\.dat|\\.gnupg|gcloud/(credentials|"
	  "application_default)|\\.azure/|(^|[^a-z0-9_.])\\.env($|[^a-z0-9_.]))" },
	{ MB_SCAN_CROSS_TOOL,
	  "(side effect|effect|impact|influence) on (the )?(also present |other |another |existing )?"
	  "[a-z0-9_.-]+ (tool|server)" },
	{ MB_SCAN_CROSS_TOOL,
	  "when (this|the) tool is (available|present|loaded|installed|enabled|connected)" },
	{ MB_SCAN_CROSS_TOOL,
	  "the [a-z0-9]+[_.-][a-z0-9_.-]* tool (must|should|shall|has to|needs to|will) (always |"
	  "also |now |instead )?(send|forward|include|redirect|cc|bcc|copy|pass|use|add|call|be "
	  "called|set)" },
	{ MB_SCAN_CROSS_TOOL,
	  "(send|forward|redirect|cc|bcc|copy|route) (all|every|each|any) (e-?mails?|messages?|"
	  "requests?|calls?|data|results?|outputs?|files?|responses?|replies)( (also|too))? to" },
	{ MB_SCAN_CROSS_TOOL,
	  "(before|after|when|whenever|instead of) (you )?(use|using|call|calling|invoke|invoking|run|"
	  "running) (any|every|another|other|all|each)( other)? (tools?|functions?|servers?)" },
	{ MB_SCAN_CROSS_TOOL,
	  "(instead of|rather than) (using |calling )?(the |any )?(other|another|original|real|"
	  "built-in|default)( [a-z0-9_.-]+)? (tools?|functions?|servers?)" },
	{ MB_SCAN_CROSS_TOOL,
	  "(tools?|functions?) (of|from|in|on) (the |any |another |other |all )[a-z0-9_.-]+ "
	  "(mcp )?servers?" },
};

/* Names of directive blocks: what poisoned descriptions wrap their orders
 * in so that a model treats them as coming from above. */
static const char *const directive_names[] = {
	"important", "system", "system_prompt", "system-prompt", "sys", "instructions",
	"instruction", "hidden", "secret", "admin", "administrator", "critical", "override",
	"mandatory", "urgent", "attention", "assistant", "ai", "llm", "do-not-show", "internal",
};

/* Sending the model to a tool by name ("call send_email with ..."): a
 * finding when the server lists no tool of that name itself. Names with
 * '_', '-' or '.' only: a plain word is no tool name (and see
 * tool_like()). */
static const char call_re[] =
	"(call|invoke|use|run|trigger|calling|invoking|using|running|triggering) (the )?`?"
	"([a-z0-9]+[_.-][a-z0-9_.-]*[a-z0-9])";
/* ... and the same in the passive: "when send_message is invoked". */
static const char called_re[] =
	"([a-z0-9]+[_.-][a-z0-9_.-]*[a-z0-9])`?( tool| function)? (is|gets|has been|was) "
	"(invoked|called|used|run|triggered)";

struct contract_text {
	regex_t re[ARRAY_SIZE(phrases)];
	size_t nre;
	regex_t call, called;
	bool call_ok, called_ok;
};

struct visible {
	char *s;      /* lower-cased, hidden characters removed, NUL-terminated */
	size_t *map;  /* s[i] came from the string's byte map[i] */
	size_t n;
};

struct collect {
	size_t *off, *end;
	size_t n, cap;
};

static void collect_hidden(void *ud, const struct mb_scan_hit *h)
{
	struct collect *c = ud;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 8;
		size_t *o = realloc(c->off, cap * sizeof(*o));
		if (o)
			c->off = o;
		size_t *e = o ? realloc(c->end, cap * sizeof(*e)) : NULL;
		if (!o || !e)
			return; /* out of memory: that run stays in the copy */
		c->end = e;
		c->cap = cap;
	}
	c->off[c->n] = h->off;
	c->end[c->n++] = h->off + h->len;
}

static int make_visible(const struct mb_scan_str *str, struct visible *v)
{
	struct collect c = { 0 };
	hidden_scan(NULL, str, collect_hidden, &c);
	v->s = malloc(str->n + 1);
	v->map = malloc((str->n + 1) * sizeof(*v->map));
	if (!v->s || !v->map) {
		free(c.off);
		free(c.end);
		return -ENOMEM;
	}
	size_t o = 0, k = 0;
	for (size_t i = 0; i < str->n;) {
		if (k < c.n && i == c.off[k]) {
			i = c.end[k++];
			continue;
		}
		char ch = str->s[i];
		v->s[o] = ch >= 'A' && ch <= 'Z' ? (char)(ch | 0x20) : ch;
		v->map[o++] = i++;
	}
	v->s[o] = '\0';
	v->map[o] = str->n;
	v->n = o;
	free(c.off);
	free(c.end);
	return 0;
}

static void hit_visible(const struct mb_scan_str *str, const struct visible *v,
			enum mb_scan_kind kind, size_t so, size_t eo, mb_scan_hit_fn fn, void *ud)
{
	if (eo <= so)
		return;
	size_t off = v->map[so], end = v->map[eo - 1] + 1;
	/* Whole characters: a byte-wise match may begin or end inside one. */
	while (off > 0 && (str->s[off] & 0xc0) == 0x80)
		off--;
	while (end < str->n && (str->s[end] & 0xc0) == 0x80)
		end++;
	struct mb_scan_hit h = { kind, off, end - off, NULL };
	fn(ud, &h);
}

static struct contract_text compiled; /* see compile_all */
static pthread_once_t compiled_once = PTHREAD_ONCE_INIT;
static void compile_all(void);

static bool own_name(const struct mb_scan_str *str, const char *s, size_t n)
{
	for (size_t i = 0; i < str->nnames; i++)
		if (strlen(str->names[i]) == n && strncasecmp(str->names[i], s, n) == 0)
			return true;
	return false;
}

/* Does the word at v->s[a, b) read as a tool's name? It has '_' or '.', or
 * it is quoted (`get-env`) or called a tool or function: "git-style" or
 * "utf-8" after "using" is no tool. */
static bool tool_like(const struct visible *v, size_t a, size_t b)
{
	if (memchr(v->s + a, '_', b - a) || memchr(v->s + a, '.', b - a))
		return true;
	if (a > 0 && v->s[a - 1] == '`')
		return true;
	const char *after = v->s + b + (b < v->n && v->s[b] == '`');
	return strncmp(after, " tool", 5) == 0 || strncmp(after, " function", 9) == 0;
}

/* Matches of re whose group g names, as a tool, no tool of the server. */
static void not_own(const regex_t *re, bool ok, int g, const struct mb_scan_str *str,
		    const struct visible *v, mb_scan_hit_fn fn, void *ud)
{
	size_t at = 0;
	regmatch_t m[5];
	while (ok && str->nnames && at < v->n && regexec(re, v->s + at, 5, m, at ? REG_NOTBOL : 0) == 0) {
		size_t so = at + (size_t)m[0].rm_so, eo = at + (size_t)m[0].rm_eo;
		size_t na = at + (size_t)m[g].rm_so, nb = at + (size_t)m[g].rm_eo;
		if (tool_like(v, na, nb) && !own_name(str, v->s + na, nb - na))
			hit_visible(str, v, MB_SCAN_CROSS_TOOL, so, eo, fn, ud);
		at = eo > so ? eo : so + 1;
	}
}

static void other_tools(const struct contract_text *ct, const struct mb_scan_str *str,
			const struct visible *v, mb_scan_hit_fn fn, void *ud)
{
	not_own(&ct->call, ct->call_ok, 3, str, v, fn, ud);
	not_own(&ct->called, ct->called_ok, 1, str, v, fn, ud);
}

static bool directive_name(const char *s, size_t n)
{
	for (size_t i = 0; i < ARRAY_SIZE(directive_names); i++)
		if (strlen(directive_names[i]) == n && memcmp(directive_names[i], s, n) == 0)
			return true;
	return false;
}

/* <NAME ...> at s[i]: the name's span and the tag's end; false if none. */
static bool tag_at(const char *s, size_t n, size_t i, bool *closing, size_t *name, size_t *name_len,
		   size_t *end)
{
	size_t j = i + 1;
	*closing = j < n && s[j] == '/';
	if (*closing)
		j++;
	*name = j;
	while (j < n && ((s[j] >= 'a' && s[j] <= 'z') || s[j] == '_' || s[j] == '-'))
		j++;
	*name_len = j - *name;
	if (!*name_len)
		return false;
	for (size_t lim = j + 200; j < n && j < lim; j++)
		if (s[j] == '>') {
			*end = j + 1;
			return true;
		} else if (s[j] == '<' || s[j] == '\n') {
			return false;
		}
	return false;
}

static void markup(const struct mb_scan_str *str, const struct visible *v, mb_scan_hit_fn fn,
		   void *ud)
{
	const char *s = v->s;
	size_t n = v->n;
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '<')
			continue;
		if (strncmp(s + i, "<!--", 4) == 0) {
			const char *e = strstr(s + i + 4, "-->");
			size_t end = e ? (size_t)(e - s) + 3 : n;
			hit_visible(str, v, MB_SCAN_HTML_COMMENT, i, end, fn, ud);
			i = end - 1;
			continue;
		}
		bool closing;
		size_t nm, nl, tend;
		if (!tag_at(s, n, i, &closing, &nm, &nl, &tend) || !directive_name(s + nm, nl))
			continue;
		size_t end = tend;
		if (!closing) {
			/* The block runs to its closing tag, or to the end. */
			end = n;
			for (size_t k = tend; k + 2 + nl < n; k++) {
				bool c2;
				size_t nm2, nl2, e2;
				if (s[k] == '<' && s[k + 1] == '/' && tag_at(s, n, k, &c2, &nm2, &nl2, &e2) &&
				    nl2 == nl && memcmp(s + nm2, s + nm, nl) == 0) {
					end = e2;
					break;
				}
			}
		}
		hit_visible(str, v, MB_SCAN_DIRECTIVE_TAG, i, end, fn, ud);
		i = end - 1;
	}
}

static void contract_scan(const struct mb_detector *d, const struct mb_scan_str *str,
			  mb_scan_hit_fn fn, void *ud)
{
	(void)d;
	pthread_once(&compiled_once, compile_all);
	const struct contract_text *ct = &compiled;
	struct visible v;
	if (str->n == 0 || make_visible(str, &v) < 0)
		return;
	markup(str, &v, fn, ud);
	/* A phrase two expressions match is one finding: the first. */
	struct { size_t so, eo; enum mb_scan_kind kind; } seen[32];
	size_t nseen = 0;
	for (size_t k = 0; k < ct->nre; k++) {
		size_t at = 0;
		regmatch_t m;
		while (at < v.n && regexec(&ct->re[k], v.s + at, 1, &m, at ? REG_NOTBOL : 0) == 0) {
			size_t so = at + (size_t)m.rm_so, eo = at + (size_t)m.rm_eo;
			bool dup = false;
			for (size_t i = 0; i < nseen; i++)
				dup |= seen[i].kind == phrases[k].kind && seen[i].so < eo && so < seen[i].eo;
			if (!dup) {
				hit_visible(str, &v, phrases[k].kind, so, eo, fn, ud);
				if (nseen < ARRAY_SIZE(seen))
					seen[nseen].so = so, seen[nseen].eo = eo, seen[nseen++].kind = phrases[k].kind;
			}
			at = eo > so ? eo : so + 1;
		}
	}
	other_tools(ct, str, &v, fn, ud);
	free(v.s);
	free(v.map);
}

/* Compile re with ' ' standing for any run of white space. */
static int compile(regex_t *out, const char *re)
{
	struct mb_strbuf b = { 0 };
	for (const char *p = re; *p; p++)
		if (*p == ' ')
			mb_strbuf_puts(&b, "[[:space:]]+");
		else
			mb_strbuf_putc(&b, *p);
	int r = mb_strbuf_failed(&b) ? REG_ESPACE : regcomp(out, b.s, REG_EXTENDED | REG_ICASE);
	mb_strbuf_free(&b);
	return r == 0 ? 0 : r == REG_ESPACE ? -ENOMEM : -EINVAL;
}

/* The expressions are compiled once per process, at the first contract
 * string (regcomp takes about a millisecond for them all: a cost for the
 * first listing, not for every inspector a test or the fuzzer makes), and
 * kept: they are the same for every scanner. */
static void compile_all(void)
{
	struct contract_text *ct = &compiled;
	int r = 0;
	for (size_t i = 0; i < ARRAY_SIZE(phrases) && r == 0; i++)
		if ((r = compile(&ct->re[i], phrases[i].re)) == 0)
			ct->nre++;
	/* Out of memory here leaves the phrases compiled so far, and markup. */
	if (r == 0 && compile(&ct->call, call_re) == 0)
		ct->call_ok = true;
	if (r == 0 && compile(&ct->called, called_re) == 0)
		ct->called_ok = true;
}

static void *compile_on_thread(void *arg)
{
	(void)arg;
	pthread_once(&compiled_once, compile_all);
	return NULL;
}

void mb_detector_contract_text_warm(void)
{
	static atomic_bool started;
	if (atomic_exchange(&started, true))
		return;
	pthread_attr_t a;
	pthread_t t;
	if (pthread_attr_init(&a) != 0)
		return; /* the first contract string compiles them */
	if (pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED) == 0)
		(void)pthread_create(&t, &a, compile_on_thread, NULL);
	pthread_attr_destroy(&a);
}

int mb_detector_contract_text(struct mb_detector *d)
{
	*d = (struct mb_detector){ .name = "contract-text", .where = MB_SCAN_IN_CONTRACT,
				   .scan = contract_scan };
	return 0;
}
