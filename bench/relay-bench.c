/* The relay benchmark's driver: it starts COMMAND (an MCP server, or a relay
 * in front of one), sends tools/call requests on its stdin and reads the
 * answers, and prints one line of figures:
 *   p50_us p99_us   round trip of N sequential calls
 *   msgs_per_s      N calls with WINDOW in flight
 *   peak_rss_kib    VmHWM of COMMAND's process after HOLD calls were in
 *                   flight at once (the server must hold its answers:
 *                   tests/fixtures/mcp-echo with ECHO_HOLD=HOLD)
 * With -I it first does the MCP handshake (initialize, then
 * notifications/initialized), and -t TOOL -k KEY name the tool called and
 * its text argument (default echo, text; server-everything's echo takes
 * message). Lines without an id (notifications) are skipped.
 *   relay-bench [-n N] [-w WINDOW] [-H HOLD] [-I] [-t TOOL] [-k KEY] -- COMMAND [ARG]... */
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static int to_fd, from_fd;
static const char *tool = "echo", *argkey = "text";
static char rbuf[1 << 16];
static size_t rlen, roff;

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void send_line(const char *line, int n)
{
	for (int off = 0; off < n;) {
		ssize_t w = write(to_fd, line + off, (size_t)(n - off));
		if (w < 0) {
			perror("relay-bench: write");
			exit(1);
		}
		off += (int)w;
	}
}

static void send_call(long id)
{
	char line[512];
	int n = snprintf(line, sizeof(line),
			 "{\"jsonrpc\":\"2.0\",\"id\":%ld,\"method\":\"tools/call\",\"params\":{\"name\":\"%s\",\"arguments\":{\"%s\":\"hello %ld\"}}}\n",
			 id, tool, argkey, id);
	send_line(line, n);
}

/* Read one answer line (skipping notifications); returns its id. */
static long read_answer(void)
{
	static char line[1 << 16];
	size_t n = 0;
again:
	n = 0;
	for (;;) {
		if (roff == rlen) {
			ssize_t r = read(from_fd, rbuf, sizeof(rbuf));
			if (r <= 0) {
				fprintf(stderr, "relay-bench: the command closed its stdout\n");
				exit(1);
			}
			rlen = (size_t)r;
			roff = 0;
		}
		char c = rbuf[roff++];
		if (c == '\n')
			break;
		if (n + 1 < sizeof(line))
			line[n++] = c;
	}
	line[n] = 0;
	const char *p = strstr(line, "\"id\":");
	if (!p)
		goto again;
	return atol(p + 5);
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static long vmhwm(pid_t pid)
{
	char path[64], buf[256];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "r");
	long kib = -1;
	while (f && fgets(buf, sizeof(buf), f))
		if (sscanf(buf, "VmHWM: %ld", &kib) == 1)
			break;
	if (f)
		fclose(f);
	return kib;
}

int main(int argc, char **argv)
{
	long n = 10000, window = 64, hold = 0;
	int handshake = 0;
	int a = 1;
	for (; a < argc && strcmp(argv[a], "--") != 0; a++) {
		if (!strcmp(argv[a], "-n") && a + 1 < argc)
			n = atol(argv[++a]);
		else if (!strcmp(argv[a], "-w") && a + 1 < argc)
			window = atol(argv[++a]);
		else if (!strcmp(argv[a], "-H") && a + 1 < argc)
			hold = atol(argv[++a]);
		else if (!strcmp(argv[a], "-t") && a + 1 < argc)
			tool = argv[++a];
		else if (!strcmp(argv[a], "-k") && a + 1 < argc)
			argkey = argv[++a];
		else if (!strcmp(argv[a], "-I"))
			handshake = 1;
	}
	if (a + 1 >= argc)
		return 2;
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
	if (posix_spawnp(&pid, argv[a + 1], &fa, NULL, argv + a + 1, environ) != 0)
		return 127;
	posix_spawn_file_actions_destroy(&fa);
	close(in[0]);
	close(out[1]);
	to_fd = in[1];
	from_fd = out[0];
	signal(SIGPIPE, SIG_IGN);

	long id = 1;
	if (handshake) {
		static const char init[] =
			"{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"clientInfo\":{\"name\":\"relay-bench\",\"version\":\"1\"}}}\n"
			"{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n";
		send_line(init, (int)strlen(init));
		while (read_answer() != 0)
			;
	}
	if (hold > 0) {
		for (long i = 0; i < hold; i++)
			send_call(id++);
		for (long i = 0; i < hold; i++)
			read_answer();
		printf("peak_rss_kib=%ld in_flight=%ld\n", vmhwm(pid), hold);
	} else {
		/* warm-up */
		for (int i = 0; i < 200; i++) {
			send_call(id++);
			read_answer();
		}
		double *rt = malloc((size_t)n * sizeof(*rt));
		for (long i = 0; i < n; i++) {
			double t0 = now_us();
			send_call(id++);
			read_answer();
			rt[i] = now_us() - t0;
		}
		qsort(rt, (size_t)n, sizeof(*rt), cmp);
		double p50 = rt[n / 2], p99 = rt[(n * 99) / 100];
		free(rt);
		double t0 = now_us();
		long sent = 0, got = 0;
		while (got < n) {
			while (sent < n && sent - got < window) {
				send_call(id++);
				sent++;
			}
			read_answer();
			got++;
		}
		double secs = (now_us() - t0) / 1e6;
		printf("p50_us=%.1f p99_us=%.1f msgs_per_s=%.0f peak_rss_kib=%ld\n", p50, p99,
		       (double)n / secs, vmhwm(pid));
	}
	close(to_fd);
	int st;
	waitpid(pid, &st, 0);
	return 0;
}
