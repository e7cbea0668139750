/* SPDX-License-Identifier: Apache-2.0 */
/* --report syslog, received for real: a unix socket the test binds
 * (syslog:PATH), the default /dev/log and journald's native socket (in a
 * private mount namespace where the test owns /dev and /run). */
#include <fcntl.h>
#include <regex.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <nettle/sha2.h>

#include "report/report.h"
#include "tests/tap.h"

static char dir[] = "/tmp/test-report-syslog.XXXXXX";

static int bind_unix(const char *path, int type)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
	unlink(path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		diag("bind %s: %s", path, strerror(errno));
		return -1;
	}
	if (type == SOCK_STREAM)
		listen(fd, 4);
	return fd;
}

/* Receive one datagram, waiting at most a few seconds (a missing message
 * must fail the test, not hang it). */
static ssize_t recv_dgram(int fd, char *buf, size_t size)
{
	struct timeval tv = { 5, 0 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	ssize_t n = recv(fd, buf, size - 1, 0);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

static cJSON *violation(const char *tool2)
{
	cJSON *f = cJSON_CreateObject();
	cJSON_AddStringToObject(f, "op", "read");
	cJSON_AddStringToObject(f, "target", "/root/.ssh/id_rsa");
	cJSON_AddStringToObject(f, "decision", "denied");
	cJSON *reqs = cJSON_AddArrayToObject(f, "requests");
	const char *tools[] = { "read_text_file", tool2, "read_text_file" };
	for (int i = 0; i < 3; i++) {
		if (!tools[i])
			continue;
		cJSON *r = cJSON_CreateObject();
		cJSON_AddNumberToObject(r, "id", i);
		cJSON_AddStringToObject(r, "tool", tools[i]);
		cJSON_AddItemToArray(reqs, r);
	}
	return f;
}

static cJSON *refused(void)
{
	cJSON *f = cJSON_CreateObject();
	cJSON *r = cJSON_AddObjectToObject(f, "request");
	cJSON_AddNumberToObject(r, "id", 9);
	cJSON_AddStringToObject(r, "method", "tools/call");
	cJSON_AddStringToObject(r, "tool", "write_file");
	cJSON_AddStringToObject(f, "reason", "undeclared tool");
	return f;
}

static void sha256_hex(const char *s, char out[65])
{
	struct sha256_ctx c;
	uint8_t d[SHA256_DIGEST_SIZE];
	sha256_init(&c);
	sha256_update(&c, strlen(s), (const uint8_t *)s);
	sha256_digest(&c, sizeof(d), d);
	for (int i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

/* Check "<PRI>Mmm dd hh:mm:ss membrane[PID]: JSON"; returns the JSON. */
static const char *check_syslog_line(const char *msg, int want_pri, pid_t want_pid,
				     const char *what)
{
	regex_t re;
	regmatch_t m[4];
	regcomp(&re,
		"^<([0-9]+)>(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ 123][0-9] "
		"[0-2][0-9]:[0-5][0-9]:[0-6][0-9] membrane\\[([0-9]+)\\]: \\{",
		REG_EXTENDED);
	int rc = regexec(&re, msg, 4, m, 0);
	regfree(&re);
	if (!ok(rc == 0, "%s: the syslog header is <PRI>TIMESTAMP membrane[PID]: ", what)) {
		diag("got: %.120s", msg);
		return NULL;
	}
	is_int(atoi(msg + m[1].rm_so), want_pri, "%s: priority is authpriv + severity", what);
	is_int(atoi(msg + m[3].rm_so), want_pid, "%s: the pid is the sender's", what);
	return msg + m[3].rm_eo + 3;
}

static void test_dgram(void)
{
	char path[96];
	snprintf(path, sizeof(path), "%s/log", dir);
	int rx = bind_unix(path, SOCK_DGRAM);
	char dest[128];
	snprintf(dest, sizeof(dest), "syslog:%s", path);
	struct mb_error err = { 0 };
	struct mb_reporter *r = NULL;
	is_int(mb_reporter_open(dest, "fs", MB_MODE_ENFORCE, &r, &err), 0, "open %s", dest);
	cJSON *v = violation(NULL), *rf = refused();
	cJSON *er = cJSON_CreateObject();
	cJSON_AddStringToObject(er, "reason", "x");
	struct { const char *event; const cJSON *f; int pri; } ev[] = {
		{ "start", NULL, 86 }, /* authpriv (10 << 3) | info */
		{ "violation", v, 84 }, /* warning */
		{ "refused", rf, 85 }, /* notice */
		{ "error", er, 83 }, /* err */
		{ "exit", NULL, 86 },
	};
	char prev[65];
	memset(prev, '0', 64);
	prev[64] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(ev); i++) {
		is_int(mb_reporter_emit(r, ev[i].event, ev[i].f), 0, "emit %s", ev[i].event);
		char buf[8192];
		ssize_t n = recv_dgram(rx, buf, sizeof(buf));
		if (!ok(n > 0, "%s: one datagram received", ev[i].event))
			continue;
		const char *json = check_syslog_line(buf, ev[i].pri, getpid(), ev[i].event);
		if (!json)
			continue;
		ok(!strchr(buf, '\n'), "%s: no newline in the message", ev[i].event);
		cJSON *o = cJSON_Parse(json);
		ok(o && strcmp(cJSON_GetObjectItem(o, "event")->valuestring, ev[i].event) == 0,
		   "%s: the message is the JSON line", ev[i].event);
		ok(o && cJSON_GetObjectItem(o, "seq")->valuedouble == i, "%s: seq", ev[i].event);
		is_str(o ? cJSON_GetObjectItem(o, "prev")->valuestring : NULL, prev,
		       "%s: prev chains over the messages", ev[i].event);
		sha256_hex(json, prev);
		cJSON_Delete(o);
	}

	/* The receiver restarts (a new socket at the same path): the reporter
	 * reconnects once and the line arrives. */
	close(rx);
	rx = bind_unix(path, SOCK_DGRAM);
	is_int(mb_reporter_emit(r, "exit", NULL), 0, "emit after the receiver restarted");
	char buf[8192];
	ok(recv_dgram(rx, buf, sizeof(buf)) > 0 && strstr(buf, "\"seq\":5"),
	   "the new receiver got seq 5");

	/* No receiver at all: the emit fails (the caller stops the server). */
	close(rx);
	unlink(path);
	ok(mb_reporter_emit(r, "exit", NULL) < 0, "emit with no receiver fails");
	mb_reporter_close(r);
	cJSON_Delete(v);
	cJSON_Delete(rf);
	cJSON_Delete(er);

	r = NULL;
	is_int(mb_reporter_open(dest, "fs", MB_MODE_ENFORCE, &r, &err), -ENOENT,
	       "open with no socket fails");
	ok(strstr(err.msg, path) != NULL, "the message names the socket: %s", err.msg);
	rx = bind_unix(path, SOCK_DGRAM);
	close(rx);
	is_int(mb_reporter_open(dest, "fs", MB_MODE_ENFORCE, &r, &err), -ECONNREFUSED,
	       "open on a stale socket file fails");
	unlink(path);
}

static void test_stream(void)
{
	char path[96];
	snprintf(path, sizeof(path), "%s/slog", dir);
	int lfd = bind_unix(path, SOCK_STREAM);
	char dest[128];
	snprintf(dest, sizeof(dest), "syslog:%s", path);
	struct mb_error err = { 0 };
	struct mb_reporter *r = NULL;
	is_int(mb_reporter_open(dest, "fs", MB_MODE_ENFORCE, &r, &err), 0,
	       "open a stream syslog socket");
	is_int(mb_reporter_emit(r, "start", NULL), 0, "emit 1 on the stream");
	is_int(mb_reporter_emit(r, "exit", NULL), 0, "emit 2 on the stream");
	mb_reporter_close(r);
	int c = accept(lfd, NULL, NULL);
	char buf[8192];
	size_t got = 0;
	ssize_t n;
	while (c >= 0 && (n = read(c, buf + got, sizeof(buf) - 1 - got)) > 0)
		got += (size_t)n;
	buf[got] = '\0';
	ok(got > 0 && buf[got - 1] == '\0', "messages end with a NUL on a stream");
	const char *second = buf + strlen(buf) + 1;
	ok(second < buf + got && check_syslog_line(buf, 86, getpid(), "stream 1") &&
		   check_syslog_line(second, 86, getpid(), "stream 2"),
	   "two framed messages");
	close(c);
	close(lfd);
	unlink(path);
}

/* The default destination, in a mount namespace of our own where /dev and
 * /run are empty tmpfs: the receivers the test binds there are the only
 * ones. Datagrams go back to the parent through a pipe, length-prefixed. */
static int enter_private_mounts(void)
{
	uid_t uid = getuid();
	gid_t gid = getgid();
	if (unshare(CLONE_NEWNS) < 0) {
		/* Not root: a user namespace gives the right to mount. */
		if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
			return -1;
		char map[64];
		int fd = open("/proc/self/setgroups", O_WRONLY);
		if (fd < 0 || write(fd, "deny", 4) != 4)
			return -1;
		close(fd);
		snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
		fd = open("/proc/self/uid_map", O_WRONLY);
		if (fd < 0 || write(fd, map, strlen(map)) < 0)
			return -1;
		close(fd);
		snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
		fd = open("/proc/self/gid_map", O_WRONLY);
		if (fd < 0 || write(fd, map, strlen(map)) < 0)
			return -1;
		close(fd);
	}
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("tmpfs", "/run", "tmpfs", 0, "mode=0755") < 0 ||
	    mount("tmpfs", "/dev", "tmpfs", 0, "mode=0755") < 0)
		return -1;
	return 0;
}

static void send_back(int pfd, const char *tag, const char *buf, ssize_t n)
{
	uint32_t len = n < 0 ? 0 : (uint32_t)n;
	char t[16] = { 0 };
	snprintf(t, sizeof(t), "%s", tag);
	if (write(pfd, t, sizeof(t)) < 0 || write(pfd, &len, sizeof(len)) < 0 ||
	    (len && write(pfd, buf, len) < 0))
		_exit(3);
}

static void child_default(int pfd, bool with_journal)
{
	if (enter_private_mounts() < 0) {
		send_back(pfd, "setup-failed", strerror(errno), (ssize_t)strlen(strerror(errno)));
		_exit(1);
	}
	int devlog = bind_unix("/dev/log", SOCK_DGRAM);
	int journal = -1;
	if (with_journal) {
		mkdir("/run/systemd", 0755);
		mkdir("/run/systemd/journal", 0755);
		journal = bind_unix("/run/systemd/journal/socket", SOCK_DGRAM);
	}
	struct mb_error err = { 0 };
	struct mb_reporter *r = NULL;
	if (mb_reporter_open("syslog", "fs", MB_MODE_AUDIT, &r, &err) < 0) {
		send_back(pfd, "open-failed", err.msg, (ssize_t)strlen(err.msg));
		_exit(1);
	}
	cJSON *v = violation("read_multiple_files"), *rf = refused();
	int e = mb_reporter_emit(r, "violation", v);
	if (e == 0)
		e = mb_reporter_emit(r, "refused", rf);
	/* The second round's events, for journald's fields. */
	static const char *const more[][2] = {
		{ "call", "{\"request\":{\"id\":3,\"method\":\"tools/call\",\"tool\":\"query\"},\"outcome\":\"tool_error\"}" },
		{ "limit", "{\"budget\":\"connects\",\"tool\":\"query\",\"request\":{\"tool\":\"query\"}}" },
		{ "decoy", "{\"op\":\"read\",\"target\":\"/home/a/.ssh/id_rsa\",\"decision\":\"denied\"}" },
		{ "exfiltration", "{\"decoy\":\"/home/a/.ssh/id_rsa\",\"where\":\"result\"}" },
		{ "killed", "{\"by\":{\"via\":\"control\",\"pid\":1}}" },
	};
	for (size_t i = 0; with_journal && e == 0 && i < ARRAY_SIZE(more); i++) {
		cJSON *f = cJSON_Parse(more[i][1]);
		e = mb_reporter_emit(r, more[i][0], f);
		cJSON_Delete(f);
	}
	if (e < 0) {
		send_back(pfd, "emit-failed", strerror(-e), (ssize_t)strlen(strerror(-e)));
		_exit(1);
	}
	static char buf[65536];
	/* Whatever each receiver got; the empty socket times out quickly. */
	for (int i = 0; i < (with_journal ? 7 : 2); i++) {
		struct timeval tv = { 0, 200000 };
		setsockopt(devlog, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		ssize_t n = recv(devlog, buf, sizeof(buf), 0);
		if (n > 0)
			send_back(pfd, "devlog", buf, n);
		if (journal >= 0) {
			setsockopt(journal, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
			n = recv(journal, buf, sizeof(buf), 0);
			if (n > 0)
				send_back(pfd, "journal", buf, n);
		}
	}
	mb_reporter_close(r);
	cJSON_Delete(v);
	cJSON_Delete(rf);
	_exit(0);
}

struct msg {
	char tag[16];
	char *data;
	uint32_t len;
};

static int run_child(bool with_journal, struct msg *msgs, int max, pid_t *child)
{
	int p[2];
	if (pipe(p) < 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		child_default(p[1], with_journal);
	}
	close(p[1]);
	*child = pid;
	int n = 0;
	struct msg m;
	while (n < max && read(p[0], m.tag, sizeof(m.tag)) == sizeof(m.tag) &&
	       read(p[0], &m.len, sizeof(m.len)) == sizeof(m.len)) {
		m.data = calloc(1, m.len + 1);
		size_t got = 0;
		ssize_t k;
		while (got < m.len && (k = read(p[0], m.data + got, m.len - got)) > 0)
			got += (size_t)k;
		msgs[n++] = m;
	}
	close(p[0]);
	int status;
	waitpid(pid, &status, 0);
	if (n > 0 && !WIFEXITED(status))
		diag("child died: %d", status);
	for (int i = 0; i < n; i++)
		if (strstr(msgs[i].tag, "failed"))
			diag("%s: %s", msgs[i].tag, msgs[i].data);
	return n;
}

/* journald's native protocol: KEY=VALUE\n, or KEY\n + le64 size + bytes + \n. */
static int journal_fields(const char *d, uint32_t len, char *keys[], char *vals[], int max)
{
	int n = 0;
	const char *p = d, *end = d + len;
	while (p < end && n < max) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eq = memchr(p, '=', (size_t)(end - p));
		if (!nl)
			break;
		if (eq && eq < nl) {
			keys[n] = strndup(p, (size_t)(eq - p));
			vals[n] = strndup(eq + 1, (size_t)(nl - eq - 1));
			p = nl + 1;
		} else {
			uint64_t sz;
			keys[n] = strndup(p, (size_t)(nl - p));
			memcpy(&sz, nl + 1, 8);
			vals[n] = strndup(nl + 9, sz);
			p = nl + 9 + sz + 1;
		}
		n++;
	}
	return n;
}

static int count_field(char *keys[], char *vals[], int n, const char *k, const char *v)
{
	int c = 0;
	for (int i = 0; i < n; i++)
		c += strcmp(keys[i], k) == 0 && (!v || strcmp(vals[i], v) == 0);
	return c;
}

static void test_default_devlog(void)
{
	struct msg m[8];
	pid_t pid;
	int n = run_child(false, m, 8, &pid);
	is_int(n, 2, "without journald, 'syslog' delivers two messages");
	ok(n >= 1 && strcmp(m[0].tag, "devlog") == 0 && check_syslog_line(m[0].data, 84, pid, "/dev/log"),
	   "to /dev/log, as syslog(3) would");
	for (int i = 0; i < n; i++)
		free(m[i].data);
}

#ifdef HAVE_LIBSYSTEMD
static void test_default_journal(void)
{
	struct msg m[8];
	pid_t pid;
	int n = run_child(true, m, 8, &pid);
	is_int(n, 7, "with journald listening, 'syslog' delivers seven messages");
	int to_journal = 0;
	for (int i = 0; i < n; i++)
		to_journal += strcmp(m[i].tag, "journal") == 0;
	is_int(to_journal, n, "both went to journald's socket, none to /dev/log");
	if (n < 7) {
		for (int i = 0; i < n; i++)
			free(m[i].data);
		return;
	}
	char *k[64], *v[64];
	int f = journal_fields(m[0].data, m[0].len, k, v, 64);
	is_int(count_field(k, v, f, "MEMBRANE_EVENT", "violation"), 1, "MEMBRANE_EVENT=violation");
	is_int(count_field(k, v, f, "MEMBRANE_OP", "read"), 1, "MEMBRANE_OP=read");
	is_int(count_field(k, v, f, "MEMBRANE_DECISION", "denied"), 1, "MEMBRANE_DECISION=denied");
	is_int(count_field(k, v, f, "MEMBRANE_TARGET", "/root/.ssh/id_rsa"), 1, "MEMBRANE_TARGET");
	is_int(count_field(k, v, f, "MEMBRANE_PROFILE", "fs"), 1, "MEMBRANE_PROFILE");
	is_int(count_field(k, v, f, "MEMBRANE_SEQ", "0"), 1, "MEMBRANE_SEQ=0");
	is_int(count_field(k, v, f, "MEMBRANE_SESSION", NULL), 1, "MEMBRANE_SESSION");
	is_int(count_field(k, v, f, "MEMBRANE_TOOL", NULL), 2, "one MEMBRANE_TOOL per distinct tool");
	is_int(count_field(k, v, f, "MEMBRANE_TOOL", "read_multiple_files"), 1, "MEMBRANE_TOOL=read_multiple_files");
	is_int(count_field(k, v, f, "PRIORITY", "4"), 1, "PRIORITY=4 (warning)");
	is_int(count_field(k, v, f, "SYSLOG_FACILITY", "10"), 1, "SYSLOG_FACILITY=10 (authpriv)");
	is_int(count_field(k, v, f, "SYSLOG_IDENTIFIER", "membrane"), 1, "SYSLOG_IDENTIFIER=membrane");
	const char *msg = NULL, *session = NULL;
	for (int i = 0; i < f; i++) {
		if (strcmp(k[i], "MESSAGE") == 0)
			msg = v[i];
		if (strcmp(k[i], "MEMBRANE_SESSION") == 0)
			session = v[i];
	}
	cJSON *o = msg ? cJSON_Parse(msg) : NULL;
	ok(o && strcmp(cJSON_GetObjectItem(o, "event")->valuestring, "violation") == 0 &&
		   strcmp(cJSON_GetObjectItem(o, "mode")->valuestring, "audit") == 0,
	   "MESSAGE is the JSON line");
	is_str(o ? cJSON_GetObjectItem(o, "session")->valuestring : NULL, session,
	       "MEMBRANE_SESSION matches the line");
	cJSON_Delete(o);
	for (int i = 0; i < f; i++) {
		free(k[i]);
		free(v[i]);
	}
	f = journal_fields(m[1].data, m[1].len, k, v, 64);
	is_int(count_field(k, v, f, "MEMBRANE_EVENT", "refused"), 1, "MEMBRANE_EVENT=refused");
	is_int(count_field(k, v, f, "MEMBRANE_TOOL", "write_file"), 1, "a refused request's tool");
	is_int(count_field(k, v, f, "MEMBRANE_SEQ", "1"), 1, "MEMBRANE_SEQ=1");
	is_int(count_field(k, v, f, "MEMBRANE_OP", NULL), 0, "no MEMBRANE_OP when the event has none");
	is_int(count_field(k, v, f, "PRIORITY", "5"), 1, "PRIORITY=5 (notice)");
	for (int i = 0; i < f; i++) {
		free(k[i]);
		free(v[i]);
	}
	static const struct {
		const char *field, *value, *priority;
	} second[] = {
		{ "MEMBRANE_OUTCOME", "tool_error", "6" }, { "MEMBRANE_BUDGET", "connects", "5" },
		{ "MEMBRANE_TARGET", "/home/a/.ssh/id_rsa", "2" },
		{ "MEMBRANE_DECOY", "/home/a/.ssh/id_rsa", "2" }, { "MEMBRANE_KILLED_BY", "control", "4" },
	};
	for (size_t j = 0; j < ARRAY_SIZE(second); j++) {
		f = journal_fields(m[2 + j].data, m[2 + j].len, k, v, 64);
		is_int(count_field(k, v, f, second[j].field, second[j].value), 1, "%s=%s",
		       second[j].field, second[j].value);
		is_int(count_field(k, v, f, "PRIORITY", second[j].priority), 1, "... PRIORITY=%s",
		       second[j].priority);
		for (int i = 0; i < f; i++) {
			free(k[i]);
			free(v[i]);
		}
	}
	f = journal_fields(m[2].data, m[2].len, k, v, 64);
	is_int(count_field(k, v, f, "MEMBRANE_TOOL", "query"), 1, "a call line's tool is MEMBRANE_TOOL");
	for (int i = 0; i < f; i++) {
		free(k[i]);
		free(v[i]);
	}
	for (int i = 0; i < n; i++)
		free(m[i].data);
}
#endif

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_dgram();
	test_stream();
	test_default_devlog();
#ifdef HAVE_LIBSYSTEMD
	test_default_journal();
#else
	diag("built without libsystemd: the journald path is not compiled in");
#endif
	rmdir(dir);
	return done_testing();
}
