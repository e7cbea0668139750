# Shell TAP helpers for tests/*.sh: source it, call ok/fail, end with done_testing.
tap_n=0
tap_failed=0
ok() { # ok DESCRIPTION COMMAND...: passes if COMMAND succeeds
	desc=$1; shift
	tap_n=$((tap_n + 1))
	if "$@"; then echo "ok $tap_n - $desc"; else echo "not ok $tap_n - $desc"; tap_failed=$((tap_failed + 1)); fi
}
pass() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $1"; }
fail() { tap_n=$((tap_n + 1)); tap_failed=$((tap_failed + 1)); echo "not ok $tap_n - $1"; [ $# -gt 1 ] && printf '#   %s\n' "$2"; return 0; }
diag() { printf '# %s\n' "$*"; }
is() { # is GOT WANT DESCRIPTION
	if [ "$1" = "$2" ]; then pass "$3"; else fail "$3" "got '$1', want '$2'"; fi
}
like() { # like GOT REGEX DESCRIPTION (grep -E)
	if printf '%s\n' "$1" | grep -Eq -- "$2"; then pass "$3"; else fail "$3" "got '$1', want match of /$2/"; fi
}
done_testing() { echo "1..$tap_n"; [ "$tap_failed" -eq 0 ]; exit $?; }
