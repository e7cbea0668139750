/* The notifier: one notification in, one answer out. See notify.h for what
 * is checked and what the kernel does after CONTINUE. */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/openat2.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/un.h>
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

#define UIO_MAXIOV_ 1024 /* the kernel's cap on sendmmsg's vlen */

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

/* ---- sockets ------------------------------------------------------------ */

static void fill_inet(struct mb_notified_target *t, int family, const uint8_t *ip, uint16_t port_be)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	t->kind = MB_TARGET_INET;
	t->presence = MB_PRESENT;
	memset(&t->addr, 0, sizeof(t->addr));
	t->addr.port = ntohs(port_be);
	if (family == AF_INET6 && memcmp(ip, mapped, sizeof(mapped)) == 0) {
		family = AF_INET; /* ::ffff:a.b.c.d is a.b.c.d (policy/match.h) */
		ip += 12;
	}
	t->addr.family = family;
	memcpy(t->addr.addr, ip, family == AF_INET ? 4 : 16);
}

/* Decode a sockaddr of len bytes already in n->sa. */
static int decode_sockaddr(struct mb_notifier *n, size_t len, unsigned net_op, unsigned slot,
			   struct mb_notified_target *t)
{
	const struct sockaddr_storage *ss = &n->sa;
	if (len < sizeof(sa_family_t))
		return MB_KERNEL_ANSWERS;
	t->family = ss->ss_family;
	t->ops = 1u << net_op;
	t->unix_socket = false;
	t->path = NULL;
	t->presence = MB_PRESENT;
	switch (ss->ss_family) {
	case AF_UNSPEC:
		if (net_op == MB_OP_CONNECT)
			return MB_KERNEL_ANSWERS; /* connect(AF_UNSPEC) dissolves an association */
		t->kind = MB_TARGET_FAMILY;
		return MB_DECODED;
	case AF_INET: {
		if (len < sizeof(struct sockaddr_in))
			return MB_KERNEL_ANSWERS; /* EINVAL */
		const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;
		fill_inet(t, AF_INET, (const uint8_t *)&sin->sin_addr, sin->sin_port);
		return MB_DECODED;
	}
	case AF_INET6: {
		if (len < 24) /* SIN6_LEN_RFC2133: without sin6_scope_id */
			return MB_KERNEL_ANSWERS;
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;
		fill_inet(t, AF_INET6, sin6->sin6_addr.s6_addr, sin6->sin6_port);
		return MB_DECODED;
	}
	case AF_UNIX: {
		const struct sockaddr_un *sun = (const struct sockaddr_un *)ss;
		size_t plen = len - offsetof(struct sockaddr_un, sun_path);
		char *out = n->out[slot];
		if (plen == 0 || sun->sun_path[0] == '\0') {
			/* Abstract (or, for bind, an autobind name): NULs shown
			 * as '@', other unprintable bytes as '?'. */
			if (plen == 0 && net_op != MB_OP_BIND)
				return MB_KERNEL_ANSWERS; /* EINVAL */
			size_t o = 0;
			out[o++] = '@';
			for (size_t i = 1; i < plen && o + 1 < sizeof(n->out[slot]); i++) {
				unsigned char ch = (unsigned char)sun->sun_path[i];
				out[o++] = ch == '\0' ? '@' : (ch < 0x20 || ch >= 0x7f) ? '?' : (char)ch;
			}
			out[o] = '\0';
			t->kind = MB_TARGET_UNIX_ABSTRACT;
			t->path = out;
			return MB_DECODED;
		}
		/* A named socket: a file, relative to the cwd; the kernel stops
		 * at the first NUL or at len. */
		size_t l = strnlen(sun->sun_path, plen);
		memcpy(n->raw[slot], sun->sun_path, l);
		n->raw[slot][l] = '\0';
		bool bind = net_op == MB_OP_BIND;
		struct mb_resolve_req rq = {
			.dirfd = AT_FDCWD, .raw = n->raw[slot], .follow = !bind, .creates = bind,
		};
		int r = mb_resolve(n, &rq, out, sizeof(n->out[slot]), t);
		if (r != MB_DECODED)
			return r;
		t->unix_socket = true;
		t->ops = 1u << MB_OP_WRITE;
		t->family = AF_UNIX;
		return MB_DECODED;
	}
	default:
		t->kind = MB_TARGET_FAMILY;
		return MB_DECODED;
	}
}

/* Read len bytes of sockaddr at addr into n->sa and decode. */
static int read_sockaddr(struct mb_notifier *n, uint64_t addr, int64_t len, unsigned net_op,
			 struct mb_notified_target *t)
{
	if (addr == 0 || len <= 0)
		return MB_KERNEL_ANSWERS; /* no address: nothing to check, or EINVAL/EFAULT */
	if ((uint64_t)len > sizeof(n->sa))
		return MB_KERNEL_ANSWERS; /* EINVAL */
	int r = mb_remote_read(n, addr, &n->sa, (size_t)len);
	if (r < 0)
		return r == -ESRCH ? MB_VANISHED : MB_KERNEL_ANSWERS;
	return decode_sockaddr(n, (size_t)len, net_op, 0, t);
}

/* A msghdr's destination; sendmsg clamps msg_namelen to a sockaddr_storage. */
static int msghdr_target(struct mb_notifier *n, const struct msghdr *mh, unsigned net_op,
			 struct mb_notified_target *t)
{
	int64_t len = (int)mh->msg_namelen;
	if (len > (int64_t)sizeof(n->sa))
		len = sizeof(n->sa);
	return read_sockaddr(n, (uint64_t)(uintptr_t)mh->msg_name, len, net_op, t);
}

/* ---- answering ---------------------------------------------------------- */

static int send_resp(struct mb_notifier *n, uint64_t id, bool cont, int error)
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
static struct mb_answer ask(struct mb_notifier *n, const struct mb_notified_op *op)
{
	n->stats.decided++;
	return n->decide(op, n->ud);
}

static bool id_valid(struct mb_notifier *n, uint64_t id)
{
	if (ioctl(n->fd, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0)
		return true;
	n->stats.vanished++;
	return false;
}

static int answer(struct mb_notifier *n, const struct mb_notified_op *op, struct mb_answer d)
{
	switch (d.verdict) {
	case MB_VERDICT_ALLOW:
	case MB_VERDICT_PROBE:
		return send_resp(n, op->id, true, 0);
	case MB_VERDICT_ANSWERED:
		return 0;
	default:
		return send_resp(n, op->id, false, d.error > 0 ? d.error : default_errno(op));
	}
}

/* sendmmsg: every message with a destination is decided; one refusal fails
 * the whole call (the kernel would have sent the ones before it). */
static int handle_mmsg(struct mb_notifier *n, struct mb_notified_op *op)
{
	const struct mb_watch_syscall *sc = op->sc;
	uint64_t vec = op->args[sc->addr];
	uint64_t vlen = (uint32_t)op->args[sc->addr_len];
	if (vlen > UIO_MAXIOV_)
		vlen = UIO_MAXIOV_;
	bool asked = false;
	for (uint64_t i = 0; i < vlen; i += MB_MMSG_CHUNK) {
		size_t k = (size_t)MB_MIN((uint64_t)MB_MMSG_CHUNK, vlen - i);
		int r = mb_remote_read(n, vec + i * sizeof(struct mmsghdr), n->mm,
				       k * sizeof(struct mmsghdr));
		if (r == -ESRCH) {
			n->stats.vanished++;
			return 0;
		}
		if (r < 0)
			break; /* the kernel stops (or fails) where we cannot read */
		for (size_t j = 0; j < k; j++) {
			op->n = 0;
			r = msghdr_target(n, &n->mm[j].msg_hdr, sc->net_op, &op->t[0]);
			if (r == MB_VANISHED) {
				n->stats.vanished++;
				return 0;
			}
			if (r != MB_DECODED)
				continue;
			op->n = 1;
			if (!id_valid(n, op->id))
				return 0;
			asked = true;
			struct mb_answer d = ask(n, op);
			if (d.verdict == MB_VERDICT_DENY || d.verdict == MB_VERDICT_ANSWERED)
				return answer(n, op, d);
		}
	}
	if (!asked)
		n->stats.kernel++;
	if (!id_valid(n, op->id))
		return 0;
	return send_resp(n, op->id, true, 0);
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
		return send_resp(n, n->req->id, false, EPERM);

	struct mb_notified_op op = {
		.id = n->req->id,
		.pid = n->pid,
		.args = (const uint64_t *)n->req->data.args,
	};
	const struct mb_watch_syscall *sc =
		n->req->data.arch == MB_AUDIT_ARCH ? mb_watch_lookup(n->req->data.nr) : NULL;
	if (!sc) /* the filter notifies only the table's calls */
		return send_resp(n, op.id, false, ENOSYS);
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
		r = read_sockaddr(n, op.args[sc->addr], (int)op.args[sc->addr_len], sc->net_op,
				  &op.t[0]);
		op.n = 1;
		break;
	case MB_WATCH_MSGHDR: {
		struct msghdr mh;
		r = mb_remote_read(n, op.args[sc->addr], &mh, sizeof(mh));
		if (r < 0)
			r = r == -ESRCH ? MB_VANISHED : MB_KERNEL_ANSWERS;
		else
			r = msghdr_target(n, &mh, sc->net_op, &op.t[0]);
		op.n = 1;
		break;
	}
	case MB_WATCH_MMSGHDR:
		r = handle_mmsg(n, &op);
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
	if (!id_valid(n, op.id)) {
		mb_resolve_reset(n);
		return 0;
	}
	if (r == MB_KERNEL_ANSWERS) {
		n->stats.kernel++;
		mb_resolve_reset(n);
		return send_resp(n, op.id, true, 0);
	}
	struct mb_answer d = ask(n, &op);
	mb_resolve_reset(n);
	return answer(n, &op, d);
}
