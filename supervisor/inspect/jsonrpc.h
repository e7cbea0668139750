/* SPDX-License-Identifier: Apache-2.0 */
/* JSON-RPC 2.0 frames as MCP uses them. Each frame is validated once
 * (json-text.h's mb_json_validate: strict JSON, UTF-8, no NUL, bounded depth,
 * no duplicate keys) and classified from the text itself: the members the
 * inspector reads on every message (jsonrpc, id, method, params, result,
 * error, and the usual members of params) are spans, and cJSON trees are
 * built only on demand, for the parts a decision or a report needs
 * (mb_jr_param_node, mb_jr_result_node). A batch (a JSON array) yields one
 * message per element, each classified alone. Ids are kept exactly: the raw
 * text for echoing, and a key under which 1 and "1" differ while 1 and 1.0,
 * "a" and "\u0061" (which a peer's JSON library may re-serialise into each
 * other) are one. Member lookups are case-sensitive, and an object with a
 * duplicate key is refused: a server's parser could pick the other one. */
#pragma once

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "supervisor/inspect/json-text.h"

/* Deepest nesting accepted; MCP messages (tool schemas included) stay far
 * below, and cJSON and cJSON_Delete recurse once per level. */
#define MB_JSON_MAX_DEPTH 128

enum mb_jr_kind {
	MB_JR_INVALID,      /* JSON, but not a JSON-RPC 2.0 message */
	MB_JR_REQUEST,
	MB_JR_NOTIFICATION,
	MB_JR_RESULT,       /* a response with result */
	MB_JR_ERROR,        /* a response with error */
};

const char *mb_jr_kind_name(enum mb_jr_kind k);

struct mb_jr_id {
	bool present;       /* the message has an id member */
	bool null;          /* ... and it is null */
	const char *raw;    /* its text in the frame (valid while the frame is) */
	size_t raw_len;
	const char *key;    /* NULL when absent or null; valid while the frame is */
};

/* The members of params that the inspector and the in-flight table read. */
enum mb_jr_pkey {
	MB_P_NAME,            /* tools/call, prompts/get */
	MB_P_ARGUMENTS,       /* tools/call */
	MB_P_META,            /* _meta (progressToken) */
	MB_P_TASK_ID,         /* tasks/..., notifications/tasks/status */
	MB_P_CURSOR,          /* tools/list and other list requests */
	MB_P_REQUEST_STATE,   /* 2026-07-28 retries */
	MB_P_INPUT_RESPONSES, /* 2026-07-28 retries */
	MB_P_REQUEST_ID,      /* notifications/cancelled */
	MB_P_STATUS,          /* notifications/tasks/status */
	MB_P_URI,             /* resources/read */
	MB_P_PROGRESS_TOKEN,  /* notifications/progress */
	MB_P_TASK,            /* tools/call: the client asks for a task */
	MB_P__N
};

struct mb_jr_frame;

struct mb_jr_msg {
	enum mb_jr_kind kind;
	const char *invalid;  /* MB_JR_INVALID: why, one short phrase */
	const char *text;     /* the frame's text */
	struct mb_span span;  /* this message in it */
	struct mb_jr_id id;
	const char *method;   /* requests and notifications (decoded) */
	/* Spans of the members; len 0 when absent. */
	struct mb_span params, result, error;
	/* Members of params when params is an object (requests, notifications). */
	struct mb_span p[MB_P__N];
	/* private */
	struct mb_jr_frame *frame;
	cJSON *pnode[MB_P__N];
	cJSON *params_node, *result_node;
	bool has_method, has_result, has_error; /* even when the message is invalid */
	bool trees;                 /* some of the nodes above were parsed */
};

enum mb_jr_fault {
	MB_JR_FAULT_NONE,
	MB_JR_FAULT_EMPTY,      /* an empty (or blank) line */
	MB_JR_FAULT_SCAN,       /* see scan: NUL, UTF-8, control, depth */
	MB_JR_FAULT_PARSE,      /* not JSON */
	MB_JR_FAULT_NOT_OBJECT, /* JSON, but neither an object nor an array */
	MB_JR_FAULT_EMPTY_BATCH,
	MB_JR_FAULT_NOMEM,
};

/* Decoded strings of a frame (ids' keys, methods, params strings) live in
 * its arena: a buffer in the frame, then heap blocks for the rest. */
struct mb_jr_block;
#define MB_JR_ARENA 512

struct mb_jr_frame {
	enum mb_jr_fault fault;
	enum mb_json_fault scan;
	const char *text;       /* borrowed */
	size_t len;
	bool batch;
	size_t n;               /* messages (1 unless batch) */
	struct mb_jr_msg *msgs; /* points at one when !batch */
	struct mb_jr_msg one;
	/* private */
	size_t *dups, ndup;     /* objects with a duplicate key */
	size_t arena_used;
	struct mb_jr_block *blocks;
	char arena[MB_JR_ARENA];   /* not cleared: the fields above are */
	struct mb_json_tape tape;  /* idem: only its header */
};

/* Validate and classify text[0, len). Never fails outright: f->fault says
 * what was wrong with the frame as a whole, each message's kind what was
 * wrong with it. f must stay where it is until mb_jr_frame_free. */
void mb_jr_parse(const char *text, size_t len, struct mb_jr_frame *f);
void mb_jr_frame_free(struct mb_jr_frame *f);

/* One phrase saying why a faulty frame was not accepted. */
const char *mb_jr_fault_reason(const struct mb_jr_frame *f);

/* Members of the object at span obj of m's text (see mb_json_members), read
 * from the validator's tape when it holds them. */
size_t mb_jr_members(const struct mb_jr_msg *m, struct mb_span obj, const char *const *keys,
		     size_t n, struct mb_span *out);

/* Trees on demand, owned by the frame (NULL if absent or out of memory). */
const cJSON *mb_jr_param_node(struct mb_jr_msg *m, enum mb_jr_pkey k);
const cJSON *mb_jr_params_node(struct mb_jr_msg *m);
const cJSON *mb_jr_result_node(struct mb_jr_msg *m);

/* The decoded string at span v of m's text, NULL if v is not a string (or
 * on ENOMEM); valid while the frame is. */
const char *mb_jr_str(struct mb_jr_msg *m, struct mb_span v);
static inline const char *mb_jr_param_str(struct mb_jr_msg *m, enum mb_jr_pkey k)
{
	return mb_jr_str(m, m->p[k]);
}
/* The key (as for ids) of the string or number at span v, NULL for other
 * values; valid while the frame is. */
const char *mb_jr_key(struct mb_jr_msg *m, struct mb_span v);

/* The key of an id node (string or number), malloc'd; NULL for other types
 * or on ENOMEM. Used for ids that arrive inside params (requestId). */
char *mb_jr_id_key(const cJSON *id);

/* Member access that is case-sensitive and type-checked. */
const char *mb_json_get_string(const cJSON *obj, const char *key);
cJSON *mb_json_get_object(const cJSON *obj, const char *key);
cJSON *mb_json_get_array(const cJSON *obj, const char *key);

/* Standard JSON-RPC codes, and ours: outside -32768..-32000 as JSON-RPC asks
 * of application codes, and clear of MCP's -32020..-32099. */
#define MB_JR_PARSE_ERROR -32700
#define MB_JR_INVALID_REQUEST -32600
#define MB_JR_INTERNAL_ERROR -32603
#define MB_JR_REFUSED -31000        /* membrane refused the request */
#define MB_JR_SERVER_GONE -31001    /* the server exited before answering */
#define MB_JR_NO_ANSWER -31002      /* a server request the client did not answer in
				       time, or one past the cap on those waiting */

/* An error response line (with "\n") into b. id_raw NULL means "id":null. */
struct mb_strbuf;
void mb_jr_error_line(struct mb_strbuf *b, const char *id_raw, size_t id_len, int code,
		      const char *message);
