/* SPDX-License-Identifier: Apache-2.0 */
/* The names Reports v1 fixes (man/membrane-report.5; docs/design.md
 * "Reports"), written once for the reporter that writes them and for
 * membrane-audit that reads them, and the hash chain both compute. */
#pragma once

#include <stddef.h>

/* Every line's common fields, in the order the reporter writes them. */
extern const char *const mb_report_common_fields[];
extern const size_t mb_report_common_fields_n;

/* The values of "event", "op" and "decision"; NULL-terminated. */
extern const char *const mb_report_events[];
extern const char *const mb_report_ops[];
extern const char *const mb_report_decisions[];
/* The "kind" of poisoning and secret lines (policy/scan-kinds.h). */
extern const char *const mb_report_kinds[];
/* A call line's "outcome", and the members of its "did" (in this order). */
extern const char *const mb_report_outcomes[];
extern const char *const mb_report_did_ops[];

/* The chain: a session's first line has prev = 64 '0's; each later line's
 * prev is the lowercase hex SHA-256 of the previous line's bytes as written,
 * without the newline. */
#define MB_REPORT_HASH_HEX 65 /* 64 digits and the NUL */
extern const char mb_report_chain_start[MB_REPORT_HASH_HEX];
/* 0, or -ELIBACC when SHA-256 cannot be had (common/sha256.h). */
int mb_report_chain_link(const char *line, size_t len, char prev[MB_REPORT_HASH_HEX]);
