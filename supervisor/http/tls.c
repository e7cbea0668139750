/* SPDX-License-Identifier: Apache-2.0 */
/* TLS material and client certificates (tls.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "supervisor/http/secret-file.h"
#include "supervisor/http/tls.h"

int mb_tls_load(struct mb_tls *t, const char *cert, const char *key, const char *ca,
		struct mb_error *err)
{
	*t = (struct mb_tls){ 0 };
	int r = 0;
	if (cert)
		r = mb_secret_read("--tls-cert", cert, false, &t->cert, NULL, err);
	if (r == 0 && key)
		r = mb_secret_read("--tls-key", key, true, &t->key, NULL, err);
	if (r == 0 && ca)
		r = mb_secret_read("--client-ca", ca, false, &t->ca, NULL, err);
	if (r == 0 && cert && (!strstr(t->cert, "-----BEGIN CERTIFICATE") || !strstr(t->key, "PRIVATE KEY")))
		r = mb_error_set(err, -EINVAL, "--tls-cert %s / --tls-key %s: expected a PEM certificate and a PEM private key",
				 cert, key);
	if (r < 0)
		mb_tls_free(t);
	return r;
}

void mb_tls_free(struct mb_tls *t)
{
	free(t->cert);
	if (t->key) {
		explicit_bzero(t->key, strlen(t->key));
		free(t->key);
	}
	free(t->ca);
	*t = (struct mb_tls){ 0 };
}

int mb_tls_client_principal(struct MHD_Connection *c, char **ret)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
	if (!ci || !ci->tls_session)
		return -ENOENT;
	gnutls_session_t ss = (gnutls_session_t)ci->tls_session;
	unsigned n = 0;
	const gnutls_datum_t *chain = gnutls_certificate_get_peers(ss, &n);
	if (!chain || n == 0)
		return -ENOENT;
	unsigned status = 0;
	/* Against the trust MHD set from --client-ca (MHD_OPTION_HTTPS_MEM_TRUST). */
	if (gnutls_certificate_verify_peers2(ss, &status) < 0 || status != 0)
		return -EACCES;
	gnutls_x509_crt_t crt;
	if (gnutls_x509_crt_init(&crt) < 0)
		return -ENOMEM;
	char cn[256];
	size_t cl = sizeof(cn);
	int r = gnutls_x509_crt_import(crt, &chain[0], GNUTLS_X509_FMT_DER);
	if (r >= 0)
		r = gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, 0, cn, &cl);
	gnutls_x509_crt_deinit(crt);
	if (r < 0)
		return -EACCES;
	char *p = malloc(cl + 6);
	if (!p)
		return -ENOMEM;
	snprintf(p, cl + 6, "cert:%s", cn);
	*ret = p;
	return 0;
}
