#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# A server that asks a nameserver of its own choosing, under network
# brokered. The sandbox's resolver is membrane-run (kernel-names.sh tests
# it); a nameserver is otherwise an address like any other: granted by
# address, c-ares' UDP connect to it is brokered to the host's loopback,
# where this test's fake nameserver answers; without the grant the
# question never leaves the sandbox and the attempt is reported. And
# glibc's AI_ADDRCONFIG in the sandbox, with membrane's /etc/hosts
# (localhost is 127.0.0.1 and ::1): the seccomp baseline refuses netlink
# sockets (EAFNOSUPPORT), so glibc cannot list the configured addresses
# and assumes both families: neither AF_UNSPEC (::1 first, as RFC 6724
# sorts) nor AF_INET is narrowed. (In a bare namespace with only lo, where
# netlink works, AF_INET + AI_ADDRCONFIG fails with EAI_NONAME: lo's
# 127.0.0.1 does not count.) As root and as nobody.
. "$top_srcdir/tests/tap.sh"

command -v node >/dev/null || { fail "node is installed"; done_testing; }
W=$(mktemp -d /tmp/membrane-broker-dns.XXXXXX)
chmod 755 "$W"
NSPID=
trap '[ -n "$NSPID" ] && kill "$NSPID"; rm -rf "$W"' EXIT
trap 'exit 1' INT TERM HUP
S=$(cd "$top_srcdir/tests/broker" && pwd)
python3 "$S/fake-dns.py" "$W/ns.port" "$W/ns.log" &
NSPID=$!
i=0
while [ ! -s "$W/ns.port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
NS=127.0.0.1:$(cat "$W/ns.port")
NOBODY="setpriv --reuid=nobody --regid=nogroup --clear-groups"

run() { # run WHO TAG [--set NS=...]: the script under membrane-run
	who=$1 tag=$2; shift 2
	d=$W/$who; mkdir -p "$d"; chown "$who" "$d" 2>/dev/null
	as=; [ "$who" = nobody ] && [ "$(id -u)" = 0 ] && as=$NOBODY
	$as "$MEMBRANE_RUN" --profile "$S/dns.yml" --report "$d/$tag.report" \
		--set SCRIPT="$S/dns.mjs" "$@" -- node "$S/dns.mjs" "$NS" \
		</dev/null >/dev/null 2>"$d/$tag.err"
	echo $? >"$d/$tag.rc"
}
out() { sed -n "s/^\[server\] $2 //p" "$W/$1/$3.err"; }

for who in root nobody; do
	run "$who" granted --set NS="$NS"
	is "$(cat "$W/$who/granted.rc")" 0 "[$who] the script ran"
	is "$(out "$who" resolver granted)" 192.0.2.7 \
		"[$who] resolver granted: the fake nameserver's answer came back"
	is "$(out "$who" lookup-unspec granted)" ::1 \
		"[$who] getaddrinfo(localhost, AF_UNSPEC, AI_ADDRCONFIG): from membrane's /etc/hosts"
	is "$(out "$who" lookup-v4 granted)" 127.0.0.1 \
		"[$who] getaddrinfo(localhost, AF_INET, AI_ADDRCONFIG): not narrowed (no netlink)"
	is "$(grep -c violation "$W/$who/granted.report")" 0 "[$who] no violation"

	run "$who" denied --set NS=127.0.0.1:1
	like "$(out "$who" resolver denied)" "^(ECONNREFUSED|ETIMEOUT|ESERVFAIL)$" \
		"[$who] resolver not granted: no answer ($(out "$who" resolver denied))"
	like "$(grep '"violation"' "$W/$who/denied.report")" "\"target\":\"$NS\".*\"decision\":\"denied\"" \
		"[$who] ... the question to $NS was reported"
done
is "$(grep -c 'db.membrane.test' "$W/ns.log")" 2 "the nameserver heard exactly the two granted questions"
done_testing
