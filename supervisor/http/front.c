/* SPDX-License-Identifier: Apache-2.0 */
/* The front door of membrane-run --listen: libmicrohttpd parses HTTP (we
 * parse none of it), in external mode on our own epoll loop; each request
 * passes the gate (path, Origin and Host, rate, authentication, size), then
 * POST, GET and DELETE are mapped onto sessions (session.c) and streams
 * (sse.c) as the Streamable HTTP transport asks (PROTOCOL.md). Every
 * refusal is a "refused" report line with the reason and the HTTP status. */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <stddef.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "report/report.h"
#include "sandbox/sandbox.h"
#include "supervisor/http/auth.h"
#include "supervisor/http/gate.h"
#include "supervisor/http/http-dl.h"
#include "supervisor/http/http-internal.h"
#include "supervisor/http/http.h"
#include "supervisor/http/rpc.h"
#include "supervisor/http/tls.h"

#define ENDPOINT "/mcp"
#define KEEPALIVE_MS 15000
#define CONN_TIMEOUT_S 30      /* a connection silent this long is closed (slowloris) */
#define CONN_MEMORY (64u << 10) /* request line + headers at most, else 431 */
#define CONN_LIMIT 1024
#define PER_IP_LIMIT 64

/* One request as the handler sees it across its calls. */
struct req {
	struct mb_daemon *dm;
	struct mb_strbuf body;
	char *principal;
	bool gated;                /* the handler has seen its headers */
	bool answered;             /* a response is queued: discard the rest */
};

void mb_front_report(struct mb_front *f, const char *event, cJSON *fields)
{
	if (mb_reporter_emit(f->rep, event, fields) < 0)
		fprintf(stderr, "membrane-run: cannot write a report to %s\n", mb_reporter_dest(f->rep));
	cJSON_Delete(fields);
}

static void client_addr(struct MHD_Connection *c, char *out, size_t n)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	snprintf(out, n, "local");
	if (!ci || !ci->client_addr)
		return;
	const struct sockaddr *sa = ci->client_addr;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)n);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out, (socklen_t)n);
}

static const char *header(struct MHD_Connection *c, const char *name)
{
	return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

/* Answer with status and a body (JSON when it starts with '{'). */
static enum MHD_Result respond(struct req *q, struct MHD_Connection *c, unsigned status,
			       const char *body, const char *session_id)
{
	q->answered = true;
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), (void *)body,
								 MHD_RESPMEM_MUST_COPY);
	if (!r)
		return MHD_NO;
	if (*body)
		(void)MHD_add_response_header(r, "Content-Type", body[0] == '{' ? "application/json" : "text/plain");
	if (session_id)
		(void)MHD_add_response_header(r, "Mcp-Session-Id", session_id);
	if (status == 401)
		(void)MHD_add_response_header(r, "WWW-Authenticate", "Bearer realm=\"membrane\"");
	if (status == 405)
		(void)MHD_add_response_header(r, "Allow", "GET, POST, DELETE");
	if (status == 429 || status == 503)
		(void)MHD_add_response_header(r, "Retry-After", "1");
	enum MHD_Result ok = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ok;
}

/* Refuse: report the refusal, then answer with a JSON-RPC error (the
 * SDK's shape, which clients parse) or an empty body. */
_printf_(6, 7) static enum MHD_Result refuse(struct req *q, struct MHD_Connection *c,
					       const char *method, unsigned status, int code,
					       const char *fmt, ...)
{
	struct mb_front *f = q->dm->f;
	char why[512], addr[64];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	client_addr(c, addr, sizeof(addr));
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "reason", why);
	cJSON *h = cJSON_AddObjectToObject(o, "http");
	cJSON_AddStringToObject(h, "method", method);
	cJSON_AddNumberToObject(h, "status", status);
	cJSON_AddStringToObject(h, "client", addr);
	cJSON_AddStringToObject(h, "listener", q->dm->l->name);
	if (q->principal)
		cJSON_AddStringToObject(o, "principal", q->principal);
	mb_front_report(f, "refused", o);
	_cleanup_free_ char *body = code ? mb_rpc_error(NULL, code, why) : NULL;
	return respond(q, c, status, body ? body : "", NULL);
}

static bool accepts(const char *accept, const char *type)
{
	return accept && (strcasestr(accept, type) || strstr(accept, "*/*"));
}

/* Everything that needs only the headers. Returns MHD_YES to go on (the
 * body, then dispatch), or the result of the refusal queued. */
static enum MHD_Result gate(struct req *q, struct MHD_Connection *c, const char *url,
			    const char *method, bool *refused)
{
	struct mb_front *f = q->dm->f;
	const struct mb_http_options *h = &f->o->http;
	*refused = true;
	size_t ul = strcspn(url, "?");
	if (ul != strlen(ENDPOINT) || strncmp(url, ENDPOINT, ul) != 0)
		return refuse(q, c, method, 404, 0, "no MCP endpoint at %.200s: the endpoint is " ENDPOINT, url);
	const char *why;
	if (mb_gate_origin(q->dm->l, f->tls, header(c, "Host"), header(c, "Origin"),
			   h->allow_origin.v, h->allow_origin.n, &why) < 0)
		return refuse(q, c, method, 403, -32000, "Forbidden: %s", why);
	char addr[64];
	client_addr(c, addr, sizeof(addr));
	if (f->rate && !mb_rate_take(f->rate, addr, mb_now_ns()))
		return refuse(q, c, method, 429, -32000, "Too Many Requests: over --rate %u per second", h->rate);
	if (f->tokens || f->ca) {
		const char *who = mb_tokens_check(f->tokens, header(c, "Authorization"));
		int r = -ENOENT;
		if (who)
			q->principal = strdup(who);
		else if (f->ca)
			r = mb_tls_client_principal(c, &q->principal);
		if (!q->principal)
			return refuse(q, c, method, 401, -32001, "Unauthorized: %s",
				      r == -EACCES ? "the client certificate does not verify against --client-ca"
				      : header(c, "Authorization") ? "the bearer token is not one of --tokens"
				      : "no bearer token or client certificate");
	} else {
		q->principal = strdup("anonymous");
	}
	if (!q->principal)
		return MHD_NO;
	bool post = strcmp(method, "POST") == 0;
	if (!post && strcmp(method, "GET") != 0 && strcmp(method, "DELETE") != 0)
		return refuse(q, c, method, 405, -32000, "Method Not Allowed: %s", method);
	if (post) {
		const char *len = header(c, "Content-Length");
		if (len && strtoull(len, NULL, 10) > h->max_body)
			return refuse(q, c, method, 413, -32000, "Payload Too Large: %s bytes, --max-body is %zu", len,
				      h->max_body);
		const char *ct = header(c, "Content-Type");
		if (!ct || strncasecmp(ct, "application/json", 16) != 0)
			return refuse(q, c, method, 415, -32000, "Unsupported Media Type: Content-Type must be application/json");
		const char *acc = header(c, "Accept");
		if (!accepts(acc, "application/json") || !accepts(acc, "text/event-stream"))
			return refuse(q, c, method, 406, -32000, "Not Acceptable: Client must accept both application/json and text/event-stream");
	} else if (strcmp(method, "GET") == 0 && !mb_rpc_version_stateless(header(c, "MCP-Protocol-Version"))) {
		if (!accepts(header(c, "Accept"), "text/event-stream"))
			return refuse(q, c, method, 406, -32000, "Not Acceptable: Client must accept text/event-stream");
	}
	*refused = false;
	return MHD_YES;
}

/* The session a request names, or a refusal. */
static struct mb_session *named_session(struct req *q, struct MHD_Connection *c, const char *method,
					enum MHD_Result *ret)
{
	const char *sid = header(c, "Mcp-Session-Id");
	if (!sid) {
		*ret = refuse(q, c, method, 400, -32000, "Bad Request: Mcp-Session-Id header is required");
		return NULL;
	}
	struct mb_session *s = mb_session_find(q->dm->f, sid);
	/* Another principal's session is as unknown as an ended one. */
	if (!s || strcmp(s->principal, q->principal) != 0) {
		*ret = refuse(q, c, method, 404, -32001, "Session not found: start a new one with initialize");
		return NULL;
	}
	const char *v = header(c, "MCP-Protocol-Version");
	if (v && !mb_rpc_version_known(v)) {
		*ret = refuse(q, c, method, 400, -32000, "Bad Request: Unsupported protocol version %.40s", v);
		return NULL;
	}
	mb_session_touch(s);
	return s;
}

/* A new sandboxed server for q's principal, or a refusal: stopping, the
 * cap, or the start failed. */
static struct mb_session *new_session(struct req *q, struct MHD_Connection *c, bool stateless,
				      enum MHD_Result *ret)
{
	struct mb_front *f = q->dm->f;
	struct mb_session *s = NULL;
	int r;
	if (f->stopping)
		*ret = refuse(q, c, "POST", 503, -32000, "Service Unavailable: membrane-run is stopping");
	else if (f->nsessions >= f->o->http.max_sessions)
		*ret = refuse(q, c, "POST", 503, -32000, "Service Unavailable: %u sessions, the --max-sessions cap",
			      f->nsessions);
	else if ((r = mb_session_start(f, q->principal, stateless, &s)) < 0)
		*ret = refuse(q, c, "POST", 500, -32603, "Internal Error: cannot start a sandboxed server: %s",
			      strerror(-r));
	return s;
}

static enum MHD_Result stream_answer(struct req *q, struct MHD_Connection *c, struct mb_stream *st,
				     const char *last_event_id, const char *sid)
{
	struct MHD_Response *r = mb_stream_response(st, c, last_event_id);
	if (!r)
		return MHD_NO;
	if (sid)
		(void)MHD_add_response_header(r, "Mcp-Session-Id", sid);
	q->answered = true;
	enum MHD_Result ok = MHD_queue_response(c, 200, r);
	MHD_destroy_response(r);
	return ok;
}

/* One message to the child: as the client sent it when it is one line. */
static int forward(struct mb_session *s, const cJSON *m, const char *raw, size_t rawlen)
{
	if (raw && !memchr(raw, '\n', rawlen))
		return mb_session_send(s, raw, rawlen);
	_cleanup_free_ char *t = cJSON_PrintUnformatted(m);
	return t ? mb_session_send(s, t, strlen(t)) : -ENOMEM;
}

static enum MHD_Result post_session(struct req *q, struct MHD_Connection *c, cJSON *body)
{
	struct mb_front *f = q->dm->f;
	bool batch = cJSON_IsArray(body);
	size_t n = batch ? (size_t)cJSON_GetArraySize(body) : 1, nreq = 0;
	bool init = false;
	enum MHD_Result ret;
	for (cJSON *m = batch ? body->child : body; m; m = batch ? m->next : NULL) {
		enum mb_rpc_kind k = mb_rpc_kind(m);
		if (k == MB_RPC_INVALID)
			return refuse(q, c, "POST", 400, -32600, "Invalid Request: not a JSON-RPC 2.0 message");
		if (k == MB_RPC_REQUEST) {
			nreq++;
			init |= strcmp(cJSON_GetObjectItemCaseSensitive(m, "method")->valuestring, "initialize") == 0;
		}
	}
	if (n == 0)
		return refuse(q, c, "POST", 400, -32600, "Invalid Request: an empty batch");
	struct mb_session *s;
	if (init) {
		if (n > 1)
			return refuse(q, c, "POST", 400, -32600, "Invalid Request: only one initialization request is allowed");
		if (header(c, "Mcp-Session-Id") && mb_session_find(f, header(c, "Mcp-Session-Id")))
			return refuse(q, c, "POST", 400, -32600, "Invalid Request: Server already initialized");
		if (!(s = new_session(q, c, false, &ret)))
			return ret;
	} else if (!(s = named_session(q, c, "POST", &ret))) {
		return ret;
	}
	struct mb_stream *st = nreq ? mb_stream_new(s, false) : NULL;
	if (nreq && (!st || (strcmp(s->proto, "2025-11-25") >= 0 && mb_stream_prime(st) < 0)))
		return MHD_NO;
	for (cJSON *m = batch ? body->child : body; m; m = batch ? m->next : NULL) {
		if (mb_rpc_kind(m) == MB_RPC_REQUEST) {
			_cleanup_free_ char *key = mb_rpc_id_key(m);
			_cleanup_free_ char *prog = mb_rpc_progress_key(m);
			if (!key)
				return MHD_NO;
			if (mb_session_expects(s, key)) {
				_cleanup_free_ char *e = mb_rpc_error(key, -32600, "Invalid Request: this id is already in flight");
				if (e)
					(void)mb_stream_event(st, e, strlen(e));
				continue;
			}
			if (mb_session_expect(s, key, NULL, prog, st) < 0)
				return MHD_NO;
		} else if (mb_rpc_kind(m) == MB_RPC_NOTIFICATION &&
			   strcmp(cJSON_GetObjectItemCaseSensitive(m, "method")->valuestring,
				  "notifications/cancelled") == 0) {
			/* The server answers a cancelled request never: its
			 * stream closes now. */
			cJSON *p = cJSON_GetObjectItemCaseSensitive(m, "params");
			cJSON *ridv = cJSON_GetObjectItemCaseSensitive(p, "requestId");
			_cleanup_free_ char *key = ridv ? cJSON_PrintUnformatted(ridv) : NULL;
			if (key)
				mb_session_cancelled(s, key);
		}
		int r = forward(s, m, batch ? NULL : q->body.s, q->body.len);
		if (r < 0)
			return refuse(q, c, "POST", 503, -32000, "Service Unavailable: the session's server does not keep up (%s)",
				      strerror(-r));
	}
	if (!nreq)
		return respond(q, c, 202, "", s->id);
	if (!st->waiting)
		mb_stream_end(st);
	return stream_answer(q, c, st, NULL, s->id);
}

/* 2026-07-28: no session; the headers mirror the body; one sandbox per
 * principal serves its requests (the front made the handshake). */
static enum MHD_Result post_stateless(struct req *q, struct MHD_Connection *c, cJSON *m)
{
	struct mb_front *f = q->dm->f;
	enum mb_rpc_kind k = mb_rpc_kind(m);
	if (k == MB_RPC_INVALID)
		return refuse(q, c, "POST", 400, -32600, "Invalid Request: one JSON-RPC 2.0 message per POST");
	const char *why;
	if (mb_rpc_mirror_check(m, header(c, "Mcp-Method"), header(c, "Mcp-Name"), &why) < 0)
		return refuse(q, c, "POST", 400, MB_RPC_HEADER_MISMATCH, "Header mismatch: %s", why);
	if (k == MB_RPC_RESPONSE)
		return respond(q, c, 202, "", NULL); /* the server asks nothing in this revision */
	const char *method = cJSON_GetObjectItemCaseSensitive(m, "method")->valuestring;
	if (k == MB_RPC_NOTIFICATION && strcmp(method, "notifications/cancelled") != 0)
		return respond(q, c, 202, "", NULL);
	struct mb_session *s = mb_session_stateless(f, q->principal);
	enum MHD_Result ret;
	if (!s && !(s = new_session(q, c, true, &ret)))
		return ret;
	mb_session_touch(s);
	if (k == MB_RPC_NOTIFICATION) {
		/* notifications/cancelled: the request it names, by our id. */
		cJSON *p = cJSON_GetObjectItemCaseSensitive(m, "params");
		cJSON *rid = cJSON_GetObjectItemCaseSensitive(p, "requestId");
		_cleanup_free_ char *orig = rid ? cJSON_PrintUnformatted(rid) : NULL;
		mb_vec_foreach(pe, &s->pending)
			if (orig && pe->orig && strcmp(pe->orig, orig) == 0) {
				cJSON_ReplaceItemInObjectCaseSensitive(p, "requestId", cJSON_Parse(pe->key));
				(void)forward(s, m, NULL, 0);
				break;
			}
		return respond(q, c, 202, "", NULL);
	}
	_cleanup_free_ char *orig = mb_rpc_id_key(m);
	struct mb_stream *st = mb_stream_new(s, false);
	if (!st || !orig)
		return MHD_NO;
	if (strcmp(method, "server/discover") == 0) {
		if (mb_session_discover(s, orig, st) < 0)
			return MHD_NO;
		return stream_answer(q, c, st, NULL, NULL);
	}
	char key[48];
	snprintf(key, sizeof(key), "\"m%llu\"", (unsigned long long)++s->next_id);
	_cleanup_free_ char *prog = mb_rpc_progress_key(m);
	cJSON *id = cJSON_Parse(key);
	if (!id || !cJSON_ReplaceItemInObjectCaseSensitive(m, "id", id) ||
	    mb_session_expect(s, key, orig, prog, st) < 0)
		return MHD_NO;
	int r = forward(s, m, NULL, 0);
	if (r < 0)
		return refuse(q, c, "POST", 503, -32000, "Service Unavailable: the server does not keep up (%s)", strerror(-r));
	return stream_answer(q, c, st, NULL, NULL);
}

static void cjson_deletep(cJSON **p)
{
	cJSON_Delete(*p);
}

static enum MHD_Result do_post(struct req *q, struct MHD_Connection *c)
{
	_cleanup_(cjson_deletep) cJSON *body = NULL;
	body = cJSON_ParseWithLength(q->body.s ? q->body.s : "", q->body.len);
	if (!body)
		return refuse(q, c, "POST", 400, -32700, "Parse error: the body is not JSON");
	const char *v = header(c, "MCP-Protocol-Version");
	if (v && !mb_rpc_version_known(v))
		return refuse(q, c, "POST", 400, -32000, "Bad Request: Unsupported protocol version %.40s", v);
	if (mb_rpc_version_stateless(v))
		return post_stateless(q, c, body);
	return post_session(q, c, body);
}

static enum MHD_Result do_get(struct req *q, struct MHD_Connection *c)
{
	if (mb_rpc_version_stateless(header(c, "MCP-Protocol-Version")))
		return refuse(q, c, "GET", 405, -32000, "Method Not Allowed: no GET stream in 2026-07-28");
	enum MHD_Result ret;
	struct mb_session *s = named_session(q, c, "GET", &ret);
	if (!s)
		return ret;
	const char *last = header(c, "Last-Event-ID");
	unsigned no;
	uint64_t seq;
	if (last && mb_stream_parse_event_id(last, &no, &seq) == 0 && no && no <= s->next_stream) {
		for (struct mb_stream *st = s->streams; st; st = st->next)
			if (st->no == no && mb_stream_can_resume(st, seq)) {
				if (st->conn)
					return refuse(q, c, "GET", 409, -32000, "Conflict: that stream is being read");
				return stream_answer(q, c, st, last, s->id);
			}
		/* A stream that ended and was delivered (the SDK client resumes
		 * a POST stream that closed without a result, e.g. a cancelled
		 * request's): nothing is left of it, and nothing will come. As
		 * the SDK's own server does, the connection stays open, quiet,
		 * until the session ends: closing it would only have the client
		 * try again. */
		struct mb_stream *done = mb_stream_new(s, false);
		return done ? stream_answer(q, c, done, NULL, s->id) : MHD_NO;
	}
	if (s->get && s->get->conn)
		return refuse(q, c, "GET", 409, -32000, "Conflict: Only one SSE stream is allowed per session");
	if (!s->get && !(s->get = mb_stream_new(s, true)))
		return MHD_NO;
	return stream_answer(q, c, s->get, NULL, s->id);
}

static enum MHD_Result do_delete(struct req *q, struct MHD_Connection *c)
{
	if (mb_rpc_version_stateless(header(c, "MCP-Protocol-Version")))
		return refuse(q, c, "DELETE", 405, -32000, "Method Not Allowed: no sessions in 2026-07-28");
	enum MHD_Result ret;
	struct mb_session *s = named_session(q, c, "DELETE", &ret);
	if (!s)
		return ret;
	mb_session_end(s, "the client ended it (DELETE)");
	return respond(q, c, 200, "", NULL);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	struct mb_daemon *dm = cls;
	struct req *q = *con_cls;
	if (!q || !q->gated) {
		if (!q && !(q = calloc(1, sizeof(*q))))
			return MHD_NO;
		q->dm = dm;
		q->gated = true;
		*con_cls = q;
		if (getenv("MEMBRANE_HTTP_DEBUG"))
			fprintf(stderr, "membrane-run: http: %s %s%s%s\n", method, url,
				header(c, "Last-Event-ID") ? " Last-Event-ID: " : "",
				header(c, "Last-Event-ID") ? header(c, "Last-Event-ID") : "");
		bool refused;
		enum MHD_Result r = gate(q, c, url, method, &refused);
		return r;
	}
	if (q->answered) {
		*upload_size = 0;
		return MHD_YES;
	}
	if (*upload_size) {
		if (q->body.len + *upload_size > dm->f->o->http.max_body) {
			/* A body without Content-Length that grows past the
			 * limit: the connection is cut, not read to its end. */
			(void)refuse(q, c, method, 413, 0, "Payload Too Large: over --max-body %zu bytes",
				     dm->f->o->http.max_body);
			return MHD_NO;
		}
		mb_strbuf_append(&q->body, upload, *upload_size);
		*upload_size = 0;
		return mb_strbuf_failed(&q->body) ? MHD_NO : MHD_YES;
	}
	if (strcmp(method, "POST") == 0)
		return do_post(q, c);
	if (strcmp(method, "GET") == 0)
		return do_get(q, c);
	return do_delete(q, c);
}

/* Every request from its request line on, so that one the library
 * refuses before our handler sees it (headers over the limit, malformed,
 * or too slow to come: a slowloris) is reported too (on_completed). */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
	struct req *q = calloc(1, sizeof(*q));
	if (q)
		q->dm = cls;
	return q;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct req *q = *con_cls;
	if (!q)
		return;
	if (!q->gated && (toe == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED ||
			  toe == MHD_REQUEST_TERMINATED_WITH_ERROR ||
			  toe == MHD_REQUEST_TERMINATED_COMPLETED_OK)) {
		char addr[64];
		client_addr(c, addr, sizeof(addr));
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "reason", toe == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED
			? "Request Timeout: the headers did not come whole within 30 seconds (a slow client, or a slowloris)"
			: "Bad Request: the request line or headers were refused by the HTTP parser (over 64 KiB, or malformed)");
		cJSON *h = cJSON_AddObjectToObject(o, "http");
		cJSON_AddStringToObject(h, "client", addr);
		cJSON_AddStringToObject(h, "listener", q->dm->l->name);
		mb_front_report(q->dm->f, "refused", o);
	}
	mb_strbuf_free(&q->body);
	free(q->principal);
	free(q);
	*con_cls = NULL;
}

_printf_(2, 0) static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	/* Mostly clients misbehaving, which the reports already say. */
	if (getenv("MEMBRANE_HTTP_DEBUG")) {
		fputs("membrane-run: http: ", stderr);
		vfprintf(stderr, fmt, ap);
	}
}

static void daemon_arm(struct mb_daemon *dm)
{
	MHD_UNSIGNED_LONG_LONG ms;
	if (MHD_get_timeout(dm->d, &ms) == MHD_YES)
		mb_timer_arm(dm->f->loop, &dm->timer, ms);
	else
		mb_timer_cancel(dm->f->loop, &dm->timer);
}

static void on_daemon_io(struct mb_io *w, uint32_t ev)
{
	struct mb_daemon *dm = (struct mb_daemon *)((char *)w - offsetof(struct mb_daemon, io));
	(void)MHD_run(dm->d);
}

static void on_daemon_timer(struct mb_timer *t)
{
	struct mb_daemon *dm = (struct mb_daemon *)((char *)t - offsetof(struct mb_daemon, timer));
	(void)MHD_run(dm->d);
}

/* After each round of the loop: MHD's next deadline. */
static void on_idle(void *ud)
{
	struct mb_front *f = ud;
	while (f->kick) {
		f->kick = false;
		for (size_t i = 0; i < f->ndaemons; i++)
			(void)MHD_run(f->daemons[i].d);
	}
	for (size_t i = 0; i < f->ndaemons; i++)
		if (f->daemons[i].d)
			daemon_arm(&f->daemons[i]);
}

static void on_keepalive(struct mb_timer *t)
{
	struct mb_front *f = (struct mb_front *)((char *)t - offsetof(struct mb_front, keepalive));
	for (struct mb_session *s = f->sessions; s; s = s->next)
		for (struct mb_stream *st = s->streams; st; st = st->next)
			if (st->conn && st->suspended) {
				st->ping = true;
				mb_stream_wake(st);
			}
	mb_timer_arm(f->loop, &f->keepalive, KEEPALIVE_MS);
}

static void on_stop_check(struct mb_timer *t)
{
	struct mb_front *f = (struct mb_front *)((char *)t - offsetof(struct mb_front, keepalive));
	if (!f->zombies || mb_now_ns() > f->stop_deadline_ns) {
		mb_loop_quit(f->loop);
		return;
	}
	mb_timer_arm(f->loop, &f->keepalive, 50);
}

static void on_signal(struct mb_io *w, uint32_t ev)
{
	struct mb_front *f = (struct mb_front *)((char *)w - offsetof(struct mb_front, sig_io));
	struct signalfd_siginfo si;
	while (read(f->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		;
	if (f->stopping)
		return;
	/* Stop: every session's server gets its EOF and --grace, then the
	 * front exits. */
	f->stopping = true;
	for (size_t i = 0; i < f->ndaemons; i++) {
		/* No new connections: the port is free for a successor. */
		MHD_socket fd = MHD_quiesce_daemon(f->daemons[i].d);
		if (fd != MHD_INVALID_SOCKET)
			close(fd);
	}
	while (f->sessions)
		mb_session_end(f->sessions, "membrane-run is stopping");
	f->stop_deadline_ns = mb_now_ns() + (2 * f->o->grace_ms + 3000) * 1000000ull;
	f->keepalive.cb = on_stop_check;
	mb_timer_arm(f->loop, &f->keepalive, 0);
}

static int push_arg(struct mb_front *f, const char *a)
{
	return mb_vec_push(&f->child_argv, (char *)a);
}

/* membrane-run's own command line without the HTTP options, with
 * --principal and --report-session slots filled per session. */
static int build_child_argv(struct mb_front *f, char **argv)
{
	const struct mb_options *o = f->o;
	size_t cmd = (size_t)(o->argv - argv);
	int r = push_arg(f, "membrane-run");
	for (size_t i = 1; i < cmd && r == 0; i++) {
		bool drop = i + 1 == cmd && strcmp(argv[i], "--") == 0;
		mb_vec_foreach(d, &o->http.drop)
			drop |= (size_t)*d == i;
		if (!drop)
			r = push_arg(f, argv[i]);
	}
	if (r == 0)
		r = push_arg(f, "--principal");
	f->slot_principal = f->child_argv.n;
	if (r == 0)
		r = push_arg(f, "");
	if (r == 0)
		r = push_arg(f, "--report-session");
	f->slot_session = f->child_argv.n;
	if (r == 0)
		r = push_arg(f, "");
	if (r == 0)
		r = push_arg(f, "--");
	for (size_t i = 0; o->argv[i] && r == 0; i++)
		r = push_arg(f, o->argv[i]);
	if (r == 0)
		r = push_arg(f, NULL);
	return r;
}

static int start_daemons(struct mb_front *f, struct mb_error *err)
{
	f->daemons = calloc(f->listeners.n, sizeof(*f->daemons));
	if (!f->daemons)
		return mb_error_set(err, -ENOMEM, "out of memory");
	unsigned flags = MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG |
			 (f->tls ? MHD_USE_TLS : 0);
	for (size_t i = 0; i < f->listeners.n; i++) {
		struct mb_daemon *dm = &f->daemons[i];
		struct mb_listener *l = &f->listeners.v[i];
		dm->f = f;
		dm->l = l;
		struct MHD_OptionItem tlsopts[] = {
			{ f->tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, f->cert },
			{ f->tls ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, 0, f->key },
			{ f->ca ? MHD_OPTION_HTTPS_MEM_TRUST : MHD_OPTION_END, 0, f->ca },
			{ MHD_OPTION_END, 0, NULL },
		};
		dm->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, dm,
			MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
			MHD_OPTION_LISTEN_SOCKET, l->fd,
			MHD_OPTION_NOTIFY_COMPLETED, on_completed, dm,
			MHD_OPTION_URI_LOG_CALLBACK, on_uri, dm,
			MHD_OPTION_CONNECTION_LIMIT, (unsigned)CONN_LIMIT,
			MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)PER_IP_LIMIT,
			MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONN_TIMEOUT_S,
			MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY,
			MHD_OPTION_ARRAY, f->tls ? tlsopts : &tlsopts[3],
			MHD_OPTION_END);
		if (!dm->d)
			return mb_error_set(err, -EIO, "--listen %s: libmicrohttpd would not serve it%s",
					    l->name, f->tls ? " (is the certificate or key malformed?)" : "");
		l->fd = -1; /* the daemon's now */
		const union MHD_DaemonInfo *di = MHD_get_daemon_info(dm->d, MHD_DAEMON_INFO_EPOLL_FD);
		dm->io = (struct mb_io){ .fd = di ? di->epoll_fd : -1, .events = EPOLLIN, .cb = on_daemon_io };
		dm->timer.cb = on_daemon_timer;
		int r = mb_io_add(f->loop, &dm->io);
		if (r < 0)
			return mb_error_set(err, r, "--listen %s: cannot watch it: %s", l->name, strerror(-r));
		f->ndaemons++;
	}
	return 0;
}

static void stop_daemons(struct mb_front *f)
{
	/* MHD asks that no connection be suspended when it stops. */
	for (struct mb_session *s = f->sessions; s; s = s->next)
		for (struct mb_stream *st = s->streams; st; st = st->next)
			mb_stream_end(st);
	for (size_t i = 0; i < f->ndaemons; i++)
		(void)MHD_run(f->daemons[i].d);
	for (size_t i = 0; i < f->ndaemons; i++) {
		mb_io_del(&f->daemons[i].io);
		mb_timer_cancel(f->loop, &f->daemons[i].timer);
		MHD_stop_daemon(f->daemons[i].d);
	}
	free(f->daemons);
}

static void say_listening(const struct mb_front *f)
{
	mb_vec_foreach(l, &f->listeners) {
		if (l->unix_socket)
			fprintf(stderr, "membrane-run: serving MCP at %s (unix socket), endpoint " ENDPOINT "\n", l->name);
		else
			fprintf(stderr, "membrane-run: serving MCP at %s://%s" ENDPOINT "\n",
				f->tls ? "https" : "http", l->name);
	}
}

static int setup(struct mb_front *f, char **argv, const struct mb_profile *p, struct mb_error *err)
{
	const struct mb_http_options *h = &f->o->http;
	int r = mb_http_dl_load(err);
	if (r == 0)
		r = mb_reporter_open(f->o->report ? f->o->report : "-", p->name ? p->name : "",
				     p->mode, &f->rep, err);
	if (r == 0)
		r = mb_listeners_open(h->listen.v, h->listen.n, &f->listeners, err);
	struct mb_tls t = { 0 };
	if (r == 0)
		r = mb_tls_load(&t, h->tls_cert, h->tls_key, h->client_ca, err);
	f->cert = t.cert;
	f->key = t.key;
	f->ca = t.ca;
	f->tls = t.cert != NULL;
	if (r == 0 && h->tokens)
		r = mb_tokens_load(h->tokens, &f->tokens, err);
	if (r == 0 && h->rate && mb_rate_new(h->rate, &f->rate) < 0)
		r = mb_error_set(err, -ENOMEM, "out of memory");
	if (r == 0 && build_child_argv(f, argv) < 0)
		r = mb_error_set(err, -ENOMEM, "out of memory");
	if (r == 0 && (r = mb_loop_new(&f->loop)) < 0)
		r = mb_error_set(err, r, "event loop: %s", strerror(-r));
	if (r < 0)
		return r;
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	f->sigfd = mb_signalfd_open(sigs, 3);
	if (f->sigfd < 0)
		return mb_error_set(err, f->sigfd, "signalfd: %s", strerror(-f->sigfd));
	/* A client gone mid-write is an error return, not a signal. */
	signal(SIGPIPE, SIG_IGN);
	f->sig_io = (struct mb_io){ .fd = f->sigfd, .events = EPOLLIN, .cb = on_signal };
	if ((r = mb_io_add(f->loop, &f->sig_io)) < 0)
		return mb_error_set(err, r, "event loop: %s", strerror(-r));
	r = start_daemons(f, err);
	if (r < 0)
		return r;
	mb_loop_set_idle(f->loop, on_idle, f);
	f->keepalive.cb = on_keepalive;
	mb_timer_arm(f->loop, &f->keepalive, KEEPALIVE_MS);
	return 0;
}

int mb_http_serve(const struct mb_options *o, char **argv, const struct mb_profile *p)
{
	struct mb_front f = { .o = o, .sigfd = -1 };
	struct mb_error err = { 0 };
	int status = MB_EXIT_MEMBRANE;
	int r = setup(&f, argv, p, &err);
	if (r < 0) {
		fprintf(stderr, "membrane-run: %s\n", err.msg);
	} else {
		say_listening(&f);
		r = mb_loop_run(f.loop);
		if (r < 0)
			fprintf(stderr, "membrane-run: event loop: %s\n", strerror(-r));
		else
			status = 0;
	}
	if (f.loop) {
		mb_sessions_free(&f);
		if (f.daemons)
			stop_daemons(&f);
		mb_io_del(&f.sig_io);
		mb_loop_free(f.loop);
	}
	mb_close(f.sigfd);
	mb_listeners_close(&f.listeners);
	struct mb_tls t = { .cert = f.cert, .key = f.key, .ca = f.ca };
	mb_tls_free(&t);
	mb_tokens_free(f.tokens);
	mb_rate_free(f.rate);
	mb_vec_free(&f.child_argv);
	mb_reporter_close(f.rep);
	return status;
}
