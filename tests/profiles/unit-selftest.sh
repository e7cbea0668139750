#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Every shipped profile carries tests that pass and lints clean, with the
# --set values the end-to-end tests use (as profiles-check.sh): its tests
# exercise each tool it declares, allow and deny both, and --lint has
# nothing to say.
. "$top_srcdir/tests/tap.sh"

# The npm that npx runs on this machine: NodeSource's in
# /usr/lib/node_modules/npm (npx.yml's default), Debian's npm package's in
# /usr/share/nodejs/npm.
npx=$(command -v npx) || { fail "npx is installed (apt-get install npm, or NodeSource's nodejs)"; done_testing; }
npm_dir=$(dirname "$(dirname "$(readlink -f "$npx")")")

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/modules" "$dir/root" "$dir/memory"
profiles=$top_srcdir/profiles

# The tools a profile declares: the keys of its top-level tools mapping.
declared_tools() {
	awk '/^[^ #]/ { in_tools = ($0 ~ /^tools:/); next }
	     in_tools && /^  [A-Za-z0-9_.-]+:/ { sub(/^  /, ""); sub(/:.*/, ""); print }' "$1"
}

selftest() { # selftest NAME PROFILE [--set ...]
	name=$1 profile=$2
	shift 2
	"$MEMBRANE_RUN" --test-profile "$profile" "$@" >"$dir/tap" 2>"$dir/err"
	rc=$?
	is "$rc" 0 "$name: --test-profile exits 0 ($(grep -A1 '^not ok' "$dir/tap" | head -n 4; cat "$dir/err"))"
	plan=$(sed -n '1s/^1\.\.//p' "$dir/tap")
	oks=$(grep -c '^ok ' "$dir/tap")
	ok "$name: the plan counts every line, all ok ($oks of $plan)" \
		test -n "$plan" -a "$plan" -gt 0 -a "$oks" -eq "$plan"
	for tool in $(declared_tools "$profile"); do
		allow=$(grep -c "^ok [0-9]* - [^ ]*: $tool (test at line [0-9]*): allow " "$dir/tap")
		deny=$(grep -c "^ok [0-9]* - [^ ]*: $tool (test at line [0-9]*): deny " "$dir/tap")
		ok "$name: $tool is tested ($allow allow, $deny deny)" test "$allow" -gt 0 -a "$deny" -gt 0
	done
	"$MEMBRANE_RUN" --lint "$profile" "$@" >"$dir/lint" 2>&1
	rc=$?
	is "$rc" 0 "$name: --lint exits 0"
	is "$(cat "$dir/lint")" "" "$name: --lint has nothing to say"
}

selftest filesystem "$profiles/filesystem.yml" --set MODULES="$dir/modules" --set ROOT="$dir/root"
selftest memory "$profiles/memory.yml" --set MODULES="$dir/modules" --set MEMORY_DIR="$dir/memory"
selftest everything "$profiles/everything.yml" --set MODULES="$dir/modules"
selftest "everything, another endpoint" "$profiles/everything.yml" --set MODULES="$dir/modules" \
	--set FETCH=127.0.0.1:18080
selftest db "$profiles/db.yml" --set MODULES="$dir/modules" --set DB=127.0.0.1:15432
selftest "db, IPv6" "$profiles/db.yml" --set MODULES="$dir/modules" --set DB='[::1]:5432'
# Issue 14's five servers.
touch "$dir/modules/rg"
selftest sequential-thinking "$profiles/sequential-thinking.yml" --set MODULES="$dir/modules"
selftest git "$profiles/git.yml" --set MODULES="$dir/modules" --set REPO="$dir/root"
selftest sqlite "$profiles/sqlite.yml" --set MODULES="$dir/modules" --set DB="$dir/root/db.sqlite" \
	--set DB_DIR="$dir/root"
selftest fetch "$profiles/fetch.yml" --set MODULES="$dir/modules" --set SITE=127.0.0.1:18080
selftest desktop-commander "$profiles/desktop-commander.yml" --set MODULES="$dir/modules" \
	--set ROOT="$dir/root" --set RG="$dir/modules/rg"

# The runtime fragments, through the smallest profiles that include them:
# python's is clean; npx's brings the two warnings its header names.
mkdir -p "$dir/npx/_npx" "$dir/npx/_cacache/tmp" "$dir/npx/_cacache/index-v5" "$dir/prof"
cat >"$dir/prof/python.yml" <<YAML
version: 1
name: python-server
include: ["$profiles/runtimes/python.yml"]
limits: { memory: 512M, tasks: 64, files: 1024 }
YAML
"$MEMBRANE_RUN" --lint "$dir/prof/python.yml" >"$dir/lint" 2>&1
is "$?" 0 "runtimes/python.yml: --lint exits 0"
is "$(cat "$dir/lint")" "" "runtimes/python.yml: --lint has nothing to say"
cat >"$dir/prof/npx.yml" <<YAML
version: 1
name: npx-server
include: ["$profiles/runtimes/node.yml", "$profiles/runtimes/npx.yml"]
vars:
  MODULES: \${NPX_CACHE}/_npx
runtime:
  read: ["\${MODULES}"]
limits: { memory: 512M, tasks: 64, files: 1024 }
YAML
"$MEMBRANE_RUN" --lint "$dir/prof/npx.yml" --set NPX_CACHE="$dir/npx" --set NPM_DIR="$npm_dir" >"$dir/lint" 2>&1
is "$?" 1 "runtimes/npx.yml: --lint exits 1"
lock=$(grep -n '_npx/\*/concurrency.lock' "$profiles/runtimes/npx.yml" | cut -d: -f1)
sh_line=$(grep -n '^    - /usr/bin/sh$' "$profiles/runtimes/npx.yml" | cut -d: -f1)
is "$(cut -d: -f1,2 "$dir/lint" | tr '\n' ' ')" \
	"$profiles/runtimes/npx.yml:$lock $profiles/runtimes/npx.yml:$sh_line " \
	"runtimes/npx.yml: two warnings, on the lock files' line ($lock) and /usr/bin/sh's ($sh_line)"
like "$(cat "$dir/lint")" "write on $dir/npx/_npx .* covers $dir/npx/_npx, which the server may run" \
	"runtimes/npx.yml: the lock files' grant covers the exec-granted _npx"
like "$(cat "$dir/lint")" "exec of /usr/bin/sh, a shell or interpreter \(sh\) beyond the server's own \(node\)" \
	"runtimes/npx.yml: sh beyond node"

# The tests follow the variables: served from a home directory, the
# filesystem profile still passes its tests, and the linter says where the
# trouble is (arguments.within, the line that names ROOT).
"$MEMBRANE_RUN" --lint "$profiles/filesystem.yml" --set MODULES="$dir/modules" \
	--set ROOT=/root >"$dir/lint" 2>&1
is "$?" 1 "filesystem with ROOT=/root: --lint exits 1"
line=$(grep -n '^  within:' "$profiles/filesystem.yml" | cut -d: -f1)
like "$(cat "$dir/lint")" "^$profiles/filesystem.yml:$line:[0-9]+: warning: read of /root takes in a home directory whole" \
	"filesystem with ROOT=/root: the warning names arguments.within's line ($line)"

# The check is real: a grant more than the tests allow is caught. A copy
# of filesystem.yml that gives read_text_file all of ROOT fails the test
# of a sibling file, on the line that names it.
sed 's|^  read_text_file: { read: \["{path}"\] }$|  read_text_file: { read: ["${ROOT}"] }|' \
	"$profiles/filesystem.yml" >"$dir/widened.yml"
if cmp -s "$profiles/filesystem.yml" "$dir/widened.yml"; then
	fail "the widened copy differs from filesystem.yml"
else
	pass "the widened copy differs from filesystem.yml"
fi
cp -r "$profiles/runtimes" "$dir/runtimes"
"$MEMBRANE_RUN" --test-profile "$dir/widened.yml" --set MODULES="$dir/modules" \
	--set ROOT="$dir/root" >"$dir/tap" 2>&1
is "$?" 1 "widened read_text_file: --test-profile exits 1"
line=$(grep -n 'a file in ROOT the call did not name' "$profiles/filesystem.yml" | cut -d: -f1)
like "$(grep '^not ok' "$dir/tap")" "^not ok [0-9]+ - $dir/widened.yml:$line:[0-9]+: read_text_file \(test at line [0-9]+\): deny read $dir/root/other.txt\$" \
	"widened read_text_file: the sibling-file test fails, on line $line"

done_testing
