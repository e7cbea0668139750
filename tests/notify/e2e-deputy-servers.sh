#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# No false positives on real servers: @modelcontextprotocol/server-
# filesystem, -memory and -everything under their shipped profiles through
# membrane-run with the correlator on, as root and as nobody, each driven
# through its whole scripted session (tests/e2e/scripts): every step works
# and the report holds no violation at all. For server-filesystem also a
# read_text_file of a symlink inside ROOT (the grant is compared in
# canonical form), and a control: the same session under a copy of the
# profile that grants read_text_file nothing is refused and reported, so the
# correlator was watching.
. "$top_srcdir/tests/tap.sh"

E=${MEMBRANE_E2E_DIR:-$top_srcdir/tests/e2e}
M=$E/node_modules/@modelcontextprotocol
need_npm "$E" @modelcontextprotocol/server-filesystem/dist/index.js
W=$(mktemp -d /tmp/membrane-servers.XXXXXX)
chmod 755 "$W"
trap 'rm -rf "$W"' EXIT INT TERM
NOBODY="setpriv --reuid=nobody --regid=nogroup --clear-groups"
P=$top_srcdir/profiles

# closed_port: a TCP port on 127.0.0.1 that nothing listens on now.
closed_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# violations REPORT: how many violation lines, and the first few.
violations() {
	jq -c 'select(.event == "violation")' "$1" | wc -l
}
show() {
	jq -c 'select(.event == "violation") | [.op, .syscall, .target, .reason]' "$1" | head -5 |
		while read -r l; do diag "$l"; done
}

# script_ok OUT WHAT [LABEL-TO-LEAVE-OUT]: every step of a run-script.mjs
# session succeeded.
script_ok() {
	steps=$(grep '"label"' "$1" | grep -vc "\"label\":\"${3:-(none)}\"")
	good=$(grep '"ok":true' "$1" | grep -vc "\"label\":\"${3:-(none)}\"")
	ok "$2: every step works ($good of $steps)" test "$steps" -gt 0 -a "$good" -eq "$steps"
	[ "$good" -eq "$steps" ] || grep '"label"' "$1" | grep -v '"ok":true' | head -3 | cut -c1-300 |
		while read -r l; do diag "$l"; done
}

for who in root nobody; do
	run=
	[ $who = nobody ] && run=$NOBODY
	D=$W/$who
	mkdir -p "$D/root" "$D/memory"
	sh "$E/lib/fsroot.sh" "$D/root"
	ln -s a.txt "$D/root/link.txt"
	chown -R $who "$D"

	# server-filesystem, every tool.
	R=$D/report-fs
	set -- "$MEMBRANE_RUN" --profile "$P/filesystem.yml" --report "$R" --set ROOT="$D/root" \
		--set SERVER_DIR="$M/server-filesystem" --set MODULES="$E/node_modules" \
		-- node "$M/server-filesystem/dist/index.js" "$D/root"
	$run node "$E/lib/run-script.mjs" "$E/scripts/filesystem.json" --var ROOT="$D/root" -- "$@" \
		>"$D/out-fs" 2>"$D/err-fs"
	is "$?" 0 "[$who] server-filesystem: the session runs to its end"
	script_ok "$D/out-fs" "[$who] server-filesystem"
	is "$(cat "$D/root/a.txt")" replaced "[$who] server-filesystem: write_file replaced a.txt"
	is "$(cat "$D/root/made/moved.txt" 2>/dev/null)" fresh "[$who] server-filesystem: write_file made sub/new.txt, move_file moved it"
	is "$(head -1 "$D/root/sub/b.txt")" LINE1 "[$who] server-filesystem: edit_file edited sub/b.txt"
	ok "[$who] server-filesystem: create_directory made deep/er/est" test -d "$D/root/deep/er/est"
	is "$(violations "$R")" 0 "[$who] server-filesystem: no violation in the whole session"
	show "$R"

	# read_text_file alone, and of a symlink in ROOT.
	cat >"$D/read.json" <<EOF
[{"label": "read_text_file", "call": "read_text_file", "arguments": {"path": "$D/root/sub/b.txt"}},
 {"label": "read_text_file link", "call": "read_text_file", "arguments": {"path": "$D/root/link.txt"}}]
EOF
	R=$D/report-read
	set -- "$MEMBRANE_RUN" --profile "$P/filesystem.yml" --report "$R" --set ROOT="$D/root" \
		--set SERVER_DIR="$M/server-filesystem" --set MODULES="$E/node_modules" \
		-- node "$M/server-filesystem/dist/index.js" "$D/root"
	$run node "$E/lib/run-script.mjs" "$D/read.json" -- "$@" >"$D/out-read" 2>"$D/err-read"
	script_ok "$D/out-read" "[$who] read_text_file of an allowed file and of a symlink to one"
	like "$(grep '"read_text_file link"' "$D/out-read")" 'replaced' "[$who] ... the link's file was read"
	is "$(violations "$R")" 0 "[$who] read_text_file of an allowed file: no violation at all"
	show "$R"

	# The control: read_text_file granted nothing.
	mkdir -p "$D/control/runtimes"
	cp "$P"/runtimes/*.yml "$D/control/runtimes/"
	C=$D/control/filesystem.yml
	sed 's/^  read_text_file: { read: \["{path}"\] }$/  read_text_file: {}/' "$P/filesystem.yml" >"$C"
	ok "[$who] control profile: read_text_file's grant removed" grep -q '^  read_text_file: {}$' "$C"
	R=$D/report-control
	set -- "$MEMBRANE_RUN" --profile "$C" --report "$R" --set ROOT="$D/root" \
		--set SERVER_DIR="$M/server-filesystem" --set MODULES="$E/node_modules" \
		-- node "$M/server-filesystem/dist/index.js" "$D/root"
	$run node "$E/lib/run-script.mjs" "$D/read.json" -- "$@" >"$D/out-control" 2>"$D/err-control"
	like "$(grep '"label":"read_text_file"' "$D/out-control")" '"ok":false' "[$who] control: read_text_file fails"
	is "$(jq -c "select(.event == \"violation\" and .op == \"read\" and .target == \"$D/root/sub/b.txt\" and .decision == \"denied\" and .requests[0].tool == \"read_text_file\")" "$R" | wc -l)" 1 \
		"[$who] control: the read is denied and reported under read_text_file"

	# server-memory, every tool and its resource.
	R=$D/report-memory
	set -- "$MEMBRANE_RUN" --profile "$P/memory.yml" --report "$R" --set MEMORY_DIR="$D/memory" \
		--set SERVER_DIR="$M/server-memory" --set MODULES="$E/node_modules" \
		-- node "$M/server-memory/dist/index.js"
	$run node "$E/lib/run-script.mjs" "$E/scripts/memory.json" -- "$@" >"$D/out-memory" 2>"$D/err-memory"
	is "$?" 0 "[$who] server-memory: the session runs to its end"
	script_ok "$D/out-memory" "[$who] server-memory"
	ok "[$who] server-memory: the graph file was written" test -s "$D/memory/memory.jsonl"
	is "$(violations "$R")" 0 "[$who] server-memory: no violation in the whole session"
	show "$R"

	# server-everything, every tool (tasks, sampling and elicitation
	# included). Its http fetch goes, through the network broker, to FETCH
	# on the host: a loopback port that nothing listens on (a fixed one,
	# such as 8000, may be a server of the machine's, and got the request),
	# so the connect is refused and that step alone is not required to
	# work here (tests/e2e/everything-fetch.sh fetches for real); it must
	# not be reported either.
	R=$D/report-everything
	set -- "$MEMBRANE_RUN" --profile "$P/everything.yml" --report "$R" \
		--set SERVER_DIR="$M/server-everything" --set MODULES="$E/node_modules" \
		-- node "$M/server-everything/dist/index.js"
	$run node "$E/lib/run-script.mjs" "$E/scripts/everything.json" --tasks --root "$D/root" \
		--var FETCH="127.0.0.1:$(closed_port)" -- "$@" >"$D/out-everything" 2>"$D/err-everything"
	script_ok "$D/out-everything" "[$who] server-everything" "gzip-file-as-resource http"
	is "$(violations "$R")" 0 "[$who] server-everything: no violation in the whole session"
	show "$R"
done
done_testing
