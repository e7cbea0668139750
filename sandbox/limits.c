/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "sandbox/limits.h"

static int set(int res, const char *name, uint64_t v, const struct mb_srcpos *pos,
	       struct mb_error *err)
{
	struct rlimit rl = { .rlim_cur = (rlim_t)v, .rlim_max = (rlim_t)v };
	if (setrlimit(res, &rl) == 0)
		return 0;
	int r = mb_neg_errno();
	struct rlimit cur = { 0 };
	(void)getrlimit(res, &cur);
	if (pos && pos->file)
		return mb_error_at(err, r, pos->file, pos->line, pos->column,
				   "limits: cannot set %s to %llu (%s; the hard limit here is %llu)",
				   name, (unsigned long long)v, strerror(-r),
				   (unsigned long long)cur.rlim_max);
	return mb_error_set(err, r, "setrlimit %s %llu: %s", name, (unsigned long long)v,
			    strerror(-r));
}

int mb_limits_apply(const struct mb_limits *l, struct mb_error *err)
{
	int r = set(RLIMIT_CORE, "RLIMIT_CORE", 0, NULL, err);
	if (r < 0)
		return r;
	if (l->tasks && (r = set(RLIMIT_NPROC, "RLIMIT_NPROC", l->tasks, &l->tasks_pos, err)) < 0)
		return r;
	if (l->files && (r = set(RLIMIT_NOFILE, "RLIMIT_NOFILE", l->files, &l->files_pos, err)) < 0)
		return r;
	return 0;
}

int mb_limits_apply_memory(const struct mb_limits *l, struct mb_error *err)
{
	return l->memory ? set(RLIMIT_DATA, "RLIMIT_DATA", l->memory, &l->memory_pos, err) : 0;
}

/* The handlers act on the writer's IPC namespace, whichever /proc instance
 * the path goes through. */
static int write_sysctl(const char *path, unsigned long long v)
{
	char text[32];
	int n = snprintf(text, sizeof(text), "%llu", v);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : mb_neg_errno();
	int r = write(fd, text, (size_t)n) == n ? 0 : mb_neg_errno();
	mb_close(fd);
	return r;
}

int mb_limits_apply_shm(const struct mb_limits *l, struct mb_error *err)
{
	if (!l->memory)
		return 0;
	long page = sysconf(_SC_PAGESIZE);
	unsigned long long pages = l->memory / (unsigned long long)(page > 0 ? page : 4096);
	int r = write_sysctl("/proc/sys/kernel/shmmax", l->memory);
	if (r == 0)
		r = write_sysctl("/proc/sys/kernel/shmall", pages ? pages : 1);
	/* Only a user namespace that maps root owns its IPC sysctls: one that
	 * maps the caller alone (unprivileged) cannot write them, and says so
	 * in the layers. */
	if (r == -EACCES || r == -EPERM)
		return 0;
	if (r < 0)
		return mb_error_set(err, r,
				    "limits: bounding System V shared memory in the sandbox's IPC "
				    "namespace (kernel.shmall): %s",
				    strerror(-r));
	return 1;
}

/* Beyond this an fd table's memory (8 bytes a slot) buys nothing a server
 * starting up needs; a larger table still grows on demand. */
#define FD_TABLE_PRESIZE_MAX 1024

void mb_limits_presize_fd_table(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur <= 64)
		return;
	rlim_t n = rl.rlim_cur < FD_TABLE_PRESIZE_MAX ? rl.rlim_cur : FD_TABLE_PRESIZE_MAX;
	/* The lowest free fd from n-1 on: nothing open is replaced. */
	int fd = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, (int)(n - 1));
	if (fd >= 0)
		(void)close(fd);
}
