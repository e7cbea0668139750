# SPDX-License-Identifier: Apache-2.0
# The inspector: framing, JSON-RPC, the requests in flight, the tool
# contract, the checks made before a request reaches the server, and the
# stdio relay around them. A library so that unit tests, the fuzz target and
# the benchmark link the same code as membrane-run.
noinst_LIBRARIES += libinspect.a
libinspect_a_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS)
libinspect_a_SOURCES = \
	supervisor/inspect/framer.h supervisor/inspect/framer.c \
	supervisor/inspect/json-text.h supervisor/inspect/json-text.c \
	supervisor/inspect/jsonrpc.h supervisor/inspect/jsonrpc.c \
	supervisor/inspect/inflight.h supervisor/inspect/inflight.c \
	supervisor/inspect/tool-pin.h supervisor/inspect/tool-pin.c \
	supervisor/inspect/scan.h supervisor/inspect/scan-internal.h supervisor/inspect/scan.c \
	supervisor/inspect/scan-text.c supervisor/inspect/scan-secrets.c \
	supervisor/inspect/redact.h supervisor/inspect/redact.c \
	supervisor/inspect/scan-contract.c supervisor/inspect/scan-answer.c \
	supervisor/inspect/request-check.h supervisor/inspect/request-check.c \
	supervisor/inspect/denials.h supervisor/inspect/denials.c \
	supervisor/inspect/inspector.h supervisor/inspect/inspector.c \
	supervisor/inspect/relay.h supervisor/inspect/relay.c
INSPECT_LIBS = libinspect.a $(REPORT_LIBS) -lm
