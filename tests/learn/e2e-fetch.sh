#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# @tokenizin/mcp-npx-fetch learned from nothing but its command against a
# local web (tests/learn/http-world.py), then enforced with the draft
# unedited, as root and as nobody (tests/learn/five.sh). The learning
# sandbox's network is brokered to what an argument names: the fetches
# succeed while learning, and the draft grants each tool the address its
# url named. A page that redirects to another server (one no argument
# named: a server-side request forgery) is flagged while learning, its
# connection refused, and denied under the draft.
. "$top_srcdir/tests/tap.sh"
. "$top_srcdir/tests/learn/five.sh"
five_init @tokenizin/mcp-npx-fetch dist/index.js
command -v python3 >/dev/null || { fail "python3 is installed (apt-get install python3)"; done_testing; }
WEB=$W/web
mkdir -p "$WEB/site" "$WEB/secret"
cat >"$WEB/site/page.html" <<'HTML'
<!DOCTYPE html>
<html><head><title>Membrane</title></head>
<body><h1>Membrane</h1><p>A sandbox for <b>MCP</b> servers.</p><ul><li>learn</li><li>enforce</li></ul></body></html>
HTML
echo '{"name":"membrane","tools":5,"ok":true}' >"$WEB/site/data.json"
echo 'the secret page' >"$WEB/secret/secret"
# web DIR PORTFILE [REDIRECT]: a server in the background; PORTFILE holds
# its port once it is up.
web() {
	python3 "$top_srcdir/tests/learn/http-world.py" "$@" >/dev/null 2>&1 &
	five_pids="$five_pids $!"
	for _ in $(seq 50); do [ -s "$2" ] && break; sleep 0.1; done
}
web "$WEB/secret" "$WEB/secret.port"
SECRET_PORT=$(cat "$WEB/secret.port")
web "$WEB/site" "$WEB/site.port" "http://127.0.0.1:$SECRET_PORT/secret"
PORT=$(cat "$WEB/site.port")
reset() { :; }
for who in root nobody; do
	five_who $who
	CMD="node $SERVER" RS_OPTS="--var URL=http://127.0.0.1:$PORT" LEARN_OPTS= ENF_OPTS=
	five_learn fetch "$S/fetch.json" "$S/fetch-outside.json"
	like "$(grep '"label":"fetch_txt"' "$D/fetch-learn.out")" 'A sandbox for MCP servers' \
		"$T: the fetch succeeded while learning (its success path was seen)"
	is "$(j '.profile.network')" '"brokered"' "$T: network brokered: only what is granted leaves"
	is "$(j '.profile.tools.fetch_html.connect')" "[\"127.0.0.1:$PORT\"]" "$T: fetch_html connects to the address its url named"
	is "$(j '[.profile.tools[] | .connect[]] | unique')" "[\"127.0.0.1:$PORT\"]" "$T: ... every tool, and nothing else"
	like "$(grep -F "\"127.0.0.1:$PORT\"" "$D/fetch.yml" | head -1)" 'named by the argument url' "$T: ... named by the argument url"
	is "$(flagged "connect 127.0.0.1:$SECRET_PORT during tool fetch_txt")" 1 "$T: the redirect's connection is flagged"
	is "$(grep -v '^ *#' "$D/fetch.yml" | grep -c ":$SECRET_PORT")" 0 "$T: no active line grants it"
	unlike_secret=$(grep '"label":"outside' "$D/fetch-learn.out" | grep -c 'the secret page')
	is "$unlike_secret" 0 "$T: the redirect was not followed while learning (its connection refused)"
	five_enforce fetch "$S/fetch.json"
	five_outside fetch "$S/fetch-outside.json"
	like "$(jq -r 'select(.event == "violation") | .target' "$D/fetch-out.report")" "127.0.0.1:$SECRET_PORT" \
		"[$who] fetch, out of scope under the draft: the connection to the other server is denied and reported"
	is "$(grep '"label"' "$D/fetch-out.out" | grep -c 'the secret page')" 0 \
		"[$who] fetch, out of scope under the draft: the secret page never reaches the client"
	five_shipped fetch "$top_srcdir/profiles/fetch.yml" "$S/fetch.json" --set SITE="127.0.0.1:$PORT" \
		--set SERVER_DIR="$(dirname "$(dirname "$SERVER")")" --set MODULES="$E/node_modules"
done
done_testing
