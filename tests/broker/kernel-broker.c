/* SPDX-License-Identifier: Apache-2.0 */
/* The broker against the kernel: tests/broker/broker-client runs in the
 * real sandbox (mb_sandbox_spawn, network brokered, then network host),
 * the notifier and the broker run here in the event loop membrane-run
 * uses, with a decision hook that grants a fixed list of endpoints, and
 * echo servers of this process (the host) answer on loopback. What is
 * checked is what really happened: the client's own return values and
 * errno, its socket's options and flags after the connect, the replies it
 * got from the host's servers (which only the host can give), what the
 * host's servers received (nothing from refused attempts), and the
 * reports the hook was asked to write. Runs as root and, through
 * broker-nobody.sh, as nobody. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "sandbox/sandbox.h"
#include "supervisor/broker/broker.h"
#include "common/loop.h"
#include "supervisor/notify/notify-loop.h"
#include "supervisor/notify/notify.h"
#include "tests/tap.h"

#define R (1u << MB_OP_READ)
#define X (1u << MB_OP_EXEC)

static char tmpl[] = "/tmp/mb-broker-XXXXXX";
static char T[256];

/* ---- the host's side ---------------------------------------------------- */

static struct {
	int tcp4, tcp6, udp4, udp6, secret, hole, abstract; /* listening fds */
	int p_tcp4, p_tcp6, p_udp4, p_udp6, p_secret, p_hole, p_refused, p_bind;
	int hole_fill[4];
	char abstract_name[64];
	int stop[2];
	pthread_t thread;
	/* what the servers saw (written by the thread, read after join) */
	int secret_accepted, abstract_accepted;
	char udp_seen[4096];
} H;

static int listen_on(int family, int type, const char *ip, int backlog, int *port)
{
	int fd = socket(family, type | SOCK_CLOEXEC, 0);
	struct sockaddr_storage ss = { 0 };
	socklen_t len;
	if (family == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)&ss;
		s->sin_family = AF_INET;
		inet_pton(AF_INET, ip, &s->sin_addr);
		len = sizeof(*s);
	} else {
		struct sockaddr_in6 *s = (struct sockaddr_in6 *)&ss;
		s->sin6_family = AF_INET6;
		inet_pton(AF_INET6, ip, &s->sin6_addr);
		len = sizeof(*s);
	}
	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len) < 0 ||
	    (type == SOCK_STREAM && listen(fd, backlog) < 0))
		return -1;
	getsockname(fd, (struct sockaddr *)&ss, &len);
	*port = ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
					: ((struct sockaddr_in6 *)&ss)->sin6_port);
	return fd;
}

/* A port nothing listens on (reserved and released). */
static int free_port(void)
{
	int p = 0;
	int fd = listen_on(AF_INET, SOCK_STREAM, "127.0.0.1", 1, &p);
	close(fd);
	return p;
}

static void *host_servers(void *arg)
{
	(void)arg;
	struct pollfd p[64];
	int n = 0;
	int fixed[] = { H.stop[0], H.tcp4, H.tcp6, H.secret, H.udp4, H.udp6, H.abstract };
	for (size_t i = 0; i < ARRAY_SIZE(fixed); i++)
		p[n++] = (struct pollfd){ .fd = fixed[i], .events = POLLIN };
	int nfixed = n;
	for (;;) {
		if (poll(p, (nfds_t)n, -1) < 0)
			continue;
		if (p[0].revents)
			return NULL;
		for (int i = 1; i < n; i++) {
			if (!p[i].revents)
				continue;
			int fd = p[i].fd;
			char buf[512];
			if (fd == H.tcp4 || fd == H.tcp6 || fd == H.secret || fd == H.abstract) {
				int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
				if (fd == H.secret)
					H.secret_accepted++;
				if (fd == H.abstract)
					H.abstract_accepted++;
				if (c >= 0 && n < 64)
					p[n++] = (struct pollfd){ .fd = c, .events = POLLIN };
				else if (c >= 0)
					close(c);
			} else if (fd == H.udp4 || fd == H.udp6) {
				struct sockaddr_storage from;
				socklen_t fl = sizeof(from);
				ssize_t k = recvfrom(fd, buf, sizeof(buf) - 1, 0, (struct sockaddr *)&from, &fl);
				if (k <= 0)
					continue;
				buf[k] = '\0';
				strncat(H.udp_seen, buf, sizeof(H.udp_seen) - strlen(H.udp_seen) - 1);
				char out[600];
				int m = snprintf(out, sizeof(out), "host:%s", buf);
				sendto(fd, out, (size_t)m, 0, (struct sockaddr *)&from, fl);
			} else if (i >= nfixed) {
				ssize_t k = recv(fd, buf, sizeof(buf) - 1, 0);
				if (k <= 0) {
					close(fd);
					p[i] = p[--n];
					i--;
					continue;
				}
				buf[k] = '\0';
				char out[600];
				int m = snprintf(out, sizeof(out), "host:%s", buf);
				send(fd, out, (size_t)m, MSG_NOSIGNAL);
			}
		}
	}
}

static int host_setup(void)
{
	H.tcp4 = listen_on(AF_INET, SOCK_STREAM, "127.0.0.1", 16, &H.p_tcp4);
	H.tcp6 = listen_on(AF_INET6, SOCK_STREAM, "::1", 16, &H.p_tcp6);
	H.udp4 = listen_on(AF_INET, SOCK_DGRAM, "127.0.0.1", 0, &H.p_udp4);
	H.udp6 = listen_on(AF_INET6, SOCK_DGRAM, "::1", 0, &H.p_udp6);
	H.secret = listen_on(AF_INET, SOCK_STREAM, "127.0.0.1", 16, &H.p_secret);
	/* The hole: a backlog of 0 filled by connects nobody accepts; the
	 * kernel then drops further SYNs, and a connect waits. */
	H.hole = listen_on(AF_INET, SOCK_STREAM, "127.0.0.1", 0, &H.p_hole);
	struct sockaddr_in hole = { .sin_family = AF_INET, .sin_port = htons((uint16_t)H.p_hole) };
	hole.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (int i = 0; i < 4; i++) {
		H.hole_fill[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		connect(H.hole_fill[i], (struct sockaddr *)&hole, sizeof(hole));
	}
	H.p_refused = free_port();
	H.p_bind = free_port();
	/* An abstract unix socket of the host's network namespace. */
	snprintf(H.abstract_name, sizeof(H.abstract_name), "membrane-broker-%d", (int)getpid());
	H.abstract = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	memcpy(sun.sun_path + 1, H.abstract_name, strlen(H.abstract_name));
	socklen_t sl = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(H.abstract_name));
	if (bind(H.abstract, (struct sockaddr *)&sun, sl) < 0 || listen(H.abstract, 4) < 0)
		return -1;
	if (pipe2(H.stop, O_CLOEXEC) < 0)
		return -1;
	return H.tcp4 >= 0 && H.tcp6 >= 0 && H.udp4 >= 0 && H.udp6 >= 0 && H.secret >= 0 &&
			       H.hole >= 0
		       ? 0
		       : -1;
}

/* ---- the decision hooks ------------------------------------------------- */

struct grant {
	enum mb_op op;
	const char *ip;
	int *port;
	bool host_mode; /* also granted in the network host run */
	bool brokered;  /* granted in the brokered run */
};

static const struct grant grants[] = {
	{ MB_OP_CONNECT, "127.0.0.1", &H.p_tcp4, true, true },
	{ MB_OP_CONNECT, "::1", &H.p_tcp6, true, true },
	{ MB_OP_CONNECT, "127.0.0.1", &H.p_udp4, true, true },
	{ MB_OP_CONNECT, "::1", &H.p_udp6, true, true },
	{ MB_OP_CONNECT, "127.0.0.1", &H.p_refused, false, true },
	{ MB_OP_CONNECT, "127.0.0.1", &H.p_hole, false, true },
	{ MB_OP_BIND, "127.0.0.1", &H.p_bind, false, true },
};

struct report_rec {
	enum mb_op op;
	char target[64];
	bool allowed;
	char reason[256];
};
static struct report_rec reports[64];
static int nreports;
static bool host_run;

static enum mb_net_grant granted(void *ud, const struct mb_notified_op *op, enum mb_op o,
				 const struct mb_addr *a)
{
	(void)ud;
	(void)op;
	for (size_t i = 0; i < ARRAY_SIZE(grants); i++) {
		const struct grant *g = &grants[i];
		if (g->op != o || !(host_run ? g->host_mode : g->brokered) || *g->port != a->port)
			continue;
		uint8_t ip[16];
		int fam = strchr(g->ip, ':') ? AF_INET6 : AF_INET;
		inet_pton(fam, g->ip, ip);
		if (fam == a->family && memcmp(ip, a->addr, fam == AF_INET ? 4 : 16) == 0)
			return MB_NET_GRANTED;
	}
	return MB_NET_NOT_GRANTED;
}

static int report(void *ud, const struct mb_notified_op *op, enum mb_op o,
		  const struct mb_notified_target *t, const struct mb_net_outcome *out)
{
	(void)ud;
	(void)op;
	if (nreports < (int)ARRAY_SIZE(reports)) {
		struct report_rec *r = &reports[nreports++];
		r->op = o;
		if (t->kind == MB_TARGET_INET)
			mb_addr_format(&t->addr, r->target, sizeof(r->target));
		else
			snprintf(r->target, sizeof(r->target), "%s", t->path ? t->path : "");
		r->allowed = out->allowed;
		snprintf(r->reason, sizeof(r->reason), "%s", out->reason ? out->reason : "");
	}
	return 0;
}

static const struct report_rec *find_report(enum mb_op o, const char *target)
{
	for (int i = 0; i < nreports; i++)
		if (reports[i].op == o && strcmp(reports[i].target, target) == 0)
			return &reports[i];
	return NULL;
}

static struct mb_answer decide(const struct mb_notified_op *op, void *ud)
{
	if (mb_broker_handles(op))
		return mb_broker_decide(ud, op);
	return (struct mb_answer){ MB_VERDICT_ALLOW, 0 };
}

/* ---- running one sandbox ------------------------------------------------ */

static struct mb_plan plan;

static void add_mount(const char *path, enum mb_mount_kind kind, unsigned ops)
{
	struct stat st;
	struct mb_mount *m = mb_vec_new(&plan.mounts);
	m->path = (char *)path;
	m->kind = kind;
	m->pos = (struct mb_srcpos){ "test", 1, 1 };
	if (kind == MB_MOUNT_PROC || kind == MB_MOUNT_DEV) {
		m->is_dir = true;
		struct mb_fs_rule *r = mb_vec_new(&plan.fs_rules);
		r->path = kind == MB_MOUNT_PROC ? "/proc" : "/dev/null";
		r->ops = kind == MB_MOUNT_PROC ? R : R | (1u << MB_OP_WRITE);
		r->is_dir = kind == MB_MOUNT_PROC;
		r->pos = m->pos;
		return;
	}
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
		char buf[PATH_MAX];
		ssize_t n = readlink(path, buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = '\0';
		m->kind = MB_MOUNT_SYMLINK;
		m->link_target = strdup(buf);
		return;
	}
	m->is_dir = stat(path, &st) == 0 && S_ISDIR(st.st_mode);
	m->exec = ops & X;
	struct mb_fs_rule *r = mb_vec_new(&plan.fs_rules);
	r->path = (char *)path;
	r->ops = ops;
	r->is_dir = m->is_dir;
	r->pos = m->pos;
}

struct run {
	struct mb_sandbox sb;
	struct mb_loop *loop;
	struct mb_broker *broker;
	struct mb_io out_w, pid_w;
	char out[16384];
	size_t nout;
	char lines[64][512];
	int nlines;
	bool exited;
};

/* The host's client for the granted bind: once the sandbox says it
 * listens, connect to that port on the host's loopback and say hello. */
static void host_hello(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)H.p_bind) };
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		send(fd, "from-host\n", 10, MSG_NOSIGNAL);
	else
		diag("host_hello: connect: %s", strerror(errno));
	close(fd);
}

static void on_out(struct mb_io *w, uint32_t ev)
{
	struct run *r = (struct run *)((char *)w - offsetof(struct run, out_w));
	(void)ev;
	ssize_t k = read(w->fd, r->out + r->nout, sizeof(r->out) - 1 - r->nout);
	if (k <= 0) {
		mb_io_del(w);
		if (r->exited)
			mb_loop_quit(r->loop);
		return;
	}
	r->nout += (size_t)k;
	r->out[r->nout] = '\0';
	char *nl;
	char *start = r->out;
	while ((nl = strchr(start, '\n'))) {
		*nl = '\0';
		if (r->nlines < 64)
			snprintf(r->lines[r->nlines++], 512, "%s", start);
		if (strncmp(start, "CASE bind errno=0", 17) == 0)
			host_hello();
		start = nl + 1;
	}
	memmove(r->out, start, strlen(start) + 1);
	r->nout = strlen(r->out);
}

static void on_exit_(struct mb_io *w, uint32_t ev)
{
	struct run *r = (struct run *)((char *)w - offsetof(struct run, pid_w));
	(void)ev;
	r->exited = true;
	mb_io_del(w);
	if (!r->out_w.added)
		mb_loop_quit(r->loop);
}

/* The line of case name, or "". */
static const char *line(struct run *r, const char *name)
{
	size_t n = strlen(name);
	for (int i = 0; i < r->nlines; i++)
		if (strncmp(r->lines[i], "CASE ", 5) == 0 && strncmp(r->lines[i] + 5, name, n) == 0 &&
		    r->lines[i][5 + n] == ' ')
			return r->lines[i] + 6 + n;
	return "";
}

static int line_index(struct run *r, const char *name)
{
	size_t n = strlen(name);
	for (int i = 0; i < r->nlines; i++)
		if (strncmp(r->lines[i] + 5, name, n) == 0 && r->lines[i][5 + n] == ' ')
			return i;
	return -1;
}

#define has(r, name, want) like_(line(r, name), want, name)
static bool like_(const char *got, const char *want, const char *name)
{
	bool r = strstr(got, want) != NULL;
	ok(r, "%s: %s", name, want);
	if (!r)
		diag("   got: %s", got);
	return r;
}

static int run_client(struct run *r, enum mb_network net)
{
	char a[9][32];
	snprintf(a[0], 32, "%d", H.p_tcp4);
	snprintf(a[1], 32, "%d", H.p_tcp6);
	snprintf(a[2], 32, "%d", H.p_udp4);
	snprintf(a[3], 32, "%d", H.p_udp6);
	snprintf(a[4], 32, "%d", H.p_refused);
	snprintf(a[5], 32, "%d", H.p_secret);
	snprintf(a[6], 32, "%d", H.p_hole);
	snprintf(a[7], 32, "%d", H.p_bind);
	char client[PATH_MAX];
	snprintf(client, sizeof(client), "%s/broker-client", T);
	char *argv[] = { client, "--tcp4", a[0], "--tcp6", a[1], "--udp4", a[2], "--udp6", a[3],
			 "--refused", a[4], "--secret", a[5], "--hole", a[6], "--bind", a[7],
			 "--abstract", H.abstract_name, net == MB_NET_HOST ? "--host" : NULL, NULL };
	plan.network = net;
	struct mb_sandbox_config cfg = { .plan = &plan, .argv = argv, .want_listener = true };
	struct mb_error err = { 0 };
	int rc = mb_sandbox_spawn(&cfg, &r->sb, &err);
	if (rc < 0) {
		diag("mb_sandbox_spawn: %s", err.msg);
		return rc;
	}
	return 0;
}

static int serve(struct run *r, enum mb_network net)
{
	struct mb_error err = { 0 };
	struct mb_broker_config bc = {
		.network = net,
		.mode = MB_MODE_ENFORCE,
		.hooks = { .granted = granted, .report = report },
	};
	if (mb_broker_new(&bc, &r->broker, &err) < 0)
		return -1;
	struct mb_notifier *n = NULL;
	struct mb_notifier_opts opts = { .root_fd = -1, .one_root = true };
	if (mb_notifier_new(TAKE_FD(r->sb.listener_fd), &opts, decide, r->broker, &n, &err) < 0) {
		diag("%s", err.msg);
		return -1;
	}
	mb_loop_new(&r->loop);
	mb_broker_set_listener(r->broker, mb_notifier_fd(n));
	mb_broker_set_loop(r->broker, r->loop);
	struct mb_notifier_io nw;
	mb_notifier_io_add(&nw, r->loop, n, r->sb.pidfd);
	r->out_w = (struct mb_io){ .fd = r->sb.stdout_fd, .events = EPOLLIN, .cb = on_out };
	r->pid_w = (struct mb_io){ .fd = r->sb.pidfd, .events = EPOLLIN, .cb = on_exit_ };
	mb_io_add(r->loop, &r->out_w);
	mb_io_add(r->loop, &r->pid_w);
	r->sb.stdin_fd = mb_close(r->sb.stdin_fd);
	mb_loop_run(r->loop);
	char errs[4096];
	ssize_t k = read(r->sb.stderr_fd, errs, sizeof(errs) - 1);
	if (k > 0) {
		errs[k] = '\0';
		diag("client stderr: %s", errs);
	}
	int status = -1;
	mb_sandbox_wait(&r->sb, &status);
	is_int(status, 0, "[%s] the client ran to its end", mb_network_name(net));
	ok(r->nlines > 0 && strcmp(r->lines[r->nlines - 1], "DONE") == 0, "[%s] ... every case",
	   mb_network_name(net));
	const struct mb_broker_stats *s = mb_broker_stats(r->broker);
	diag("[%s] broker: decided %llu brokered %llu installed %llu pending %llu continued %llu "
	     "denied %llu failed %llu opts %llu/%llu; waiting %u",
	     mb_network_name(net), (unsigned long long)s->decided, (unsigned long long)s->brokered,
	     (unsigned long long)s->installed, (unsigned long long)s->pending,
	     (unsigned long long)s->continued, (unsigned long long)s->denied,
	     (unsigned long long)s->failed, (unsigned long long)s->opts_copied,
	     (unsigned long long)s->opts_failed, mb_broker_waiting(r->broker));
	mb_broker_set_loop(r->broker, NULL);
	mb_loop_free(r->loop);
	mb_notifier_free(n);
	return 0;
}

static void cleanup(void)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpl);
	if (system(cmd) != 0)
		diag("could not remove %s", tmpl);
}

static void check_brokered(struct run *r)
{
	char t[64];
	has(r, "tcp4-block", "rc=0 errno=0 ");
	has(r, "tcp4-block", "reply=host:tcp4-block");
	has(r, "tcp4-block", "keepalive=1 nodelay=1 rcvbuf=131072 keepidle=77 ");
	has(r, "tcp4-block", "cloexec=1 nonblock=0");
	has(r, "tcp4-nonblock", "rc=-1 errno=EINPROGRESS soerr=0 ");
	has(r, "tcp4-nonblock", "cloexec=0 nonblock=1 reply=host:tcp4-nonblock");
	has(r, "tcp4-nonblock", "keepalive=1 nodelay=1 rcvbuf=131072 keepidle=77 ");
	has(r, "tcp6-block", "rc=0 errno=0 ");
	has(r, "tcp6-block", "v6only=1 cloexec=0 nonblock=0 reply=host:tcp6-block");
	has(r, "tcp6-nonblock", "rc=-1 errno=EINPROGRESS soerr=0 ");
	has(r, "tcp6-nonblock", "v6only=1 cloexec=1 nonblock=1 reply=host:tcp6-nonblock");
	has(r, "tcp6-mapped", "rc=0 errno=0 ");
	has(r, "tcp6-mapped", "v6only=0 cloexec=1 nonblock=0 reply=host:tcp6-mapped");
	has(r, "tcp6-mapped-v6only", "rc=-1 errno=ENETUNREACH ");
	has(r, "udp4", "errno=0 reply=host:udp4");
	has(r, "udp6", "errno=0 reply=host:udp6");
	has(r, "refused-block", "rc=-1 errno=ECONNREFUSED ");
	const char *rn = line(r, "refused-nonblock");
	ok(strstr(rn, "errno=ECONNREFUSED") || strstr(rn, "errno=EINPROGRESS soerr=ECONNREFUSED"),
	   "refused-nonblock: the server sees ECONNREFUSED (%s)", rn);

	/* Not granted, the host listens, the sandbox does not: inside. */
	has(r, "secret", "rc=-1 errno=ECONNREFUSED");
	snprintf(t, sizeof(t), "127.0.0.1:%d", H.p_secret);
	const struct report_rec *rep = find_report(MB_OP_CONNECT, t);
	ok(rep && !rep->allowed && strstr(rep->reason, "the host does"),
	   "secret: reported, denied, as the host's loopback (%s)", rep ? rep->reason : "no report");
	has(r, "remote", "rc=-1 errno=EPERM");
	rep = find_report(MB_OP_CONNECT, "192.0.2.1:80");
	ok(rep && !rep->allowed && strcmp(rep->reason, "not granted") == 0,
	   "remote: reported, denied, not granted");

	/* The sandbox's own listener, on the port the host's secret has. */
	has(r, "inside", "bind=0 connect=0 got=inside");
	has(r, "udp-inside", "sent=5 errno=0 got=dgram");

	has(r, "sendto-granted", "sent=-1 errno=EPERM");
	snprintf(t, sizeof(t), "127.0.0.1:%d", H.p_udp4);
	rep = find_report(MB_OP_CONNECT, t);
	ok(rep && strstr(rep->reason, "connect() it first"),
	   "sendto-granted: reported: connect first (%s)", rep ? rep->reason : "no report");

	has(r, "rebroker", "first=0 reply=host:rebroker reconnect=EPERM sendto=EPERM after=host:still");

	has(r, "hole", "rc=-1 errno=EINPROGRESS");
	has(r, "beside-hole", "rc=0 errno=0 ");
	has(r, "beside-hole", "reply=host:beside-hole");
	int ib = line_index(r, "beside-hole"), ih = line_index(r, "hole");
	ok(ib >= 0 && ih >= 0 && ib < ih,
	   "a connect that waits does not hold up another thread's (beside-hole before hole)");

	has(r, "abstract", "rc=-1 errno=ECONNREFUSED");
	/* Names and autobound ports of its own network namespace. */
	has(r, "abstract-bind", "rc=0 errno=0");
	has(r, "listen4", "rc=0 errno=0");
	has(r, "bind", "errno=0 listen=0 reuseaddr=1");
	has(r, "accepted", "got=from-host");

	const struct mb_broker_stats *s = mb_broker_stats(r->broker);
	ok(s->installed >= 9, "host sockets installed in the server (%llu)",
	   (unsigned long long)s->installed);
	/* Most loopback connects are done within the broker's own connect();
	 * the hole's is not, and waits in the event loop. */
	ok(s->pending >= 1, "a blocking connect answered from the event loop (%llu)",
	   (unsigned long long)s->pending);
	is_int(mb_broker_waiting(r->broker), 0, "no connect left waiting");
}

static void check_host(struct run *r)
{
	char t[64];
	has(r, "host-tcp4", "rc=0 errno=0 ");
	has(r, "host-tcp4", "reply=host:host-tcp4");
	has(r, "host-secret", "rc=-1 errno=EPERM");
	snprintf(t, sizeof(t), "127.0.0.1:%d", H.p_secret);
	const struct report_rec *rep = find_report(MB_OP_CONNECT, t);
	ok(rep && !rep->allowed, "host-secret: reported, denied");
	has(r, "host-refused", "rc=-1 errno=ECONNREFUSED");
	snprintf(t, sizeof(t), "127.0.0.1:%d", H.p_refused);
	ok(!find_report(MB_OP_CONNECT, t), "host-refused: a probe, not reported");
	has(r, "host-udp4", "errno=0 reply=host:host-udp4");
	/* Landlock ABI 6 scopes abstract unix sockets to the sandbox. */
	has(r, "abstract", "rc=-1 errno=EPERM");
	/* listen without bind would bind every host address on a port the
	 * kernel picks. (A bind of a host abstract name is the correlator's
	 * to refuse: test-correlate.) */
	has(r, "host-listen4", "rc=-1 errno=EPERM");
	has(r, "host-listen6", "rc=-1 errno=EPERM");
	const struct report_rec *l4 = find_report(MB_OP_BIND, "0.0.0.0:0");
	ok(l4 && !l4->allowed, "host-listen4: reported as a bind of 0.0.0.0:0, denied");
	ok(find_report(MB_OP_BIND, "[::]:0") != NULL, "host-listen6: reported as a bind of [::]:0");
}

int main(void)
{
	if (!mkdtemp(tmpl) || !realpath(tmpl, T)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	atexit(cleanup);
	chmod(T, 0755);
	diag("running as uid %d in %s", (int)getuid(), T);
	/* The client, copied where the sandbox shows it. */
	char src[PATH_MAX], dst[PATH_MAX], cmd[3 * PATH_MAX];
	snprintf(src, sizeof(src), "%s/tests/broker/broker-client", MB_BUILDDIR);
	snprintf(dst, sizeof(dst), "%s/broker-client", T);
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", src, dst);
	if (system(cmd) != 0) {
		printf("Bail out! cannot copy %s\n", src);
		return 1;
	}
	if (host_setup() < 0) {
		printf("Bail out! the host's servers: %s\n", strerror(errno));
		return 1;
	}
	add_mount("/proc", MB_MOUNT_PROC, 0);
	add_mount("/dev", MB_MOUNT_DEV, 0);
	add_mount("/usr", MB_MOUNT_BIND_RO, R | X);
	add_mount("/lib", MB_MOUNT_BIND_RO, R | X);
	add_mount("/lib64", MB_MOUNT_BIND_RO, R | X);
	add_mount(T, MB_MOUNT_BIND_RO, R | X);
	plan.cwd = "/";
	/* A sanitizer build: LeakSanitizer's ptrace is refused in the sandbox
	 * (as it should be); the client's leaks are not what is tested. */
	static char *env[] = { "ASAN_OPTIONS=detect_leaks=0", NULL };
	plan.envp.v = env;
	plan.envp.n = 1;
	/* Network host: Landlock's TCP ports, as the plan compiler would
	 * make them for the grants of the host run. */
	struct mb_net_rule *nr = mb_vec_new(&plan.net_rules);
	nr->port = (uint16_t)H.p_tcp4;
	nr->ops = 1u << MB_OP_CONNECT;

	/* Both sandboxes are spawned while this process is single-threaded
	 * (sandbox.h); the host run's client waits at its first watched call
	 * until its turn. */
	struct run rb = { 0 }, rh = { 0 };
	if (run_client(&rb, MB_NET_BROKERED) < 0 || run_client(&rh, MB_NET_HOST) < 0)
		return done_testing();
	ok(rb.sb.layers.netns, "[brokered] the sandbox has its own network namespace");
	ok(!rh.sb.layers.netns, "[host] the host's network namespace");
	pthread_create(&H.thread, NULL, host_servers, NULL);
	if (serve(&rb, MB_NET_BROKERED) == 0)
		check_brokered(&rb);
	host_run = true;
	nreports = 0;
	if (serve(&rh, MB_NET_HOST) == 0)
		check_host(&rh);

	if (write(H.stop[1], "x", 1) != 1)
		diag("cannot stop the servers");
	pthread_join(H.thread, NULL);
	is_int(H.secret_accepted, 0, "the host's secret listener was never reached");
	is_int(H.abstract_accepted, 0, "the host's abstract socket was never reached");
	ok(!strstr(H.udp_seen, "leak"), "the refused datagram never reached the host");
	mb_broker_free(rb.broker);
	mb_broker_free(rh.broker);
	mb_sandbox_close(&rb.sb);
	mb_sandbox_close(&rh.sb);
	return done_testing();
}
