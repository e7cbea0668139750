#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Run by tests/deploy/deploy-deb.sh as root inside a throwaway Debian 12
# root (tests/deploy/enter-root.sh) that has never seen membrane: install
# /deb/membrane_*.deb with apt, use it as a user would, remove it. Writes
# what happened into /out (NAME.rc, NAME.out, ...) for the test to judge.
# /opt/mcp/node_modules holds tests/e2e's npm packages (the demo's server).
set -u
O=/out
step() { # step NAME COMMAND...: output to $O/NAME.out, status to $O/NAME.rc
	n=$1; shift
	"$@" > "$O/$n.out" 2>&1
	echo $? > "$O/$n.rc"
}

# ---- install, as on a fresh machine: apt fetches the dependencies ----
step apt-update apt-get -q update
step install apt-get -q -y install /deb/membrane_*_amd64.deb
dpkg-query -W -f '${Status} ${Version}\n' membrane > "$O/status" 2>&1
dpkg -L membrane > "$O/files" 2>&1
{ command -v membrane-run; command -v membrane-audit; } > "$O/which" 2>&1
step version membrane-run --version

# ---- the first run (bootstrap.sh's demo), with the installed profile by
# name: one call inside ROOT is answered, one naming /etc/passwd refused ----
MODULES=/opt/mcp/node_modules
SERVER=$MODULES/@modelcontextprotocol/server-filesystem
demo() { # demo WHO: as root or nobody
	who=$1
	D=/tmp/demo-$who
	mkdir -p "$D/root"
	echo "hello from inside the sandbox" > "$D/root/notes.txt"
	run=
	if [ "$who" = nobody ]; then
		chown -R nobody:nogroup "$D"
		run="setpriv --reuid=nobody --regid=nogroup --clear-groups"
	fi
	{
		printf '%s\n' \
		  '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"deb-test","version":"1"}}}' \
		  '{"jsonrpc":"2.0","method":"notifications/initialized"}' \
		  "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"read_text_file\",\"arguments\":{\"path\":\"$D/root/notes.txt\"}}}" \
		  '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"read_text_file","arguments":{"path":"/etc/passwd"}}}'
		sleep 3
	} | $run membrane-run --profile filesystem --set ROOT="$D/root" \
		--set SERVER_DIR="$SERVER" --set MODULES="$MODULES" --report "$D/report.jsonl" \
		-- node "$SERVER/dist/index.js" "$D/root" > "$O/demo-$who.out" 2> "$O/demo-$who.err"
	echo $? > "$O/demo-$who.rc"
	cp "$D/report.jsonl" "$O/demo-$who.jsonl" 2>/dev/null
	$run membrane-run --doctor --profile filesystem --set ROOT="$D/root" \
		--set SERVER_DIR="$SERVER" --set MODULES="$MODULES" > "$O/doctor-$who.out" 2>&1
	echo $? > "$O/doctor-$who.rc"
}
demo root
demo nobody

# ---- the systemd generator, as the manager runs it on daemon-reload ----
mkdir -p /etc/membrane/profiles
cp /usr/share/membrane/profiles/filesystem.yml /etc/membrane/profiles/files.yml
mkdir -p /srv/files
printf '%s\n' "MEMBRANE_COMMAND=node $SERVER/dist/index.js /srv/files" \
	"MEMBRANE_OPTIONS=--set ROOT=/srv/files --set SERVER_DIR=$SERVER --set MODULES=$MODULES" \
	> /etc/membrane/files.conf
mkdir -p /tmp/gen/normal /tmp/gen/early /tmp/gen/late
step generator /lib/systemd/system-generators/membrane-generator /tmp/gen/normal /tmp/gen/early /tmp/gen/late
ls -R /tmp/gen/normal > "$O/generated" 2>&1
step analyze systemd-analyze --man=no --generators=yes verify membrane-files.socket

# ---- the man pages ----
for page in membrane-run membrane-audit membrane-profile membrane-report membrane; do
	man -w "$page" > "$O/man-$page.path" 2>&1
	MANPAGER=cat MANWIDTH=80 man "$page" > "$O/man-$page.out" 2> "$O/man-$page.err"
	echo $? > "$O/man-$page.rc"
done

# ---- and away again ----
step purge apt-get -q -y purge membrane
ls /usr/bin/membrane-run /usr/share/membrane /lib/systemd/system/membrane@.service \
	/lib/systemd/system-generators/membrane-generator > "$O/left" 2>/dev/null
exit 0
