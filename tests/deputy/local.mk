# Tests of tests/deputy; included by tests/local.mk.
