# Tests of tests/learn (membrane-run --learn); included by tests/local.mk.
# roundtrip.sh: learn server-filesystem and -memory, then enforce the draft;
# deputy.sh: the deputy's side actions are flagged, not granted.
TESTS += tests/learn/roundtrip.sh tests/learn/deputy.sh
EXTRA_DIST += \
	tests/learn/roundtrip.sh \
	tests/learn/deputy.sh \
	tests/learn/draft.mjs \
	tests/learn/drive-deputy.py \
	tests/learn/scripts/filesystem.json \
	tests/learn/scripts/filesystem-other.json \
	tests/learn/scripts/memory.json \
	tests/learn/scripts/memory-other.json
