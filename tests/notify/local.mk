# Tests of tests/deputy; included by tests/local.mk.

# The deputy: a misbehaving MCP server (tests/deputy/deputy.c) under its
# profile, driven through membrane-run by drive.py; deputy.sh checks what
# the server saw, what the listener received and what was reported.
check_PROGRAMS += tests/deputy/deputy
tests_deputy_deputy_SOURCES = tests/deputy/deputy.c
tests_deputy_deputy_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS)
tests_deputy_deputy_LDADD = $(CJSON_LIBS)
TESTS += tests/deputy/deputy.sh tests/deputy/servers.sh
EXTRA_DIST += tests/deputy/deputy.sh tests/deputy/servers.sh tests/deputy/drive.py tests/deputy/deputy.yml

# The correlator below the notifier: made-up operations, a real in-flight
# table, reports caught in memory, malloc counted.
TESTS += tests/deputy/test-correlate
check_PROGRAMS += tests/deputy/test-correlate
tests_deputy_test_correlate_SOURCES = tests/deputy/test-correlate.c $(CORRELATE_SOURCES) $(NOTIFY_SOURCES)
tests_deputy_test_correlate_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS)
tests_deputy_test_correlate_LDADD = libinspect.a $(SANDBOX_LIBS) $(POLICY_LIBS) -lm
