# common/: UTF-8 (shared by the reporter, membrane-audit and the inspector)
# and the event loop.
check_PROGRAMS += tests/common/unit-utf8 tests/common/unit-loop
TESTS += tests/common/unit-utf8 tests/common/unit-loop
tests_common_unit_utf8_LDADD = libcommon.a
tests_common_unit_loop_LDADD = libcommon.a
