#include <stdint.h>
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
