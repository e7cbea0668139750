/* SPDX-License-Identifier: Apache-2.0 */
/* TLS for --listen (GnuTLS, through libmicrohttpd's MHD_USE_TLS): the
 * server's certificate and key, and with --client-ca the CA whose client
 * certificates authenticate a principal ("cert:" and the subject's CN). */
#pragma once

#include <microhttpd.h>

#include "common/error.h"

struct mb_tls {
	char *cert, *key, *ca; /* PEM text, NUL-terminated */
};

/* Read --tls-cert, --tls-key (which must be private) and --client-ca.
 * Returns 0 or -errno with err naming the file and the fix. */
int mb_tls_load(struct mb_tls *t, const char *cert, const char *key, const char *ca,
		struct mb_error *err);
void mb_tls_free(struct mb_tls *t);

/* The principal of a verified client certificate on c: 0 and *ret
 * ("cert:CN", malloc'd); -ENOENT when the client sent none; -EACCES when it
 * does not verify against the CA. */
int mb_tls_client_principal(struct MHD_Connection *c, char **ret);
