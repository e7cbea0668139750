/* SPDX-License-Identifier: Apache-2.0 */
/* The top-level keys of a profile, one line each: the only list of them.
 * The loader reads by it (policy/load/load-keys.c), the learn writer writes
 * drafts by it (supervisor/learn/learn-write.c), and make check holds
 * membrane-profile(5) and the fuzzer's dictionary against it
 * (tests/man/print-profile-keys.c, tests/policy/unit-key-table.c). As
 * with systemd's nspawn-gperf.gperf, a line names the functions that handle
 * its key; each user expands the list with its own X and reads only its own
 * columns, so policy/ names learn's writers without depending on
 * supervisor/.
 *
 * X(ID, NAME, PASS, WHERE, READ, SUB, DRAFT, MAN), in the order the loader
 * lists the keys in its messages ("expected one of: ..."):
 *   ID     enum ld_key's LD_KEY_ID.
 *   NAME   the key as written.
 *   PASS   when the loader reads it (enum ld_pass, load-internal.h): VERSION
 *          before the other keys are checked; VARS, then INCLUDE, in pass 1,
 *          in every file; DOC in pass 2, in document order; LAST after every
 *          other key.
 *   WHERE  MAIN: the main profile only; ANY: a runtime fragment too.
 *   READ   int READ(struct loader *, const struct yt_node *value): checks the
 *          value and stores it in the profile; 0 or -errno.
 *   SUB    the loader's list of the keys its value (or each entry of it)
 *          takes, a const struct ld_names *; NULL: none.
 *   DRAFT  DRAFT(SECTION, WRITER): a draft holds the key, in SECTION (enum
 *          draft_section, learn-write.c), written by void WRITER(struct draft
 *          *, struct mb_strbuf *); or NO_DRAFT("why"): drafts never hold it.
 *   MAN    the section of membrane-profile(5) that explains it; every key
 *          also has an entry under KEYS.
 * Adding a key: HACKING.md, "Add a profile key". */
#pragma once

#define MB_PROFILE_KEYS(X)                                                                    \
	X(VERSION, "version", VERSION, MAIN, read_version, NULL,                              \
	  DRAFT(HEAD, write_version), "KEYS")                                                 \
	X(NAME, "name", DOC, MAIN, read_name, NULL, DRAFT(HEAD, write_name), "KEYS")          \
	X(DESCRIPTION, "description", DOC, MAIN, read_description, NULL,                      \
	  DRAFT(HEAD, write_description), "KEYS")                                             \
	X(INCLUDE, "include", INCLUDE, ANY, ld_includes, NULL, DRAFT(HEAD, write_include),    \
	  "FRAGMENTS")                                                                        \
	X(MODE, "mode", DOC, MAIN, read_mode, NULL,                                           \
	  NO_DRAFT("a draft is to be enforced, the default; --mode audit tries it out"),      \
	  "KEYS")                                                                             \
	X(VARS, "vars", VARS, ANY, ld_vars_collect, NULL, DRAFT(HEAD, write_vars),            \
	  "VARIABLES")                                                                        \
	X(RUNTIME, "runtime", DOC, ANY, ld_runtime, &ld_runtime_keys,                         \
	  DRAFT(RUNTIME, write_runtime), "KEYS")                                              \
	X(NETWORK, "network", DOC, MAIN, read_network, NULL, DRAFT(SETTINGS, write_network),  \
	  "NETWORK")                                                                          \
	X(UNLISTED_TOOLS, "unlisted_tools", DOC, MAIN, read_unlisted_tools, NULL,             \
	  DRAFT(SETTINGS, write_unlisted_tools), "KEYS")                                      \
	X(ARGUMENTS, "arguments", DOC, MAIN, ld_arguments, &ld_arguments_keys,                \
	  DRAFT(CALLS, write_arguments), "KEYS")                                              \
	X(TOOLS, "tools", DOC, MAIN, ld_tools, &ld_call_keys, DRAFT(CALLS, write_tools),      \
	  "KEYS")                                                                             \
	X(REQUESTS, "requests", DOC, MAIN, ld_requests, &ld_call_keys,                        \
	  DRAFT(CALLS, write_requests), "KEYS")                                               \
	X(LIMITS, "limits", DOC, MAIN, read_limits, &ld_limits_keys, DRAFT(END, write_limits), \
	  "KEYS")                                                                             \
	X(REDACT, "redact", DOC, MAIN, read_redact, NULL, DRAFT(END, write_redact), "KEYS")   \
	X(PIN, "pin", DOC, MAIN, read_pin, NULL, DRAFT(SETTINGS, write_pin), "KEYS")          \
	X(CONCURRENCY, "concurrency", DOC, MAIN, read_concurrency, NULL,                      \
	  DRAFT(SETTINGS, write_concurrency), "KEYS")                                         \
	X(REQUIRE_LANDLOCK, "require_landlock", DOC, MAIN, read_require_landlock, NULL,       \
	  DRAFT(SETTINGS, write_require_landlock), "KEYS")                                    \
	X(USER, "user", DOC, MAIN, read_user, NULL, DRAFT(SETTINGS, write_user), "KEYS")      \
	X(SCAN, "scan", DOC, MAIN, ld_scan, &ld_scan_keys,                                    \
	  NO_DRAFT("what to do about poisoned descriptions and secrets in answers is the "  \
		   "author's choice; a session only shows what a server said"),               \
	  "SCANNING")                                                                         \
	X(REQUIRE, "require", DOC, MAIN, read_require, NULL, DRAFT(SETTINGS, write_require),   \
	  "KEYS")                                                                             \
	X(QUIET, "quiet", DOC, MAIN, ld_quiet, &ld_quiet_keys, DRAFT(END, write_quiet),       \
	  "KEYS")                                                                             \
	X(DENIALS, "denials", DOC, MAIN, read_denials, NULL, DRAFT(SETTINGS, write_denials),  \
	  "KEYS")                                                                             \
	X(PRIVATE_NAMES, "private_names", DOC, MAIN, read_private_names, NULL,                \
	  NO_DRAFT("which names may answer private addresses is the operator's call: a "     \
		   "draft never opens the rebinding guard"),                                  \
	  "NETWORK")                                                                          \
	X(RECORD, "record", DOC, MAIN, ld_record, NULL,                                       \
	  NO_DRAFT("what the call record holds is the operator's choice, not the server's"),  \
	  "THE RECORD")                                                                       \
	X(BUDGETS, "budgets", LAST, MAIN, ld_budgets, &ld_budgets_keys,                       \
	  NO_DRAFT("a budget is a limit the operator sets; one session's use does not "       \
		   "measure it (membrane-audit baseline learns rates from many)"),            \
	  "THE RECORD")                                                                       \
	X(ANOMALY, "anomaly", DOC, MAIN, ld_anomaly, &ld_anomaly_keys,                        \
	  NO_DRAFT("a baseline is learnt from many sessions' reports: membrane-audit "        \
		   "baseline"),                                                               \
	  "THE RECORD")                                                                       \
	X(DECOYS, "decoys", DOC, MAIN, ld_decoys, &ld_decoys_keys,                            \
	  NO_DRAFT("decoys are the operator's traps; a session cannot suggest them"),         \
	  "THE RECORD")                                                                       \
	X(TESTS, "tests", LAST, MAIN, ld_tests, &ld_test_keys,                                \
	  NO_DRAFT("tests say what the author means the profile to allow, which a "         \
		   "session cannot know; BASE's may name what the draft left out"),           \
	  "TESTS")
