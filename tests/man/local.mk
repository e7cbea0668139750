# SPDX-License-Identifier: Apache-2.0
# The man pages: every page lints clean (mandoc -Tlint -W warning, groff
# -ww), and membrane-profile(5) documents every profile key the loader takes,
# as print-profile-keys lists them from the key table.
TESTS += tests/man/unit-lint.sh tests/man/unit-profile-keys.sh tests/man/unit-scan-kinds.sh
EXTRA_DIST += tests/man/unit-lint.sh tests/man/unit-profile-keys.sh tests/man/unit-scan-kinds.sh
check_PROGRAMS += tests/man/print-profile-keys
tests_man_print_profile_keys_LDADD = $(POLICY_LIBS)
