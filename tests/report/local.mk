# SPDX-License-Identifier: Apache-2.0
# The reporter (report/): lines, the hash chain, short writes, syslog and
# journald. gen-report writes realistic reports with the real reporter for
# tests/audit and `make bench-audit`.
REPORT_TEST_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS) $(NETTLE_CFLAGS)

check_PROGRAMS += tests/report/unit-report tests/report/unit-report-syslog tests/report/gen-report \
	tests/report/unit-report-sign
TESTS += tests/report/unit-report tests/report/unit-report-syslog tests/report/unit-report-sign
tests_report_unit_report_CFLAGS = $(REPORT_TEST_CFLAGS)
# These two hash with nettle themselves, to check the reporter's chain.
tests_report_unit_report_LDADD = $(REPORT_LIBS) $(NETTLE_LIBS)
tests_report_unit_report_syslog_CFLAGS = $(REPORT_TEST_CFLAGS) $(SYSTEMD_CFLAGS)
tests_report_unit_report_syslog_LDADD = $(REPORT_LIBS) $(NETTLE_LIBS)
tests_report_gen_report_CFLAGS = $(REPORT_TEST_CFLAGS)
tests_report_gen_report_LDADD = $(REPORT_LIBS)
tests_report_unit_report_sign_CFLAGS = $(REPORT_TEST_CFLAGS)
tests_report_unit_report_sign_LDADD = $(REPORT_LIBS)
