# The notifier (seccomp user notifications: decode, read, resolve, answer),
# its place in the event loop, and the correlator that decides each
# operation against the requests in flight.
noinst_LIBRARIES += libnotify.a
libnotify_a_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS)
libnotify_a_SOURCES = \
	supervisor/notify/notify.h supervisor/notify/notify.c \
	supervisor/notify/notify-internal.h supervisor/notify/notify-mem.c \
	supervisor/notify/notify-resolve.c supervisor/notify/notify-net.c \
	supervisor/notify/notify-loop.h supervisor/notify/notify-loop.c \
	supervisor/notify/correlate.h supervisor/notify/correlate.c
NOTIFY_LIBS = libnotify.a libinspect.a libreport.a $(SANDBOX_LIBS) $(NETTLE_LIBS) -ldl -lm
