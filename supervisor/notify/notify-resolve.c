/* SPDX-License-Identifier: Apache-2.0 */
/* Resolving one path argument as the kernel will for the calling thread,
 * from its own root, cwd or dirfd (notify-anchor.c), into a canonical name
 * for the decision and pinned descriptors for the perform.
 *
 * Cheapest first:
 *  1. the fast lexical probe: the name is the anchor's name joined with the
 *     path, normalised; one openat2 from the anchor with RESOLVE_IN_ROOT
 *     (from the root) or RESOLVE_BENEATH (from a cwd or dirfd), and
 *     RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS. Success proves that no
 *     symlink or magic link was crossed and nothing escaped the anchor: the
 *     object has exactly that name. ENOENT and ENOTDIR are the kernel's own
 *     answers (nothing before the missing component was a link);
 *  2. anything else -- ELOOP (a link), EXDEV (".." above a cwd or dirfd),
 *     EAGAIN (the kernel's ".." race check), a removed directory as anchor, a
 *     name beneath /proc -- takes the walk (notify-walk.c).
 * Neither ever falls back to a name it could not prove: a path that cannot
 * be resolved is the kernel's errno, which the caller answers. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/kernel-compat.h"
#include "policy/path.h"
#include "supervisor/notify/notify-internal.h"

#define SERVER_RESOLVE                                                                    \
	(RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH | \
	 RESOLVE_IN_ROOT)

/* The fast probe's failures that the walk must look at: a link on the way
 * (ELOOP), an escape (EXDEV), the kernel's ".." race (EAGAIN), no openat2. */
static bool take_walk(int e)
{
	return e == ELOOP || e == EXDEV || e == EAGAIN || e == ENOSYS;
}

/* raw's directory part into n->dir ("" for the anchor itself) and its final
 * name (trailing slashes kept) into n->last[slot]; false for "/" (no
 * final name). */
static bool split(struct mb_notifier *n, const char *raw, unsigned slot)
{
	size_t end = strlen(raw);
	while (end > 0 && raw[end - 1] == '/')
		end--;
	if (end == 0 && raw[0] == '/')
		return false;
	size_t s = end;
	while (s > 0 && raw[s - 1] != '/')
		s--;
	size_t dl = s;
	while (dl > 1 && raw[dl - 1] == '/')
		dl--; /* "a//b": the directory is "a" */
	memcpy(n->dir, raw, dl);
	n->dir[dl] = '\0';
	size_t ll = strlen(raw + s);
	if (ll > NAME_MAX + 1 || end - s > NAME_MAX)
		ll = 0; /* too long: the kernel's ENAMETOOLONG, through the walk */
	memcpy(n->last[slot], raw + s, ll);
	n->last[slot][ll] = '\0';
	return true;
}

static bool dot_or_dotdot(const char *s)
{
	return s[0] == '.' && (s[1] == '\0' || s[1] == '/' ||
			       (s[1] == '.' && (s[2] == '\0' || s[2] == '/')));
}

int mb_path_lexical(struct mb_notifier *n, const struct mb_path_req *rq,
			const struct mb_anchor *a)
{
	struct mb_name *nm = &n->name[rq->slot];
	if (a->root)
		return mb_name_join(nm, "/", rq->raw);
	const char *rel = rq->raw;
	while (*rel == '/') /* RESOLVE_IN_ROOT: "/" is the anchor */
		rel++;
	return mb_name_join(nm, a->name, rel[0] ? rel : ".");
}

uint64_t mb_path_scope(const struct mb_path_req *rq, const struct mb_anchor *a)
{
	uint64_t scope = a->root || (rq->resolve & RESOLVE_IN_ROOT) ? RESOLVE_IN_ROOT
								       : RESOLVE_BENEATH;
	return scope | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | (rq->resolve & RESOLVE_NO_XDEV);
}

/* 1: take the walk; 0: resolved; -errno: the kernel's answer. */
static int fast_parent(struct mb_notifier *n, const struct mb_path_req *rq,
		       struct mb_path_res *res)
{
	const struct mb_anchor *a = &res->anchor;
	if (!split(n, rq->raw, rq->slot)) {
		res->obj = a->fd; /* "/": no final name */
		return 0;
	}
	if (n->last[rq->slot][0] == '\0')
		return 1;
	int p = a->fd;
	if (n->dir[0]) {
		p = mb_openat2(a->fd, n->dir, O_PATH | O_DIRECTORY | O_CLOEXEC, 0, res->scope);
		if (p < 0) {
			int e = -p;
			if (e == ENOENT || e == ENOTDIR) {
				res->presence = MB_PRESENT_NONE;
				res->error = -e;
				return 0;
			}
			return take_walk(e) ? 1 : -e;
		}
		if ((p = mb_track(n, p)) < 0)
			return p;
	}
	res->parent = p;
	res->last = n->last[rq->slot];
	if (dot_or_dotdot(res->last))
		return 0;
	size_t ll = strcspn(res->last, "/");
	char name[NAME_MAX + 1];
	memcpy(name, res->last, ll);
	name[ll] = '\0';
	struct stat st;
	if (fstatat(p, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	if (errno != ENOENT)
		return -errno;
	res->presence = MB_PRESENT_NEW;
	res->error = -ENOENT;
	return 0;
}

/* 1: take the walk; 0: resolved; -errno: the kernel's answer. */
static int fast_object(struct mb_notifier *n, const struct mb_path_req *rq,
		       struct mb_path_res *res, bool creates)
{
	const struct mb_anchor *a = &res->anchor;
	uint64_t flags = O_PATH | O_CLOEXEC | (rq->follow ? 0 : O_NOFOLLOW);
	int fd = mb_openat2(a->fd, rq->raw, flags, 0, res->scope);
	if (fd >= 0) {
		res->obj = mb_track(n, fd);
		return res->obj < 0 ? res->obj : 0;
	}
	int e = -fd;
	if (take_walk(e))
		return 1;
	if (e != ENOENT && e != ENOTDIR)
		return -e;
	res->presence = MB_PRESENT_NONE;
	res->error = -e;
	if (e == ENOENT && creates) {
		/* Absent: is its directory there (O_CREAT makes it)? */
		int r = fast_parent(n, rq, res);
		if (r != 0)
			return r;
		if (res->presence == MB_PRESENT) /* appeared meanwhile */
			return 1;
	}
	return 0;
}

int mb_notify_resolve(struct mb_notifier *n, const struct mb_path_req *rq, struct mb_path_res *res)
{
	bool creates = rq->creates;
	*res = (struct mb_path_res){ .kind = MB_TARGET_PATH, .presence = MB_PRESENT, .parent = -1,
				     .obj = -1, .orig_acc = -1 };
	int root = mb_anchor_root(n);
	if (root < 0)
		return root;
	struct mb_anchor a = { .fd = root, .root = true, .name = "/" };
	bool in_root = rq->resolve & RESOLVE_IN_ROOT;
	int r;
	if (rq->empty_path) {
		/* The object the dirfd (or cwd) holds. */
		if ((r = mb_anchor_at(n, rq->dirfd, false, false, &a)) < 0)
			return r;
		res->anchor = a;
		res->obj = a.fd;
		if ((r = mb_name_describe(&n->name[rq->slot], a.fd, &res->kind)) < 0)
			return r;
		res->name = n->name[rq->slot].s;
		return 0;
	}
	if (rq->anchor) {
		a = *rq->anchor;
	} else if (rq->raw[0] != '/' || in_root) {
		if ((r = mb_anchor_at(n, rq->dirfd, true, true, &a)) < 0)
			return r;
	}
	res->anchor = a;
	if (!a.dead) {
		res->scope = mb_path_scope(rq, &a);
		res->lexical = true;
		if ((r = mb_path_lexical(n, rq, &a)) < 0)
			return r;
		res->name = n->name[rq->slot].s;
		res->proc = mb_path_within(res->name, "/proc");
		r = res->proc ? 1 : rq->parent ? fast_parent(n, rq, res) : fast_object(n, rq, res, creates);
		if (r <= 0)
			return r;
	}
	struct mb_walk_in in = {
		.start = a,
		.root = in_root ? a.fd : root,
		.root_name = in_root ? a.name : "/",
		.path = rq->raw,
		.follow = rq->follow,
		.parent = rq->parent,
		.resolve = rq->resolve & SERVER_RESOLVE,
		.slot = rq->slot,
	};
	if (in_root && a.dead)
		return -ENOENT;
	r = mb_walk(n, &in, res);
	if (r < 0)
		return r;
	/* procfs makes nothing: a name it lacks is ENOENT, created or not. */
	if (res->presence == MB_PRESENT_NEW && (!creates || res->proc))
		res->presence = MB_PRESENT_NONE;
	return 0;
}

/* ---- for notify-net.c: a unix socket's path, named -------------------------- */

int mb_resolve(struct mb_notifier *n, const struct mb_resolve_req *rq, char *out, size_t outsz,
	       struct mb_notified_target *t)
{
	t->kind = MB_TARGET_PATH;
	t->presence = MB_PRESENT;
	t->resolve_error = 0;
	t->path = out;
	t->raw = rq->raw;
	out[0] = '\0';
	int r = mb_notify_as_server(n);
	if (r < 0)
		return r;
	struct mb_path_req pr = {
		.dirfd = rq->dirfd, .raw = rq->raw, .empty_path = rq->empty_path,
		.follow = rq->follow, .parent = rq->creates, .creates = rq->creates,
		.resolve = rq->in_root ? RESOLVE_IN_ROOT : 0,
	};
	struct mb_path_res res;
	r = mb_notify_resolve(n, &pr, &res);
	if (r == -ESRCH)
		return MB_VANISHED;
	if (r < 0)
		return r;
	if (strlen(res.name) >= outsz)
		return -ENAMETOOLONG;
	strcpy(out, res.name);
	t->kind = res.kind;
	t->presence = res.presence;
	t->resolve_error = res.error;
	return MB_DECODED;
}

/* ---- one path argument of a call: read once, resolved ----------------------- */

int mb_read_path(struct mb_notifier *n, struct mb_notified_op *op, unsigned i, uint64_t at_flags,
		 struct mb_path_req *rq)
{
	const struct mb_watch_syscall *sc = op->sc;
	const struct mb_watch_path *p = &sc->p[i];
	op->n = i + 1;
	rq->dirfd = p->dirfd == MB_WATCH_NOARG ? AT_FDCWD : (int)op->args[p->dirfd];
	rq->raw = n->raw[i];
	rq->slot = i;
	rq->empty_path = false;
	uint64_t addr = op->args[p->path];
	bool empty_ok = (sc->at_flags & AT_EMPTY_PATH) && (at_flags & AT_EMPTY_PATH);
	if (empty_ok && addr == 0) { /* NULL with AT_EMPTY_PATH: the fd itself */
		n->raw[i][0] = '\0';
	} else {
		int r = mb_remote_string(n, addr, n->raw[i], sizeof(n->raw[i]));
		if (r == -ENAMETOOLONG)
			return r;
		if (r < 0)
			return mb_unreadable(n, &op->t[i], r);
	}
	op->t[i] = (struct mb_notified_target){ .kind = MB_TARGET_PATH, .raw = rq->raw,
						.ops = p->ops };
	if (n->raw[i][0] == '\0') {
		if (!empty_ok)
			return -ENOENT;
		rq->empty_path = true;
	}
	return MB_DECODED;
}

int mb_resolve_path(struct mb_notifier *n, struct mb_notified_op *op, unsigned i,
		    const struct mb_path_req *rq, struct mb_path_res *res)
{
	int r = mb_notify_as_server(n);
	if (r < 0)
		return r;
	r = mb_notify_resolve(n, rq, res);
	if (r == -ESRCH)
		return MB_VANISHED;
	if (r < 0)
		return r;
	struct mb_notified_target *t = &op->t[i];
	t->kind = res->kind;
	t->presence = res->presence;
	t->resolve_error = res->error;
	t->path = res->name;
	return MB_DECODED;
}

int mb_decode_path(struct mb_notifier *n, struct mb_notified_op *op, unsigned i, uint64_t at_flags,
		   struct mb_path_req *rq, struct mb_path_res *res)
{
	int r = mb_read_path(n, op, i, at_flags, rq);
	if (r != MB_DECODED || op->t[i].kind == MB_TARGET_UNREADABLE)
		return r;
	return mb_resolve_path(n, op, i, rq, res);
}
