/* The notifier: one notification in, one answer out. See notify.h for what
 * is checked and what the kernel does after CONTINUE. */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
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

void mb_notifier_free(struct mb_notifier *n)
{
	if (!n)
		return;
	mb_resolve_reset(n);
	mb_close(n->kept_root);
	mb_close(n->fd);
	free(n->req);
	free(n->resp);
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

/* ---- decoding ----------------------------------------------------------- */

/* A path argument that could not be read: EFAULT and ENAMETOOLONG are the
 * kernel's to say; a target we may not read is decided as unknown (fail
 * closed: the callback sees it). */
static int unreadable(struct mb_notified_target *t, char *out, int r)
{
	if (r == -EFAULT || r == -ENAMETOOLONG)
		return MB_KERNEL_ANSWERS;
	if (r == -ESRCH)
		return MB_VANISHED;
	t->kind = MB_TARGET_PATH;
	t->presence = MB_PRESENT_UNKNOWN;
	t->resolve_error = r;
	out[0] = '\0';
	t->path = out;
	return MB_DECODED;
}

static bool follows(const struct mb_watch_path *p, uint64_t flags)
{
	switch (p->follow) {
	case MB_FOLLOW_YES:
		return true;
	case MB_FOLLOW_UNLESS_NOFOLLOW:
		return !(flags & AT_SYMLINK_NOFOLLOW);
	case MB_FOLLOW_IF_FOLLOW:
		return flags & AT_SYMLINK_FOLLOW;
	default:
		return false;
	}
}

/* Read path argument i of the row and resolve it. */
static int decode_path(struct mb_notifier *n, const struct mb_watch_syscall *sc, unsigned i,
		       const uint64_t *args, uint64_t at_flags, bool follow, bool creates,
		       bool in_root, struct mb_notified_target *t)
{
	const struct mb_watch_path *p = &sc->p[i];
	struct mb_resolve_req rq = {
		.dirfd = p->dirfd == MB_WATCH_NOARG ? AT_FDCWD : (int)args[p->dirfd],
		.raw = n->raw[i],
		.follow = follow,
		.creates = creates,
		.in_root = in_root,
	};
	uint64_t addr = args[p->path];
	bool empty_ok = (sc->at_flags & AT_EMPTY_PATH) && (at_flags & AT_EMPTY_PATH);
	if (empty_ok && addr == 0) { /* NULL with AT_EMPTY_PATH: the fd itself */
		n->raw[i][0] = '\0';
	} else {
		int r = mb_remote_string(n, addr, n->raw[i], sizeof(n->raw[i]));
		if (r < 0)
			return unreadable(t, n->out[i], r);
	}
	if (n->raw[i][0] == '\0') {
		if (!empty_ok)
			return MB_KERNEL_ANSWERS; /* ENOENT */
		rq.empty_path = true;
	}
	return mb_resolve(n, &rq, n->out[i], sizeof(n->out[i]), t);
}

static int decode_open(struct mb_notifier *n, const struct mb_watch_syscall *sc,
		       const uint64_t *args, struct mb_notified_op *op)
{
	uint64_t flags = sc->implied_open;
	uint64_t resolve = 0;
	if (sc->kind == MB_WATCH_OPENAT2) {
		struct open_how how = { 0 };
		uint64_t size = args[sc->how_size];
		if (size < sizeof(how)) /* OPEN_HOW_SIZE_VER0: EINVAL */
			return MB_KERNEL_ANSWERS;
		int r = mb_remote_read(n, args[sc->how], &how, sizeof(how));
		if (r < 0)
			return r == -ESRCH ? MB_VANISHED : MB_KERNEL_ANSWERS;
		flags = how.flags;
		resolve = how.resolve;
	} else if (sc->flags != MB_WATCH_NOARG) {
		flags |= (uint32_t)args[sc->flags];
	}
	if (flags & O_PATH)
		return MB_KERNEL_ANSWERS; /* reads and writes nothing (watch.c) */

	/* O_CREAT|O_EXCL never follows a final symlink: it fails EEXIST. */
	bool follow = !(flags & O_NOFOLLOW) && (flags & (O_CREAT | O_EXCL)) != (O_CREAT | O_EXCL);
	bool creates = flags & O_CREAT;
	struct mb_notified_target *t = &op->t[0];
	int r = decode_path(n, sc, 0, args, follow ? 0 : AT_SYMLINK_NOFOLLOW, follow, creates,
			    resolve & RESOLVE_IN_ROOT, t);
	if (r != MB_DECODED)
		return r;
	t->ops = mb_watch_open_ops(flags);
	op->open_flags = flags;
	/* O_CREAT writes only when there is nothing to open yet. */
	if (creates && t->presence != MB_PRESENT)
		t->ops |= 1u << MB_OP_WRITE;
	op->n = 1;
	return MB_DECODED;
}

static int decode_paths(struct mb_notifier *n, const struct mb_watch_syscall *sc,
			const uint64_t *args, struct mb_notified_op *op)
{
	uint64_t at_flags = sc->flags == MB_WATCH_NOARG ? 0 : args[sc->flags];
	for (unsigned i = 0; i < 2 && sc->p[i].path != MB_WATCH_NOARG; i++) {
		const struct mb_watch_path *p = &sc->p[i];
		/* AT_EMPTY_PATH applies to the first path only (linkat's old). */
		uint64_t f = i == 0 ? at_flags : at_flags & ~(uint64_t)AT_EMPTY_PATH;
		int r = decode_path(n, sc, i, args, f, follows(p, f), p->creates, false, &op->t[i]);
		if (r != MB_DECODED)
			return r;
		op->t[i].ops = p->ops;
		op->n = i + 1;
	}
	return MB_DECODED;
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

static bool is_network(const struct mb_watch_syscall *sc)
{
	return sc->kind == MB_WATCH_SOCKADDR || sc->kind == MB_WATCH_MSGHDR ||
	       sc->kind == MB_WATCH_MMSGHDR;
}

static int default_errno(const struct mb_notified_op *op)
{
	for (unsigned i = 0; i < op->n; i++)
		if (op->t[i].presence == MB_PRESENT_HOST)
			return ENOENT;
	return is_network(op->sc) ? EPERM : EACCES;
}

/* Only after SECCOMP_IOCTL_NOTIF_ID_VALID said the target still waits. */
struct mb_answer mb_notify_ask(struct mb_notifier *n, const struct mb_notified_op *op)
{
	n->stats.decided++;
	return n->decide(op, n->ud);
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
		return mb_notify_send_resp(n, op->id, false, d.error > 0 ? d.error : default_errno(op));
	}
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
	mb_resolve_reset(n);
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
		r = decode_open(n, sc, op.args, &op);
		break;
	case MB_WATCH_EXEC:
	case MB_WATCH_PATH:
		r = decode_paths(n, sc, op.args, &op);
		break;
	case MB_WATCH_SOCKADDR:
	case MB_WATCH_MSGHDR:
		r = mb_decode_net(n, &op);
		break;
	case MB_WATCH_MMSGHDR:
		r = mb_handle_mmsg(n, &op);
		mb_resolve_reset(n);
		return r;
	case MB_WATCH_LISTEN: /* no argument to read: the broker looks at the socket */
		r = MB_DECODED;
		op.n = 0;
		break;
	default:
		r = MB_KERNEL_ANSWERS;
		break;
	}

	if (r == MB_VANISHED) {
		n->stats.vanished++;
		mb_resolve_reset(n);
		return 0;
	}
	/* What we read belongs to this call of a target that still waits. */
	if (!mb_notify_id_valid(n, op.id)) {
		mb_resolve_reset(n);
		return 0;
	}
	if (r == MB_KERNEL_ANSWERS) {
		n->stats.kernel++;
		mb_resolve_reset(n);
		return mb_notify_send_resp(n, op.id, true, 0);
	}
	if (r < 0) { /* the kernel's own errno, given without CONTINUE */
		n->stats.kernel++;
		mb_resolve_reset(n);
		return mb_notify_send_resp(n, op.id, false, -r);
	}
	struct mb_answer d = mb_notify_ask(n, &op);
	mb_resolve_reset(n);
	return mb_notify_answer(n, &op, d);
}
