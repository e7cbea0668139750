# SPDX-License-Identifier: Apache-2.0
# policy/: the loader, the matcher, per-call grants, the plan compiler, the
# decision rule and --check/--lint/--test-profile on fixtures.
POLICY_TEST_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS)

check_PROGRAMS += tests/policy/unit-plan tests/policy/unit-decoy
TESTS += tests/policy/unit-plan tests/policy/unit-decoy
tests_policy_unit_plan_CFLAGS = $(POLICY_TEST_CFLAGS)
tests_policy_unit_plan_LDADD = $(POLICY_LIBS)
tests_policy_unit_decoy_CFLAGS = $(POLICY_TEST_CFLAGS)
tests_policy_unit_decoy_LDADD = $(POLICY_LIBS)

# The profile loader (policy/load/): good profiles field by field, one broken
# profile per error with its exact message, and every allocation failed in turn.
check_PROGRAMS += tests/policy/unit-load tests/policy/unit-load-bad tests/policy/unit-load-oom
TESTS += tests/policy/unit-load tests/policy/unit-load-bad tests/policy/unit-load-oom
tests_policy_unit_load_SOURCES = tests/policy/unit-load.c tests/policy/profile-test.h
tests_policy_unit_load_LDADD = $(POLICY_LIBS)
tests_policy_unit_load_bad_SOURCES = tests/policy/unit-load-bad.c tests/policy/profile-test.h
tests_policy_unit_load_bad_LDADD = $(POLICY_LIBS)
tests_policy_unit_load_oom_SOURCES = tests/policy/unit-load-oom.c tests/policy/profile-test.h
tests_policy_unit_load_oom_LDADD = $(POLICY_LIBS)
EXTRA_DIST += tests/fixtures/profiles
TESTS += tests/policy/unit-check.sh
EXTRA_DIST += tests/policy/unit-check.sh

# Host names against a known /etc/hosts: hosts-probe runs inside the
# namespace kernel-hosts.sh makes; it is not a test by itself.
check_PROGRAMS += tests/policy/hosts-probe
tests_policy_hosts_probe_SOURCES = tests/policy/hosts-probe.c tests/policy/profile-test.h
tests_policy_hosts_probe_LDADD = $(POLICY_LIBS)
TESTS += tests/policy/kernel-hosts.sh
EXTRA_DIST += tests/policy/kernel-hosts.sh

# The matcher and per-call grants (policy/match.c, policy/call-grants.c).
check_PROGRAMS += tests/policy/unit-match
TESTS += tests/policy/unit-match
tests_policy_unit_match_CFLAGS = $(POLICY_TEST_CFLAGS)
tests_policy_unit_match_LDADD = $(POLICY_LIBS)

# Profile self-tests below the command line: the tests key in the model,
# and the decision rule --test-profile shares with the correlator.
check_PROGRAMS += tests/policy/unit-selftest
TESTS += tests/policy/unit-selftest
tests_policy_unit_selftest_SOURCES = tests/policy/unit-selftest.c tests/policy/profile-test.h
tests_policy_unit_selftest_CFLAGS = $(POLICY_TEST_CFLAGS)
tests_policy_unit_selftest_LDADD = $(POLICY_LIBS)

# membrane-run --test-profile on fixtures (the TAP it prints, exit status,
# cwd, host names) and membrane-run --lint (each warning's exact line on its
# fixture in tests/fixtures/profiles/lint/).
TESTS += tests/policy/unit-test-profile.sh tests/policy/unit-lint.sh
EXTRA_DIST += tests/policy/unit-test-profile.sh tests/policy/unit-lint.sh

# Grants in canonical form (mb_callgrants_canonicalize) against a real tree.
check_PROGRAMS += tests/policy/unit-canonical
TESTS += tests/policy/unit-canonical
tests_policy_unit_canonical_CFLAGS = $(POLICY_TEST_CFLAGS)
tests_policy_unit_canonical_LDADD = $(POLICY_LIBS)

# The key table (policy/profile-keys.h) is whole, and the loader follows it.
check_PROGRAMS += tests/policy/unit-key-table
TESTS += tests/policy/unit-key-table
tests_policy_unit_key_table_LDADD = $(POLICY_LIBS)

# Issue 14's language: placeholder defaults and URI values, list, write over
# read-write opens, what lint takes for data and for the server's own
# interpreter.
check_PROGRAMS += tests/policy/unit-language
TESTS += tests/policy/unit-language
tests_policy_unit_language_SOURCES = tests/policy/unit-language.c tests/policy/profile-test.h
tests_policy_unit_language_CFLAGS = $(POLICY_TEST_CFLAGS)
tests_policy_unit_language_LDADD = $(POLICY_LIBS)
