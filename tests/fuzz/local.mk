# Tests of tests/fuzz; included by tests/local.mk.
