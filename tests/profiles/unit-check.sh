#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Every shipped profile, and a profile including each runtime fragment,
# passes `membrane-run --check` with the --set values the end-to-end tests
# use: exit 0 and not a byte of output. A broken variant must fail with the
# profile's own file:line, so that this test can tell a check from a no-op.
. "$top_srcdir/tests/tap.sh"

# The npm that npx runs on this machine: NodeSource's in
# /usr/lib/node_modules/npm (npx.yml's default), Debian's npm package's in
# /usr/share/nodejs/npm.
npx=$(command -v npx) || { fail "npx is installed (apt-get install npm, or NodeSource's nodejs)"; done_testing; }
npm_dir=$(dirname "$(dirname "$(readlink -f "$npx")")")

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# The paths the variables name must exist for --check; their contents do
# not matter to it.
mkdir -p "$dir/modules" "$dir/root" "$dir/memory" \
	"$dir/npx/_npx" "$dir/npx/_cacache/tmp" "$dir/npx/_cacache/index-v5" "$dir/prof"
profiles=$top_srcdir/profiles

check() { # check NAME PROFILE [--set ...]: exit 0, nothing printed
	name=$1 profile=$2
	shift 2
	out=$("$MEMBRANE_RUN" --check --profile "$profile" "$@" 2>&1)
	rc=$?
	is "$rc" 0 "$name: --check exits 0"
	is "$out" "" "$name: --check prints nothing"
}

check filesystem "$profiles/filesystem.yml" --set MODULES="$dir/modules" --set ROOT="$dir/root"
check memory "$profiles/memory.yml" --set MODULES="$dir/modules" --set MEMORY_DIR="$dir/memory"
check everything "$profiles/everything.yml" --set MODULES="$dir/modules"
check "everything, another endpoint" "$profiles/everything.yml" --set MODULES="$dir/modules" \
	--set FETCH=127.0.0.1:18080
check db "$profiles/db.yml" --set MODULES="$dir/modules" --set DB=127.0.0.1:15432
check "db, IPv6" "$profiles/db.yml" --set MODULES="$dir/modules" --set DB='[::1]:5432'
# Issue 14's five servers.
touch "$dir/modules/rg"
check sequential-thinking "$profiles/sequential-thinking.yml" --set MODULES="$dir/modules"
check git "$profiles/git.yml" --set MODULES="$dir/modules" --set REPO="$dir/root"
check sqlite "$profiles/sqlite.yml" --set MODULES="$dir/modules" --set DB="$dir/root/db.sqlite" \
	--set DB_DIR="$dir/root"
check fetch "$profiles/fetch.yml" --set MODULES="$dir/modules" --set SITE=127.0.0.1:18080
check desktop-commander "$profiles/desktop-commander.yml" --set MODULES="$dir/modules" --set ROOT="$dir/root" \
	--set RG="$dir/modules/rg"

# The fragments, through the smallest profiles that include them by path.
cat >"$dir/prof/python.yml" <<YAML
version: 1
name: python-server
include: ["$profiles/runtimes/python.yml"]
YAML
check "runtimes/python.yml" "$dir/prof/python.yml"
cat >"$dir/prof/npx.yml" <<YAML
version: 1
name: npx-server
include: ["$profiles/runtimes/node.yml", "$profiles/runtimes/npx.yml"]
vars:
  MODULES: \${NPX_CACHE}/_npx
runtime:
  read: ["\${MODULES}"]
YAML
check "runtimes/node.yml + runtimes/npx.yml" "$dir/prof/npx.yml" --set NPX_CACHE="$dir/npx" --set NPM_DIR="$npm_dir"

# The check is real: a served root that does not exist is named with the
# line of the profile that grants it.
out=$("$MEMBRANE_RUN" --check --profile "$profiles/filesystem.yml" \
	--set MODULES="$dir/modules" --set ROOT="$dir/missing" 2>&1)
rc=$?
is "$rc" 125 "filesystem with a missing ROOT: --check exits 125"
line=$(grep -n '^  within:' "$profiles/filesystem.yml" | cut -d: -f1)
like "$out" "filesystem\.yml:$line:[0-9]+: .*$dir/missing" \
	"filesystem with a missing ROOT: the error names filesystem.yml:$line and the path"

done_testing
