# SPDX-License-Identifier: Apache-2.0
# The guard's own parts beside the correlator and the broker: the calls
# whose processes outlive them, and what is done with a denial (quiet
# noise counted, a note for the call's result, one line on stderr).
noinst_LIBRARIES += libguard.a
libguard_a_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS)
libguard_a_SOURCES = \
	supervisor/guard/linger.h supervisor/guard/linger.c \
	supervisor/guard/denials.h supervisor/guard/denials.c
GUARD_LIBS = libguard.a $(NOTIFY_LIBS)
