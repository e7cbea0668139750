/* SPDX-License-Identifier: Apache-2.0 */
/* The relay benchmark's driver: it starts COMMAND (an MCP server, or a
 * wrapper or relay in front of one), sends tools/call requests on its stdin
 * and reads the answers. Every figure is printed as KEY=VALUE on one line.
 *
 *   relay-bench [options] -- COMMAND [ARG]...
 *   (default)   p50_us p90_us p99_us mean_us: round trip of N sequential
 *               calls; msgs_per_s: N calls with WINDOW in flight;
 *               peak_rss_kib: VmHWM of COMMAND's process at the end
 *   -H HOLD     peak_rss_kib: VmHWM of COMMAND's process after HOLD calls
 *               were in flight at once, idle_rss_kib its VmRSS before them.
 *               The server must hold its answers: tests/fixtures/mcp-echo
 *               with ECHO_HOLD=HOLD, or a tool that takes its time
 *               (server-everything's trigger-long-running-operation)
 *   -S RUNS     start-up: for each of RUNS fresh starts of COMMAND, the time
 *               from before posix_spawn() to the answer to initialize
 *               (p50_ms p90_ms min_ms max_ms, samples_ms=a,b,...)
 * Options:
 *   -n N        calls (default 10000)        -w WINDOW  in flight (64)
 *   -I          the MCP handshake first (initialize, then
 *               notifications/initialized): a real MCP server wants it
 *   -t TOOL     the tool called (echo)
 *   -k KEY      its one argument, a string "hello ID" (default text,
 *               mcp-echo's; server-everything's echo takes message)
 *   -a ARGS     or its arguments as a JSON object in which @ID@ stands for
 *               the request's id
 *   -W WARMUP   calls (or starts, with -S) not counted (200; 2 with -S)
 * Each answer must carry the id of its request in sequential runs, and every
 * id must come back once in windowed runs: otherwise the figures would be of
 * something else, and relay-bench exits 1. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static int to_fd = -1, from_fd = -1;
static char rbuf[1 << 16];
static size_t rlen, roff;
static const char *tool = "echo";
static const char *args_tmpl = "{\"text\":\"hello @ID@\"}";
static char args_buf[256];

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void die(const char *what)
{
	fprintf(stderr, "relay-bench: %s\n", what);
	exit(1);
}

static void write_all(const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(to_fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			perror("relay-bench: write");
			exit(1);
		}
		p += w;
		n -= (size_t)w;
	}
}

/* The arguments with every @ID@ replaced by the id. */
static size_t format_args(char *out, size_t cap, long id)
{
	char num[24];
	int nl = snprintf(num, sizeof(num), "%ld", id);
	size_t o = 0;
	for (const char *p = args_tmpl; *p;) {
		if (strncmp(p, "@ID@", 4) == 0) {
			if (o + (size_t)nl >= cap)
				die("arguments too long");
			memcpy(out + o, num, (size_t)nl);
			o += (size_t)nl;
			p += 4;
		} else {
			if (o + 1 >= cap)
				die("arguments too long");
			out[o++] = *p++;
		}
	}
	out[o] = 0;
	return o;
}

static void send_call(long id)
{
	char args[1024], line[1400];
	format_args(args, sizeof(args), id);
	int n = snprintf(line, sizeof(line),
			 "{\"jsonrpc\":\"2.0\",\"id\":%ld,\"method\":\"tools/call\",\"params\":{\"name\":\"%s\",\"arguments\":%s}}\n",
			 id, tool, args);
	if (n < 0 || (size_t)n >= sizeof(line))
		die("request too long");
	write_all(line, (size_t)n);
}

/* Read one line into line[]; false at EOF. */
static bool read_line(char *line, size_t cap)
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
		char c = rbuf[roff++];
		if (c == '\n')
			break;
		if (n + 1 < cap)
			line[n++] = c;
	}
	line[n] = 0;
	return true;
}

/* Read up to the next answer (a line with "result" or "error" and an id;
 * notifications and requests from the server are passed over); its id. */
static long read_answer(void)
{
	static char line[1 << 16];
	for (;;) {
		if (!read_line(line, sizeof(line)))
			die("the command closed its stdout");
		if (!strstr(line, "\"result\":") && !strstr(line, "\"error\":"))
			continue;
		/* Our ids are numbers; the answer's own "id" key is the last
		 * one in the line for the servers measured here, but look for
		 * the one at nesting depth 1 to be sure. */
		int depth = 0;
		bool in_str = false;
		for (const char *p = line; *p; p++) {
			if (in_str) {
				if (*p == '\\' && p[1])
					p++;
				else if (*p == '"')
					in_str = false;
				continue;
			}
			if (*p == '"') {
				if (depth == 1 && strncmp(p, "\"id\":", 5) == 0)
					return atol(p + 5);
				in_str = true;
			} else if (*p == '{' || *p == '[') {
				depth++;
			} else if (*p == '}' || *p == ']') {
				depth--;
			}
		}
		return -1;
	}
}

static void handshake(void)
{
	static const char init[] =
		"{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"relay-bench\",\"version\":\"1\"}}}\n";
	static const char inited[] = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n";
	write_all(init, sizeof(init) - 1);
	if (read_answer() != 0)
		die("the answer to initialize has another id");
	write_all(inited, sizeof(inited) - 1);
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double pct(const double *sorted, long n, int p)
{
	long i = (n * p) / 100;
	return sorted[i < n ? i : n - 1];
}

static long status_kib(pid_t pid, const char *key)
{
	char path[64], buf[256];
	size_t kl = strlen(key);
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "r");
	long kib = -1;
	while (f && fgets(buf, sizeof(buf), f))
		if (strncmp(buf, key, kl) == 0 && buf[kl] == ':') {
			kib = atol(buf + kl + 1);
			break;
		}
	if (f)
		fclose(f);
	return kib;
}

static pid_t start(char **argv)
{
	int in[2], out[2];
	if (pipe(in) < 0 || pipe(out) < 0)
		die("pipe");
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_addclose(&fa, in[1]);
	posix_spawn_file_actions_addclose(&fa, out[0]);
	pid_t pid;
	int e = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (e != 0) {
		fprintf(stderr, "relay-bench: %s: %s\n", argv[0], strerror(e));
		exit(127);
	}
	close(in[0]);
	close(out[1]);
	to_fd = in[1];
	from_fd = out[0];
	rlen = roff = 0;
	return pid;
}

/* Close its stdin (an MCP server exits at EOF), drain its stdout, reap it;
 * a command still there after 20 s is killed, and that is an error. */
static void stop(pid_t pid)
{
	close(to_fd);
	to_fd = -1;
	double until = now_us() + 20e6;
	for (;;) {
		struct pollfd p = { .fd = from_fd, .events = POLLIN };
		int left = (int)((until - now_us()) / 1000);
		if (left <= 0 || poll(&p, 1, left) == 0) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			die("the command did not exit at the end of its input");
		}
		char buf[4096];
		ssize_t r = read(from_fd, buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
	}
	close(from_fd);
	from_fd = -1;
	int st;
	waitpid(pid, &st, 0);
}

static void print_samples(const char *key, const double *v, long n, double scale)
{
	printf(" %s=", key);
	for (long i = 0; i < n; i++)
		printf("%s%.3f", i ? "," : "", v[i] * scale);
}

static int startup_runs(char **argv, long runs, long warmup)
{
	double *t = malloc((size_t)runs * sizeof(*t));
	if (!t)
		die("out of memory");
	for (long i = -warmup; i < runs; i++) {
		double t0 = now_us();
		pid_t pid = start(argv);
		handshake();
		double dt = now_us() - t0;
		if (i >= 0)
			t[i] = dt;
		stop(pid);
	}
	double *s = malloc((size_t)runs * sizeof(*s));
	if (!s)
		die("out of memory");
	memcpy(s, t, (size_t)runs * sizeof(*s));
	qsort(s, (size_t)runs, sizeof(*s), cmp);
	printf("runs=%ld p50_ms=%.3f p90_ms=%.3f min_ms=%.3f max_ms=%.3f", runs, pct(s, runs, 50) / 1e3,
	       pct(s, runs, 90) / 1e3, s[0] / 1e3, s[runs - 1] / 1e3);
	print_samples("samples_ms", t, runs, 1e-3);
	printf("\n");
	free(s);
	free(t);
	return 0;
}

int main(int argc, char **argv)
{
	long n = 10000, window = 64, hold = 0, runs = 0, warmup = -1;
	bool init = false;
	int a = 1;
	/* COMMAND gets an fd table sized to the fds open here when it is
	 * spawned, and a table under 64 fds makes a server with threads wait
	 * for an RCU grace period when it grows (~10 ms for a Node server).
	 * Whatever the invoking shell left open (an interactive bash holds fd
	 * 255) would decide that for the bare server and bwrap alone: what is
	 * inherited is closed, so that every variant starts as a client with
	 * few fds open starts it. */
	(void)syscall(SYS_close_range, 3, ~0U, 0);
	for (; a < argc && strcmp(argv[a], "--") != 0; a++) {
		if (!strcmp(argv[a], "-n") && a + 1 < argc)
			n = atol(argv[++a]);
		else if (!strcmp(argv[a], "-w") && a + 1 < argc)
			window = atol(argv[++a]);
		else if (!strcmp(argv[a], "-H") && a + 1 < argc)
			hold = atol(argv[++a]);
		else if (!strcmp(argv[a], "-S") && a + 1 < argc)
			runs = atol(argv[++a]);
		else if (!strcmp(argv[a], "-W") && a + 1 < argc)
			warmup = atol(argv[++a]);
		else if (!strcmp(argv[a], "-t") && a + 1 < argc)
			tool = argv[++a];
		else if (!strcmp(argv[a], "-a") && a + 1 < argc)
			args_tmpl = argv[++a];
		else if (!strcmp(argv[a], "-k") && a + 1 < argc) {
			snprintf(args_buf, sizeof(args_buf), "{\"%s\":\"hello @ID@\"}", argv[++a]);
			args_tmpl = args_buf;
		} else if (!strcmp(argv[a], "-I"))
			init = true;
		else {
			fprintf(stderr, "relay-bench: unknown option %s\n", argv[a]);
			return 2;
		}
	}
	if (a + 1 >= argc || n <= 0 || window <= 0)
		return 2;
	char **cmd = argv + a + 1;
	signal(SIGPIPE, SIG_IGN);
	if (runs > 0)
		return startup_runs(cmd, runs, warmup < 0 ? 2 : warmup);

	pid_t pid = start(cmd);
	if (init)
		handshake();
	long id = 1;
	if (hold > 0) {
		long idle = status_kib(pid, "VmRSS");
		for (long i = 0; i < hold; i++)
			send_call(id++);
		/* held_ms > 0: the first answer came after the last request was
		 * written, so all of them (but what a pipe buffer holds) were in
		 * flight through COMMAND together. */
		double sent = now_us();
		char *seen = calloc((size_t)hold + 1, 1);
		if (!seen)
			die("out of memory");
		double first = 0;
		for (long i = 0; i < hold; i++) {
			long got = read_answer();
			if (i == 0)
				first = now_us();
			if (got < 1 || got > hold || seen[got]++)
				die("an answer with an unknown or repeated id");
		}
		free(seen);
		printf("idle_rss_kib=%ld peak_rss_kib=%ld in_flight=%ld held_ms=%.0f\n", idle,
		       status_kib(pid, "VmHWM"), hold, (first - sent) / 1e3);
	} else {
		for (long i = 0; i < (warmup < 0 ? 200 : warmup); i++) {
			send_call(id);
			if (read_answer() != id++)
				die("an answer with another id than its request's");
		}
		double *rt = malloc((size_t)n * sizeof(*rt));
		if (!rt)
			die("out of memory");
		double sum = 0;
		for (long i = 0; i < n; i++) {
			double t0 = now_us();
			send_call(id);
			if (read_answer() != id++)
				die("an answer with another id than its request's");
			rt[i] = now_us() - t0;
			sum += rt[i];
		}
		qsort(rt, (size_t)n, sizeof(*rt), cmp);
		double p50 = pct(rt, n, 50), p90 = pct(rt, n, 90), p99 = pct(rt, n, 99);
		free(rt);
		long first = id;
		char *seen = calloc((size_t)n, 1);
		if (!seen)
			die("out of memory");
		double t0 = now_us();
		long sent = 0, got = 0;
		while (got < n) {
			while (sent < n && sent - got < window) {
				send_call(id++);
				sent++;
			}
			long r = read_answer() - first;
			if (r < 0 || r >= n || seen[r]++)
				die("an answer with an unknown or repeated id");
			got++;
		}
		double secs = (now_us() - t0) / 1e6;
		free(seen);
		printf("p50_us=%.1f p90_us=%.1f p99_us=%.1f mean_us=%.1f msgs_per_s=%.0f peak_rss_kib=%ld\n",
		       p50, p90, p99, sum / (double)n, (double)n / secs, status_kib(pid, "VmHWM"));
	}
	stop(pid);
	return 0;
}
