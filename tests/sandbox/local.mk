# Tests of tests/sandbox; included by tests/local.mk.
