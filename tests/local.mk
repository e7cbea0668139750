EXTRA_DIST += tests/tap.h tests/tap.sh
# Every man page lints clean (mandoc -Tlint -W warning, groff -ww).
TESTS += tests/man.sh
EXTRA_DIST += tests/man.sh
include tests/unit/local.mk
include tests/sandbox/local.mk
include tests/inspector/local.mk
include tests/deputy/local.mk
include tests/e2e/local.mk
include tests/learn/local.mk
include tests/fuzz/local.mk
include tests/audit/local.mk
include tests/load/local.mk
