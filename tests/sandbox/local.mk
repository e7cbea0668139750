# Tests of tests/sandbox; included by tests/local.mk.

# The notifier against the kernel: a watched child makes each watched call.
# test-notify runs as the invoking user; notify-nobody.sh runs it again as
# nobody when the suite runs as root.
TESTS += tests/sandbox/test-notify tests/sandbox/notify-nobody.sh
check_PROGRAMS += tests/sandbox/test-notify
NOTIFY_HARNESS = tests/sandbox/notify-harness.h tests/sandbox/notify-harness.c
tests_sandbox_test_notify_SOURCES = tests/sandbox/test-notify.c $(NOTIFY_HARNESS) $(NOTIFY_SOURCES)
tests_sandbox_test_notify_LDADD = $(SANDBOX_LIBS) $(POLICY_LIBS) -lpthread
EXTRA_DIST += tests/sandbox/notify-nobody.sh
