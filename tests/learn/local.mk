# SPDX-License-Identifier: Apache-2.0
# supervisor/learn/ (membrane-run --learn).
# e2e-roundtrip.sh: learn server-filesystem and -memory, then enforce the draft;
# e2e-deputy.sh: the deputy's side actions are flagged, not granted.
TESTS += tests/learn/e2e-roundtrip.sh tests/learn/e2e-deputy.sh
# The five servers of issue 14, learned from nothing and enforced unedited
# (tests/learn/five.sh).
TESTS += tests/learn/e2e-sequential-thinking.sh tests/learn/e2e-git.sh \
	tests/learn/e2e-sqlite.sh tests/learn/e2e-fetch.sh tests/learn/e2e-desktop-commander.sh
# unit-learn: the learner below the notifier, each rule of the draft.
TESTS += tests/learn/unit-learn
check_PROGRAMS += tests/learn/unit-learn
tests_learn_unit_learn_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS)
tests_learn_unit_learn_LDADD = $(LEARN_LIBS)
EXTRA_DIST += \
	tests/learn/e2e-roundtrip.sh \
	tests/learn/e2e-deputy.sh \
	tests/learn/draft.mjs \
	tests/learn/drive-deputy.py \
	tests/learn/scripts/filesystem.json \
	tests/learn/scripts/filesystem-other.json \
	tests/learn/scripts/memory.json \
	tests/learn/scripts/memory-other.json \
	tests/learn/five.sh tests/learn/answers.mjs tests/learn/http-world.py \
	tests/learn/e2e-sequential-thinking.sh tests/learn/e2e-git.sh tests/learn/e2e-sqlite.sh \
	tests/learn/e2e-fetch.sh tests/learn/e2e-desktop-commander.sh \
	tests/learn/scripts/sequential-thinking.json tests/learn/scripts/sequential-thinking-outside.json \
	tests/learn/scripts/git.json tests/learn/scripts/git-outside.json \
	tests/learn/scripts/sqlite.json tests/learn/scripts/sqlite-outside.json \
	tests/learn/scripts/fetch.json tests/learn/scripts/fetch-outside.json \
	tests/learn/scripts/desktop-commander.json tests/learn/scripts/desktop-commander-outside.json
