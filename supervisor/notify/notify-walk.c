/* SPDX-License-Identifier: Apache-2.0 */
/* The kernel's path walk, redone on file descriptors, for every path the
 * fast lexical probe cannot prove (notify-resolve.c): a symlink or a magic
 * link on the way, "..", /proc, a removed directory.
 *
 * State: cur (an O_PATH descriptor), its canonical name (a growable string,
 * or unknown inside a removed directory), and a stack of link frames shaped
 * like the kernel's: at most 40 links, each text read once into a frame of
 * its own, never spliced into another buffer. So nothing here can overflow:
 * the only length errors are the kernel's own (a component longer than
 * NAME_MAX, a link text of PATH_MAX bytes, more than 40 links).
 *
 * Each component:
 *  - "." stays; ".." is the kernel's own parent, openat(cur, ".."), clamped
 *    at the root (the sandbox's, or the dirfd under the server's
 *    RESOLVE_IN_ROOT), EXDEV above the dirfd under RESOLVE_BENEATH: right for
 *    a removed directory and across mounts;
 *  - "self" and "thread-self" right under a procfs root are the calling
 *    thread's own ids in its pid namespace (from the supervisor, "self" would
 *    be the supervisor, or nothing);
 *  - anything else is opened O_PATH|O_NOFOLLOW beneath cur. A symlink that is
 *    followed is read and pushed as a frame (an absolute one restarts at the
 *    root); a magic link (procfs, and RESOLVE_NO_MAGICLINKS refuses it) is
 *    followed as an object, with the server's credentials, and named by what
 *    it holds.
 * The result is the pinned object and, when the path ends in a name, the
 * pinned directory and that name: the caller performs relative to them, so
 * a rename elsewhere afterwards cannot redirect the call. */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "policy/path.h"
#include "supervisor/notify/notify-internal.h"

struct ident {
	dev_t dev;
	ino_t ino;
	uint64_t mnt;
};

struct walk {
	struct mb_notifier *n;
	const struct mb_walk_in *in;
	struct mb_path_res *res;
	struct mb_name *nm;
	bool known;          /* nm names cur */
	int cur;
	bool cur_owned;
	uint64_t cur_mnt;
	struct ident root_id, start_id;
	bool root_id_ok, start_id_ok;
	unsigned depth;      /* frames in use; [0] is the path */
	unsigned links;
	char comp[PATH_MAX];
	size_t clen;
	bool last, trail;
};

static int statx_id(int fd, const char *path, int flags, struct statx *sx)
{
	if (statx(fd, path, flags | AT_EMPTY_PATH, STATX_TYPE | STATX_INO | STATX_MNT_ID, sx) < 0)
		return -errno;
	return 0;
}

static int ident_of(int fd, struct ident *id)
{
	struct statx sx;
	int r = statx_id(fd, "", 0, &sx);
	if (r < 0)
		return r;
	*id = (struct ident){ .dev = makedev(sx.stx_dev_major, sx.stx_dev_minor),
			      .ino = sx.stx_ino,
			      .mnt = (sx.stx_mask & STATX_MNT_ID) ? sx.stx_mnt_id : 0 };
	return 0;
}

static bool same(const struct ident *a, const struct ident *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->mnt == b->mnt;
}

static void set_cur(struct walk *w, int fd, bool owned, uint64_t mnt)
{
	if (w->cur_owned)
		mb_close(w->cur);
	w->cur = fd;
	w->cur_owned = owned;
	w->cur_mnt = mnt;
}

/* ---- components ---------------------------------------------------------- */

/* Is nothing but slashes left in every frame? Sets *trail if a slash is. */
static bool rest_empty(const struct walk *w, bool *trail)
{
	*trail = false;
	for (unsigned d = w->depth; d-- > 0;) {
		const struct mb_link_frame *f = &w->n->links[d];
		for (const char *p = f->s + f->pos; *p; p++) {
			if (*p != '/')
				return false;
			*trail = true;
		}
	}
	return true;
}

/* The next component into w->comp; false at the end of the path. */
static int next_comp(struct walk *w)
{
	for (;;) {
		struct mb_link_frame *f = &w->n->links[w->depth - 1];
		while (f->s[f->pos] == '/')
			f->pos++;
		if (f->s[f->pos] != '\0')
			break;
		if (w->depth == 1)
			return 0;
		w->depth--;
	}
	struct mb_link_frame *f = &w->n->links[w->depth - 1];
	const char *c = f->s + f->pos;
	size_t len = strcspn(c, "/");
	f->pos += len;
	/* A name too long is the filesystem's lookup to say (ENAMETOOLONG,
	 * or procfs' ENOENT), after a removed directory's ENOENT. */
	memcpy(w->comp, c, len);
	w->comp[len] = '\0';
	w->clen = len;
	w->last = rest_empty(w, &w->trail);
	return 1;
}

static int push_text(struct walk *w, const char *text, size_t len)
{
	if (++w->links > MB_MAX_LINKS || w->depth > MB_MAX_LINKS)
		return -ELOOP;
	struct mb_link_frame *f = &w->n->links[w->depth++];
	if (text != f->text)
		memcpy(f->text, text, len + 1);
	f->s = f->text;
	f->pos = 0;
	return 0;
}

static bool is(const struct walk *w, const char *s)
{
	return strcmp(w->comp, s) == 0;
}

/* ---- results ------------------------------------------------------------- */

/* The name of cur + "/" + comp, for a target that is absent: what the
 * report and the decision see. The rest of the path as written follows,
 * lexically, when it is still the path's own text (frame 0). */
static int name_absent(struct walk *w, int err)
{
	struct mb_path_res *res = w->res;
	res->presence = MB_PRESENT_NONE;
	res->error = err;
	if (!w->known)
		return -ENOENT; /* nothing can be found, or made, in a removed directory */
	int r = mb_name_push(w->nm, w->comp, w->clen);
	if (r < 0)
		return r;
	/* What is left of the path, lexically: a name for the report. */
	for (unsigned d = w->depth; d-- > 0;) {
		const struct mb_link_frame *f = &w->n->links[d];
		if (f->s[f->pos] != '\0' && (r = mb_name_push(w->nm, f->s + f->pos,
							       strlen(f->s + f->pos))) < 0)
			return r;
	}
	if ((r = mb_path_normalize(w->nm->s, w->nm->s, w->nm->cap)) < 0)
		return r;
	w->nm->len = (size_t)r;
	return 0;
}

/* Keep an owned descriptor for the notification; borrowed ones stay as is. */
static int keep(struct walk *w, int fd, bool owned)
{
	return owned ? mb_track(w->n, fd) : fd;
}

/* The path ends at comp beneath cur. obj: comp's descriptor or -1. */
static int final_name(struct walk *w, int obj)
{
	struct mb_path_res *res = w->res;
	char *buf = w->n->last[w->in->slot];
	size_t l = MB_MIN(w->clen, (size_t)NAME_MAX); /* longer: presence NONE, never performed */
	memcpy(buf, w->comp, l);
	if (w->trail)
		buf[l++] = '/';
	buf[l] = '\0';
	res->last = buf;
	int r = mb_name_push(w->nm, w->comp, w->clen);
	if (r < 0) {
		mb_close(obj);
		return r;
	}
	res->obj = obj >= 0 ? mb_track(w->n, obj) : -1;
	if (obj >= 0 && res->obj < 0)
		return res->obj;
	res->parent = keep(w, w->cur, w->cur_owned);
	w->cur_owned = false;
	return res->parent < 0 ? res->parent : 0;
}

/* The path ends at cur itself ("/", ".", "..", a magic link). */
static int final_cur(struct walk *w)
{
	struct mb_path_res *res = w->res;
	if (!w->known) {
		/* A removed directory opened as itself: decided by its last
		 * name, as a deleted file is. */
		int r = mb_name_describe(w->nm, w->cur, &res->kind);
		if (r < 0)
			return r;
	}
	res->obj = keep(w, w->cur, w->cur_owned);
	w->cur_owned = false;
	return res->obj < 0 ? res->obj : 0;
}

/* ---- "..", /proc/self, magic links -------------------------------------- */

static int dotdot(struct walk *w)
{
	struct ident id;
	int r = ident_of(w->cur, &id);
	if (r < 0)
		return r;
	if (!w->root_id_ok) {
		if ((r = ident_of(w->in->root, &w->root_id)) < 0)
			return r;
		w->root_id_ok = true;
	}
	if (same(&id, &w->root_id))
		return 0; /* the root's ".." is the root */
	if (w->in->resolve & RESOLVE_BENEATH) {
		if (!w->start_id_ok) {
			if ((r = ident_of(w->in->start.fd, &w->start_id)) < 0)
				return r;
			w->start_id_ok = true;
		}
		if (same(&id, &w->start_id))
			return -EXDEV;
	}
	int fd = openat(w->cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct ident pid;
	if ((r = ident_of(fd, &pid)) < 0) {
		mb_close(fd);
		return r;
	}
	if ((w->in->resolve & RESOLVE_NO_XDEV) && pid.mnt != w->cur_mnt) {
		mb_close(fd);
		return -EXDEV;
	}
	set_cur(w, fd, true, pid.mnt);
	if (w->known) {
		mb_name_pop(w->nm);
		return 0;
	}
	/* Leaving a removed directory: named again once live. */
	enum mb_target_kind kind;
	r = mb_name_describe(w->nm, fd, &kind);
	if (r < 0)
		return r;
	w->known = kind == MB_TARGET_PATH;
	return 0;
}

/* "self" or "thread-self" right under a procfs root, followed. */
static int proc_self(struct walk *w)
{
	bool thread = is(w, "thread-self");
	if (!w->known || strcmp(w->nm->s, "/proc") != 0 || (!thread && !is(w, "self")))
		return 0;
	struct statfs sf;
	struct stat st;
	if (fstatfs(w->cur, &sf) < 0 || fstat(w->cur, &st) < 0)
		return -errno;
	if (sf.f_type != PROC_SUPER_MAGIC || st.st_ino != 1)
		return 0;
	if (w->in->resolve & RESOLVE_NO_SYMLINKS)
		return -ELOOP;
	int r = mb_anchor_ns_ids(w->n);
	if (r < 0)
		return r;
	char ids[48];
	int len = thread ? snprintf(ids, sizeof(ids), "%d/task/%d", w->n->nstgid, w->n->nspid)
			 : snprintf(ids, sizeof(ids), "%d", w->n->nstgid);
	r = push_text(w, ids, (size_t)len);
	return r < 0 ? r : 1;
}

/* The access mode of descriptor name in the /proc/PID/fd directory dir, as
 * its fdinfo says, or -1. A deleted file reached through it may be opened
 * again only within that mode (notify-open.c). */
static int fd_access(int dir, const char *name)
{
	char p[NAME_MAX + 16], buf[256];
	if (snprintf(p, sizeof(p), "../fdinfo/%s", name) >= (int)sizeof(p))
		return -1;
	int fd = openat(dir, p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t len = read(fd, buf, sizeof(buf) - 1);
	mb_close(fd);
	buf[len > 0 ? len : 0] = '\0';
	const char *f = strstr(buf, "flags:");
	return f ? (int)(strtoul(f + 6, NULL, 8) & O_ACCMODE) : -1;
}

/* A magic link at comp beneath cur (next: its O_PATH|O_NOFOLLOW fd): 1 and
 * cur or the result moved on, 0 when it is a plain link, or -errno. */
static int magic_link(struct walk *w, int next)
{
	struct statfs sf;
	if (fstatfs(next, &sf) < 0)
		return -errno;
	if (sf.f_type != PROC_SUPER_MAGIC)
		return 0;
	int fd = mb_openat2(w->cur, w->comp, O_PATH | O_CLOEXEC, 0, RESOLVE_NO_MAGICLINKS);
	/* Without openat2: procfs' plain links ("self", "mounts", "net") are
	 * those of its root; every link beneath /proc/PID is magic. */
	bool magic = fd == -ELOOP ||
		     (fd == -ENOSYS && !(w->known && strcmp(w->nm->s, "/proc") == 0));
	mb_close(fd);
	if (!magic)
		return 0;
	if (w->in->resolve & RESOLVE_NO_MAGICLINKS)
		return -ELOOP;
	if (w->in->resolve & (RESOLVE_BENEATH | RESOLVE_IN_ROOT))
		return -EXDEV;
	int obj = openat(w->cur, w->comp, O_PATH | O_CLOEXEC);
	if (obj < 0)
		return -errno;
	bool fd_dir = w->known && w->nm->len > 3 && strcmp(w->nm->s + w->nm->len - 3, "/fd") == 0;
	enum mb_target_kind kind;
	int r = mb_name_describe(w->nm, obj, &kind);
	if (r < 0) {
		mb_close(obj);
		return r;
	}
	w->known = true;
	struct statx sx;
	if ((r = statx_id(obj, "", 0, &sx)) < 0) {
		mb_close(obj);
		return r;
	}
	if ((!w->last || w->trail) && !S_ISDIR(sx.stx_mode)) {
		/* Nothing lies beneath a file, a pipe or a memfd ("N/" included). */
		mb_close(obj);
		w->res->presence = MB_PRESENT_NONE;
		w->res->error = -ENOTDIR;
		return 1;
	}
	if (kind == MB_TARGET_DELETED && fd_dir)
		w->res->orig_acc = fd_access(w->cur, w->comp);
	struct ident id = { .mnt = sx.stx_mnt_id };
	set_cur(w, obj, true, id.mnt);
	w->res->kind = kind;
	return 1;
}

/* ---- the procfs rule ----------------------------------------------------- */

/* Entries of /proc/PID (and of its task/TID) the kernel guards with a
 * ptrace check. */
static const char *const guarded[] = {
	"auxv", "cwd", "environ", "exe", "fd", "fdinfo", "io", "map_files", "maps", "mem",
	"numa_maps", "ns", "pagemap", "personality", "root", "smaps", "smaps_rollup", "stack",
	"syscall", "timers",
};

/* "/proc/N" or "/proc/N/task/N". */
static bool process_dir(const char *name)
{
	if (strncmp(name, "/proc/", 6) != 0)
		return false;
	const char *p = name + 6;
	for (int part = 0;; part++) {
		if (*p < '0' || *p > '9')
			return false;
		while (*p >= '0' && *p <= '9')
			p++;
		if (*p == '\0')
			return true;
		if (part > 0 || strncmp(p, "/task/", 6) != 0)
			return false;
		p += 6;
	}
}

int mb_proc_guard(struct mb_notifier *n, int dirfd, const char *name, const char *comp,
		  size_t clen)
{
	if (!process_dir(name))
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(guarded); i++) {
		if (strlen(guarded[i]) != clen || memcmp(guarded[i], comp, clen) != 0)
			continue;
		/* procfs hands a process that is not dumpable to root (or
		 * the overflow uid): the server's uid owns only its own. */
		struct stat st;
		if (fstat(dirfd, &st) < 0)
			return -errno;
		return n->ident.known && st.st_uid != n->ident.uid ? -EACCES : 0;
	}
	return 0;
}

/* ---- the walk ------------------------------------------------------------ */

static int symlink_step(struct walk *w, int next)
{
	if (w->in->resolve & RESOLVE_NO_SYMLINKS) {
		mb_close(next);
		return -ELOOP;
	}
	int r = magic_link(w, next);
	if (r != 0) {
		mb_close(next);
		if (r < 0)
			return r;
		if (++w->links > MB_MAX_LINKS)
			return -ELOOP;
		return w->last ? final_cur(w) : 0;
	}
	struct mb_link_frame *f = &w->n->links[w->depth];
	ssize_t len = w->depth <= MB_MAX_LINKS ? readlinkat(next, "", f->text, sizeof(f->text)) : 0;
	int e = errno;
	mb_close(next);
	if (len < 0)
		return -e;
	if ((size_t)len >= sizeof(f->text))
		return -ENAMETOOLONG;
	f->text[len] = '\0';
	if ((r = push_text(w, f->text, (size_t)len)) < 0)
		return r;
	if (f->text[0] == '/') {
		if (w->in->resolve & RESOLVE_BENEATH)
			return -EXDEV;
		struct ident id;
		if ((r = ident_of(w->in->root, &id)) < 0)
			return r;
		set_cur(w, w->in->root, false, id.mnt);
		w->known = true;
		if ((r = mb_name_set(w->nm, w->in->root_name, strlen(w->in->root_name))) < 0)
			return r;
	}
	return 0;
}

/* The final name in parent mode: pinned directory + name, and whether it
 * is there (never followed). */
static int parent_final(struct walk *w)
{
	if (!w->known) {
		/* Nothing is found, or made, in a removed directory: ENOENT,
		 * under the directory's last name. */
		int r = mb_name_describe(w->nm, w->cur, &w->res->kind);
		if (r < 0)
			return r;
		w->res->kind = MB_TARGET_PATH;
		w->res->presence = MB_PRESENT_NONE;
		w->res->error = -ENOENT;
		return final_name(w, -1);
	}
	if (w->clen > NAME_MAX) {
		/* Never looked up: the lookup that makes or removes it says. */
		w->res->presence = MB_PRESENT_NONE;
		w->res->error = mb_path_within(w->nm->s, "/proc") ? -ENOENT : -ENAMETOOLONG;
		return final_name(w, -1);
	}
	struct stat st;
	if (fstatat(w->cur, w->comp, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		w->res->presence = MB_PRESENT;
	} else if (errno == ENOENT) {
		w->res->presence = MB_PRESENT_NEW;
		w->res->error = -ENOENT;
	} else {
		return -errno;
	}
	return final_name(w, -1);
}

static int component(struct walk *w)
{
	if (w->in->parent && w->last)
		return parent_final(w);
	if (is(w, "."))
		return w->last ? final_cur(w) : 0;
	if (is(w, "..")) {
		int r = dotdot(w);
		return r < 0 ? r : w->last ? final_cur(w) : 0;
	}
	bool follow = !w->last || w->in->follow || w->trail;
	if (follow) {
		int r = proc_self(w);
		if (r != 0)
			return r < 0 ? r : 0;
	}
	if (!w->known)
		return name_absent(w, -ENOENT);
	int r = mb_proc_guard(w->n, w->cur, w->nm->s, w->comp, w->clen);
	if (r < 0)
		return r;
	int next = openat(w->cur, w->comp, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (next < 0) {
		int e = errno;
		if (e == ENOENT && w->last) {
			w->res->presence = MB_PRESENT_NEW;
			w->res->error = -ENOENT;
			return final_name(w, -1);
		}
		if (e == ENOENT || e == ENOTDIR)
			return name_absent(w, -e);
		return -e;
	}
	struct statx sx;
	if ((r = statx_id(next, "", AT_SYMLINK_NOFOLLOW, &sx)) < 0) {
		mb_close(next);
		return r;
	}
	if (S_ISLNK(sx.stx_mode) && follow)
		return symlink_step(w, next);
	if ((w->in->resolve & RESOLVE_NO_XDEV) && sx.stx_mnt_id != w->cur_mnt) {
		mb_close(next);
		return -EXDEV;
	}
	if (w->last) {
		if (w->trail && !S_ISDIR(sx.stx_mode) && !S_ISLNK(sx.stx_mode)) {
			mb_close(next);
			return -ENOTDIR;
		}
		return final_name(w, next);
	}
	if (!S_ISDIR(sx.stx_mode)) {
		mb_close(next);
		return name_absent(w, -ENOTDIR);
	}
	set_cur(w, next, true, sx.stx_mnt_id);
	return mb_name_push(w->nm, w->comp, w->clen);
}

int mb_walk(struct mb_notifier *n, const struct mb_walk_in *in, struct mb_path_res *res)
{
	struct walk w = { .n = n, .in = in, .res = res, .nm = &n->name[in->slot], .cur = -1 };
	*res = (struct mb_path_res){ .kind = MB_TARGET_PATH, .presence = MB_PRESENT, .parent = -1,
				     .obj = -1, .anchor = in->start, .orig_acc = -1 };
	n->stats.walked++;
	n->links[0].s = in->path;
	n->links[0].pos = 0;
	w.depth = 1;
	const struct mb_anchor *a = in->path[0] == '/' ? NULL : &in->start;
	int fd = a ? a->fd : in->root;
	const char *name = a ? a->name : in->root_name;
	if (a && a->dead)
		name = NULL;
	if (in->path[0] == '/' && (in->resolve & RESOLVE_BENEATH))
		return -EXDEV;
	struct ident id;
	int r = ident_of(fd, &id);
	if (r < 0)
		return r;
	set_cur(&w, fd, false, id.mnt);
	w.known = name != NULL;
	if (name && (r = mb_name_set(w.nm, name, strlen(name))) < 0)
		return r;
	for (;;) {
		r = next_comp(&w);
		if (r <= 0) {
			if (r == 0)
				r = res->obj >= 0 || res->last ? 0 : final_cur(&w);
			break;
		}
		r = component(&w);
		if (r < 0 || res->last || res->obj >= 0 || res->presence == MB_PRESENT_NONE)
			break;
	}
	if (w.cur_owned)
		mb_close(w.cur);
	if (r < 0)
		return r;
	res->name = w.nm->s;
	res->proc = mb_path_within(res->name, "/proc");
	return 0;
}
