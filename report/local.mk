# SPDX-License-Identifier: Apache-2.0
# The reporter (report/report.h): Reports v1 lines to a file, stderr, syslog
# or journald, and how a request appears in them (report/report-request.h).
# A library: membrane-run, its tests and bench's report generator link the
# same code.
noinst_LIBRARIES += libreport.a
libreport_a_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS) $(NETTLE_CFLAGS) $(HOGWEED_CFLAGS) $(SYSTEMD_CFLAGS)
libreport_a_SOURCES = \
	report/report.h report/report.c \
	report/report-sink.h report/report-syslog.c \
	report/report-request.h report/report-request.c \
	report/report-fields.h report/report-fields.c \
	report/report-sign.h report/report-sign.c
# nettle and hogweed are opened with dlopen (common/sha256.c, report-sign.c).
REPORT_LIBS = libreport.a $(POLICY_LIBS) -ldl -lpthread
