# Unit tests of policy/ (no privileges needed).
TESTS += tests/unit/test-plan
check_PROGRAMS += tests/unit/test-plan
tests_unit_test_plan_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS)
tests_unit_test_plan_LDADD = $(POLICY_LIBS)

# The profile loader (policy/load*.c): good profiles field by field, and one
# broken profile per error with its exact message.
check_PROGRAMS += tests/unit/test-profile tests/unit/test-profile-bad tests/unit/test-profile-oom
TESTS += tests/unit/test-profile tests/unit/test-profile-bad tests/unit/test-profile-oom
tests_unit_test_profile_SOURCES = tests/unit/test-profile.c tests/unit/profile-test.h
tests_unit_test_profile_LDADD = $(POLICY_LIBS)
tests_unit_test_profile_bad_SOURCES = tests/unit/test-profile-bad.c tests/unit/profile-test.h
tests_unit_test_profile_bad_LDADD = $(POLICY_LIBS)
tests_unit_test_profile_oom_SOURCES = tests/unit/test-profile-oom.c tests/unit/profile-test.h
tests_unit_test_profile_oom_LDADD = $(POLICY_LIBS)
EXTRA_DIST += tests/fixtures/profiles
TESTS += tests/unit/profile-check.sh
EXTRA_DIST += tests/unit/profile-check.sh

# Host names against a known /etc/hosts: the program runs inside the
# namespace profile-hosts.sh makes; it is not a test by itself.
check_PROGRAMS += tests/unit/test-profile-hosts
tests_unit_test_profile_hosts_SOURCES = tests/unit/test-profile-hosts.c tests/unit/profile-test.h
tests_unit_test_profile_hosts_LDADD = $(POLICY_LIBS)
TESTS += tests/unit/profile-hosts.sh
EXTRA_DIST += tests/unit/profile-hosts.sh

TESTS += tests/unit/profiles-check.sh
EXTRA_DIST += tests/unit/profiles-check.sh
TESTS += tests/unit/man-profile.sh
EXTRA_DIST += tests/unit/man-profile.sh

# The matcher and per-call grants (policy/match.c, policy/callgrants.c).
TESTS += tests/unit/test-match
check_PROGRAMS += tests/unit/test-match
tests_unit_test_match_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS)
tests_unit_test_match_LDADD = $(POLICY_LIBS)

# Profile self-tests below the command line: the tests key in the model,
# and the decision rule --test-profile shares with the correlator.
TESTS += tests/unit/test-selftest
check_PROGRAMS += tests/unit/test-selftest
tests_unit_test_selftest_SOURCES = tests/unit/test-selftest.c tests/unit/profile-test.h
tests_unit_test_selftest_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS)
tests_unit_test_selftest_LDADD = $(POLICY_LIBS)

# membrane-run --test-profile on fixtures (the TAP it prints, exit status,
# cwd, host names), on every shipped profile (their tests pass, every tool
# is tested, they lint clean), and membrane-run --lint (each warning's exact
# line on its fixture in tests/fixtures/profiles/lint/).
TESTS += tests/unit/selftest.sh tests/unit/profiles-selftest.sh tests/unit/lint.sh
EXTRA_DIST += tests/unit/selftest.sh tests/unit/profiles-selftest.sh tests/unit/lint.sh

# Grants in canonical form (mb_callgrants_canonicalize) against a real tree.
TESTS += tests/unit/test-canonical
check_PROGRAMS += tests/unit/test-canonical
tests_unit_test_canonical_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS)
tests_unit_test_canonical_LDADD = $(POLICY_LIBS)

# The broker's network rule as a table (supervisor/broker-rule.c; pure).
TESTS += tests/unit/test-broker-rule
check_PROGRAMS += tests/unit/test-broker-rule
tests_unit_test_broker_rule_SOURCES = tests/unit/test-broker-rule.c \
	supervisor/broker-rule.h supervisor/broker-rule.c

# common/utf8.c, shared by the reporter, membrane-audit and the inspector.
check_PROGRAMS += tests/unit/test-utf8
TESTS += tests/unit/test-utf8
tests_unit_test_utf8_LDADD = libcommon.a
