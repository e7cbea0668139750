/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <sys/wait.h>

#include "common/macros.h"
#include "sandbox/init.h"
#include "sandbox/sandbox.h"

static const int forwarded[] = { SIGTERM, SIGINT, SIGHUP };

void mb_init_sigset(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGCHLD);
	for (size_t i = 0; i < ARRAY_SIZE(forwarded); i++)
		sigaddset(set, forwarded[i]);
}

/* The kernel's struct sigaction (x86-64 and most others): glibc's
 * sigaction() refuses the two real-time signals it reserves for itself, and
 * an ignored one would survive exec like any other. */
struct mb_ksigaction {
	void (*handler)(int);
	unsigned long flags;
	void (*restorer)(void);
	uint64_t mask;
};

void mb_init_reset_signals(void)
{
	struct mb_ksigaction sa = { .handler = SIG_DFL };
	for (int sig = 1; sig < _NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			(void)syscall(SYS_rt_sigaction, sig, &sa, NULL, sizeof(sa.mask));
}

#define INIT_TITLE "membrane-init"

/* Fields 48 to 51 of /proc/self/stat: where the arguments and the
 * environment lie. The name (field 2) may hold anything, so count from
 * its closing parenthesis. */
static int arg_env_areas(uintptr_t a[4])
{
	char buf[2048];
	int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return mb_neg_errno();
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	int e = n < 0 ? mb_neg_errno() : 0;
	mb_close(fd);
	if (n <= 0)
		return e ? e : -EIO;
	buf[n] = '\0';
	char *p = strrchr(buf, ')');
	for (int field = 2; p && field < 48; field++)
		p = strchr(p + 1, ' ');
	for (int i = 0; p && i < 4; i++) {
		char *end;
		a[i] = (uintptr_t)strtoull(p + 1, &end, 10);
		p = end == p + 1 ? NULL : end;
	}
	if (!p || a[0] >= a[1] || a[2] > a[3])
		return -EIO;
	return 0;
}

int mb_init_hide_args(void)
{
	uintptr_t a[4];
	int r = arg_env_areas(a);
	if (r < 0)
		return r;
	char *args = (char *)a[0];
	size_t nargs = a[1] - a[0];
	memset(args, 0, nargs);
	memcpy(args, INIT_TITLE, MB_MIN(sizeof(INIT_TITLE), nargs) - 1);
	memset((char *)a[2], 0, a[3] - a[2]);
	clearenv();
	return 0;
}

static int status_of(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return MB_EXIT_MEMBRANE;
}

int mb_init_loop(pid_t cmd, int *ret_wstatus)
{
	sigset_t set;
	mb_init_sigset(&set);
	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(&set, &si);
		if (sig < 0)
			continue; /* EINTR: a stop/continue */
		if (sig != SIGCHLD) {
			/* pid 1 only gets the signals it handles; these are
			 * meant for the command. */
			(void)kill(cmd, sig);
			continue;
		}
		/* Reap everything: one SIGCHLD may stand for several exits. */
		for (;;) {
			int ws;
			pid_t p = waitpid(-1, &ws, WNOHANG);
			if (p <= 0)
				break;
			if (p == cmd) {
				*ret_wstatus = ws;
				return status_of(ws);
			}
		}
	}
}
