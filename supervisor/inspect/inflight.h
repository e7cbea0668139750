/* SPDX-License-Identifier: Apache-2.0 */
/* The requests in flight, in both directions, keyed by (direction, id): the
 * client's and the server's id spaces overlap. A call's window (docs/design.md
 * "Windows for attribution") is the life of its entry here, while its state
 * is not MB_CALL_EXPIRED (mb_call_window_open):
 *  - it opens when the request is forwarded and closes at its response;
 *  - notifications/cancelled marks it cancelled and it goes after a short
 *    grace (a cancelled request may never be answered);
 *  - a task-augmented call (2025-11-25) stays, as a task, until tasks/get,
 *    tasks/result, tasks/cancel or notifications/tasks/status says the task
 *    ended, but only if the client's request asked for a task (params.task):
 *    the server does not decide what is in flight; and never past the task's
 *    time to live (mb_inflight_task_started);
 *  - a client request (or its task) with neither a response nor a sign of
 *    life (mb_inflight_touch) for the table's timeout expires: its window
 *    closes, and the entry stays (MB_CALL_EXPIRED) only so that its late
 *    response or its task's end is still recognised;
 *  - a server request gets the same timeout; when it passes, the entry
 *    leaves the table (the caller answers the server with an error);
 *  - a 2026-07-28 request answered with resultType "input_required" is
 *    retried under a new id: the retry joins the same logical call.
 * The correlator walks the table (mb_inflight_first/next) to learn which
 * requests are in flight, with their tool and arguments.
 *
 * This is on the path of every request: an entry's strings live in one
 * block, entries are recycled, and the arguments are kept as the text that
 * was sent and parsed only when someone asks (mb_call_arguments). */
#pragma once

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy/call-grants.h"
#include "supervisor/inspect/jsonrpc.h"

enum mb_dir {
	MB_DIR_CLIENT, /* a request the client sent to the server */
	MB_DIR_SERVER, /* a request the server sent to the client */
};

enum mb_call_state {
	MB_CALL_PENDING,   /* awaiting its response */
	MB_CALL_CANCELLED, /* cancelled; removed at its response or deadline */
	MB_CALL_TASK,      /* answered with a task that has not ended */
	MB_CALL_EXPIRED,   /* timed out: window closed, response still awaited */
};

struct mb_call {
	enum mb_dir dir;
	enum mb_call_state state;
	const char *key;        /* the id's key (jsonrpc.h) */
	const char *id_raw;     /* the id as sent, NUL-terminated, for error replies */
	const char *method;
	const char *tool;       /* tools/call: params.name, or NULL */
	const char *args_text;  /* tools/call: params.arguments as sent; another
				   request of the client: its params (the
				   profile's requests: grants are filled from
				   them); or NULL */
	size_t args_len;
	const char *progress;   /* key of params._meta.progressToken, or NULL */
	const char *task_id;    /* MB_CALL_TASK: the server's task id */
	const char *about_task; /* tasks/get, tasks/result, tasks/cancel: params.taskId */
	uint64_t logical;       /* retries of an input_required call share this */
	unsigned round;         /* 0 for a logical call's first request */
	uint64_t started_ns;
	uint64_t deadline_ns;   /* MB_CALL_CANCELLED: when it goes;
				   MB_CALL_PENDING, MB_CALL_TASK: when it expires
				   without a sign of life (0: never) */
	uint64_t ttl_end_ns;    /* MB_CALL_TASK: the task's time to live ends
				   here, signs of life or not (0: none) */
	bool task_asked;        /* tools/call whose params.task is an object */
	uint64_t task_ttl_ms;   /* ... and its ttl (0: none asked) */
	unsigned notes;         /* the inspector's own flags */
	/* The correlator's: this call's grants, placeholders filled and in
	 * canonical form, built the first time an operation is decided while
	 * the call is in flight (NULL then if it grants nothing); freed with
	 * the call. */
	struct mb_callgrants *grants;
	bool grants_built;
	/* The guard's: what was denied during this call (a JSON array of
	 * {op, target, reason, grant}), which its tools/call result carries
	 * back (supervisor/inspect/denials.h); NULL: nothing. Freed with the
	 * call. */
	cJSON *denials;
	/* The run's record (supervisor/record/): its own state of this call,
	 * released by the table's leave hook. */
	void *ext;
	/* private */
	struct mb_call *prev, *next;
	cJSON *args_node;
	char *task_mem;
	uint64_t h_id, h_progress, h_task;
	char *mem;
	size_t mem_cap;
};

static inline bool mb_call_window_open(const struct mb_call *c)
{
	return c->state != MB_CALL_EXPIRED;
}

/* tools/call: the arguments as a tree (another request of the client: its
 * params), parsed on first use; NULL if there are none (or out of memory).
 * Owned by the call. */
const cJSON *mb_call_arguments(struct mb_call *c);

struct mb_inflight;

/* A JSON number at span v of text as whole milliseconds (a task's ttl):
 * 0 when it is not a number or is negative, at least 1 otherwise. */
uint64_t mb_json_span_ms(const char *text, struct mb_span v);

int mb_inflight_new(struct mb_inflight **ret);
void mb_inflight_free(struct mb_inflight *t);

/* Requests (and tasks) expire after this long without a response or a sign
 * of life (0, the default: never). */
void mb_inflight_set_timeout(struct mb_inflight *t, uint64_t timeout_ns);

/* Track request m sent in direction dir. -EEXIST if a request with the same
 * id is in flight in that direction (a cancelled or expired one is
 * replaced); -ENOMEM. */
int mb_inflight_add(struct mb_inflight *t, enum mb_dir dir, struct mb_jr_msg *m,
		    uint64_t now_ns, struct mb_call **ret);
struct mb_call *mb_inflight_find(const struct mb_inflight *t, enum mb_dir dir, const char *key);
void mb_inflight_remove(struct mb_inflight *t, struct mb_call *c);

/* notifications/cancelled from the sender of requests in dir, for the
 * request whose id has this key. */
struct mb_call *mb_inflight_cancel(struct mb_inflight *t, enum mb_dir dir, const char *key,
				   uint64_t deadline_ns);
/* The call a progress token (of a request sent in dir) belongs to. */
struct mb_call *mb_inflight_by_progress(const struct mb_inflight *t, enum mb_dir dir,
					const cJSON *token);
struct mb_call *mb_inflight_by_progress_key(const struct mb_inflight *t, enum mb_dir dir,
					    const char *key);
/* A sign of life for a call or its task (progress, a task status, the
 * client asking about the task): its timeout starts again from now. */
void mb_inflight_touch(struct mb_inflight *t, struct mb_call *c, uint64_t now_ns);

/* c, which asked for a task, was answered with one: keep it until the task
 * ends, its timeout passes without a sign of life, or ttl_ms (0: none; the
 * smaller of the client's and the server's) passes from now. */
int mb_inflight_task_started(struct mb_inflight *t, struct mb_call *c, const char *task_id,
			     uint64_t ttl_ms, uint64_t now_ns);
struct mb_call *mb_inflight_by_task(const struct mb_inflight *t, enum mb_dir dir,
				    const char *task_id);
/* The task ended: its call leaves the table. Returns whether one did. */
bool mb_inflight_task_ended(struct mb_inflight *t, enum mb_dir dir, const char *task_id);

/* c was answered "input_required" (2026-07-28): the client's retry, which
 * carries request_state (may be NULL) back, continues the same logical call. */
int mb_inflight_input_required(struct mb_inflight *t, const struct mb_call *c,
			       const char *request_state);

/* Drop cancelled calls whose grace ended, and expire calls and tasks whose
 * timeout or time to live passed (expired, if not NULL, is told of each
 * first): a client's stays as MB_CALL_EXPIRED, a server's leaves the table.
 * Returns the earliest deadline still ahead, or 0. */
uint64_t mb_inflight_expire(struct mb_inflight *t, uint64_t now_ns,
			    void (*expired)(void *ud, struct mb_call *c), void *ud);

/* Called for each call as it leaves the table (answered, cancelled and
 * gone, forgotten, or the table freed), before it is recycled: where the
 * run's record finishes the call and releases c->ext. */
void mb_inflight_set_leave_hook(struct mb_inflight *t, void (*fn)(void *ud, struct mb_call *c),
				void *ud);

size_t mb_inflight_count(const struct mb_inflight *t);
/* The server's requests in the table (each awaits the client's answer). */
size_t mb_inflight_count_dir(const struct mb_inflight *t, enum mb_dir dir);
/* In the order they were sent. Removing the current call while iterating
 * is allowed if next was fetched first. */
struct mb_call *mb_inflight_first(const struct mb_inflight *t);
static inline struct mb_call *mb_inflight_next(const struct mb_call *c)
{
	return c->next;
}
