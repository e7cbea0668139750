/* SPDX-License-Identifier: Apache-2.0 */
/* Who a request comes from: bearer tokens (--tokens FILE, "NAME TOKEN" per
 * line, '#' comments) and client certificates (--client-ca, in tls.h). The
 * principal is the NAME of the token, "cert:" and the certificate's subject
 * for a client certificate, or "anonymous" when the listener asks for
 * neither.
 *
 * Tokens are compared in constant time: the presented token and every
 * stored one are hashed (SHA-256) and every stored hash is compared in full,
 * so neither the position nor the length of a match shows in the timing. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

struct mb_tokens;

/* Load the token file. Returns 0 or -errno with err set (a line without a
 * name, a token shorter than 16 bytes, a file others can read). */
int mb_tokens_load(const char *what, struct mb_tokens **ret, struct mb_error *err);
/* The same from memory (tests). */
int mb_tokens_parse(const char *text, const char *label, struct mb_tokens **ret,
		    struct mb_error *err);
void mb_tokens_free(struct mb_tokens *t);
size_t mb_tokens_count(const struct mb_tokens *t);

/* The principal for an Authorization header value ("Bearer TOKEN"), or NULL
 * when it is missing, malformed, or matches no token. */
const char *mb_tokens_check(const struct mb_tokens *t, const char *authorization);
