/* SPDX-License-Identifier: Apache-2.0 */
/* The load test's client: it starts COMMAND (membrane-run in front of an MCP
 * server with an echo tool), initializes, sends N tools/call requests with
 * WINDOW of them in flight, and checks every answer against its request:
 * each id must come back exactly once, as a result (not an error), carrying
 * the text echoed for that very id ("Echo: load <id>", server-everything's
 * echo). Every SAMPLE answers it reads COMMAND's VmRSS from /proc.
 *
 *   load-client [-n N] [-w WINDOW] [-s SAMPLE] [-W WARM] -- COMMAND [ARG]...
 *
 * It prints what happened as KEY=VALUE lines for the test to judge:
 *   sent answered missing duplicate misrouted errors unknown notifications
 *   server_requests exit_status first_error
 *   rss_warm_kib         VmRSS after WARM answers (the end of warm-up)
 *   rss_max_after_warm_kib, rss_end_kib, rss_samples (KiB, comma-separated)
 * and exits 0 if it could run the session to its end (whatever it found),
 * 1 if not (COMMAND died, closed its stdout, or an answer was not JSON). */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

extern char **environ;

static int to_fd = -1, from_fd = -1;
static char rbuf[1 << 16];
static size_t rlen, roff;

struct tally {
	long answered, duplicate, misrouted, errors, unknown, notifications, server_requests;
	char first_error[256];
};

static void write_all(const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(to_fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "load-client: write to the command: %s\n", strerror(errno));
			exit(1);
		}
		p += w;
		n -= (size_t)w;
	}
}

/* One line of the command's stdout into a growing buffer; false at EOF. */
static bool read_line(char **line, size_t *cap)
{
	size_t n = 0;
	for (;;) {
		if (roff == rlen) {
			ssize_t r = read(from_fd, rbuf, sizeof(rbuf));
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				return false;
			rlen = (size_t)r;
			roff = 0;
		}
		char *nl = memchr(rbuf + roff, '\n', rlen - roff);
		size_t take = (nl ? (size_t)(nl - (rbuf + roff)) : rlen - roff);
		if (n + take + 1 > *cap) {
			*cap = (n + take + 1) * 2;
			*line = realloc(*line, *cap);
			if (!*line)
				exit(1);
		}
		memcpy(*line + n, rbuf + roff, take);
		n += take;
		roff += take + (nl ? 1 : 0);
		if (nl)
			break;
	}
	(*line)[n] = 0;
	return true;
}

static long vmrss(pid_t pid)
{
	char path[64], buf[256];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "r");
	long kib = -1;
	while (f && fgets(buf, sizeof(buf), f))
		if (sscanf(buf, "VmRSS: %ld", &kib) == 1)
			break;
	if (f)
		fclose(f);
	return kib;
}

static void send_call(long id)
{
	char line[256];
	int n = snprintf(line, sizeof(line),
			 "{\"jsonrpc\":\"2.0\",\"id\":%ld,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"message\":\"load %ld\"}}}\n",
			 id, id);
	write_all(line, (size_t)n);
}

/* Judge one line from the command. Returns the id of an answer to one of
 * our calls (1..n), 0 for anything else; -1 if the line is not JSON. */
static long judge(const char *line, long n, unsigned char *seen, struct tally *t)
{
	cJSON *m = cJSON_Parse(line);
	if (!m)
		return -1;
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(m, "id");
	const cJSON *method = cJSON_GetObjectItemCaseSensitive(m, "method");
	long ret = 0;
	if (method) {
		if (id)
			t->server_requests++;
		else
			t->notifications++;
	} else if (!cJSON_IsNumber(id) || id->valuedouble < 1 || id->valuedouble > (double)n ||
		   id->valuedouble != (double)(long)id->valuedouble) {
		t->unknown++;
	} else {
		long k = (long)id->valuedouble;
		const cJSON *err = cJSON_GetObjectItemCaseSensitive(m, "error");
		const cJSON *content = cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(m, "result"), "content");
		const cJSON *text = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(content, 0), "text");
		char want[64];
		snprintf(want, sizeof(want), "Echo: load %ld", k);
		if (seen[k]) {
			t->duplicate++;
		} else {
			seen[k] = 1;
			t->answered++;
			ret = k;
		}
		if (err) {
			t->errors++;
			if (!t->first_error[0]) {
				char *s = cJSON_PrintUnformatted(err);
				snprintf(t->first_error, sizeof(t->first_error), "%s", s ? s : "?");
				free(s);
			}
		} else if (!cJSON_IsString(text) || strcmp(text->valuestring, want) != 0) {
			t->misrouted++;
		}
	}
	cJSON_Delete(m);
	return ret;
}

int main(int argc, char **argv)
{
	long n = 100000, window = 64, sample = 1000, warm = 10000;
	int a = 1;
	for (; a < argc && strcmp(argv[a], "--") != 0; a++) {
		if (a + 1 >= argc)
			return 2;
		if (!strcmp(argv[a], "-n"))
			n = atol(argv[++a]);
		else if (!strcmp(argv[a], "-w"))
			window = atol(argv[++a]);
		else if (!strcmp(argv[a], "-s"))
			sample = atol(argv[++a]);
		else if (!strcmp(argv[a], "-W"))
			warm = atol(argv[++a]);
		else
			return 2;
	}
	if (a + 1 >= argc || n < 1 || window < 1 || sample < 1)
		return 2;
	signal(SIGPIPE, SIG_IGN);

	int in[2], out[2];
	if (pipe(in) < 0 || pipe(out) < 0)
		return 1;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_addclose(&fa, in[1]);
	posix_spawn_file_actions_addclose(&fa, out[0]);
	pid_t pid;
	int e = posix_spawnp(&pid, argv[a + 1], &fa, NULL, argv + a + 1, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (e) {
		fprintf(stderr, "load-client: %s: %s\n", argv[a + 1], strerror(e));
		return 1;
	}
	close(in[0]);
	close(out[1]);
	to_fd = in[1];
	from_fd = out[0];

	char *line = NULL;
	size_t cap = 0;
	static const char init[] =
		"{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"load-client\",\"version\":\"1\"}}}\n";
	static const char inited[] = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n";
	write_all(init, sizeof(init) - 1);
	for (;;) {
		if (!read_line(&line, &cap)) {
			fprintf(stderr, "load-client: no answer to initialize\n");
			return 1;
		}
		cJSON *m = cJSON_Parse(line);
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(m, "id");
		bool done = cJSON_IsNumber(id) && id->valuedouble == 0 &&
			    cJSON_GetObjectItemCaseSensitive(m, "result");
		cJSON_Delete(m);
		if (done)
			break;
	}
	write_all(inited, sizeof(inited) - 1);

	unsigned char *seen = calloc((size_t)n + 1, 1);
	size_t nsamples = (size_t)(n / sample) + 2;
	long *rss = calloc(nsamples, sizeof(*rss));
	if (!seen || !rss)
		return 1;
	size_t ns = 0;
	struct tally t = { 0 };
	long sent = 0, got = 0, rss_warm = -1;
	int rc = 0;
	while (got < n) {
		while (sent < n && sent - got < window)
			send_call(++sent);
		if (!read_line(&line, &cap)) {
			fprintf(stderr, "load-client: the command closed its stdout after %ld answers\n", got);
			rc = 1;
			break;
		}
		long k = judge(line, n, seen, &t);
		if (k < 0) {
			fprintf(stderr, "load-client: not JSON: %.200s\n", line);
			rc = 1;
			break;
		}
		if (k == 0)
			continue;
		got++;
		if (got == warm)
			rss_warm = vmrss(pid);
		if (got % sample == 0 && ns < nsamples)
			rss[ns++] = vmrss(pid);
	}
	long rss_end = vmrss(pid), rss_max = -1;
	for (size_t i = 0; i < ns; i++)
		if ((long)((i + 1) * (size_t)sample) > warm && rss[i] > rss_max)
			rss_max = rss[i];

	/* The end of the session: EOF to the command, then whatever it still
	 * says is judged too (a late duplicate would show here). */
	close(to_fd);
	while (rc == 0 && read_line(&line, &cap))
		if (judge(line, n, seen, &t) < 0)
			rc = 1;
	int st = 0;
	waitpid(pid, &st, 0);

	printf("sent=%ld\nanswered=%ld\nmissing=%ld\nduplicate=%ld\nmisrouted=%ld\nerrors=%ld\n", sent,
	       t.answered, n - t.answered, t.duplicate, t.misrouted, t.errors);
	printf("unknown=%ld\nnotifications=%ld\nserver_requests=%ld\n", t.unknown, t.notifications,
	       t.server_requests);
	printf("exit_status=%d\n", WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	printf("first_error=%s\n", t.first_error);
	printf("rss_warm_kib=%ld\nrss_max_after_warm_kib=%ld\nrss_end_kib=%ld\nrss_samples=", rss_warm,
	       rss_max, rss_end);
	for (size_t i = 0; i < ns; i++)
		printf("%s%ld", i ? "," : "", rss[i]);
	printf("\n");
	free(seen);
	free(rss);
	free(line);
	return rc;
}
