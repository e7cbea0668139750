/* SPDX-License-Identifier: Apache-2.0 */
/* The reporter writing to files and stderr: every line parses, the common
 * fields come first and in order, seq counts, prev chains, concurrent
 * writers never cut each other's lines, and failures are reported, not
 * hidden. */
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <nettle/sha2.h>

#include "report/report.h"
#include "tests/tap.h"

static char dir[] = "/tmp/test-report.XXXXXX";

static char *slurp(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	struct stat st;
	fstat(fd, &st);
	char *buf = malloc((size_t)st.st_size + 1);
	size_t got = 0;
	ssize_t n;
	while ((n = read(fd, buf + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)n;
	close(fd);
	buf[got] = '\0';
	*len = got;
	return buf;
}

/* Split in place into lines; returns the count. The last line must end with
 * a newline: a missing one is a partial line. */
static size_t split_lines(char *buf, size_t len, char ***lines, bool *partial)
{
	size_t n = 0, cap = 16;
	*lines = malloc(cap * sizeof(char *));
	*partial = len > 0 && buf[len - 1] != '\n';
	char *p = buf;
	while (p < buf + len) {
		char *nl = memchr(p, '\n', (size_t)(buf + len - p));
		if (!nl)
			nl = buf + len;
		*nl = '\0';
		if (n == cap)
			*lines = realloc(*lines, (cap *= 2) * sizeof(char *));
		(*lines)[n++] = p;
		p = nl + 1;
	}
	return n;
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

static bool valid_utf8(const unsigned char *s)
{
	while (*s) {
		int n = *s < 0x80 ? 1 : (*s & 0xe0) == 0xc0 ? 2 : (*s & 0xf0) == 0xe0 ? 3 : (*s & 0xf8) == 0xf0 ? 4 : 0;
		if (!n || (n > 1 && *s < 0xc2))
			return false;
		for (int i = 1; i < n; i++)
			if ((s[i] & 0xc0) != 0x80)
				return false;
		s += n;
	}
	return true;
}

static bool time_ok(const char *t)
{
	/* 2026-11-26T14:03:11.123456Z */
	const char *shape = "dddd-dd-ddTdd:dd:dd.ddddddZ";
	if (strlen(t) != strlen(shape))
		return false;
	for (size_t i = 0; shape[i]; i++)
		if (shape[i] == 'd' ? !(t[i] >= '0' && t[i] <= '9') : t[i] != shape[i])
			return false;
	return true;
}

static cJSON *fields_violation(const char *target)
{
	cJSON *f = cJSON_CreateObject();
	cJSON_AddNumberToObject(f, "pid", 4242);
	cJSON_AddStringToObject(f, "exe", "/usr/bin/node");
	cJSON_AddStringToObject(f, "op", "read");
	cJSON_AddStringToObject(f, "syscall", "openat");
	cJSON_AddStringToObject(f, "target", target);
	cJSON_AddStringToObject(f, "decision", "denied");
	cJSON_AddStringToObject(f, "reason", "not granted to read_text_file");
	cJSON *reqs = cJSON_AddArrayToObject(f, "requests");
	cJSON *r = cJSON_CreateObject();
	cJSON_AddNumberToObject(r, "id", 7);
	cJSON_AddStringToObject(r, "method", "tools/call");
	cJSON_AddStringToObject(r, "tool", "read_text_file");
	cJSON_AddItemToArray(reqs, r);
	return f;
}

static void test_chain(void)
{
	char path[64];
	snprintf(path, sizeof(path), "%s/chain.jsonl", dir);
	struct mb_error err = { 0 };
	struct mb_reporter *r = NULL;
	is_int(mb_reporter_open(path, "filesystem", MB_MODE_ENFORCE, &r, &err), 0, "open a file");
	struct stat st;
	ok(stat(path, &st) == 0 && (st.st_mode & 07777) == 0600, "the file is created 0600");
	char session[33];
	snprintf(session, sizeof(session), "%s", mb_reporter_session(r));
	ok(strlen(session) == 32 && strspn(session, "0123456789abcdef") == 32,
	   "session is 32 lowercase hex digits");
	is_str(mb_reporter_dest(r), path, "dest is kept for messages");

	cJSON *start = cJSON_CreateObject();
	cJSON_AddNumberToObject(start, "pid", 4242);
	cJSON *v = fields_violation("/root/.ssh/id_rsa");
	is_int(mb_reporter_emit(r, "start", start), 0, "emit start");
	is_int(mb_reporter_emit(r, "violation", v), 0, "emit violation");
	is_int(mb_reporter_emit(r, "exit", NULL), 0, "emit with no fields");

	/* A field that would shadow a common one is refused, and the chain
	 * does not move. */
	cJSON *bad = cJSON_CreateObject();
	cJSON_AddNumberToObject(bad, "seq", 99);
	is_int(mb_reporter_emit(r, "exit", bad), -EINVAL, "a field named seq is refused");
	cJSON *notobj = cJSON_CreateArray();
	is_int(mb_reporter_emit(r, "exit", notobj), -EINVAL, "fields must be an object");

	/* Bytes that are not UTF-8 and a newline in a string. */
	cJSON *odd = fields_violation("/srv/\xff\xfe\xc0\xafname\nwith newline\xe2\x82");
	is_int(mb_reporter_emit(r, "violation", odd), 0, "emit odd bytes");
	mb_reporter_close(r);
	cJSON_Delete(odd);
	cJSON_Delete(start);
	cJSON_Delete(v);
	cJSON_Delete(bad);
	cJSON_Delete(notobj);

	size_t len;
	char *buf = slurp(path, &len);
	char **lines;
	bool partial;
	size_t n = split_lines(buf, len, &lines, &partial);
	is_int(n, 4, "four lines were written");
	ok(!partial, "the file ends with a newline");
	const char *order[] = { "v", "time", "event", "mode", "profile", "session", "seq", "prev" };
	const char *events[] = { "start", "violation", "exit", "violation" };
	char prev[65];
	memset(prev, '0', 64);
	prev[64] = '\0';
	for (size_t i = 0; i < n; i++) {
		ok(valid_utf8((const unsigned char *)lines[i]), "line %zu is valid UTF-8", i);
		cJSON *o = cJSON_Parse(lines[i]);
		if (!ok(o != NULL, "line %zu parses", i))
			continue;
		bool in_order = true;
		const cJSON *c = o->child;
		for (size_t k = 0; k < ARRAY_SIZE(order); k++, c = c ? c->next : NULL)
			in_order = in_order && c && strcmp(c->string, order[k]) == 0;
		ok(in_order, "line %zu: the common fields come first, in order", i);
		is_int(cJSON_GetObjectItem(o, "v")->valuedouble, 1, "line %zu: v", i);
		ok(time_ok(cJSON_GetObjectItem(o, "time")->valuestring), "line %zu: time is RFC 3339 UTC, microseconds", i);
		is_str(cJSON_GetObjectItem(o, "event")->valuestring, events[i], "line %zu: event", i);
		is_str(cJSON_GetObjectItem(o, "mode")->valuestring, "enforce", "line %zu: mode", i);
		is_str(cJSON_GetObjectItem(o, "profile")->valuestring, "filesystem", "line %zu: profile", i);
		is_str(cJSON_GetObjectItem(o, "session")->valuestring, session, "line %zu: session", i);
		is_int(cJSON_GetObjectItem(o, "seq")->valuedouble, i, "line %zu: seq", i);
		is_str(cJSON_GetObjectItem(o, "prev")->valuestring, prev, "line %zu: prev", i);
		sha256_hex(lines[i], prev);
		cJSON_Delete(o);
	}
	cJSON *o = cJSON_Parse(lines[1]);
	is_str(cJSON_GetObjectItem(o, "target")->valuestring, "/root/.ssh/id_rsa", "the event's fields follow");
	const cJSON *req = cJSON_GetArrayItem(cJSON_GetObjectItem(o, "requests"), 0);
	is_str(cJSON_GetObjectItem(req, "tool")->valuestring, "read_text_file", "nested fields are kept");
	ok(strcmp(o->child->next->next->next->next->next->next->next->next->string, "pid") == 0,
	   "the event's first field comes right after prev");
	cJSON_Delete(o);
	o = cJSON_Parse(lines[3]);
	is_str(cJSON_GetObjectItem(o, "target")->valuestring,
	       "/srv/\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdname\nwith newline\xef\xbf\xbd\xef\xbf\xbd",
	       "each invalid byte became U+FFFD, the newline survives escaped");
	cJSON_Delete(o);
	free(lines);
	free(buf);

	/* Appending: a second reporter on the same file starts its own chain. */
	struct mb_reporter *r2 = NULL;
	is_int(mb_reporter_open(path, "filesystem", MB_MODE_AUDIT, &r2, &err), 0, "reopen");
	ok(strcmp(mb_reporter_session(r2), session) != 0, "a new session id");
	is_int(mb_reporter_emit(r2, "start", NULL), 0, "emit in the second session");
	mb_reporter_close(r2);
	buf = slurp(path, &len);
	n = split_lines(buf, len, &lines, &partial);
	is_int(n, 5, "the file was appended to, not truncated");
	o = cJSON_Parse(lines[4]);
	is_int(cJSON_GetObjectItem(o, "seq")->valuedouble, 0, "the new session starts at seq 0");
	is_str(cJSON_GetObjectItem(o, "prev")->valuestring,
	       "0000000000000000000000000000000000000000000000000000000000000000",
	       "the new session's first prev is 64 zeros");
	is_str(cJSON_GetObjectItem(o, "mode")->valuestring, "audit", "mode audit is spelled audit");
	cJSON_Delete(o);
	free(lines);
	free(buf);
}

static void test_stderr(void)
{
	char path[64];
	snprintf(path, sizeof(path), "%s/stderr", dir);
	int saved = dup(2);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 2);
	close(fd);
	struct mb_error err = { 0 };
	struct mb_reporter *r = NULL;
	int e1 = mb_reporter_open("-", "p", MB_MODE_ENFORCE, &r, &err);
	int e2 = r ? mb_reporter_emit(r, "start", NULL) : -1;
	mb_reporter_close(r);
	dup2(saved, 2);
	close(saved);
	is_int(e1, 0, "open '-'");
	is_int(e2, 0, "emit to stderr");
	size_t len;
	char *buf = slurp(path, &len);
	ok(len > 0 && buf[len - 1] == '\n' && strchr(buf, '\n') == buf + len - 1,
	   "one line on stderr");
	cJSON *o = cJSON_Parse(buf);
	ok(o && strcmp(cJSON_GetObjectItem(o, "event")->valuestring, "start") == 0,
	   "stderr's line parses");
	cJSON_Delete(o);
	free(buf);
	ok(fcntl(2, F_GETFD) >= 0, "stderr is still open after close");
}

static void test_open_errors(void)
{
	struct mb_error err = { 0 };
	struct mb_reporter *r = NULL;
	char path[96];
	snprintf(path, sizeof(path), "%s/no/such/dir/r.jsonl", dir);
	is_int(mb_reporter_open(path, "p", MB_MODE_ENFORCE, &r, &err), -ENOENT,
	       "a file in a missing directory fails to open");
	ok(strstr(err.msg, path) != NULL, "the message names the path: %s", err.msg);
	ok(r == NULL, "nothing is returned");
	is_int(mb_reporter_open(dir, "p", MB_MODE_ENFORCE, &r, &err), -EISDIR,
	       "a directory is not a report file");
	is_int(mb_reporter_open("syslog:", "p", MB_MODE_ENFORCE, &r, &err), -EINVAL,
	       "syslog: with an empty path is refused");
}

/* Writes that fail. The contract (supervisor/report.c): a line goes out in
 * one write(2), whole, or the emit fails; a failure that wrote nothing
 * leaves the chain where it was and the reporter goes on; a short write,
 * whose bytes cannot be taken back, stops it for good (-EIO from then on).
 * Either way the destination holds whole lines and at most one cut at the
 * end, no longer than the kernel let through. */
static void test_write_errors(void)
{
	struct mb_error err = { 0 };
	struct mb_reporter *r = NULL;
	is_int(mb_reporter_open("/dev/full", "p", MB_MODE_ENFORCE, &r, &err), 0, "open /dev/full");
	is_int(mb_reporter_emit(r, "start", NULL), -ENOSPC, "ENOSPC is returned");
	mb_reporter_close(r);
}

/* A file with room for 20 more bytes than its first line (RLIMIT_FSIZE; in
 * a child, since the limit is per process), on whatever filesystem holds
 * the test's directory. Which way the line fails is the filesystem's: ext4
 * lets 20 bytes of it in (a short write), tmpfs refuses the room up front
 * (fallocate(2): EFBIG) and nothing is written. Each is held to its half of
 * the contract. */
static void test_file_limit(void)
{
	char path[64];
	snprintf(path, sizeof(path), "%s/short.jsonl", dir);
	int pfd[2];
	if (pipe(pfd) < 0)
		return;
	pid_t pid = fork();
	if (pid == 0) {
		close(pfd[0]);
		signal(SIGXFSZ, SIG_IGN);
		struct mb_error err = { 0 };
		struct mb_reporter *c = NULL;
		int res[4] = { 0 };
		res[0] = mb_reporter_open(path, "p", MB_MODE_ENFORCE, &c, &err);
		res[1] = mb_reporter_emit(c, "start", NULL);
		struct stat st;
		stat(path, &st);
		/* The soft limit only: raising it again needs no privilege. */
		struct rlimit rl;
		getrlimit(RLIMIT_FSIZE, &rl);
		rlim_t was = rl.rlim_cur;
		rl.rlim_cur = (rlim_t)st.st_size + 20;
		setrlimit(RLIMIT_FSIZE, &rl);
		res[2] = mb_reporter_emit(c, "exit", NULL);
		rl.rlim_cur = was;
		setrlimit(RLIMIT_FSIZE, &rl);
		res[3] = mb_reporter_emit(c, "exit", NULL);
		if (write(pfd[1], res, sizeof(res)) != sizeof(res))
			_exit(2);
		_exit(0);
	}
	close(pfd[1]);
	int res[4] = { -1, -1, -1, -1 };
	ssize_t got = read(pfd[0], res, sizeof(res));
	close(pfd[0]);
	waitpid(pid, NULL, 0);
	is_int(got, sizeof(res), "the child reported");
	is_int(res[0], 0, "open");
	is_int(res[1], 0, "first line written");
	ok(res[2] < 0, "a line with no room for it fails (%s)", strerror(-res[2]));
	size_t len;
	char *buf = slurp(path, &len);
	char **lines;
	bool partial;
	size_t n = split_lines(buf, len, &lines, &partial);
	cJSON *o = n ? cJSON_Parse(lines[0]) : NULL;
	ok(o && strcmp(cJSON_GetObjectItem(o, "event")->valuestring, "start") == 0,
	   "the first line is there, whole");
	if (res[2] == -EIO) {
		/* A short write. */
		is_int(res[3], -EIO, "a cut line stops the reporter for good: -EIO once the limit is gone");
		ok((n == 1 && !partial) || (n == 2 && partial && strlen(lines[1]) <= 20),
		   "the file holds the first line and at most the 20 bytes the limit let through (%zu)",
		   n == 2 ? strlen(lines[1]) : 0);
	} else {
		/* Nothing written. */
		is_int(res[3], 0, "nothing was written: the next line goes in once the limit is gone");
		ok(n == 2 && !partial, "the file holds whole lines only: the first and the next");
		char prev[65] = "";
		cJSON *o1 = NULL;
		if (n == 2) {
			sha256_hex(lines[0], prev);
			o1 = cJSON_Parse(lines[1]);
		}
		ok(o1 && cJSON_GetObjectItem(o1, "seq")->valuedouble == 1 &&
		   strcmp(cJSON_GetObjectItem(o1, "prev")->valuestring, prev) == 0,
		   "the line that failed left no gap: the next is seq 1 and chains to the first");
		cJSON_Delete(o1);
	}
	cJSON_Delete(o);
	free(lines);
	free(buf);
}

/* Everything that is in the pipe now (its read end is non-blocking). */
static size_t drain(int fd, char **buf, size_t *cap)
{
	size_t got = 0;
	for (;;) {
		if (*cap - got < 65536)
			*buf = realloc(*buf, *cap = 2 * *cap + 65536);
		ssize_t n = read(fd, *buf + got, *cap - got - 1);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	(*buf)[got] = '\0';
	return got;
}

/* A short write on any machine: a line longer than a non-blocking pipe can
 * hold. write(2) puts in what fits and returns that count (pipe(7): more
 * than PIPE_BUF bytes to a non-blocking pipe with room for some). The pipe
 * is the reporter's stderr ("-"), drained by the test itself. */
static void test_short_write(void)
{
	int p[2];
	if (!ok(pipe2(p, O_CLOEXEC | O_NONBLOCK) == 0, "a non-blocking pipe"))
		return;
	int cap = fcntl(p[1], F_GETPIPE_SZ);
	size_t big_len = 2 * (size_t)(cap > 0 ? cap : 1 << 20);
	char *big = malloc(big_len + 1);
	memset(big, 'x', big_len);
	big[big_len] = '\0';
	cJSON *f = cJSON_CreateObject();
	cJSON_AddStringToObject(f, "target", big);
	char *out = NULL;
	size_t out_cap = 0;

	/* A hang (the pipe full, the reporter polling it) fails the test. */
	alarm(60);
	int saved = dup(2);
	dup2(p[1], 2);
	struct mb_error err = { 0 };
	struct mb_reporter *r = NULL;
	int res[4];
	res[0] = mb_reporter_open("-", "p", MB_MODE_ENFORCE, &r, &err);
	res[1] = r ? mb_reporter_emit(r, "start", NULL) : -1;
	size_t first = drain(p[0], &out, &out_cap);
	char *line = strdup(out);
	res[2] = r ? mb_reporter_emit(r, "violation", f) : -1;
	size_t cut = drain(p[0], &out, &out_cap);
	bool cut_ok = cut > 0 && cut < big_len && memcmp(out, "{\"v\":1,", 7) == 0 &&
		      !memchr(out, '\n', cut);
	res[3] = r ? mb_reporter_emit(r, "exit", NULL) : -1;
	size_t after = drain(p[0], &out, &out_cap);
	mb_reporter_close(r);
	dup2(saved, 2);
	close(saved);
	alarm(0);

	is_int(res[0], 0, "open '-' on a non-blocking pipe of %d bytes", cap);
	is_int(res[1], 0, "the first line is written");
	ok(first > 0 && line[first - 1] == '\n' && strchr(line, '\n') == line + first - 1,
	   "... whole, as one line");
	is_int(res[2], -EIO, "a line of %zu bytes, cut by the pipe: -EIO", big_len);
	ok(cut_ok, "the pipe holds the start of the line and no newline (%zu bytes)", cut);
	is_int(res[3], -EIO, "the reporter stays stopped");
	is_int(after, 0, "and writes nothing more");
	free(line);
	free(out);
	free(big);
	cJSON_Delete(f);
	close(p[0]);
	close(p[1]);
}

/* Several processes append to the same file at once; each line is large
 * enough (≈ 6 KiB, more than PIPE_BUF and than one page) that interleaved
 * writes would show. */
#define WRITERS 6
#define LINES 300
static void test_concurrent(void)
{
	char path[64];
	snprintf(path, sizeof(path), "%s/concurrent.jsonl", dir);
	char *big = malloc(6000);
	memset(big, 'x', 5999);
	big[5999] = '\0';
	pid_t pids[WRITERS];
	for (int w = 0; w < WRITERS; w++) {
		pids[w] = fork();
		if (pids[w] == 0) {
			struct mb_error err = { 0 };
			struct mb_reporter *r = NULL;
			if (mb_reporter_open(path, "p", MB_MODE_ENFORCE, &r, &err) < 0)
				_exit(1);
			cJSON *f = cJSON_CreateObject();
			cJSON_AddNumberToObject(f, "writer", w);
			cJSON_AddStringToObject(f, "target", big);
			for (int i = 0; i < LINES; i++)
				if (mb_reporter_emit(r, "violation", f) < 0)
					_exit(1);
			cJSON_Delete(f);
			mb_reporter_close(r);
			free(big);
			_exit(0);
		}
	}
	int failed = 0;
	for (int w = 0; w < WRITERS; w++) {
		int status;
		waitpid(pids[w], &status, 0);
		failed += !WIFEXITED(status) || WEXITSTATUS(status) != 0;
	}
	is_int(failed, 0, "%d writers finished", WRITERS);

	size_t len;
	char *buf = slurp(path, &len);
	char **lines;
	bool partial;
	size_t n = split_lines(buf, len, &lines, &partial);
	is_int(n, WRITERS * LINES, "every line is there");
	ok(!partial, "no partial line at the end");
	/* Per session: seq in order from 0, prev chaining. */
	struct { char session[33]; long next; char prev[65]; } s[WRITERS] = { 0 };
	int nsess = 0, bad_parse = 0, bad_seq = 0, bad_prev = 0, interleaved = 0;
	for (size_t i = 0; i < n; i++) {
		cJSON *o = cJSON_Parse(lines[i]);
		if (!o) {
			bad_parse++;
			continue;
		}
		const char *sess = cJSON_GetObjectItem(o, "session")->valuestring;
		int k;
		for (k = 0; k < nsess && strcmp(s[k].session, sess); k++)
			;
		if (k == nsess && nsess < WRITERS) {
			strcpy(s[nsess].session, sess);
			memset(s[nsess].prev, '0', 64);
			nsess++;
		}
		if (k < nsess) {
			bad_seq += cJSON_GetObjectItem(o, "seq")->valuedouble != s[k].next++;
			bad_prev += strcmp(cJSON_GetObjectItem(o, "prev")->valuestring, s[k].prev) != 0;
			sha256_hex(lines[i], s[k].prev);
		}
		interleaved += strlen(cJSON_GetObjectItem(o, "target")->valuestring) != 5999;
		cJSON_Delete(o);
	}
	is_int(bad_parse, 0, "every line parses");
	is_int(nsess, WRITERS, "one session per writer");
	is_int(interleaved, 0, "no line carries another's bytes");
	is_int(bad_seq, 0, "seq runs 0.. in file order in every session");
	is_int(bad_prev, 0, "prev chains in every session");
	free(lines);
	free(buf);
	free(big);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_chain();
	test_stderr();
	test_open_errors();
	test_write_errors();
	test_file_limit();
	test_short_write();
	test_concurrent();
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		diag("could not remove %s", dir);
	return done_testing();
}
