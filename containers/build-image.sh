#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# containers/build-image.sh DEB [TAG]: build the example image (Containerfile)
# from membrane's Debian package DEB (dpkg-buildpackage -us -uc -b; see
# debian/), tagged TAG (default localhost/membrane-filesystem:latest).
# Pulls nothing from a registry:
#   - the base, localhost/membrane-base:bookworm, is made once with
#     debootstrap from Debian's mirror and imported (BASE_ROOT=DIR imports
#     an existing debootstrap tree instead);
#   - the server's npm packages come from containers/server's committed
#     lock (npm ci --omit=dev, here, with this machine's npm and CAs).
# PODMAN names the container command (default podman; docker works too);
# BUILD_OPTIONS adds options to its build.
set -eu
deb=${1:?usage: build-image.sh membrane_VERSION_amd64.deb [TAG]}
tag=${2:-localhost/membrane-filesystem:latest}
PODMAN=${PODMAN:-podman}
MIRROR=${MEMBRANE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
here=$(cd "$(dirname "$0")" && pwd)
ctx=$(mktemp -d "${TMPDIR:-/var/tmp}/membrane-image.XXXXXX")
trap 'rm -rf "$ctx"' EXIT

# shellcheck disable=SC2086 # PODMAN may hold options (--root ...)
if ! $PODMAN image exists localhost/membrane-base:bookworm 2>/dev/null &&
	! $PODMAN image inspect localhost/membrane-base:bookworm > /dev/null 2>&1; then
	root=${BASE_ROOT:-}
	if [ -z "$root" ]; then
		root=$ctx/base
		echo "build-image.sh: debootstrap bookworm from $MIRROR (a few minutes)" >&2
		debootstrap --variant=minbase bookworm "$root" "$MIRROR" > "$ctx/debootstrap.log" 2>&1 ||
			{ tail -n 20 "$ctx/debootstrap.log" >&2; exit 1; }
	fi
	tar -C "$root" -c . | $PODMAN import - localhost/membrane-base:bookworm > /dev/null
fi

cp "$here/Containerfile" "$here/entrypoint.sh" "$deb" "$ctx/"
mkdir "$ctx/server"
cp "$here/server/package.json" "$here/server/package-lock.json" "$ctx/server/"
(cd "$ctx/server" && npm ci --omit=dev --no-audit --no-fund --loglevel=error)
# shellcheck disable=SC2086
$PODMAN build --pull=never ${BUILD_OPTIONS:-} -t "$tag" -f "$ctx/Containerfile" "$ctx"
