#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Learn, then enforce: @modelcontextprotocol/server-filesystem and -memory
# are driven through a scripted session under membrane-run --learn, as root
# and as nobody; the draft must load (--check, with the same --set values),
# carry every lint warning as a comment, grant each tool what its calls did
# generalised to their own arguments, and flag nothing; then the same
# session under the draft in enforce mode works with no violation at all,
# and so does a session on other files through the same tools. Learned
# without BASE (the learning default) and with the shipped profile as BASE.
# A control shows the draft is no open door: a call outside what was
# learned is refused.
. "$top_srcdir/tests/tap.sh"

E=${MEMBRANE_E2E_DIR:-$top_srcdir/tests/e2e}
M=$E/node_modules/@modelcontextprotocol
need_npm "$E" @modelcontextprotocol/server-filesystem/dist/index.js
export MEMBRANE_E2E_DIR=$E
W=$(mktemp -d /tmp/membrane-learn.XXXXXX)
chmod 755 "$W"
trap 'rm -rf "$W"' EXIT INT TERM
NOBODY="setpriv --reuid=nobody --regid=nogroup --clear-groups"
P=$top_srcdir/profiles
S=$top_srcdir/tests/learn/scripts
RUNSCRIPT="node $E/lib/run-script.mjs"
# The steps follow each other quickly: the test is about what they touch.
export STEP_GAP_MS=50
# membrane-run's own lines (and the server's) go to each step's err file.
export SERVER_STDERR=inherit
MODULES=$(realpath "$E/node_modules")

violations() { jq -c 'select(.event == "violation")' "$1" | wc -l; }
show() {
	jq -c 'select(.event == "violation") | [.op, .syscall, .target, .reason]' "$1" | head -5 |
		while read -r l; do diag "$l"; done
}
# script_ok OUT WHAT: every step of a run-script.mjs session succeeded.
script_ok() {
	steps=$(grep -c '"label"' "$1")
	good=$(grep -c '"ok":true' "$1")
	ok "$2: every step works ($good of $steps)" test "$steps" -gt 0 -a "$good" -eq "$steps"
	[ "$good" -eq "$steps" ] || grep '"label"' "$1" | grep -v '"ok":true' | head -3 | cut -c1-300 |
		while read -r l; do diag "$l"; done
}
# draft_ok WHAT DRAFT SETS...: it loads as --check loads it, and every
# warning of --lint is in it as a comment.
draft_ok() {
	what=$1 draft=$2
	shift 2
	ok "$what: the draft was written" test -s "$draft"
	$run "$MEMBRANE_RUN" --check --profile "$draft" "$@" 2>"$W/check-err"
	is "$?" 0 "$what: the draft loads with --check and the same --set values"
	[ -s "$W/check-err" ] && diag "$(head -c 300 "$W/check-err")"
	nwarn=$($run "$MEMBRANE_RUN" --lint "$draft" "$@" | grep -c ': warning: ')
	is "$(grep -c '^# LINT: ' "$draft")" "$nwarn" "$what: each of its $nwarn lint warnings is a comment in it"
	J=$(node "$top_srcdir/tests/learn/draft.mjs" "$draft")
}
j() { printf '%s' "$J" | jq -c "$1"; }

for who in root nobody; do
	run=
	[ $who = nobody ] && run=$NOBODY
	D=$W/$who
	mkdir -p "$D/fs" "$D/mem" "$D/mem2" "$D/fsb"
	chown -R $who "$D"
	fresh_fs() { # fresh_fs DIR: the tree both scripts work on
		rm -rf "$1" && mkdir -p "$1/other" && sh "$E/lib/fsroot.sh" "$1" &&
			echo gamma >"$1/other/c.txt" && cp "$1/pixel.png" "$1/other/dot.png" && chown -R $who "$1"
	}
	FS="node $M/server-filesystem/dist/index.js"
	MEM="node $M/server-memory/dist/index.js"

	# ---- server-filesystem, without BASE: the learning default ----
	T="[$who] filesystem, learned without BASE"
	fresh_fs "$D/fs"
	$run $RUNSCRIPT "$S/filesystem.json" --var ROOT="$D/fs" -- "$MEMBRANE_RUN" --learn "$D/fs.yml" \
		--set ROOT="$D/fs" --report "$D/fs-learn.report" -- $FS "$D/fs" >"$D/out" 2>"$D/err"
	is "$?" 0 "$T: the session runs to its end"
	script_ok "$D/out" "$T"
	like "$(head -1 "$D/err")" "learning into $D/fs.yml: the sandbox is the learning default: .*read and write the working directory and what its command line, environment and --within name: $D/fs" \
		"$T: membrane-run says what the learning default grants"
	is "$(jq -c 'select(.event == "violation")' "$D/fs-learn.report" | wc -l)" 0 "$T: learning reports no violation"
	draft_ok "$T" "$D/fs.yml" --set ROOT="$D/fs"
	is "$(j .profile.vars.ROOT)" "\"$D/fs\"" "$T: the --set variable is declared"
	is "$(j .profile.arguments.within)" '["${ROOT}"]' "$T: arguments.within is the arguments' common root, as \${ROOT}"
	is "$(j .profile.unlisted_tools)" '"deny"' "$T: unlisted tools are denied"
	is "$(j .profile.network)" '"none"' "$T: no network"
	is "$(j '.profile.tools.read_text_file')" '{"read":["{path}"]}' "$T: read_text_file reads {path}"
	is "$(j '.profile.tools.read_multiple_files')" '{"read":["{paths[]}"]}' "$T: read_multiple_files reads {paths[]}"
	is "$(j '.profile.tools.write_file.write | sort')" '["{path}","{path}.*.tmp"]' "$T: write_file writes {path} and its temporary sibling"
	is "$(j '.profile.tools.edit_file | [.read, (.write | sort)]')" '[["{path}"],["{path}","{path}.*.tmp"]]' "$T: edit_file reads and writes {path}, and the sibling"
	is "$(j '.profile.tools.create_directory')" '{"write":["{path}"]}' "$T: create_directory writes {path} (mkdir -p of its parents is allowed within)"
	is "$(j '.profile.tools.move_file.write | sort')" '["{destination}","{source}"]' "$T: move_file writes {source} and {destination}"
	is "$(j '.profile.tools.directory_tree')" '{"read":["{path}"]}' "$T: directory_tree reads {path}"
	is "$(j '.profile.tools.get_file_info')" '{}' "$T: get_file_info touches nothing (stat only)"
	is "$(j '.profile.tools.list_allowed_directories')" '{}' "$T: list_allowed_directories touches nothing"
	is "$(j '.profile.tools | length')" 14 "$T: all 14 tools the session called, nothing else"
	is "$(j '.profile.runtime.exec')" '["/usr/bin/node"]' "$T: runtime executes the command (its launch is never notified)"
	is "$(j "[.profile.runtime.read[] | select(. == \"$MODULES\")] | length")" 1 "$T: runtime reads the server's node_modules, collapsed to the directory"
	is "$(j "[.profile.runtime.read[] | select(startswith(\"$D\"))] | length")" 0 "$T: runtime reads nothing of ROOT"
	is "$(j '.flagged')" '[]' "$T: nothing is flagged SUSPICIOUS"
	like "$(j .header)" 'nothing that the server declared or BASE named' "$T: the header says every declared tool was exercised"

	T="[$who] filesystem, enforced with the draft"
	fresh_fs "$D/fs"
	$run $RUNSCRIPT "$S/filesystem.json" --var ROOT="$D/fs" -- "$MEMBRANE_RUN" --profile "$D/fs.yml" \
		--set ROOT="$D/fs" --report "$D/fs-enf.report" -- $FS "$D/fs" >"$D/out" 2>"$D/err"
	is "$?" 0 "$T: the same session runs to its end"
	script_ok "$D/out" "$T, the same session"
	is "$(cat "$D/fs/made/moved.txt" 2>/dev/null)" fresh "$T: write_file and move_file did their work"
	is "$(violations "$D/fs-enf.report")" 0 "$T: no violation in the same session"
	show "$D/fs-enf.report"
	$run $RUNSCRIPT "$S/filesystem-other.json" --var ROOT="$D/fs" -- "$MEMBRANE_RUN" --profile "$D/fs.yml" \
		--set ROOT="$D/fs" --report "$D/fs-other.report" -- $FS "$D/fs" >"$D/out" 2>"$D/err"
	script_ok "$D/out" "$T, other files through the same tools"
	is "$(cat "$D/fs/other/x/y/d.txt" 2>/dev/null)" "NEW in other" "$T: ... their writes happened"
	is "$(violations "$D/fs-other.report")" 0 "$T: no violation on other files"
	show "$D/fs-other.report"
	# The control: what was never learned stays out.
	cat >"$D/control.json" <<EOF
[{"label": "outside within", "call": "read_text_file", "arguments": {"path": "/etc/hostname"}}]
EOF
	$run $RUNSCRIPT "$D/control.json" -- "$MEMBRANE_RUN" --profile "$D/fs.yml" \
		--set ROOT="$D/fs" --report "$D/fs-control.report" -- $FS "$D/fs" >"$D/out" 2>"$D/err"
	like "$(grep '"label"' "$D/out")" '"ok":false' "$T: a read outside the learned root fails"
	is "$(jq -c 'select(.event == "refused")' "$D/fs-control.report" | wc -l)" 1 "$T: ... refused by arguments.within"

	# ---- server-memory, without BASE: MEMORY_FILE_PATH names its file ----
	T="[$who] memory, learned without BASE"
	MF=$D/mem/memory.jsonl
	$run $RUNSCRIPT "$S/memory.json" --env MEMORY_FILE_PATH="$MF" -- "$MEMBRANE_RUN" --learn "$D/mem.yml" \
		--set MEMORY_DIR="$D/mem" --report "$D/mem-learn.report" -- $MEM >"$D/out" 2>"$D/err"
	is "$?" 0 "$T: the session runs to its end"
	script_ok "$D/out" "$T"
	draft_ok "$T" "$D/mem.yml" --set MEMORY_DIR="$D/mem"
	is "$(j '.profile.runtime.env | index("MEMORY_FILE_PATH") != null')" true "$T: the variable that named the file is passed through"
	is "$(j '.profile.runtime.env | map(select(contains("="))) | length')" 0 "$T: ... without its value, nor any other"
	is "$(grep -c "$MF\"" "$D/mem.yml")" 0 "$T: the file is written through \${MEMORY_DIR}, not as its value"
	is "$(j '.profile.tools.create_entities | [.read, (.write | sort)]')" \
		'[["${MEMORY_DIR}/memory.jsonl*"],["${MEMORY_DIR}/memory.jsonl*","${MEMORY_DIR}/memory.jsonl.*.tmp"]]' \
		"$T: create_entities reads the file (a glob: renames replace it) and writes it, which it creates (a glob), through a temporary sibling"
	is "$(j '.profile.tools.read_graph')" '{"read":["${MEMORY_DIR}/memory.jsonl*"]}' "$T: read_graph only reads it"
	is "$(j '.profile.requests["resources/read"]')" '{"read":["${MEMORY_DIR}/memory.jsonl*"]}' "$T: resources/read is a request entry"
	is "$(j '.profile.arguments')" null "$T: no argument names a path: no arguments.within"
	is "$(j '.flagged')" '[]' "$T: nothing is flagged SUSPICIOUS"
	like "$(j .header)" 'never sent: resources/list, resources/templates/list, resources/subscribe, resources/unsubscribe' \
		"$T: the header names the methods the server offers that were never used"
	T="[$who] memory, enforced with the draft"
	$run $RUNSCRIPT "$S/memory.json" --env MEMORY_FILE_PATH="$MF" -- "$MEMBRANE_RUN" --profile "$D/mem.yml" \
		--set MEMORY_DIR="$D/mem" --report "$D/mem-enf.report" -- $MEM >"$D/out" 2>"$D/err"
	script_ok "$D/out" "$T, the same session"
	is "$(violations "$D/mem-enf.report")" 0 "$T: no violation in the same session"
	show "$D/mem-enf.report"
	$run $RUNSCRIPT "$S/memory-other.json" --env MEMORY_FILE_PATH="$MF" -- "$MEMBRANE_RUN" --profile "$D/mem.yml" \
		--set MEMORY_DIR="$D/mem" --report "$D/mem-other.report" -- $MEM >"$D/out" 2>"$D/err"
	script_ok "$D/out" "$T, other entities"
	like "$(cat "$MF")" '"Grace"' "$T: ... the graph holds them"
	is "$(violations "$D/mem-other.report")" 0 "$T: no violation with other entities"
	show "$D/mem-other.report"

	# ---- server-memory with its shipped profile as BASE ----
	T="[$who] memory, learned with BASE profiles/memory.yml"
	set -- --set MEMORY_DIR="$D/mem2" --set SERVER_DIR="$M/server-memory" --set MODULES="$E/node_modules"
	$run $RUNSCRIPT "$S/memory.json" -- "$MEMBRANE_RUN" --learn "$D/mem2.yml" --profile "$P/memory.yml" "$@" \
		--report "$D/mem2-learn.report" -- $MEM >"$D/out" 2>"$D/err"
	script_ok "$D/out" "$T"
	like "$(head -1 "$D/err")" "the sandbox is BASE's \\($P/memory.yml\\)" "$T: membrane-run says BASE is the sandbox"
	draft_ok "$T" "$D/mem2.yml" "$@"
	is "$(j .profile.include)" '["node"]' "$T: BASE's fragment is included by name: the build tree's membrane-run finds the same file by it"
	is "$(j '.profile.tools.create_entities | [.read, (.write | sort)]')" \
		'[["${MEMORY_FILE}*"],["${MEMORY_FILE}.*.tmp","${MEMORY_FILE}?"]]' "$T: create_entities keeps BASE's grants as BASE wrote them"
	is "$(j '.profile.runtime.env')" '["MEMORY_FILE_PATH=${MEMORY_FILE}"]' "$T: BASE's environment entry, as written"
	is "$(j '.profile.pin')" '"strict"' "$T: BASE's pin stays"
	is "$(j '.profile.redact')" '["entities","observations","deletions"]' "$T: BASE's redact list stays"
	like "$(j .header)" 'what BASE declares that the session never used: resources/subscribe, resources/unsubscribe' "$T: the header names what BASE declares and nothing used"
	is "$(grep -c 'wrote the first program' "$D/mem2.yml")" 0 "$T: redacted arguments are not in the draft"
	is "$(j '.flagged')" '[]' "$T: nothing is flagged SUSPICIOUS"
	rm -f "$D/mem2/memory.jsonl"
	$run $RUNSCRIPT "$S/memory.json" -- "$MEMBRANE_RUN" --profile "$D/mem2.yml" "$@" \
		--report "$D/mem2-enf.report" -- $MEM >"$D/out" 2>"$D/err"
	script_ok "$D/out" "[$who] memory, enforced with the BASE-learned draft"
	is "$(violations "$D/mem2-enf.report")" 0 "[$who] memory, enforced with the BASE-learned draft: no violation"
	show "$D/mem2-enf.report"

	# ---- server-filesystem with its shipped profile as BASE ----
	T="[$who] filesystem, learned with BASE profiles/filesystem.yml"
	fresh_fs "$D/fsb"
	set -- --set ROOT="$D/fsb" --set SERVER_DIR="$M/server-filesystem" --set MODULES="$E/node_modules"
	$run $RUNSCRIPT "$S/filesystem.json" --var ROOT="$D/fsb" -- "$MEMBRANE_RUN" --learn "$D/fsb.yml" \
		--profile "$P/filesystem.yml" "$@" --report "$D/fsb-learn.report" -- $FS "$D/fsb" >"$D/out" 2>"$D/err"
	script_ok "$D/out" "$T"
	draft_ok "$T" "$D/fsb.yml" "$@"
	is "$(j .profile.arguments.within)" '["${ROOT}"]' "$T: BASE's arguments.within stays"
	is "$(j '.profile.tools.write_file.write | sort')" '["{path}","{path}.*.tmp"]' "$T: write_file keeps BASE's grants"
	is "$(j '.profile.runtime.read')" '["${MODULES}"]' "$T: runtime keeps BASE's own grant; the rest is the included fragment's"
	is "$(j '.flagged')" '[]' "$T: nothing is flagged SUSPICIOUS"
	fresh_fs "$D/fsb"
	$run $RUNSCRIPT "$S/filesystem-other.json" --var ROOT="$D/fsb" -- "$MEMBRANE_RUN" --profile "$D/fsb.yml" "$@" \
		--report "$D/fsb-enf.report" -- $FS "$D/fsb" >"$D/out" 2>"$D/err"
	script_ok "$D/out" "[$who] filesystem, enforced with the BASE-learned draft, other files"
	is "$(violations "$D/fsb-enf.report")" 0 "[$who] filesystem, enforced with the BASE-learned draft: no violation"
	show "$D/fsb-enf.report"

	# ---- a command named through a symlink, as node_modules/.bin names
	# servers: the name must exist in the sandbox, though Node resolves
	# it with lstat and readlink, which no listener sees ----
	T="[$who] memory named through a symlink"
	ln -sfn "$MODULES" "$D/linked"
	LMEM="node $D/linked/@modelcontextprotocol/server-memory/dist/index.js"
	MF=$D/mem3/memory.jsonl
	mkdir -p "$D/mem3" && chown $who "$D/mem3"
	$run $RUNSCRIPT "$S/memory.json" --env MEMORY_FILE_PATH="$MF" -- "$MEMBRANE_RUN" --learn "$D/mem3.yml" \
		--set MEMORY_DIR="$D/mem3" --report "$D/mem3-learn.report" -- $LMEM >"$D/out" 2>"$D/err"
	is "$?" 0 "$T: the session learned runs to its end"
	script_ok "$D/out" "$T, learning"
	draft_ok "$T" "$D/mem3.yml" --set MEMORY_DIR="$D/mem3"
	like "$(grep -F "\"$D/linked\"" "$D/mem3.yml")" "# the name its command line uses: symlinks lead to $MODULES" \
		"$T: the draft grants the link's name, saying where it leads"
	$run $RUNSCRIPT "$S/memory.json" --env MEMORY_FILE_PATH="$MF" -- "$MEMBRANE_RUN" --profile "$D/mem3.yml" \
		--set MEMORY_DIR="$D/mem3" --report "$D/mem3-enf.report" -- $LMEM >"$D/out" 2>"$D/err"
	script_ok "$D/out" "$T, enforced with the draft"
	is "$(violations "$D/mem3-enf.report")" 0 "$T, enforced with the draft: no violation"
	show "$D/mem3-enf.report"
done
done_testing
