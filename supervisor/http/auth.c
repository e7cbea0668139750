/* SPDX-License-Identifier: Apache-2.0 */
/* Bearer tokens (auth.h). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/nettle-dl.h"
#include "common/sha256.h"
#include "common/vec.h"
#include "supervisor/http/auth.h"
#include "supervisor/http/secret-file.h"

#define TOKEN_MIN 16

struct token {
	char *name;
	uint8_t hash[MB_SHA256_SIZE];
};

struct mb_tokens {
	MB_VEC(struct token) v;
};

void mb_tokens_free(struct mb_tokens *t)
{
	if (!t)
		return;
	mb_vec_foreach(k, &t->v)
		free(k->name);
	mb_vec_free(&t->v);
	free(t);
}

size_t mb_tokens_count(const struct mb_tokens *t)
{
	return t ? t->v.n : 0;
}

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

int mb_tokens_parse(const char *text, const char *label, struct mb_tokens **ret,
		    struct mb_error *err)
{
	struct mb_tokens *t = calloc(1, sizeof(*t));
	if (!t)
		return mb_error_set(err, -ENOMEM, "out of memory");
	unsigned line = 0;
	int r = 0;
	for (const char *p = text; *p && r == 0;) {
		size_t len = strcspn(p, "\n");
		const char *end = p + len;
		line++;
		while (p < end && blank(*p))
			p++;
		const char *name = p;
		while (p < end && !blank(*p))
			p++;
		size_t nl = (size_t)(p - name);
		while (p < end && blank(*p))
			p++;
		const char *tok = p;
		const char *te = end;
		while (te > tok && (blank(te[-1]) || te[-1] == '\r'))
			te--;
		if (nl && name[0] != '#') {
			struct token *k;
			if (tok == te || memchr(tok, ' ', (size_t)(te - tok)) || memchr(tok, '\t', (size_t)(te - tok)))
				r = mb_error_set(err, -EINVAL, "--tokens %s:%u: expected NAME TOKEN", label, line);
			else if ((size_t)(te - tok) < TOKEN_MIN)
				r = mb_error_set(err, -EINVAL, "--tokens %s:%u: the token of %.*s is shorter than %d bytes: make a longer one (openssl rand -hex 32)",
						 label, line, (int)MB_MIN(nl, 64u), name, TOKEN_MIN);
			else if (!(k = mb_vec_new(&t->v)) || !(k->name = strndup(name, nl)))
				r = mb_error_set(err, -ENOMEM, "out of memory");
			else if ((r = mb_sha256(tok, (size_t)(te - tok), k->hash)) < 0)
				r = mb_error_set(err, r, "--tokens %s: cannot load %s", label,
						 mb_nettle_error());
			else {
				/* One token, one principal: the check ORs matches. */
				for (size_t i = 0; i + 1 < t->v.n; i++)
					if (memcmp(t->v.v[i].hash, k->hash, sizeof(k->hash)) == 0)
						r = mb_error_set(err, -EINVAL, "--tokens %s:%u: the same token as %s: give each principal its own",
								 label, line, t->v.v[i].name);
			}
		}
		p = *end ? end + 1 : end;
	}
	if (r == 0 && t->v.n == 0)
		r = mb_error_set(err, -EINVAL, "--tokens %s: holds no token: add a line NAME TOKEN", label);
	if (r < 0) {
		mb_tokens_free(t);
		return r;
	}
	*ret = t;
	return 0;
}

int mb_tokens_load(const char *what, struct mb_tokens **ret, struct mb_error *err)
{
	_cleanup_free_ char *text = NULL;
	int r = mb_secret_read("--tokens", what, true, &text, NULL, err);
	if (r < 0)
		return r;
	r = mb_tokens_parse(text, what, ret, err);
	explicit_bzero(text, strlen(text));
	return r;
}

const char *mb_tokens_check(const struct mb_tokens *t, const char *authorization)
{
	if (!t || !authorization || strncasecmp(authorization, "Bearer ", 7) != 0)
		return NULL;
	const char *tok = authorization + 7;
	while (*tok == ' ')
		tok++;
	uint8_t h[MB_SHA256_SIZE];
	if (mb_sha256(tok, strlen(tok), h) < 0)
		return NULL; /* cannot happen once the tokens were hashed */
	const char *who = NULL;
	/* Every entry, every byte: no early exit. */
	mb_vec_foreach(k, &t->v) {
		uint8_t diff = 0;
		for (size_t i = 0; i < sizeof(h); i++)
			diff |= (uint8_t)(h[i] ^ k->hash[i]);
		volatile uintptr_t pick = (uintptr_t)(diff == 0);
		who = (const char *)((uintptr_t)who | ((uintptr_t)k->name & ((uintptr_t)0 - pick)));
	}
	return who;
}
