#include <string.h>
#include <sys/resource.h>

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
