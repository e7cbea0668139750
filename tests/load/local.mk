# SPDX-License-Identifier: Apache-2.0
# Load and faults (issue 7): membrane-run in front of real MCP servers
# (tests/e2e's node_modules) under 100,000 calls, and what the user gets
# when the server, the client, a signal or the report's filesystem fails.
# Included by tests/local.mk.
check_PROGRAMS += tests/load/load-client
tests_load_load_client_SOURCES = tests/load/load-client.c
tests_load_load_client_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS)
tests_load_load_client_LDADD = $(CJSON_LIBS)
LOAD_TESTS = tests/load/e2e-load.sh tests/load/e2e-server-killed.sh tests/load/e2e-client-gone.sh \
	tests/load/e2e-signals.sh tests/load/e2e-report-full.sh
TESTS += $(LOAD_TESTS)
dist_check_DATA += $(LOAD_TESTS) tests/load/lib.sh tests/load/fault.py
