# SPDX-License-Identifier: Apache-2.0
# Tests of tests/e2e; included by tests/local.mk.
# Real MCP servers (npm ci in tests/e2e) driven by real clients (the
# official SDK's Client + StdioClientTransport, the Inspector's CLI, the
# conformance suite behind supergateway), bare and through membrane-run
# under the shipped profiles, as root and as nobody (tests/e2e/README.md).
E2E_TESTS = \
	tests/e2e/e2e-filesystem.sh \
	tests/e2e/e2e-memory.sh \
	tests/e2e/e2e-everything.sh \
	tests/e2e/e2e-inspector-cli.sh \
	tests/e2e/e2e-conformance.sh \
	tests/e2e/e2e-postgres.sh \
	tests/e2e/e2e-everything-fetch.sh \
	tests/e2e/e2e-secrets.sh
TESTS += $(E2E_TESTS)
dist_check_DATA += $(E2E_TESTS)
EXTRA_DIST += \
	tests/e2e/README.md \
	tests/e2e/NOTES.md \
	tests/e2e/package.json \
	tests/e2e/package-lock.json \
	tests/e2e/conformance-expected-failures.yml \
	tests/e2e/lib/check.mjs \
	tests/e2e/lib/conformance.mjs \
	tests/e2e/lib/e2e.sh \
	tests/e2e/lib/fsroot.sh \
	tests/e2e/lib/list-tools.mjs \
	tests/e2e/lib/mcp-client.mjs \
	tests/e2e/lib/pg.sh \
	tests/e2e/lib/reaper.py \
	tests/e2e/lib/run-script.mjs \
	tests/e2e/lib/serve.mjs \
	tests/e2e/lib/secrets.mjs \
	tests/e2e/secrets/manifest.json \
	tests/e2e/lib/session.mjs \
	tests/e2e/lib/strace-summary.py \
	tests/e2e/scripts/db.json \
	tests/e2e/scripts/everything.json \
	tests/e2e/scripts/filesystem.json \
	tests/e2e/scripts/memory.json \
	tests/e2e/sessions/everything.json \
	tests/e2e/sessions/everything-fetch.json \
	tests/e2e/sessions/filesystem.json \
	tests/e2e/sessions/filesystem-refused.json \
	tests/e2e/sessions/memory.json \
	tests/e2e/sessions/postgres.json

# Servers that call web APIs by name (issue 15): server-brave-search
# (profiles/brave-search.yml), server-slack, mcp-npx-fetch, against a world
# of names on the host's loopback over HTTPS with a test CA.
NAMES_E2E_TESTS = tests/e2e/e2e-names.sh
TESTS += $(NAMES_E2E_TESTS)
dist_check_DATA += $(NAMES_E2E_TESTS)
EXTRA_DIST += tests/e2e/names.zone tests/e2e/slack.yml tests/e2e/fetch.yml \
	tests/e2e/lib/https-world.mjs tests/e2e/sessions/brave.json tests/e2e/sessions/slack.json \
	tests/e2e/sessions/fetch.json tests/e2e/sessions/fetch-refused.json

# profiles/db.yml against a real PostgreSQL through brokered connects, and
# its exfiltration case with a confused deputy (issue 6): as root and nobody.
DB_E2E_TESTS = tests/e2e/e2e-db-brokered.sh tests/e2e/e2e-db-exfil.sh
TESTS += $(DB_E2E_TESTS)
dist_check_DATA += $(DB_E2E_TESTS)
EXTRA_DIST += tests/e2e/db-deputy.yml tests/e2e/lib/db-test.sh tests/e2e/lib/db-drive.mjs \
	tests/e2e/lib/db-deputy.mjs tests/e2e/lib/db-listener.py
