/* JSON-RPC 2.0 frames as MCP uses them: each frame is parsed once with cJSON
 * (after jsontext's pre-scan) and classified. A batch (a JSON array) yields
 * one message per element, each classified alone. Ids are kept exactly: the
 * raw text for echoing, and a key under which 1 and "1" differ while 1 and
 * 1.0, "a" and "\u0061" (which a peer's JSON library may re-serialise into
 * each other) are one. Member lookups are case-sensitive, and an object with a
 * duplicate key is refused: a server's parser could pick the other one. */
#pragma once

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "supervisor/jsontext.h"

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
	char *key;          /* malloc'd; NULL when absent or null */
};

struct mb_jr_msg {
	enum mb_jr_kind kind;
	const char *invalid;  /* MB_JR_INVALID: why, one short phrase */
	cJSON *node;          /* the message object (owned by the frame) */
	struct mb_span span;  /* its text in the frame */
	struct mb_jr_id id;
	const char *method;   /* requests and notifications */
	cJSON *params, *result, *error;
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

struct mb_jr_frame {
	enum mb_jr_fault fault;
	enum mb_json_fault scan;
	const char *text;       /* borrowed */
	size_t len;
	cJSON *root;
	bool batch;
	size_t n;               /* messages (1 unless batch) */
	struct mb_jr_msg *msgs; /* points at one when !batch */
	struct mb_jr_msg one;
};

/* Parse and classify text[0, len). Never fails outright: f->fault says what
 * was wrong with the frame as a whole, each message's kind what was wrong with
 * it. */
void mb_jr_parse(const char *text, size_t len, struct mb_jr_frame *f);
void mb_jr_frame_free(struct mb_jr_frame *f);

/* One phrase saying why a faulty frame was not accepted. */
const char *mb_jr_fault_reason(const struct mb_jr_frame *f);

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

/* An error response line (with "\n") into b. id_raw NULL means "id":null. */
struct mb_strbuf;
void mb_jr_error_line(struct mb_strbuf *b, const char *id_raw, size_t id_len, int code,
		      const char *message);
