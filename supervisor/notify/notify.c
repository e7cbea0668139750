/* SPDX-License-Identifier: Apache-2.0 */
/* The notifier: one notification in, one answer out (notify.h states the
 * invariant): receiving, dispatching by the table's kind, and the answers
 * (SEND, ADDFD). */
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "supervisor/notify/notify-internal.h"

#if defined(__x86_64__)
#define MB_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define MB_AUDIT_ARCH AUDIT_ARCH_AARCH64
#elif defined(__riscv) && __riscv_xlen == 64
#define MB_AUDIT_ARCH AUDIT_ARCH_RISCV64
#else
#error "membrane's notifier knows x86-64, aarch64 and riscv64"
#endif


int mb_notifier_new(int listener, const struct mb_notifier_opts *opts, mb_decide_fn decide,
		    void *ud, struct mb_notifier **ret, struct mb_error *err)
{
	_cleanup_close_ int fd = listener;
	struct seccomp_notif_sizes sizes;
	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0)
		return mb_error_set(err, mb_neg_errno(), "seccomp(SECCOMP_GET_NOTIF_SIZES): %m");

	_cleanup_(mb_notifier_freep) struct mb_notifier *n = calloc(1, sizeof(*n));
	if (!n)
		return mb_error_set(err, -ENOMEM, "out of memory");
	n->fd = -1;
	n->root = -1;
	n->fixed_root = opts ? opts->root_fd : -1;
	n->one_root = opts && opts->one_root;
	n->kept_root = -1;
	n->restartable = opts && opts->restartable;
	n->allows = opts ? opts->allows : NULL;
	n->own_umask = umask(022);
	umask(n->own_umask);
	atomic_init(&n->umask_seen_own, false);
	n->umask_seen = &n->umask_seen_own;
	n->decide = decide;
	n->ud = ud;
	n->page_size = sysconf(_SC_PAGESIZE);
	/* The kernel's structures may be larger than our headers' (newer
	 * kernels): size the buffers by what it says. */
	n->req_size = MB_MAX((size_t)sizes.seccomp_notif, sizeof(struct seccomp_notif));
	n->resp_size = MB_MAX((size_t)sizes.seccomp_notif_resp, sizeof(struct seccomp_notif_resp));
	n->req = calloc(1, n->req_size);
	n->resp = calloc(1, n->resp_size);
	if (!n->req || !n->resp)
		return mb_error_set(err, -ENOMEM, "out of memory");

	if (!(opts && opts->no_sync_wake_up)) {
		/* 6.6+: the supervisor is woken on the target's CPU and the
		 * target on ours, instead of through the scheduler's wake-up
		 * path, which costs tens of microseconds across CPUs. */
		if (ioctl(fd, SECCOMP_IOCTL_NOTIF_SET_FLAGS, SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP) == 0)
			n->sync_wake_up = true;
		else if (errno != EINVAL && errno != ENOTTY)
			return mb_error_set(err, mb_neg_errno(),
					    "SECCOMP_IOCTL_NOTIF_SET_FLAGS: %m");
	}
	n->fd = TAKE_FD(fd);
	*ret = TAKE_PTR(n);
	return 0;
}

int mb_notifier_twin(const struct mb_notifier *n, struct mb_notifier **ret)
{
	_cleanup_(mb_notifier_freep) struct mb_notifier *t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->fd = -1;
	t->root = -1;
	t->kept_root = -1;
	t->decide = n->decide;
	t->allows = n->allows;
	t->ud = n->ud;
	t->lock = n->lock;
	t->sync_wake_up = n->sync_wake_up;
	t->restartable = n->restartable;
	t->fixed_root = n->fixed_root;
	t->one_root = n->one_root;
	t->page_size = n->page_size;
	t->req_size = n->req_size;
	t->resp_size = n->resp_size;
	t->umask_seen = n->umask_seen;
	t->own_umask = n->own_umask;
	t->req = calloc(1, t->req_size);
	t->resp = calloc(1, t->resp_size);
	if (!t->req || !t->resp)
		return -ENOMEM;
	/* The same open listener: the flags set on it hold for both. */
	t->fd = fcntl(n->fd, F_DUPFD_CLOEXEC, 3);
	if (t->fd < 0)
		return mb_neg_errno();
	*ret = TAKE_PTR(t);
	return 0;
}

void mb_notifier_free(struct mb_notifier *n)
{
	if (!n)
		return;
	mb_resolve_reset(n);
	mb_ident_supervisor();
	mb_close(n->kept_root);
	mb_close(n->fd);
	free(n->req);
	free(n->resp);
	for (unsigned i = 0; i < 2; i++)
		free(n->name[i].s);
	free(n->aname.s);
	free(n->xvalue);
	free(n);
}

int mb_notifier_fd(const struct mb_notifier *n)
{
	return n->fd;
}

bool mb_notifier_sync_wake_up(const struct mb_notifier *n)
{
	return n->sync_wake_up;
}

const struct mb_notifier_stats *mb_notifier_stats(const struct mb_notifier *n)
{
	return &n->stats;
}

int mb_notifier_exe(pid_t pid, char *buf, size_t bufsz)
{
	char p[32];
	snprintf(p, sizeof(p), "/proc/%d/exe", (int)pid);
	ssize_t len = readlink(p, buf, bufsz - 1);
	if (len < 0)
		return -errno;
	buf[len] = '\0';
	return 0;
}

/* ---- per notification ---------------------------------------------------- */

int mb_track(struct mb_notifier *n, int fd)
{
	if (n->nfds == MB_MAX_FDS) {
		mb_close(fd);
		return -EMFILE;
	}
	n->fds[n->nfds++] = fd;
	return fd;
}

void mb_resolve_reset(struct mb_notifier *n)
{
	while (n->nfds > 0)
		mb_close(n->fds[--n->nfds]);
	if (n->root_owned)
		mb_close(n->root);
	n->root = -1;
	n->root_owned = false;
	n->nstgid = n->nspid = 0;
}

int mb_notify_as_server(struct mb_notifier *n)
{
	if (n->ident_failed)
		return -EACCES;
	if (!n->ident.known && mb_ident_read(n->pid, &n->ident) < 0) {
		/* The first notification names the server: without its
		 * credentials nothing is performed for it (fail closed). */
		n->ident_failed = true;
		return -EACCES;
	}
	return mb_ident_server(&n->ident) < 0 ? -EACCES : 0;
}

/* This kernel's version as major * 1000 + minor, or -1. */
static int kernel_version(void)
{
	struct utsname u;
	unsigned major = 0, minor = 0;
	if (uname(&u) < 0 || sscanf(u.release, "%u.%u", &major, &minor) != 2)
		return -1;
	return (int)(major * 1000 + minor);
}

void mb_notifier_describe_kernel(char *buf, size_t bufsz)
{
	int v = kernel_version();
	snprintf(buf, bufsz,
		 "The dynamic layer performs the opens and path mutations it allows, with the "
		 "server's credentials, and installs opened files in the server: it needs "
		 "SECCOMP_ADDFD_FLAG_SEND (Linux 5.14, %s here; without it membrane-run refuses "
		 "to start) and SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (Linux 5.19, %s here; "
		 "without it path calls with side effects are refused). exec is left to the "
		 "kernel, bounded by Landlock's execute rights.\n",
		 v < 0 ? "unknown" : v >= 5014 ? "present" : "MISSING",
		 v < 0 ? "unknown" : v >= 5019 ? "present" : "MISSING");
}

int mb_notifier_check_kernel(struct mb_error *err)
{
	int v = kernel_version();
	unsigned major = v < 0 ? 0 : (unsigned)v / 1000, minor = v < 0 ? 0 : (unsigned)v % 1000;
	if (v < 0)
		return mb_error_set(err, -ENOSYS, "cannot read the kernel's version");
	if (major < 5 || (major == 5 && minor < 14))
		return mb_error_set(err, -ENOSYS,
				    "Linux %u.%u: the dynamic layer performs the server's opens and "
				    "installs them with SECCOMP_ADDFD_FLAG_SEND, which needs Linux 5.14 "
				    "(run on a newer kernel)",
				    major, minor);
	return 0;
}

/* ---- answering ---------------------------------------------------------- */

int mb_notify_send_resp(struct mb_notifier *n, uint64_t id, bool cont, int error)
{
	memset(n->resp, 0, n->resp_size);
	n->resp->id = id;
	if (cont)
		n->resp->flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	else
		n->resp->error = -error;
	if (ioctl(n->fd, SECCOMP_IOCTL_NOTIF_SEND, n->resp) < 0) {
		if (errno == ENOENT) { /* killed, or interrupted by a signal */
			n->stats.vanished++;
			return 0;
		}
		return -errno;
	}
	if (cont)
		n->stats.continued++;
	else
		n->stats.denied++;
	return 0;
}

int mb_notify_send_val(struct mb_notifier *n, uint64_t id, int64_t val)
{
	memset(n->resp, 0, n->resp_size);
	n->resp->id = id;
	n->resp->val = val;
	if (ioctl(n->fd, SECCOMP_IOCTL_NOTIF_SEND, n->resp) < 0) {
		if (errno == ENOENT) {
			n->stats.vanished++;
			return 0;
		}
		return -errno;
	}
	n->stats.performed++;
	return 0;
}

int mb_notify_install(struct mb_notifier *n, uint64_t id, int fd, bool cloexec)
{
	struct seccomp_notif_addfd a = {
		.id = id,
		.flags = SECCOMP_ADDFD_FLAG_SEND,
		.srcfd = (uint32_t)fd,
		.newfd_flags = cloexec ? O_CLOEXEC : 0,
	};
	if (ioctl(n->fd, SECCOMP_IOCTL_NOTIF_ADDFD, &a) >= 0) {
		n->stats.performed++;
		n->stats.installed++;
		return 0;
	}
	switch (errno) {
	case ENOENT: /* the thread died, or a signal interrupted the wait */
		n->stats.vanished++;
		return 0;
	case EMFILE:
		/* The target's RLIMIT_NOFILE; with SEND it still waits for
		 * an answer. */
		return mb_notify_send_resp(n, id, false, EMFILE);
	case EINPROGRESS:
		return -EINPROGRESS; /* answered already: our bug */
	default:
		return mb_notify_send_resp(n, id, false, errno);
	}
}

static bool is_network(const struct mb_watch_syscall *sc)
{
	return sc->kind == MB_WATCH_SOCKADDR || sc->kind == MB_WATCH_MSGHDR ||
	       sc->kind == MB_WATCH_MMSGHDR || sc->kind == MB_WATCH_LISTEN;
}

int mb_notify_default_errno(const struct mb_notified_op *op)
{
	for (unsigned i = 0; i < op->n; i++) {
		if (op->t[i].kind == MB_TARGET_UNREADABLE)
			return EFAULT;
		/* Absent from the sandbox: the kernel's answer, which tells the
		 * server nothing it could not learn by itself. */
		if (op->t[i].presence == MB_PRESENT_NONE && op->t[i].resolve_error < 0)
			return -op->t[i].resolve_error;
		if (op->t[i].presence == MB_PRESENT_HOST || op->t[i].presence == MB_PRESENT_OUTSIDE ||
		    op->t[i].presence == MB_PRESENT_NONE)
			return ENOENT;
	}
	return is_network(op->sc) ? EPERM : EACCES;
}

/* Only after SECCOMP_IOCTL_NOTIF_ID_VALID said the target still waits.
 * The network's deciders (the broker) make host sockets and read both
 * namespaces: they run with the supervisor's own credentials. */
struct mb_answer mb_notify_ask(struct mb_notifier *n, const struct mb_notified_op *op)
{
	n->stats.decided++;
	if (n->lock)
		pthread_mutex_lock(n->lock);
	struct mb_answer d = { MB_VERDICT_DENY, EPERM };
	if (n->closed) {
		/* the session is over: nothing is left to decide against */
	} else if (!is_network(op->sc)) {
		d = n->decide(op, n->ud);
	} else {
		struct mb_ident_scope s = mb_ident_privileged();
		d = n->decide(op, n->ud);
		mb_ident_restore(&s);
	}
	if (n->lock)
		pthread_mutex_unlock(n->lock);
	return d;
}

bool mb_notify_allows(struct mb_notifier *n, const struct mb_notified_op *op)
{
	if (n->lock)
		pthread_mutex_lock(n->lock);
	bool ok = !n->closed && n->allows(op, n->ud);
	if (n->lock)
		pthread_mutex_unlock(n->lock);
	return ok;
}

void mb_notifier_set_lock(struct mb_notifier *n, pthread_mutex_t *lock)
{
	n->lock = lock;
}

void mb_notifier_close(struct mb_notifier *n)
{
	if (n->lock)
		pthread_mutex_lock(n->lock);
	n->closed = true;
	if (n->lock)
		pthread_mutex_unlock(n->lock);
}

bool mb_notify_id_valid(struct mb_notifier *n, uint64_t id)
{
	if (ioctl(n->fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0)
		return true;
	n->stats.vanished++;
	return false;
}

int mb_notify_answer(struct mb_notifier *n, const struct mb_notified_op *op, struct mb_answer d)
{
	switch (d.verdict) {
	case MB_VERDICT_ALLOW:
	case MB_VERDICT_PROBE:
		return mb_notify_send_resp(n, op->id, true, 0);
	case MB_VERDICT_ANSWERED:
		return 0;
	default:
		return mb_notify_send_resp(n, op->id, false,
					   d.error > 0 ? d.error : mb_notify_default_errno(op));
	}
}

int mb_notify_decide(struct mb_notifier *n, const struct mb_notified_op *op)
{
	if (!mb_notify_id_valid(n, op->id))
		return 0;
	return mb_notify_decide_after(n, op);
}

int mb_notify_decide_after(struct mb_notifier *n, const struct mb_notified_op *op)
{
	struct mb_answer d = mb_notify_ask(n, op);
	for (unsigned i = 0; i < op->n; i++)
		if (op->t[i].kind == MB_TARGET_UNREADABLE && d.verdict != MB_VERDICT_DENY)
			d = (struct mb_answer){ MB_VERDICT_DENY, EFAULT }; /* whatever it said */
	switch (d.verdict) {
	case MB_VERDICT_ALLOW:
		return 1;
	case MB_VERDICT_ANSWERED:
		return 0;
	case MB_VERDICT_PROBE:
		for (unsigned i = 0; i < op->n; i++)
			if (op->t[i].presence == MB_PRESENT_NONE && op->t[i].resolve_error < 0)
				return mb_notify_send_resp(n, op->id, false, -op->t[i].resolve_error);
		return mb_notify_send_resp(n, op->id, false, ENOENT);
	default:
		return mb_notify_send_resp(n, op->id, false,
					   d.error > 0 ? d.error : mb_notify_default_errno(op));
	}
}

bool mb_notify_settled(struct mb_notifier *n, uint64_t id, int r, int *ret)
{
	*ret = 0;
	if (r == MB_DECODED)
		return false;
	if (r == MB_VANISHED || r == -ESRCH) {
		n->stats.vanished++;
		return true;
	}
	n->stats.kernel++;
	if (mb_notify_id_valid(n, id))
		*ret = mb_notify_send_resp(n, id, false, -r);
	return true;
}

bool mb_notify_absent(struct mb_notifier *n, const struct mb_notified_op *op, int *ret)
{
	for (unsigned i = 0; i < op->n; i++) {
		const struct mb_notified_target *t = &op->t[i];
		if (t->presence == MB_PRESENT_NONE) {
			*ret = mb_notify_send_resp(n, op->id, false,
						   t->resolve_error ? -t->resolve_error : ENOENT);
			return true;
		}
	}
	return false;
}

bool mb_notify_allowed(struct mb_notifier *n, const struct mb_notified_op *op, int r, int *ret)
{
	if (mb_notify_settled(n, op->id, r, ret))
		return false;
	r = mb_notify_decide(n, op);
	if (r != 1) {
		*ret = r;
		return false;
	}
	return !mb_notify_absent(n, op, ret);
}

mode_t mb_notify_umask_begin(struct mb_notifier *n)
{
	mode_t want = n->own_umask;
	struct mb_ident id;
	/* The server inherited ours; once it called umask(2), ask again. */
	if (atomic_load(n->umask_seen) && mb_ident_read(n->pid, &id) == 0)
		want = id.umask;
	return umask(want);
}

void mb_notify_umask_end(struct mb_notifier *n, mode_t saved)
{
	(void)n;
	umask(saved);
}

static int handle_note(struct mb_notifier *n, const struct mb_notified_op *op)
{
	/* umask(2): the umask the server creates with may have changed. */
	atomic_store(n->umask_seen, true);
	if (!mb_notify_id_valid(n, op->id))
		return 0;
	return mb_notify_send_resp(n, op->id, true, 0);
}

/* The network calls, as notify-net.c decodes them. */
static int handle_net(struct mb_notifier *n, struct mb_notified_op *op)
{
	int r;
	switch (op->sc->kind) {
	case MB_WATCH_MMSGHDR:
		return mb_handle_mmsg(n, op);
	case MB_WATCH_LISTEN: /* no argument to read: the broker looks at the socket */
		r = MB_DECODED;
		op->n = 0;
		break;
	default:
		r = mb_decode_net(n, op);
		break;
	}
	if (r == MB_VANISHED) {
		n->stats.vanished++;
		return 0;
	}
	/* What we read belongs to this call of a target that still waits. */
	if (!mb_notify_id_valid(n, op->id))
		return 0;
	if (r < 0) {
		n->stats.kernel++;
		return mb_notify_send_resp(n, op->id, false, -r);
	}
	if (r == MB_KERNEL_ANSWERS) {
		n->stats.kernel++;
		return mb_notify_send_resp(n, op->id, true, 0);
	}
	return mb_notify_answer(n, op, mb_notify_ask(n, op));
}

int mb_notifier_handle(struct mb_notifier *n)
{
	memset(n->req, 0, n->req_size);
	if (ioctl(n->fd, SECCOMP_IOCTL_NOTIF_RECV, n->req) < 0) {
		if (errno == ENOENT) { /* the target went away before we looked */
			n->stats.vanished++;
			return 0;
		}
		if (errno == EINTR)
			return 0;
		return -errno;
	}
	n->stats.received++;
	n->pid = (pid_t)n->req->pid;
	if (n->pid <= 0) /* not visible from our pid namespace: cannot look */
		return mb_notify_send_resp(n, n->req->id, false, EPERM);

	struct mb_notified_op op = {
		.id = n->req->id,
		.pid = n->pid,
		.args = (const uint64_t *)n->req->data.args,
	};
	const struct mb_watch_syscall *sc =
		n->req->data.arch == MB_AUDIT_ARCH ? mb_watch_lookup(n->req->data.nr) : NULL;
	if (!sc) /* the filter notifies only the table's calls */
		return mb_notify_send_resp(n, op.id, false, ENOSYS);
	op.sc = sc;

	int r;
	switch (sc->kind) {
	case MB_WATCH_OPEN:
	case MB_WATCH_OPENAT2:
		r = mb_handle_open(n, &op);
		break;
	case MB_WATCH_PATH:
		r = mb_handle_mutation(n, &op);
		break;
	case MB_WATCH_EXEC:
		r = mb_handle_exec(n, &op);
		break;
	case MB_WATCH_NOTE:
		r = handle_note(n, &op);
		break;
	default:
		r = handle_net(n, &op);
		break;
	}
	mb_resolve_reset(n);
	return r;
}
