#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# @cyanheads/git-mcp-server learned from nothing but its command and
# --within the repository it is meant for, then enforced with the draft
# unedited, as root and as nobody (tests/learn/five.sh). It runs git in
# every call (a helper, granted to each tool with the evidence), and its
# tools' path argument defaults to the working directory an earlier call
# set ({path:-${REPO}}). The calls on another repository are flagged while
# learning and refused under the draft (arguments.within).
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/learn/five.sh"
five_init @cyanheads/git-mcp-server dist/index.js
command -v git >/dev/null || { fail "git is installed (apt-get install git)"; done_testing; }
ID="--env GIT_AUTHOR_NAME=Ada --env GIT_AUTHOR_EMAIL=ada@example.org --env GIT_COMMITTER_NAME=Ada"
ID="$ID --env GIT_COMMITTER_EMAIL=ada@example.org --env GIT_AUTHOR_DATE=2026-01-01T00:00:00Z"
ID="$ID --env GIT_COMMITTER_DATE=2026-01-01T00:00:00Z --env GIT_SIGN_COMMITS=false"
repo() { # repo DIR: a repository of $who's with one file not yet added
	rm -rf "$1" && mkdir -p "$1" && chown "$who" "$1" && $run env HOME="$D" git -C "$1" init -q -b main &&
		echo one | $run tee "$1/notes.txt" >/dev/null
}
reset() { repo "$REPO" && repo "$OTHER" && $run env HOME="$D" git -C "$OTHER" add notes.txt &&
	$run env HOME="$D" git -C "$OTHER" -c user.name=Eve -c user.email=eve@example.org commit -qm secret; }
for who in root nobody; do
	five_who $who
	REPO=$D/repo OTHER=$D/other
	CMD="node $SERVER" RS_OPTS="--var REPO=$REPO --var OTHER=$OTHER $ID"
	LEARN_OPTS="--within $REPO --set REPO=$REPO" ENF_OPTS="--set REPO=$REPO"
	five_learn git "$S/git.json" "$S/git-outside.json"
	is "$(j '.profile.arguments.within')" '["${REPO}"]' "$T: arguments.within is the bound given, as \${REPO}"
	is "$(j '.profile.tools.git_set_working_dir.read')" '["{path}"]' "$T: git_set_working_dir reads {path}"
	is "$(j '.profile.tools.git_commit.write')" '["{path:-${REPO}}"]' \
		"$T: git_commit writes {path}, the repository an earlier call set without it"
	is "$(j '[.profile.tools[] | .exec[] | select(. != "/usr/bin/git" and . != "/usr/lib/git-core/git")] | length')" 0 \
		"$T: every tool runs git, granted, and nothing else"
	is "$(j '[.profile.tools[] | select(.exec | index("/usr/bin/git"))] | length')" "$(j '.profile.tools | length')" \
		"$T: ... each of them"
	like "$(grep -F '"/usr/bin/git"' "$D/git.yml" | head -1)" 'a program the server runs: in 1 of 1 call' \
		"$T: ... with the evidence"
	is "$(j '.profile.runtime.env | map(select(startswith("GIT_AUTHOR"))) | length')" 3 \
		"$T: the environment the server was given is passed on (GIT_AUTHOR_* is no secret)"
	is "$(flagged "path names $OTHER during tool git_status")" 1 "$T: the call on the other repository is flagged"
	is "$(flagged "path names $OTHER during tool git_log")" 1 "$T: ... and the other"
	like "$(j '.flagged')" 'a call out of scope: its argument path lies outside the bounds \(--within\)' \
		"$T: ... as out of the bounds given"
	is "$(grep -v '^ *#' "$D/git.yml" | grep -c "$OTHER")" 0 "$T: no active line names the other repository"
	is "$(j '.profile.tools | keys | map(select(test("blame|push|clone"))) | length')" 0 \
		"$T: tools never called are not declared"
	five_enforce git "$S/git.json"
	is "$($run env HOME="$D" git -C "$REPO" log --format=%s)" "Add notes" "[$who] git, enforced with the draft: the commit is in the repository"
	five_outside git "$S/git-outside.json"
	is "$(jq -c 'select(.event == "refused")' "$D/git-out.report" | wc -l)" 2 \
		"[$who] git, out of scope under the draft: both calls refused by arguments.within"
	five_shipped git "$top_srcdir/profiles/git.yml" "$S/git.json" --set REPO="$REPO" \
		--set SERVER_DIR="$(dirname "$(dirname "$SERVER")")" --set MODULES="$E/node_modules"
done
done_testing
