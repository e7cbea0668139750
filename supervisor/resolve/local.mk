# SPDX-License-Identifier: Apache-2.0
# The sandbox's resolver: DNS questions read on the sandbox's resolver
# sockets, names checked against the grants in force, resolved with the
# host's getaddrinfo on worker threads, answered, and the addresses bound
# to their names for the broker.
noinst_LIBRARIES += libresolve.a
libresolve_a_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS)
libresolve_a_SOURCES = \
	supervisor/resolve/resolve.h supervisor/resolve/resolve.c \
	supervisor/resolve/resolve-internal.h \
	supervisor/resolve/dns-wire.h supervisor/resolve/dns-wire.c \
	supervisor/resolve/resolve-bind.c supervisor/resolve/resolve-lookup.c \
	supervisor/resolve/resolve-scopes.c supervisor/resolve/resolve-server.c \
	supervisor/resolve/resolve-cache.c
RESOLVE_LIBS = libresolve.a $(INSPECT_LIBS) -lpthread
