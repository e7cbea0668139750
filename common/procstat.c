/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/error.h"
#include "common/procstat.h"

/* /proc/PID/NAME's first size - 1 bytes, NUL-terminated: 0 or -errno. */
static int read_proc(int pid, const char *name, char *buf, size_t size)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/%s", pid, name);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return mb_neg_errno();
	ssize_t n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = '\0';
	return 0;
}

int mb_proc_stat(int pid, int *ret_ppid, unsigned long long *ret_start)
{
	char buf[1024];
	int r = read_proc(pid, "stat", buf, sizeof(buf));
	if (r < 0)
		return r;
	/* The command may hold anything, ')' too: the last one ends it. Then
	 * state, ppid, and starttime as field 22. */
	char *p = strrchr(buf, ')');
	int ppid = 0;
	unsigned long long start = 0;
	if (!p || sscanf(p + 2, "%*c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu",
			 &ppid, &start) != 2)
		return -EIO;
	*ret_ppid = ppid;
	*ret_start = start;
	return 0;
}

int mb_proc_tgid(int tid, int *ret_tgid)
{
	char buf[512];
	int r = read_proc(tid, "status", buf, sizeof(buf));
	if (r < 0)
		return r;
	/* Tgid is among the first lines; a newline in Name is escaped by the
	 * kernel, so the first "\nTgid:" is the field. */
	const char *t = strstr(buf, "\nTgid:");
	int tgid = 0;
	if (!t || sscanf(t + 6, "%d", &tgid) != 1 || tgid <= 0)
		return -EIO;
	*ret_tgid = tgid;
	return 0;
}
