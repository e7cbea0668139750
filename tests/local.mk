# SPDX-License-Identifier: Apache-2.0
# The test suite, one folder per part of membrane (the folders of the
# source tree), each test named for its tier (HACKING.md "Tests"):
#   unit-*    no privileges, no sandbox: pure code against tables and files
#   kernel-*  the real sandbox and notifier on this kernel, as root and as
#             the unprivileged user nobody
#   e2e-*     real MCP servers from the npm registry (tests/e2e's
#             node_modules) and real clients, through membrane-run
#   fuzz-*    libFuzzer targets and their corpora
EXTRA_DIST += tests/tap.h tests/tap.sh

# make check-unit: the unit tier alone, which needs no privileges, no
# sandbox and no network (a package build runs it: debian/rules).
.PHONY: check-unit
check-unit:
	unit=; for t in $(TESTS); do case $$t in */unit-*) unit="$$unit $$t";; esac; done; \
	$(MAKE) $(AM_MAKEFLAGS) check TESTS="$$unit"
include tests/man/local.mk
include tests/common/local.mk
include tests/policy/local.mk
include tests/profiles/local.mk
include tests/sandbox/local.mk
include tests/report/local.mk
include tests/inspect/local.mk
include tests/notify/local.mk
include tests/broker/local.mk
include tests/run/local.mk
include tests/learn/local.mk
include tests/guard/local.mk
include tests/audit/local.mk
include tests/record/local.mk
include tests/systemd/local.mk
include tests/load/local.mk
include tests/e2e/local.mk
include tests/http/local.mk
include tests/deploy/local.mk
include tests/fuzz/local.mk
