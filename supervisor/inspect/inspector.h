/* SPDX-License-Identifier: Apache-2.0 */
/* The inspector: every frame in both directions passes through here. It
 * knows no fds: what it forwards, answers and reports goes through the io
 * callbacks, so unit tests and the fuzzer drive it from memory and run.c
 * wires it to the pipes.
 *
 * Client side (our stdin): garbage is answered with a JSON-RPC parse or
 * invalid-request error and never forwarded; refused requests are answered
 * by membrane itself (tools/call: a CallToolResult with isError; others: a
 * JSON-RPC error with code MB_JR_REFUSED) and reported as "refused".
 * Server side (its stdout): garbage and responses to unknown ids are reported
 * as "error" and kept from the client; tools/list is filtered and pinned.
 * Forwarded messages are the original bytes unless the inspector edited them
 * (a filtered tools/list, a batch with elements removed). */
#pragma once

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>

#include "policy/profile.h"
#include "supervisor/inspect/framer.h"
#include "supervisor/inspect/inflight.h"

enum mb_side {
	MB_SIDE_CLIENT, /* the MCP client: our stdin and stdout */
	MB_SIDE_SERVER, /* the MCP server: its stdin and stdout */
};

struct mb_inspector_io {
	/* Queue bytes (whole lines) for a side. Returns 0 or -ENOMEM. */
	int (*send)(void *ud, enum mb_side to, const char *buf, size_t n);
	/* Write one report line; fields are not consumed. Returns 0 or -errno. */
	int (*report)(void *ud, const char *event, const cJSON *fields);
	void *ud;
	/* Optional: whether bytes queued for a side are above its high mark.
	 * The inspector's own error answers to server requests it refuses are
	 * then not queued, so that a server that floods requests and never
	 * reads its stdin cannot grow the queue either. */
	bool (*backlogged)(void *ud, enum mb_side to);
};

struct mb_inspector_config {
	const struct mb_profile *profile;
	const char *cwd;            /* the server's working directory, or NULL */
	uint64_t cancel_grace_ms;   /* a cancelled call's window after the notification */
	uint64_t call_timeout_ms;   /* a client request's window without response or
				       progress (0: no timeout) */
	size_t max_message;         /* for messages about over-long lines */
	char *const *envp;          /* the server's environment (NAME=VALUE, NULL-
				       terminated; may be NULL): its secrets are
				       looked for in answers (scan.h) */
};

#define MB_CANCEL_GRACE_MS 2000
/* Requests of the server that may await the client's answer at once; past
 * this one is answered with error MB_JR_NO_ANSWER and reported. */
#define MB_SERVER_REQUESTS_MAX 256

/* Watchers of the client's requests as they pass (the run's record:
 * supervisor/record/). Each may be NULL; none may free what it is given. */
struct mb_inspector_hooks {
	/* A client request that passed the inspector's own checks, before it
	 * is held or forwarded. NULL lets it through; a reason (malloc'd)
	 * refuses it as the inspector refuses its own, and the inspector writes
	 * the "refused" line if *report was set (else the hook wrote its own). */
	char *(*admit)(void *ud, struct mb_jr_msg *m, bool *report);
	/* c (a client request) was forwarded to the server: m as sent. */
	void (*forwarded)(void *ud, struct mb_call *c, struct mb_jr_msg *m);
	/* The server answered c (a result or an error), before c leaves. */
	void (*answered)(void *ud, struct mb_call *c, struct mb_jr_msg *m);
	/* A client request was refused (by the inspector or by admit), and
	 * answered by membrane: it never reached the server. */
	void (*refused)(void *ud, struct mb_jr_msg *m, const char *reason);
	/* c's window closed without an answer (--call-timeout). */
	void (*expired)(void *ud, struct mb_call *c);
	/* c leaves the table of requests in flight (mb_inflight_set_leave_hook). */
	void (*leave)(void *ud, struct mb_call *c);
	/* The server's frame f was handled (forwarded, edited or dropped);
	 * canary: the answer scanner wrote an "exfiltration" line for it (a
	 * canary token in an answer it scans), so that the record's own
	 * matcher does not write a second one for the same frame. */
	void (*server_done)(void *ud, const struct mb_frame *f, bool canary);
	void *ud;
};

struct mb_inspector;

int mb_inspector_new(const struct mb_inspector_config *cfg, const struct mb_inspector_io *io,
		     struct mb_inspector **ret);
void mb_inspector_free(struct mb_inspector *ins);

void mb_inspector_client_frame(struct mb_inspector *ins, const struct mb_frame *f);
void mb_inspector_server_frame(struct mb_inspector *ins, const struct mb_frame *f);

/* The server exited (why: "exited with status 3", "was killed by signal 9"):
 * every client request still awaiting an answer gets a JSON-RPC error. */
void mb_inspector_server_gone(struct mb_inspector *ins, const char *why);

/* Drop cancelled calls whose grace ended and expire calls and tasks whose
 * timeout or time to live passed (each reported as "error"; a server's
 * request is answered with error MB_JR_NO_ANSWER); returns the next deadline
 * or 0. The inspector's clock is mb_coarse_ns(). */
uint64_t mb_inspector_expire(struct mb_inspector *ins, uint64_t now_ns);

/* Set the watchers, before the first frame. */
void mb_inspector_set_hooks(struct mb_inspector *ins, const struct mb_inspector_hooks *h);

/* The requests in flight (read-only for the correlator, which uses
 * mb_call_window_open and mb_call_arguments). */
struct mb_inflight *mb_inspector_inflight(struct mb_inspector *ins);

/* The stream scanners (scan.h), to add exact values to find in answers
 * (canary tokens: mb_scan_add_exact). */
struct mb_scan *mb_inspector_scan(struct mb_inspector *ins);

/* concurrency: serial: tools/calls held back until the one in flight has
 * finished or its window closed (forwarded in arrival order; a cancelled
 * one is dropped, never forwarded and never answered, as MCP asks of a
 * cancelled request). The relay keeps the server's stdin open while any is
 * held. A held element of a batch is answered as a lone response. */
size_t mb_inspector_held(const struct mb_inspector *ins);

/* The first report that could not be written (-errno), or 0: membrane fails
 * closed and stops the server. */
int mb_inspector_report_error(const struct mb_inspector *ins);

/* Frames seen, for tests and the benchmark. */
struct mb_inspector_stats {
	uint64_t client_frames, server_frames, forwarded, refused, errors;
};
const struct mb_inspector_stats *mb_inspector_stats(const struct mb_inspector *ins);
