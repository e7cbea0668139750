# SPDX-License-Identifier: Apache-2.0
# membrane-run --listen: the Streamable HTTP front (libmicrohttpd, GnuTLS,
# both opened at run time: http-dl.c),
# its gate (Origin, tokens, client certificates, rate) and the sessions it
# runs as children. A library so that the unit tests link the same code.
noinst_LIBRARIES += libhttp.a
libhttp_a_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS) $(NETTLE_CFLAGS) $(MHD_CFLAGS) $(GNUTLS_CFLAGS)
libhttp_a_SOURCES = \
	supervisor/http/http.h supervisor/http/http-internal.h \
	supervisor/http/http-options.h supervisor/http/http-options.c \
	supervisor/http/listen.h supervisor/http/listen.c \
	supervisor/http/secret-file.h supervisor/http/secret-file.c \
	supervisor/http/auth.h supervisor/http/auth.c \
	supervisor/http/tls.h supervisor/http/tls.c \
	supervisor/http/gate.h supervisor/http/gate.c \
	supervisor/http/rpc.h supervisor/http/rpc.c \
	supervisor/http/sse.c \
	supervisor/http/session.c \
	supervisor/http/front.c \
	supervisor/http/http-dl.h supervisor/http/http-dl.c
# Not $(MHD_LIBS) $(GNUTLS_LIBS): http-dl.c opens them when --listen serves.
HTTP_LIBS = $(CJSON_LIBS) -ldl
