/* SPDX-License-Identifier: Apache-2.0 */
/* What the stream scanners find (supervisor/inspect/scan*.c), one line per
 * kind: the only list of them. The profile's scan key (policy/load/
 * load-scan.c) takes its names, the scanners report them, membrane-profile(5)
 * and membrane-report(5) document them, and tests/man/unit-scan-kinds.sh
 * holds the man pages to this list.
 *
 * X(ID, NAME, CLASS, WHERE, DESC):
 *   CLASS  HIDDEN: characters a reader does not see (Unicode tags, zero-width
 *          and bidi controls, terminal escapes); MARKUP: text a renderer
 *          hides or a model reads as a directive (HTML comments,
 *          <IMPORTANT> blocks); PHRASE: instructions to the model about the
 *          user, other tools or secret files; SECRET: credentials.
 *   WHERE  CONTRACT: looked for in tool, prompt and resource descriptions
 *          and the server's instructions (event "poisoning"); ANSWERS: in
 *          tool results, resource contents and prompts (event "secret");
 *          BOTH.
 *   DESC   what it is, for reasons in reports.
 * A kind's policy is a profile choice (enum mb_scan_action); finding and
 * reporting need none. */
#pragma once

#include <stdbool.h>

#define MB_SCAN_KINDS(X) \
	X(UNICODE_TAGS, "unicode-tags", HIDDEN, BOTH, \
	  "Unicode tag characters (U+E0000-E007F), invisible text") \
	X(ZERO_WIDTH, "zero-width", HIDDEN, BOTH, \
	  "zero-width or invisible characters") \
	X(BIDI, "bidi", HIDDEN, BOTH, \
	  "bidirectional controls that reorder what is shown") \
	X(ANSI, "ansi", HIDDEN, BOTH, \
	  "terminal escape sequences or control characters") \
	X(HTML_COMMENT, "html-comment", MARKUP, CONTRACT, \
	  "an HTML comment, which a renderer hides") \
	X(DIRECTIVE_TAG, "directive-tag", MARKUP, CONTRACT, \
	  "a directive block such as <IMPORTANT>") \
	X(OVERRIDE, "override", PHRASE, CONTRACT, \
	  "an instruction to set other instructions aside") \
	X(CONCEALMENT, "concealment", PHRASE, CONTRACT, \
	  "an instruction to keep something from the user") \
	X(SENSITIVE_PATH, "sensitive-path", PHRASE, CONTRACT, \
	  "a mention of a file that holds secrets") \
	X(CROSS_TOOL, "cross-tool", PHRASE, CONTRACT, \
	  "an instruction about other tools or servers") \
	X(PRIVATE_KEY, "private-key", SECRET, ANSWERS, \
	  "a private key (PEM or OpenSSH)") \
	X(AWS_ACCESS_KEY, "aws-access-key", SECRET, ANSWERS, \
	  "an AWS access key id") \
	X(AWS_SECRET_KEY, "aws-secret-key", SECRET, ANSWERS, \
	  "an AWS secret access key") \
	X(GCP_API_KEY, "gcp-api-key", SECRET, ANSWERS, \
	  "a Google Cloud API key") \
	X(GCP_OAUTH_TOKEN, "gcp-oauth-token", SECRET, ANSWERS, \
	  "a Google OAuth access token") \
	X(AZURE_STORAGE_KEY, "azure-storage-key", SECRET, ANSWERS, \
	  "an Azure storage account key") \
	X(AZURE_CLIENT_SECRET, "azure-client-secret", SECRET, ANSWERS, \
	  "an Azure client secret") \
	X(GITHUB_TOKEN, "github-token", SECRET, ANSWERS, \
	  "a GitHub token") \
	X(GITLAB_TOKEN, "gitlab-token", SECRET, ANSWERS, \
	  "a GitLab token") \
	X(SLACK_TOKEN, "slack-token", SECRET, ANSWERS, \
	  "a Slack token") \
	X(SLACK_WEBHOOK, "slack-webhook", SECRET, ANSWERS, \
	  "a Slack webhook URL") \
	X(JWT, "jwt", SECRET, ANSWERS, \
	  "a JSON Web Token") \
	X(NAMED_SECRET, "named-secret", SECRET, ANSWERS, \
	  "a high-entropy value next to a key-like name") \
	X(ENV_SECRET, "env-secret", SECRET, ANSWERS, \
	  "the value of a secret the profile passes in the environment") \
	X(CANARY, "canary", SECRET, ANSWERS, \
	  "a canary token membrane planted")

enum mb_scan_kind {
#define X(id, ...) MB_SCAN_##id,
	MB_SCAN_KINDS(X)
#undef X
	MB_SCAN_KIND_COUNT,
};

enum mb_scan_class { MB_SCAN_CLASS_HIDDEN, MB_SCAN_CLASS_MARKUP, MB_SCAN_CLASS_PHRASE,
		     MB_SCAN_CLASS_SECRET };

/* Where a kind is looked for: a bit set. */
#define MB_SCAN_IN_CONTRACT 1u
#define MB_SCAN_IN_ANSWERS 2u

/* What membrane does beyond reporting. Contract: strip the offending text,
 * or hide the tool (prompt, resource; the instructions are blanked).
 * Answers: redact (a marker naming the kind replaces it) or refuse the
 * whole answer. 0 (report) is the default. */
enum mb_scan_action {
	MB_SCAN_REPORT,
	MB_SCAN_STRIP,
	MB_SCAN_HIDE,
	MB_SCAN_REDACT,
	MB_SCAN_REFUSE,
};

const char *mb_scan_kind_name(enum mb_scan_kind k);
const char *mb_scan_kind_desc(enum mb_scan_kind k);
enum mb_scan_class mb_scan_kind_class(enum mb_scan_kind k);
unsigned mb_scan_kind_where(enum mb_scan_kind k);
/* -EINVAL for an unknown name. */
int mb_scan_kind_from_name(const char *name, enum mb_scan_kind *ret);
/* The profile's names for several kinds at once: "all", "hidden",
 * "markup", "instructions" (the phrase class), "secrets". Does group
 * name hold kind k? -EINVAL for a name that is no group. */
int mb_scan_group_has(const char *group, enum mb_scan_kind k, bool *ret);
const char *mb_scan_action_name(enum mb_scan_action a);
