# SPDX-License-Identifier: Apache-2.0
# Learn mode (membrane-run --learn): the recorder, the draft it writes, the
# learning sandbox used without --profile, and the run that ties them.
noinst_LIBRARIES += liblearn.a
liblearn_a_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS) $(YAML_CFLAGS)
liblearn_a_SOURCES = \
	supervisor/learn/learn.h supervisor/learn/learn-internal.h supervisor/learn/learn.c \
	supervisor/learn/learn-scope.c supervisor/learn/learn-session.c \
	supervisor/learn/learn-draft.h supervisor/learn/learn-draft.c supervisor/learn/learn-write.c \
	supervisor/learn/learn-default.h supervisor/learn/learn-default.c \
	supervisor/learn/learn-run.h supervisor/learn/learn-run.c \
	supervisor/learn/learn-names.c
LEARN_LIBS = liblearn.a libbroker.a libresolve.a $(NOTIFY_LIBS) -lpthread
