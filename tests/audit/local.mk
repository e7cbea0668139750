# SPDX-License-Identifier: Apache-2.0
# membrane-audit (audit/) on reports written by the real reporter, checked
# against a reference implementation (reference.py).
TESTS += tests/audit/unit-audit.sh
dist_check_DATA += tests/audit/lib.sh tests/audit/reference.py tests/audit/forge.py
EXTRA_DIST += tests/audit/unit-audit.sh
