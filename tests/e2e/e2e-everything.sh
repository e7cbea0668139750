#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# @modelcontextprotocol/server-everything driven by the official SDK client,
# bare and through membrane-run under profiles/everything.yml, as root and
# as nobody: its 19 tools, including those registered after initialize for
# a client that declares roots, sampling, elicitation and tasks (the client
# answers each request, form and URL elicitation, task-augmented sampling
# and elicitation); tools/list_changed followed by a refresh; progress
# notifications of a long operation; a cancelled call that is never
# answered; a task-augmented call that asks for clarification on the way;
# roots/list_changed; logging/setLevel shown to filter the server's log
# notifications; resources (list, templates, read static, dynamic, blob and
# session resources, subscribe with an update notification, unsubscribe);
# prompts; completion. The same responses both ways, and a report holding
# only start and exit.
# Left out until brokered connects exist: gzip-file-as-resource fetching
# over http (tests/e2e/e2e-everything-fetch.sh).
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/e2e/lib/e2e.sh"

S=$MCP/server-everything/dist/index.js
for who in root nobody; do
	D=$(userdir "$who")
	# The directory the client gives as its root (roots/list).
	mkdir -p "$D/root"
	chown "$who" "$D/root"
	session "$who" bare "$E/sessions/everything.json" --tasks --root "$D/root" \
		-- env -i PATH=/usr/bin:/bin node "$S"
	session "$who" wrapped "$E/sessions/everything.json" --tasks --root "$D/root" \
		-- "$MEMBRANE_RUN" --profile "$PROFILES/everything.yml" --report "$D/wrapped.report" \
		--set SERVER_DIR="$MCP/server-everything" --set MODULES="$NM" \
		-- node "$S"
	check_coverage "$who" wrapped
	check_same "$who" bare wrapped
	is "$(node "$E/lib/check.mjs" get "$D/wrapped.json" tools.names | tr -cd , | wc -c)" 18 \
		"[$who] the tool list refreshed on tools/list_changed holds the 19 tools"
	is "$(node "$E/lib/check.mjs" get "$D/wrapped.json" seen.sampling) $(node "$E/lib/check.mjs" get "$D/wrapped.json" seen.elicitation)" "2 4" \
		"[$who] the client answered sampling twice and elicitation 4 times (one inside the task)"
	# roots/list: once after initialize (a timer of the server's), once on
	# roots/list_changed; a third time only if get-roots-list raced the timer.
	ok "[$who] ... and roots/list at least twice" test "$(node "$E/lib/check.mjs" get "$D/wrapped.json" seen.roots)" -ge 2
	check_report "$who" "$D/wrapped.report" start exit
done
done_testing
