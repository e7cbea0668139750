/* Naming a path the way the kernel will resolve it for the target: against
 * the target's root (openat2 RESOLVE_IN_ROOT on /proc/PID/root), from its cwd
 * or dirfd (as its own /proc/PID/{cwd,fd/N} name them), following symlinks
 * (and /proc's magic links) as the call would. The result is absolute,
 * normalised and canonical as the sandbox sees it.
 *
 * Why the names are right: the sandbox's root is the root of its mount
 * namespace (pivot_root), so readlink(2) of a /proc link or of our own O_PATH
 * fd to one of its files (d_path) gives the path from that root, which is the
 * path the server itself would use. Checked on this kernel: a process that
 * pivot_root'ed into a tmpfs shows /proc/PID/cwd as "/srv/mcp", not as a host
 * path. In the tests without namespaces the two roots are the same.
 *
 * Four steps, cheapest first:
 *  1. openat2(root, path, RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS): no symlink
 *     on the way, so the lexical normalisation is the canonical name (one
 *     openat2 and one close: the common case).
 *  2. On ELOOP, openat2 with RESOLVE_NO_MAGICLINKS, then readlink of the fd.
 *  3. When that says ENOENT (a missing component behind a symlink), name
 *     the deepest directory that is there (resolve_missing).
 *  4. Otherwise (a dangling symlink, "..", /proc/self, a magic link), walk
 *     component by component:
 *     symlinks are read and spliced in, /proc/self and /proc/thread-self are
 *     replaced by the target's own ids in its pid namespace (from us, "self"
 *     would name the supervisor), and magic links (/proc/PID/fd/N, cwd, root,
 *     exe) are replaced by the object they point to: a path, or a pipe,
 *     socket, memfd or deleted file.
 *
 * Every step uses O_PATH: nothing is opened for reading, no device is
 * touched, no automount is triggered beyond what a stat would. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/kernel-compat.h"
#include "policy/match.h"
#include "supervisor/notify/notify-internal.h"

#define MAX_LINKS 40 /* the kernel's MAXSYMLINKS */
#define DELETED_SUFFIX " (deleted)"

struct rctx {
	struct mb_notifier *n;
	int root;           /* paths resolve beneath this, RESOLVE_IN_ROOT */
	const char *prefix; /* root's own name in the sandbox; "" for its root */
	size_t prefix_len;
	bool proc;          /* /proc under root is the sandbox's procfs */
	bool follow, creates;
	struct mb_notified_target *t;
	char *out;
	size_t outsz;
};

static int sys_openat2(int dirfd, const char *path, uint64_t flags, uint64_t resolve)
{
	struct open_how how = { .flags = flags, .resolve = resolve };
	return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
}

static bool has_deleted_suffix(const char *s, size_t len)
{
	size_t sl = sizeof(DELETED_SUFFIX) - 1;
	return len > sl && memcmp(s + len - sl, DELETED_SUFFIX, sl) == 0;
}

static bool is_proc_path(const char *p)
{
	return strncmp(p, "/proc", 5) == 0 && (p[5] == '\0' || p[5] == '/');
}

/* readlink into buf, NUL-terminated; the length or -errno. */
static int readlink_into(int dirfd, const char *path, char *buf, size_t bufsz)
{
	ssize_t len = readlinkat(dirfd, path, buf, bufsz - 1);
	if (len < 0)
		return -errno;
	if ((size_t)len >= bufsz - 1)
		return -ENAMETOOLONG;
	buf[len] = '\0';
	return (int)len;
}

/* The name of the object our fd refers to (d_path). */
static int fd_path(int fd, char *buf, size_t bufsz)
{
	char p[32];
	snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
	return readlink_into(AT_FDCWD, p, buf, bufsz);
}

/* /proc/PID/cwd or /proc/PID/fd/N of the target. */
static void target_link_path(const struct mb_notifier *n, int dirfd, char *buf, size_t bufsz)
{
	if (dirfd == AT_FDCWD)
		snprintf(buf, bufsz, "/proc/%d/cwd", (int)n->pid);
	else
		snprintf(buf, bufsz, "/proc/%d/fd/%d", (int)n->pid, dirfd);
}

static int get_root(struct mb_notifier *n)
{
	if (n->root >= 0)
		return n->root;
	if (n->fixed_root >= 0 || n->kept_root >= 0) {
		n->root = n->fixed_root >= 0 ? n->fixed_root : n->kept_root;
		n->root_owned = false;
		return n->root;
	}
	char p[48];
	snprintf(p, sizeof(p), "/proc/%d/root", (int)n->pid);
	int fd = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n->root = fd;
	if (n->one_root) {
		n->kept_root = fd;
		n->root_owned = false;
	} else {
		n->root_owned = true;
	}
	return fd;
}

void mb_resolve_reset(struct mb_notifier *n)
{
	if (n->root_owned)
		mb_close(n->root);
	n->root = -1;
	n->root_owned = false;
	n->nstgid = n->nspid = 0;
}

/* The target's thread-group and thread ids in its own pid namespace: what
 * /proc/self and /proc/thread-self mean to it. */
static int last_field(const char *status, const char *key)
{
	const char *p = strstr(status, key);
	if (!p)
		return -1;
	p += strlen(key);
	const char *eol = strchr(p, '\n');
	if (!eol)
		eol = p + strlen(p);
	const char *last = NULL;
	for (const char *q = p; q < eol; q++)
		if ((*q >= '0' && *q <= '9') && (q == p || q[-1] == ' ' || q[-1] == '\t'))
			last = q;
	return last ? atoi(last) : -1;
}

static int ns_ids(struct mb_notifier *n)
{
	if (n->nstgid > 0)
		return 0;
	char p[48];
	snprintf(p, sizeof(p), "/proc/%d/status", (int)n->pid);
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t len = read(fd, n->status, sizeof(n->status) - 1);
	int e = errno;
	mb_close(fd);
	if (len <= 0)
		return len < 0 ? -e : -EIO;
	n->status[len] = '\0';
	int tgid = last_field(n->status, "\nNStgid:");
	int pid = last_field(n->status, "\nNSpid:");
	if (tgid <= 0) /* before 4.1: no namespaces shown, so none nested */
		tgid = last_field(n->status, "\nTgid:");
	if (pid <= 0)
		pid = last_field(n->status, "\nPid:");
	if (tgid <= 0 || pid <= 0)
		return -EIO;
	n->nstgid = tgid;
	n->nspid = pid;
	return 0;
}

/* ---- results ---------------------------------------------------------- */

/* out = prefix + rel (rel absolute), normalised. */
static int set_out(struct rctx *c, const char *rel)
{
	if (c->prefix_len + 2 > c->outsz)
		return -ENAMETOOLONG;
	memcpy(c->out, c->prefix, c->prefix_len);
	int r = mb_path_normalize(rel, c->out + c->prefix_len, c->outsz - c->prefix_len);
	if (r < 0)
		return r;
	if (c->prefix_len > 0 && r == 1) /* rel was "/": the root itself */
		c->out[c->prefix_len] = '\0';
	return 0;
}

/* rel + "/" + tail, lexically (a name for something that does not exist). */
static void set_out_lexical(struct rctx *c, const char *rel, const char *tail)
{
	char *j = c->n->join;
	int len = snprintf(j, MB_LONG_MAX, "%s/%s", rel, tail);
	if (len < 0 || len >= MB_LONG_MAX || set_out(c, j) < 0)
		snprintf(c->out, c->outsz, "%s", rel);
}

static int unknown(struct rctx *c, int error)
{
	c->t->presence = MB_PRESENT_UNKNOWN;
	c->t->resolve_error = error;
	return MB_DECODED;
}

static bool host_exists(const char *path)
{
	struct stat st;
	return fstatat(AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/* c->out names something absent from the sandbox. */
static int classify_absent(struct rctx *c, bool parent_in_sandbox)
{
	struct mb_notified_target *t = c->t;
	if (c->creates && parent_in_sandbox) {
		t->presence = MB_PRESENT_NEW;
		return MB_DECODED;
	}
	if (host_exists(c->out)) {
		t->presence = MB_PRESENT_HOST;
		return MB_DECODED;
	}
	if (c->creates) {
		/* Creating a file in a host directory the sandbox does not show
		 * is an attempt on that directory. */
		char *slash = strrchr(c->out, '/');
		if (slash && slash != c->out) {
			*slash = '\0';
			bool parent = host_exists(c->out);
			*slash = '/';
			if (parent) {
				t->presence = MB_PRESENT_HOST;
				return MB_DECODED;
			}
		}
	}
	t->presence = MB_PRESENT_NONE;
	return MB_DECODED;
}

/* An object reached through a fd: a path, or something without one. */
static int describe_object(struct rctx *c, int obj)
{
	struct mb_notified_target *t = c->t;
	struct stat st;
	if (fstat(obj, &st) < 0)
		return unknown(c, mb_neg_errno());
	int len = fd_path(obj, c->out, c->outsz);
	if (len < 0)
		return unknown(c, len);
	t->presence = MB_PRESENT;
	if (c->out[0] != '/') { /* "pipe:[123]", "socket:[7]", "anon_inode:[eventfd]" */
		t->kind = MB_TARGET_ANON;
		return MB_DECODED;
	}
	if (st.st_nlink == 0 && !S_ISDIR(st.st_mode) && has_deleted_suffix(c->out, (size_t)len)) {
		c->out[len - (sizeof(DELETED_SUFFIX) - 1)] = '\0';
		if (strncmp(c->out, "/memfd:", 7) == 0) {
			t->kind = MB_TARGET_MEMFD;
			memmove(c->out, c->out + 1, strlen(c->out)); /* "memfd:NAME" */
		} else {
			t->kind = MB_TARGET_DELETED;
		}
		return MB_DECODED;
	}
	int r = mb_path_normalize(c->out, c->out, c->outsz);
	if (r < 0)
		return unknown(c, r);
	return MB_DECODED;
}

/* ---- the walker --------------------------------------------------------- */

/* rest = text + "/" + rest[rp..], in the other buffer. */
static int splice_text(struct rctx *c, char **rest, size_t *rp, int *ri, const char *text)
{
	struct mb_notifier *n = c->n;
	char *other = n->wrest[!*ri];
	int len = snprintf(other, MB_LONG_MAX, "%s/%s", text, *rest + *rp);
	if (len < 0 || len >= MB_LONG_MAX)
		return -ENAMETOOLONG;
	*ri = !*ri;
	*rest = other;
	*rp = 0;
	return 0;
}

static int walk(struct rctx *c, const char *path)
{
	struct mb_notifier *n = c->n;
	struct mb_notified_target *t = c->t;
	char *cur = n->wcur;
	size_t cl = 0;
	int ri = 0, links = 0;
	char *rest = n->wrest[ri];
	size_t rp = 0;

	cur[0] = '\0';
	if (snprintf(rest, MB_LONG_MAX, "%s", path) >= MB_LONG_MAX)
		return unknown(c, -ENAMETOOLONG);

	for (;;) {
		while (rest[rp] == '/')
			rp++;
		if (rest[rp] == '\0')
			break;
		const char *comp = rest + rp;
		size_t clen = strcspn(comp, "/");
		rp += clen;
		size_t after = rp;
		while (rest[after] == '/')
			after++;
		bool last = rest[after] == '\0';
		bool trailing_slash = last && after > rp;

		if (clen == 1 && comp[0] == '.')
			continue;
		if (clen == 2 && comp[0] == '.' && comp[1] == '.') {
			/* cur has no symlink in it: its parent is lexical */
			while (cl > 0 && cur[cl - 1] != '/')
				cl--;
			if (cl > 0)
				cl--;
			cur[cl] = '\0';
			continue;
		}
		if (cl + clen + 2 > MB_LONG_MAX)
			return unknown(c, -ENAMETOOLONG);
		size_t parent_len = cl;
		cur[cl] = '/';
		memcpy(cur + cl + 1, comp, clen);
		size_t nl = cl + 1 + clen;
		cur[nl] = '\0';

		if (c->proc && parent_len == 5 && memcmp(cur, "/proc", 5) == 0 &&
		    ((clen == 4 && memcmp(comp, "self", 4) == 0) ||
		     (clen == 11 && memcmp(comp, "thread-self", 11) == 0))) {
			bool thread = clen == 11;
			int r = ns_ids(n);
			if (r < 0)
				return r == -ENOENT || r == -ESRCH ? MB_VANISHED : unknown(c, r);
			char ids[48];
			if (thread)
				snprintf(ids, sizeof(ids), "%d/task/%d", n->nstgid, n->nspid);
			else
				snprintf(ids, sizeof(ids), "%d", n->nstgid);
			cl = parent_len;
			cur[cl] = '\0';
			if (++links > MAX_LINKS)
				goto too_many_links;
			r = splice_text(c, &rest, &rp, &ri, ids);
			if (r < 0)
				return unknown(c, r);
			continue;
		}

		bool follow = !last || c->follow || trailing_slash;
		int fd = sys_openat2(c->root, cur, O_PATH | O_NOFOLLOW | O_CLOEXEC,
				     RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS);
		if (fd < 0) {
			int e = errno;
			if (e == ENOENT && last) {
				if (set_out(c, cur) < 0)
					return unknown(c, -ENAMETOOLONG);
				return classify_absent(c, true);
			}
			set_out_lexical(c, cur, rest + rp);
			if (e == ENOENT)
				return classify_absent(c, false);
			if (e == ENOTDIR) {
				t->presence = MB_PRESENT_NONE;
				return MB_DECODED;
			}
			return unknown(c, -e);
		}
		struct stat st;
		if (fstat(fd, &st) < 0) {
			int e = errno;
			mb_close(fd);
			return unknown(c, -e);
		}
		if (!S_ISLNK(st.st_mode) || !follow) {
			mb_close(fd);
			cl = nl;
			continue;
		}
		int len = readlink_into(fd, "", n->link, sizeof(n->link));
		if (len < 0) {
			mb_close(fd);
			return unknown(c, len);
		}
		if (++links > MAX_LINKS) {
			mb_close(fd);
			goto too_many_links;
		}
		bool in_proc = c->proc && strncmp(cur, "/proc/", 6) == 0;
		/* Under /proc, a link whose text has a ':' names an object, not a
		 * path ("pipe:[12]", "anon_inode:inotify", "net:[4026531840]");
		 * the plain ones are "self/mounts" or "1234/task/1234". */
		if (in_proc && (n->link[0] != '/' ? strchr(n->link, ':') != NULL
						   : has_deleted_suffix(n->link, (size_t)len))) {
			/* A magic link to a pipe, socket, memfd or deleted file:
			 * look at the object itself. Every component of cur before
			 * the link is no symlink, so openat follows just the link. */
			int obj = openat(c->root, cur + 1, O_PATH | O_CLOEXEC);
			mb_close(fd);
			if (obj < 0)
				return unknown(c, mb_neg_errno());
			int r = describe_object(c, obj);
			mb_close(obj);
			if (r != MB_DECODED || t->presence == MB_PRESENT_UNKNOWN)
				return r;
			if (t->kind != MB_TARGET_PATH) {
				if (!last) { /* nothing lies beneath a pipe or a memfd */
					t->kind = MB_TARGET_PATH;
					t->presence = MB_PRESENT_NONE;
					set_out_lexical(c, cur, rest + rp);
				}
				return MB_DECODED;
			}
			/* A live file whose name ends in " (deleted)": go on from it. */
			snprintf(n->link, sizeof(n->link), "%s", c->out);
		} else {
			mb_close(fd);
		}
		if (n->link[0] == '/') {
			cl = 0;
		} else {
			cl = parent_len;
		}
		cur[cl] = '\0';
		int r = splice_text(c, &rest, &rp, &ri, n->link);
		if (r < 0)
			return unknown(c, r);
	}

	if (set_out(c, cl ? cur : "/") < 0)
		return unknown(c, -ENAMETOOLONG);
	t->presence = MB_PRESENT;
	return MB_DECODED;

too_many_links:
	/* The kernel will say ELOOP. */
	t->presence = MB_PRESENT_NONE;
	return MB_DECODED;
}

/* ---- the fast paths ----------------------------------------------------- */

/* Is the directory of rel (normalised, beneath c->root) there? 1, 0 (it is
 * absent), or -errno. */
static int parent_present(struct rctx *c, const char *rel)
{
	const char *slash = strrchr(rel, '/');
	if (!slash || slash == rel)
		return 1; /* the root */
	char *p = c->n->link;
	size_t len = (size_t)(slash - rel);
	memcpy(p, rel, len);
	p[len] = '\0';
	int fd = sys_openat2(c->root, p, O_PATH | O_DIRECTORY | O_CLOEXEC,
			     RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS);
	if (fd >= 0) {
		mb_close(fd);
		return 1;
	}
	return errno == ENOENT ? 0 : -errno;
}

static bool has_dotdot(const char *p)
{
	for (const char *s = strstr(p, ".."); s; s = strstr(s + 2, ".."))
		if ((s == p || s[-1] == '/') && (s[2] == '\0' || s[2] == '/'))
			return true;
	return false;
}

/* Absent behind a symlink (ELOOP without symlinks, ENOENT with them), as
 * when ld.so probes /lib/x86_64-linux-gnu/glibc-hwcaps/...: the kernel
 * names the deepest directory that is there, and what follows it is
 * missing, so its lexical name is the one the call uses. Three or four
 * system calls where the walker spends three per component. The walker
 * stays the answer for "..", which a symlink makes non-lexical, and for a
 * missing component that is itself a dangling symlink (O_CREAT follows it). */
static int resolve_missing(struct rctx *c, const char *path)
{
	struct mb_notifier *n = c->n;
	const char *rel = c->out + c->prefix_len; /* lexical, normalised */
	size_t cut = strlen(rel);
	if (has_dotdot(path) || cut >= sizeof(n->wcur))
		return walk(c, path);
	char *dir = n->wcur;
	memcpy(dir, rel, cut + 1);
	int fd;
	for (;;) {
		while (cut > 0 && dir[cut] != '/')
			cut--;
		if (cut == 0)
			return walk(c, path);
		dir[cut] = '\0';
		fd = sys_openat2(c->root, dir, O_PATH | O_DIRECTORY | O_CLOEXEC,
				 RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
		if (fd >= 0)
			break;
		if (errno != ENOENT)
			return walk(c, path);
	}
	const char *tail = rel + cut + 1;
	size_t first = strcspn(tail, "/");
	bool last = tail[first] == '\0';
	struct stat st;
	if (first >= sizeof(n->link)) {
		mb_close(fd);
		return walk(c, path);
	}
	memcpy(n->link, tail, first);
	n->link[first] = '\0';
	int e = fstatat(fd, n->link, &st, AT_SYMLINK_NOFOLLOW) < 0 ? errno : 0;
	int len = e == ENOENT ? fd_path(fd, n->link, sizeof(n->link)) : -1;
	mb_close(fd);
	if (len <= 0 || n->link[0] != '/' || has_deleted_suffix(n->link, (size_t)len) ||
	    (c->proc && is_proc_path(n->link)))
		return walk(c, path);
	char *full = n->wrest[0];
	int fl = snprintf(full, MB_LONG_MAX, "%s/%s", n->link, tail);
	if (fl < 0 || fl >= MB_LONG_MAX || mb_path_normalize(full, c->out, c->outsz) <= 0)
		return walk(c, path);
	return classify_absent(c, last);
}

/* path: absolute, beneath c->root. */
static int resolve_abs(struct rctx *c, const char *path)
{
	struct mb_notifier *n = c->n;
	struct mb_notified_target *t = c->t;

	/* The lexical name: the answer when no symlink is on the way, and the
	 * name of last resort. */
	int r = set_out(c, path);
	if (r < 0) {
		snprintf(c->out, c->outsz, "%s", path);
		return unknown(c, r);
	}
	if (c->proc && is_proc_path(c->out))
		return walk(c, path);

	uint64_t nofollow = c->follow ? 0 : O_NOFOLLOW;
	int fd = sys_openat2(c->root, path, O_PATH | O_CLOEXEC | nofollow,
			     RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS);
	if (fd >= 0) {
		mb_close(fd);
		t->presence = MB_PRESENT;
		return MB_DECODED;
	}
	switch (errno) {
	case ENOENT: {
		/* Nothing before the missing component was a symlink. */
		if (!c->creates)
			return classify_absent(c, false);
		int pp = parent_present(c, c->out + c->prefix_len);
		if (pp >= 0)
			return classify_absent(c, pp == 1);
		if (pp == -ENOTDIR) {
			t->presence = MB_PRESENT_NONE;
			return MB_DECODED;
		}
		return walk(c, path);
	}
	case ENOTDIR:
		t->presence = MB_PRESENT_NONE;
		return MB_DECODED;
	case ELOOP:
		break;
	case ENAMETOOLONG:
	case EACCES:
		return unknown(c, -errno);
	default:
		return walk(c, path);
	}

	fd = sys_openat2(c->root, path, O_PATH | O_CLOEXEC | nofollow,
			 RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
	if (fd >= 0) {
		int len = fd_path(fd, n->link, sizeof(n->link));
		mb_close(fd);
		if (len > 0 && n->link[0] == '/' && !has_deleted_suffix(n->link, (size_t)len) &&
		    !(c->proc && is_proc_path(n->link)) &&
		    mb_path_normalize(n->link, c->out, c->outsz) > 0) {
			t->presence = MB_PRESENT;
			return MB_DECODED;
		}
	} else if (errno == ENOENT) {
		return resolve_missing(c, path);
	}
	return walk(c, path);
}

int mb_resolve(struct mb_notifier *n, const struct mb_resolve_req *rq, char *out, size_t outsz,
	       struct mb_notified_target *t)
{
	t->kind = MB_TARGET_PATH;
	t->presence = MB_PRESENT;
	t->resolve_error = 0;
	t->path = out;
	t->raw = rq->raw;
	out[0] = '\0';

	int root = get_root(n);
	if (root < 0)
		return MB_VANISHED;
	struct rctx c = {
		.n = n, .root = root, .prefix = "", .prefix_len = 0, .proc = true,
		.follow = rq->follow, .creates = rq->creates, .t = t, .out = out, .outsz = outsz,
	};

	char link[48];
	if (rq->empty_path || rq->in_root) {
		/* The object the dirfd (or cwd) refers to, following the magic link. */
		target_link_path(n, rq->dirfd, link, sizeof(link));
		int obj = open(link, O_PATH | O_CLOEXEC);
		if (obj < 0)
			return errno == ENOENT ? MB_KERNEL_ANSWERS : MB_VANISHED;
		int r;
		if (rq->empty_path) {
			r = describe_object(&c, obj);
		} else {
			/* RESOLVE_IN_ROOT: beneath the dirfd, which acts as "/". */
			int len = fd_path(obj, n->base, sizeof(n->base));
			if (len <= 0 || n->base[0] != '/') {
				mb_close(obj);
				return MB_KERNEL_ANSWERS; /* not a directory */
			}
			c.root = obj;
			c.prefix = strcmp(n->base, "/") == 0 ? "" : n->base;
			c.prefix_len = strlen(c.prefix);
			c.proc = c.prefix_len == 0;
			int jl = snprintf(n->join, sizeof(n->join), "/%s", rq->raw);
			r = jl < (int)sizeof(n->join) ? resolve_abs(&c, n->join) : unknown(&c, -ENAMETOOLONG);
		}
		mb_close(obj);
		return r;
	}

	if (rq->raw[0] == '/')
		return resolve_abs(&c, rq->raw);

	/* Relative: to the cwd or the dirfd, named by the target's own links. */
	target_link_path(n, rq->dirfd, link, sizeof(link));
	int len = readlink_into(AT_FDCWD, link, n->base, sizeof(n->base));
	if (len == -ENOENT)
		return MB_KERNEL_ANSWERS; /* no such fd: EBADF (or the target is gone) */
	if (len < 0)
		return len == -ESRCH ? MB_VANISHED : unknown(&c, len);
	if (n->base[0] != '/')
		return MB_KERNEL_ANSWERS; /* a pipe or socket as dirfd: ENOTDIR */
	if (has_deleted_suffix(n->base, (size_t)len)) {
		/* A removed directory: lookups in it fail, but ".." still
		 * leads out; its last name is the best base there is. */
		struct stat st;
		if (stat(link, &st) == 0 && st.st_nlink == 0)
			n->base[len - (sizeof(DELETED_SUFFIX) - 1)] = '\0';
	}
	int jl = snprintf(n->join, sizeof(n->join), "%s/%s", n->base, rq->raw);
	if (jl >= (int)sizeof(n->join)) {
		snprintf(out, outsz, "%s", rq->raw);
		return unknown(&c, -ENAMETOOLONG);
	}
	return resolve_abs(&c, n->join);
}
