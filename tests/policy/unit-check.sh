#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# membrane-run --check on broken profiles: exit status 125 and exactly one
# line on stderr naming file:line:column; on good ones: exit 0, no output.
. "$top_srcdir/tests/tap.sh"

fix=$top_srcdir/tests/fixtures/profiles
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# check NAME STATUS STDERR -- ARGS...: run membrane-run --check ARGS and
# compare its exit status, stdout (must be empty) and stderr.
check() {
	name=$1 want_rc=$2 want_err=$3
	shift 4
	"$MEMBRANE_RUN" --check "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	is "$rc" "$want_rc" "$name: exit status $want_rc"
	is "$(cat "$tmp/err")" "$want_err" "$name: stderr"
	is "$(wc -c <"$tmp/out" | tr -d ' ')" 0 "$name: nothing on stdout"
	is "$(wc -l <"$tmp/err" | tr -d ' ')" "$( [ -n "$want_err" ] && echo 1 || echo 0)" \
		"$name: at most one line"
}

bad() { # bad FILE MESSAGE [ARGS...]: MESSAGE follows "membrane-run: $fix/bad/"
	file=$1 msg=$2
	shift 2
	check "bad/$file" 125 "membrane-run: $fix/bad/$msg" -- --profile "$fix/bad/$file" "$@"
}

bad unknown-key.yml "unknown-key.yml:4:1: unknown key 'netwrok' (expected one of: version, name, description, include, mode, vars, runtime, network, unlisted_tools, arguments, tools, requests, limits, redact, pin, concurrency, require_landlock, user, scan, require, quiet, denials, private_names, record, budgets, anomaly, decoys, tests)"
bad duplicate-tool.yml "duplicate-tool.yml:6:3: duplicate tool 'read_file' (first at $fix/bad/duplicate-tool.yml:4:3)"
bad var-cycle.yml 'var-cycle.yml:6:6: variable cycle: ${A} -> ${B} -> ${C} -> ${A} (a variable cannot refer to itself)'
bad undefined-var.yml 'undefined-var.yml:6:21: undefined variable ${DATA} (define it under vars, or give --set DATA=VALUE)'
bad relative-path.yml "relative-path.yml:4:16: relative path 'usr/lib' (write an absolute path)"
bad missing-path.yml "missing-path.yml:4:16: path '/nonexistent/membrane-test' does not exist (create it, or mark the grant optional with a trailing '?')"
bad placeholder-runtime.yml "placeholder-runtime.yml:4:10: runtime grants apply outside any call: no argument can fill {path} (write a fixed path)"
bad endpoint-host-bits.yml "endpoint-host-bits.yml:4:13: bad endpoint '10.1.2.3/8:80': host bits are set in 10.1.2.3/8 (write the network address 10.0.0.0/8)"
bad bad-size.yml "bad-size.yml:3:19: bad size '12Q' (write bytes, or a number with K, M, G or T: 512M)"
bad syntax-flow.yml "syntax-flow.yml:5:8: YAML syntax error: did not find expected ',' or ']', while parsing a flow sequence at 4:9"
bad empty.yml "empty.yml:1:1: the profile is empty (start it with 'version: 1')"
bad include-cycle.yml "runtimes/cycle-b.yml:3:11: include cycle: $fix/bad/runtimes/cycle-a.yml -> $fix/bad/runtimes/cycle-b.yml -> $fix/bad/runtimes/cycle-a.yml (remove one of these includes)"
bad include-fragment-key.yml "runtimes/with-tools.yml:3:1: 'tools' is not allowed in a runtime fragment (a fragment holds only vars, runtime and include)"

check "--set of an unknown variable" 125 \
	"membrane-run: command line: --set ROOTT: the profile has no variable ROOTT (it has: ROOT)" \
	-- --profile "$fix/bad/set-unknown.yml" --set ROOTT=/srv

# The same profile passes once the variable is spelt right.
check "set-unknown.yml with --set ROOT" 0 "" -- --profile "$fix/bad/set-unknown.yml" --set ROOT=/etc
check "good/minimal.yml" 0 "" -- --profile "$fix/good/minimal.yml"
check "good/full.yml (every key, fragments)" 0 "" -- --profile "$fix/good/full.yml"
check "good/vars.yml with --set" 0 "" -- --profile "$fix/good/vars.yml" --set ROOT=/usr --set ONLY_SET=x

done_testing
