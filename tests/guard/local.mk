# SPDX-License-Identifier: Apache-2.0
# The guard's parts beside the correlator: calls whose processes outlive
# them, denials quiet, kept and said, and the tool result that carries them.
check_PROGRAMS += tests/guard/unit-guard
TESTS += tests/guard/unit-guard
tests_guard_unit_guard_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS)
tests_guard_unit_guard_LDADD = $(GUARD_LIBS)
