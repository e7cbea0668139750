# Tests of tests/inspector; included by tests/local.mk.
