# Tests of tests/e2e; included by tests/local.mk.
# The pinned servers and clients (npm ci in tests/e2e), the SDK client
# library the end-to-end tests build on, and the scripted sessions.
EXTRA_DIST += \
	tests/e2e/NOTES.md \
	tests/e2e/package.json \
	tests/e2e/package-lock.json \
	tests/e2e/lib/fsroot.sh \
	tests/e2e/lib/list-tools.mjs \
	tests/e2e/lib/mcp-client.mjs \
	tests/e2e/lib/pg.sh \
	tests/e2e/lib/run-script.mjs \
	tests/e2e/lib/strace-summary.py \
	tests/e2e/scripts/db.json \
	tests/e2e/scripts/everything.json \
	tests/e2e/scripts/filesystem.json \
	tests/e2e/scripts/memory.json

# profiles/db.yml against a real PostgreSQL through brokered connects, and
# its exfiltration case with a confused deputy (issue 6): as root and nobody.
DB_E2E_TESTS = tests/e2e/db-brokered.sh tests/e2e/db-exfil.sh
TESTS += $(DB_E2E_TESTS)
dist_check_DATA += $(DB_E2E_TESTS)
EXTRA_DIST += tests/e2e/db-deputy.yml tests/e2e/lib/db-test.sh tests/e2e/lib/db-drive.mjs \
	tests/e2e/lib/db-deputy.mjs tests/e2e/lib/db-listener.py
