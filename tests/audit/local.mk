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

# The report generator: the real reporter writing realistic reports for the
# tests and for `make bench-audit`.
check_PROGRAMS += tests/audit/gen-report
tests_audit_gen_report_CFLAGS = $(AUDIT_TEST_CFLAGS)
tests_audit_gen_report_SOURCES = tests/audit/gen-report.c
tests_audit_gen_report_LDADD = $(REPORT_LIBS)

TESTS += tests/audit/audit.sh
dist_check_DATA += tests/audit/lib.sh tests/audit/reference.py
EXTRA_DIST += tests/audit/audit.sh

TESTS += tests/audit/systemd.sh
dist_check_DATA += tests/audit/systemd-manager.sh tests/audit/mcp-client.py \
	tests/audit/echo-mcp.py tests/audit/echo.yml
EXTRA_DIST += tests/audit/systemd.sh
