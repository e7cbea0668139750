/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/kernel-compat.h"
#include "common/macros.h"
#include "supervisor/inspect/relay.h"

#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

/* Above this many queued bytes a side's producer is not read. */
#define QUEUE_HIGH (256u * 1024u)
/* After the server exits: how long its pipes may stay open (a grandchild
 * holding them) before we stop waiting for their EOF. */
#define DRAIN_MS 1000u
#define EXPIRE_TICK_MS 500u
#define STDERR_PREFIX "[server] "
/* The longest line of the server's stderr held back; a longer one is cut
 * into lines of this size, each with its prefix. */
#define ERR_LINE_MAX 4096u

struct relay {
	const struct mb_relay_config *cfg;
	struct mb_loop *loop;
	struct mb_inspector *ins;
	struct mb_framer client_fr, server_fr;
	struct mb_outq to_client, to_server;
	struct mb_io w_cin, w_cout, w_sin, w_sout, w_serr, w_sig, w_pid, w_cmd;
	struct mb_timer t_grace, t_drain, t_expire;
	int sigfd;
	int server_stdin; /* -1 once closed */
	bool client_eof, client_gone, sout_eof, serr_eof, exited, drained, finished;
	int kill_stage;
	/* The server's stderr line being gathered: prefix, text, room for the
	 * newline; err_c2: a 0xC2 byte that may start an encoded C1 control. */
	char errline[sizeof(STDERR_PREFIX) + ERR_LINE_MAX + 1];
	size_t errlen;
	bool err_c2;
	siginfo_t info;
	bool report_failed;
	int fail;
};

static int send_signal(struct relay *rl, int sig)
{
	if (rl->exited)
		return 0;
	if (syscall(SYS_pidfd_send_signal, rl->cfg->pidfd, sig, NULL, 0) < 0)
		return mb_neg_errno();
	return 0;
}

/* ---- the inspector's io ---- */

static int io_send(void *ud, enum mb_side to, const char *buf, size_t n)
{
	struct relay *rl = ud;
	if (to == MB_SIDE_CLIENT) {
		if (rl->client_gone)
			return 0;
		return mb_outq_append(&rl->to_client, buf, n);
	}
	if (rl->server_stdin < 0)
		return 0; /* the server's stdin is closed; the request stays in
			     flight and is answered when the server exits */
	return mb_outq_append(&rl->to_server, buf, n);
}

static bool io_backlogged(void *ud, enum mb_side to)
{
	struct relay *rl = ud;
	return to == MB_SIDE_CLIENT ? mb_outq_full(&rl->to_client) : mb_outq_full(&rl->to_server);
}

static int io_report(void *ud, const char *event, const cJSON *fields)
{
	struct relay *rl = ud;
	return rl->cfg->report(rl->cfg->report_ud, event, fields);
}

/* ---- reading ---- */

static void client_frame(void *ud, const struct mb_frame *f)
{
	struct relay *rl = ud;
	if (rl->cfg->tap)
		rl->cfg->tap(rl->cfg->tap_ud, MB_SIDE_CLIENT, f);
	mb_inspector_client_frame(rl->ins, f);
}

static void server_frame(void *ud, const struct mb_frame *f)
{
	struct relay *rl = ud;
	if (rl->cfg->tap)
		rl->cfg->tap(rl->cfg->tap_ud, MB_SIDE_SERVER, f);
	mb_inspector_server_frame(rl->ins, f);
}

static void on_client_in(struct mb_io *w, uint32_t ev)
{
	struct relay *rl = container_of(w, struct relay, w_cin);
	ssize_t n = mb_framer_read(&rl->client_fr, w->fd, client_frame, rl);
	if (n == 0 || (n < 0 && n != -EAGAIN)) {
		if (n < 0) /* an unreadable stdin ends the session like EOF */
			mb_framer_feed(&rl->client_fr, NULL, 0, true, client_frame, rl);
		rl->client_eof = true;
		mb_io_del(w);
	}
}

static void on_server_out(struct mb_io *w, uint32_t ev)
{
	struct relay *rl = container_of(w, struct relay, w_sout);
	ssize_t n = mb_framer_read(&rl->server_fr, w->fd, server_frame, rl);
	if (n == 0 || (n < 0 && n != -EAGAIN)) {
		rl->sout_eof = true;
		mb_io_del(w);
	}
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t k = write(fd, p, n);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				struct pollfd pfd = { .fd = fd, .events = POLLOUT };
				(void)poll(&pfd, 1, 1000);
				continue;
			}
			return mb_neg_errno();
		}
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/* The server's stderr is free-form logging, and the reports' default
 * destination is the same stderr: a report line must start at a line start
 * and nothing the server writes may pass for one, nor change how one looks
 * on a terminal. So the relay writes only whole lines, each prefixed
 * "[server] " and written at once (a partial line is held until its
 * newline, its end of file, or ERR_LINE_MAX bytes, then ended by us), and
 * shows terminal controls (C0 but TAB, DEL, C1 encoded in UTF-8) as
 * \xNN: a carriage return or an escape sequence could otherwise move the
 * cursor over the prefix or hide the next report line. */
/* Write the line gathered so far, ended: always at the server's newline
 * (an empty line is a line too), else only when it holds something. */
static void err_end_line(struct relay *rl, bool newline)
{
	size_t pre = strlen(STDERR_PREFIX);
	if (rl->err_c2) {
		rl->errline[pre + rl->errlen++] = (char)0xc2;
		rl->err_c2 = false;
	}
	if (!rl->errlen && !newline)
		return;
	memcpy(rl->errline, STDERR_PREFIX, pre);
	rl->errline[pre + rl->errlen] = '\n';
	(void)write_all(STDERR_FILENO, rl->errline, pre + rl->errlen + 1);
	rl->errlen = 0;
}

static void err_put(struct relay *rl, const char *s, size_t n)
{
	if (rl->errlen + n > ERR_LINE_MAX)
		err_end_line(rl, false);
	memcpy(rl->errline + strlen(STDERR_PREFIX) + rl->errlen, s, n);
	rl->errlen += n;
}

static void err_byte(struct relay *rl, unsigned char c)
{
	char hex[16];
	if (rl->err_c2) {
		rl->err_c2 = false;
		if (c >= 0x80 && c <= 0x9f) {
			snprintf(hex, sizeof(hex), "\\xc2\\x%02x", c);
			return err_put(rl, hex, 8);
		}
		err_put(rl, "\xc2", 1);
	}
	if (c == 0xc2) {
		rl->err_c2 = true;
	} else if ((c < 0x20 && c != '\t') || c == 0x7f) {
		snprintf(hex, sizeof(hex), "\\x%02x", c);
		err_put(rl, hex, 4);
	} else {
		err_put(rl, (const char *)&c, 1);
	}
}

static void on_server_err(struct mb_io *w, uint32_t ev)
{
	struct relay *rl = container_of(w, struct relay, w_serr);
	char buf[16384];
	ssize_t n = read(w->fd, buf, sizeof(buf));
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		err_end_line(rl, false);
		rl->serr_eof = true;
		mb_io_del(w);
		return;
	}
	for (ssize_t i = 0; i < n; i++) {
		if (buf[i] == '\n')
			err_end_line(rl, true);
		else
			err_byte(rl, (unsigned char)buf[i]);
	}
}

/* ---- writing ---- */

static void flush_client(struct relay *rl)
{
	if (rl->client_gone || mb_outq_empty(&rl->to_client))
		return;
	int r = mb_outq_flush(&rl->to_client, rl->cfg->client_out);
	if (r == -EAGAIN)
		return;
	if (r < 0) {
		/* The client went away: nobody reads answers any more. */
		rl->client_gone = true;
		mb_outq_free(&rl->to_client);
	}
}

static void close_server_stdin(struct relay *rl)
{
	if (rl->server_stdin < 0)
		return;
	mb_io_del(&rl->w_sin);
	rl->server_stdin = mb_close(rl->server_stdin);
	mb_outq_free(&rl->to_server);
}

static void flush_server(struct relay *rl)
{
	if (rl->server_stdin < 0 || mb_outq_empty(&rl->to_server))
		return;
	int r = mb_outq_flush(&rl->to_server, rl->server_stdin);
	if (r < 0 && r != -EAGAIN)
		close_server_stdin(rl); /* it closed its stdin or exited */
}

static void on_client_out(struct mb_io *w, uint32_t ev)
{
	flush_client(container_of(w, struct relay, w_cout));
}

static void on_server_in(struct mb_io *w, uint32_t ev)
{
	struct relay *rl = container_of(w, struct relay, w_sin);
	if (ev & (EPOLLERR | EPOLLHUP))
		close_server_stdin(rl);
	else
		flush_server(rl);
}

/* ---- signals, the child, timers ---- */

static void on_signal(struct mb_io *w, uint32_t ev)
{
	struct relay *rl = container_of(w, struct relay, w_sig);
	struct signalfd_siginfo si;
	while (read(w->fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		(void)send_signal(rl, (int)si.ssi_signo);
		if (rl->cfg->stop_on_signal && si.ssi_signo != SIGHUP && !rl->exited &&
		    !rl->t_grace.armed && rl->kill_stage == 0)
			mb_timer_arm(rl->loop, &rl->t_grace, rl->cfg->grace_ms);
	}
}

/* The server has ended: what it still wrote is drained, then we finish. */
static void ended(struct relay *rl)
{
	rl->exited = true;
	mb_io_del(&rl->w_pid);
	mb_io_del(&rl->w_cmd);
	mb_timer_cancel(rl->loop, &rl->t_grace);
	mb_timer_arm(rl->loop, &rl->t_drain, DRAIN_MS);
}

static void set_signaled(siginfo_t *info, int ws)
{
	info->si_code = WCOREDUMP(ws) ? CLD_DUMPED : CLD_KILLED;
	info->si_status = WTERMSIG(ws);
}

static void on_child(struct mb_io *w, uint32_t ev)
{
	struct relay *rl = container_of(w, struct relay, w_pid);
	memset(&rl->info, 0, sizeof(rl->info));
	if (waitid((idtype_t)P_PIDFD, (id_t)rl->cfg->pidfd, &rl->info, WEXITED | WNOHANG) < 0 ||
	    rl->info.si_pid == 0)
		return;
	/* The sandbox's init can only exit 128+N for a command killed by
	 * signal N; it tells how the command really ended. */
	int ws;
	if (rl->cfg->command_status && rl->info.si_code == CLD_EXITED &&
	    rl->cfg->command_status(rl->cfg->command_status_ud, &ws) == 0 && WIFSIGNALED(ws))
		set_signaled(&rl->info, ws);
	ended(rl);
}

/* The init has the command's status: the same end as on_child's, a
 * namespace teardown sooner. End of file (the init died without writing
 * it): the pidfd says how. */
static void on_command(struct mb_io *w, uint32_t ev)
{
	struct relay *rl = container_of(w, struct relay, w_cmd);
	int ws;
	if (rl->cfg->command_status(rl->cfg->command_status_ud, &ws) < 0) {
		mb_io_del(w);
		return;
	}
	memset(&rl->info, 0, sizeof(rl->info));
	rl->info.si_pid = rl->cfg->pid;
	if (WIFSIGNALED(ws)) {
		set_signaled(&rl->info, ws);
	} else {
		rl->info.si_code = CLD_EXITED;
		rl->info.si_status = WEXITSTATUS(ws);
	}
	ended(rl);
}

static void on_grace(struct mb_timer *t)
{
	struct relay *rl = container_of(t, struct relay, t_grace);
	if (rl->kill_stage == 0) {
		rl->kill_stage = 1;
		(void)send_signal(rl, SIGTERM);
		mb_timer_arm(rl->loop, t, rl->cfg->grace_ms);
	} else if (rl->kill_stage == 1) {
		rl->kill_stage = 2;
		(void)send_signal(rl, SIGKILL);
	}
}

static void on_drain(struct mb_timer *t)
{
	container_of(t, struct relay, t_drain)->drained = true;
}

static void on_expire(struct mb_timer *t)
{
	struct relay *rl = container_of(t, struct relay, t_expire);
	mb_inspector_expire(rl->ins, mb_coarse_ns());
}

/* ---- after each round ---- */

static void describe_exit(const siginfo_t *si, char *buf, size_t n)
{
	if (si->si_code == CLD_EXITED)
		snprintf(buf, n, "exited with status %d", si->si_status);
	else
		snprintf(buf, n, "was killed by signal %d (%s)", si->si_status,
			 strsignal(si->si_status));
}

static void finish(struct relay *rl)
{
	char why[128];
	describe_exit(&rl->info, why, sizeof(why));
	mb_inspector_server_gone(rl->ins, why);
	/* Hand the client what is queued for it, waiting for it a while. */
	uint64_t until = mb_now_ns() + (rl->cfg->grace_ms + 1000) * 1000000u;
	while (!rl->client_gone && !mb_outq_empty(&rl->to_client) && mb_now_ns() < until) {
		flush_client(rl);
		if (mb_outq_empty(&rl->to_client) || rl->client_gone)
			break;
		struct pollfd pfd = { .fd = rl->cfg->client_out, .events = POLLOUT };
		(void)poll(&pfd, 1, 100);
	}
	rl->finished = true;
	mb_loop_quit(rl->loop);
}

static void idle(void *ud)
{
	struct relay *rl = ud;
	flush_server(rl);
	flush_client(rl);

	if (mb_inspector_report_error(rl->ins) && !rl->report_failed) {
		/* Fail closed: a server we cannot report on does not run. */
		rl->report_failed = true;
		(void)send_signal(rl, SIGKILL);
		rl->client_eof = true;
		mb_io_del(&rl->w_cin);
	}
	if (rl->client_gone && !rl->client_eof) {
		rl->client_eof = true;
		mb_io_del(&rl->w_cin);
	}
	if (rl->client_eof && rl->server_stdin >= 0 && mb_outq_empty(&rl->to_server) &&
	    !mb_inspector_held(rl->ins)) {
		close_server_stdin(rl);
		if (!rl->exited)
			mb_timer_arm(rl->loop, &rl->t_grace, rl->cfg->grace_ms);
	}
	if (rl->exited && ((rl->sout_eof && rl->serr_eof) || rl->drained)) {
		finish(rl);
		return;
	}

	/* Backpressure: read a side only while the queues it feeds have room. */
	if (!rl->client_eof)
		mb_io_set(&rl->w_cin, mb_outq_full(&rl->to_server) || mb_outq_full(&rl->to_client)
					       ? 0 : EPOLLIN);
	if (!rl->sout_eof)
		mb_io_set(&rl->w_sout, mb_outq_full(&rl->to_client) ? 0 : EPOLLIN);
	mb_io_set(&rl->w_cout, !rl->client_gone && !mb_outq_empty(&rl->to_client) ? EPOLLOUT : 0);
	if (rl->server_stdin >= 0)
		mb_io_set(&rl->w_sin, mb_outq_empty(&rl->to_server) ? 0 : EPOLLOUT);
	if (mb_inflight_count(mb_inspector_inflight(rl->ins)) && !rl->t_expire.armed)
		mb_timer_arm(rl->loop, &rl->t_expire, EXPIRE_TICK_MS);
}

static int add(struct relay *rl, struct mb_io *w, int fd, uint32_t events, mb_io_fn cb)
{
	w->fd = fd;
	w->events = events;
	w->cb = cb;
	return mb_io_add(rl->loop, w);
}

static int set_nonblock(int fd, int *saved)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0)
		return mb_neg_errno();
	*saved = fl;
	if (!(fl & O_NONBLOCK) && fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return mb_neg_errno();
	return 0;
}

int mb_relay_run(const struct mb_relay_config *cfg, struct mb_relay_result *res)
{
	struct relay rl = {
		.cfg = cfg,
		.server_stdin = cfg->server_stdin,
		.sigfd = -1,
	};
	int r, saved_in = -1, saved_out = -1;
	*res = (struct mb_relay_result){ 0 };
	/* A client that goes away must not kill us: EPIPE is handled. */
	signal(SIGPIPE, SIG_IGN);
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	rl.sigfd = mb_signalfd_open(sigs, ARRAY_SIZE(sigs));
	if (rl.sigfd < 0)
		return rl.sigfd;
	mb_framer_init(&rl.client_fr, cfg->max_message);
	mb_framer_init(&rl.server_fr, cfg->max_message);
	mb_outq_init(&rl.to_client, QUEUE_HIGH);
	mb_outq_init(&rl.to_server, QUEUE_HIGH);
	rl.t_grace.cb = on_grace;
	rl.t_drain.cb = on_drain;
	rl.t_expire.cb = on_expire;

	struct mb_inspector_config icfg = {
		.profile = cfg->profile,
		.cwd = cfg->cwd,
		.max_message = cfg->max_message,
		.call_timeout_ms = cfg->call_timeout_ms,
		.envp = cfg->envp,
	};
	struct mb_inspector_io io = { io_send, io_report, &rl, io_backlogged };
	r = mb_loop_new(&rl.loop);
	if (r == 0)
		r = mb_inspector_new(&icfg, &io, &rl.ins);
	if (r == 0)
		r = set_nonblock(cfg->client_in, &saved_in);
	if (r == 0)
		r = set_nonblock(cfg->client_out, &saved_out);
	if (r == 0)
		r = add(&rl, &rl.w_sig, rl.sigfd, EPOLLIN, on_signal);
	if (r == 0)
		r = add(&rl, &rl.w_pid, cfg->pidfd, EPOLLIN, on_child);
	if (r == 0 && cfg->command_status && cfg->command_fd >= 0)
		r = add(&rl, &rl.w_cmd, cfg->command_fd, EPOLLIN, on_command);
	if (r == 0)
		r = add(&rl, &rl.w_cin, cfg->client_in, EPOLLIN, on_client_in);
	if (r == 0)
		r = add(&rl, &rl.w_cout, cfg->client_out, 0, on_client_out);
	if (r == 0)
		r = add(&rl, &rl.w_sin, cfg->server_stdin, 0, on_server_in);
	if (r == 0)
		r = add(&rl, &rl.w_sout, cfg->server_stdout, EPOLLIN, on_server_out);
	if (r == 0)
		r = add(&rl, &rl.w_serr, cfg->server_stderr, EPOLLIN, on_server_err);
	if (r == 0)
		mb_loop_set_idle(rl.loop, idle, &rl);
	if (r == 0 && cfg->setup)
		r = cfg->setup(cfg->setup_ud, rl.loop, rl.ins);
	if (r == 0)
		r = mb_loop_run(rl.loop);
	if (cfg->teardown)
		cfg->teardown(cfg->setup_ud);
	if (r == 0 && rl.finished) {
		res->signaled = rl.info.si_code != CLD_EXITED;
		res->code = rl.info.si_status;
		res->status = res->signaled ? 128 + res->code : res->code;
		res->report_failed = rl.report_failed;
	}
	err_end_line(&rl, false); /* a partial line of a server whose pipe was not drained */
	if (saved_in >= 0)
		(void)fcntl(cfg->client_in, F_SETFL, saved_in);
	if (saved_out >= 0)
		(void)fcntl(cfg->client_out, F_SETFL, saved_out);
	close_server_stdin(&rl);
	mb_inspector_free(rl.ins);
	mb_loop_free(rl.loop);
	mb_framer_free(&rl.client_fr);
	mb_framer_free(&rl.server_fr);
	mb_outq_free(&rl.to_client);
	mb_outq_free(&rl.to_server);
	mb_close(rl.sigfd);
	return r;
}
