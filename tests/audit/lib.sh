# SPDX-License-Identifier: Apache-2.0
# Helpers for tests that read reports with membrane-audit; source after
# tests/tap.sh. The deputy tests can cross-check their real reports with
#   audit_crosscheck "what" REPORT [FILTER...]
# which compares membrane-audit's summary and list with tests/audit/reference.py
# (an independent reading in Python) and runs verify.
AUDIT=${AUDIT:-$top_builddir/membrane-audit}
GEN=${GEN:-$top_builddir/tests/report/gen-report}
REF="python3 $top_srcdir/tests/audit/reference.py"

# audit_same_json A B: equal as JSON values (key order aside).
audit_same_json() {
	[ "$(printf '%s' "$1" | jq -S .)" = "$(printf '%s' "$2" | jq -S .)" ]
}

# audit_crosscheck WHAT REPORT [FILTER...]: three checks.
audit_crosscheck() {
	what=$1 report=$2
	shift 2
	got=$("$AUDIT" summary --json "$@" "$report")
	want=$($REF summary "$@" "$report")
	if audit_same_json "$got" "$want"; then pass "$what: summary matches the reference"
	else fail "$what: summary matches the reference" "got $got want $want"; fi
	gotl=$("$AUDIT" list --json "$@" "$report" | md5sum)
	wantl=$($REF list "$@" "$report" | md5sum)
	is "$gotl" "$wantl" "$what: list --json prints the same lines as the reference"
	n_text=$("$AUDIT" list "$@" "$report" | wc -l)
	n_json=$($REF list "$@" "$report" | wc -l)
	is "$n_text" "$n_json" "$what: list prints one text line per event"
}
