/* SPDX-License-Identifier: Apache-2.0 */
/* libmicrohttpd and GnuTLS, loaded only when --listen serves (issue 19).
 *
 * Linked, the two and the nine libraries GnuTLS pulls in are mapped,
 * relocated and initialised (GnuTLS parses its ASN.1 tables, libmicrohttpd
 * initialises GnuTLS) at every start of membrane-run: about 2 ms of CPU,
 * as much as bubblewrap's whole start around /bin/true, paid by every
 * stdio run and every session's child, which never serve HTTP. So
 * membrane-run does not link them: the functions supervisor/http/ calls
 * are defined here with their own names and forward to the libraries,
 * opened with dlopen(3) the first time one is called (or by
 * mb_http_dl_load(), which says what is missing). Until they are loaded,
 * or if they cannot be, each answers as the library does on failure. */
#include <dlfcn.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdarg.h>

#include "supervisor/http/http-dl.h"

#define MHD_FUNCS(X)                                                                       \
	X(MHD_add_response_header) X(MHD_create_response_from_buffer)                      \
	X(MHD_create_response_from_callback) X(MHD_destroy_response)                      \
	X(MHD_get_connection_info) X(MHD_get_daemon_info) X(MHD_get_timeout)              \
	X(MHD_lookup_connection_value) X(MHD_queue_response) X(MHD_quiesce_daemon)         \
	X(MHD_resume_connection) X(MHD_run) X(MHD_start_daemon_va) X(MHD_stop_daemon)      \
	X(MHD_suspend_connection)
#define GNUTLS_FUNCS(X)                                                                    \
	X(gnutls_certificate_get_peers) X(gnutls_certificate_verify_peers2)                \
	X(gnutls_x509_crt_deinit) X(gnutls_x509_crt_get_dn_by_oid) X(gnutls_x509_crt_import) \
	X(gnutls_x509_crt_init)

#define DECLARE(f) static __typeof__(f) *p_##f;
MHD_FUNCS(DECLARE)
GNUTLS_FUNCS(DECLARE)

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int load_error;   /* 0, or -errno */
static char load_what[256];

static void *open_lib(const char *soname)
{
	void *h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
	if (!h && !load_error) {
		load_error = -ELIBACC;
		snprintf(load_what, sizeof(load_what), "%s", soname);
	}
	return h;
}

#define RESOLVE(f)                                                          \
	if (h && !(p_##f = (__typeof__(f) *)dlsym(h, #f)) && !load_error) { \
		load_error = -ELIBBAD;                                      \
		snprintf(load_what, sizeof(load_what), "%s", #f);           \
	}

static void load(void)
{
	void *h = open_lib(MB_MHD_SONAME);
	MHD_FUNCS(RESOLVE)
	h = open_lib(MB_GNUTLS_SONAME);
	GNUTLS_FUNCS(RESOLVE)
}

/* Every pointer set, or none used. */
static bool loaded(void)
{
	pthread_once(&once, load);
	return load_error == 0;
}

int mb_http_dl_load(struct mb_error *err)
{
	if (loaded())
		return 0;
	if (load_error == -ELIBACC)
		return mb_error_set(err, load_error,
				    "--listen needs %s, which cannot be loaded: install the Debian "
				    "packages libmicrohttpd12 and libgnutls30",
				    load_what);
	return mb_error_set(err, load_error,
			    "--listen: %s is missing from libmicrohttpd or GnuTLS (a version older "
			    "than the one membrane-run was built with?)",
			    load_what);
}

/* ---- libmicrohttpd ---- */

struct MHD_Daemon *MHD_start_daemon(unsigned int flags, uint16_t port, MHD_AcceptPolicyCallback apc,
				    void *apc_cls, MHD_AccessHandlerCallback dh, void *dh_cls, ...)
{
	if (!loaded())
		return NULL;
	va_list ap;
	va_start(ap, dh_cls);
	struct MHD_Daemon *d = p_MHD_start_daemon_va(flags, port, apc, apc_cls, dh, dh_cls, ap);
	va_end(ap);
	return d;
}

void MHD_stop_daemon(struct MHD_Daemon *daemon)
{
	if (loaded())
		p_MHD_stop_daemon(daemon);
}

MHD_socket MHD_quiesce_daemon(struct MHD_Daemon *daemon)
{
	return loaded() ? p_MHD_quiesce_daemon(daemon) : MHD_INVALID_SOCKET;
}

enum MHD_Result MHD_run(struct MHD_Daemon *daemon)
{
	return loaded() ? p_MHD_run(daemon) : MHD_NO;
}

enum MHD_Result MHD_get_timeout(struct MHD_Daemon *daemon, MHD_UNSIGNED_LONG_LONG *timeout)
{
	return loaded() ? p_MHD_get_timeout(daemon, timeout) : MHD_NO;
}

/* The information kinds supervisor/http/ asks for take no further
 * argument, so none is passed on. */
const union MHD_DaemonInfo *MHD_get_daemon_info(struct MHD_Daemon *daemon,
						enum MHD_DaemonInfoType info_type, ...)
{
	return loaded() ? p_MHD_get_daemon_info(daemon, info_type) : NULL;
}

const union MHD_ConnectionInfo *MHD_get_connection_info(struct MHD_Connection *connection,
							enum MHD_ConnectionInfoType info_type, ...)
{
	return loaded() ? p_MHD_get_connection_info(connection, info_type) : NULL;
}

const char *MHD_lookup_connection_value(struct MHD_Connection *connection, enum MHD_ValueKind kind,
					const char *key)
{
	return loaded() ? p_MHD_lookup_connection_value(connection, kind, key) : NULL;
}

void MHD_suspend_connection(struct MHD_Connection *connection)
{
	if (loaded())
		p_MHD_suspend_connection(connection);
}

void MHD_resume_connection(struct MHD_Connection *connection)
{
	if (loaded())
		p_MHD_resume_connection(connection);
}

struct MHD_Response *MHD_create_response_from_buffer(size_t size, void *buffer,
						     enum MHD_ResponseMemoryMode mode)
{
	return loaded() ? p_MHD_create_response_from_buffer(size, buffer, mode) : NULL;
}

struct MHD_Response *MHD_create_response_from_callback(uint64_t size, size_t block_size,
						       MHD_ContentReaderCallback crc, void *crc_cls,
						       MHD_ContentReaderFreeCallback crfc)
{
	return loaded() ? p_MHD_create_response_from_callback(size, block_size, crc, crc_cls, crfc)
			: NULL;
}

enum MHD_Result MHD_add_response_header(struct MHD_Response *response, const char *header,
					const char *content)
{
	return loaded() ? p_MHD_add_response_header(response, header, content) : MHD_NO;
}

enum MHD_Result MHD_queue_response(struct MHD_Connection *connection, unsigned int status_code,
				   struct MHD_Response *response)
{
	return loaded() ? p_MHD_queue_response(connection, status_code, response) : MHD_NO;
}

void MHD_destroy_response(struct MHD_Response *response)
{
	if (loaded())
		p_MHD_destroy_response(response);
}

/* ---- GnuTLS ---- */

const gnutls_datum_t *gnutls_certificate_get_peers(gnutls_session_t session,
						   unsigned int *list_size)
{
	return loaded() ? p_gnutls_certificate_get_peers(session, list_size) : NULL;
}

int gnutls_certificate_verify_peers2(gnutls_session_t session, unsigned int *status)
{
	return loaded() ? p_gnutls_certificate_verify_peers2(session, status)
			: GNUTLS_E_INTERNAL_ERROR;
}

int gnutls_x509_crt_init(gnutls_x509_crt_t *cert)
{
	return loaded() ? p_gnutls_x509_crt_init(cert) : GNUTLS_E_INTERNAL_ERROR;
}

void gnutls_x509_crt_deinit(gnutls_x509_crt_t cert)
{
	if (loaded())
		p_gnutls_x509_crt_deinit(cert);
}

int gnutls_x509_crt_import(gnutls_x509_crt_t cert, const gnutls_datum_t *data,
			   gnutls_x509_crt_fmt_t format)
{
	return loaded() ? p_gnutls_x509_crt_import(cert, data, format) : GNUTLS_E_INTERNAL_ERROR;
}

int gnutls_x509_crt_get_dn_by_oid(gnutls_x509_crt_t cert, const char *oid, unsigned indx,
				  unsigned int raw_flag, void *buf, size_t *buf_size)
{
	return loaded() ? p_gnutls_x509_crt_get_dn_by_oid(cert, oid, indx, raw_flag, buf, buf_size)
			: GNUTLS_E_INTERNAL_ERROR;
}
