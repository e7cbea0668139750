# SPDX-License-Identifier: Apache-2.0
# The run's record (issue 16): the call record, budgets, anomalies, decoys,
# the kill switch. A library so that its unit tests link the same code as
# membrane-run's guard (supervisor/run-guard.c), which carries it.
noinst_LIBRARIES += librecord.a
librecord_a_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS)
librecord_a_SOURCES = \
	supervisor/record/record.h supervisor/record/record-internal.h \
	supervisor/record/record.c \
	supervisor/record/call-record.c \
	supervisor/record/budget.c \
	supervisor/record/anomaly.h supervisor/record/anomaly.c \
	supervisor/record/decoy.c \
	supervisor/record/canary.h supervisor/record/canary.c \
	supervisor/record/kill-switch.h supervisor/record/kill-switch.c
RECORD_LIBS = librecord.a $(NOTIFY_LIBS)
