/* SPDX-License-Identifier: Apache-2.0 */
/* The stream scanners: what the server says to the model, read for
 * poisoning (in the tool contract: descriptions, schemas, prompts,
 * resources, the server's instructions) and for secrets and hidden text (in
 * answers: tool results, resource contents, prompts).
 *
 * They work on the text the inspector already holds, never on a tree: a
 * walk over a validated JSON value (a result's span) visits each string,
 * decodes its escapes only when it has some (into a scratch buffer that
 * remembers where each escape was), and hands the decoded text to the
 * detectors. What a detector finds is mapped back to the raw bytes it came
 * from, rounded out to whole escapes, so that a finding can be cut out or
 * replaced while the JSON stays valid and every other byte stays as it was
 * (redact.h). So a secret written with escapes ("\u0041KIA...", a PEM key
 * whose lines are joined by \n, "\/" in a URL) is found as the decoded text
 * reads, and its redaction removes its escapes with it. A finding never
 * spans two strings.
 *
 * A detector is one struct with a scan function (mb_detector): the hidden
 * text classes (scan-text.c), the phrase and markup classes of the contract
 * (scan-text.c), the deterministic secret detectors (scan-secrets.c), and
 * the exact values the scanner is given (the profile's own secrets from
 * its environment, canary tokens: mb_scan_add_exact) are four such
 * detectors; a new one is a new struct in the list.
 *
 * Where they run and what follows (reports, the profile's action) is
 * scan-contract.c and scan-answer.c; the inspector calls mb_scan_result()
 * for each response and mb_scan_refuses() for each request. */
#pragma once

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/strbuf.h"
#include "policy/profile.h"
#include "policy/scan-kinds.h"
#include "supervisor/inspect/json-text.h"

/* What a detector found, in the decoded string it was given. */
struct mb_scan_hit {
	enum mb_scan_kind kind;
	size_t off, len;
	const char *label; /* whose value (exact values: an env name); else NULL */
};

typedef void (*mb_scan_hit_fn)(void *ud, const struct mb_scan_hit *h);

/* One JSON string as detectors see it: its decoded text (valid UTF-8, no
 * NUL: the validator saw to that) and, when it is a member's value, the
 * member's name (decoded, cut at MB_SCAN_KEY_MAX bytes). */
#define MB_SCAN_KEY_MAX 64
struct mb_scan_str {
	const char *s;
	size_t n;
	const char *key; /* NULL: an array element or the value itself */
	size_t key_len;
	/* The tool names the server lists itself, so that a description that
	 * sends the model to another's tool can be told (nnames 0: unknown). */
	const char *const *names;
	size_t nnames;
};

struct mb_detector {
	const char *name;
	unsigned where; /* MB_SCAN_IN_CONTRACT | MB_SCAN_IN_ANSWERS */
	void (*scan)(const struct mb_detector *d, const struct mb_scan_str *str, mb_scan_hit_fn fn,
		     void *ud);
	void (*free)(struct mb_detector *d);
	void *state;
};

/* The detectors (scan-text.c, scan-secrets.c). Each returns 0 or -errno. */
int mb_detector_hidden(struct mb_detector *d);
int mb_detector_contract_text(struct mb_detector *d); /* markup, phrases */
/* Compile the contract text detector's expressions (~0.9 ms of regcomp) on
 * a thread of its own, once per process: for a request whose answer brings
 * contract text, so that they are ready before the answer is, instead of
 * being compiled on its way to the client. If no thread can be started,
 * the first contract string compiles them, as without this call. */
void mb_detector_contract_text_warm(void);
int mb_detector_secrets(struct mb_detector *d);
int mb_detector_exact(struct mb_detector *d);
/* An exact value for the exact detector; the value is copied. */
int mb_detector_exact_add(struct mb_detector *d, enum mb_scan_kind kind, const char *label,
			  const char *value, size_t len);

/* Does c continue a token for the secret detectors (base64, base64url,
 * '.', '~')? A finding glued to such a character on either side may hide
 * another that its redaction brings to light (scan-answer.c). */
bool mb_scan_token_char(unsigned char c);

/* A finding as the walk reports it: the hit, and where it lies in the raw
 * text (rounded out to whole escapes), with its string, all valid during
 * the callback only. */
struct mb_scan_found {
	struct mb_scan_hit hit;
	size_t raw_off, raw_len;  /* in the text given to mb_scan_walk */
	const struct mb_scan_str *str;
	size_t str_off;           /* the string's opening quote in the text */
	const void *map;          /* for mb_scan_raw_off */
};

/* The raw offset (in the text) of decoded offset dec of f's string; an end
 * offset (end) rounds up over a partly covered escape, a start rounds down. */
size_t mb_scan_raw_off(const struct mb_scan_found *f, size_t dec, bool end);

/* Every string of the JSON value at span v (validated text), through every
 * detector of dets whose where has a bit of where. Returns 0 or -ENOMEM. */
struct mb_scan_walker;
int mb_scan_walker_new(struct mb_scan_walker **ret);
void mb_scan_walker_free(struct mb_scan_walker *w);
/* The server's own tool names for the strings walked from now on (see
 * struct mb_scan_str); names must stay valid while they are set. */
void mb_scan_walker_names(struct mb_scan_walker *w, const char *const *names, size_t n);
int mb_scan_walk(struct mb_scan_walker *w, struct mb_detector *dets, size_t ndets, unsigned where,
		 const char *text, struct mb_span v, void (*fn)(void *ud, const struct mb_scan_found *f),
		 void *ud);

/* "content[0].text": the member names and indices that lead from the value
 * at span root to the value holding offset off; root itself is "". */
void mb_json_path_at(const char *text, struct mb_span root, size_t off, struct mb_strbuf *out);

/* Text shown in a report: invisible and control characters written as
 * \uXXXX (tag characters as the ASCII they stand for, in [tags: ...]),
 * cut at max bytes on a character boundary and marked. */
void mb_scan_show(const char *s, size_t n, enum mb_scan_kind kind, size_t max,
		  struct mb_strbuf *out);

/* ---- the scanner the inspector holds ---- */

struct mb_scan;
struct mb_call;

struct mb_scan_events {
	/* A report line; fields are consumed. */
	void (*report)(void *ud, const char *event, cJSON *fields);
	void *ud;
};

/* envp: the server's environment ("NAME=VALUE", NULL-terminated; may be
 * NULL): the values of variables the profile names under scan.env, or
 * whose names look like secrets (TOKEN, SECRET, PASSWORD, API_KEY...),
 * are found exactly in answers (see scan-answer.c for which). */
int mb_scan_new(const struct mb_profile *p, char *const *envp, const struct mb_scan_events *ev,
		struct mb_scan **ret);
void mb_scan_free(struct mb_scan *sc);

/* Another exact value to find in answers (a canary token, kind
 * MB_SCAN_CANARY; label names it in reports, the value never appears
 * there). Values shorter than MB_SCAN_EXACT_MIN are refused (-EINVAL):
 * they would match by chance. */
#define MB_SCAN_EXACT_MIN 8
int mb_scan_add_exact(struct mb_scan *sc, enum mb_scan_kind kind, const char *label,
		      const char *value, size_t len);

enum mb_scan_verdict {
	MB_SCAN_PASS,    /* forward the message as it is */
	MB_SCAN_EDITED,  /* *out holds the message to forward instead (no newline) */
};

/* A response from the server to the client request c, at span msg of text
 * (the message the client would get: possibly already edited by the
 * inspector). error: a JSON-RPC error response. Contract listings and
 * initialize are scanned for poisoning, answers for secrets and hidden
 * text; findings are reported and the profile's actions applied. */
enum mb_scan_verdict mb_scan_result(struct mb_scan *sc, struct mb_call *c, const char *text,
				    struct mb_span msg, bool error, struct mb_strbuf *out);

/* A request from the client for something the scanner hid from it (a tool,
 * prompt or resource whose contract held a finding the profile hides):
 * why it is refused (malloc'd), or NULL. */
struct mb_jr_msg;
char *mb_scan_refuses(struct mb_scan *sc, struct mb_jr_msg *m);

/* The client's request for method goes to the server: if its answer is one
 * mb_scan_result() scans as contract, ready the scanner for it meanwhile
 * (mb_detector_contract_text_warm). */
void mb_scan_expect(struct mb_scan *sc, const char *method);

/* For the benchmarks only (bench/scan-cost, relay-harness --no-scan): let
 * every message pass unscanned, to measure what scanning costs.
 * membrane-run never calls it: finding and reporting are always on. */
void mb_scan_disable(struct mb_scan *sc);

/* Bytes scanned and findings, for tests and the benchmark. */
struct mb_scan_stats {
	unsigned long long bytes, strings, findings;
	/* "exfiltration" lines written (findings of kind canary): the
	 * inspector tells the record which frames it reported (inspector.h). */
	unsigned long long canary_lines;
};
const struct mb_scan_stats *mb_scan_stats(const struct mb_scan *sc);
