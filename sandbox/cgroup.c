/* SPDX-License-Identifier: Apache-2.0 */
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/macros.h"
#include "sandbox/cgroup.h"

/* The files read here are small; a longer mountinfo (thousands of
 * mounts) is cut, which can only hide a cgroup, never invent one. */
#define READ_MAX (256u * 1024u)

/* Why no cgroup, cut to fit (a long path is not worth failing for). */
_printf_(3, 4) static void say(char *why, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	(void)vsnprintf(why, n, fmt, ap);
	va_end(ap);
}

static char *read_text(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	char *buf = malloc(READ_MAX + 1);
	size_t n = 0;
	while (buf && n < READ_MAX) {
		ssize_t k = read(fd, buf + n, READ_MAX - n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		n += (size_t)k;
	}
	mb_close(fd);
	if (buf)
		buf[n] = '\0';
	return buf;
}

static int write_text(const char *dir, const char *file, const char *text)
{
	char path[PATH_MAX];
	if (snprintf(path, sizeof(path), "%s/%s", dir, file) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return mb_neg_errno();
	ssize_t n = write(fd, text, strlen(text));
	int r = n < 0 ? mb_neg_errno() : (size_t)n == strlen(text) ? 0 : -EIO;
	mb_close(fd);
	return r;
}

/* Is word one of the words of list (separated by sep or blanks)? */
static bool has_word(const char *list, const char *word, char sep)
{
	size_t n = strlen(word);
	for (const char *p = list; p && *p;) {
		size_t k = strcspn(p, sep == ' ' ? " \t\n" : ",\n");
		if (k == n && strncmp(p, word, n) == 0)
			return true;
		p += k;
		p += *p != '\0';
	}
	return false;
}

int mb_cgroup_own_path(const char *text, const char *controller, char **ret)
{
	/* id:controllers:path, one line per hierarchy. */
	for (const char *line = text; line && *line; line = strchr(line, '\n'), line += !!line) {
		const char *c1 = strchr(line, ':'), *end = strchrnul(line, '\n');
		const char *c2 = c1 && c1 < end ? strchr(c1 + 1, ':') : NULL;
		if (!c2 || c2 > end)
			continue;
		char ctrl[256];
		size_t n = MB_MIN((size_t)(c2 - c1 - 1), sizeof(ctrl) - 1);
		memcpy(ctrl, c1 + 1, n);
		ctrl[n] = '\0';
		bool match = controller ? has_word(ctrl, controller, ',')
					: (n == 0 && strncmp(line, "0:", 2) == 0);
		if (!match)
			continue;
		*ret = strndup(c2 + 1, (size_t)(end - c2 - 1));
		return *ret ? 0 : -ENOMEM;
	}
	return -ENOENT;
}

int mb_cgroup_mount_point(const char *text, const char *controller, char **ret)
{
	/* id parent major:minor root mountpoint options [fields] - type source
	 * superoptions */
	for (const char *line = text; line && *line; line = strchr(line, '\n'), line += !!line) {
		const char *end = strchrnul(line, '\n');
		const char *dash = strstr(line, " - ");
		if (!dash || dash > end)
			continue;
		char type[32], super[512], mnt[PATH_MAX];
		if (sscanf(dash, " - %31s %*s %511s", type, super) != 2 ||
		    sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1)
			continue;
		bool match = controller ? strcmp(type, "cgroup") == 0 && has_word(super, controller, ',')
					: strcmp(type, "cgroup2") == 0;
		/* Octal escapes (\040) in a mount point: not ours to guess. */
		if (!match || strchr(mnt, '\\'))
			continue;
		*ret = strdup(mnt);
		return *ret ? 0 : -ENOMEM;
	}
	return -ENOENT;
}

/* mnt joined with the cgroup path that /proc/self/cgroup gives for
 * controller; NULL with why when there is none we can use. */
static char *own_dir(const char *mounts, const char *cgroups, const char *controller,
		     const char *name, char *why, size_t whylen)
{
	_cleanup_free_ char *mnt = NULL, *path = NULL;
	if (mb_cgroup_mount_point(mounts, controller, &mnt) < 0) {
		say(why, whylen, "no %s is mounted", name);
		return NULL;
	}
	if (mb_cgroup_own_path(cgroups, controller, &path) < 0 || path[0] != '/' ||
	    strstr(path, "/..")) {
		say(why, whylen, "membrane-run's place in %s is not visible", name);
		return NULL;
	}
	char *dir = NULL;
	if (asprintf(&dir, "%s%s", mnt, strcmp(path, "/") == 0 ? "" : path) < 0)
		return NULL;
	return dir;
}

/* Does the cgroup at dir hold membrane-run alone (so that it may move
 * itself into a leaf without moving anyone else)? */
static bool holds_us_alone(const char *dir)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	_cleanup_free_ char *procs = read_text(path);
	char self[32];
	snprintf(self, sizeof(self), "%d\n", (int)getpid());
	return procs && strcmp(procs, self) == 0;
}

/* cgroup v2 for root, whose own cgroup is shared (a login session's scope):
 * a cgroup "membrane" of its own below the root, as container runtimes
 * that manage cgroups themselves do. NULL when the root cgroup does not
 * give its children memory. */
static char *v2_top(const char *mounts, bool act)
{
	_cleanup_free_ char *mnt = NULL;
	if (mb_cgroup_mount_point(mounts, NULL, &mnt) < 0)
		return NULL;
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", mnt);
	_cleanup_free_ char *sub = read_text(path);
	if (!sub || !has_word(sub, "memory", ' '))
		return NULL;
	char *top = NULL;
	if (asprintf(&top, "%s/membrane", mnt) < 0)
		return NULL;
	if (!act)
		return top;
	/* It holds no process: its children may have the controller. */
	if ((mkdir(top, 0755) < 0 && errno != EEXIST) ||
	    write_text(top, "cgroup.subtree_control", "+memory") < 0) {
		free(top);
		return NULL;
	}
	return top;
}

/* cgroup v2, in membrane-run's own cgroup dir: the directory under which
 * the sandbox's leaf can go, or NULL with why. act: also move membrane-run
 * into its own leaf and enable the memory controller where that is what it
 * takes. */
static char *v2_own(char *dir, bool act, char *why, size_t n)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/cgroup.controllers", dir);
	_cleanup_free_ char *ctl = read_text(path);
	if (!ctl || !has_word(ctl, "memory", ' ')) {
		say(why, n,
		    "cgroup v2 offers no memory controller to membrane-run's cgroup %s (it is "
		    "bound to cgroup v1, or not enabled above)",
		    dir);
		return NULL;
	}
	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", dir);
	_cleanup_free_ char *sub = read_text(path);
	if (sub && has_word(sub, "memory", ' ') && access(dir, W_OK) == 0)
		return dir;
	/* Delegated to us: writable, and ours alone. */
	if (access(dir, W_OK) < 0 || access(path, W_OK) < 0 || !holds_us_alone(dir)) {
		say(why, n,
		    "membrane-run's cgroup %s is not delegated to it (writable and holding "
		    "membrane-run alone; e.g. systemd-run --scope -p Delegate=yes)",
		    dir);
		return NULL;
	}
	if (!act)
		return dir;
	/* No process may sit in a cgroup whose children get a controller. */
	char sup[PATH_MAX], pid[32];
	snprintf(sup, sizeof(sup), "%s/supervisor", dir);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	int r = mkdir(sup, 0755) < 0 && errno != EEXIST ? mb_neg_errno() : 0;
	if (r == 0)
		r = write_text(sup, "cgroup.procs", pid);
	if (r < 0) {
		say(why, n, "cannot move membrane-run into %s: %s", sup, strerror(-r));
		return NULL;
	}
	r = write_text(dir, "cgroup.subtree_control", "+memory");
	if (r < 0) {
		(void)write_text(dir, "cgroup.procs", pid);
		(void)rmdir(sup);
		say(why, n, "cannot enable the memory controller in %s: %s", dir, strerror(-r));
		return NULL;
	}
	return dir;
}

/* cgroup v2: membrane-run's own cgroup, or for root a cgroup of its own
 * below the root; NULL with why. */
static char *v2_parent(const char *mounts, const char *cgroups, bool act, char *why, size_t n)
{
	char *dir = own_dir(mounts, cgroups, NULL, "cgroup v2", why, n);
	if (dir && v2_own(dir, act, why, n))
		return dir;
	free(dir);
	char *top = geteuid() == 0 ? v2_top(mounts, act) : NULL;
	if (!top && geteuid() == 0)
		say(why + strlen(why), n - strlen(why),
		    ", nor does the root cgroup give its children memory");
	return top;
}

/* cgroup v1: membrane-run's memory cgroup, if we may make children there. */
static char *v1_parent(const char *mounts, const char *cgroups, char *why, size_t n)
{
	_cleanup_free_ char *dir = own_dir(mounts, cgroups, "memory", "cgroup v1 memory hierarchy",
					   why, n);
	if (dir && access(dir, W_OK) < 0) {
		say(why, n, "the cgroup v1 memory hierarchy (%s) is not writable by uid %u", dir,
		    (unsigned)geteuid());
		return NULL;
	}
	return TAKE_PTR(dir);
}

/* Where the leaf goes and which backend, or MB_MEMORY_RLIMIT and why. */
static enum mb_memory_by choose(bool act, char **ret_parent, char *why, size_t n)
{
	_cleanup_free_ char *mounts = read_text("/proc/self/mountinfo");
	_cleanup_free_ char *cgroups = read_text("/proc/self/cgroup");
	*ret_parent = NULL;
	if (!mounts || !cgroups) {
		say(why, n, "cannot read /proc/self/mountinfo or /proc/self/cgroup");
		return MB_MEMORY_RLIMIT;
	}
	char why2[MB_MEMORY_WHY_MAX / 2], why1[MB_MEMORY_WHY_MAX / 2];
	if ((*ret_parent = v2_parent(mounts, cgroups, act, why2, sizeof(why2))))
		return MB_MEMORY_CGROUP2;
	if ((*ret_parent = v1_parent(mounts, cgroups, why1, sizeof(why1))))
		return MB_MEMORY_CGROUP1;
	say(why, n, "%s; %s", why2, why1);
	return MB_MEMORY_RLIMIT;
}

void mb_cgroup_probe(struct mb_cgroup *ret)
{
	*ret = (struct mb_cgroup){ 0 };
	_cleanup_free_ char *parent = NULL;
	ret->by = choose(false, &parent, ret->why, sizeof(ret->why));
}

int mb_cgroup_create(uint64_t limit, struct mb_cgroup *ret, struct mb_error *err)
{
	*ret = (struct mb_cgroup){ 0 };
	_cleanup_free_ char *parent = NULL;
	ret->by = choose(true, &parent, ret->why, sizeof(ret->why));
	if (ret->by == MB_MEMORY_RLIMIT)
		return 0;
	char leaf[PATH_MAX], bytes[32];
	snprintf(leaf, sizeof(leaf), "%s/membrane-%d", parent, (int)getpid());
	snprintf(bytes, sizeof(bytes), "%llu", (unsigned long long)limit);
	if (mkdir(leaf, 0755) < 0 && errno != EEXIST)
		return mb_error_set(err, mb_neg_errno(), "cgroup: mkdir %s: %m", leaf);
	ret->leaf = strdup(leaf);
	if (!ret->leaf) {
		(void)rmdir(leaf);
		return mb_error_set(err, -ENOMEM, "out of memory");
	}
	/* The limit counts swap too: what is swapped out is memory used. A
	 * kernel without swap accounting has no such file (ENOENT). */
	bool v2 = ret->by == MB_MEMORY_CGROUP2;
	int r = write_text(leaf, v2 ? "memory.max" : "memory.limit_in_bytes", bytes);
	if (r == 0) {
		int s = v2 ? write_text(leaf, "memory.swap.max", "0")
			   : write_text(leaf, "memory.memsw.limit_in_bytes", bytes);
		r = s == -ENOENT ? 0 : s;
	}
	if (r < 0) {
		mb_error_set(err, r, "cgroup: setting the memory limit of %s: %s", leaf, strerror(-r));
		mb_cgroup_remove(ret);
		return r;
	}
	return 0;
}

int mb_cgroup_open_join(const struct mb_cgroup *cg, int *ret_fd, struct mb_error *err)
{
	*ret_fd = -1;
	if (!cg->leaf || cg->by != MB_MEMORY_CGROUP1)
		return 0;
	char path[PATH_MAX];
	if (snprintf(path, sizeof(path), "%s/tasks", cg->leaf) >= (int)sizeof(path))
		return mb_error_set(err, -ENAMETOOLONG, "cgroup: %s/tasks: name too long", cg->leaf);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return mb_error_set(err, mb_neg_errno(), "cgroup: opening %s: %m", path);
	*ret_fd = fd;
	return 0;
}

int mb_cgroup_join(int fd)
{
	/* "0": the writer itself, and only this thread (tasks, not
	 * cgroup.procs): the kernel's path that skips the global lock. */
	ssize_t n = write(fd, "0", 1);
	return n == 1 ? 0 : n < 0 ? mb_neg_errno() : -EIO;
}

int mb_cgroup_attach(const struct mb_cgroup *cg, pid_t pid, struct mb_error *err)
{
	if (!cg->leaf)
		return 0;
	char text[32];
	snprintf(text, sizeof(text), "%d", (int)pid);
	int r = write_text(cg->leaf, "cgroup.procs", text);
	if (r < 0)
		return mb_error_set(err, r, "cgroup: moving the sandbox into %s: %s", cg->leaf,
				    strerror(-r));
	return 0;
}

void mb_cgroup_remove(struct mb_cgroup *cg)
{
	if (cg->leaf)
		(void)rmdir(cg->leaf);
	free(cg->leaf);
	cg->leaf = NULL;
}
