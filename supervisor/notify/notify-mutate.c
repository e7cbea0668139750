/* SPDX-License-Identifier: Apache-2.0 */
/* The path mutations, performed by the supervisor: unlink, rmdir, rename,
 * mkdir, mknod, link, symlink, truncate, chmod, chown, the utime family, the
 * extended attribute calls and file_setattr. Every argument is read once
 * (paths, the link's text, times, attribute names and values, struct
 * file_attr); each path is resolved (notify-resolve.c) and decided; the call
 * is then made by the supervisor, with the server's credentials and umask,
 * and its result is the answer.
 *
 * Final-component discipline: a call that never follows its final name
 * (unlink, rename, mkdir, mknod, symlink, link's new name, the l* and
 * AT_SYMLINK_NOFOLLOW variants) acts on (pinned directory, that name),
 * through the *at call with AT_SYMLINK_NOFOLLOW where it has one; a call
 * that follows acts on the pinned object itself, with AT_EMPTY_PATH, or
 * through /proc/self/fd/N for the calls that take no descriptor (truncate,
 * the xattr calls, file_setattr: their *at forms refuse an O_PATH
 * descriptor). No name is resolved twice.
 *
 * A final name of ".", ".." or "/" never reaches a decision for the calls
 * that act on (directory, name): the kernel refuses those itself (EINVAL,
 * ENOTEMPTY, EBUSY, EEXIST, EISDIR, EPERM), and so do we, with its errno. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <utime.h>

#include <linux/limits.h>

#include "common/kernel-compat.h"
#include "supervisor/notify/notify-internal.h"

/* The arguments besides the paths, read once. */
struct margs {
	uint64_t flags;  /* unlinkat's, renameat2's */
	uint64_t mode, dev;
	int64_t len;
	uint32_t uid, gid;
	struct timespec ts[2];
	bool ts_now;
	char name[XATTR_NAME_MAX + 1];
	uint32_t size, xflags;
	uint8_t fattr[FILE_ATTR_SIZE_VER0];
};

struct mut {
	struct mb_notifier *n;
	struct mb_notified_op *op;
	uint64_t at_flags;
	struct mb_path_res res[2];
	bool follow[2];
	struct margs a;
};

static uint64_t arg(const struct mut *m, unsigned i)
{
	return m->op->args[m->op->sc->x[i]];
}

/* ---- reading the other arguments ------------------------------------------ */

/* An argument that could not be read: one more target, unreadable. */
static int unreadable(struct mut *m, int r)
{
	struct mb_notified_op *op = m->op;
	unsigned i = op->n < 2 ? op->n : 0;
	r = mb_unreadable(m->n, &op->t[i], r);
	if (r == MB_DECODED && i == op->n)
		op->n++;
	return r;
}

/* A struct of usize bytes of which we know the first known: the tail must
 * be zero (copy_struct_from_user). */
static int read_struct(struct mut *m, uint64_t addr, uint64_t usize, void *buf, size_t known)
{
	if (usize < known)
		return -EINVAL;
	if (usize > (uint64_t)m->n->page_size)
		return -E2BIG;
	int r = mb_remote_read(m->n, addr, buf, known);
	for (uint64_t off = known; r == 0 && off < usize;) {
		char tail[256];
		size_t k = (size_t)MB_MIN((uint64_t)sizeof(tail), usize - off);
		r = mb_remote_read(m->n, addr + off, tail, k);
		for (size_t i = 0; r == 0 && i < k; i++)
			if (tail[i])
				return -E2BIG;
		off += k;
	}
	return r < 0 ? unreadable(m, r) : MB_DECODED;
}

static int read_times(struct mut *m)
{
	enum mb_watch_perform p = m->op->sc->perform;
	uint64_t addr = arg(m, 0);
	if (addr == 0) {
		m->a.ts_now = true;
		return MB_DECODED;
	}
	int r;
	if (p == MB_PERFORM_UTIMENSAT) {
		r = mb_remote_read(m->n, addr, m->a.ts, sizeof(m->a.ts));
	} else if (p == MB_PERFORM_UTIMES) {
		struct timeval tv[2];
		r = mb_remote_read(m->n, addr, tv, sizeof(tv));
		for (int i = 0; r == 0 && i < 2; i++) {
			if (tv[i].tv_usec < 0 || tv[i].tv_usec >= 1000000)
				return -EINVAL;
			m->a.ts[i] = (struct timespec){ tv[i].tv_sec, tv[i].tv_usec * 1000 };
		}
	} else {
		struct utimbuf ub;
		r = mb_remote_read(m->n, addr, &ub, sizeof(ub));
		m->a.ts[0] = (struct timespec){ ub.actime, 0 };
		m->a.ts[1] = (struct timespec){ ub.modtime, 0 };
	}
	return r < 0 ? unreadable(m, r) : MB_DECODED;
}

static int read_xattr_name(struct mut *m)
{
	int r = mb_remote_string(m->n, arg(m, 0), m->a.name, sizeof(m->a.name));
	if (r == -ENAMETOOLONG || r == 0)
		return -ERANGE;
	return r < 0 ? unreadable(m, r) : MB_DECODED;
}

static int read_xattr_value(struct mut *m, uint64_t addr)
{
	if (m->a.size > XATTR_SIZE_MAX)
		return -E2BIG;
	if (m->a.xflags & ~(uint32_t)(XATTR_CREATE | XATTR_REPLACE))
		return -EINVAL;
	if (m->a.size == 0)
		return MB_DECODED;
	if (!m->n->xvalue && !(m->n->xvalue = malloc(XATTR_SIZE_MAX)))
		return -ENOMEM;
	int r = mb_remote_read(m->n, addr, m->n->xvalue, m->a.size);
	return r < 0 ? unreadable(m, r) : MB_DECODED;
}

static int read_args(struct mut *m)
{
	const struct mb_watch_syscall *sc = m->op->sc;
	struct margs *a = &m->a;
	switch (sc->perform) {
	case MB_PERFORM_UNLINK:
	case MB_PERFORM_RENAME:
		a->flags = sc->x[0] == MB_WATCH_NOARG ? 0 : arg(m, 0);
		if (sc->perform == MB_PERFORM_UNLINK && (a->flags & ~(uint64_t)AT_REMOVEDIR))
			return -EINVAL;
		return MB_DECODED;
	case MB_PERFORM_MKDIR:
	case MB_PERFORM_MKNOD:
	case MB_PERFORM_CHMOD:
		a->mode = arg(m, 0);
		if (sc->perform == MB_PERFORM_MKNOD)
			a->dev = (uint32_t)arg(m, 1);
		return MB_DECODED;
	case MB_PERFORM_SYMLINK: {
		int r = mb_remote_string(m->n, arg(m, 0), m->n->text, sizeof(m->n->text) - 1);
		if (r == 0)
			return -ENOENT;
		if (r == -ENAMETOOLONG)
			return r;
		return r < 0 ? unreadable(m, r) : MB_DECODED;
	}
	case MB_PERFORM_TRUNCATE:
		a->len = (int64_t)arg(m, 0);
		return a->len < 0 ? -EINVAL : MB_DECODED;
	case MB_PERFORM_CHOWN:
		a->uid = (uint32_t)arg(m, 0);
		a->gid = (uint32_t)arg(m, 1);
		return MB_DECODED;
	case MB_PERFORM_UTIME:
	case MB_PERFORM_UTIMES:
	case MB_PERFORM_UTIMENSAT:
		return read_times(m);
	case MB_PERFORM_SETXATTR: {
		int r = read_xattr_name(m);
		if (r != MB_DECODED)
			return r;
		a->size = (uint32_t)MB_MIN(arg(m, 2), (uint64_t)UINT32_MAX);
		a->xflags = (uint32_t)arg(m, 3);
		return read_xattr_value(m, arg(m, 1));
	}
	case MB_PERFORM_SETXATTRAT: {
		int r = read_xattr_name(m);
		struct { uint64_t value; uint32_t size, flags; } xa;
		if (r == MB_DECODED)
			r = read_struct(m, arg(m, 1), arg(m, 2), &xa, XATTR_ARGS_SIZE_VER0);
		if (r != MB_DECODED || m->op->t[m->op->n - 1].kind == MB_TARGET_UNREADABLE)
			return r;
		a->size = xa.size;
		a->xflags = xa.flags;
		return read_xattr_value(m, xa.value);
	}
	case MB_PERFORM_REMOVEXATTR:
		return read_xattr_name(m);
	case MB_PERFORM_FILE_SETATTR:
		return read_struct(m, arg(m, 0), arg(m, 1), a->fattr, FILE_ATTR_SIZE_VER0);
	default:
		return MB_DECODED;
	}
}

/* ---- which final names are followed -------------------------------------- */

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

/* Does the call act on (directory, final name) of path i? */
static bool parent_mode(const struct mb_watch_syscall *sc, unsigned i, bool follow,
			uint64_t at_flags)
{
	switch (sc->perform) {
	case MB_PERFORM_UNLINK:
	case MB_PERFORM_RMDIR:
	case MB_PERFORM_RENAME:
	case MB_PERFORM_MKDIR:
	case MB_PERFORM_MKNOD:
	case MB_PERFORM_SYMLINK:
		return true;
	case MB_PERFORM_LINK:
		return i == 1 || (!follow && !(at_flags & AT_EMPTY_PATH));
	default:
		return false;
	}
}

/* The kernel's answer to a final name of ".", ".." or "/" for a call that
 * acts on (directory, name); 0 when the final name is a real one. */
static int degenerate(const struct mut *m, unsigned i)
{
	const struct mb_path_res *res = &m->res[i];
	const char *l = res->last;
	if (res->presence == MB_PRESENT_NONE)
		return 0; /* its directory is missing: ENOENT, decided as a probe */
	bool root = !l, dot = l && l[0] == '.' && (l[1] == '\0' || l[1] == '/');
	bool dotdot = l && l[0] == '.' && l[1] == '.' && (l[2] == '\0' || l[2] == '/');
	if (!root && !dot && !dotdot)
		return 0;
	switch (m->op->sc->perform) {
	case MB_PERFORM_UNLINK:
		if (!(m->a.flags & AT_REMOVEDIR))
			return EISDIR;
		/* fall through */
	case MB_PERFORM_RMDIR:
		return dotdot ? ENOTEMPTY : dot ? EINVAL : EBUSY;
	case MB_PERFORM_RENAME:
		return i == 1 && (m->a.flags & RENAME_NOREPLACE) ? EEXIST : EBUSY;
	case MB_PERFORM_LINK:
		return i == 0 ? EPERM : EEXIST;
	default:
		return EEXIST;
	}
}

/* ---- performing ----------------------------------------------------------- */

/* "/proc/self/fd/O", or "/proc/self/fd/P/L" for (directory, final name). */
static const char *proc_path(char *buf, size_t bufsz, const struct mb_path_res *res, bool name)
{
	if (name && res->parent >= 0 && res->last)
		snprintf(buf, bufsz, "/proc/self/fd/%d/%s", res->parent, res->last);
	else
		snprintf(buf, bufsz, "/proc/self/fd/%d", res->obj);
	return buf;
}

/* The final name itself (not followed): (P, L), else the object. */
static bool by_name(const struct mut *m)
{
	return !m->follow[0] && m->res[0].parent >= 0 && m->res[0].last;
}

static int do_link(struct mut *m)
{
	const struct mb_path_res *o = &m->res[0], *nw = &m->res[1];
	if (o->parent >= 0 && o->last)
		return linkat(o->parent, o->last, nw->parent, nw->last, 0);
	if (m->at_flags & AT_EMPTY_PATH)
		return linkat(o->obj, "", nw->parent, nw->last, AT_EMPTY_PATH);
	char p[64];
	/* open(2)'s own O_TMPFILE recipe: no capability needed. */
	return linkat(AT_FDCWD, proc_path(p, sizeof(p), o, false), nw->parent, nw->last,
		      AT_SYMLINK_FOLLOW);
}

static int do_chmod(struct mut *m)
{
	const struct mb_path_res *r = &m->res[0];
	mode_t mode = (mode_t)(m->a.mode & 07777);
	if (by_name(m))
		return (int)syscall(SYS_fchmodat2, r->parent, r->last, mode, AT_SYMLINK_NOFOLLOW);
	if (syscall(SYS_fchmodat2, r->obj, "", mode, AT_EMPTY_PATH) == 0)
		return 0;
	if (errno != ENOSYS)
		return -1;
	char p[64];
	return chmod(proc_path(p, sizeof(p), r, false), mode); /* before 6.6 */
}

static int do_times(struct mut *m)
{
	const struct mb_path_res *r = &m->res[0];
	const struct timespec *ts = m->a.ts_now ? NULL : m->a.ts;
	if (by_name(m))
		return utimensat(r->parent, r->last, ts, AT_SYMLINK_NOFOLLOW);
	return utimensat(r->obj, "", ts, AT_EMPTY_PATH);
}

static int do_xattr(struct mut *m)
{
	char p[PATH_MAX];
	const char *path = proc_path(p, sizeof(p), &m->res[0], by_name(m));
	bool l = by_name(m);
	if (m->op->sc->perform == MB_PERFORM_REMOVEXATTR)
		return l ? lremovexattr(path, m->a.name) : removexattr(path, m->a.name);
	const void *v = m->a.size ? m->n->xvalue : NULL;
	return l ? lsetxattr(path, m->a.name, v, m->a.size, (int)m->a.xflags)
		 : setxattr(path, m->a.name, v, m->a.size, (int)m->a.xflags);
}

static int do_file_setattr(struct mut *m)
{
	const struct mb_path_res *r = &m->res[0];
	if (by_name(m))
		return (int)syscall(SYS_file_setattr, r->parent, r->last, m->a.fattr,
				    sizeof(m->a.fattr), AT_SYMLINK_NOFOLLOW);
	char p[64];
	return (int)syscall(SYS_file_setattr, AT_FDCWD, proc_path(p, sizeof(p), r, false),
			    m->a.fattr, sizeof(m->a.fattr), 0);
}

static int perform(struct mut *m)
{
	const struct mb_path_res *r = &m->res[0];
	char p[64];
	switch (m->op->sc->perform) {
	case MB_PERFORM_UNLINK:
		return unlinkat(r->parent, r->last, (int)(m->a.flags & AT_REMOVEDIR));
	case MB_PERFORM_RMDIR:
		return unlinkat(r->parent, r->last, AT_REMOVEDIR);
	case MB_PERFORM_RENAME:
		return (int)syscall(SYS_renameat2, r->parent, r->last, m->res[1].parent,
				    m->res[1].last, (unsigned)m->a.flags);
	case MB_PERFORM_MKDIR:
		return mkdirat(r->parent, r->last, (mode_t)(m->a.mode & 07777));
	case MB_PERFORM_MKNOD:
		return mknodat(r->parent, r->last, (mode_t)m->a.mode, (dev_t)m->a.dev);
	case MB_PERFORM_SYMLINK:
		return symlinkat(m->n->text, r->parent, r->last);
	case MB_PERFORM_LINK:
		return do_link(m);
	case MB_PERFORM_TRUNCATE:
		return truncate(proc_path(p, sizeof(p), r, false), m->a.len);
	case MB_PERFORM_CHMOD:
		return do_chmod(m);
	case MB_PERFORM_CHOWN:
		if (by_name(m))
			return fchownat(r->parent, r->last, m->a.uid, m->a.gid, AT_SYMLINK_NOFOLLOW);
		return fchownat(r->obj, "", m->a.uid, m->a.gid, AT_EMPTY_PATH);
	case MB_PERFORM_UTIME:
	case MB_PERFORM_UTIMES:
	case MB_PERFORM_UTIMENSAT:
		return do_times(m);
	case MB_PERFORM_SETXATTR:
	case MB_PERFORM_SETXATTRAT:
	case MB_PERFORM_REMOVEXATTR:
		return do_xattr(m);
	case MB_PERFORM_FILE_SETATTR:
		return do_file_setattr(m);
	default:
		errno = ENOSYS;
		return -1;
	}
}

static bool creates(enum mb_watch_perform p)
{
	return p == MB_PERFORM_MKDIR || p == MB_PERFORM_MKNOD;
}

/* ---- one call ------------------------------------------------------------- */

/* Read and resolve every argument: MB_DECODED, MB_VANISHED or -errno. */
static int decode(struct mut *m)
{
	const struct mb_watch_syscall *sc = m->op->sc;
	if (sc->flags != MB_WATCH_NOARG && (m->at_flags & ~(uint64_t)sc->at_flags))
		return -EINVAL;
	int r = read_args(m);
	if (r != MB_DECODED || m->op->n > 0)
		return r; /* an error, or an unreadable argument */
	for (unsigned i = 0; i < 2 && sc->p[i].path != MB_WATCH_NOARG; i++) {
		/* AT_EMPTY_PATH applies to the first path only (linkat's old). */
		uint64_t f = i == 0 ? m->at_flags : m->at_flags & ~(uint64_t)AT_EMPTY_PATH;
		m->follow[i] = follows(&sc->p[i], f);
		struct mb_path_req rq = {
			.follow = m->follow[i],
			.parent = parent_mode(sc, i, m->follow[i], f),
			.creates = sc->p[i].creates,
		};
		r = mb_decode_path(m->n, m->op, i, f, &rq, &m->res[i]);
		if (r != MB_DECODED || m->op->t[i].kind == MB_TARGET_UNREADABLE)
			return r;
		if (rq.parent && (r = degenerate(m, i)) != 0)
			return -r;
	}
	return MB_DECODED;
}

int mb_handle_mutation(struct mb_notifier *n, struct mb_notified_op *op)
{
	struct mut m = { .n = n, .op = op };
	m.at_flags = op->sc->flags == MB_WATCH_NOARG ? 0 : op->args[op->sc->flags];
	op->n = 0;
	int ret;
	if (!mb_notify_allowed(n, op, decode(&m), &ret))
		return ret;
	if (n->restartable)
		return mb_notify_send_resp(n, op->id, false, EACCES);
	bool um = creates(op->sc->perform);
	mode_t saved = um ? mb_notify_umask_begin(n) : 0;
	int r = perform(&m) < 0 ? -errno : 0;
	if (um)
		mb_notify_umask_end(n, saved);
	return r < 0 ? mb_notify_send_resp(n, op->id, false, -r) : mb_notify_send_val(n, op->id, 0);
}
