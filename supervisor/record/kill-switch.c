/* SPDX-License-Identifier: Apache-2.0 */
/* The kill switch (supervisor/record/kill-switch.h): SIGUSR1 through a
 * signalfd, and the control socket, each connection a watcher of its own in
 * the loop so that a client that connects and says nothing holds nothing
 * but its slot (CONN_MAX of them; one more is told "busy"). */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "common/strbuf.h"
#include "supervisor/record/kill-switch.h"

#define CONN_MAX 8
#define LINE_MAX_BYTES 512

#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

struct conn {
	struct mb_io io;
	struct mb_killswitch *k;
	struct ucred cred;
	char buf[LINE_MAX_BYTES];
	size_t n;
	bool used;
};

struct mb_killswitch {
	int sigfd, lfd;
	char *path;
	struct mb_io w_sig, w_listen;
	struct mb_loop *loop;
	struct mb_killswitch_ops ops;
	struct conn conns[CONN_MAX];
};

static int listen_at(const char *path, struct mb_error *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(sa.sun_path))
		return mb_error_set(err, -ENAMETOOLONG,
				    "--control %s: longer than a unix socket path may be (%zu bytes)",
				    path, sizeof(sa.sun_path) - 1);
	strcpy(sa.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return mb_error_set(err, mb_neg_errno(), "--control: socket: %m");
	/* A socket left by a membrane-run that died is taken over; one that
	 * answers belongs to a living one. */
	struct stat st;
	if (lstat(path, &st) == 0) {
		int probe = S_ISSOCK(st.st_mode) ? socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0) : -1;
		bool alive = probe >= 0 && connect(probe, (struct sockaddr *)&sa, sizeof(sa)) == 0;
		mb_close(probe);
		if (!S_ISSOCK(st.st_mode) || alive) {
			mb_close(fd);
			return mb_error_set(err, -EEXIST,
					    "--control %s: %s (give another path, or stop the other "
					    "membrane-run)",
					    path, alive ? "another membrane-run listens there"
							: "a file that is not a socket is there");
		}
		(void)unlink(path);
	}
	mode_t old = umask(0077); /* only its owner (and root) may ask */
	int r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (r < 0 || listen(fd, CONN_MAX) < 0) {
		r = mb_neg_errno();
		mb_close(fd);
		return mb_error_set(err, r, "--control %s: %s (is its directory there and writable?)",
				    path, strerror(-r));
	}
	return fd;
}

int mb_killswitch_new(const char *control_path, struct mb_killswitch **ret, struct mb_error *err)
{
	struct mb_killswitch *k = calloc(1, sizeof(*k));
	if (!k)
		return mb_error_set(err, -ENOMEM, "out of memory");
	k->lfd = -1;
	static const int sigs[] = { SIGUSR1 };
	k->sigfd = mb_signalfd_open(sigs, 1);
	if (k->sigfd < 0) {
		int e = k->sigfd;
		free(k);
		return mb_error_set(err, e, "signalfd for SIGUSR1: %s", strerror(-e));
	}
	if (control_path) {
		if (!(k->path = strdup(control_path))) {
			mb_killswitch_free(k);
			return mb_error_set(err, -ENOMEM, "out of memory");
		}
		k->lfd = listen_at(control_path, err);
		if (k->lfd < 0) {
			int e = k->lfd;
			free(k->path);
			k->path = NULL; /* not ours to remove */
			mb_killswitch_free(k);
			return e;
		}
	}
	*ret = k;
	return 0;
}

/* pid, uid (gid) and the command name of whoever asked. */
static cJSON *who(const char *via, pid_t pid, uid_t uid, gid_t gid, bool has_gid)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "via", via);
	cJSON_AddNumberToObject(o, "pid", pid);
	cJSON_AddNumberToObject(o, "uid", uid);
	if (has_gid)
		cJSON_AddNumberToObject(o, "gid", gid);
	char path[64], comm[64];
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	int fd = pid > 0 ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	ssize_t n = fd >= 0 ? read(fd, comm, sizeof(comm) - 1) : -1;
	mb_close(fd);
	if (n > 0) {
		comm[n] = '\0';
		comm[strcspn(comm, "\n")] = '\0';
		cJSON_AddStringToObject(o, "comm", comm);
	}
	return o;
}

static void on_signal(struct mb_io *w, uint32_t ev)
{
	struct mb_killswitch *k = container_of(w, struct mb_killswitch, w_sig);
	struct signalfd_siginfo si;
	while (read(w->fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		cJSON *o = who("signal", (pid_t)si.ssi_pid, si.ssi_uid, 0, false);
		if (o)
			cJSON_AddStringToObject(o, "signal", "SIGUSR1");
		k->ops.kill(k->ops.ud, o, NULL);
	}
}

static void conn_close(struct conn *c)
{
	mb_io_del(&c->io);
	mb_close(c->io.fd);
	c->used = false;
}

static void reply(int fd, cJSON *o)
{
	char *s = o ? cJSON_PrintUnformatted(o) : NULL;
	cJSON_Delete(o);
	struct mb_strbuf b = { 0 };
	mb_strbuf_puts(&b, s ? s : "{\"ok\":false,\"error\":\"out of memory\"}");
	mb_strbuf_putc(&b, '\n');
	cJSON_free(s);
	/* One short line on a fresh socket: it fits the buffer, or the
	 * client is gone. */
	if (!mb_strbuf_failed(&b))
		(void)send(fd, b.s, b.len, MSG_NOSIGNAL | MSG_DONTWAIT);
	mb_strbuf_free(&b);
}

static cJSON *answer(bool ok, const char *error)
{
	cJSON *o = cJSON_CreateObject();
	if (o) {
		cJSON_AddBoolToObject(o, "ok", ok);
		if (error)
			cJSON_AddStringToObject(o, "error", error);
	}
	return o;
}

static void command(struct conn *c, char *line)
{
	struct mb_killswitch *k = c->k;
	line[strcspn(line, "\r")] = '\0';
	char *arg = line + strcspn(line, " ");
	if (*arg)
		*arg++ = '\0';
	if (strcmp(line, "kill") == 0) {
		cJSON *o = who("control", c->cred.pid, c->cred.uid, c->cred.gid, true);
		if (o && k->path)
			cJSON_AddStringToObject(o, "socket", k->path);
		k->ops.kill(k->ops.ud, o, *arg ? arg : NULL);
		cJSON *a = k->ops.status ? k->ops.status(k->ops.ud) : answer(true, NULL);
		if (a)
			cJSON_AddBoolToObject(a, "ok", true);
		reply(c->io.fd, a);
	} else if (strcmp(line, "status") == 0) {
		cJSON *a = k->ops.status ? k->ops.status(k->ops.ud) : answer(true, NULL);
		if (a)
			cJSON_AddBoolToObject(a, "ok", true);
		reply(c->io.fd, a);
	} else {
		reply(c->io.fd, answer(false, "unknown command: say kill [REASON] or status"));
	}
}

static void on_conn(struct mb_io *w, uint32_t ev)
{
	struct conn *c = container_of(w, struct conn, io);
	ssize_t n = read(w->fd, c->buf + c->n, sizeof(c->buf) - 1 - c->n);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0)
		c->n += (size_t)n;
	c->buf[c->n] = '\0';
	char *nl = strchr(c->buf, '\n');
	if (nl || n <= 0 || c->n == sizeof(c->buf) - 1) {
		if (nl)
			*nl = '\0';
		if (nl || (n == 0 && c->n))
			command(c, c->buf);
		else if (c->n == sizeof(c->buf) - 1)
			reply(w->fd, answer(false, "line too long"));
		conn_close(c);
	}
}

static void on_accept(struct mb_io *w, uint32_t ev)
{
	struct mb_killswitch *k = container_of(w, struct mb_killswitch, w_listen);
	for (;;) {
		int fd = accept4(w->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd < 0)
			return;
		struct conn *c = NULL;
		for (size_t i = 0; i < CONN_MAX && !c; i++)
			if (!k->conns[i].used)
				c = &k->conns[i];
		socklen_t len = sizeof(struct ucred);
		struct ucred cred = { .pid = 0, .uid = (uid_t)-1, .gid = (gid_t)-1 };
		(void)getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len);
		if (!c) {
			reply(fd, answer(false, "busy: too many connections"));
			mb_close(fd);
			continue;
		}
		*c = (struct conn){ .k = k, .cred = cred, .used = true };
		c->io.fd = fd;
		c->io.events = EPOLLIN;
		c->io.cb = on_conn;
		if (mb_io_add(k->loop, &c->io) < 0) {
			mb_close(fd);
			c->used = false;
		}
	}
}

void mb_killswitch_attach(struct mb_killswitch *k, struct mb_loop *loop,
			  const struct mb_killswitch_ops *ops)
{
	/* The old loop is forgotten, not touched: it may be freed already
	 * (the relay frees its loop before the run detaches). */
	for (size_t i = 0; i < CONN_MAX; i++)
		if (k->conns[i].used) {
			mb_close(k->conns[i].io.fd);
			k->conns[i].used = false;
		}
	k->loop = loop;
	if (!loop)
		return;
	k->ops = *ops;
	k->w_sig = (struct mb_io){ .fd = k->sigfd, .events = EPOLLIN, .cb = on_signal };
	(void)mb_io_add(loop, &k->w_sig);
	if (k->lfd >= 0) {
		k->w_listen = (struct mb_io){ .fd = k->lfd, .events = EPOLLIN, .cb = on_accept };
		(void)mb_io_add(loop, &k->w_listen);
	}
}

void mb_killswitch_free(struct mb_killswitch *k)
{
	if (!k)
		return;
	mb_killswitch_attach(k, NULL, NULL);
	mb_close(k->sigfd);
	mb_close(k->lfd);
	if (k->path)
		(void)unlink(k->path);
	free(k->path);
	free(k);
}
