/* nouserns UID GID COMMAND...: run COMMAND as UID/GID in a user namespace
 * (ids 0-65535 mapped to the same ids outside) where
 * user.max_user_namespaces is 0, so that COMMAND cannot create user
 * namespaces: a host that forbids them, for the tests of degrading out
 * loud. Must be started as root (it writes arbitrary id maps). */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int put(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: nouserns UID GID COMMAND...\n");
		return 2;
	}
	int go[2];
	if (pipe(go) < 0)
		return 1;
	pid_t pid = (pid_t)syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, 0);
	if (pid < 0) {
		perror("nouserns: clone");
		return 1;
	}
	if (pid == 0) {
		char c;
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(1);
		if (put("/proc/sys/user/max_user_namespaces", "0") < 0) {
			perror("nouserns: max_user_namespaces");
			_exit(1);
		}
		uid_t uid = (uid_t)atoi(argv[1]);
		gid_t gid = (gid_t)atoi(argv[2]);
		if (setgroups(0, NULL) < 0 || setresgid(gid, gid, gid) < 0 || setresuid(uid, uid, uid) < 0) {
			perror("nouserns: set ids");
			_exit(1);
		}
		execvp(argv[3], argv + 3);
		perror("nouserns: exec");
		_exit(127);
	}
	close(go[0]);
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)pid);
	int r = put(path, "0 0 65536\n");
	snprintf(path, sizeof(path), "/proc/%d/gid_map", (int)pid);
	r |= put(path, "0 0 65536\n");
	if (r < 0) {
		perror("nouserns: id maps");
		kill(pid, SIGKILL);
	}
	(void)!write(go[1], "x", 1);
	close(go[1]);
	int ws;
	waitpid(pid, &ws, 0);
	return WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
}
