# SPDX-License-Identifier: Apache-2.0
# The notifier (seccomp user notifications: read, resolve, decide, perform),
# on a thread of its own or in the event loop, and the correlator that
# decides each operation against the requests in flight.
noinst_LIBRARIES += libnotify.a
libnotify_a_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS)
libnotify_a_SOURCES = \
	supervisor/notify/notify.h supervisor/notify/notify.c \
	supervisor/notify/notify-internal.h supervisor/notify/notify-mem.c \
	supervisor/notify/notify-resolve.c supervisor/notify/notify-net.c \
	supervisor/notify/notify-ident.h supervisor/notify/notify-ident.c \
	supervisor/notify/notify-name.c supervisor/notify/notify-anchor.c \
	supervisor/notify/notify-walk.c supervisor/notify/notify-open.c \
	supervisor/notify/notify-fifo.c supervisor/notify/notify-exec.c \
	supervisor/notify/notify-mutate.c \
	supervisor/notify/notify-loop.h supervisor/notify/notify-loop.c \
	supervisor/notify/notify-thread.h supervisor/notify/notify-thread.c \
	supervisor/notify/correlate.h supervisor/notify/correlate.c
NOTIFY_LIBS = libnotify.a libinspect.a libreport.a $(SANDBOX_LIBS) -ldl -lm
