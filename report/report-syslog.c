/* SPDX-License-Identifier: Apache-2.0 */
/* --report syslog: each report line as one syslog message, facility authpriv
 * (reports name what a sandboxed server tried to read: security data), tag
 * "membrane", the JSON line as the message.
 *
 * We speak the local syslog protocol ourselves -- the datagram that glibc's
 * syslog(3) sends to /dev/log, "<PRI>Mmm dd hh:mm:ss membrane[PID]: MSG" --
 * rather than call syslog(3), for two reasons: syslog(3) returns nothing, so
 * a report that reached no one would go unnoticed, and membrane fails closed
 * (docs/design.md "Failure philosophy"); and syslog(3) cannot be aimed at another socket, which the
 * tests need (--report syslog:PATH). Like syslog(3) we reconnect once when
 * the receiver restarted, and fall back to a stream socket when /dev/log is
 * one (syslog-ng's unix-stream(), messages ended by a NUL).
 *
 * When libsystemd was found at build time and journald listens on its native
 * socket, the line goes to journald with sd_journal_sendv instead, with
 * structured fields (MEMBRANE_EVENT=, MEMBRANE_TOOL=, ...) that journalctl
 * can match on; syslog forwarding from journald keeps the plain path.
 * libsystemd is opened only then (dlopen): linked, it and its six
 * dependencies would be loaded at every start of membrane-run, a cost of
 * the order of a whole namespace set-up. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>

#ifdef HAVE_LIBSYSTEMD
#include <dlfcn.h>
#include <systemd/sd-journal.h>
#endif

#include "common/strbuf.h"
#include "common/vec.h"
#include "report/report-sink.h"

#define MB_SYSLOG_TAG "membrane"
#define MB_DEV_LOG "/dev/log"
#define MB_JOURNAL_SOCKET "/run/systemd/journal/socket"

struct mb_report_syslog {
	char *path; /* the syslog socket; NULL when journald receives */
	int fd;
	int type;
#ifdef HAVE_LIBSYSTEMD
	void *libsystemd;
	__typeof__(sd_journal_sendv) *journal_sendv;
#endif
};

/* Severity by event: what an operator's syslog filter would want to page on.
 * A decoy touched or its canary seen leaving is never an accident: crit. */
static int severity(const char *event)
{
	static const struct {
		const char *event;
		int pri;
	} map[] = {
		{ "violation", LOG_WARNING }, { "poisoning", LOG_WARNING }, { "secret", LOG_WARNING },
		{ "error", LOG_ERR },	      { "refused", LOG_NOTICE },    { "limit", LOG_NOTICE },
		{ "anomaly", LOG_WARNING },   { "killed", LOG_WARNING },    { "decoy", LOG_CRIT },
		{ "exfiltration", LOG_CRIT },
	};
	for (size_t i = 0; i < ARRAY_SIZE(map); i++)
		if (strcmp(event, map[i].event) == 0)
			return map[i].pri;
	return LOG_INFO;
}

static int unix_addr(const char *path, struct sockaddr_un *sa)
{
	*sa = (struct sockaddr_un){ .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(sa->sun_path))
		return -ENAMETOOLONG;
	strcpy(sa->sun_path, path);
	return 0;
}

/* Connect to a syslog socket: datagram first, stream if it is one. */
static int connect_syslog(const char *path, int *type)
{
	struct sockaddr_un sa;
	int e = unix_addr(path, &sa);
	if (e < 0)
		return e;
	const int types[] = { SOCK_DGRAM, SOCK_STREAM };
	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		int fd = socket(AF_UNIX, types[i] | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return mb_neg_errno();
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			*type = types[i];
			return fd;
		}
		e = mb_neg_errno();
		mb_close(fd);
		if (e != -EPROTOTYPE)
			return e;
	}
	return e;
}

#ifdef HAVE_LIBSYSTEMD
/* Is journald there to receive? Its native socket exists and accepts a
 * datagram connection (a stale socket file refuses it). */
static bool journald_listens(void)
{
	struct stat st;
	if (stat(MB_JOURNAL_SOCKET, &st) < 0 || !S_ISSOCK(st.st_mode))
		return false;
	int type;
	int fd = connect_syslog(MB_JOURNAL_SOCKET, &type);
	if (fd < 0)
		return false;
	mb_close(fd);
	return type == SOCK_DGRAM;
}
#endif

int mb_report_syslog_open(const char *socket_path, struct mb_report_syslog **ret,
			  struct mb_error *err)
{
	struct mb_report_syslog *s = calloc(1, sizeof(*s));
	if (!s)
		return mb_error_set(err, -ENOMEM, "out of memory");
	s->fd = -1;
#ifdef HAVE_LIBSYSTEMD
	if (!socket_path && journald_listens() &&
	    (s->libsystemd = dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL))) {
		s->journal_sendv = (__typeof__(sd_journal_sendv) *)dlsym(s->libsystemd, "sd_journal_sendv");
		if (s->journal_sendv) {
			*ret = s;
			return 0;
		}
		/* No usable libsystemd: journald still reads /dev/log. */
		dlclose(s->libsystemd);
		s->libsystemd = NULL;
	}
#endif
	s->path = strdup(socket_path ? socket_path : MB_DEV_LOG);
	if (!s->path) {
		free(s);
		return mb_error_set(err, -ENOMEM, "out of memory");
	}
	s->fd = connect_syslog(s->path, &s->type);
	if (s->fd < 0) {
		int e = s->fd;
		mb_error_set(err, e,
			     "--report syslog: cannot connect to the syslog socket %s: %s "
			     "(is a syslog daemon or journald running?)",
			     s->path, strerror(-e));
		mb_report_syslog_close(s);
		return e;
	}
	*ret = s;
	return 0;
}

void mb_report_syslog_close(struct mb_report_syslog *s)
{
	if (!s)
		return;
	mb_close(s->fd);
	free(s->path);
#ifdef HAVE_LIBSYSTEMD
	if (s->libsystemd)
		dlclose(s->libsystemd);
#endif
	free(s);
}

static int send_all(int fd, const char *buf, size_t len, int type)
{
	if (type == SOCK_DGRAM) {
		/* One datagram, whole or not at all. */
		for (;;) {
			ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
			if (n == (ssize_t)len)
				return 0;
			if (n >= 0)
				return -EIO;
			if (errno != EINTR)
				return mb_neg_errno();
		}
	}
	/* Our own stream connection: nobody else writes on it, so a loop
	 * cannot interleave. */
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return mb_neg_errno();
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int send_syslog(struct mb_report_syslog *s, int pri, const char *json, size_t len)
{
	static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	_cleanup_(mb_strbuf_free) struct mb_strbuf b = { 0 };
	/* RFC 3164 as syslog(3) writes it on the local socket: no hostname. */
	mb_strbuf_printf(&b, "<%d>%s %2d %02d:%02d:%02d %s[%ld]: ", pri, months[tm.tm_mon],
			 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, MB_SYSLOG_TAG,
			 (long)getpid());
	mb_strbuf_append(&b, json, len);
	if (mb_strbuf_failed(&b))
		return -ENOMEM;
	/* On a stream socket the NUL ends the message, as syslog(3) does. */
	size_t n = b.len + (s->type == SOCK_STREAM);
	int e = send_all(s->fd, b.s, n, s->type);
	if (e == -ECONNREFUSED || e == -ENOTCONN || e == -ECONNRESET || e == -EPIPE) {
		/* The daemon restarted: reconnect once, as syslog(3) does. */
		mb_close(s->fd);
		s->fd = connect_syslog(s->path, &s->type);
		if (s->fd < 0)
			return s->fd;
		n = b.len + (s->type == SOCK_STREAM);
		e = send_all(s->fd, b.s, n, s->type);
	}
	return e;
}

#ifdef HAVE_LIBSYSTEMD
struct journal_fields {
	MB_VEC(struct iovec) iov;
	MB_VEC(char *) owned;
	bool oom;
};

static void journal_fields_free(struct journal_fields *j)
{
	mb_vec_foreach(p, &j->owned) free(*p);
	mb_vec_free(&j->owned);
	mb_vec_free(&j->iov);
}

/* NAME=value; a value may hold any bytes (sd_journal_sendv encodes a
 * newline-bearing one in the binary form). */
static void journal_add(struct journal_fields *j, const char *name, const char *value,
			size_t len)
{
	if (j->oom)
		return;
	size_t nl = strlen(name);
	char *f = malloc(nl + 1 + len + 1);
	if (!f || mb_vec_push(&j->owned, f) < 0) {
		free(f);
		j->oom = true;
		return;
	}
	memcpy(f, name, nl);
	f[nl] = '=';
	memcpy(f + nl + 1, value, len);
	f[nl + 1 + len] = '\0';
	if (mb_vec_push(&j->iov, ((struct iovec){ f, nl + 1 + len })) < 0)
		j->oom = true;
}

static void journal_add_str(struct journal_fields *j, const char *name, const char *value)
{
	journal_add(j, name, value, strlen(value));
}

static void journal_add_member(struct journal_fields *j, const char *name, const cJSON *fields,
			       const char *member)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(fields, member);
	if (cJSON_IsString(v) && v->valuestring)
		journal_add_str(j, name, v->valuestring);
}

/* One MEMBRANE_TOOL= per distinct tool named by the requests in flight (or
 * the refused request): journald keeps repeated fields, and
 * `journalctl MEMBRANE_TOOL=x` matches any of them. */
static void journal_add_tool(struct journal_fields *j, const cJSON *req)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(req, "tool");
	if (!cJSON_IsString(t) || !t->valuestring)
		return;
	for (size_t i = 0; i < j->iov.n; i++) {
		const struct iovec *v = &j->iov.v[i];
		size_t tl = strlen(t->valuestring);
		if (v->iov_len == 14 + tl && memcmp(v->iov_base, "MEMBRANE_TOOL=", 14) == 0 &&
		    memcmp((char *)v->iov_base + 14, t->valuestring, tl) == 0)
			return;
	}
	journal_add_str(j, "MEMBRANE_TOOL", t->valuestring);
}

static int send_journal(const struct mb_report_syslog *s, int pri, const char *event,
			const char *json, size_t len,
			const cJSON *fields, const char *profile, const char *session,
			uint64_t seq)
{
	_cleanup_(journal_fields_free) struct journal_fields j = { 0 };
	char num[32];
	journal_add(&j, "MESSAGE", json, len);
	snprintf(num, sizeof(num), "%d", pri);
	journal_add_str(&j, "PRIORITY", num);
	snprintf(num, sizeof(num), "%d", LOG_AUTHPRIV >> 3);
	journal_add_str(&j, "SYSLOG_FACILITY", num);
	journal_add_str(&j, "SYSLOG_IDENTIFIER", MB_SYSLOG_TAG);
	journal_add_str(&j, "MEMBRANE_EVENT", event);
	journal_add_str(&j, "MEMBRANE_PROFILE", profile);
	journal_add_str(&j, "MEMBRANE_SESSION", session);
	snprintf(num, sizeof(num), "%llu", (unsigned long long)seq);
	journal_add_str(&j, "MEMBRANE_SEQ", num);
	if (fields) {
		journal_add_member(&j, "MEMBRANE_OP", fields, "op");
		journal_add_member(&j, "MEMBRANE_DECISION", fields, "decision");
		journal_add_member(&j, "MEMBRANE_TARGET", fields, "target");
		journal_add_member(&j, "MEMBRANE_KIND", fields, "kind");
		/* The second round's events (membrane-report(5), JOURNALD). */
		journal_add_member(&j, "MEMBRANE_OUTCOME", fields, "outcome");
		journal_add_member(&j, "MEMBRANE_BUDGET", fields, "budget");
		journal_add_member(&j, "MEMBRANE_METRIC", fields, "metric");
		journal_add_member(&j, "MEMBRANE_DECOY", fields, "decoy");
		journal_add_member(&j, "MEMBRANE_KEY_ID", fields, "key_id");
		journal_add_member(&j, "MEMBRANE_KILLED_BY",
				   cJSON_GetObjectItemCaseSensitive(fields, "by"), "via");
		const cJSON *req;
		cJSON_ArrayForEach(req, cJSON_GetObjectItemCaseSensitive(fields, "requests"))
			journal_add_tool(&j, req);
		journal_add_tool(&j, cJSON_GetObjectItemCaseSensitive(fields, "request"));
	}
	if (j.oom)
		return -ENOMEM;
	int e = s->journal_sendv(j.iov.v, (int)j.iov.n);
	return e < 0 ? e : 0;
}
#endif

int mb_report_syslog_send(struct mb_report_syslog *s, const char *event, const char *json,
			  size_t len, const cJSON *fields, const char *profile,
			  const char *session, uint64_t seq)
{
#ifdef HAVE_LIBSYSTEMD
	/* journald takes the severity alone; the facility has its own field. */
	if (!s->path)
		return send_journal(s, severity(event), event, json, len, fields, profile, session, seq);
#endif
	return send_syslog(s, LOG_AUTHPRIV | severity(event), json, len);
}
