/* SPDX-License-Identifier: Apache-2.0 */
/* A session: one child membrane-run in stdio mode per MCP session
 * (http-internal.h). The front re-executes itself with the run's own
 * command line, so each session gets the same profile, sandbox, inspector,
 * notifier and correlator as a stdio client would, in a process of its own:
 * a session that crashes, or whose server misbehaves, harms no other.
 *
 * What the child writes is routed back by id: a response to the stream of
 * its request, a progress notification to the stream of the request that
 * asked for it (its progress token), anything else the server says to the
 * one POST stream open, else to the GET stream (kept until the client opens
 * it). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "report/report.h"
#include "supervisor/http/http-internal.h"
#include "supervisor/http/rpc.h"

#define OUTQ_HIGH (16u << 20)
#define INIT_KEY "\"membrane-init\""

/* Compare in constant time: a session id is a capability. */
static bool same_id(const char *a, const char *b)
{
	if (strlen(b) != 32)
		return false;
	unsigned char d = 0;
	for (size_t i = 0; i < 32; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0;
}

struct mb_session *mb_session_find(struct mb_front *f, const char *id)
{
	for (struct mb_session *s = f->sessions; s; s = s->next)
		if (!s->stateless && same_id(s->id, id))
			return s;
	return NULL;
}

struct mb_session *mb_session_stateless(struct mb_front *f, const char *principal)
{
	for (struct mb_session *s = f->sessions; s; s = s->next)
		if (s->stateless && strcmp(s->principal, principal) == 0)
			return s;
	return NULL;
}

static void pending_free(struct mb_pending *p)
{
	free(p->key);
	free(p->orig);
	free(p->progress);
}

static ssize_t pending_find(const struct mb_session *s, const char *key)
{
	for (size_t i = 0; i < s->pending.n; i++)
		if (strcmp(s->pending.v[i].key, key) == 0)
			return (ssize_t)i;
	return -1;
}

static void pending_remove(struct mb_session *s, size_t i)
{
	pending_free(&s->pending.v[i]);
	s->pending.v[i] = s->pending.v[--s->pending.n];
}

static void answered(struct mb_stream *st);

void mb_session_cancelled(struct mb_session *s, const char *key)
{
	ssize_t i = pending_find(s, key);
	if (i < 0)
		return;
	struct mb_stream *st = s->pending.v[i].st;
	pending_remove(s, (size_t)i);
	answered(st);
}

bool mb_session_expects(const struct mb_session *s, const char *key)
{
	return pending_find(s, key) >= 0;
}

int mb_session_expect(struct mb_session *s, const char *key, const char *orig, const char *progress,
		      struct mb_stream *st)
{
	struct mb_pending *p = mb_vec_new(&s->pending);
	if (!p)
		return -ENOMEM;
	p->key = strdup(key);
	p->orig = orig ? strdup(orig) : NULL;
	p->progress = progress ? strdup(progress) : NULL;
	p->st = st;
	if (!p->key || (orig && !p->orig) || (progress && !p->progress)) {
		pending_free(p);
		s->pending.n--;
		return -ENOMEM;
	}
	if (st)
		st->waiting++;
	return 0;
}

/* Streams that are done with: ended, nobody reading, nothing to resume. */
static void gc_streams(struct mb_session *s)
{
	uint64_t now = mb_now_ns();
	for (struct mb_stream **pp = &s->streams; *pp;) {
		struct mb_stream *st = *pp;
		bool drained = st->sent >= st->text.len;
		bool stale = now - st->touched_ns > s->f->o->http.session_idle_ms * 1000000ull;
		if (!st->conn && st->ended && (drained || stale)) {
			*pp = st->next;
			if (s->get == st)
				s->get = NULL;
			st->s = NULL;
			mb_stream_unref(st);
			continue;
		}
		pp = &st->next;
	}
}

void mb_session_touch(struct mb_session *s)
{
	gc_streams(s);
	if (!s->ending)
		mb_timer_arm(s->f->loop, &s->idle, s->f->o->http.session_idle_ms);
}

static void flush_out(struct mb_session *s)
{
	if (s->to_child < 0)
		return;
	int r = mb_outq_flush(&s->outq, s->to_child);
	if (r == -EAGAIN)
		(void)mb_io_set(&s->out_io, EPOLLOUT);
	else if (r == 0)
		(void)mb_io_set(&s->out_io, 0);
	else
		mb_session_end(s, "the server's sandbox stopped reading");
}

static int send_now(struct mb_session *s, const char *line, size_t len)
{
	if (s->to_child < 0)
		return -EPIPE;
	if (mb_outq_full(&s->outq))
		return -ENOBUFS;
	if (mb_outq_append(&s->outq, line, len) < 0 || mb_outq_append(&s->outq, "\n", 1) < 0)
		return -ENOMEM;
	flush_out(s);
	return 0;
}

int mb_session_send(struct mb_session *s, const char *line, size_t len)
{
	if (s->stateless && !s->ready) {
		char *copy = strndup(line, len);
		if (!copy || mb_vec_push(&s->held, copy) < 0) {
			free(copy);
			return -ENOMEM;
		}
		return 0;
	}
	return send_now(s, line, len);
}

/* Where a message of the server's own goes (see the header): the newest
 * POST stream still waiting, which is the request most likely to have
 * caused it, else the GET stream. */
static struct mb_stream *pick_stream(struct mb_session *s)
{
	for (struct mb_stream *st = s->streams; st; st = st->next)
		if (!st->standalone && !st->ended && st->waiting)
			return st; /* streams are pushed at the head */
	if (!s->get)
		s->get = mb_stream_new(s, true);
	return s->get;
}

static void deliver(struct mb_stream *st, const char *line, size_t len)
{
	if (st && mb_stream_event(st, line, len) < 0)
		fprintf(stderr, "membrane-run: http: out of memory: an event to a client is lost\n");
}

static void answered(struct mb_stream *st)
{
	if (st && st->waiting && --st->waiting == 0)
		mb_stream_end(st);
}

static char *discover_result(const struct mb_session *s, const char *orig)
{
	cJSON *o = cJSON_CreateObject(), *r = cJSON_AddObjectToObject(o, "result");
	cJSON_AddStringToObject(o, "jsonrpc", "2.0");
	cJSON_AddItemToObject(o, "id", orig ? cJSON_Parse(orig) : cJSON_CreateNull());
	cJSON_AddStringToObject(r, "resultType", "complete");
	static const char *const v[] = { "2026-07-28", "2025-11-25", "2025-06-18", "2025-03-26" };
	cJSON_AddItemToObject(r, "supportedVersions", cJSON_CreateStringArray(v, 4));
	const cJSON *caps = cJSON_GetObjectItemCaseSensitive(s->init_result, "capabilities");
	const cJSON *info = cJSON_GetObjectItemCaseSensitive(s->init_result, "serverInfo");
	const cJSON *instr = cJSON_GetObjectItemCaseSensitive(s->init_result, "instructions");
	cJSON_AddItemToObject(r, "capabilities", caps ? cJSON_Duplicate(caps, true) : cJSON_CreateObject());
	if (cJSON_IsString(instr))
		cJSON_AddStringToObject(r, "instructions", instr->valuestring);
	cJSON *meta = cJSON_AddObjectToObject(r, "_meta");
	if (info)
		cJSON_AddItemToObject(meta, "io.modelcontextprotocol/serverInfo", cJSON_Duplicate(info, true));
	char *text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return text;
}

/* Answer server/discover for p: from the handshake's result, or an error. */
static void answer_discover(struct mb_session *s, struct mb_pending *p)
{
	char *text = s->init_result ? discover_result(s, p->orig)
		     : mb_rpc_error(p->orig, -32603, "membrane: the server did not complete its initialize handshake");
	if (text)
		deliver(p->st, text, strlen(text));
	free(text);
	answered(p->st);
}

/* stateless: the server answered the front's initialize. */
static void handshake_done(struct mb_session *s, const cJSON *m)
{
	const cJSON *res = cJSON_GetObjectItemCaseSensitive(m, "result");
	if (cJSON_IsObject(res)) {
		s->init_result = cJSON_Duplicate(res, true);
		static const char note[] = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}";
		(void)send_now(s, note, sizeof(note) - 1);
	}
	s->ready = true;
	for (size_t i = 0; i < s->pending.n;) {
		if (s->pending.v[i].discover) {
			answer_discover(s, &s->pending.v[i]);
			pending_remove(s, i);
		} else {
			i++;
		}
	}
	if (!s->init_result) {
		mb_session_end(s, "the server refused the front's initialize");
		return;
	}
	mb_vec_foreach(h, &s->held) {
		(void)send_now(s, *h, strlen(*h));
		free(*h);
	}
	s->held.n = 0;
}

/* A response for the client: the client's own id back (stateless), and
 * the 2026-07-28 resultType. */
static char *rewrite_response(cJSON *m, const char *orig)
{
	cJSON *id = orig ? cJSON_Parse(orig) : cJSON_CreateNull();
	if (!id || !cJSON_ReplaceItemInObjectCaseSensitive(m, "id", id)) {
		cJSON_Delete(id);
		return NULL;
	}
	cJSON *res = cJSON_GetObjectItemCaseSensitive(m, "result");
	if (cJSON_IsObject(res) && !cJSON_GetObjectItemCaseSensitive(res, "resultType"))
		cJSON_AddStringToObject(res, "resultType", "complete");
	return cJSON_PrintUnformatted(m);
}

static void on_response(struct mb_session *s, cJSON *m, const char *line, size_t len)
{
	_cleanup_free_ char *key = mb_rpc_id_key(m);
	ssize_t i = key ? pending_find(s, key) : -1;
	if (i < 0)
		return; /* a request the client gave up on, or a duplicate */
	struct mb_pending *p = &s->pending.v[i];
	if (s->stateless && strcmp(key, INIT_KEY) == 0) {
		pending_remove(s, (size_t)i);
		handshake_done(s, m);
		return;
	}
	struct mb_stream *st = p->st;
	if (s->stateless) {
		_cleanup_free_ char *text = rewrite_response(m, p->orig);
		if (text)
			deliver(st, text, strlen(text));
	} else {
		const cJSON *res = cJSON_GetObjectItemCaseSensitive(m, "result");
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(res, "protocolVersion");
		if (cJSON_IsString(v) && cJSON_GetObjectItemCaseSensitive(res, "serverInfo"))
			snprintf(s->proto, sizeof(s->proto), "%s", v->valuestring);
		deliver(st, line, len);
	}
	pending_remove(s, (size_t)i);
	answered(st);
}

static struct mb_stream *stream_of_progress(struct mb_session *s, const cJSON *m)
{
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(m, "params");
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(p, "progressToken");
	_cleanup_free_ char *key = t ? cJSON_PrintUnformatted(t) : NULL;
	if (key)
		mb_vec_foreach(q, &s->pending)
			if (q->progress && strcmp(q->progress, key) == 0)
				return q->st;
	return NULL;
}

static void on_server_message(struct mb_session *s, cJSON *m, enum mb_rpc_kind kind,
			      const char *line, size_t len)
{
	const char *method = cJSON_GetObjectItemCaseSensitive(m, "method")->valuestring;
	bool progress = strcmp(method, "notifications/progress") == 0;
	struct mb_stream *st = progress ? stream_of_progress(s, m) : NULL;
	if (s->stateless) {
		/* 2026-07-28: the server sends no requests of its own; a
		 * stdio server that does is answered here. */
		if (kind == MB_RPC_REQUEST) {
			_cleanup_free_ char *key = mb_rpc_id_key(m);
			_cleanup_free_ char *ans = strcmp(method, "ping") == 0
				? (key ? strdup("") : NULL)
				: mb_rpc_error(key, -32601, "membrane: a stateless (2026-07-28) client takes no requests from the server");
			if (ans && !*ans) {
				free(ans);
				struct mb_strbuf b = { 0 };
				mb_strbuf_printf(&b, "{\"jsonrpc\":\"2.0\",\"id\":%s,\"result\":{}}", key);
				ans = mb_strbuf_take(&b);
			}
			if (ans)
				(void)send_now(s, ans, strlen(ans));
			return;
		}
		if (st) {
			/* Its token is the client's own: tokens were not rewritten. */
			deliver(st, line, len);
		}
		return;
	}
	deliver(st ? st : pick_stream(s), line, len);
}

static void on_line(void *ud, const struct mb_frame *fr)
{
	struct mb_session *s = ud;
	if (fr->kind != MB_FRAME_LINE || s->ending)
		return;
	cJSON *m = cJSON_ParseWithLength(fr->text, fr->len);
	if (!m)
		return; /* the child's inspector forwards only JSON */
	enum mb_rpc_kind kind = mb_rpc_kind(m);
	if (kind == MB_RPC_RESPONSE)
		on_response(s, m, fr->text, fr->len);
	else if (kind != MB_RPC_INVALID)
		on_server_message(s, m, kind, fr->text, fr->len);
	cJSON_Delete(m);
}

static void session_free(struct mb_session *s)
{
	for (struct mb_stream *st = s->streams, *next; st; st = next) {
		next = st->next;
		st->s = NULL;
		mb_stream_end(st);
		mb_stream_unref(st);
	}
	mb_vec_foreach(p, &s->pending)
		pending_free(p);
	mb_vec_free(&s->pending);
	mb_vec_foreach(h, &s->held)
		free(*h);
	mb_vec_free(&s->held);
	cJSON_Delete(s->init_result);
	mb_timer_cancel(s->f->loop, &s->idle);
	mb_timer_cancel(s->f->loop, &s->kill);
	mb_io_del(&s->pid_io);
	mb_io_del(&s->in_io);
	mb_io_del(&s->out_io);
	mb_close(s->pidfd);
	mb_close(s->to_child);
	mb_close(s->from_child);
	mb_outq_free(&s->outq);
	mb_framer_free(&s->framer);
	free(s->principal);
	free(s);
}

static void unlink_from(struct mb_session **head, struct mb_session *s)
{
	for (struct mb_session **pp = head; *pp; pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			return;
		}
}

/* Every request still waiting gets an error: its server is gone. */
static void fail_pending(struct mb_session *s, const char *why)
{
	mb_vec_foreach(p, &s->pending) {
		if (p->st) {
			_cleanup_free_ char *e = mb_rpc_error(s->stateless ? p->orig : p->key, -32603, why);
			if (e)
				deliver(p->st, e, strlen(e));
		}
		pending_free(p);
	}
	s->pending.n = 0;
	for (struct mb_stream *st = s->streams; st; st = st->next)
		mb_stream_end(st);
}

static void on_kill(struct mb_timer *t)
{
	struct mb_session *s = (struct mb_session *)((char *)t - offsetof(struct mb_session, kill));
	(void)syscall(SYS_pidfd_send_signal, s->pidfd, SIGKILL, NULL, 0);
}

void mb_session_end(struct mb_session *s, const char *why)
{
	if (s->ending)
		return;
	s->ending = true;
	unlink_from(&s->f->sessions, s);
	s->f->nsessions--;
	s->next = s->f->zombies;
	s->f->zombies = s;
	char msg[256];
	snprintf(msg, sizeof(msg), "membrane: the session ended: %s", why);
	fail_pending(s, msg);
	mb_timer_cancel(s->f->loop, &s->idle);
	/* EOF on its stdin: the child's relay gives the server --grace, then
	 * stops it; past twice that it is killed. */
	mb_io_del(&s->out_io);
	s->to_child = mb_close(s->to_child);
	mb_timer_arm(s->f->loop, &s->kill, 2 * s->f->o->grace_ms + 2000);
}

static void on_idle(struct mb_timer *t)
{
	struct mb_session *s = (struct mb_session *)((char *)t - offsetof(struct mb_session, idle));
	for (struct mb_stream *st = s->streams; st; st = st->next)
		if (st->conn) {
			mb_session_touch(s);
			return;
		}
	mb_session_end(s, "idle");
}

static void read_child(struct mb_session *s)
{
	for (;;) {
		ssize_t n = mb_framer_read(&s->framer, s->from_child, on_line, s);
		if (n > 0)
			continue;
		if (n == -EAGAIN || n == -EINTR)
			return;
		/* EOF or an error: nothing more from this child. */
		mb_io_del(&s->in_io);
		return;
	}
}

static void on_child_out(struct mb_io *w, uint32_t ev)
{
	read_child((struct mb_session *)((char *)w - offsetof(struct mb_session, in_io)));
}

static void on_child_in(struct mb_io *w, uint32_t ev)
{
	flush_out((struct mb_session *)((char *)w - offsetof(struct mb_session, out_io)));
}

static void on_child_exit(struct mb_io *w, uint32_t ev)
{
	struct mb_session *s = (struct mb_session *)((char *)w - offsetof(struct mb_session, pid_io));
	int status;
	if (waitpid(s->pid, &status, WNOHANG) != s->pid)
		return;
	mb_io_del(&s->pid_io);
	/* Its last words first: the pipe holds what it wrote before exiting. */
	(void)fcntl(s->from_child, F_SETFL, fcntl(s->from_child, F_GETFL) & ~O_NONBLOCK);
	if (!s->ending)
		read_child(s);
	s->exited = true;
	s->status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	if (!s->ending) {
		char why[96];
		snprintf(why, sizeof(why), "the server's sandbox exited (status %d)", s->status);
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "reason", why);
		cJSON_AddStringToObject(o, "sandbox_session", s->report);
		if (s->principal)
			cJSON_AddStringToObject(o, "principal", s->principal);
		mb_front_report(s->f, "error", o);
		mb_session_end(s, why);
	}
	unlink_from(&s->f->zombies, s);
	session_free(s);
}

static int spawn(struct mb_session *s)
{
	struct mb_front *f = s->f;
	int in[2], out[2];
	if (pipe2(in, O_CLOEXEC) < 0)
		return mb_neg_errno();
	if (pipe2(out, O_CLOEXEC) < 0) {
		int e = mb_neg_errno();
		close(in[0]);
		close(in[1]);
		return e;
	}
	f->child_argv.v[f->slot_principal] = s->principal;
	f->child_argv.v[f->slot_session] = s->report;
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid == 0) {
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		/* Fail closed: the front gone, its sessions go too. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
			_exit(125);
		if (dup2(in[0], 0) < 0 || dup2(out[1], 1) < 0)
			_exit(125);
		(void)syscall(SYS_close_range, 3, ~0U, 0);
		execv("/proc/self/exe", f->child_argv.v);
		_exit(125);
	}
	int e = pid < 0 ? mb_neg_errno() : 0;
	close(in[0]);
	close(out[1]);
	if (e < 0) {
		close(in[1]);
		close(out[0]);
		return e;
	}
	s->pid = pid;
	s->to_child = in[1];
	s->from_child = out[0];
	(void)fcntl(in[1], F_SETFL, O_NONBLOCK);
	(void)fcntl(out[0], F_SETFL, O_NONBLOCK);
	s->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (s->pidfd < 0) {
		e = mb_neg_errno();
		kill(pid, SIGKILL);
		(void)waitpid(pid, NULL, 0);
		return e;
	}
	return 0;
}

static int watch(struct mb_session *s)
{
	s->pid_io = (struct mb_io){ .fd = s->pidfd, .events = EPOLLIN, .cb = on_child_exit };
	s->in_io = (struct mb_io){ .fd = s->from_child, .events = EPOLLIN, .cb = on_child_out };
	s->out_io = (struct mb_io){ .fd = s->to_child, .events = 0, .cb = on_child_in };
	int r = mb_io_add(s->f->loop, &s->pid_io);
	if (r == 0)
		r = mb_io_add(s->f->loop, &s->in_io);
	if (r == 0)
		r = mb_io_add(s->f->loop, &s->out_io);
	return r;
}

int mb_session_start(struct mb_front *f, const char *principal, bool stateless,
		     struct mb_session **ret)
{
	struct mb_session *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->f = f;
	s->pidfd = s->to_child = s->from_child = -1;
	s->stateless = stateless;
	s->idle.cb = on_idle;
	s->kill.cb = on_kill;
	mb_outq_init(&s->outq, OUTQ_HIGH);
	mb_framer_init(&s->framer, f->o->max_message);
	s->principal = strdup(principal);
	int r = s->principal ? 0 : -ENOMEM;
	if (r == 0)
		r = mb_report_random_id(s->id);
	if (r == 0)
		r = mb_report_random_id(s->report);
	if (r == 0)
		r = spawn(s);
	if (r == 0)
		r = watch(s);
	if (r < 0) {
		if (s->pid > 0) {
			kill(s->pid, SIGKILL);
			(void)waitpid(s->pid, NULL, 0);
		}
		session_free(s);
		return r;
	}
	s->next = f->sessions;
	f->sessions = s;
	f->nsessions++;
	mb_session_touch(s);
	if (stateless) {
		static const char init[] =
			"{\"jsonrpc\":\"2.0\",\"id\":\"membrane-init\",\"method\":\"initialize\",\"params\":"
			"{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},"
			"\"clientInfo\":{\"name\":\"membrane-run --listen\",\"version\":\"" PACKAGE_VERSION "\"}}}";
		r = mb_session_expect(s, INIT_KEY, NULL, NULL, NULL);
		if (r == 0)
			r = send_now(s, init, sizeof(init) - 1);
		if (r < 0) {
			mb_session_end(s, "out of memory");
			return r;
		}
	}
	*ret = s;
	return 0;
}

void mb_sessions_free(struct mb_front *f)
{
	while (f->sessions)
		mb_session_end(f->sessions, "membrane-run stopped");
	while (f->zombies) {
		struct mb_session *s = f->zombies;
		f->zombies = s->next;
		if (!s->exited) {
			(void)syscall(SYS_pidfd_send_signal, s->pidfd, SIGKILL, NULL, 0);
			(void)waitpid(s->pid, NULL, 0);
		}
		session_free(s);
	}
}

int mb_session_discover(struct mb_session *s, const char *orig, struct mb_stream *st)
{
	struct mb_pending p = { .orig = (char *)orig, .st = st };
	if (s->ready) {
		st->waiting++;
		answer_discover(s, &p);
		return 0;
	}
	char key[48];
	snprintf(key, sizeof(key), "\"membrane-discover-%llu\"", (unsigned long long)++s->next_id);
	int r = mb_session_expect(s, key, orig, NULL, st);
	if (r == 0)
		s->pending.v[s->pending.n - 1].discover = true;
	return r;
}
