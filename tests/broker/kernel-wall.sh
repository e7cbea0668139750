#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The network wall of issue 13, judged by its effects: tests/broker/
# wall-client runs under membrane-run (network brokered, then host; as root
# and as nobody) and tries AF_UNSPEC destinations, sends without one,
# sockaddrs and msghdrs the supervisor cannot read, a bind that would take
# a host port, and threads that flip the sockaddr and the msghdr's msg_name
# while the calls are made (WALL_RACE calls per race, 20000 by default:
# tens of millions of flips, at least 100000 checked).
# The host's sinks (sinks.py) say what got out: the one the profile does
# not grant (U) must hear nothing, ever; the granted ones hear exactly the
# legitimate sends. Each refusal must be a violation line of the report.
. "$top_srcdir/tests/tap.sh"

B=$top_builddir
S=$(cd "$top_srcdir/tests/broker" && pwd)
W=$(mktemp -d /tmp/membrane-wall.XXXXXX)
chmod 755 "$W"
SPID=
trap '[ -n "$SPID" ] && kill "$SPID"; [ -n "${KEEP:-}" ] || rm -rf "$W"' EXIT
trap 'exit 1' INT TERM HUP
cp "$B/tests/broker/wall-client" "$W/client"
mkdir "$W/sinks"
python3 "$S/sinks.py" "$W/sinks" &
SPID=$!
i=0
while [ ! -s "$W/sinks/ports" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
read -r A U T F P <"$W/sinks/ports"
RACE=${WALL_RACE:-20000}
NOBODY="setpriv --reuid=nobody --regid=nogroup --clear-groups"

profile() { # profile NET: the client, A granted to UDP, T to TCP
	cat <<EOF
version: 1
name: wall-$1
vars: { CLIENT: /nonexistent, A: "1", T: "1" }
runtime:
  exec: ["\${CLIENT}"]
  read: [/etc/ld.so.cache, /usr/lib/x86_64-linux-gnu, /lib/x86_64-linux-gnu, /usr/lib64?, /lib64?]
  connect: ["udp:127.0.0.1:\${A}", "tcp:127.0.0.1:\${T}"]
  env: ["ASAN_OPTIONS=detect_leaks=0"]  # a sanitizer build: LeakSanitizer cannot ptrace here
network: $1
EOF
}

run() { # run WHO NET: the client under membrane-run
	who=$1 net=$2 d=$W/$1-$2
	mkdir -p "$d"
	chown "$who" "$d" 2>/dev/null
	profile "$net" >"$d/profile.yml"
	as=
	[ "$who" = nobody ] && [ "$(id -u)" = 0 ] && as=$NOBODY
	$as "$MEMBRANE_RUN" --profile "$d/profile.yml" --report "$d/report" --grace 600 \
		--set CLIENT="$W/client" --set A="$A" --set T="$T" \
		-- "$W/client" --mode "$net" --a "$A" --u "$U" --t "$T" --p "$P" --race "$RACE" \
		</dev/null >/dev/null 2>"$d/err"
	echo $? >"$d/rc"
}
got() { sed -n "s/^\[server\] CASE $3 //p" "$W/$1-$2/err"; }
viol() { # viol WHO NET SYSCALL TARGET: violation lines of that call on that target
	grep '"event":"violation"' "$W/$1-$2/report" | grep "\"syscall\":\"$3\"" |
		grep -c "\"target\":\"$4\""
}
heard() { grep -c -- "$1" "$W/sinks/$2.log"; }

for who in root nobody; do
	for net in brokered host; do
		t="[$who, $net]"
		: >"$W/sinks/U.log"
		run "$who" "$net"
		is "$(cat "$W/$who-$net/rc")" 0 "$t the client ran to its end"
		like "$(tail -n 1 "$W/$who-$net/err")" "DONE" "$t ... every case"
		like "$(got "$who" "$net" legit)" "connect=0 send=0" "$t the granted UDP connect works"
		for how in sendto sendmsg sendmmsg; do
			like "$(got "$who" "$net" unspec-$how)" "errno=EPERM" \
				"$t $how to AF_UNSPEC 127.0.0.1:U is refused"
			like "$(viol "$who" "$net" "$how" "127.0.0.1:$U")" "^[1-9]" "$t ... and reported as 127.0.0.1:U"
		done
		like "$(got "$who" "$net" noaddr-sendmsg)" "rc=18 errno=0" \
			"$t sendmsg without a destination reaches the peer"
		like "$(got "$who" "$net" noaddr-sendmmsg)" "rc=2 errno=0 len=17,18" \
			"$t sendmmsg without destinations: both sent, msg_len written back"
		like "$(got "$who" "$net" zerolen-sendto)" "errno=EINVAL" \
			"$t sendto with an address of length 0: the kernel's EINVAL"
		like "$(got "$who" "$net" control-tos)" "rc=15 errno=0" "$t a send with IP_TOS is made"
		like "$(got "$who" "$net" control-mark)" "errno=EPERM" "$t ... one with SO_MARK refused"
		like "$(grep '"violation"' "$W/$who-$net/report" | grep '(no destination)')" \
			"control message of level 1, type 36" "$t ... and reported"
		for c in sendto connect msghdr; do
			like "$(got "$who" "$net" unreadable-$c)" "errno=EFAULT" \
				"$t an unreadable $c argument: EFAULT ($(got "$who" "$net" unreadable-$c | cut -d' ' -f1))"
		done
		like "$(viol "$who" "$net" connect '(unreadable)')" "^[1-9]" "$t ... and reported (connect)"
		like "$(viol "$who" "$net" sendmsg '(unreadable)')" "^[1-9]" "$t ... and reported (sendmsg)"
		like "$(got "$who" "$net" dissolve)" "connect=0 dissolve=0 send=EDESTADDRREQ" \
			"$t connect(AF_UNSPEC) dissolves the association"
		like "$(got "$who" "$net" tcp-granted)" "errno=0" "$t a TCP connect to the tcp: grant"
		like "$(got "$who" "$net" unspec-fastopen)" "errno=EOPNOTSUPP" \
			"$t MSG_FASTOPEN to AF_UNSPEC: the kernel's EOPNOTSUPP"
		if [ "$net" = host ]; then
			like "$(got "$who" "$net" unspec-bind)" "rc=-1 errno=EPERM bound=0" \
				"$t bind(AF_UNSPEC, 0.0.0.0:P) is refused, P not bound"
			is "$(viol "$who" "$net" bind "0.0.0.0:$P")" 1 "$t ... and reported as 0.0.0.0:P"
			like "$(got "$who" "$net" udp-to-tcp-grant)" "errno=EPERM" \
				"$t a UDP connect to a tcp: grant is refused"
			like "$(viol "$who" "$net" connect "127.0.0.1:$T")" "^[1-9]" "$t ... and reported"
		else
			like "$(got "$who" "$net" unspec-inside)" "errno=0" \
				"$t AF_UNSPEC to 127.0.0.1:U on the sandbox's socket: stays inside"
			like "$(got "$who" "$net" udp-to-tcp-grant)" "errno=0" \
				"$t a UDP connect to a tcp: grant is not brokered (stays inside)"
		fi
		races="race-msgname race-connect race-family"
		[ "$net" = host ] && races="$races race-sendto race-sendto-unspec"
		for r in $races; do
			g=$(got "$who" "$net" $r)
			like "$g" "calls=[1-9].* flips=[0-9]{6}" "$t $r: $g"
		done
		is "$(wc -l <"$W/sinks/U.log")" 0 "$t the sink not granted (U) heard nothing"
		[ -s "$W/sinks/U.log" ] && diag "U heard: $(sort "$W/sinks/U.log" | uniq -c | tr -s ' \n' ' ')"
	done
done
is "$(heard tag-legit A)" 4 "A heard the four legitimate sends"
is "$(heard tag-noaddr-sendmsg A)" 4 "A heard each sendmsg without a destination"
is "$(heard tag-noaddr-mmsg-1 A)" 4 "... and each sendmmsg's first message"
is "$(heard tag-noaddr-mmsg-2 A)" 4 "... and its second"
is "$(heard tag-after-dissolve A)" 0 "nothing after connect(AF_UNSPEC)"
is "$(heard tag-control-tos A)" 4 "A heard the sends with IP_TOS"
is "$(heard tag-control-mark A)" 0 "... and none with SO_MARK"
is "$(heard tag-tcp-granted T)" 4 "T heard the four granted TCP connects"
is "$(heard tag-udp-to-tcp T)" 0 "T heard nothing from UDP"
is "$(cat "$W/sinks/F.log")" "" "F heard nothing"
diag "A heard $(heard tag-race A) racing sends (msg_name NULL, or the sockaddr at A)"
done_testing
