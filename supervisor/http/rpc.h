/* SPDX-License-Identifier: Apache-2.0 */
/* JSON-RPC as the HTTP front sees it: what kind of message a body holds,
 * the key of a request id, the progress token a request asks for, and the
 * 2026-07-28 rule that the Mcp-Method and Mcp-Name headers mirror the body.
 * The framing on the child's side is newline-delimited stdio, the same as
 * any client's (supervisor/inspect/framer.h). */
#pragma once

#include <stdbool.h>
#include <cjson/cJSON.h>

enum mb_rpc_kind {
	MB_RPC_INVALID,
	MB_RPC_REQUEST,      /* method and id */
	MB_RPC_NOTIFICATION, /* method, no id */
	MB_RPC_RESPONSE,     /* id and result or error */
};

/* The spec's error for headers that do not mirror the body (2026-07-28:
 * HeaderMismatch). */
#define MB_RPC_HEADER_MISMATCH (-32020)

enum mb_rpc_kind mb_rpc_kind(const cJSON *m);
/* The id as compact JSON text ("7", "\"abc\""): the key of the requests in
 * flight. NULL when absent or out of memory. Free it. */
char *mb_rpc_id_key(const cJSON *m);
/* params._meta.progressToken as compact JSON text, or NULL. Free it. */
char *mb_rpc_progress_key(const cJSON *m);
/* The string member of params at name ("name", "uri"), or NULL. */
const char *mb_rpc_param(const cJSON *m, const char *name);
/* 2026-07-28: 0 when Mcp-Method and Mcp-Name (either may be NULL) mirror
 * the body, else -EINVAL with *why a phrase for the client and the report. */
int mb_rpc_mirror_check(const cJSON *m, const char *mcp_method, const char *mcp_name,
			const char **why);
/* {"jsonrpc":"2.0","id":ID,"error":{"code":code,"message":msg}}: id is
 * the JSON text of the id, or NULL for null. Free it. */
char *mb_rpc_error(const char *id_json, int code, const char *msg);
/* A protocol revision this front speaks (the MCP-Protocol-Version header). */
bool mb_rpc_version_known(const char *v);
/* 2026-07-28 and later: no sessions, headers mirror the body. */
bool mb_rpc_version_stateless(const char *v);
