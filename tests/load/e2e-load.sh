#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# 100,000 tools/call with 64 in flight through membrane-run to
# @modelcontextprotocol/server-everything (echo) under profiles/everything.yml:
# no answer lost, duplicated or misrouted by id, none turned into an error,
# and membrane-run's resident memory flat after warm-up (its VmRSS sampled
# every 1,000 answers from /proc: growth from the end of warm-up, 10,000
# calls, bounded). No timing is asserted; the test says how long it took.
. "$top_srcdir/tests/load/lib.sh"
need_server everything

CALLS=${LOAD_CALLS:-100000}
# A leak of 8 bytes per call would grow it by 700 KiB over the 90,000 calls
# after warm-up; malloc's own slack after warm-up is a few pages.
RSS_BOUND_KIB=${LOAD_RSS_BOUND_KIB:-512}

# Under AddressSanitizer (--enable-sanitizers) freed memory sits in a
# quarantine that grows the RSS by design: turn it off for this one.
export ASAN_OPTIONS="quarantine_size_mb=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"

start=$(date +%s)
"$top_builddir/tests/load/load-client" -n "$CALLS" -w 64 -s 1000 -W 10000 -- \
	"$MEMBRANE_RUN" --report "$W/report.jsonl" --profile "$top_srcdir/profiles/everything.yml" \
	--set SERVER_DIR="$EVERY" --set MODULES="$MODULES" -- node "$EVERY/dist/index.js" \
	> "$W/facts" 2> "$W/stderr"
is "$?" 0 "the client ran the session to its end"
secs=$(($(date +%s) - start))
diag "$CALLS calls in $secs s (load average $(cut -d' ' -f1 /proc/loadavg))"
fact() { sed -n "s/^$1=//p" "$W/facts"; }

is "$(fact sent)" "$CALLS" "$CALLS calls sent, 64 in flight"
is "$(fact answered)" "$CALLS" "every call answered"
is "$(fact missing)" 0 "no answer lost"
is "$(fact duplicate)" 0 "no answer duplicated"
is "$(fact unknown)" 0 "no answer with an id nobody asked for"
is "$(fact misrouted)" 0 "every answer carries the text echoed for its own id"
is "$(fact errors)" 0 "no call answered with an error$( [ -n "$(fact first_error)" ] && echo " (first: $(fact first_error))")"
is "$(fact server_requests)" 0 "no request from the server"
is "$(fact exit_status)" 0 "membrane-run exits 0 at the end of its input"

warm=$(fact rss_warm_kib)
max=$(fact rss_max_after_warm_kib)
diag "membrane-run VmRSS (KiB) every 1,000 answers: $(fact rss_samples)"
ok "membrane-run's VmRSS was sampled (warm-up $warm KiB, highest after $max KiB)" \
	test "${warm:-0}" -gt 0 -a "${max:-0}" -gt 0
ok "membrane-run's VmRSS grew by at most $RSS_BOUND_KIB KiB after warm-up ($((max - warm)) KiB)" \
	test "$((max - warm))" -le "$RSS_BOUND_KIB"

own=$(grep -v '^\[server\] ' "$W/stderr")
is "$own" "" "membrane-run itself wrote nothing on stderr (the server's lines are marked [server])"

# What it reported: the session, and nothing refused or violated.
is "$(event_count start)" 1 "one start report"
is "$(event_count exit)" 1 "one exit report"
is "$(grep -c '"event":"\(refused\|violation\|error\)"' "$W/report.jsonl")" 0 "no refusal, violation or error reported"
done_testing
