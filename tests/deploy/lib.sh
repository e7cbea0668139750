# SPDX-License-Identifier: Apache-2.0
# Sourced by tests/deploy/deploy-*.sh (after tests/tap.sh): throwaway
# Debian roots made with debootstrap from Debian's mirror, layers of them
# cached under the build tree, the release tree (make distdir), and the
# .deb that dpkg-buildpackage makes of it in a clean Debian 12 root.
#
# The cache, $top_builddir/tests/deploy/cache, is made by these tests and
# nothing else: each entry is written under a .tmp name, renamed when
# complete, and named for what it holds (a suite, or a hash of the inputs),
# so that a run reuses only what a run with the same inputs made. make
# distclean removes it; removing it by hand costs the next run its
# downloads (about two minutes here).

PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH
MIRROR=${MEMBRANE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
CACHE=$top_builddir/tests/deploy/cache
ENTER=$top_srcdir/tests/deploy/enter-root.sh
VERSION=$(sed -n '1s/^membrane (\([^)]*\)).*/\1/p' "$top_srcdir/debian/changelog")

# need COMMAND PACKAGE: COMMAND is installed, or the test fails saying
# which package to install (bootstrap.sh installs them all).
need() {
	command -v "$1" > /dev/null && return 0
	fail "$1 is installed (apt-get install $2; bootstrap.sh does)"
	done_testing
}

# cached NAME COMMAND...: prints $CACHE/NAME, made first by COMMAND (with
# the directory to fill as its last argument) unless an earlier run made it.
cached() {
	name=$1
	shift
	if [ ! -d "$CACHE/$name" ]; then
		mkdir -p "$CACHE"
		rm -rf "$CACHE/$name.tmp" "$CACHE/$name.tmp.work" "$CACHE/$name.tmp.mnt"
		"$@" "$CACHE/$name.tmp" >&2 || return 1
		rm -rf "$CACHE/$name.tmp.work" "$CACHE/$name.tmp.mnt"
		mv "$CACHE/$name.tmp" "$CACHE/$name" || return 1
	fi
	echo "$CACHE/$name"
}

# debootstrap_into SUITE INCLUDE DIR: a minbase tree of Debian SUITE, with
# the packages INCLUDE names (comma-separated; may be empty).
debootstrap_into() {
	debootstrap --variant=minbase ${2:+--include="$2"} "$1" "$3" "$MIRROR" > "$3.log" 2>&1 ||
		{ tail -n 20 "$3.log" >&2; return 1; }
	rm -f "$3.log"
}

# base SUITE: prints the directory of Debian SUITE's minbase tree.
base() {
	cached "$1-base" debootstrap_into "$1" ""
}

# layer LOWERS BIND SCRIPT DIR: fill DIR, an overlay upper over LOWERS, by
# running SCRIPT in that root (BIND: SRC:DST, or empty).
layer() {
	if [ -n "$2" ]; then
		sh "$ENTER" "$1" "$4" -b "$2" -- sh -eu -c "$3"
	else
		sh "$ENTER" "$1" "$4" -- sh -eu -c "$3"
	fi
}

# source_tree DIR: make distdir into DIR/membrane-VERSION, the tree a
# release tarball holds; prints a key for it, a hash of every file's name
# and contents.
source_tree() {
	env -u MAKEFLAGS -u MFLAGS make -s --no-print-directory -C "$top_builddir" distdir \
		distdir="$1/membrane-$VERSION" > "$1/distdir.log" 2>&1 ||
		{ cat "$1/distdir.log" >&2; return 1; }
	(cd "$1/membrane-$VERSION" && find . -type f | LC_ALL=C sort | xargs sha256sum) |
		sha256sum | cut -c1-16
}

# build_deb SRC OUT: dpkg-buildpackage -us -uc -b of SRC/membrane-VERSION,
# in a Debian 12 root that holds the Build-Depends (apt-get build-dep: a
# layer cached per debian/control) and nothing else; the .deb, .changes
# and .buildinfo go to OUT, the log to OUT/build.log. Returns the status of
# dpkg-buildpackage.
build_deb() {
	src=$1 out=$2
	mkdir -p "$out"
	b=$(base bookworm) || return 1
	ctl=$(sha256sum "$src/membrane-$VERSION/debian/control" | cut -c1-16)
	deps=$(cached "bookworm-build-deps-$ctl" layer "$b" "$src:/src" \
		"apt-get -q update && apt-get -q -y --no-install-recommends build-dep /src/membrane-$VERSION && apt-get clean") ||
		return 1
	rm -rf "$out/up"
	sh "$ENTER" "$deps:$b" "$out/up" -b "$src:/src" -- \
		sh -c "cd /src/membrane-$VERSION && dpkg-buildpackage -us -uc -b" > "$out/build.log" 2>&1
	st=$?
	rm -rf "$out/up" "$out/up.work" "$out/up.mnt"
	for f in "$src"/*.deb "$src"/*.changes "$src"/*.buildinfo; do
		[ -f "$f" ] && mv "$f" "$out/"
	done
	return $st
}

# deb KEY SRC: prints the directory holding the .deb built from the release
# tree SRC, whose source_tree key is KEY: the one a run built from the
# same tree, or a new build.
deb() {
	cached "deb-$1" build_deb "$2"
}
