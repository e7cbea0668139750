/* SPDX-License-Identifier: Apache-2.0 */
/* Deterministic secret detectors (scan.h), for answers:
 *  - by form: PEM and OpenSSH private keys (BEGIN ... PRIVATE KEY to its END
 *    line, or to the end of the string), AWS access key ids, Google API keys
 *    and OAuth access tokens, Azure client secrets, GitHub, GitLab and Slack
 *    tokens, Slack webhook URLs, JSON Web Tokens;
 *  - by name: a value after a key-like name (password, secret, token,
 *    api_key, ...: NAME=VALUE, NAME: VALUE, "NAME": "VALUE", a JSON
 *    member named so, Authorization: Bearer VALUE) that looks generated: 8
 *    bytes or more, letters and digits, at least 3 bits of entropy per
 *    byte, not a placeholder, path, URL or expression. The AWS secret key
 *    and the Azure storage key are told by their names;
 *  - exact values: the profile's own secrets and canary tokens, found as
 *    they are wherever they appear.
 *
 * One pass over the decoded string: runs of token characters are offered to
 * the form detectors by their first byte, and ':' and '=' to the name
 * detector; nothing else is looked at twice. The exact detector looks for
 * each value's rarest byte with memchr and compares around it. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/macros.h"
#include "common/vec.h"
#include "supervisor/inspect/scan.h"

/* Token characters: base64, base64url, and the separators of the token
 * forms ('.', '~'). A table: the token loop asks for every byte. */
#define T1(c) [c] = 1
static const unsigned char tok_tab[256] = {
	T1('_'), T1('-'), T1('+'), T1('/'), T1('.'), T1('~'),
	T1('0'), T1('1'), T1('2'), T1('3'), T1('4'), T1('5'), T1('6'), T1('7'), T1('8'), T1('9'),
	T1('A'), T1('B'), T1('C'), T1('D'), T1('E'), T1('F'), T1('G'), T1('H'), T1('I'), T1('J'),
	T1('K'), T1('L'), T1('M'), T1('N'), T1('O'), T1('P'), T1('Q'), T1('R'), T1('S'), T1('T'),
	T1('U'), T1('V'), T1('W'), T1('X'), T1('Y'), T1('Z'),
	T1('a'), T1('b'), T1('c'), T1('d'), T1('e'), T1('f'), T1('g'), T1('h'), T1('i'), T1('j'),
	T1('k'), T1('l'), T1('m'), T1('n'), T1('o'), T1('p'), T1('q'), T1('r'), T1('s'), T1('t'),
	T1('u'), T1('v'), T1('w'), T1('x'), T1('y'), T1('z'),
};
#undef T1

static bool tok(unsigned char c)
{
	return tok_tab[c];
}

bool mb_scan_token_char(unsigned char c)
{
	return tok_tab[c];
}

static bool alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool b64url(unsigned char c)
{
	return alnum(c) || c == '_' || c == '-';
}

static bool upper_digit(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Bytes from s[i] on (of n) that pass f, at most max. */
static size_t span_of(const char *s, size_t n, size_t i, bool (*f)(unsigned char), size_t max)
{
	size_t j = i;
	while (j < n && j - i < max && f((unsigned char)s[j]))
		j++;
	return j - i;
}

static bool starts(const char *s, size_t n, size_t i, const char *prefix)
{
	size_t k = strlen(prefix);
	return n - i >= k && memcmp(s + i, prefix, k) == 0;
}

/* A match of len bytes at i counts only if it is not the start of
 * something longer of the same alphabet. */
static bool bounded(const char *s, size_t n, size_t end, bool (*f)(unsigned char))
{
	return end >= n || !f((unsigned char)s[end]);
}

/* ---- forms ---- */

static size_t pem(const char *s, size_t n, size_t i)
{
	if (!starts(s, n, i, "-----BEGIN "))
		return 0;
	size_t j = i + 11, lim = j + 40;
	while (j < n && j < lim && (upper_digit((unsigned char)s[j]) || s[j] == ' '))
		j++;
	/* "... PRIVATE KEY-----" or "... PRIVATE KEY BLOCK-----" (PGP) */
	const char *label = s + i + 11;
	size_t llen = j - (i + 11);
	if (!memmem(label, llen, "PRIVATE KEY", 11) || !starts(s, n, j, "-----"))
		return 0;
	/* A key has a body: base64 (or an encrypted key's headers) on the
	 * next line. Code that names the header ("-----BEGIN PRIVATE
	 * KEY-----" in a parser) has none. */
	size_t b = j + 5;
	while (b < n && (s[b] == '\r' || s[b] == '\n' || s[b] == ' '))
		b++;
	bool body = starts(s, n, b, "Proc-Type:") || starts(s, n, b, "Comment:");
	size_t k = b;
	while (!body && k < n && k - b < 16 && (alnum((unsigned char)s[k]) || s[k] == '+' || s[k] == '/'))
		k++;
	if (!body && k - b < 16)
		return 0;
	const char *end = memmem(s + j, n - j, "-----END ", 9);
	if (!end)
		return n - i;
	size_t e = (size_t)(end - s) + 9;
	const char *close = e < n ? memmem(s + e, n - e < 60 ? n - e : 60, "-----", 5) : NULL;
	return close ? (size_t)(close - s) + 5 - i : e - i;
}

static size_t aws_access(const char *s, size_t n, size_t i)
{
	static const char *const prefixes[] = { "AKIA", "ASIA", "ABIA", "ACCA", "AGPA", "AIDA",
						"AROA", "AIPA", "ANPA", "ANVA", "APKA" };
	bool p = false;
	for (size_t k = 0; k < ARRAY_SIZE(prefixes) && !p; k++)
		p = starts(s, n, i, prefixes[k]);
	if (!p && !(starts(s, n, i, "A3T") && n - i > 3 && upper_digit((unsigned char)s[i + 3])))
		return 0;
	size_t len = 4 + span_of(s, n, i + 4, upper_digit, 17);
	return len == 20 && bounded(s, n, i + 20, alnum) ? 20 : 0;
}

static size_t gcp_api_key(const char *s, size_t n, size_t i)
{
	if (!starts(s, n, i, "AIza"))
		return 0;
	size_t len = 4 + span_of(s, n, i + 4, b64url, 36);
	return len == 39 ? 39 : 0;
}

static size_t gcp_oauth(const char *s, size_t n, size_t i)
{
	if (!starts(s, n, i, "ya29."))
		return 0;
	size_t len = span_of(s, n, i + 5, b64url, SIZE_MAX);
	return len >= 20 ? 5 + len : 0;
}

static bool azure_char(unsigned char c)
{
	return alnum(c) || c == '_' || c == '~' || c == '.' || c == '-';
}

/* Azure AD client secrets: three characters, a digit, "Q~", 31 to 34 more. */
static size_t azure_secret(const char *s, size_t n, size_t i)
{
	if (n - i < 37 || s[i + 3] < '0' || s[i + 3] > '9' || s[i + 4] != 'Q' || s[i + 5] != '~' ||
	    span_of(s, n, i, azure_char, 3) != 3)
		return 0;
	size_t len = span_of(s, n, i + 6, azure_char, 35);
	return len >= 31 && len <= 34 ? 6 + len : 0;
}

static size_t github(const char *s, size_t n, size_t i)
{
	if (starts(s, n, i, "github_pat_")) {
		bool (*f)(unsigned char) = b64url;
		size_t len = span_of(s, n, i + 11, f, SIZE_MAX);
		return len >= 22 ? 11 + len : 0;
	}
	if (!(starts(s, n, i, "ghp_") || starts(s, n, i, "gho_") || starts(s, n, i, "ghu_") ||
	      starts(s, n, i, "ghs_") || starts(s, n, i, "ghr_")))
		return 0;
	size_t len = span_of(s, n, i + 4, alnum, SIZE_MAX);
	return len >= 36 && len <= 255 ? 4 + len : 0;
}

static size_t gitlab(const char *s, size_t n, size_t i)
{
	static const char *const prefixes[] = { "glpat-", "gldt-", "glrt-", "glptt-", "glsoat-",
						"glcbt-", "glffct-", "gloas-", "glimt-" };
	for (size_t k = 0; k < ARRAY_SIZE(prefixes); k++)
		if (starts(s, n, i, prefixes[k])) {
			size_t p = strlen(prefixes[k]);
			size_t len = span_of(s, n, i + p, b64url, SIZE_MAX);
			return len >= 20 ? p + len : 0;
		}
	return 0;
}

static bool slack_char(unsigned char c)
{
	return alnum(c) || c == '-';
}

static size_t slack(const char *s, size_t n, size_t i)
{
	if (starts(s, n, i, "xapp-") || (starts(s, n, i, "xox") && n - i > 4 && s[i + 4] == '-' &&
					  strchr("abposre", s[i + 3]))) {
		size_t len = span_of(s, n, i + 5, slack_char, SIZE_MAX);
		return len >= 10 ? 5 + len : 0;
	}
	return 0;
}

static size_t slack_webhook(const char *s, size_t n, size_t i)
{
	static const char host[] = "//hooks.slack.com/services/";
	if (!starts(s, n, i, host))
		return 0;
	size_t j = i + sizeof(host) - 1;
	size_t len = span_of(s, n, j, tok, SIZE_MAX);
	return len >= 20 ? sizeof(host) - 1 + len : 0;
}

/* header.payload.signature, header and payload JSON objects ("eyJ" is
 * '{"' in base64url); the signature may be empty (alg none). */
static size_t jwt(const char *s, size_t n, size_t i)
{
	if (!starts(s, n, i, "eyJ"))
		return 0;
	size_t h = span_of(s, n, i, b64url, SIZE_MAX);
	if (h < 10 || i + h >= n || s[i + h] != '.' || !starts(s, n, i + h + 1, "eyJ"))
		return 0;
	size_t j = i + h + 1;
	size_t p = span_of(s, n, j, b64url, SIZE_MAX);
	if (p < 10 || j + p >= n || s[j + p] != '.')
		return 0;
	j += p + 1;
	return j + span_of(s, n, j, b64url, SIZE_MAX) - i;
}

/* A form at s[i] (the start of a token): its kind and length, or 0. */
static size_t form_at(const char *s, size_t n, size_t i, enum mb_scan_kind *kind)
{
	size_t len = 0;
	switch (s[i]) {
	case '-': *kind = MB_SCAN_PRIVATE_KEY, len = pem(s, n, i); break;
	case 'A':
		if ((len = aws_access(s, n, i)))
			*kind = MB_SCAN_AWS_ACCESS_KEY;
		else if ((len = gcp_api_key(s, n, i)))
			*kind = MB_SCAN_GCP_API_KEY;
		break;
	case 'y': *kind = MB_SCAN_GCP_OAUTH_TOKEN, len = gcp_oauth(s, n, i); break;
	case 'g':
		if ((len = github(s, n, i)))
			*kind = MB_SCAN_GITHUB_TOKEN;
		else if ((len = gitlab(s, n, i)))
			*kind = MB_SCAN_GITLAB_TOKEN;
		break;
	case 'x': *kind = MB_SCAN_SLACK_TOKEN, len = slack(s, n, i); break;
	case '/': *kind = MB_SCAN_SLACK_WEBHOOK, len = slack_webhook(s, n, i); break;
	case 'e': *kind = MB_SCAN_JWT, len = jwt(s, n, i); break;
	}
	if (!len && (len = azure_secret(s, n, i)))
		*kind = MB_SCAN_AZURE_CLIENT_SECRET;
	return len;
}

/* ---- by name ---- */

/* What a key-like name says the value is: 0 none, else the kind. The name
 * is compared lower-cased without '_', '-' and '.', by its ending. */
static enum mb_scan_kind name_kind(const char *name, size_t len)
{
	char k[MB_SCAN_KEY_MAX + 1];
	size_t n = 0;
	for (size_t i = 0; i < len && n < MB_SCAN_KEY_MAX; i++) {
		char c = name[i];
		if (c == '_' || c == '-' || c == '.' || c == ' ')
			continue;
		k[n++] = c >= 'A' && c <= 'Z' ? (char)(c | 0x20) : c;
	}
	k[n] = '\0';
	static const struct {
		const char *end;
		enum mb_scan_kind kind;
	} names[] = {
		{ "secretaccesskey", MB_SCAN_AWS_SECRET_KEY }, { "awssecretkey", MB_SCAN_AWS_SECRET_KEY },
		{ "accountkey", MB_SCAN_AZURE_STORAGE_KEY }, { "password", MB_SCAN_NAMED_SECRET },
		{ "passwd", MB_SCAN_NAMED_SECRET }, { "passphrase", MB_SCAN_NAMED_SECRET },
		{ "secret", MB_SCAN_NAMED_SECRET }, { "secretkey", MB_SCAN_NAMED_SECRET },
		{ "token", MB_SCAN_NAMED_SECRET }, { "apikey", MB_SCAN_NAMED_SECRET },
		{ "accesskey", MB_SCAN_NAMED_SECRET }, { "privatekey", MB_SCAN_NAMED_SECRET },
		{ "credential", MB_SCAN_NAMED_SECRET }, { "credentials", MB_SCAN_NAMED_SECRET },
		{ "sessionkey", MB_SCAN_NAMED_SECRET }, { "signingkey", MB_SCAN_NAMED_SECRET },
		{ "encryptionkey", MB_SCAN_NAMED_SECRET }, { "masterkey", MB_SCAN_NAMED_SECRET },
		{ "clientkey", MB_SCAN_NAMED_SECRET }, { "authkey", MB_SCAN_NAMED_SECRET },
		{ "licensekey", MB_SCAN_NAMED_SECRET }, { "authorization", MB_SCAN_NAMED_SECRET },
		{ "sharedaccesskey", MB_SCAN_AZURE_STORAGE_KEY },
	};
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		size_t e = strlen(names[i].end);
		if (n >= e && memcmp(k + n - e, names[i].end, e) == 0)
			return names[i].kind;
	}
	/* Short ones only as a whole word of the name: DB_PASS, not bypass. */
	static const char *const words[] = { "pass", "pwd", "auth", "pat" };
	for (size_t w = 0; w < ARRAY_SIZE(words); w++) {
		size_t e = strlen(words[w]);
		if (len >= e && strncasecmp(name + len - e, words[w], e) == 0 &&
		    (len == e || name[len - e - 1] == '_' || name[len - e - 1] == '-'))
			return strcmp(words[w], "pwd") == 0 && len == e ? 0 : MB_SCAN_NAMED_SECRET;
	}
	return 0;
}

static double entropy(const char *s, size_t n)
{
	unsigned counts[256] = { 0 };
	for (size_t i = 0; i < n; i++)
		counts[(unsigned char)s[i]]++;
	double h = 0;
	for (size_t c = 0; c < 256; c++)
		if (counts[c]) {
			double p = (double)counts[c] / (double)n;
			h -= p * log2(p);
		}
	return h;
}

static bool value_end(unsigned char c)
{
	return c <= ' ' || c == '"' || c == '\'' || c == '`' || c == ',' || c == ';' || c == '&' ||
	       c == '(' || c == ')' || c == '[' || c == ']' || c == '{' || c == '}' || c == '<' ||
	       c == '>' || c == '\\';
}

/* An expression rather than a value: identifiers joined by dots
 * (reader.int32, os.environ.get). */
static bool dotted(const char *s, size_t n)
{
	size_t parts = 0;
	for (size_t i = 0; i < n;) {
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || s[i] == '_' ||
		      s[i] == '$'))
			return false;
		while (i < n && s[i] != '.')
			if (!(alnum((unsigned char)s[i]) || s[i] == '_' || s[i] == '$'))
				return false;
			else
				i++;
		parts++;
		i++;
	}
	return parts >= 2;
}

/* Does s[0, n) look generated rather than written? */
static bool generated(const char *s, size_t n)
{
	if (n < 8 || n > 4096)
		return false;
	bool letter = false, digit = false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		letter |= (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
		digit |= c >= '0' && c <= '9';
	}
	if (!letter || !digit || s[0] == '$' || s[0] == '%' || s[0] == '/' || s[0] == '*' ||
	    memmem(s, n, "://", 3) || memmem(s, n, "${", 2) || memmem(s, n, "{{", 2))
		return false;
	/* Placeholders, and values that name what they stand for (a key
	 * "token: 'token-123'" in a test, "password = getPassword"). */
	static const char *const placeholders[] = { "example", "your", "changeme", "placeholder",
						     "redacted", "dummy", "xxxx", "sample", "token",
						     "secret", "password", "test" };
	for (size_t i = 0; i < ARRAY_SIZE(placeholders); i++) {
		size_t k = strlen(placeholders[i]);
		for (size_t j = 0; j + k <= n; j++)
			if (strncasecmp(s + j, placeholders[i], k) == 0)
				return false;
	}
	if (dotted(s, n))
		return false;
	return entropy(s, n) >= 3.0;
}

static bool ident(unsigned char c)
{
	return alnum(c) || c == '_' || c == '-' || c == '.';
}

/* ':' or '=' at s[i]: a key-like name before it and a generated value after
 * it? Emits the value. *next: where the caller goes on. */
static void named_at(const char *s, size_t n, size_t i, mb_scan_hit_fn fn, void *ud, size_t *next)
{
	size_t v = i + 1;
	if (v < n && (s[v] == '=' || s[v] == '>'))
		v++; /* := and => */
	while (v < n && (s[v] == ' ' || s[v] == '\t'))
		v++;
	if (v < n && (s[v] == '"' || s[v] == '\'' || s[v] == '`'))
		v++;
	if (n - v >= 7 && strncasecmp(s + v, "Bearer ", 7) == 0)
		v += 7;
	else if (n - v >= 6 && strncasecmp(s + v, "Basic ", 6) == 0)
		v += 6;
	size_t e = v;
	while (e < n && !value_end((unsigned char)s[e]))
		e++;
	if (e - v < 8)
		return;
	/* The name: back over quotes and blanks, then the identifier. */
	size_t k = i;
	while (k > 0 && (s[k - 1] == ' ' || s[k - 1] == '\t'))
		k--;
	if (k > 0 && (s[k - 1] == '"' || s[k - 1] == '\''))
		k--;
	size_t ke = k;
	while (k > 0 && ke - k < MB_SCAN_KEY_MAX && ident((unsigned char)s[k - 1]))
		k--;
	if (k == ke)
		return;
	enum mb_scan_kind kind = name_kind(s + k, ke - k);
	enum mb_scan_kind fk;
	if (!kind || form_at(s, n, v, &fk))
		return; /* not a secret's name, or a form the token pass reports */
	if (!generated(s + v, e - v))
		return;
	struct mb_scan_hit h = { kind, v, e - v, NULL };
	fn(ud, &h);
	*next = e;
}

static void secrets_scan(const struct mb_detector *d, const struct mb_scan_str *str,
			 mb_scan_hit_fn fn, void *ud)
{
	(void)d;
	const char *s = str->s;
	size_t n = str->n, i = 0;
	bool found = false;
	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		if (!tok_tab[c]) {
			if (c == '=' || c == ':') {
				size_t next = i + 1;
				named_at(s, n, i, fn, ud, &next);
				found |= next != i + 1;
				i = next;
			} else {
				i++;
			}
			continue;
		}
		size_t j = i + 1;
		while (j < n && tok_tab[(unsigned char)s[j]])
			j++;
		enum mb_scan_kind kind;
		size_t len = (j - i >= 10 || c == '-') ? form_at(s, n, i, &kind) : 0;
		if (len) {
			size_t at = i;
			if (kind == MB_SCAN_SLACK_WEBHOOK && i >= 6 && memcmp(s + i - 6, "https:", 6) == 0)
				at -= 6, len += 6; /* the whole URL */
			struct mb_scan_hit h = { kind, at, len, NULL };
			fn(ud, &h);
			found = true;
			j = i + len > j ? i + len : j;
		} else if (j - i >= 8 && i >= 7 && strncasecmp(s + i - 7, "bearer ", 7) == 0 &&
			   generated(s + i, j - i)) {
			struct mb_scan_hit h = { MB_SCAN_NAMED_SECRET, i, j - i, NULL };
			fn(ud, &h);
			found = true;
		}
		i = j;
	}
	/* A whole string that is the value of a member named like a secret:
	 * {"api_key": "..."}. */
	if (!found && str->key && n >= 8 && !memchr(s, ' ', n)) {
		enum mb_scan_kind kind = name_kind(str->key, str->key_len);
		if (kind && generated(s, n)) {
			struct mb_scan_hit h = { kind, 0, n, NULL };
			fn(ud, &h);
		}
	}
}

int mb_detector_secrets(struct mb_detector *d)
{
	*d = (struct mb_detector){ .name = "secrets", .where = MB_SCAN_IN_ANSWERS,
				   .scan = secrets_scan };
	return 0;
}

/* ---- exact values ---- */

struct needle {
	enum mb_scan_kind kind;
	char *label, *value;
	size_t len;
	size_t anchor; /* the offset of its rarest byte */
};

struct exact {
	MB_VEC(struct needle) v;
};

/* How common a byte is in text, roughly: memchr for a rare one stops
 * seldom. */
static int commonness(unsigned char c)
{
	if (c == ' ' || c == 'e' || c == 't' || c == 'a' || c == 'o' || c == 'i' || c == 'n')
		return 9;
	if (c >= 'a' && c <= 'z')
		return 7;
	if (c == '\n' || c == '"' || c == ',' || c == '.' || c == '\\')
		return 6;
	if (c >= 'A' && c <= 'Z')
		return 4;
	if (c >= '0' && c <= '9')
		return 3;
	return c >= 0x80 ? 2 : 1;
}

static void exact_scan(const struct mb_detector *d, const struct mb_scan_str *str,
		       mb_scan_hit_fn fn, void *ud)
{
	const struct exact *x = d->state;
	const char *s = str->s;
	size_t n = str->n;
	mb_vec_foreach(nd, &x->v) {
		if (nd->len > n)
			continue;
		const char *p = s + nd->anchor, *last = s + n - (nd->len - nd->anchor);
		while (p <= last) {
			const char *q = memchr(p, nd->value[nd->anchor], (size_t)(last - p) + 1);
			if (!q)
				break;
			const char *start = q - nd->anchor;
			if (memcmp(start, nd->value, nd->len) == 0) {
				struct mb_scan_hit h = { nd->kind, (size_t)(start - s), nd->len, nd->label };
				fn(ud, &h);
				p = q + nd->len;
			} else {
				p = q + 1;
			}
		}
	}
}

static void exact_free(struct mb_detector *d)
{
	struct exact *x = d->state;
	if (!x)
		return;
	mb_vec_foreach(nd, &x->v) {
		free(nd->label);
		free(nd->value);
	}
	mb_vec_free(&x->v);
	free(x);
	d->state = NULL;
}

int mb_detector_exact(struct mb_detector *d)
{
	struct exact *x = calloc(1, sizeof(*x));
	if (!x)
		return -ENOMEM;
	*d = (struct mb_detector){ .name = "exact", .where = MB_SCAN_IN_ANSWERS, .scan = exact_scan,
				   .free = exact_free, .state = x };
	return 0;
}

int mb_detector_exact_add(struct mb_detector *d, enum mb_scan_kind kind, const char *label,
			  const char *value, size_t len)
{
	struct exact *x = d->state;
	if (!len)
		return -EINVAL;
	mb_vec_foreach(nd, &x->v) if (nd->len == len && memcmp(nd->value, value, len) == 0) return 0;
	struct needle nd = { .kind = kind, .len = len };
	nd.label = strdup(label ? label : "");
	nd.value = malloc(len);
	if (!nd.label || !nd.value || mb_vec_push(&x->v, nd) < 0) {
		free(nd.label);
		free(nd.value);
		return -ENOMEM;
	}
	struct needle *p = &x->v.v[x->v.n - 1];
	memcpy(p->value, value, len);
	for (size_t i = 1; i < len; i++)
		if (commonness((unsigned char)value[i]) < commonness((unsigned char)value[p->anchor]))
			p->anchor = i;
	return 0;
}
