/* SPDX-License-Identifier: Apache-2.0 */
/* The fresh root, bubblewrap's way: in our mount namespace, a tmpfs is
 * pivoted to "/" with the host's root beneath it at /oldroot; every plan
 * mount is built under /newroot with its source taken from /oldroot; then
 * /newroot becomes the root and the old one is detached.
 *
 * Sources are resolved inside the old root (openat2 RESOLVE_IN_ROOT), so an
 * absolute symlink on the way resolves as it would on the host, not into
 * our tmpfs. Binds are cloned, restricted and attached with the new mount
 * API (open_tree, mount_setattr(AT_RECURSIVE), move_mount): the flags reach
 * every submount of a recursive bind, which a plain MS_REMOUNT does not. */
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/kernel-compat.h"
#include "sandbox/mounts.h"

#define BASE "/tmp" /* where the scratch tmpfs goes before the first pivot */
#define OLD "/oldroot"
#define NEW "/newroot"

struct ctx {
	const struct mb_plan *plan;
	int oldroot; /* O_PATH fd of the host's root, after the first pivot */
	bool new_api;
	uid_t uid;
	gid_t gid;
	struct mb_error *err;
};

static int fail(struct ctx *c, int r, const char *what, const char *path)
{
	return mb_error_set(c->err, r, "%s %s: %s", what, path, strerror(-r));
}

/* Make every missing directory of path (absolute, in our current root). */
static int mkdir_parents(const char *path, bool include_last)
{
	char buf[PATH_MAX];
	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	for (char *p = buf + 1;; p++) {
		if (*p != '/' && *p)
			continue;
		bool last = !*p;
		if (last && !include_last)
			break;
		char saved = *p;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return mb_neg_errno();
		*p = saved;
		if (last)
			break;
	}
	return 0;
}

/* A directory or an empty file to mount on, like the source's type. */
static int make_mountpoint(const char *dst, bool dir)
{
	struct stat st;
	if (lstat(dst, &st) == 0)
		return S_ISDIR(st.st_mode) == dir ? 0 : -EEXIST;
	int r = mkdir_parents(dst, dir);
	if (r < 0 || dir)
		return r;
	int fd = open(dst, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0444);
	if (fd < 0)
		return errno == EEXIST ? 0 : mb_neg_errno();
	mb_close(fd);
	return 0;
}

/* Open path (absolute) inside the old root, symlinks resolved there. */
static int open_in_old(struct ctx *c, const char *path)
{
	struct open_how how = {
		.flags = O_PATH | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	const char *rel = path[1] ? path + 1 : ".";
	int fd = (int)syscall(SYS_openat2, c->oldroot, rel, &how, sizeof(how));
	if (fd < 0 && errno == ENOSYS)
		fd = openat(c->oldroot, rel, O_PATH | O_CLOEXEC);
	return fd < 0 ? mb_neg_errno() : fd;
}

static unsigned long ms_flags_of(uint64_t attr)
{
	return (attr & MB_MOUNT_ATTR_RDONLY ? MS_RDONLY : 0) |
	       (attr & MB_MOUNT_ATTR_NOSUID ? MS_NOSUID : 0) |
	       (attr & MB_MOUNT_ATTR_NODEV ? MS_NODEV : 0) |
	       (attr & MB_MOUNT_ATTR_NOEXEC ? MS_NOEXEC : 0);
}

/* The flags a remount must keep: in a user namespace the kernel refuses to
 * clear the ones the host's mount has (they are locked). */
static unsigned long kept_flags(const char *path)
{
	struct statvfs sv;
	if (statvfs(path, &sv) < 0)
		return 0;
	static const struct {
		unsigned long st, ms;
	} map[] = {
		{ ST_RDONLY, MS_RDONLY },     { ST_NOSUID, MS_NOSUID },
		{ ST_NODEV, MS_NODEV },       { ST_NOEXEC, MS_NOEXEC },
		{ ST_NOATIME, MS_NOATIME },   { ST_NODIRATIME, MS_NODIRATIME },
		{ ST_RELATIME, MS_RELATIME },
	};
	unsigned long f = 0;
	for (size_t i = 0; i < ARRAY_SIZE(map); i++)
		if (sv.f_flag & map[i].st)
			f |= map[i].ms;
	return f;
}

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape(char *s)
{
	char *o = s;
	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '7' && s[2] && s[3]) {
			*o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

/* Classic path: remount dst and every mount beneath it with attr added. */
static int remount_tree(struct ctx *c, const char *dst, uint64_t attr)
{
	FILE *f = fopen(OLD "/proc/self/mountinfo", "re");
	if (!f)
		return mb_neg_errno();
	size_t dl = strlen(dst);
	char *line = NULL;
	size_t cap = 0;
	int r = 0;
	while (getline(&line, &cap, f) > 0) {
		char *save = NULL, *mp = NULL, *tok = strtok_r(line, " ", &save);
		for (int i = 0; tok && i < 4; i++) /* id parent maj:min root mountpoint */
			mp = tok = strtok_r(NULL, " ", &save);
		if (!mp)
			continue;
		unescape(mp);
		if (strncmp(mp, dst, dl) != 0 || (mp[dl] != '\0' && mp[dl] != '/'))
			continue;
		unsigned long fl = kept_flags(mp) | ms_flags_of(attr);
		if (mount(NULL, mp, NULL, MS_REMOUNT | MS_BIND | fl, NULL) < 0) {
			r = mb_neg_errno();
			break;
		}
	}
	free(line);
	fclose(f);
	return r;
}

/* Bind the tree at src_fd onto dst (made to match its type), with attr set
 * on it and, when recursive, on every submount. */
static int bind_fd(struct ctx *c, int src_fd, const char *dst, bool recursive, uint64_t attr)
{
	struct stat st;
	if (fstat(src_fd, &st) < 0)
		return mb_neg_errno();
	int r = make_mountpoint(dst, S_ISDIR(st.st_mode));
	if (r < 0)
		return r;
	if (c->new_api) {
		unsigned rec = recursive ? AT_RECURSIVE : 0;
		int tree = (int)syscall(SYS_open_tree, src_fd, "",
					OPEN_TREE_CLONE | O_CLOEXEC | AT_EMPTY_PATH | rec);
		if (tree >= 0) {
			struct mb_mount_attr ma = { .attr_set = attr };
			r = 0;
			if (syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH | rec, &ma, sizeof(ma)) < 0 ||
			    syscall(SYS_move_mount, tree, "", AT_FDCWD, dst, MOVE_MOUNT_F_EMPTY_PATH) < 0)
				r = mb_neg_errno();
			mb_close(tree);
			return r;
		}
		if (errno != ENOSYS)
			return mb_neg_errno();
		c->new_api = false;
	}
	char src[64];
	snprintf(src, sizeof(src), OLD "/proc/self/fd/%d", src_fd);
	if (mount(src, dst, NULL, MS_BIND | (recursive ? MS_REC : 0), NULL) < 0)
		return mb_neg_errno();
	if (recursive)
		return remount_tree(c, dst, attr);
	unsigned long fl = kept_flags(dst) | ms_flags_of(attr);
	return mount(NULL, dst, NULL, MS_REMOUNT | MS_BIND | fl, NULL) < 0 ? mb_neg_errno() : 0;
}

static void new_path(char *buf, size_t n, const char *path)
{
	snprintf(buf, n, NEW "%s", strcmp(path, "/") == 0 ? "" : path);
}

static int do_bind(struct ctx *c, const struct mb_mount *m)
{
	char dst[PATH_MAX];
	new_path(dst, sizeof(dst), m->path);
	int fd = open_in_old(c, m->path);
	if (fd < 0) {
		if (fd == -ENOENT && m->optional)
			return 0; /* vanished since the plan was made; it was optional */
		return mb_error_at(c->err, fd, m->pos.file, m->pos.line, m->pos.column,
				   "mount %s: %s%s", m->path, strerror(-fd),
				   fd == -ENOENT ? "; create it, or mark the grant optional with "
						   "a trailing '?'"
				   : fd == -EACCES ? "; the user running membrane-run cannot reach it"
						   : "");
	}
	/* Read-only binds keep exec: ld.so maps libraries from them, and
	 * execve is Landlock's to decide. Writable ones are noexec unless exec
	 * is granted there: nothing written may run. */
	uint64_t attr = MB_MOUNT_ATTR_NOSUID | MB_MOUNT_ATTR_NODEV;
	if (m->kind == MB_MOUNT_BIND_RO)
		attr |= MB_MOUNT_ATTR_RDONLY;
	else if (!m->exec)
		attr |= MB_MOUNT_ATTR_NOEXEC;
	int r = bind_fd(c, fd, dst, true, attr);
	mb_close(fd);
	if (r < 0)
		return mb_error_at(c->err, r, m->pos.file, m->pos.line, m->pos.column,
				   "bind mount %s: %s", m->path, strerror(-r));
	return 0;
}

static int do_tmpfs(struct ctx *c, const char *dst, bool exec, const char *extra)
{
	int r = make_mountpoint(dst, true);
	if (r < 0)
		return fail(c, r, "mkdir", dst);
	char opts[128];
	int n = snprintf(opts, sizeof(opts), "mode=0755,uid=%u,gid=%u", (unsigned)c->uid,
			 (unsigned)c->gid);
	/* Pages of a tmpfs are not counted by RLIMIT_DATA: cap the size. */
	if (c->plan->limits.memory)
		n += snprintf(opts + n, sizeof(opts) - (size_t)n, ",size=%llu",
			      (unsigned long long)c->plan->limits.memory);
	if (extra)
		snprintf(opts + n, sizeof(opts) - (size_t)n, ",%s", extra);
	unsigned long fl = MS_NOSUID | MS_NODEV | (exec ? 0 : MS_NOEXEC);
	if (mount("tmpfs", dst, "tmpfs", fl, opts) < 0)
		return fail(c, mb_neg_errno(), "mount tmpfs on", dst + strlen(NEW));
	return 0;
}

static int do_symlink(struct ctx *c, const struct mb_mount *m)
{
	char dst[PATH_MAX];
	new_path(dst, sizeof(dst), m->path);
	int r = mkdir_parents(dst, false);
	if (r < 0)
		return fail(c, r, "mkdir for symlink", m->path);
	if (symlink(m->link_target, dst) == 0)
		return 0;
	r = mb_neg_errno();
	char have[PATH_MAX];
	ssize_t n = readlink(dst, have, sizeof(have) - 1);
	if (r == -EEXIST && n >= 0) {
		have[n] = '\0';
		if (strcmp(have, m->link_target) == 0)
			return 0;
	}
	return mb_error_at(c->err, r, m->pos.file, m->pos.line, m->pos.column,
			   "symlink %s -> %s: %s", m->path, m->link_target, strerror(-r));
}

/* Bind an existing path inside the new tree onto itself, read-only: used to
 * shield the parts of /proc that are global, not per namespace. */
static int shield_ro(struct ctx *c, const char *dst)
{
	int fd = open(dst, O_PATH | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT ? 0 : fail(c, mb_neg_errno(), "open", dst);
	int r = bind_fd(c, fd, dst, true,
			MB_MOUNT_ATTR_RDONLY | MB_MOUNT_ATTR_NOSUID | MB_MOUNT_ATTR_NODEV |
				MB_MOUNT_ATTR_NOEXEC);
	mb_close(fd);
	return r < 0 ? fail(c, r, "read-only bind of", dst + strlen(NEW)) : 0;
}

/* Hide a /proc file behind the host's /dev/null (Docker's masked paths). */
static int mask_file(struct ctx *c, const char *dst)
{
	struct stat st;
	if (lstat(dst, &st) < 0 || S_ISDIR(st.st_mode))
		return 0;
	int fd = open_in_old(c, "/dev/null");
	if (fd < 0)
		return fail(c, fd, "open", "/dev/null");
	int r = bind_fd(c, fd, dst, false,
			MB_MOUNT_ATTR_RDONLY | MB_MOUNT_ATTR_NOSUID | MB_MOUNT_ATTR_NOEXEC);
	mb_close(fd);
	return r < 0 ? fail(c, r, "mask", dst + strlen(NEW)) : 0;
}

static int do_proc(struct ctx *c, const struct mb_mount *m, bool *hidepid)
{
	char dst[PATH_MAX];
	new_path(dst, sizeof(dst), m->path);
	int r = make_mountpoint(dst, true);
	if (r < 0)
		return fail(c, r, "mkdir", m->path);
	unsigned long fl = MS_NOSUID | MS_NODEV | MS_NOEXEC;
	/* hidepid exempts the members of gid= (0 by default), which a server
	 * launched by root is: name a group the command does not hold (it
	 * holds c->gid alone), so that the init is hidden from it as from one
	 * launched by anyone else. */
	char opts[64];
	gid_t hide_from = c->gid == (gid_t)0xfffffffe ? (gid_t)0xfffffffd : (gid_t)0xfffffffe;
	snprintf(opts, sizeof(opts), "hidepid=invisible,gid=%u", (unsigned)hide_from);
	*hidepid = true;
	if (mount("proc", dst, "proc", fl, opts) < 0) {
		*hidepid = false; /* kernels before 5.8 know only hidepid=2 */
		if (mount("proc", dst, "proc", fl, NULL) < 0)
			return mb_error_set(c->err, mb_neg_errno(),
					    "mount proc on %s: %m (a new /proc needs the host's /proc "
					    "fully visible, not covered by other mounts)",
					    m->path);
	}
	/* Global, not per namespace: uid 0 inside (root-launched) could write
	 * sysctls or sysrq-trigger through them. */
	static const char *const ro[] = { "sys", "sysrq-trigger", "irq", "bus", "fs" };
	static const char *const masked[] = { "kcore", "keys", "timer_list", "sched_debug",
					      "latency_stats", "timer_stats" };
	char p[PATH_MAX + 32];
	for (size_t i = 0; i < ARRAY_SIZE(ro); i++) {
		snprintf(p, sizeof(p), "%s/%s", dst, ro[i]);
		if ((r = shield_ro(c, p)) < 0)
			return r;
	}
	for (size_t i = 0; i < ARRAY_SIZE(masked); i++) {
		snprintf(p, sizeof(p), "%s/%s", dst, masked[i]);
		if ((r = mask_file(c, p)) < 0)
			return r;
	}
	return 0;
}

/* The devices every program expects, bound from the host; no tty, no pts. */
static int do_dev(struct ctx *c, const struct mb_mount *m)
{
	char dst[PATH_MAX], p[PATH_MAX + 16];
	new_path(dst, sizeof(dst), m->path);
	int r = make_mountpoint(dst, true);
	if (r < 0)
		return fail(c, r, "mkdir", m->path);
	if (mount("tmpfs", dst, "tmpfs", MS_NOSUID | MS_NOEXEC | MS_NODEV, "mode=0755,size=64k") < 0)
		return fail(c, mb_neg_errno(), "mount tmpfs on", m->path);
	static const char *const devs[] = { "null", "zero", "full", "random", "urandom" };
	for (size_t i = 0; i < ARRAY_SIZE(devs); i++) {
		snprintf(p, sizeof(p), "/dev/%s", devs[i]);
		int fd = open_in_old(c, p);
		if (fd < 0)
			return fail(c, fd, "open host device", p);
		snprintf(p, sizeof(p), "%s/%s", dst, devs[i]);
		r = bind_fd(c, fd, p, false, MB_MOUNT_ATTR_NOSUID | MB_MOUNT_ATTR_NOEXEC);
		mb_close(fd);
		if (r < 0)
			return fail(c, r, "bind device", p + strlen(NEW));
	}
	static const char *const links[][2] = {
		{ "fd", "/proc/self/fd" },
		{ "stdin", "/proc/self/fd/0" },
		{ "stdout", "/proc/self/fd/1" },
		{ "stderr", "/proc/self/fd/2" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(links); i++) {
		snprintf(p, sizeof(p), "%s/%s", dst, links[i][0]);
		if (symlink(links[i][1], p) < 0)
			return fail(c, mb_neg_errno(), "symlink", p + strlen(NEW));
	}
	/* Nothing may be created in /dev; the devices are mounts of their own. */
	if (mount(NULL, dst, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NOEXEC | MS_NODEV,
		  NULL) < 0)
		return fail(c, mb_neg_errno(), "remount read-only", m->path);
	return 0;
}

/* A file of membrane's own: written on the scratch tmpfs (the current
 * root, detached at the end with the old one; the bind keeps the file),
 * then bound read-only at its path without following a symlink there: on
 * a host whose /etc/resolv.conf is a link into /run, the link itself is
 * covered. A path whose directory is a read-only bind lacking the file
 * cannot get a mountpoint: it is left without one (a missing resolv.conf
 * sends glibc to 127.0.0.1, where nothing answers for it). */
static int do_file(struct ctx *c, const struct mb_mount *m, unsigned n)
{
	char src[32], dst[PATH_MAX];
	snprintf(src, sizeof(src), "/file.%u", n);
	new_path(dst, sizeof(dst), m->path);
	int fd = open(src, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0444);
	if (fd < 0)
		return fail(c, mb_neg_errno(), "create", src);
	size_t len = strlen(m->content);
	ssize_t w = write(fd, m->content, len);
	mb_close(fd);
	if (w != (ssize_t)len)
		return fail(c, w < 0 ? mb_neg_errno() : -EIO, "write", src);
	fd = open(src, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return fail(c, mb_neg_errno(), "open", src);
	int r = bind_fd(c, fd, dst, false,
			MB_MOUNT_ATTR_RDONLY | MB_MOUNT_ATTR_NOSUID | MB_MOUNT_ATTR_NODEV |
				MB_MOUNT_ATTR_NOEXEC);
	mb_close(fd);
	if (r == -EROFS || r == -EACCES)
		return 0;
	return r < 0 ? fail(c, r, "bind membrane's own", m->path) : 0;
}

static int apply(struct ctx *c, bool *hidepid)
{
	for (size_t i_m = 0; i_m < c->plan->mounts.n; i_m++) {
		const __typeof__(*c->plan->mounts.v) *m = &c->plan->mounts.v[i_m];
		if (m->missing)
			continue;
		char dst[PATH_MAX];
		int r;
		switch (m->kind) {
		case MB_MOUNT_BIND_RO:
		case MB_MOUNT_BIND_RW:
			r = do_bind(c, m);
			break;
		case MB_MOUNT_TMPFS:
			new_path(dst, sizeof(dst), m->path);
			r = do_tmpfs(c, dst, m->exec, NULL);
			break;
		case MB_MOUNT_SYMLINK:
			r = do_symlink(c, m);
			break;
		case MB_MOUNT_PROC:
			r = do_proc(c, m, hidepid);
			break;
		case MB_MOUNT_DEV:
			r = do_dev(c, m);
			break;
		case MB_MOUNT_FILE:
			r = do_file(c, m, (unsigned)i_m);
			break;
		default:
			r = mb_error_set(c->err, -EINVAL, "unknown mount kind %d for %s", (int)m->kind,
					 m->path);
		}
		if (r < 0)
			return r;
	}
	return 0;
}

/* The plan's decoys (policy/decoy.h), written into the new tree once
 * every mount is in place: the plan put each in the skeleton or a private
 * tmpfs, never under a host path. Read-only for everyone: a touch is what
 * the supervisor watches for, not a change. */
static int plant_decoys(struct ctx *c)
{
	mb_vec_foreach(d, &c->plan->decoys) {
		char dst[PATH_MAX];
		new_path(dst, sizeof(dst), d->path);
		int r = mkdir_parents(dst, false);
		int fd = r < 0 ? r
			       : open(dst, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0444);
		if (fd < 0 && r == 0)
			r = mb_neg_errno();
		ssize_t n = r == 0 ? write(fd, d->content, d->len) : 0;
		if (r == 0 && n != (ssize_t)d->len)
			r = n < 0 ? mb_neg_errno() : -EIO;
		if (fd >= 0)
			mb_close(fd);
		if (r < 0)
			return mb_error_at(c->err, r, d->pos.file, d->pos.line, d->pos.column,
					   "plant decoy %s: %s", d->path, strerror(-r));
	}
	return 0;
}

int mb_mounts_setup(const struct mb_plan *plan, uid_t uid, gid_t gid,
		    struct mb_mount_result *res, struct mb_error *err)
{
	const char *knob = getenv(MB_TEST_NO_MOUNT_API_ENV);
	struct ctx c = {
		.plan = plan,
		.oldroot = -1,
		.new_api = !(knob && strcmp(knob, "1") == 0),
		.uid = uid,
		.gid = gid,
		.err = err,
	};
	/* Nothing we mount may propagate back to the host. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return mb_error_set(err, mb_neg_errno(), "make / private: %m");
	if (mount("tmpfs", BASE, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0755,size=64k") < 0)
		return mb_error_set(err, mb_neg_errno(), "mount tmpfs on " BASE ": %m");
	if (chdir(BASE) < 0 || mkdir("newroot", 0755) < 0 || mkdir("oldroot", 0755) < 0)
		return mb_error_set(err, mb_neg_errno(), "prepare " BASE ": %m");
	if (mount("tmpfs", "newroot", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0)
		return mb_error_set(err, mb_neg_errno(), "mount the new root's tmpfs: %m");
	if (syscall(SYS_pivot_root, ".", "oldroot") < 0)
		return mb_error_set(err, mb_neg_errno(), "pivot_root: %m");
	if (chdir("/") < 0)
		return mb_error_set(err, mb_neg_errno(), "chdir /: %m");
	c.oldroot = open(OLD, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (c.oldroot < 0)
		return mb_error_set(err, mb_neg_errno(), "open " OLD ": %m");

	bool hidepid = false;
	int r = apply(&c, &hidepid);
	if (r == 0)
		r = plant_decoys(&c);
	mb_close(c.oldroot);
	if (r < 0)
		return r;

	/* /newroot becomes "/"; the old root lands on top of it and is
	 * detached with everything beneath it, the host's root included. */
	if (chdir(NEW) < 0 || syscall(SYS_pivot_root, ".", ".") < 0)
		return mb_error_set(err, mb_neg_errno(), "pivot_root into the new root: %m");
	if (umount2(".", MNT_DETACH) < 0)
		return mb_error_set(err, mb_neg_errno(), "detach the old root: %m");
	if (chdir("/") < 0)
		return mb_error_set(err, mb_neg_errno(), "chdir /: %m");
	/* The skeleton itself is read-only: writes go only where granted. */
	if (mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) < 0)
		return mb_error_set(err, mb_neg_errno(), "remount / read-only: %m");
	res->proc_hidepid = hidepid;
	return 0;
}
