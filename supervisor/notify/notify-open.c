/* SPDX-License-Identifier: Apache-2.0 */
/* The open family (open, openat, openat2, creat), performed by the
 * supervisor and installed in the server (SECCOMP_IOCTL_NOTIF_ADDFD with
 * SECCOMP_ADDFD_FLAG_SEND: the descriptor appears and the call returns its
 * number in one step). The server's memory is read once; the file opened is
 * the one the decision named.
 *
 * Two ways through:
 *  - fast: when the decision's pure twin (opts.allows) allows the name as
 *    written, an open without side effects (no O_CREAT, O_TMPFILE) is
 *    performed at once from the anchor with RESOLVE_NO_SYMLINKS |
 *    RESOLVE_NO_MAGICLINKS and IN_ROOT/BENEATH: success proves the name,
 *    and the callback is asked on it afterwards. A link on the way (ELOOP,
 *    EXDEV, EAGAIN) takes the other way;
 *  - complete: the path is resolved first (notify-resolve.c), decided, and
 *    performed from what the resolution pinned.
 *
 * How the server's flags are performed:
 *  - O_CLOEXEC: always on our copy; the server's choice goes into ADDFD's
 *    newfd_flags;
 *  - O_NOCTTY: always (our open must never take a controlling tty);
 *  - O_NONBLOCK: always on our open, so that no open can block the event
 *    loop (a FIFO, a lease); the server's status flags are put back with
 *    F_SETFL, and a FIFO it opened blocking is opened again, blocking, on a
 *    helper thread (notify-fifo.c). An open that would wait for another
 *    process to give up its lease on the file answers EAGAIN instead;
 *  - O_CREAT: decided as a write when the name is absent; performed without
 *    O_CREAT (and O_EXCL) when it was decided on an existing file, so a
 *    file removed meanwhile is ENOENT, never created without a grant;
 *    O_CREAT|O_EXCL on an existing name is EEXIST, as the kernel says,
 *    without a report;
 *  - mode and umask: the mode from the copy, our umask set to the server's
 *    while something is created;
 *  - O_TRUNC, O_TMPFILE: writes, decided before anything is performed;
 *  - O_PATH: open/openat with O_PATH are let through by the filter (they
 *    read and write nothing). openat2 with O_PATH can be neither continued
 *    (the kernel would read the struct again, and a racing thread could
 *    drop O_PATH) nor performed (ADDFD refuses an O_PATH file): it is
 *    answered ENOSYS, on which every caller of openat2 falls back to
 *    openat;
 *  - openat2's resolve bits: the server's scoping (its dirfd as root or
 *    fence) and NO_XDEV are applied in addition to ours; an unknown bit is
 *    EINVAL, as the kernel says.
 * A write open beneath /proc is refused (EACCES): Landlock gives the server
 * /proc read-only, and a performed open is bounded by the mount tree, not
 * by Landlock. A deleted file opened again through /proc/PID/fd/N gets no
 * more access than that descriptor has (EACCES). */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "policy/path.h"
#include "supervisor/notify/notify-internal.h"

/* What open(2) and openat(2) know; the kernel ignores other bits there. */
#define OPEN_FLAGS                                                                        \
	(O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND | O_NONBLOCK | O_DSYNC | \
	 O_SYNC | O_ASYNC | O_DIRECT | O_DIRECTORY | O_NOFOLLOW | O_NOATIME | O_CLOEXEC |      \
	 O_PATH | O_TMPFILE)
#define RESOLVE_KNOWN                                                                     \
	(RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH | \
	 RESOLVE_IN_ROOT | RESOLVE_CACHED)
/* The status flags F_SETFL can set. */
#define SETFL_FLAGS (O_APPEND | O_NONBLOCK | O_DIRECT | O_NOATIME | O_ASYNC)
#define OPEN_HOW_SIZE_VER0 24

struct open_call {
	uint64_t flags;   /* the server's */
	uint64_t mode;
	uint64_t resolve; /* openat2's */
	bool follow, creates, tmpfile, opath;
};

/* openat2's struct open_how, read whole once, sized as the kernel's
 * copy_struct_from_user does. MB_DECODED, or op->t[0] unreadable, or
 * -errno (EINVAL, E2BIG: the kernel's). */
static int read_how(struct mb_notifier *n, struct mb_notified_op *op, struct open_how *how)
{
	const struct mb_watch_syscall *sc = op->sc;
	uint64_t size = op->args[sc->how_size];
	if (size < OPEN_HOW_SIZE_VER0)
		return -EINVAL;
	if (size > (uint64_t)n->page_size)
		return -E2BIG;
	uint64_t addr = op->args[sc->how];
	int r = mb_remote_read(n, addr, how, sizeof(*how));
	if (r < 0)
		return mb_unreadable(n, &op->t[0], r);
	/* Bytes past what we know must be zero. */
	for (uint64_t off = sizeof(*how); off < size;) {
		char buf[256];
		size_t k = (size_t)MB_MIN((uint64_t)sizeof(buf), size - off);
		if ((r = mb_remote_read(n, addr + off, buf, k)) < 0)
			return mb_unreadable(n, &op->t[0], r);
		for (size_t i = 0; i < k; i++)
			if (buf[i])
				return -E2BIG;
		off += k;
	}
	return MB_DECODED;
}

static int open_args(struct mb_notifier *n, struct mb_notified_op *op, struct open_call *oc)
{
	const struct mb_watch_syscall *sc = op->sc;
	*oc = (struct open_call){ .flags = sc->implied_open };
	if (sc->kind == MB_WATCH_OPENAT2) {
		struct open_how how = { 0 };
		op->n = 1;
		int r = read_how(n, op, &how);
		if (r != MB_DECODED || op->t[0].kind == MB_TARGET_UNREADABLE)
			return r;
		if ((how.resolve & ~(uint64_t)RESOLVE_KNOWN) ||
		    (how.resolve & RESOLVE_BENEATH && how.resolve & RESOLVE_IN_ROOT) ||
		    (how.mode & ~(uint64_t)07777) ||
		    (how.mode && !(how.flags & O_CREAT) && (how.flags & O_TMPFILE) != O_TMPFILE))
			return -EINVAL;
		if (how.flags & O_PATH)
			return -ENOSYS;
		oc->flags = how.flags;
		oc->mode = how.mode;
		oc->resolve = how.resolve;
	} else {
		if (sc->flags != MB_WATCH_NOARG)
			oc->flags |= (uint32_t)op->args[sc->flags];
		oc->flags &= OPEN_FLAGS;
		/* glibc's O_TMPFILE holds O_DIRECTORY: test both bits */
		if ((oc->flags & O_CREAT) || (oc->flags & O_TMPFILE) == O_TMPFILE)
			oc->mode = op->args[sc->x[0]] & 07777;
	}
	oc->opath = oc->flags & O_PATH;
	oc->tmpfile = (oc->flags & O_TMPFILE) == O_TMPFILE;
	oc->creates = (oc->flags & O_CREAT) && !oc->opath;
	/* O_CREAT|O_EXCL never follows a final symlink: it fails EEXIST. */
	oc->follow = !(oc->flags & O_NOFOLLOW) && (oc->flags & (O_CREAT | O_EXCL)) != (O_CREAT | O_EXCL);
	op->open_flags = oc->flags;
	return MB_DECODED;
}

/* Our own flags for the server's. */
static uint64_t perform_flags(const struct open_call *oc)
{
	if (oc->opath)
		return oc->flags | O_CLOEXEC;
	return oc->flags | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
}

/* The helper's open of a FIFO that exists: no creation, no truncation. */
static int fifo_flags(const struct open_call *oc)
{
	return (int)((oc->flags & ~(uint64_t)(O_CREAT | O_EXCL | O_TRUNC)) | O_CLOEXEC | O_NOCTTY);
}

/* fd (ours, opened O_NONBLOCK) into the server, with its own status flags. */
static int install(struct mb_notifier *n, const struct mb_notified_op *op,
		   const struct open_call *oc, int fd)
{
	bool cloexec = oc->flags & O_CLOEXEC;
	if (!oc->opath && !(oc->flags & O_NONBLOCK)) {
		struct stat st;
		if (fstat(fd, &st) < 0)
			return mb_close(fd), mb_notify_send_resp(n, op->id, false, errno);
		if (S_ISFIFO(st.st_mode) && (oc->flags & O_ACCMODE) == O_RDONLY) {
			/* Our open did not wait for a writer; the server's would. */
			int r = mb_fifo_open_later(n, op->id, fd, fifo_flags(oc), cloexec);
			return r < 0 ? mb_notify_send_resp(n, op->id, false, -r) : 0;
		}
		if (fcntl(fd, F_SETFL, (int)(oc->flags & SETFL_FLAGS)) < 0) {
			int e = errno;
			mb_close(fd);
			return mb_notify_send_resp(n, op->id, false, e);
		}
	}
	int r = mb_notify_install(n, op->id, fd, cloexec);
	mb_close(fd);
	return r;
}

/* A FIFO the server opens without O_NONBLOCK: the open waits for the
 * other end, on a helper thread, from the pinned object (obj). Returns 1
 * when obj is no such FIFO, else as mb_handle_open. */
static int fifo_later(struct mb_notifier *n, const struct mb_notified_op *op,
		      const struct open_call *oc, int obj)
{
	struct stat st;
	if (oc->opath || (oc->flags & O_NONBLOCK) || obj < 0 || fstat(obj, &st) < 0 ||
	    !S_ISFIFO(st.st_mode))
		return 1;
	int pin = fcntl(obj, F_DUPFD_CLOEXEC, 0);
	if (pin < 0)
		return mb_notify_send_resp(n, op->id, false, errno);
	int r = mb_fifo_open_later(n, op->id, pin, fifo_flags(oc), oc->flags & O_CLOEXEC);
	return r < 0 ? mb_notify_send_resp(n, op->id, false, -r) : 0;
}

/* ---- the fast way ---------------------------------------------------------- */

enum { FAST_DONE = 1, FAST_NO = 2 };

/* FAST_NO: take the complete way (a is the anchor taken, if any); else 0
 * or -errno as mb_handle_open. */
static int fast_open(struct mb_notifier *n, struct mb_notified_op *op, const struct open_call *oc,
		     struct mb_path_req *rq, struct mb_anchor *a, int *ret)
{
	struct mb_notified_target *t = &op->t[0];
	int r;
	if (rq->raw[0] != '/' || (oc->resolve & RESOLVE_IN_ROOT)) {
		if ((r = mb_anchor_at(n, rq->dirfd, true, true, a)) < 0)
			return r;
	} else {
		int root = mb_anchor_root(n);
		if (root < 0)
			return root;
		*a = (struct mb_anchor){ .fd = root, .root = true, .name = "/" };
	}
	if (a->dead || (r = mb_path_lexical(n, rq, a)) < 0)
		return FAST_NO;
	t->path = n->name[0].s;
	t->presence = MB_PRESENT;
	t->ops = mb_watch_open_ops(oc->flags);
	if (mb_path_within(t->path, "/proc") || !mb_notify_allows(n, op))
		return FAST_NO;
	int fd = mb_openat2(a->fd, rq->raw, perform_flags(oc), oc->mode,
			    mb_path_scope(rq, a) | (oc->resolve & RESOLVE_CACHED));
	int e = fd < 0 ? -fd : 0;
	if (fd < 0 && (e == ELOOP || e == EXDEV || e == ENXIO || e == ENOSYS ||
		       (e == EAGAIN && !(oc->resolve & RESOLVE_CACHED))))
		return FAST_NO;
	if (e == ENOENT || e == ENOTDIR) {
		t->presence = MB_PRESENT_NONE;
		t->resolve_error = -e;
	}
	n->stats.fast++;
	r = mb_notify_decide_after(n, op);
	if (r == 1)
		*ret = fd >= 0 ? install(n, op, oc, fd) : mb_notify_send_resp(n, op->id, false, e);
	else
		*ret = r, mb_close(fd);
	return FAST_DONE;
}

/* ---- the complete way ------------------------------------------------------ */

static int perform(const struct mb_path_res *res, const char *raw, uint64_t flags, uint64_t mode,
		   uint64_t cached)
{
	if (res->lexical)
		return mb_openat2(res->anchor.fd, raw, flags, mode, res->scope | cached);
	if (res->parent >= 0 && res->last)
		return mb_open_pinned(res->parent, res->last, flags, mode);
	struct stat st;
	if (fstat(res->obj, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return mb_open_pinned(res->obj, ".", flags, mode);
	/* A magic link's object (a deleted file, a memfd): opened anew through
	 * our own descriptor, as the kernel would through the server's, DAC
	 * checked for the server. */
	char p[32];
	snprintf(p, sizeof(p), "/proc/self/fd/%d", res->obj);
	int fd = open(p, (int)flags, (mode_t)mode);
	return fd < 0 ? -errno : fd;
}

static bool side_effects(const struct open_call *oc, const struct mb_notified_target *t)
{
	return (oc->flags & O_TRUNC) || oc->tmpfile ||
	       (oc->creates && t->presence == MB_PRESENT_NEW);
}

/* A write open beneath /proc is refused: the kernel's own answer where it
 * has one before Landlock would (DAC, then a read-only mount: may_open and
 * do_dentry_open's order, which faccessat keeps), else Landlock's EACCES. */
static int proc_write_errno(int obj)
{
	if (obj >= 0 && faccessat(obj, "", W_OK, AT_EACCESS | AT_EMPTY_PATH) < 0 &&
	    (errno == EACCES || errno == EROFS || errno == EPERM))
		return errno;
	struct statvfs sv;
	if (obj >= 0 && fstatvfs(obj, &sv) == 0 && (sv.f_flag & ST_RDONLY))
		return EROFS;
	return EACCES;
}

/* A deleted file opened again through /proc/PID/fd/N: never with more
 * access than that descriptor had (the kernel would check DAC alone). */
static bool beyond_original(const struct open_call *oc, const struct mb_path_res *res)
{
	if (res->kind != MB_TARGET_DELETED || res->orig_acc < 0 || oc->opath)
		return false;
	int want = (int)(oc->flags & O_ACCMODE), had = res->orig_acc;
	bool rd = want != O_WRONLY, wr = want != O_RDONLY || (oc->flags & O_TRUNC);
	return (rd && had == O_WRONLY) || (wr && had == O_RDONLY);
}

/* What the kernel refuses whatever the grants, before any permission is
 * looked at (lookup_open, do_open, may_open): answered as it would, with no
 * decision and no report. 0 when nothing is wrong with the call's shape. */
static int shape_error(const struct open_call *oc, const struct mb_path_res *res,
		       const struct mb_notified_target *t)
{
	size_t ll = res->last ? strlen(res->last) : 0;
	if (oc->creates && t->presence == MB_PRESENT_NEW && ll && res->last[ll - 1] == '/')
		return EISDIR; /* O_CREAT of "name/" */
	if (oc->creates && (oc->flags & O_EXCL) && t->presence == MB_PRESENT)
		return EEXIST;
	struct stat st;
	if (t->presence != MB_PRESENT || res->obj < 0 || fstat(res->obj, &st) < 0)
		return 0;
	if (S_ISDIR(st.st_mode))
		return oc->creates || (oc->flags & O_ACCMODE) != O_RDONLY || (oc->flags & O_TRUNC)
			       ? EISDIR : 0;
	if (S_ISLNK(st.st_mode)) /* a final symlink not followed: O_NOFOLLOW */
		return oc->opath ? 0 : ELOOP;
	return (oc->flags & O_DIRECTORY) ? ENOTDIR : 0;
}

/* O_CREAT of "name/": the kernel says EISDIR once the directory is found,
 * before it looks at the name at all (".", ".." and "/" are looked at:
 * shape_error then says EEXIST or EISDIR). */
static bool dir_syntax(const char *raw)
{
	size_t l = strlen(raw);
	if (!l || raw[l - 1] != '/')
		return false;
	while (l && raw[l - 1] == '/')
		l--;
	size_t b = l;
	while (b && raw[b - 1] != '/')
		b--;
	size_t n = l - b;
	return n && !(raw[b] == '.' && (n == 1 || (n == 2 && raw[b + 1] == '.')));
}

static int complete_open(struct mb_notifier *n, struct mb_notified_op *op,
			 const struct open_call *oc, struct mb_path_req *rq)
{
	struct mb_notified_target *t = &op->t[0];
	struct mb_path_res res;
	bool eisdir = oc->creates && dir_syntax(rq->raw);
	rq->parent = eisdir;
	int ret, r = mb_resolve_path(n, op, 0, rq, &res);
	if (r == 0 && eisdir && res.parent >= 0) /* its directory was found */
		r = -EISDIR;
	if (r == 0 && !oc->tmpfile)
		r = -shape_error(oc, &res, t);
	if (mb_notify_settled(n, op->id, r, &ret))
		return ret;
	t->ops = mb_watch_open_ops(oc->flags);
	if (oc->creates && t->presence != MB_PRESENT)
		t->ops |= 1u << MB_OP_WRITE;
	if (!oc->opath) {
		r = mb_notify_decide(n, op);
		if (r != 1)
			return r;
	} else if (!mb_notify_id_valid(n, op->id)) {
		return 0;
	}
	if (mb_notify_absent(n, op, &ret))
		return ret;
	if (res.proc && (t->ops & (1u << MB_OP_WRITE)))
		return mb_notify_send_resp(n, op->id, false, proc_write_errno(res.obj));
	if (beyond_original(oc, &res))
		return mb_notify_send_resp(n, op->id, false, EACCES);
	if (n->restartable && side_effects(oc, t))
		return mb_notify_send_resp(n, op->id, false, EACCES);
	/* Known to be a FIFO before anything is opened: waited for exactly as
	 * the kernel would, and nobody is woken by an open of ours. */
	if ((r = fifo_later(n, op, oc, res.obj)) != 1)
		return r;
	uint64_t flags = perform_flags(oc);
	uint64_t mode = oc->mode;
	if (oc->creates && t->presence == MB_PRESENT) {
		flags &= ~(uint64_t)(O_CREAT | O_EXCL);
		mode = 0;
	}
	bool making = oc->tmpfile || (flags & O_CREAT);
	mode_t um = making ? mb_notify_umask_begin(n) : 0;
	int fd = perform(&res, rq->raw, flags, mode, oc->resolve & RESOLVE_CACHED);
	if (making)
		mb_notify_umask_end(n, um);
	if (fd < 0)
		return mb_notify_send_resp(n, op->id, false, -fd);
	return install(n, op, oc, fd);
}

int mb_handle_open(struct mb_notifier *n, struct mb_notified_op *op)
{
	struct open_call oc;
	int r = open_args(n, op, &oc);
	if (r == MB_DECODED && op->t[0].kind != MB_TARGET_UNREADABLE) {
		struct mb_path_req rq = { .follow = oc.follow, .creates = oc.creates,
					  .resolve = oc.resolve };
		r = mb_read_path(n, op, 0, 0, &rq);
		if (r == MB_DECODED && op->t[0].kind != MB_TARGET_UNREADABLE) {
			struct mb_anchor a = { .fd = -1 };
			if (n->allows && !oc.creates && !oc.tmpfile && !oc.opath &&
			    mb_notify_as_server(n) == 0) {
				int ret = 0;
				r = fast_open(n, op, &oc, &rq, &a, &ret);
				if (r == FAST_DONE)
					return ret;
				if (r == FAST_NO && a.fd >= 0 && !a.root)
					rq.anchor = &a;
			}
			if (r == MB_DECODED || r == FAST_NO)
				return complete_open(n, op, &oc, &rq);
		}
	}
	if (r == MB_DECODED) /* unreadable: the callback reports, EFAULT */
		return mb_notify_decide(n, op);
	int ret;
	mb_notify_settled(n, op->id, r, &ret);
	return ret;
}
