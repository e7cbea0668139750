/* SPDX-License-Identifier: Apache-2.0 */
/* The differential test of the notifier (issue 13): generated path cases,
 * each run twice on twin trees -- through the notifier, whose decision
 * grants exactly @/g, and directly under the equivalent static-only
 * sandbox, a Landlock domain granting @/g alone -- and compared. The
 * notifier must never reach a file the grant does not cover: every file
 * and directory of the tree carries a tag saying whether it lies in @/g,
 * every object an open returns is identified by its tag, and no file may
 * appear outside @/g. Where the two disagree otherwise the case is printed.
 *
 * The cases: 1-8 components drawn from the tree's names, "..", ".", long
 * names; relative to the cwd, to dirfds kept across calls (one of them a
 * removed directory with a symlink at its old name), absolute, through
 * /proc/self/root, /proc/self/cwd and /proc/self/fd/N (magic links to
 * objects in and out of the grant); symlink chains in, out and back,
 * absolute and relative, dangling, looping; a tmpfs mounted in the middle
 * (as root: mount crossings); opens for reading, of directories, for
 * writing, with O_CREAT of new names, O_NOFOLLOW. Every other case takes
 * the notifier's fast way where the grant allows the name as written, the
 * others the complete way.
 *
 * Bounded in make check (MB_DIFF_CASES, default 2000, seed MB_DIFF_SEED,
 * default 1); longer as a fuzz run: MB_DIFF_CASES=200000 MB_DIFF_SEED=$RANDOM
 * tests/notify/kernel-diff (tests/notify/README.md). Runs as root and as
 * nobody (kernel-diff-nobody.sh). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/kernel-compat.h"
#include "sandbox/landlock.h"
#include "tests/notify/harness.h"
#include "tests/tap.h"

#define MAX_CASE 6000 /* bytes of a case's path (longer than PATH_MAX, on purpose) */

/* One case: where it starts, the path ("@" is the tree's root), the flags. */
struct dcase {
	int start; /* START_* */
	int flags;
	char path[MAX_CASE];
};

enum { START_CWD_T, START_CWD_G, START_CWD_O, START_FD_G, START_FD_O, START_FD_SUB, START_FD_RMD,
       START_N };

/* What a case got: -errno, or the tag of the object opened. */
struct dres {
	int err;
	char tag[96];
};

/* Shared with both children. */
struct shm {
	struct dcase c;
	struct dres r;
};
static struct shm *shm;
static char TA[256], TB[256]; /* the notifier's tree, the static sandbox's */
static bool as_root, with_mount;
static int fds[START_N];   /* in each child: the dirfds cases start at */
static int magic[4];       /* O_PATH fds for /proc/self/fd/N: g/f1, o/s1, g/sub, o */

/* ---- the tree ------------------------------------------------------------- */

static void put(const char *root, const char *rel, const char *tag)
{
	char p[1200];
	if (snprintf(p, sizeof(p), "%s/%s", root, rel) >= (int)sizeof(p))
		return;
	FILE *f = fopen(p, "w");
	if (f) {
		fputs(tag, f);
		fclose(f);
	}
}

static void dir(const char *root, const char *rel, const char *tag)
{
	char p[1200];
	if (snprintf(p, sizeof(p), "%s/%s", root, rel) >= (int)sizeof(p))
		return;
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/.tag", rel);
	put(root, p, tag);
}

static void lnk(const char *root, const char *rel, const char *text)
{
	char p[600], t[600];
	snprintf(p, sizeof(p), "%s/%s", root, rel);
	/* "@" in a link's text is the tree's root (absolute links). */
	if (text[0] == '@')
		snprintf(t, sizeof(t), "%s%s", root, text + 1);
	else
		snprintf(t, sizeof(t), "%s", text);
	symlink(t, p);
}

static void build(const char *root)
{
	dir(root, ".", "T");
	dir(root, "g", "G:g");
	dir(root, "g/sub", "G:sub");
	dir(root, "g/rmd", "G:rmd");
	dir(root, "g/mnt", "G:mnt");
	dir(root, "o", "O:o");
	dir(root, "o/sub", "O:osub");
	put(root, "g/f1", "G:f1");
	put(root, "g/f2", "G:f2");
	put(root, "g/sub/f3", "G:f3");
	put(root, "o/s1", "O:s1");
	put(root, "o/s2", "O:s2");
	put(root, "o/sub/s3", "O:s3");
	lnk(root, "g/lnk_in", "f1");
	lnk(root, "g/lnk_out", "../o/s1");
	lnk(root, "g/lnk_abs_out", "@/o/s1");
	lnk(root, "g/lnk_abs_in", "@/g/sub");
	lnk(root, "g/lnk_dir_out", "../o");
	lnk(root, "g/chain1", "chain2");
	lnk(root, "g/chain2", "sub/../chain3");
	lnk(root, "g/chain3", "f1");
	lnk(root, "g/chainx1", "chainx2");
	lnk(root, "g/chainx2", "lnk_dir_out/sub/s3");
	lnk(root, "g/loop1", "loop2");
	lnk(root, "g/loop2", "loop1");
	lnk(root, "g/dang", "nowhere/at/all");
	lnk(root, "g/dang_new", "newfile_via_dang");
	lnk(root, "g/dang_out", "../o/new_via_dang");
	lnk(root, "g/selffd", "/proc/self/fd");
	lnk(root, "g/selfcwd", "/proc/self/cwd");
	lnk(root, "o/lnk_back", "../g/f1");
	lnk(root, "o/lnk_abs_back", "@/g/sub");
}

/* The tag of what fd is: its content, or its .tag for a directory; a file
 * the case created carries none, and is told by where it lies (d_path). */
static void tag_of(const char *root, int fd, char *tag, size_t sz)
{
	struct stat st;
	tag[0] = '\0';
	char p[64], where[PATH_MAX];
	snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
	ssize_t wl = readlink(p, where, sizeof(where) - 1);
	where[wl > 0 ? wl : 0] = '\0';
	size_t rl = strlen(root);
	bool in_g = strncmp(where, root, rl) == 0 && strncmp(where + rl, "/g", 2) == 0 &&
		    (where[rl + 2] == '/' || where[rl + 2] == '\0');
	if (fstat(fd, &st) < 0) {
		snprintf(tag, sz, "?fstat");
		return;
	}
	int t = S_ISDIR(st.st_mode) ? openat(fd, ".tag", O_RDONLY | O_CLOEXEC) : dup(fd);
	if (t < 0 && S_ISDIR(st.st_mode) && st.st_nlink == 0) {
		/* the removed directory: told by its last name */
		snprintf(tag, sz, "%s:removed", in_g ? "G" : "O");
		return;
	}
	if (t < 0) {
		snprintf(tag, sz, "?%s", S_ISDIR(st.st_mode) ? "dir" : "dup");
		return;
	}
	ssize_t n = pread(t, tag, sz - 1, 0);
	close(t);
	tag[n > 0 ? n : 0] = '\0';
	if (n <= 0 && S_ISREG(st.st_mode))
		snprintf(tag, sz, "%s:new %.80s", in_g ? "G" : "O", where + (wl > 0 ? rl : 0));
	else if (n <= 0)
		snprintf(tag, sz, "?other");
	else if (!in_g && strncmp(tag, "G:", 2) == 0)
		tag[0] = 'X'; /* a G tag where G is not: say so */
}

/* ---- running a case, in either child ------------------------------------ */

static void run_case(const char *root, const struct dcase *c, struct dres *r)
{
	char path[MAX_CASE + 300];
	size_t o = 0;
	for (const char *s = c->path; *s && o + 260 < sizeof(path); s++) {
		if (*s == '@') {
			o += (size_t)snprintf(path + o, sizeof(path) - o, "%s", root);
		} else if (*s == '#' && s[1] >= '0' && s[1] <= '3') {
			o += (size_t)snprintf(path + o, sizeof(path) - o, "%d", magic[*++s - '0']);
		} else {
			path[o++] = *s;
		}
	}
	path[o] = '\0';
	int at = AT_FDCWD;
	switch (c->start) {
	case START_CWD_T:
	case START_CWD_G:
	case START_CWD_O: {
		char d[400];
		snprintf(d, sizeof(d), "%s%s", root, c->start == START_CWD_T ? "" : c->start == START_CWD_G ? "/g" : "/o");
		if (chdir(d) < 0) {
			r->err = -1000;
			return;
		}
		break;
	}
	default:
		at = fds[c->start];
	}
	int fd = (int)syscall(SYS_openat, at, path, c->flags | O_CLOEXEC, 0644);
	if (fd < 0) {
		r->err = -errno;
		r->tag[0] = '\0';
		return;
	}
	r->err = 0;
	tag_of(root, fd, r->tag, sizeof(r->tag));
	close(fd);
}

/* The child's fixed state: dirfds kept across calls, a removed directory,
 * the magic links' fds, a tmpfs in the middle (root). */
static void child_state(const char *root)
{
	char p[600];
	static const char *const rel[START_N] = { "", "", "", "g", "o", "g/sub", "g/rmd" };
	for (int i = START_FD_G; i < START_N; i++) {
		snprintf(p, sizeof(p), "%s/%s", root, rel[i]);
		fds[i] = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	snprintf(p, sizeof(p), "%s/g/rmd/.tag", root);
	unlink(p);
	snprintf(p, sizeof(p), "%s/g/rmd", root);
	rmdir(p);
	lnk(root, "g/rmd", "@/o");
	static const char *const m[4] = { "g/f1", "o/s1", "g/sub", "o" };
	for (int i = 0; i < 4; i++) {
		snprintf(p, sizeof(p), "%s/%s", root, m[i]);
		magic[i] = open(p, O_PATH | O_CLOEXEC);
	}
	if (with_mount) {
		snprintf(p, sizeof(p), "%s/g/mnt", root);
		if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
		    mount("tmpfs", p, "tmpfs", 0, "mode=0755") < 0)
			_exit(103);
		dir(root, "g/mnt", "G:mnt-tmpfs");
		put(root, "g/mnt/m1", "G:m1");
		lnk(root, "g/mnt/m_out", "@/o/s1");
		lnk(root, "g/mnt/m_up", "../../o/sub");
	}
}

static void notifier_child(void)
{
	child_state(TA);
}

static long c_one(void)
{
	run_case(TA, &shm->c, &shm->r);
	return 0;
}
static const h_case_fn cases[] = { c_one };

/* ---- the static-only sandbox ---------------------------------------------- */

static int landlock_g(const char *root)
{
	int abi = mb_landlock_abi();
	if (abi <= 0)
		return -EOPNOTSUPP;
	struct mb_landlock_ruleset_attr attr = { .handled_access_fs = mb_landlock_fs_handled(abi) };
	int rs = (int)syscall(SYS_landlock_create_ruleset, &attr, MB_LANDLOCK_ATTR_SIZE_V1, 0);
	if (rs < 0)
		return -errno;
	char g[400];
	snprintf(g, sizeof(g), "%s/g", root);
	struct mb_landlock_path_beneath_attr pb = {
		.allowed_access = attr.handled_access_fs,
		.parent_fd = open(g, O_PATH | O_CLOEXEC),
	};
	if (syscall(SYS_landlock_add_rule, rs, LANDLOCK_RULE_PATH_BENEATH, &pb, 0) < 0 ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || syscall(SYS_landlock_restrict_self, rs, 0) < 0)
		return -errno;
	return 0;
}

/* Runs every case in a Landlocked child; results into res[]. */
static int run_static(const struct dcase *cs, struct dres *res, int n)
{
	struct dres *out = mmap(NULL, sizeof(*out) * (size_t)n, PROT_READ | PROT_WRITE,
				MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (out == MAP_FAILED)
		return -errno;
	pid_t p = fork();
	if (p == 0) {
		child_state(TB);
		if (landlock_g(TB) < 0)
			_exit(104);
		for (int i = 0; i < n; i++)
			run_case(TB, &cs[i], &out[i]);
		_exit(0);
	}
	int st;
	waitpid(p, &st, 0);
	memcpy(res, out, sizeof(*out) * (size_t)n);
	munmap(out, sizeof(*out) * (size_t)n);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -ECHILD;
}

/* ---- the generator -------------------------------------------------------- */

static unsigned long long rng;
static unsigned rnd(unsigned n)
{
	rng = rng * 6364136223846793005ull + 1442695040888963407ull;
	return (unsigned)((rng >> 33) % n);
}

static const char *const names[] = {
	"g", "o", "sub", "f1", "f2", "f3", "s1", "s2", "s3", "lnk_in", "lnk_out", "lnk_abs_out",
	"lnk_abs_in", "lnk_dir_out", "chain1", "chainx1", "loop1", "dang", "dang_new", "dang_out",
	".", "..", "..", "nonexist", "selffd", "selfcwd", "lnk_back", "lnk_abs_back", "rmd", "mnt",
	"m1", "m_out", "m_up", ".tag",
};

/* Paths that lead somewhere, in and out of the grant, most through links. */
static const char *const meaningful[] = {
	"@/g/f1", "@/g/sub/f3", "@/g/lnk_in", "@/g/chain1", "@/g/lnk_abs_in/f3", "@/g/mnt/m1",
	"@/g/mnt/m_out", "@/g/mnt/m_up/s3", "@/g/mnt/../f2", "@/g/lnk_out", "@/g/lnk_abs_out",
	"@/g/chainx1", "@/g/lnk_dir_out/s1", "@/g/lnk_dir_out/lnk_back", "@/g/lnk_dir_out/../g/f2",
	"@/o/s1", "@/o/sub/s3", "@/o/lnk_back", "@/o/lnk_abs_back/f3", "@/o/../g/f1", "@/g/sub",
	"@/g", "@/o", "@/g/selfcwd/f1", "@/g/selffd/#0", "/proc/self/fd/#0", "/proc/self/fd/#1",
	"/proc/self/fd/#2/f3", "/proc/self/fd/#3/s1", "/proc/self/fd/#3/lnk_back",
	"/proc/self/fd/#3/../g/f1", "/proc/self/cwd/f1", "/proc/self/cwd/../o/s1",
	"/proc/self/root@/g/f1", "/proc/self/root@/o/s1", "f1", "../g/f1", "../o/s1", "../f1",
	"sub/../f1", "../../g/f2", "lnk_in", "lnk_out", "s1", "lnk_back", "../lnk_back", "f3",
	"../f3", "../../o/sub/s3", "rmd/s1", "mnt/m1", "mnt/m_up/../../f1", "new_*",
	"../g/new_*", "../o/new_*", "dang_new", "dang_out", "sub/new_*", "mnt/new_*",
};

static void gen(struct dcase *c, int idx)
{
	static const int flag_set[] = { O_RDONLY, O_RDONLY, O_RDONLY, O_RDONLY | O_DIRECTORY,
					O_WRONLY, O_RDONLY | O_NOFOLLOW, O_WRONLY | O_CREAT,
					O_WRONLY | O_CREAT | O_EXCL };
	c->flags = flag_set[rnd(ARRAY_SIZE(flag_set))];
	c->start = (int)rnd(START_N);
	if (rnd(2)) {
		/* a meaningful path, now and then with "." steps or a slash */
		/* "*": a name no other case uses */
		const char *m = meaningful[rnd(ARRAY_SIZE(meaningful))];
		const char *star = strchr(m, '*');
		if (star)
			snprintf(c->path, sizeof(c->path), "%.*s%d", (int)(star - m), m, idx);
		else
			snprintf(c->path, sizeof(c->path), "%s", m);
		if (rnd(6) == 0)
			strcat(c->path, rnd(2) ? "/." : "/");
		static const int fl[] = { O_RDONLY, O_RDONLY, O_WRONLY, O_RDONLY | O_NOFOLLOW,
					  O_WRONLY | O_CREAT, O_RDONLY | O_DIRECTORY };
		c->flags = fl[rnd(ARRAY_SIZE(fl))];
		return;
	}
	unsigned head = rnd(8);
	static const char *const prefix[] = { "@/", "/proc/self/root@/", "/proc/self/cwd/",
					      "/proc/self/fd/#" };
	size_t o = (size_t)snprintf(c->path, sizeof(c->path), "%s", head < 4 ? prefix[head] : "");
	if (head == 3) /* "#N": the fd of magic[N], in each child */
		c->path[o++] = (char)('0' + rnd(4));
	c->path[o] = '\0';
	unsigned ncomp = rnd(4) ? 1 + rnd(3) : 1 + rnd(8);
	for (unsigned i = 0; i < ncomp && o + 400 < sizeof(c->path); i++) {
		if (i || head == 3)
			c->path[o++] = '/';
		unsigned k = rnd(ARRAY_SIZE(names) + 6);
		if (k < ARRAY_SIZE(names)) {
			o += (size_t)snprintf(c->path + o, sizeof(c->path) - o, "%s", names[k]);
		} else if (k == ARRAY_SIZE(names)) { /* a name longer than NAME_MAX */
			memset(c->path + o, 'L', 300);
			o += 300;
		} else if (k == ARRAY_SIZE(names) + 1) { /* many "/.": up to past PATH_MAX */
			unsigned reps = 200 + rnd(2000);
			for (unsigned j = 0; j < reps && o + 400 < sizeof(c->path); j++)
				c->path[o++] = '.', c->path[o++] = '/';
			c->path[o++] = '.';
		} else {
			o += (size_t)snprintf(c->path + o, sizeof(c->path) - o, "new%d", idx);
		}
	}
	if (rnd(10) == 0)
		c->path[o++] = '/';
	c->path[o] = '\0';
}

/* ---- checking -------------------------------------------------------------- */

/* Files outside @/g: none may have appeared. */
static int count_outside(const char *root)
{
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "find %s -path %s/g -prune -o -print 2>/dev/null | wc -l", root, root);
	FILE *f = popen(cmd, "r");
	int n = -1;
	if (f) {
		if (fscanf(f, "%d", &n) != 1)
			n = -1;
		pclose(f);
	}
	return n;
}

static bool forbidden(const struct dres *r)
{
	return r->err == 0 && strncmp(r->tag, "G:", 2) != 0;
}

int main(void)
{
	as_root = getuid() == 0;
	with_mount = as_root;
	int ncases = getenv("MB_DIFF_CASES") ? atoi(getenv("MB_DIFF_CASES")) : 2000;
	rng = getenv("MB_DIFF_SEED") ? strtoull(getenv("MB_DIFF_SEED"), NULL, 10) : 1;
	char ta[] = "/tmp/mb-diffa-XXXXXX", tb[] = "/tmp/mb-diffb-XXXXXX";
	if (!mkdtemp(ta) || !mkdtemp(tb) || !realpath(ta, TA) || !realpath(tb, TB)) {
		printf("Bail out! mkdtemp\n");
		return 1;
	}
	build(TA);
	build(TB);
	chmod(TA, 0755);
	chmod(TB, 0755);
	diag("uid %d, %d cases, seed %llu, trees %s (notifier) and %s (Landlock)%s", (int)getuid(),
	     ncases, rng, TA, TB, with_mount ? ", with a tmpfs at @/g/mnt" : "");
	int out_a = count_outside(TA);

	struct dcase *cs = calloc((size_t)ncases, sizeof(*cs));
	struct dres *sres = calloc((size_t)ncases, sizeof(*sres));
	shm = mmap(NULL, sizeof(*shm), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!cs || !sres || shm == MAP_FAILED) {
		printf("Bail out! memory\n");
		return 1;
	}
	for (int i = 0; i < ncases; i++)
		gen(&cs[i], i);
	int r = run_static(cs, sres, ncases);
	if (r == -ECHILD) {
		printf("1..0 # SKIP Landlock is not available for the static-only twin\n");
		return 0;
	}

	static char grant[300];
	snprintf(grant, sizeof(grant), "%s/g", TA);
	h_allow_within = grant;
	setenv("MB_NOTIFY_FAST", "1", 1); /* as membrane-run: the fast way where it can */
	if ((r = h_start(cases, notifier_child, NULL)) < 0) {
		printf("Bail out! starting the watched child: %s\n", strerror(-r));
		return 1;
	}
	int nforbidden = 0, nmismatch = 0, nwider = 0, shown = 0;
	unsigned errs[4] = { 0 };
	for (int i = 0; i < ncases; i++) {
		shm->c = cs[i];
		h_no_fast = i & 1; /* every other case the complete way */
		if (h_run(0) != 0) {
			ok(false, "case %d ran", i);
			break;
		}
		struct dres *a = &shm->r, *b = &sres[i];
		errs[a->err == 0 ? 0 : a->err == -EACCES ? 1 : a->err == -ENOENT ? 2 : 3]++;
		bool bad = forbidden(a);
		bool differ = a->err != b->err || strcmp(a->tag, b->tag) != 0;
		nforbidden += bad;
		nmismatch += differ;
		/* The notifier reached something the static sandbox refused. */
		nwider += a->err == 0 && b->err != 0;
		if ((bad || differ) && shown++ < 12)
			diag("case %d: start %d flags %#x path %.160s%s%.40s: notifier %d %s, Landlock %d %s",
			     i, cs[i].start, cs[i].flags, cs[i].path, strlen(cs[i].path) > 200 ? "..." : "",
			     strlen(cs[i].path) > 200 ? cs[i].path + strlen(cs[i].path) - 40 : "", a->err,
			     a->tag, b->err, b->tag);
	}
	int status = h_stop();
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the watched child exited cleanly");
	diag("notifier: %u opened, %u EACCES, %u ENOENT, %u other errors", errs[0], errs[1], errs[2],
	     errs[3]);
	is_int(nforbidden, 0, "%d generated cases: the notifier never reached a file outside the grant",
	       ncases);
	is_int(count_outside(TA), out_a, "  ... and never made one there");
	is_int(nwider, 0, "  ... nor anything the static-only sandbox refused");
	is_int(nmismatch, 0, "  ... and answered every case as the static-only sandbox did");

	free(cs);
	free(sres);
	char cmd[700];
	snprintf(cmd, sizeof(cmd), "rm -rf %s %s", TA, TB);
	if (system(cmd) != 0)
		diag("could not remove the trees");
	return done_testing();
}
