# Tests of tests/sandbox; included by tests/local.mk.
check_PROGRAMS += tests/sandbox/launch
tests_sandbox_launch_SOURCES = tests/sandbox/launch.c
tests_sandbox_launch_LDADD = $(SANDBOX_LIBS) $(POLICY_LIBS)
check_PROGRAMS += tests/sandbox/prober
tests_sandbox_prober_SOURCES = tests/sandbox/prober.c
TESTS += tests/sandbox/escape.sh tests/sandbox/escape-membrane-run.sh tests/sandbox/spawn.sh tests/sandbox/options.sh tests/sandbox/memory.sh
dist_check_DATA += tests/sandbox/escape.sh tests/sandbox/escape-membrane-run.sh tests/sandbox/spawn.sh tests/sandbox/options.sh tests/sandbox/memory.sh tests/sandbox/prober.yml tests/sandbox/prober-host.yml
check_PROGRAMS += tests/sandbox/nouserns
tests_sandbox_nouserns_SOURCES = tests/sandbox/nouserns.c
check_PROGRAMS += tests/sandbox/test-landlock
tests_sandbox_test_landlock_SOURCES = tests/sandbox/test-landlock.c
tests_sandbox_test_landlock_LDADD = $(SANDBOX_LIBS) $(POLICY_LIBS)
TESTS += tests/sandbox/test-landlock
check_PROGRAMS += tests/sandbox/test-describe
tests_sandbox_test_describe_SOURCES = tests/sandbox/test-describe.c
tests_sandbox_test_describe_LDADD = $(SANDBOX_LIBS) $(POLICY_LIBS)
TESTS += tests/sandbox/test-describe
tests_sandbox_launch_CPPFLAGS = $(AM_CPPFLAGS) -DMB_SRCDIR=\"$(abs_top_srcdir)\"
