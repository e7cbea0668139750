#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Install what membrane needs on Debian 12, build it, and show it at work on
# a shipped profile. Run as root (or with sudo available).
set -eu
cd "$(dirname "$0")"

SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo

# Build and runtime dependencies, and what the test suite drives for real.
# The deployment tests (make check-deploy) build and lint the Debian package
# (dpkg-dev, debhelper, dh-apparmor, fakeroot, lintian), make Debian roots
# (debootstrap), run the container image (podman), and parse the AppArmor
# profile (apparmor: apparmor_parser, which make check uses too).
PACKAGES="build-essential autoconf automake libtool pkg-config
  libseccomp-dev libcap-ng-dev libnl-3-dev libnl-route-3-dev libcjson-dev libyaml-dev
  nettle-dev libsystemd-dev libmicrohttpd-dev libgnutls28-dev gnutls-bin curl
  clang libclang-rt-14-dev valgrind mandoc strace socat
  nodejs postgresql bubblewrap firejail hyperfine python3 util-linux
  jq systemd groff-base time git
  apparmor debootstrap dpkg-dev debhelper dh-apparmor fakeroot lintian podman python3-yaml"

missing=
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
# npm comes with NodeSource's nodejs on these machines; Debian's own npm
# package would conflict with it, so ask for it only when there is none.
command -v npm >/dev/null 2>&1 || missing="$missing npm"
if [ -n "$missing" ]; then
	echo "bootstrap: installing:$missing"
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
	# shellcheck disable=SC2086
	$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing
fi

# The real MCP servers and the official SDK client the end-to-end tests use,
# pinned by tests/e2e/package-lock.json.
if [ -f tests/e2e/package-lock.json ]; then
	(cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
fi

[ -x configure ] || ./autogen.sh
[ -f Makefile ] || ./configure --enable-werror
make -j"$(nproc)"

# The main job on a shipped example: server-filesystem over a demo directory,
# under profiles/filesystem.yml. One call inside ROOT is answered; one that
# names /etc/passwd is refused by membrane before the server sees it.
demo=$(mktemp -d /tmp/membrane-demo.XXXXXX)
trap 'rm -rf "$demo"' EXIT
mkdir "$demo/root"
echo "hello from inside the sandbox" > "$demo/root/notes.txt"
modules=$PWD/tests/e2e/node_modules
server=$modules/@modelcontextprotocol/server-filesystem
echo
echo "bootstrap: built. A first run: server-filesystem over $demo/root, under profiles/filesystem.yml:"
echo "  ./membrane-run --profile profiles/filesystem.yml --set ROOT=$demo/root \\"
echo "      --set SERVER_DIR=$server --set MODULES=$modules -- node $server/dist/index.js $demo/root"
{
	printf '%s\n' \
	  '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"bootstrap","version":"1"}}}' \
	  '{"jsonrpc":"2.0","method":"notifications/initialized"}' \
	  "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"read_text_file\",\"arguments\":{\"path\":\"$demo/root/notes.txt\"}}}" \
	  '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"read_text_file","arguments":{"path":"/etc/passwd"}}}'
	sleep 2
} | ./membrane-run --profile profiles/filesystem.yml --set ROOT="$demo/root" \
	--set SERVER_DIR="$server" --set MODULES="$modules" --report "$demo/report.jsonl" \
	-- node "$server/dist/index.js" "$demo/root" 2>/dev/null |
	grep -E '"id":(2|3)' | sed 's/^/  < /'
echo "bootstrap: what membrane reported ($demo/report.jsonl):"
sed 's/^/  /' "$demo/report.jsonl"
