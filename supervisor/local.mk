# SPDX-License-Identifier: Apache-2.0
# membrane-run itself: the command line, finding a profile, --explain,
# --test-profile, and the run that puts the sandbox, the inspector, the
# notifier, the broker, the resolver and the reporter together. Each part is a library
# of its own folder (supervisor/*/local.mk).
include supervisor/inspect/local.mk
include supervisor/notify/local.mk
include supervisor/broker/local.mk
include supervisor/resolve/local.mk
include supervisor/learn/local.mk
include supervisor/http/local.mk
include supervisor/guard/local.mk
include supervisor/record/local.mk

bin_PROGRAMS += membrane-run
membrane_run_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS) $(NETTLE_CFLAGS) $(SYSTEMD_CFLAGS) $(MHD_CFLAGS)
membrane_run_SOURCES = \
	supervisor/main.c \
	supervisor/options.h supervisor/options.c \
	supervisor/profile-lookup.h supervisor/profile-lookup.c \
	supervisor/explain.h supervisor/explain.c \
	supervisor/doctor.h supervisor/doctor.c \
	supervisor/test-profile.h supervisor/test-profile.c \
	supervisor/run.h supervisor/run-backend.h supervisor/run.c \
	supervisor/run-guard.h supervisor/run-guard.c
membrane_run_LDADD = libhttp.a liblearn.a libbroker.a libresolve.a librecord.a $(GUARD_LIBS) $(HTTP_LIBS) -lpthread
