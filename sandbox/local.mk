noinst_LIBRARIES += libsandbox.a
libsandbox_a_CFLAGS = $(AM_CFLAGS) $(SECCOMP_CFLAGS) $(CAPNG_CFLAGS) $(NL_CFLAGS)
libsandbox_a_SOURCES = \
	sandbox/sandbox.h
SANDBOX_LIBS = libsandbox.a $(SECCOMP_LIBS) $(CAPNG_LIBS) $(NL_LIBS)
libsandbox_a_SOURCES += sandbox/watch.h sandbox/watch.c
