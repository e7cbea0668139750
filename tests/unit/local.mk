# Tests of tests/unit; included by tests/local.mk.
