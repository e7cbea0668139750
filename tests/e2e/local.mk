# Tests of tests/e2e; included by tests/local.mk.
