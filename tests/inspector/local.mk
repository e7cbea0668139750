# Tests of tests/inspector; included by tests/local.mk.
INSPECTOR_TEST_LDADD = $(INSPECT_LIBS) $(CJSON_LIBS)
INSPECTOR_TEST_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS)

check_PROGRAMS += tests/inspector/framer.t tests/inspector/jsonrpc.t \
	tests/inspector/inflight.t tests/inspector/inspector.t tests/inspector/loop.t
TESTS += tests/inspector/framer.t tests/inspector/jsonrpc.t \
	tests/inspector/inflight.t tests/inspector/inspector.t tests/inspector/loop.t
tests_inspector_loop_t_SOURCES = tests/inspector/loop.c
tests_inspector_loop_t_CFLAGS = $(INSPECTOR_TEST_CFLAGS)
tests_inspector_loop_t_LDADD = $(INSPECTOR_TEST_LDADD)
tests_inspector_framer_t_SOURCES = tests/inspector/framer.c
tests_inspector_framer_t_CFLAGS = $(INSPECTOR_TEST_CFLAGS)
tests_inspector_framer_t_LDADD = $(INSPECTOR_TEST_LDADD)
tests_inspector_jsonrpc_t_SOURCES = tests/inspector/jsonrpc.c
tests_inspector_jsonrpc_t_CFLAGS = $(INSPECTOR_TEST_CFLAGS)
tests_inspector_jsonrpc_t_LDADD = $(INSPECTOR_TEST_LDADD)
tests_inspector_inflight_t_SOURCES = tests/inspector/inflight.c
tests_inspector_inflight_t_CFLAGS = $(INSPECTOR_TEST_CFLAGS)
tests_inspector_inflight_t_LDADD = $(INSPECTOR_TEST_LDADD)
tests_inspector_inspector_t_SOURCES = tests/inspector/inspector.c tests/inspector/helpers.h
tests_inspector_inspector_t_CFLAGS = $(INSPECTOR_TEST_CFLAGS)
tests_inspector_inspector_t_LDADD = $(INSPECTOR_TEST_LDADD)

# The relay over real pipes, driven by a scripted client (relay.py) against
# the fixture server; relay-harness runs the relay without the sandbox.
check_PROGRAMS += tests/inspector/relay-harness
tests_inspector_relay_harness_SOURCES = tests/inspector/relay-harness.c tests/inspector/helpers.h
tests_inspector_relay_harness_CFLAGS = $(INSPECTOR_TEST_CFLAGS)
tests_inspector_relay_harness_LDADD = $(INSPECTOR_TEST_LDADD)
TESTS += tests/inspector/relay.sh tests/inspector/relay-membrane.sh
EXTRA_DIST += tests/inspector/relay.sh tests/inspector/relay-membrane.sh tests/inspector/relay.py \
	tests/fixtures/mcp-fixture-server.py tests/fixtures/inspector.yml
