#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# make check's short fuzz run (issue 4): with clang installed, build each
# libFuzzer target with clang -fsanitize=fuzzer,address,undefined straight
# from its sources in a scratch directory of the build tree (the main build
# may be gcc's: no reconfiguring), run it $FUZZ_CHECK_SECONDS (default 60)
# on a copy of its seed corpus through run-fuzz.sh, and report per target the
# executions and that nothing was found. Without clang it fails, naming the
# package: a check that cannot run is not skipped.
. "$top_srcdir/tests/tap.sh"
secs=${FUZZ_CHECK_SECONDS:-60}
CLANG=${CLANG:-clang}
if ! command -v "$CLANG" >/dev/null 2>&1; then
	fail "clang is installed (the fuzz run of make check needs it: apt-get install clang)"
	done_testing
fi
# Sources and flags, written by make from the libraries' own lists.
. "$top_builddir/tests/fuzz/fuzz-check.env"
work="$top_builddir/tests/fuzz/check-build"
rm -rf "$work"
mkdir -p "$work/tests/fuzz"
trap 'rm -rf "$work"' EXIT INT TERM
flags="-g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined"
compile() { # compile OUT SRC [FLAGS]...
	out=$1 src=$2; shift 2
	# shellcheck disable=SC2086
	"$CLANG" $flags $FC_CPPFLAGS "$@" -c "$top_srcdir/$src" -o "$work/$out" 2>>"$work/build.log"
}
built=true
objs=
for s in $FC_COMMON $FC_POLICY; do
	o=$(echo "$s" | tr / _).o
	compile "$o" "$s" || built=false
	objs="$objs $work/$o"
done
iobjs=
for s in $FC_INSPECT; do
	o=$(echo "$s" | tr / _).o
	compile "$o" "$s" || built=false
	iobjs="$iobjs $work/$o"
done
dobjs=
for s in $FC_DNS; do
	o=$(echo "$s" | tr / _).o
	compile "$o" "$s" || built=false
	dobjs="$dobjs $work/$o"
done
compile fuzz-inspector.o tests/fuzz/fuzz-inspector.c || built=false
compile fuzz-dns.o tests/fuzz/fuzz-dns.c || built=false
compile fuzz-scan.o tests/fuzz/fuzz-scan.c || built=false
compile fuzz-profile.o tests/fuzz/fuzz-profile.c "-DMB_FUZZ_INCLUDE_DIR=\"$top_srcdir/tests/fixtures/profiles/good\"" ||
	built=false
link() { # link NAME OBJ...
	name=$1; shift
	# shellcheck disable=SC2086
	"$CLANG" $flags -fsanitize=fuzzer "$@" $FC_LIBS -o "$work/tests/fuzz/fuzz-$name" 2>>"$work/build.log"
}
# shellcheck disable=SC2086
$built && link inspector "$work/fuzz-inspector.o" $iobjs $objs || built=false
# shellcheck disable=SC2086
$built && link scan "$work/fuzz-scan.o" $iobjs $objs || built=false
# shellcheck disable=SC2086
$built && link profile "$work/fuzz-profile.o" $objs || built=false
# shellcheck disable=SC2086
$built && link dns "$work/fuzz-dns.o" $dobjs $objs || built=false
if ! $built; then
	fail "the fuzz targets build with $CLANG" "$(tail -5 "$work/build.log")"
	done_testing
fi
pass "the fuzz targets build with $CLANG -fsanitize=fuzzer,address,undefined"
FUZZ_SECONDS=$secs sh "$top_srcdir/tests/fuzz/run-fuzz.sh" "$work" "$top_srcdir" > "$work/results" 2>&1
for name in inspector profile scan dns; do
	line=$(grep "^fuzz-$name:" "$work/results")
	case $line in
	*", no finding") pass "$line" ;;
	*) fail "fuzz-$name runs ${secs}s without a finding" \
		"${line:-no result}; $(tail -3 "$work/tests/fuzz/fuzz-$name.log" 2>/dev/null)"
	   mkdir -p "$top_builddir/tests/fuzz"
	   cp "$work/tests/fuzz/fuzz-$name.log" "$top_builddir/tests/fuzz/fuzz-check-$name.log" 2>/dev/null ;;
	esac
done
# Findings stay in the build tree (run-fuzz.sh's artifact prefix is in $work).
if [ -d "$work/tests/fuzz/findings" ] && [ -n "$(ls "$work/tests/fuzz/findings")" ]; then
	mkdir -p "$top_builddir/tests/fuzz/findings"
	cp "$work/tests/fuzz/findings/"* "$top_builddir/tests/fuzz/findings/"
	diag "findings copied to $top_builddir/tests/fuzz/findings/"
fi
done_testing
