#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The sandbox's resolver's cost (issue 15), as root: in a private mount
# namespace whose /etc/hosts names hosts.membrane.test and whose
# /etc/resolv.conf names tests/broker/test-dns.py (docs.membrane.test),
# with tests/e2e/lib/https-world.mjs serving https://docs.membrane.test/
# on 127.0.44.23 with a test CA:
#  - getaddrinfo(AF_UNSPEC), BENCH_LOOKUPS (1000) times in a row, bare and
#    in a sandbox whose resolver is membrane-run (the same host resolver
#    behind it), BENCH_ROUNDS (5) rounds taking turns: of one name again
#    and again (warm: membrane-run reuses an answer for a second), and of a
#    new name each time (cold: every question a getaddrinfo of its own),
#    from /etc/hosts and from DNS; the difference of the medians is what
#    the supervisor adds to a lookup;
#  - a Node process's first HTTPS request (fetch: the lookup, the connect,
#    TLS, the request), BENCH_FETCHES (30) times each, bare and under
#    membrane-run (network brokered), taking turns: the ratio of medians.
#     bench/names.sh RESULTS.md
set -eu
OUT=$1
: "${top_srcdir:=.}" "${top_builddir:=.}"
N=${BENCH_LOOKUPS:-1000}
K=${BENCH_ROUNDS:-5}
R=${BENCH_FETCHES:-30}
RUN=$top_builddir/membrane-run
B=$(cd "$top_builddir/bench" && pwd)
S=$(cd "$top_srcdir" && pwd)
W=$(mktemp -d /tmp/membrane-bench-names.XXXXXX)
chmod 755 "$W"
PIDS=
trap 'for p in $PIDS; do kill "$p" 2>/dev/null; done; rm -rf "$W"' EXIT

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$W/ca.key" -out "$W/ca.pem" -days 2 \
	-subj "/CN=membrane bench CA" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout "$W/srv.key" -out "$W/srv.csr" -subj "/CN=bench" 2>/dev/null
printf 'subjectAltName=DNS:docs.membrane.test,DNS:hosts.membrane.test\n' >"$W/ext"
openssl x509 -req -in "$W/srv.csr" -CA "$W/ca.pem" -CAkey "$W/ca.key" -CAcreateserial \
	-out "$W/srv.pem" -days 2 -extfile "$W/ext" 2>/dev/null
{
	printf 'docs.membrane.test A 127.0.44.23 60\n'
	printf 'dns.bench.membrane.test A 127.0.44.23 60\n'
	for i in $(seq 0 $((N - 1))); do printf 'n%d.dns.bench.membrane.test A 127.0.44.23 60\n' "$i"; done
} >"$W/zone"
{
	printf '127.0.0.1 localhost\n127.0.44.23 hosts.bench.membrane.test\n'
	for i in $(seq 0 $((N - 1))); do printf '127.0.44.23 n%d.hosts.bench.membrane.test\n' "$i"; done
} >"$W/hosts"
DNS=127.0.53.251
printf 'nameserver %s\n' "$DNS" >"$W/resolv.conf"
python3 "$S/tests/broker/test-dns.py" "$DNS" "$W/zone" "$W/dns.log" "$W/dns.ready" &
PIDS="$PIDS $!"
node "$S/tests/e2e/lib/https-world.mjs" "$W/srv.key" "$W/srv.pem" "$W/world.log" "$W/world.ready" \
	127.0.44.23 &
PIDS="$PIDS $!"
for _ in $(seq 100); do [ -e "$W/dns.ready" ] && [ -e "$W/world.ready" ] && break; sleep 0.1; done

inns() {
	unshare -m sh -c 'mount --bind "$1" /etc/hosts && mount --bind "$2" /etc/resolv.conf &&
		shift 2 && exec "$@"' sh "$W/hosts" "$W/resolv.conf" "$@"
}
wrapped() {
	inns "$RUN" --profile "$S/bench/names.yml" --set BENCH="$B" --set CA="$W/ca.pem" \
		--report /dev/null --grace 60 -- "$@" </dev/null 2>&1 >/dev/null | sed -n 's/^\[server\] //p'
}
bare() { inns "$@" 2>&1 >/dev/null; }

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# case NAME: K rounds of N lookups bare then wrapped; sets M_BARE, M_WRAP
# (medians of the rounds' medians, us) and ANSWER.
case_() {
	: >"$W/l.bare"
	: >"$W/l.wrap"
	bare "$B/names-lookup" "$1" 100 >/dev/null
	for _ in $(seq "$K"); do
		bare "$B/names-lookup" "$1" "$N" >>"$W/l.bare"
		wrapped "$B/names-lookup" "$1" "$N" >>"$W/l.wrap"
	done
	M_BARE=$(cut -d' ' -f1 "$W/l.bare" | median)
	M_WRAP=$(cut -d' ' -f1 "$W/l.wrap" | median)
	ANSWER=$(tail -1 "$W/l.wrap" | cut -d' ' -f4)
	ROW="| $1 | $ANSWER | $M_BARE | $M_WRAP | $(echo "$M_WRAP $M_BARE" | awk '{ printf "%.3f", ($1 - $2) / 1000 }') |"
}
ROWS=
for name in hosts.bench.membrane.test 'n%d.hosts.bench.membrane.test' \
	dns.bench.membrane.test 'n%d.dns.bench.membrane.test'; do
	case_ "$name"
	ROWS="$ROWS$ROW
"
done

URL=https://docs.membrane.test/page.json
: >"$W/fetch.bare"
: >"$W/fetch.wrapped"
for i in $(seq "$R"); do
	inns env -i PATH=/usr/bin:/bin NODE_EXTRA_CA_CERTS="$W/ca.pem" node "$S/bench/names-fetch.mjs" "$URL" \
		2>>"$W/fetch.bare" >/dev/null
	NODE_EXTRA_CA_CERTS="$W/ca.pem" wrapped node "$S/bench/names-fetch.mjs" "$URL" >>"$W/fetch.wrapped"
done
FB=$(cut -d' ' -f1 "$W/fetch.bare" | median)
FW=$(cut -d' ' -f1 "$W/fetch.wrapped" | median)
ok200=$(grep -c ' 200$' "$W/fetch.bare" "$W/fetch.wrapped" | tr '\n' ' ')

{
	echo "## Names: the sandbox's resolver (bench/names.sh)"
	echo
	echo "Written on $(date -u +%Y-%m-%dT%H:%MZ), kernel $(uname -r), $(nproc) CPUs, Node $(node --version); membrane $(git -C "$S" rev-parse --short HEAD 2>/dev/null || echo '?'). Load average $(cut -d' ' -f1-3 /proc/loadavg) at the end: the cores are shared, compare within this file."
	echo
	echo "getaddrinfo(AF_UNSPEC), $N in a row, $K rounds taking turns bare and in a sandbox whose resolver is membrane-run (one A and one AAAA question a lookup, answered by membrane-run's own getaddrinfo of the same name; n%d: a new name each lookup, never answered before). Medians of the rounds' medians."
	echo
	echo "| name | answer | bare (us) | through membrane-run (us) | added (ms) |"
	echo "|---|---|---|---|---|"
	printf '%s' "$ROWS"
	echo
	echo "A Node process's first HTTPS request (fetch of $URL: lookup, connect, TLS, request), $R runs each, taking turns; status 200 in: $ok200"
	echo
	echo "| | median (ms) | x bare |"
	echo "|---|---|---|"
	echo "| bare | $FB | 1.00 |"
	echo "| membrane-run (network brokered) | $FW | $(echo "$FW $FB" | awk '{ printf "%.2f", $1 / $2 }') |"
} | tee "$OUT"
