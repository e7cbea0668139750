/* SPDX-License-Identifier: Apache-2.0 */
/* The baseline of the relay benchmark: a plain copy relay. It starts
 * COMMAND with pipes and copies bytes both ways with poll(2), read(2) and
 * write(2), nothing else: what one process hop costs without inspection.
 *   plain-relay -- COMMAND [ARG]... */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static int copy(int from, int to)
{
	char buf[65536];
	ssize_t n = read(from, buf, sizeof(buf));
	if (n <= 0)
		return -1;
	for (ssize_t off = 0; off < n;) {
		ssize_t w = write(to, buf + off, (size_t)(n - off));
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		off += w;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int a = 1;
	if (a < argc && strcmp(argv[a], "--") == 0)
		a++;
	if (a >= argc)
		return 125;
	int in[2], out[2];
	if (pipe(in) < 0 || pipe(out) < 0)
		return 125;
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, in[0], 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_addclose(&fa, in[1]);
	posix_spawn_file_actions_addclose(&fa, out[0]);
	pid_t pid;
	if (posix_spawnp(&pid, argv[a], &fa, NULL, argv + a, environ) != 0)
		return 127;
	posix_spawn_file_actions_destroy(&fa);
	close(in[0]);
	close(out[1]);
	signal(SIGPIPE, SIG_IGN);
	struct pollfd p[2] = { { .fd = 0, .events = POLLIN }, { .fd = out[0], .events = POLLIN } };
	for (;;) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents && p[0].fd >= 0 && copy(0, in[1]) < 0) {
			close(in[1]);
			p[0].fd = -1;
		}
		if (p[1].revents && copy(out[0], 1) < 0)
			break;
	}
	int st;
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
