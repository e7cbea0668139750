/* SPDX-License-Identifier: Apache-2.0 */
/* JSON-RPC messages for the HTTP front (rpc.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"
#include "supervisor/http/rpc.h"

enum mb_rpc_kind mb_rpc_kind(const cJSON *m)
{
	if (!cJSON_IsObject(m))
		return MB_RPC_INVALID;
	const cJSON *method = cJSON_GetObjectItemCaseSensitive(m, "method");
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(m, "id");
	bool has_id = id && (cJSON_IsString(id) || cJSON_IsNumber(id));
	if (method)
		return !cJSON_IsString(method) ? MB_RPC_INVALID
		       : has_id ? MB_RPC_REQUEST
		       : id ? MB_RPC_INVALID : MB_RPC_NOTIFICATION;
	if (id && (cJSON_GetObjectItemCaseSensitive(m, "result") ||
		   cJSON_GetObjectItemCaseSensitive(m, "error")))
		return MB_RPC_RESPONSE;
	return MB_RPC_INVALID;
}

char *mb_rpc_id_key(const cJSON *m)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(m, "id");
	return id ? cJSON_PrintUnformatted(id) : NULL;
}

char *mb_rpc_progress_key(const cJSON *m)
{
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(m, "params");
	const cJSON *meta = cJSON_GetObjectItemCaseSensitive(p, "_meta");
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(meta, "progressToken");
	if (!t)
		t = cJSON_GetObjectItemCaseSensitive(p, "progressToken");
	return t && (cJSON_IsString(t) || cJSON_IsNumber(t)) ? cJSON_PrintUnformatted(t) : NULL;
}

const char *mb_rpc_param(const cJSON *m, const char *name)
{
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(m, "params");
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(p, name);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The methods whose target Mcp-Name mirrors, and where the body has it. */
static const char *name_param(const char *method)
{
	if (strcmp(method, "tools/call") == 0 || strcmp(method, "prompts/get") == 0)
		return "name";
	if (strcmp(method, "resources/read") == 0 || strcmp(method, "resources/subscribe") == 0 ||
	    strcmp(method, "resources/unsubscribe") == 0)
		return "uri";
	return NULL;
}

int mb_rpc_mirror_check(const cJSON *m, const char *mcp_method, const char *mcp_name,
			const char **why)
{
	const cJSON *method = cJSON_GetObjectItemCaseSensitive(m, "method");
	if (!cJSON_IsString(method))
		return 0; /* a response mirrors nothing */
	if (!mcp_method) {
		*why = "the Mcp-Method header is missing";
		return -EINVAL;
	}
	if (strcmp(mcp_method, method->valuestring) != 0) {
		*why = "the Mcp-Method header does not match the body's method";
		return -EINVAL;
	}
	const char *param = name_param(method->valuestring);
	if (!param)
		return 0;
	const char *want = mb_rpc_param(m, param);
	if (!mcp_name) {
		*why = "the Mcp-Name header is missing";
		return -EINVAL;
	}
	if (!want || strcmp(want, mcp_name) != 0) {
		*why = "the Mcp-Name header does not match the body's name or uri";
		return -EINVAL;
	}
	return 0;
}

char *mb_rpc_error(const char *id_json, int code, const char *msg)
{
	struct mb_strbuf b = { 0 };
	mb_strbuf_printf(&b, "{\"jsonrpc\":\"2.0\",\"id\":%s,\"error\":{\"code\":%d,\"message\":",
			 id_json ? id_json : "null", code);
	mb_strbuf_json_string(&b, msg, strlen(msg));
	mb_strbuf_puts(&b, "}}");
	if (mb_strbuf_failed(&b)) {
		mb_strbuf_free(&b);
		return NULL;
	}
	return mb_strbuf_take(&b);
}

static const char *const versions[] = {
	"2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25", "2026-07-28",
};

bool mb_rpc_version_known(const char *v)
{
	for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++)
		if (strcmp(v, versions[i]) == 0)
			return true;
	return false;
}

bool mb_rpc_version_stateless(const char *v)
{
	return v && strcmp(v, "2026-07-28") >= 0 && mb_rpc_version_known(v);
}
