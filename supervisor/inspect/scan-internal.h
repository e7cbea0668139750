/* SPDX-License-Identifier: Apache-2.0 */
/* Shared by the scanner's files (scan.c, scan-contract.c, scan-answer.c):
 * the scanner the inspector holds. Not an interface for anything else. */
#pragma once

#include <stdint.h>

#include "common/vec.h"
#include "supervisor/inspect/scan.h"

/* Distinct contract findings remembered per session, so that a listing
 * seen again is not reported again (a changed one is: its text differs). */
#define MB_SCAN_SEEN_MAX 4096

enum { DET_HIDDEN, DET_CONTRACT, DET_SECRETS, DET_EXACT, DET__N };

struct mb_scan {
	const struct mb_profile *p;
	struct mb_scan_events ev;
	struct mb_detector dets[DET__N];
	struct mb_scan_walker *walker;
	struct mb_scan_stats stats;
	bool disabled;
	MB_VEC(uint64_t) seen;
	bool seen_full;
	/* Names hidden from the client: a kind letter ('t' tool, 'p' prompt,
	 * 'r' resource) and the name or URI. */
	MB_VEC(char *) hidden;
	/* Every tool name listed so far (at most MB_SCAN_SEEN_MAX). */
	MB_VEC(char *) tool_names;
};

/* What the profile says for kind k where (MB_SCAN_IN_*), audit mode
 * turning every action into a report. */
enum mb_scan_action mb_scan_action_for(const struct mb_scan *sc, unsigned where,
				       enum mb_scan_kind k);

/* "[membrane: redacted KIND]", the marker a redaction leaves. */
const char *mb_scan_marker(enum mb_scan_kind k);

void mb_scan_report(struct mb_scan *sc, const char *event, cJSON *fields);
/* An "error" line: out of memory, what was not scanned whole. */
void mb_scan_report_oom(struct mb_scan *sc, const char *what);

/* scan-contract.c / scan-answer.c: mb_scan_result's two halves. */
bool mb_scan_is_contract(const char *method);
enum mb_scan_verdict mb_scan_contract(struct mb_scan *sc, const char *method, const char *text,
				      struct mb_span msg, struct mb_strbuf *out);
bool mb_scan_is_answer(const char *method);
enum mb_scan_verdict mb_scan_answer(struct mb_scan *sc, struct mb_call *c, const char *text,
				    struct mb_span msg, bool error, struct mb_strbuf *out);
