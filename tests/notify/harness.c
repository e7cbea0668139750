/* SPDX-License-Identifier: Apache-2.0 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <seccomp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox/watch.h"
#include "supervisor/notify/notify-ident.h"
#include "tests/notify/harness.h"

struct h_rec h_recs[H_MAX_RECS];
int h_nrecs;
struct mb_answer h_verdict;
int h_deny_nth;
const char *h_deny_syscall;
const char *h_deny_within;
const char *h_allow_within;
bool h_no_fast;

static pid_t child = -1;
static int ctl = -1;
static struct mb_notifier *notifier;
/* MB_NOTIFY_TWIN: a twin on the same listener (mb_notifier_twin) takes
 * every other notification, as membrane-run's workers share them. */
static struct mb_notifier *twin;
static unsigned turn;

static struct mb_notifier *next_notifier(void)
{
	return twin && (turn++ & 1) ? twin : notifier;
}
static unsigned features;

struct mb_notifier *h_notifier(void)
{
	return notifier;
}

struct mb_notifier *h_twin(void)
{
	return twin;
}

struct mb_notifier_stats h_stats(void)
{
	struct mb_notifier_stats s = *mb_notifier_stats(notifier);
	_Static_assert(sizeof(s) % sizeof(uint64_t) == 0, "counters only");
	if (twin) {
		uint64_t *a = (uint64_t *)&s;
		const uint64_t *b = (const uint64_t *)mb_notifier_stats(twin);
		for (size_t i = 0; i < sizeof(s) / sizeof(uint64_t); i++)
			a[i] += b[i];
	}
	return s;
}

unsigned h_features(void)
{
	return features;
}

static bool within(const char *path, const char *dir)
{
	size_t l = strlen(dir);
	return path && strncmp(path, dir, l) == 0 && (path[l] == '\0' || path[l] == '/');
}

/* A grant of everything but h_deny_within, or of h_allow_within alone
 * (and never an unreadable argument). */
static bool within_denied(const struct mb_notified_op *op)
{
	for (unsigned i = 0; i < op->n; i++) {
		const struct mb_notified_target *t = &op->t[i];
		if (t->kind == MB_TARGET_UNREADABLE)
			return true;
		if (h_deny_within ? within(t->path, h_deny_within) : !within(t->path, h_allow_within))
			return true;
	}
	return false;
}

static struct mb_answer decide(const struct mb_notified_op *op, void *ud)
{
	(void)ud;
	int idx = h_nrecs;
	if (h_nrecs < H_MAX_RECS) {
		struct h_rec *r = &h_recs[h_nrecs++];
		memset(r, 0, sizeof(*r));
		snprintf(r->syscall, sizeof(r->syscall), "%s", op->sc->name);
		r->pid = op->pid;
		r->n = op->n;
		r->nmsg = op->nmsg;
		unsigned n = op->nmsg ? MB_MIN(op->nmsg, 2u) : op->n;
		for (unsigned i = 0; i < n; i++) {
			const struct mb_notified_target *t = op->nmsg ? &op->mt[i] : &op->t[i];
			r->t[i].kind = t->kind;
			r->t[i].presence = t->presence;
			r->t[i].ops = t->ops;
			r->t[i].unix_socket = t->unix_socket;
			r->t[i].family = t->family;
			r->t[i].resolve_error = t->resolve_error;
			r->t[i].addr = t->addr;
			r->t[i].unreadable = t->unreadable;
			r->t[i].salen = t->salen;
			snprintf(r->t[i].path, sizeof(r->t[i].path), "%s", t->path ? t->path : "");
		}
	}
	if (h_deny_within || h_allow_within)
		return (struct mb_answer){ within_denied(op) ? MB_VERDICT_DENY : MB_VERDICT_ALLOW, 0 };
	if (h_deny_syscall)
		return (struct mb_answer){ strcmp(op->sc->name, h_deny_syscall) == 0 ? MB_VERDICT_DENY
										: MB_VERDICT_ALLOW, 0 };
	if (h_deny_nth > 0)
		return (struct mb_answer){ idx + 1 == h_deny_nth ? MB_VERDICT_DENY : MB_VERDICT_ALLOW, 0 };
	return h_verdict;
}

/* The verdict's pure twin, for the notifier's fast opens (MB_NOTIFY_FAST
 * set): what decide would answer, without counting or recording. */
static bool allows(const struct mb_notified_op *op, void *ud)
{
	(void)ud;
	if (h_no_fast)
		return false;
	if (h_deny_within || h_allow_within)
		return !within_denied(op);
	if (h_deny_syscall)
		return strcmp(op->sc->name, h_deny_syscall) != 0;
	return h_deny_nth == 0 && h_verdict.verdict == MB_VERDICT_ALLOW;
}

static _noreturn_ void serve(h_case_fn const *cases, int sock)
{
	for (;;) {
		int i;
		if (read(sock, &i, sizeof(i)) != sizeof(i))
			_exit(0);
		long ret = cases[i]();
		if (write(sock, &ret, sizeof(ret)) != sizeof(ret))
			_exit(1);
	}
}

/* The supervisor's side without openat2, as under a service manager whose
 * seccomp filter refuses it (ENOSYS): the child, forked already, keeps it. */
static int no_openat2(void)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		return -ENOMEM;
	int r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), 437 /* openat2 */, 0);
	if (r == 0)
		r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 1);
	if (r == 0)
		r = seccomp_load(ctx);
	seccomp_release(ctx);
	return r;
}

int h_start(h_case_fn const *cases, void (*setup)(void), const struct mb_notifier_opts *opts)
{
	struct mb_error err = { 0 };
	struct mb_bpf f = { 0 };
	int r = mb_watch_filter_build(&f, &err);
	if (r < 0) {
		printf("# %s\n", err.msg);
		return r;
	}
	int hand[2], sv[2];
	if (mb_watch_handoff_pair(hand) < 0 || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	fflush(stdout);
	child = fork();
	if (child < 0)
		return -errno;
	if (child == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(hand[0]);
		close(sv[0]);
		if (setup)
			setup();
		unsigned feat = 0;
		int l = mb_watch_install(&f, &feat);
		if (l < 0)
			_exit(100);
		if (mb_watch_handoff_send(hand[1], l, feat) < 0)
			_exit(101);
		close(l);
		close(hand[1]);
		serve(cases, sv[1]);
	}
	mb_bpf_free(&f);
	close(hand[1]);
	close(sv[1]);
	if (getenv("MB_NOTIFY_NO_OPENAT2") && (r = no_openat2()) < 0)
		return r;
	ctl = sv[0];
	int listener;
	r = mb_watch_handoff_recv(hand[0], &listener, &features, &err);
	close(hand[0]);
	if (r < 0) {
		printf("# %s\n", err.msg);
		return r;
	}
	struct mb_notifier_opts o = opts ? *opts : (struct mb_notifier_opts){ .root_fd = -1 };
	if (getenv("MB_NOTIFY_FAST"))
		o.allows = allows;
	r = mb_notifier_new(listener, &o, decide, NULL, &notifier, &err);
	if (r < 0) {
		printf("# %s\n", err.msg);
		return r;
	}
	if (getenv("MB_NOTIFY_TWIN") && (r = mb_notifier_twin(notifier, &twin)) < 0) {
		printf("# mb_notifier_twin: %s\n", strerror(-r));
		return r;
	}
	return 0;
}

long h_run(int i)
{
	h_nrecs = 0;
	if (write(ctl, &i, sizeof(i)) != sizeof(i))
		return -EPIPE;
	for (;;) {
		struct pollfd p[2] = {
			{ .fd = mb_notifier_fd(notifier), .events = POLLIN },
			{ .fd = ctl, .events = POLLIN },
		};
		if (poll(p, 2, 20000) <= 0) {
			printf("# case %d: no answer from the child\n", i);
			return -ETIMEDOUT;
		}
		if (p[0].revents & POLLIN) {
			int r = mb_notifier_handle(next_notifier());
			if (r < 0) {
				printf("# mb_notifier_handle: %s\n", strerror(-r));
				return r;
			}
			continue;
		}
		if (p[1].revents & (POLLIN | POLLHUP)) {
			long ret;
			/* The notifier performs as the child: the test as itself. */
			mb_ident_supervisor();
			if (read(ctl, &ret, sizeof(ret)) != sizeof(ret))
				return -EPIPE;
			return ret;
		}
	}
}

const struct h_rec *h_find(const char *syscall)
{
	for (int i = 0; i < h_nrecs; i++)
		if (strcmp(h_recs[i].syscall, syscall) == 0)
			return &h_recs[i];
	return NULL;
}

int h_stop(void)
{
	int status = 0;
	close(ctl);
	ctl = -1;
	/* Anything the child does on its way out may still be notified. Once
	 * the listener hangs up (no watched process left), just wait. */
	bool killed = false;
	for (int waited_ms = 0;;) {
		pid_t w = waitpid(child, &status, WNOHANG);
		if (w == child)
			break;
		if (waited_ms >= 10000 && !killed) {
			printf("# the child did not exit: killing it\n");
			kill(child, SIGKILL);
			killed = true;
		}
		struct pollfd p = { .fd = mb_notifier_fd(notifier), .events = POLLIN };
		int pr = poll(&p, 1, 10);
		if (pr > 0 && (p.revents & POLLIN)) {
			mb_notifier_handle(next_notifier());
			continue;
		}
		if (pr > 0) /* POLLHUP: nothing left to answer */
			usleep(10000);
		waited_ms += 10;
	}
	mb_notifier_free(twin);
	twin = NULL;
	mb_notifier_free(notifier);
	notifier = NULL;
	return status;
}

const char *h_presence_name(enum mb_presence p)
{
	switch (p) {
	case MB_PRESENT:
		return "present";
	case MB_PRESENT_NEW:
		return "new";
	case MB_PRESENT_HOST:
		return "host";
	case MB_PRESENT_NONE:
		return "none";
	case MB_PRESENT_OUTSIDE:
		return "outside";
	default:
		return "?";
	}
}

const char *h_kind_name(enum mb_target_kind k)
{
	static const char *names[] = { "path",	   "memfd",  "deleted",	   "anon",
				       "inet", "abstract", "family", "unreadable" };
	return (unsigned)k < ARRAY_SIZE(names) ? names[k] : "?";
}

const char *h_addr_format(const struct mb_addr *a, char *buf, size_t bufsz)
{
	char ip[INET6_ADDRSTRLEN];
	inet_ntop(a->family, a->addr, ip, sizeof(ip));
	snprintf(buf, bufsz, a->family == AF_INET6 ? "[%s]:%u" : "%s:%u", ip, a->port);
	return buf;
}
