# SPDX-License-Identifier: Apache-2.0
# Shell TAP helpers for tests/*.sh: source it, call ok/fail, end with done_testing.
# automake's TAP driver reads every line of the test's output: a result is
# one line (a newline in a description is turned into a space), and every
# line of a diagnostic starts with '#', so that relayed output (a child's
# TAP, a traceback) can never be taken for a result.
tap_n=0
tap_failed=0
tap_nl='
'
tap_result() { # tap_result ok|"not ok" DESCRIPTION
	tap_d=$2
	case $tap_d in *"$tap_nl"*) tap_d=$(printf '%s' "$tap_d" | tr '\n' ' ') ;; esac
	printf '%s %d - %s\n' "$1" "$tap_n" "$tap_d"
}
ok() { # ok DESCRIPTION COMMAND...: passes if COMMAND succeeds
	desc=$1; shift
	tap_n=$((tap_n + 1))
	if "$@"; then tap_result ok "$desc"; else tap_result "not ok" "$desc"; tap_failed=$((tap_failed + 1)); fi
}
pass() { tap_n=$((tap_n + 1)); tap_result ok "$1"; }
fail() { tap_n=$((tap_n + 1)); tap_failed=$((tap_failed + 1)); tap_result "not ok" "$1"; [ $# -gt 1 ] && tap_comment '#   ' "$2"; return 0; }
tap_comment() { # tap_comment PREFIX TEXT: every line of TEXT after PREFIX
	case $2 in
	*"$tap_nl"*) printf '%s\n' "$2" | while IFS= read -r tap_l; do printf '%s%s\n' "$1" "$tap_l"; done ;;
	*) printf '%s%s\n' "$1" "$2" ;;
	esac
}
diag() { tap_comment '# ' "$*"; }
is() { # is GOT WANT DESCRIPTION
	if [ "$1" = "$2" ]; then pass "$3"; else fail "$3" "got '$1', want '$2'"; fi
}
like() { # like GOT REGEX DESCRIPTION (grep -E)
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then pass "$3"; else fail "$3" "got '$1', want match of /$2/"; fi
}
done_testing() { echo "1..$tap_n"; [ "$tap_failed" -eq 0 ]; exit $?; }
# skip_all REASON: none of this file's checks can run, because what they
# need cannot be in this tree (a release tarball holds no node_modules):
# TAP's whole-file skip, "1..0 # SKIP REASON", which automake's driver counts
# as one SKIP. Call it before any check. With MEMBRANE_TEST_NO_SKIP set
# (.ci/run sets it) it is a failure instead: CI must not pass by skipping.
skip_all() {
	if [ -n "${MEMBRANE_TEST_NO_SKIP:-}" ]; then
		fail "not skipped, MEMBRANE_TEST_NO_SKIP is set: $1"
		done_testing
	fi
	echo "1..0 # SKIP $1"
	exit 0
}
# need_npm DIR FILE: the tests/e2e tree DIR has FILE under node_modules
# (its packages, installed by npm ci from the committed lock), and node is
# installed. Without the packages the whole file is skipped: they are not
# in a release tarball. Without node it fails: that is a missing dependency.
need_npm() {
	if ! command -v node >/dev/null; then
		fail "node is installed (apt-get install nodejs; bootstrap.sh does)"
		done_testing
	fi
	[ -f "$1/node_modules/$2" ] ||
		skip_all "no npm packages in $1/node_modules (not in a release tarball: run npm ci there, as bootstrap.sh does, or configure MEMBRANE_E2E_DIR=DIR, a tests/e2e holding them)"
}
