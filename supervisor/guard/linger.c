/* SPDX-License-Identifier: Apache-2.0 */
/* Calls whose processes outlive them: see linger.h. */
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/loop.h"
#include "common/procstat.h"
#include "policy/decide.h"
#include "policy/resolve.h"
#include "supervisor/guard/linger.h"

#define MAX_DEPTH 16 /* ancestors looked at */

struct gset {
	struct mb_callgrants g;
	unsigned refs;
};

struct proc {
	int pid;
	unsigned long long start;
	uint64_t deadline_ns;
	struct gset *set;
};

struct mb_linger {
	const struct mb_profile *p;
	const char *cwd;
	MB_VEC(const char *) within_dirs;
	char *within_mem[64];
	struct proc procs[MB_LINGER_MAX_PROCS];
	size_t nprocs;
	size_t nsets;
	uint64_t now_ns;
};

int (*mb_linger_proc_stat)(int pid, int *ret_ppid, unsigned long long *ret_start) = mb_proc_stat;
int (*mb_linger_proc_tgid)(int tid, int *ret_tgid) = mb_proc_tgid;

int mb_linger_new(const struct mb_profile *p, const char *cwd, struct mb_linger **ret)
{
	struct mb_linger *lg = calloc(1, sizeof(*lg));
	if (!lg)
		return -ENOMEM;
	lg->p = p;
	lg->cwd = cwd;
	/* arguments.within's literal directories, canonical: a value leading
	 * out of them through a symlink grants nothing (as the correlator). */
	size_t k = 0;
	mb_vec_foreach(w, &p->within) {
		char real[PATH_MAX];
		struct mb_resolved rs;
		if (k == ARRAY_SIZE(lg->within_mem) || w->has_glob || w->has_placeholder ||
		    strchr(w->text, '\\') || mb_path_resolve(w->text, real, sizeof(real), NULL, NULL, &rs) < 0)
			continue;
		if (!(lg->within_mem[k] = strdup(real)) ||
		    mb_vec_push(&lg->within_dirs, (const char *)lg->within_mem[k]) < 0) {
			mb_linger_free(lg);
			return -ENOMEM;
		}
		k++;
	}
	*ret = lg;
	return 0;
}

static void set_put(struct mb_linger *lg, struct gset *s)
{
	if (--s->refs)
		return;
	mb_callgrants_free(&s->g);
	free(s);
	lg->nsets--;
}

static void drop(struct mb_linger *lg, size_t i)
{
	set_put(lg, lg->procs[i].set);
	lg->procs[i] = lg->procs[--lg->nprocs];
}

void mb_linger_free(struct mb_linger *lg)
{
	if (!lg)
		return;
	while (lg->nprocs)
		drop(lg, 0);
	for (size_t i = 0; i < ARRAY_SIZE(lg->within_mem); i++)
		free(lg->within_mem[i]);
	mb_vec_free(&lg->within_dirs);
	free(lg);
}

size_t mb_linger_count(const struct mb_linger *lg)
{
	return lg->nprocs;
}

/* Past its time, or gone (the pid names another process now). */
static void expire(struct mb_linger *lg, uint64_t now_ns)
{
	for (size_t i = 0; i < lg->nprocs;) {
		struct proc *pr = &lg->procs[i];
		int ppid;
		unsigned long long start;
		if (pr->deadline_ns <= now_ns || mb_linger_proc_stat(pr->pid, &ppid, &start) < 0 ||
		    start != pr->start)
			drop(lg, i);
		else
			i++;
	}
}

static struct proc *find(struct mb_linger *lg, int pid, unsigned long long start)
{
	for (size_t i = 0; i < lg->nprocs; i++)
		if (lg->procs[i].pid == pid && lg->procs[i].start == start)
			return &lg->procs[i];
	return NULL;
}

static void add(struct mb_linger *lg, int pid, unsigned long long start, uint64_t deadline_ns,
		struct gset *s)
{
	struct proc *pr = find(lg, pid, start);
	if (pr) {
		/* Another call's exec: the later one's grants (its own). */
		set_put(lg, pr->set);
	} else {
		if (lg->nprocs == MB_LINGER_MAX_PROCS) {
			size_t oldest = 0;
			for (size_t i = 1; i < lg->nprocs; i++)
				if (lg->procs[i].deadline_ns < lg->procs[oldest].deadline_ns)
					oldest = i;
			drop(lg, oldest);
		}
		pr = &lg->procs[lg->nprocs++];
	}
	s->refs++;
	*pr = (struct proc){ .pid = pid, .start = start, .deadline_ns = deadline_ns, .set = s };
}

void mb_linger_note(struct mb_linger *lg, const struct mb_notified_op *op,
		    const struct mb_inflight *inflight, uint64_t now_ns)
{
	lg->now_ns = now_ns;
	if (op->sc->kind != MB_WATCH_EXEC || !inflight)
		return;
	expire(lg, now_ns);
	/* By the process: execve gives the calling thread its leader's pid
	 * and start time, and every thread of it works for the call. */
	int pid, ppid;
	unsigned long long start;
	if (mb_linger_proc_tgid(op->pid, &pid) < 0 || mb_linger_proc_stat(pid, &ppid, &start) < 0)
		return;
	for (struct mb_call *c = mb_inflight_first(inflight); c; c = mb_inflight_next(c)) {
		if (c->dir != MB_DIR_CLIENT || !mb_call_window_open(c))
			continue;
		const struct mb_tool *t = c->tool ? mb_profile_tool(lg->p, c->tool)
				      : c->method ? mb_profile_request(lg->p, c->method) : NULL;
		if (!t || !t->outlive_ms || lg->nsets >= MB_LINGER_MAX_SETS)
			continue;
		struct gset *s = calloc(1, sizeof(*s));
		if (!s)
			return;
		if (mb_callgrants_build(&t->grants, mb_call_arguments(c), lg->cwd, &s->g) < 0) {
			free(s);
			return;
		}
		if (mb_callgrants_canonicalize(&s->g, lg->within_dirs.v, lg->within_dirs.n) < 0) {
			free(s);
			return;
		}
		lg->nsets++;
		add(lg, pid, start, now_ns + t->outlive_ms * 1000000u, s);
		if (s->refs == 0) { /* not kept */
			s->refs = 1;
			set_put(lg, s);
		}
	}
}

/* The lingering process op's thread belongs to, or descends from: found
 * by its parents, and then known by itself too (its parent may exit
 * first). The notifier names threads; processes are known by their
 * leader (rg's walkers read on threads of their own). */
static struct proc *owner(struct mb_linger *lg, int tid)
{
	int chain[MAX_DEPTH];
	unsigned long long starts[MAX_DEPTH];
	size_t n = 0;
	int pid;
	if (mb_linger_proc_tgid(tid, &pid) < 0)
		return NULL;
	for (int p = pid; p > 1 && n < MAX_DEPTH; n++) {
		int ppid;
		if (mb_linger_proc_stat(p, &ppid, &starts[n]) < 0)
			return NULL;
		chain[n] = p;
		struct proc *pr = find(lg, p, starts[n]);
		if (pr) {
			struct proc found = *pr;
			for (size_t i = 0; i < n; i++)
				add(lg, chain[i], starts[i], found.deadline_ns, found.set);
			return find(lg, pid, starts[0]);
		}
		p = ppid;
	}
	return NULL;
}

bool mb_linger_allows(void *ud, const struct mb_notified_op *op, enum mb_op o,
		      enum mb_access access, const char *path)
{
	struct mb_linger *lg = ud;
	if (!lg->nprocs)
		return false;
	expire(lg, mb_now_ns());
	struct proc *pr = owner(lg, op->pid);
	return pr && mb_decide_path(NULL, &pr->set->g, lg->p, o, access, path, NULL);
}
