# Tests of tests/learn (membrane-run --learn); included by tests/local.mk.
# roundtrip.sh: learn server-filesystem and -memory, then enforce the draft;
# deputy.sh: the deputy's side actions are flagged, not granted.
TESTS += tests/learn/roundtrip.sh tests/learn/deputy.sh
# test-learn: the learner below the notifier, each rule of the draft.
TESTS += tests/learn/test-learn
check_PROGRAMS += tests/learn/test-learn
tests_learn_test_learn_SOURCES = tests/learn/test-learn.c $(LEARN_SOURCES)
tests_learn_test_learn_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS)
tests_learn_test_learn_LDADD = libinspect.a $(SANDBOX_LIBS) $(POLICY_LIBS) -lm
EXTRA_DIST += \
	tests/learn/roundtrip.sh \
	tests/learn/deputy.sh \
	tests/learn/draft.mjs \
	tests/learn/drive-deputy.py \
	tests/learn/scripts/filesystem.json \
	tests/learn/scripts/filesystem-other.json \
	tests/learn/scripts/memory.json \
	tests/learn/scripts/memory-other.json
