#!/bin/sh
# Install what membrane needs on Debian 12, build it, and show it at work on
# a shipped profile. Run as root (or with sudo available).
set -eu
cd "$(dirname "$0")"

SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo

# Build and runtime dependencies, and what the test suite drives for real.
PACKAGES="build-essential autoconf automake libtool pkg-config
  libseccomp-dev libcap-ng-dev libnl-3-dev libnl-route-3-dev libcjson-dev libyaml-dev
  nettle-dev libsystemd-dev
  clang libclang-rt-14-dev valgrind mandoc strace socat
  nodejs postgresql bubblewrap firejail hyperfine python3 util-linux
  jq systemd groff-base time"

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

echo
echo "bootstrap: built. The plan membrane compiles for the filesystem server over this directory:"
echo "  ./membrane-run --explain --profile profiles/filesystem.yml --set ROOT=\$PWD"
if [ -f profiles/filesystem.yml ]; then
	./membrane-run --explain --profile profiles/filesystem.yml --set ROOT="$PWD" --set SERVER_DIR="$PWD/tests/e2e/node_modules/@modelcontextprotocol/server-filesystem" | head -40
fi
