#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Run by tests/systemd/kernel-systemd.sh inside a private mount namespace: a real
# systemd manager (systemd --user, as whoever runs the test) with membrane's
# units, /run a fresh tmpfs (so the sockets land there, not on the host),
# then two clients on two sockets. Writes what happened into $T:
#   manager.pid, sockets (list-sockets), client-NAME.out/.rc, done.
# The machine need not run systemd as init: /run/systemd/system is what the
# manager checks for, and it is created here, in this namespace only.
set -u
T=$1
mount -t tmpfs -o mode=0755 tmpfs /run || exit 1
mkdir -p /run/systemd/system
# The manager logs to /dev/console: keep that in the test's directory.
: > "$T/console.log"
mount --bind "$T/console.log" /dev/console || exit 1
export XDG_RUNTIME_DIR=$T/xdg XDG_CONFIG_HOME=$T/config
# 711: the services run as a dynamic user, which must reach the control
# socket in their RuntimeDirectory (%t is this directory for a user
# manager; /run, open to all, for the system's).
mkdir -p "$XDG_RUNTIME_DIR" && chmod 711 "$XDG_RUNTIME_DIR"
/lib/systemd/systemd --user --log-target=console --log-level=info &
echo $! > "$T/manager.pid"
# Wait for the manager's bus, at most 20 s.
i=0
until systemctl --user show-environment > /dev/null 2>&1; do
	i=$((i + 1))
	[ $i -le 200 ] || { echo "the manager never answered" > "$T/error"; kill "$(cat "$T/manager.pid")"; exit 1; }
	sleep 0.1
done
systemctl --user start membrane-echo.socket 'membrane-my\x2ddb.socket' 2> "$T/start.err"
systemctl --user list-sockets --no-pager --no-legend > "$T/sockets" 2>&1
for name in echo my-db; do
	python3 "$top_srcdir/tests/systemd/mcp-client.py" "/run/membrane/$name.sock" "hello $name" \
		> "$T/client-$name.out" 2> "$T/client-$name.err"
	echo $? > "$T/client-$name.rc"
done
# The kill switch: a connection held open, killed through its control
# socket (the unit's RuntimeDirectory), the client seeing it end.
python3 "$top_srcdir/tests/systemd/mcp-client.py" /run/membrane/echo.sock "held" hold \
	> "$T/client-held.out" 2>&1 &
held=$!
ctl=
i=0
while [ -z "$ctl" ] && [ $i -le 200 ]; do
	for c in "$XDG_RUNTIME_DIR"/membrane/echo-*/control; do [ -S "$c" ] && ctl=$c; done
	i=$((i + 1))
	sleep 0.1
done
echo "$ctl" > "$T/control.path"
[ -n "$ctl" ] && python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b"kill systemd test\n")
print(s.recv(4096).decode().strip())
' "$ctl" > "$T/control.out" 2>&1
wait $held
echo $? > "$T/client-held.rc"
# Let the connection units end (the client hung up), at most 20 s.
i=0
while systemctl --user list-units --no-legend --plain 'membrane-*@*.service' 2>/dev/null | grep -q .; do
	i=$((i + 1))
	[ $i -le 200 ] || break
	sleep 0.1
done
systemctl --user list-units --all --no-legend --plain 'membrane*' > "$T/units" 2>&1
systemctl --user stop membrane-echo.socket 'membrane-my\x2ddb.socket'
[ -e /run/membrane/echo.sock ] && echo "still there" > "$T/socket-left"
kill "$(cat "$T/manager.pid")"
wait
touch "$T/done"
