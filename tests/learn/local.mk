# supervisor/learn/ (membrane-run --learn).
# e2e-roundtrip.sh: learn server-filesystem and -memory, then enforce the draft;
# e2e-deputy.sh: the deputy's side actions are flagged, not granted.
TESTS += tests/learn/e2e-roundtrip.sh tests/learn/e2e-deputy.sh
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
	tests/learn/scripts/memory-other.json
