/* SPDX-License-Identifier: Apache-2.0 */
/* The HTTP front's parts and how they hold each other (docs/design.md
 * "Serving over HTTP"):
 *
 *   mb_front    the listeners' daemons (libmicrohttpd in external mode, its
 *               epoll fd one more watcher of our loop), the gate (TLS,
 *               tokens, Origin, rate), the session table, the report
 *   mb_session  one MCP session = one child membrane-run in stdio mode
 *               (session.c): its pipes, its requests in flight and the
 *               stream each one is answered on
 *   mb_stream   one SSE stream (sse.c): the POST of some requests, or the
 *               GET stream; its events stay until delivered so that a client
 *               may resume with Last-Event-ID
 *
 * One thread: the daemons' callbacks, the children's pipes and the timers all
 * run from one mb_loop, so nothing here takes a lock. A stream is held by its
 * session and by the response reading it (refs); whichever lets go last
 * frees it. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <cjson/cJSON.h>
#include <microhttpd.h>

#include "common/loop.h"
#include "common/strbuf.h"
#include "common/vec.h"
#include "supervisor/http/listen.h"
#include "supervisor/inspect/framer.h"
#include "supervisor/options.h"

struct mb_reporter;
struct mb_tokens;
struct mb_rate;
struct mb_front;
struct mb_session;

struct mb_stream {
	struct mb_front *f;
	struct mb_session *s;        /* NULL once the session let go */
	unsigned no;                 /* in the session, for event ids "no-seq" */
	bool standalone;             /* the GET stream */
	unsigned refs;
	struct mb_strbuf text;       /* SSE bytes, from the oldest kept event */
	size_t sent;                 /* of text, handed to the connection */
	MB_VEC(size_t) events;       /* offset in text of event base + i */
	uint64_t base, seq;          /* first kept event; next event */
	unsigned waiting;            /* requests of this POST still unanswered */
	bool ended;                  /* no more events will come */
	bool ping;                   /* a keep-alive comment is due */
	struct MHD_Connection *conn; /* reading it now, or NULL */
	bool suspended;
	/* While suspended MHD does not see a client hang up: we watch its
	 * socket for that meanwhile. */
	struct mb_io hup_io;
	bool gone;
	uint64_t touched_ns;
	struct mb_stream *next;
};

struct mb_pending {
	char *key;                   /* the id as the child sees it (JSON) */
	char *orig;                  /* stateless: the client's id (JSON) */
	char *progress;              /* its progress token (JSON), or NULL */
	struct mb_stream *st;        /* NULL: the front's own (the handshake) */
	bool discover;               /* stateless: server/discover, answered by us */
};

struct mb_session {
	struct mb_front *f;
	char id[33];                 /* Mcp-Session-Id */
	char report[33];             /* the child's report session */
	char *principal;
	bool stateless;              /* the 2026-07-28 sandbox of one principal */
	pid_t pid;
	int pidfd;
	struct mb_io pid_io;
	int to_child, from_child;
	struct mb_io out_io, in_io;
	struct mb_outq outq;
	struct mb_framer framer;
	struct mb_timer idle, kill;
	struct mb_stream *streams, *get;
	unsigned next_stream;
	MB_VEC(struct mb_pending) pending;
	char proto[16];              /* negotiated at initialize */
	bool ending;                 /* out of the table; waiting for the child */
	bool exited;
	int status;
	/* stateless: the handshake the front makes for its clients */
	bool ready;
	MB_VEC(char *) held;         /* lines waiting for the handshake */
	uint64_t next_id;
	cJSON *init_result;
	struct mb_session *next;
};

struct mb_daemon {
	struct mb_front *f;
	struct MHD_Daemon *d;
	const struct mb_listener *l;
	struct mb_io io;
	struct mb_timer timer;
};

struct mb_front {
	const struct mb_options *o;
	struct mb_loop *loop;
	mb_listener_vec listeners;
	struct mb_daemon *daemons;
	size_t ndaemons;
	bool tls;
	char *cert, *key, *ca;
	struct mb_tokens *tokens;
	struct mb_rate *rate;
	struct mb_reporter *rep;
	MB_VEC(char *) child_argv;   /* membrane-run ... -- COMMAND, with two
					slots for --principal and --report-session */
	size_t slot_principal, slot_session;
	struct mb_session *sessions, *zombies;
	unsigned nsessions;
	int sigfd;
	struct mb_io sig_io;
	struct mb_timer keepalive;
	bool stopping;
	uint64_t stop_deadline_ns;
	/* A connection was resumed: in external mode libmicrohttpd learns
	 * of it only in its next MHD_run(), which no fd of its wakes. */
	bool kick;
};

/* sse.c */
struct mb_stream *mb_stream_new(struct mb_session *s, bool standalone);
void mb_stream_unref(struct mb_stream *st);
/* Append one SSE event holding the JSON-RPC message line. 0 or -ENOMEM. */
int mb_stream_event(struct mb_stream *st, const char *line, size_t len);
/* 2025-11-25: an event with an id and no data first, so that a client cut
 * off before the answer can resume the stream (Last-Event-ID: NO-0). */
int mb_stream_prime(struct mb_stream *st);
/* No more events; the connection ends once it has read what is there. */
void mb_stream_end(struct mb_stream *st);
/* Resume the connection reading it, if it waits for data. */
void mb_stream_wake(struct mb_stream *st);
/* A response reading st from event after_seq on (0: from the first kept
 * one), for conn. NULL: out of memory. */
struct MHD_Response *mb_stream_response(struct mb_stream *st, struct MHD_Connection *conn,
					const char *last_event_id_or_null);
/* "no-seq" of a Last-Event-ID: the stream number and the event. */
int mb_stream_parse_event_id(const char *s, unsigned *no, uint64_t *seq);
/* Can the stream replay from after event seq? */
bool mb_stream_can_resume(const struct mb_stream *st, uint64_t seq);

/* session.c */
int mb_session_start(struct mb_front *f, const char *principal, bool stateless,
		     struct mb_session **ret);
struct mb_session *mb_session_find(struct mb_front *f, const char *id);
struct mb_session *mb_session_stateless(struct mb_front *f, const char *principal);
/* Queue one line (without LF) to the child. 0 or -errno. */
int mb_session_send(struct mb_session *s, const char *line, size_t len);
/* Remember that the response to key belongs on st. */
int mb_session_expect(struct mb_session *s, const char *key, const char *orig, const char *progress,
		      struct mb_stream *st);
bool mb_session_expects(const struct mb_session *s, const char *key);
/* The client cancelled the request key: no answer will come for it. */
void mb_session_cancelled(struct mb_session *s, const char *key);
/* stateless: answer server/discover on st once the handshake is done. */
int mb_session_discover(struct mb_session *s, const char *orig, struct mb_stream *st);
/* Out of the table, stdin closed, streams ended; freed when the child is reaped. */
void mb_session_end(struct mb_session *s, const char *why);
void mb_session_touch(struct mb_session *s);
void mb_sessions_free(struct mb_front *f);

/* front.c */
void mb_front_report(struct mb_front *f, const char *event, cJSON *fields);
