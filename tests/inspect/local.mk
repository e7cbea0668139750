# SPDX-License-Identifier: Apache-2.0
# supervisor/inspect/: the framer, JSON-RPC, the in-flight table and the
# inspector driven from memory; the relay over real pipes, driven by a
# scripted client (relay.py) against the fixture server, without the sandbox
# (relay-harness, unit-relay.sh) and through membrane-run (kernel-relay.sh);
# what a task keeps in flight, by its effect (kernel-tasks.sh); reports and
# the server's stderr on one stream, read by membrane-audit (kernel-stderr.sh).
INSPECT_TEST_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS)
INSPECT_TESTS = tests/inspect/unit-framer tests/inspect/unit-jsonrpc \
	tests/inspect/unit-inflight tests/inspect/unit-inspector tests/inspect/unit-scan \
	tests/inspect/unit-scan-inspector tests/inspect/unit-scan-corpus
check_PROGRAMS += $(INSPECT_TESTS)
TESTS += $(INSPECT_TESTS)
tests_inspect_unit_framer_CFLAGS = $(INSPECT_TEST_CFLAGS)
tests_inspect_unit_framer_LDADD = $(INSPECT_LIBS)
tests_inspect_unit_jsonrpc_CFLAGS = $(INSPECT_TEST_CFLAGS)
tests_inspect_unit_jsonrpc_LDADD = $(INSPECT_LIBS)
tests_inspect_unit_inflight_CFLAGS = $(INSPECT_TEST_CFLAGS)
tests_inspect_unit_inflight_LDADD = $(INSPECT_LIBS)
tests_inspect_unit_scan_CFLAGS = $(INSPECT_TEST_CFLAGS)
tests_inspect_unit_scan_LDADD = $(INSPECT_LIBS)
tests_inspect_unit_scan_inspector_SOURCES = tests/inspect/unit-scan-inspector.c \
	tests/inspect/helpers.h
tests_inspect_unit_scan_inspector_CFLAGS = $(INSPECT_TEST_CFLAGS)
tests_inspect_unit_scan_inspector_LDADD = $(INSPECT_LIBS)
tests_inspect_unit_scan_corpus_SOURCES = tests/inspect/unit-scan-corpus.c tests/inspect/helpers.h
tests_inspect_unit_scan_corpus_CFLAGS = $(INSPECT_TEST_CFLAGS)
tests_inspect_unit_scan_corpus_LDADD = $(INSPECT_LIBS)
EXTRA_DIST += tests/fixtures/scan tests/e2e/lib/dump-contract.mjs
tests_inspect_unit_inspector_SOURCES = tests/inspect/unit-inspector.c tests/inspect/helpers.h
tests_inspect_unit_inspector_CFLAGS = $(INSPECT_TEST_CFLAGS)
tests_inspect_unit_inspector_LDADD = $(INSPECT_LIBS)

check_PROGRAMS += tests/inspect/relay-harness
tests_inspect_relay_harness_SOURCES = tests/inspect/relay-harness.c tests/inspect/helpers.h
tests_inspect_relay_harness_CFLAGS = $(INSPECT_TEST_CFLAGS)
tests_inspect_relay_harness_LDADD = $(INSPECT_LIBS)
TESTS += tests/inspect/unit-relay.sh tests/inspect/kernel-relay.sh tests/inspect/kernel-tasks.sh \
	tests/inspect/kernel-stderr.sh
EXTRA_DIST += tests/inspect/unit-relay.sh tests/inspect/kernel-relay.sh tests/inspect/relay.py \
	tests/inspect/kernel-tasks.sh tests/inspect/kernel-tasks.py tests/inspect/kernel-stderr.sh \
	tests/fixtures/mcp-fixture-server.py tests/fixtures/inspector.yml
