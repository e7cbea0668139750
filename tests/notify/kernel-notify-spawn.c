/* SPDX-License-Identifier: Apache-2.0 */
/* The notifier behind mb_sandbox_spawn() with want_listener: the real
 * sandbox (namespaces, pivot_root, Landlock, the baseline filter) runs a
 * shell script; the listener arrives by pidfd_getfd, the launch's own execve
 * is let through by the spawn, and everything after it is decided here. The
 * test checks what was decided (targets as the sandbox names them, presence)
 * and what the script saw (the allowed file's content, EACCES for a denied
 * one, ENOENT for a host-only one). Runs as root and as nobody. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandbox/sandbox.h"
#include "supervisor/notify/notify.h"
#include "tests/tap.h"

#define R (1u << MB_OP_READ)
#define W (1u << MB_OP_WRITE)
#define X (1u << MB_OP_EXEC)

static char tmpl[] = "/tmp/mb-notify-spawn-XXXXXX";
static char T[256];
static struct mb_plan plan;

struct rec {
	char syscall[16];
	char path[PATH_MAX];
	enum mb_presence presence;
	enum mb_target_kind kind;
	unsigned ops;
};
static struct rec recs[512];
static int nrecs;
static char secret[PATH_MAX];

static struct mb_answer decide(const struct mb_notified_op *op, void *ud)
{
	(void)ud;
	bool deny = false;
	for (unsigned i = 0; i < op->n; i++) {
		const struct mb_notified_target *t = &op->t[i];
		if (nrecs < (int)ARRAY_SIZE(recs)) {
			struct rec *r = &recs[nrecs++];
			snprintf(r->syscall, sizeof(r->syscall), "%s", op->sc->name);
			snprintf(r->path, sizeof(r->path), "%s", t->path ? t->path : "");
			r->presence = t->presence;
			r->kind = t->kind;
			r->ops = t->ops;
		}
		/* What a correlator would do with these two. */
		if (t->path && strcmp(t->path, secret) == 0)
			deny = true;
		if (t->presence == MB_PRESENT_NONE && t->path && strcmp(t->path, "/etc/passwd") == 0)
			deny = true;
	}
	return (struct mb_answer){ deny ? MB_VERDICT_DENY : MB_VERDICT_ALLOW, 0 };
}

static const char *h_presence(enum mb_presence p)
{
	static const char *names[] = { "present", "new", "host", "none", "outside" };
	return (unsigned)p < ARRAY_SIZE(names) ? names[p] : "?";
}

static const struct rec *find(const char *syscall, const char *path)
{
	for (int i = 0; i < nrecs; i++)
		if (strcmp(recs[i].syscall, syscall) == 0 && strcmp(recs[i].path, path) == 0)
			return &recs[i];
	return NULL;
}

static void add_mount(const char *path, enum mb_mount_kind kind, unsigned ops)
{
	struct stat st;
	struct mb_mount *m = mb_vec_new(&plan.mounts);
	m->path = (char *)path;
	m->kind = kind;
	m->pos = (struct mb_srcpos){ "test", 1, 1 };
	if (kind == MB_MOUNT_PROC || kind == MB_MOUNT_DEV) {
		/* As the plan compiler does: the sandbox's own /proc is read,
		 * /dev/null read and written. */
		m->is_dir = true;
		struct mb_fs_rule *r = mb_vec_new(&plan.fs_rules);
		r->path = kind == MB_MOUNT_PROC ? "/proc" : "/dev/null";
		r->ops = kind == MB_MOUNT_PROC ? R : R | W;
		r->is_dir = kind == MB_MOUNT_PROC;
		r->pos = m->pos;
		return;
	}
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
		char buf[PATH_MAX];
		ssize_t n = readlink(path, buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = '\0';
		m->kind = MB_MOUNT_SYMLINK;
		m->link_target = strdup(buf);
		return;
	}
	m->is_dir = stat(path, &st) == 0 && S_ISDIR(st.st_mode);
	m->exec = ops & X;
	struct mb_fs_rule *r = mb_vec_new(&plan.fs_rules);
	r->path = (char *)path;
	r->ops = ops;
	r->is_dir = m->is_dir;
	r->pos = m->pos;
}

static void cleanup(void)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpl);
	if (system(cmd) != 0)
		diag("could not remove %s", tmpl);
}

static void put(const char *rel, const char *text)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/%s", T, rel);
	FILE *f = fopen(p, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static const char *tp(const char *rel)
{
	static char buf[4][PATH_MAX];
	static int i;
	char *b = buf[i++ % 4];
	snprintf(b, PATH_MAX, "%s/%s", T, rel);
	return b;
}

int main(void)
{
	if (!mkdtemp(tmpl) || !realpath(tmpl, T)) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	atexit(cleanup);
	diag("running as uid %d in %s", (int)getuid(), T);
	put("f", "hello from f\n");
	put("secret", "not for you\n");
	snprintf(secret, sizeof(secret), "%s/secret", T);

	add_mount("/proc", MB_MOUNT_PROC, 0);
	add_mount("/dev", MB_MOUNT_DEV, 0);
	add_mount("/usr", MB_MOUNT_BIND_RO, R | X);
	add_mount("/bin", MB_MOUNT_BIND_RO, R | X);
	add_mount("/lib", MB_MOUNT_BIND_RO, R | X);
	add_mount("/lib64", MB_MOUNT_BIND_RO, R | X);
	add_mount(T, MB_MOUNT_BIND_RW, R | W);
	plan.cwd = T;
	char script[2048];
	snprintf(script, sizeof(script),
		 "cat f; cat /etc/passwd; cat %s/secret; echo made > new; cat /proc/self/status >/dev/null;"
		 " echo done",
		 T);
	char *argv[] = { "/bin/sh", "-c", script, NULL };
	struct mb_sandbox_config cfg = { .plan = &plan, .argv = argv, .want_listener = true };

	struct mb_sandbox sb;
	struct mb_error err = { 0 };
	int r = mb_sandbox_spawn(&cfg, &sb, &err);
	if (!ok(r == 0, "mb_sandbox_spawn with want_listener")) {
		diag("%s", err.msg);
		return done_testing();
	}
	ok(sb.listener_fd >= 0 && sb.layers.seccomp_notify, "the listener came back");
	ok(sb.layers.seccomp_notify_killable, "its waits are killable-only (WAIT_KILLABLE_RECV)");
	struct mb_notifier *n = NULL;
	struct mb_notifier_opts opts = { .root_fd = -1, .one_root = true };
	r = mb_notifier_new(TAKE_FD(sb.listener_fd), &opts, decide, NULL, &n, &err);
	if (!ok(r == 0, "notifier on the sandbox's listener")) {
		diag("%s", err.msg);
		return done_testing();
	}
	ok(mb_notifier_sync_wake_up(n), "SYNC_WAKE_UP in force");

	char out[8192] = "", errs[8192] = "";
	size_t no = 0, ne = 0;
	struct pollfd p[4] = {
		{ .fd = mb_notifier_fd(n), .events = POLLIN },
		{ .fd = sb.stdout_fd, .events = POLLIN },
		{ .fd = sb.stderr_fd, .events = POLLIN },
		{ .fd = sb.pidfd, .events = POLLIN },
	};
	sb.stdin_fd = mb_close(sb.stdin_fd);
	bool exited = false;
	while (!exited || p[1].fd >= 0 || p[2].fd >= 0) {
		int pr = poll(p, 4, 20000);
		if (pr <= 0) {
			diag("timed out");
			break;
		}
		if (p[0].revents & POLLIN) {
			r = mb_notifier_handle(n);
			if (r < 0) {
				diag("mb_notifier_handle: %s", strerror(-r));
				p[0].fd = -1;
			}
			continue;
		}
		if (p[0].revents)
			p[0].fd = -1;
		for (int i = 1; i <= 2; i++) {
			if (!p[i].revents)
				continue;
			char *buf = i == 1 ? out : errs;
			size_t *len = i == 1 ? &no : &ne;
			ssize_t k = read(p[i].fd, buf + *len, 8191 - *len);
			if (k > 0) {
				*len += (size_t)k;
				buf[*len] = '\0';
			} else if (k == 0 || errno != EAGAIN) {
				p[i].fd = -1;
			}
		}
		if (p[3].revents) {
			exited = true;
			p[3].fd = -1;
		}
	}
	int status = -1;
	mb_sandbox_wait(&sb, &status);
	is_int(status, 0, "the script ran to its end");
	diag("stderr: %s", errs);
	ok(strstr(out, "hello from f") != NULL, "an allowed read went through");
	ok(strstr(out, "not for you") == NULL, "a denied read did not");
	ok(strstr(errs, "secret: Permission denied") != NULL, "  ... the script saw EACCES");
	ok(strstr(errs, "/etc/passwd: No such file or directory") != NULL,
	   "a host-only file: the script saw ENOENT");
	ok(strstr(out, "done") != NULL, "the script went on");

	const struct rec *rec;
	rec = find("execve", "/usr/bin/cat");
	ok(rec && rec->presence == MB_PRESENT && rec->ops == X, "the shell's exec of cat was decided");
	rec = find("openat", tp("f"));
	ok(rec && rec->presence == MB_PRESENT && rec->ops == R, "openat of f: present, read");
	rec = find("openat", "/etc/passwd");
	ok(rec && rec->presence == MB_PRESENT_NONE,
	   "openat of /etc/passwd: absent from the sandbox (the host is not looked at)");
	rec = find("openat", secret);
	ok(rec && rec->presence == MB_PRESENT, "openat of the secret: present");
	rec = find("openat", tp("new"));
	ok(rec && rec->presence == MB_PRESENT_NEW && rec->ops == W, "the redirection: new, write");
	char want[PATH_MAX];
	snprintf(want, sizeof(want), "%s/new", T);
	FILE *f = fopen(want, "r");
	char line[64] = "";
	if (f) {
		if (!fgets(line, sizeof(line), f))
			line[0] = '\0';
		fclose(f);
	}
	is_str(line, "made\n", "  ... and the file was made");
	bool proc_named = false;
	for (int i = 0; i < nrecs; i++)
		if (strncmp(recs[i].path, "/proc/", 6) == 0 && strstr(recs[i].path, "/status") &&
		    recs[i].presence == MB_PRESENT)
			proc_named = true;
	ok(proc_named, "/proc/self/status named in the sandbox's pid namespace");
	for (int i = 0; !proc_named && i < nrecs; i++)
		diag("%s %s %s", recs[i].syscall, recs[i].path, h_presence(recs[i].presence));
	const struct mb_notifier_stats *s = mb_notifier_stats(n);
	diag("received %llu, decided %llu, denied %llu, kernel %llu, vanished %llu",
	     (unsigned long long)s->received, (unsigned long long)s->decided,
	     (unsigned long long)s->denied, (unsigned long long)s->kernel,
	     (unsigned long long)s->vanished);
	mb_notifier_free(n);
	mb_sandbox_close(&sb);
	return done_testing();
}
