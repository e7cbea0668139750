# Unit tests of policy/ (no privileges needed).
TESTS += tests/unit/test-plan
check_PROGRAMS += tests/unit/test-plan
tests_unit_test_plan_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS)
tests_unit_test_plan_LDADD = $(POLICY_LIBS)
