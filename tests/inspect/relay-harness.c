/* SPDX-License-Identifier: Apache-2.0 */
/* Test harness for the relay: runs COMMAND as a plain child (no sandbox: the
 * sandbox's spawn is tested with the sandbox) and relays its stdio through
 * supervisor/inspect/relay.c exactly as membrane-run does, with the test profile of
 * helpers.h and each report written as one JSON line to --report FILE.
 * This lets the scripted-client tests drive the real event loop over real
 * pipes before membrane-run's own run path (spawn + loader + reporter) is
 * assembled; the same tests then run against membrane-run.
 *
 *   relay-harness [--report FILE|-] [--grace MS] [--max-message N] [--call-timeout MS]
 *                 [--pin-strict] [--audit] [--allow-unlisted] [--no-scan] -- CMD [ARG]...
 * --report - writes the lines to stderr, where the server's stderr goes too,
 * as membrane-run's default does.
 * --no-scan: the inspector without its scanners (bench/: what scanning costs).
 * Exit status: the relay's (the server's status, 128+N for a signal). */
#include <fcntl.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "helpers.h"
#include "supervisor/inspect/relay.h"
#include "supervisor/inspect/scan.h"

extern char **environ;

static int report_fd = -1;

static int no_scan(void *ud, struct mb_loop *loop, struct mb_inspector *ins)
{
	(void)ud, (void)loop;
	mb_scan_disable(mb_inspector_scan(ins));
	return 0;
}

static int report_line(void *ud, const char *event, const cJSON *fields)
{
	if (report_fd < 0)
		return 0;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "event", event);
	for (const cJSON *c = fields ? fields->child : NULL; c; c = c->next)
		cJSON_AddItemToObject(o, c->string, cJSON_Duplicate(c, 1));
	char *s = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (!s)
		return -ENOMEM;
	size_t n = strlen(s);
	s[n] = '\n';
	ssize_t w = write(report_fd, s, n + 1);
	free(s);
	return w == (ssize_t)(n + 1) ? 0 : -EIO;
}

int main(int argc, char **argv)
{
	struct mb_profile *p = test_profile();
	uint64_t grace = 3000;
	size_t max = 16u << 20;
	uint64_t call_timeout = 300000;
	bool scan = true;
	int i = 1;
	for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
		if (!strcmp(argv[i], "--report") && i + 1 < argc && !strcmp(argv[i + 1], "-"))
			report_fd = STDERR_FILENO, i++;
		else if (!strcmp(argv[i], "--report") && i + 1 < argc)
			report_fd = open(argv[++i], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		else if (!strcmp(argv[i], "--grace") && i + 1 < argc)
			grace = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--call-timeout") && i + 1 < argc)
			call_timeout = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--max-message") && i + 1 < argc)
			max = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--pin-strict"))
			p->pin = MB_PIN_STRICT;
		else if (!strcmp(argv[i], "--audit"))
			p->mode = MB_MODE_AUDIT;
		else if (!strcmp(argv[i], "--allow-unlisted"))
			p->unlisted_tools = MB_UNLISTED_ALLOW;
		else if (!strcmp(argv[i], "--no-scan"))
			scan = false;
		else {
			fprintf(stderr, "relay-harness: bad argument %s\n", argv[i]);
			return 125;
		}
	}
	if (i + 1 >= argc) {
		fprintf(stderr, "relay-harness: no command\n");
		return 125;
	}
	int in[2], out[2], err[2];
	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0)
		return 125;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_adddup2(&fa, err[1], 2);
	pid_t pid;
	if (posix_spawnp(&pid, argv[i + 1], &fa, NULL, argv + i + 1, environ) != 0) {
		fprintf(stderr, "relay-harness: cannot run %s\n", argv[i + 1]);
		return 127;
	}
	posix_spawn_file_actions_destroy(&fa);
	close(in[0]);
	close(out[1]);
	close(err[1]);
	fcntl(in[1], F_SETFL, O_NONBLOCK);
	fcntl(out[0], F_SETFL, O_NONBLOCK);
	fcntl(err[0], F_SETFL, O_NONBLOCK);
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0)
		return 125;
	struct mb_relay_config cfg = {
		.profile = p,
		.cwd = "/srv/mcp",
		.grace_ms = grace,
		.max_message = max,
		.call_timeout_ms = call_timeout,
		.pid = pid,
		.pidfd = pidfd,
		.server_stdin = in[1],
		.server_stdout = out[0],
		.server_stderr = err[0],
		.client_in = 0,
		.client_out = 1,
		.report = report_line,
		.setup = scan ? NULL : no_scan,
	};
	struct mb_relay_result res;
	int r = mb_relay_run(&cfg, &res);
	mb_profile_free(p);
	if (r < 0) {
		fprintf(stderr, "relay-harness: %s\n", strerror(-r));
		return 125;
	}
	report_line(NULL, "exit", NULL);
	return res.status;
}
