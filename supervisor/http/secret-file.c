/* SPDX-License-Identifier: Apache-2.0 */
/* Reading a secret or certificate file (secret-file.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "supervisor/http/secret-file.h"

#define SECRET_MAX (1u << 20)

int mb_secret_read(const char *opt, const char *what, bool private, char **ret, size_t *ret_len,
		   struct mb_error *err)
{
	char path[4096];
	if (strncmp(what, "credential:", 11) == 0) {
		const char *dir = getenv("CREDENTIALS_DIRECTORY");
		if (!dir)
			return mb_error_set(err, -ENOENT, "%s %s: $CREDENTIALS_DIRECTORY is not set (LoadCredential= in the unit, or give a path)",
					    opt, what);
		snprintf(path, sizeof(path), "%s/%s", dir, what + 11);
	} else {
		snprintf(path, sizeof(path), "%s", what);
	}
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return mb_error_set(err, mb_neg_errno(), "%s %s: %s", opt, path, strerror(errno));
	struct stat st;
	if (fstat(fd, &st) < 0)
		return mb_error_set(err, mb_neg_errno(), "%s %s: %s", opt, path, strerror(errno));
	if (!S_ISREG(st.st_mode) || st.st_size > SECRET_MAX)
		return mb_error_set(err, -EINVAL, "%s %s: expected a regular file of at most 1 MiB", opt, path);
	/* systemd's credentials are 0400 root (or the service's user). */
	if (private && (st.st_mode & 077))
		return mb_error_set(err, -EPERM, "%s %s: readable by group or others: chmod 600 %s",
				    opt, path, path);
	char *buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		return mb_error_set(err, -ENOMEM, "out of memory");
	size_t got = 0;
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = n < 0 ? mb_neg_errno() : -EIO;
			free(buf);
			return mb_error_set(err, e, "%s %s: cannot read: %s", opt, path, strerror(-e));
		}
		got += (size_t)n;
	}
	buf[got] = '\0';
	*ret = buf;
	if (ret_len)
		*ret_len = got;
	return 0;
}
