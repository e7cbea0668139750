/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandbox/exec.h"
#include "sandbox/sandbox.h"

/* What the command finds when the profile passes no PATH: the one of
 * glibc's confstr(_CS_PATH), with /usr/local first like a login shell. */
#define MB_DEFAULT_PATH "/usr/local/bin:/usr/bin:/bin"

static const char *env_get(char *const envp[], const char *name)
{
	size_t n = strlen(name);
	for (; envp && *envp; envp++)
		if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=')
			return *envp + n + 1;
	return NULL;
}

static int failed(const char *cmd, int e, int *ret_status, struct mb_error *err)
{
	struct stat st;
	if (e == ENOENT) {
		*ret_status = MB_EXIT_NOT_FOUND;
		/* The file is there: what is missing is what it needs to run. */
		if (strchr(cmd, '/') && stat(cmd, &st) == 0)
			return mb_error_set(err, -ENOENT,
					    "%s: required file not found: its interpreter (ELF loader "
					    "or #! line) is not in the sandbox; grant it",
					    cmd);
		return mb_error_set(err, -ENOENT, "%s: command not found", cmd);
	}
	*ret_status = MB_EXIT_CANNOT_EXEC;
	return mb_error_set(err, -e, "%s: %s", cmd, strerror(e));
}

int mb_exec_command(char *const argv[], char *const envp[], int *ret_status,
		    struct mb_error *err)
{
	static char *const empty_env[] = { NULL };
	const char *cmd = argv[0];
	if (!envp)
		envp = empty_env;
	if (!cmd || !*cmd)
		return failed(cmd ? cmd : "", ENOENT, ret_status, err);
	if (strchr(cmd, '/')) {
		execve(cmd, argv, envp);
		/* A path that exists but is not a file is "not executable". */
		return failed(cmd, errno, ret_status, err);
	}

	const char *path = env_get(envp, "PATH");
	if (!path)
		path = MB_DEFAULT_PATH;
	int seen = 0; /* the first error other than "not there", as execvp */
	char buf[PATH_MAX];
	for (const char *p = path;; p++) {
		const char *end = strchrnul(p, ':');
		size_t dl = (size_t)(end - p);
		int n = dl ? snprintf(buf, sizeof(buf), "%.*s/%s", (int)dl, p, cmd)
			   : snprintf(buf, sizeof(buf), "%s", cmd); /* "" means "." */
		/* Look with stat and access rather than by trying execve on
		 * each candidate as execvp does: execve is a watched call, and
		 * the launcher lets exactly one through (sandbox/watch.h). One
		 * difference remains: a candidate that access(2) calls
		 * executable but Landlock refuses ends the search with 126. */
		struct stat st;
		int e = ENAMETOOLONG;
		if (n > 0 && (size_t)n < sizeof(buf)) {
			if (stat(buf, &st) < 0)
				e = errno;
			else if (!S_ISREG(st.st_mode) || faccessat(AT_FDCWD, buf, X_OK, AT_EACCESS) < 0)
				e = EACCES; /* there, but not an executable file */
			else {
				execve(buf, argv, envp);
				return failed(cmd, errno, ret_status, err);
			}
		}
		switch (e) {
		case ENOENT:
		case ENOTDIR:
		case ESTALE:
		case ENODEV:
		case ELOOP:
		case ENAMETOOLONG:
			break;
		case EACCES:
			if (!seen)
				seen = EACCES;
			break;
		default:
			return failed(cmd, e, ret_status, err);
		}
		if (!*end)
			break;
		p = end;
	}
	return failed(cmd, seen ? seen : ENOENT, ret_status, err);
}
