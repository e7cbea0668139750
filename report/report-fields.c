/* SPDX-License-Identifier: Apache-2.0 */
/* The names of Reports v1 and its hash chain (report/report-fields.h). */
#include "common/macros.h"
#include "common/sha256.h"
#include "policy/scan-kinds.h"
#include "report/report-fields.h"

const char *const mb_report_common_fields[] = {
	"v", "time", "event", "mode", "profile", "session", "seq", "prev",
};
const size_t mb_report_common_fields_n = ARRAY_SIZE(mb_report_common_fields);

const char *const mb_report_events[] = { "start",	  "violation", "refused",      "exit",
					 "error",	  "poisoning", "secret",       "call",
					 "limit",	  "anomaly",   "decoy",        "exfiltration",
					 "killed",	  "checkpoint", NULL };
const char *const mb_report_ops[] = { "read", "write", "exec", "connect", "bind", "resolve", "syscall",
					"tool-changed", NULL };
const char *const mb_report_decisions[] = { "denied", "allowed", NULL };
const char *const mb_report_kinds[] = {
#define X(id, name, ...) name,
	MB_SCAN_KINDS(X)
#undef X
	NULL,
};
const char *const mb_report_outcomes[] = { "result",    "tool_error", "rpc_error",
					   "refused",   "cancelled",  "timeout", NULL };
const char *const mb_report_did_ops[] = { "read", "write", "exec", "connect", NULL };

const char mb_report_chain_start[MB_REPORT_HASH_HEX] =
	"0000000000000000000000000000000000000000000000000000000000000000";

int mb_report_chain_link(const char *line, size_t len, char prev[MB_REPORT_HASH_HEX])
{
	return mb_sha256_hex(line, len, prev);
}
