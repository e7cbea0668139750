# SPDX-License-Identifier: Apache-2.0
# Benchmarks. `make bench` runs, one after the other on this machine, the
# relay benchmark (bench/relay-latest.txt) and membrane side by side with
# its peers (bench/side-by-side.sh: start-up, echo round trips, the notified
# system call through bench/bench-notify, supervisor memory; it also
# refreshes bench/startup-results.md) and writes bench/results.md.
# bench-audit (1 GiB) is left out: run it on its own.
.PHONY: bench bench-side-by-side
BENCH_DEPS = membrane-run tests/sandbox/launch bench/relay-bench bench/plain-relay \
	tests/fixtures/mcp-echo tests/inspect/relay-harness bench/bench-notify$(EXEEXT)
bench: $(BENCH_DEPS)
	$(MAKE) $(AM_MAKEFLAGS) bench-relay
	$(MAKE) $(AM_MAKEFLAGS) bench-side-by-side
bench-side-by-side: $(BENCH_DEPS)
	top_srcdir=$(srcdir_abs) top_builddir=$(abs_top_builddir) $(SHELL) $(top_srcdir)/bench/side-by-side.sh $(srcdir_abs)/bench/results.md
EXTRA_DIST += bench/side-by-side.sh bench/results.py bench/results.md bench/README.md

# Built on demand only (EXTRA_PROGRAMS): they take tens of seconds to run.
EXTRA_PROGRAMS = bench/bench-notify
bench_bench_notify_CFLAGS = $(AM_CFLAGS) $(SECCOMP_CFLAGS) $(CJSON_CFLAGS)
bench_bench_notify_LDADD = $(NOTIFY_LIBS)
CLEANFILES += $(EXTRA_PROGRAMS)
EXTRA_DIST += bench/notify-results.md

# openat through the notifier vs bare, seccomp, Landlock and a bare notify
# loop (bench/bench-notify.c; results recorded in bench/notify-results.md,
# with the notes of whoever recorded them: `make bench` puts the table in
# bench/results.md and leaves this file alone).
.PHONY: bench-notify
bench-notify: bench/bench-notify$(EXEEXT)
	$(AM_V_GEN){ echo "## openat through the notifier (bench/bench-notify)"; echo; \
	  ./bench/bench-notify; echo; } | tee bench/notify-results.md

# membrane-audit on a 1 GiB report written by the real reporter: time and
# peak RSS (bench/audit.sh; results recorded in bench/audit-results.md).
# Another size: make bench-audit BENCH_AUDIT_SIZE=BYTES.
BENCH_AUDIT_SIZE = 1073741824
EXTRA_DIST += bench/audit.sh
.PHONY: bench-audit
bench-audit: membrane-audit tests/report/gen-report
	top_builddir=$(abs_top_builddir) $(SHELL) $(top_srcdir)/bench/audit.sh $(BENCH_AUDIT_SIZE)
EXTRA_DIST += bench/audit-results.md

# Start-up cost: membrane-run (or the sandbox through tests/sandbox/launch)
# around /bin/true against bare, unshare, bubblewrap and firejail, in one hyperfine
# run (bench/startup.sh; results in bench/startup-results.md).
EXTRA_DIST += bench/startup.sh bench/true.yml bench/startup-results.md
# The same commands taking turns start by start (issue 19), and Node servers'
# start-up bare, under bwrap and under membrane-run (bench/node-results.md).
EXTRA_DIST += bench/startup-interleaved.py bench/node-startup.sh bench/node-results.md
.PHONY: bench-startup
bench-startup: membrane-run tests/sandbox/launch
	top_srcdir=$(srcdir_abs) top_builddir=$(abs_top_builddir) $(SHELL) $(top_srcdir)/bench/startup.sh $(srcdir_abs)/bench/startup-results.md

# ns per mb_callgrants_allows_path query; built, never run by make check.
noinst_PROGRAMS += bench/bench-match
bench_bench_match_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS)
bench_bench_match_LDADD = $(POLICY_LIBS)
EXTRA_DIST += bench/match-results.md

# The relay benchmark (issue 4): N tools/call round trips through (a) a direct
# pipe to our echo server, (b) a plain copy relay, (c) the inspector's relay.
noinst_PROGRAMS += bench/relay-bench bench/plain-relay tests/fixtures/mcp-echo
bench_relay_bench_SOURCES = bench/relay-bench.c
bench_plain_relay_SOURCES = bench/plain-relay.c
tests_fixtures_mcp_echo_SOURCES = tests/fixtures/mcp-echo.c
tests_fixtures_mcp_echo_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS)
tests_fixtures_mcp_echo_LDADD = $(CJSON_LIBS)
EXTRA_DIST += bench/run-relay-bench.sh
bench-relay: bench/relay-bench bench/plain-relay tests/fixtures/mcp-echo tests/inspect/relay-harness
	$(SHELL) $(top_srcdir)/bench/run-relay-bench.sh $(top_builddir) | tee bench/relay-latest.txt
# The same calls against server-everything's echo tool (tests/e2e's npm
# packages: npm ci there first): bare, through the plain relay, and through
# membrane-run under profiles/everything.yml (sandbox and all).
EVERYTHING_MODULES = $(srcdir_abs)/tests/e2e/node_modules
EVERYTHING_DIR = $(EVERYTHING_MODULES)/@modelcontextprotocol/server-everything
bench-everything: bench/relay-bench bench/plain-relay membrane-run
	N=$${N:-5000} SERVER="node $(EVERYTHING_DIR)/dist/index.js" BENCH_ARGS="-I -k message" \
	RELAY_C="$(abs_top_builddir)/membrane-run --profile $(srcdir_abs)/profiles/everything.yml \
		--set SERVER_DIR=$(EVERYTHING_DIR) --set MODULES=$(EVERYTHING_MODULES) --report /dev/null --" \
	$(SHELL) $(top_srcdir)/bench/run-relay-bench.sh $(top_builddir) 2>/dev/null | tee bench/everything-latest.txt
.PHONY: bench bench-relay bench-everything

# The inspector's CPU per round trip, from memory (callgrind-friendly).
# bench/relay-results.txt is the record of measured figures (the targets
# above write bench/*-latest.txt).
EXTRA_DIST += bench/relay-results.txt bench/mcp-echo.yml
CLEANFILES += bench/relay-latest.txt bench/everything-latest.txt
noinst_PROGRAMS += bench/inspect-cost
bench_inspect_cost_SOURCES = bench/inspect-cost.c
bench_inspect_cost_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS)
bench_inspect_cost_LDADD = $(INSPECT_LIBS) $(CJSON_LIBS)

# What the answer scanners cost (bench/scan-cost.c; results recorded in
# bench/scan-results.md); with files, what they find in them.
noinst_PROGRAMS += bench/scan-cost
bench_scan_cost_SOURCES = bench/scan-cost.c
bench_scan_cost_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS)
bench_scan_cost_LDADD = $(INSPECT_LIBS) $(CJSON_LIBS)
EXTRA_DIST += bench/scan-results.md

# A real Node MCP server (server-filesystem, tests/e2e's) bare and under
# membrane-run with the correlator: start-up and per-call latency
# (bench/server-latency.py; results in bench/server-results.md).
EXTRA_DIST += bench/server-latency.py bench/server-results.md
.PHONY: bench bench-server
bench: bench-server
bench-server: membrane-run
	$(AM_V_GEN){ echo "## server-filesystem bare and under membrane-run (bench/server-latency.py)"; echo; \
	  python3 $(top_srcdir)/bench/server-latency.py $(srcdir_abs)/tests/e2e \
	    $(abs_top_builddir)/membrane-run $(srcdir_abs)/profiles 9 300; echo; } | \
	  tee $(top_srcdir)/bench/server-results.md

# The sandbox's resolver: a lookup through membrane-run against the same
# lookup bare, and a Node process's first HTTPS request by name (issue 15;
# bench/names.sh, as root; results in bench/names-results.md).
EXTRA_PROGRAMS += bench/names-lookup
EXTRA_DIST += bench/names.sh bench/names-fetch.mjs bench/names.yml bench/names-results.md
.PHONY: bench bench-names
bench: bench-names
bench-names: membrane-run bench/names-lookup$(EXEEXT)
	top_srcdir=$(srcdir_abs) top_builddir=$(abs_top_builddir) $(SHELL) $(top_srcdir)/bench/names.sh $(srcdir_abs)/bench/names-results.md

# A query round trip through server-postgres, bare vs under membrane-run
# with profiles/db.yml (network brokered), against a throwaway PostgreSQL
# (bench/db-roundtrip.sh; results in bench/db-results.md). Needs npm ci in
# tests/e2e and PostgreSQL's server binaries.
EXTRA_DIST += bench/db-roundtrip.sh bench/db-roundtrip.mjs bench/db-results.md
.PHONY: bench bench-db
bench: bench-db
bench-db: membrane-run
	top_srcdir=$(srcdir_abs) top_builddir=$(abs_top_builddir) $(SHELL) $(top_srcdir)/bench/db-roundtrip.sh $(srcdir_abs)/bench/db-results.md

# membrane-run --listen beside the SDK's own Streamable HTTP server:
# echo round trips, sessions started per second, memory per idle session
# (bench/http.sh; results recorded in bench/http-results.md).
EXTRA_DIST += bench/http.sh bench/http-bench.mjs bench/http-results.md
.PHONY: bench-http
bench-http: membrane-run
	top_srcdir=$(srcdir_abs) top_builddir=$(abs_top_builddir) $(SHELL) $(top_srcdir)/bench/http.sh $(srcdir_abs)/bench/http-results.md

# Start-up of issue 14's five servers, bare and under their shipped
# profiles (bench/five-startup.sh; results in bench/five-results.md).
EXTRA_DIST += bench/five-startup.sh bench/five-results.md
.PHONY: bench-five
bench-five: membrane-run
	top_srcdir=$(srcdir_abs) top_builddir=$(abs_top_builddir) $(SHELL) $(top_srcdir)/bench/five-startup.sh $(srcdir_abs)/bench/five-results.md

# The call record's cost (issue 16): the relay benchmark with membrane-run
# itself as c (a call line per tools/call) and d (--record none), the report
# to a file (results recorded in bench/record-results.md).
EXTRA_DIST += bench/record-results.md
.PHONY: bench-record
bench-record: bench/relay-bench bench/plain-relay tests/fixtures/mcp-echo membrane-run
	N=$${N:-5000} ROUNDS=$${ROUNDS:-5} \
	RELAY_C="$(abs_top_builddir)/membrane-run --profile $(srcdir_abs)/bench/mcp-echo.yml \
		--set ECHO=$(abs_top_builddir)/tests/fixtures/mcp-echo --report $(abs_top_builddir)/bench/record-c.jsonl --" \
	RELAY_D="$(abs_top_builddir)/membrane-run --profile $(srcdir_abs)/bench/mcp-echo.yml \
		--set ECHO=$(abs_top_builddir)/tests/fixtures/mcp-echo --report $(abs_top_builddir)/bench/record-d.jsonl \
		--record none --" \
	$(SHELL) $(top_srcdir)/bench/run-relay-bench.sh $(top_builddir) | tee bench/record-latest.txt
	rm -f bench/record-c.jsonl bench/record-d.jsonl
CLEANFILES += bench/record-latest.txt
