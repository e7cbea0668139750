# Tests of the reporter, membrane-audit, the systemd units and the man pages;
# included by tests/local.mk.
AUDIT_TEST_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS) $(NETTLE_CFLAGS)

check_PROGRAMS += tests/audit/test-report
tests_audit_test_report_CFLAGS = $(AUDIT_TEST_CFLAGS)
tests_audit_test_report_SOURCES = tests/audit/test-report.c
tests_audit_test_report_LDADD = $(REPORT_LIBS)
TESTS += tests/audit/test-report

check_PROGRAMS += tests/audit/test-report-syslog
tests_audit_test_report_syslog_CFLAGS = $(AUDIT_TEST_CFLAGS) $(SYSTEMD_CFLAGS)
tests_audit_test_report_syslog_SOURCES = tests/audit/test-report-syslog.c
tests_audit_test_report_syslog_LDADD = $(REPORT_LIBS)
TESTS += tests/audit/test-report-syslog
