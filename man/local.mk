# SPDX-License-Identifier: Apache-2.0
# Man pages, written in mdoc and linted by tests/man/unit-lint.sh.
dist_man_MANS += \
	man/membrane.7 \
	man/membrane-run.1 \
	man/membrane-profile.5 \
	man/membrane-report.5 \
	man/membrane-audit.1
