# SPDX-License-Identifier: Apache-2.0
# The shipped profiles (profiles/): each passes --check, its own tests
# (--test-profile; every tool is tested) and --lint.
TESTS += tests/profiles/unit-check.sh tests/profiles/unit-selftest.sh
EXTRA_DIST += tests/profiles/unit-check.sh tests/profiles/unit-selftest.sh
