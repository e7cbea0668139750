/* SPDX-License-Identifier: Apache-2.0 */
/* The dynamic layer as a wall (issue 13), judged by effects: a child under
 * the watch filter tries each way the adversarial probe (/work/probe) found
 * around the notifier, with a grant of everything but T/outside, whose
 * decoy holds random bytes. Each must fail with the errno the class calls
 * for, the decoy's bytes must never reach the child, nothing may be
 * planted, and the decision callback must have been shown what was really
 * reached (the report a correlator would write). The notifier takes the
 * fast way for what the grant allows, as membrane-run does. Runs as root
 * and as nobody (kernel-wall-nobody.sh).
 *
 *   class 2  an argument the supervisor cannot read: a path in a
 *            memfd_secret(2) page, a path running into [vvar]: EFAULT, shown
 *            as unreadable, never left to the kernel;
 *   class 3  resolver overflow: two ~4000-byte symlinks and a ~3800-byte
 *            path, through /proc/self/root, and a cwd of ~3800 bytes: the
 *            walk names the decoy;
 *   class 4  a removed directory as dirfd, a symlink at its old name: ".."
 *            is taken from the dead directory itself;
 *   also     file_setattr (Linux 6.17) is watched and performed; a thread
 *            flipping the path buffer during 100,000 opens (MB_RACE_TRIES)
 *            reaches the decoy zero times. */

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/kernel-compat.h"
#include "tests/notify/harness.h"
#include "tests/tap.h"

#define FS_XFLAG_NODUMP_ 0x00000080

struct file_attr_ {
	uint64_t fa_xflags;
	uint32_t fa_extsize, fa_nextents, fa_projid, fa_cowextsize;
};

static char T[256], OUT[300], DECOY[64];
static long pgsz;
static char *vvar_page; /* the page right below [vvar], ours, or NULL */
static uintptr_t vvar;  /* [vvar] itself */
static long race_tries = 100000;
static long race_result[4]; /* opens that got: okay, nope (forbidden), denied, other */
static long race_flips;

static long fdres(long r)
{
	if (r < 0)
		return -errno;
	close((int)r);
	return 0;
}

/* Read what fd holds; 1 if the decoy's bytes are there. */
static long read_back(int fd)
{
	char buf[128] = "";
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return strstr(buf, DECOY) ? 1 : 0;
}

/* An open: -errno, 0 opened, 1 opened and read the decoy. */
static long open_res(int fd)
{
	return fd < 0 ? -errno : read_back(fd);
}

static void pad(char *s, size_t to)
{
	size_t l = strlen(s);
	while (l + 2 < to) {
		memcpy(s + l, "/.", 3);
		l += 2;
	}
}

/* ---- class 2 ------------------------------------------------------------- */

static long secretmem_path(int flags, const char *path)
{
	int fd = (int)syscall(SYS_memfd_secret, 0);
	if (fd < 0)
		return -10000 - errno; /* no CONFIG_SECRETMEM: skipped */
	if (ftruncate(fd, pgsz) < 0)
		return -10000 - errno;
	char *p = mmap(NULL, (size_t)pgsz, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return -10000 - errno;
	snprintf(p, (size_t)pgsz, "%s", path);
	long r = open_res((int)syscall(SYS_openat, AT_FDCWD, p, flags, 0644));
	munmap(p, (size_t)pgsz);
	return r;
}
static long c_secretmem_read(void) { return secretmem_path(O_RDONLY, OUT); }
static long c_secretmem_plant(void)
{
	char p[400];
	snprintf(p, sizeof(p), "%s/planted-secretmem", T);
	return secretmem_path(O_WRONLY | O_CREAT, p);
}

/* The path's head in our page, its tail in [vvar]: the kernel reads on.
 * When the page below [vvar] is taken (a dynamic binary's libraries), the
 * whole path is [vvar]'s own bytes, which the kernel reads as well. */
static long c_vvar_path(void)
{
	if (!vvar)
		return -10000;
	const char *path = (const char *)vvar;
	if (vvar_page) {
		memset(vvar_page, 'v', (size_t)pgsz);
		memcpy(vvar_page + pgsz - 6, "/tmp/v", 6);
		path = vvar_page + pgsz - 6;
	}
	return open_res((int)syscall(SYS_openat, AT_FDCWD, path, O_RDONLY));
}

/* ---- class 3 ------------------------------------------------------------- */

static char *s1_text, *s2_text, *longraw;

static long c_longlink_proc(void)
{
	/* T/s2 -> T/outside + "/." x ~2000; T/s1 -> "s2" + "/." x ~2000 */
	return open_res((int)syscall(SYS_openat, AT_FDCWD, longraw, O_RDONLY));
}

static long c_longlink_plant(void)
{
	char *raw = malloc(PATH_MAX);
	snprintf(raw, PATH_MAX, "%s/s1", T);
	pad(raw, 3700);
	strcat(raw, "/../planted-longlink");
	long r = fdres(syscall(SYS_openat, AT_FDCWD, raw, O_WRONLY | O_CREAT, 0644));
	free(raw);
	return r;
}

static long c_longcwd(void)
{
	char comp[201];
	memset(comp, 'd', 200);
	comp[200] = '\0';
	char here[PATH_MAX];
	if (!getcwd(here, sizeof(here)) || chdir(T) < 0)
		return -10000 - errno;
	for (int i = 0; i < 18; i++)
		if ((mkdir(comp, 0755) < 0 && errno != EEXIST) || chdir(comp) < 0)
			return -10000 - errno;
	unlink("S");
	if (symlink(OUT, "S") < 0)
		return -10000 - errno;
	char rel[700] = "S/..";
	for (int i = 0; i < 300; i++)
		strcat(rel, "/.");
	strcat(rel, "/outside/secret");
	/* S/.. is T: S points at T/outside */
	long r = open_res((int)syscall(SYS_openat, AT_FDCWD, rel, O_RDONLY));
	if (chdir(here) < 0)
		return -10000 - errno;
	return r;
}

/* ---- class 4 ------------------------------------------------------------- */

static long c_rmdir_dirfd(void)
{
	char d[300], rel[400];
	snprintf(d, sizeof(d), "%s/D", T);
	int dfd = open(d, O_RDONLY | O_DIRECTORY); /* not O_PATH: notified too */
	if (dfd < 0)
		return -10000 - errno;
	if (rmdir(d) < 0 || symlink("deep/a/b/c", d) < 0)
		return -10000 - errno;
	/* From the dead D: ".." is T. */
	snprintf(rel, sizeof(rel), "../outside/secret");
	long r = open_res((int)syscall(SYS_openat, dfd, rel, O_RDONLY));
	close(dfd);
	return r;
}

/* ---- also ---------------------------------------------------------------- */

static long file_setattr(const char *name)
{
	char p[400];
	snprintf(p, sizeof(p), "%s/%s", T, name);
	struct file_attr_ fa = { 0 };
	if (syscall(SYS_file_getattr, AT_FDCWD, p, &fa, sizeof(fa), 0) < 0)
		return -10000 - errno;
	fa.fa_xflags |= FS_XFLAG_NODUMP_;
	return syscall(SYS_file_setattr, AT_FDCWD, p, &fa, sizeof(fa), 0) < 0 ? -errno : 0;
}
static long c_file_setattr_denied(void) { return file_setattr("outside/victim"); }
static long c_file_setattr_allowed(void) { return file_setattr("okay/f"); }

static char race_buf[64] __attribute__((aligned(4)));
static volatile int race_stop;

static void *flipper(void *arg)
{
	(void)arg;
	long flips = 0;
	uint32_t okay, nope;
	memcpy(&okay, "okay", 4);
	memcpy(&nope, "nope", 4);
	while (!race_stop) {
		/* volatile: every flip is a store the server's memory sees */
		*(volatile uint32_t *)race_buf = flips & 1 ? nope : okay;
		flips++;
	}
	race_flips = flips;
	return NULL;
}

static long c_race(void)
{
	if (chdir(T) < 0)
		return -10000 - errno;
	memcpy(race_buf, "okay/f", 7);
	race_stop = 0;
	pthread_t th;
	if (pthread_create(&th, NULL, flipper, NULL) != 0)
		return -10000;
	memset(race_result, 0, sizeof(race_result));
	for (long i = 0; i < race_tries; i++) {
		int fd = (int)syscall(SYS_openat, AT_FDCWD, race_buf, O_RDONLY);
		if (fd < 0) {
			race_result[errno == EACCES ? 2 : 3]++;
			continue;
		}
		char b[8] = "";
		ssize_t n = read(fd, b, 4);
		close(fd);
		race_result[n == 4 && memcmp(b, "NOPE", 4) == 0 ? 1 : n == 4 && memcmp(b, "OKAY", 4) == 0 ? 0 : 3]++;
	}
	race_stop = 1;
	pthread_join(th, NULL);
	/* The parent reads the counts back through a file: the child's memory
	 * is its own. */
	char p[300];
	snprintf(p, sizeof(p), "%s/okay/race-result", T);
	FILE *f = fopen(p, "w");
	if (!f)
		return -10000 - errno;
	fprintf(f, "%ld %ld %ld %ld %ld\n", race_result[0], race_result[1], race_result[2],
		race_result[3], race_flips);
	fclose(f);
	return 0;
}

enum {
	C_secretmem_read, C_secretmem_plant, C_vvar_path, C_longlink_proc, C_longlink_plant,
	C_longcwd, C_rmdir_dirfd, C_file_setattr_denied, C_file_setattr_allowed, C_race,
};
static const h_case_fn cases[] = {
	c_secretmem_read, c_secretmem_plant, c_vvar_path, c_longlink_proc, c_longlink_plant,
	c_longcwd, c_rmdir_dirfd, c_file_setattr_denied, c_file_setattr_allowed, c_race,
};

/* In the child, before the filter: the page below [vvar], if free. */
static void child_setup(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	while (f && fgets(line, sizeof(line), f))
		if (strstr(line, "[vvar]\n"))
			vvar = (uintptr_t)strtoull(line, NULL, 16);
	if (f)
		fclose(f);
	if (vvar) {
		void *p = mmap((void *)(vvar - (uintptr_t)pgsz), (size_t)pgsz, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		if (p != MAP_FAILED && (uintptr_t)p == vvar - (uintptr_t)pgsz)
			vvar_page = p;
	}
	if (chdir(T) < 0)
		_exit(102);
}

static const struct h_rec *last_rec(const char *syscall)
{
	for (int i = h_nrecs; i-- > 0;)
		if (strcmp(h_recs[i].syscall, syscall) == 0)
			return &h_recs[i];
	return NULL;
}

static void write_file(const char *rel, const char *content)
{
	char p[400];
	snprintf(p, sizeof(p), "%s/%s", T, rel);
	FILE *f = fopen(p, "w");
	if (f) {
		fputs(content, f);
		fclose(f);
	}
}

static bool exists(const char *rel)
{
	char p[400];
	snprintf(p, sizeof(p), "%s/%s", T, rel);
	struct stat st;
	return lstat(p, &st) == 0;
}

static void shown_unreadable(const char *what)
{
	const struct h_rec *rec = last_rec("openat");
	ok(rec && rec->t[0].kind == MB_TARGET_UNREADABLE,
	   "  %s: shown to the decision as unreadable (the report's reason)", what);
}

int main(void)
{
	pgsz = sysconf(_SC_PAGESIZE);
	if (getenv("MB_RACE_TRIES"))
		race_tries = atol(getenv("MB_RACE_TRIES"));
	char tmpl[] = "/tmp/mb-wall-XXXXXX";
	if (!mkdtemp(tmpl) || !realpath(tmpl, T)) {
		printf("Bail out! mkdtemp\n");
		return 1;
	}
	chmod(T, 0755);
	diag("running as uid %d in %s", (int)getuid(), T);
	snprintf(OUT, sizeof(OUT), "%s/outside", T);
	snprintf(DECOY, sizeof(DECOY), "DECOY-%d-%lx", (int)getpid(), (long)random());
	char p[400];
	snprintf(p, sizeof(p), "%s/okay", T);
	mkdir(OUT, 0755);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/nope", T);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/D", T);
	mkdir(p, 0755);
	write_file("outside/secret", DECOY);
	write_file("outside/victim", "victim\n");
	write_file("okay/f", "OKAY");
	write_file("nope/f", "NOPE");
	/* The long links of class 3. */
	s2_text = calloc(1, PATH_MAX);
	s1_text = calloc(1, PATH_MAX);
	longraw = calloc(1, PATH_MAX);
	snprintf(s2_text, PATH_MAX, "%s", OUT);
	pad(s2_text, 4000);
	snprintf(s1_text, PATH_MAX, "s2");
	pad(s1_text, 4000);
	snprintf(p, sizeof(p), "%s/s2", T);
	symlink(s2_text, p);
	snprintf(p, sizeof(p), "%s/s1", T);
	symlink(s1_text, p);
	snprintf(longraw, PATH_MAX, "/proc/self/root%s/s1", T);
	pad(longraw, 3800);
	strcat(longraw, "/secret");
	static char nope[300];
	snprintf(nope, sizeof(nope), "%s/nope", T);

	setenv("MB_NOTIFY_FAST", "1", 1);
	int r = h_start(cases, child_setup, NULL);
	if (r < 0) {
		printf("Bail out! starting the watched child: %s\n", strerror(-r));
		return 1;
	}
	h_deny_within = OUT;
	long ret;

	/* ---- class 2 ---- */
	ret = h_run(C_secretmem_read);
	if (ret <= -10000) {
		ok(true, "# SKIP memfd_secret: %s", strerror((int)(-ret - 10000)));
	} else {
		is_int(ret, -EFAULT, "class 2: a path in a memfd_secret page: EFAULT, the decoy unread");
		shown_unreadable("memfd_secret read");
		is_int(h_run(C_secretmem_plant), -EFAULT, "class 2: O_CREAT of a path in a memfd_secret page: EFAULT");
		ok(!exists("planted-secretmem"), "  ... and nothing was planted");
		shown_unreadable("memfd_secret plant");
	}
	ret = h_run(C_vvar_path);
	if (ret <= -10000) {
		ok(true, "# SKIP no [vvar] in this process");
	} else {
		is_int(ret, -EFAULT, "class 2: a path %s [vvar]: EFAULT (never the kernel's answer)",
		       vvar_page ? "running into" : "in");
		shown_unreadable("[vvar]");
	}

	/* ---- class 3 ---- */
	is_int(h_run(C_longlink_proc), -EACCES,
	       "class 3: two 4000-byte links under /proc/self/root: the decoy is named, EACCES");
	const struct h_rec *rec = last_rec("openat");
	snprintf(p, sizeof(p), "%s/secret", OUT);
	ok(rec && strcmp(rec->t[0].path, p) == 0, "  ... the decision saw %s (%s)", p,
	   rec ? rec->t[0].path : "nothing");
	h_deny_within = T; /* the plant goes to T itself: nothing may appear there */
	is_int(h_run(C_longlink_plant), -EACCES, "class 3: a plant through the long links: EACCES");
	ok(!exists("planted-longlink"), "  ... and nothing was planted");
	rec = last_rec("openat");
	snprintf(p, sizeof(p), "%s/planted-longlink", T);
	ok(rec && strcmp(rec->t[0].path, p) == 0 && rec->t[0].presence == MB_PRESENT_NEW,
	   "  ... decided on the name it would have had, as new (%s)", rec ? rec->t[0].path : "");
	h_deny_within = OUT;
	is_int(h_run(C_longcwd), -EACCES, "class 3: a cwd of ~3800 bytes and a link in it: EACCES");
	rec = last_rec("openat");
	snprintf(p, sizeof(p), "%s/secret", OUT);
	ok(rec && strcmp(rec->t[0].path, p) == 0, "  ... the decoy named (%s)", rec ? rec->t[0].path : "");

	/* ---- class 4 ---- */
	is_int(h_run(C_rmdir_dirfd), -EACCES,
	       "class 4: \"..\" from a removed directory, a symlink at its old name: EACCES");
	rec = last_rec("openat");
	snprintf(p, sizeof(p), "%s/secret", OUT);
	ok(rec && strcmp(rec->t[0].path, p) == 0, "  ... the decoy named (%s)", rec ? rec->t[0].path : "");

	/* ---- also: file_setattr ---- */
	ret = h_run(C_file_setattr_denied);
	if (ret <= -10000) {
		ok(true, "# SKIP file_getattr: %s", strerror((int)(-ret - 10000)));
	} else {
		is_int(ret, -EACCES, "file_setattr of a file the grant does not cover: EACCES");
		rec = last_rec("file_setattr");
		snprintf(p, sizeof(p), "%s/victim", OUT);
		ok(rec && strcmp(rec->t[0].path, p) == 0, "  ... watched and decided (%s)",
		   rec ? rec->t[0].path : "not seen");
		struct file_attr_ fa = { 0 };
		ok(syscall(SYS_file_getattr, AT_FDCWD, p, &fa, sizeof(fa), 0) == 0 &&
			   !(fa.fa_xflags & FS_XFLAG_NODUMP_),
		   "  ... and the flag was not set");
		ret = h_run(C_file_setattr_allowed);
		snprintf(p, sizeof(p), "%s/okay/f", T);
		fa = (struct file_attr_){ 0 };
		bool set = syscall(SYS_file_getattr, AT_FDCWD, p, &fa, sizeof(fa), 0) == 0 &&
			   (fa.fa_xflags & FS_XFLAG_NODUMP_);
		ok(ret == 0 ? set : ret == -EOPNOTSUPP || ret == -ENOTTY || ret == -EPERM,
		   "file_setattr allowed: performed (%ld, flag %s)", ret, set ? "set" : "not set");
	}

	/* ---- also: the path race ---- */
	h_deny_within = nope;
	is_int(h_run(C_race), 0, "the race ran");
	snprintf(p, sizeof(p), "%s/okay/race-result", T);
	FILE *f = fopen(p, "r");
	long got[5] = { 0 };
	if (!f || fscanf(f, "%ld %ld %ld %ld %ld", &got[0], &got[1], &got[2], &got[3], &got[4]) != 5)
		ok(false, "the race's counts");
	if (f)
		fclose(f);
	diag("race: %ld opens: %ld okay, %ld forbidden, %ld denied EACCES, %ld other; %ld flips",
	     race_tries, got[0], got[1], got[2], got[3], got[4]);
	is_int(got[1], 0, "a thread flipping the path during %ld opens: zero reach the forbidden file",
	       race_tries);
	ok(got[0] > 0 && got[2] > 0, "  ... and the race was real: both names were opened for");
	ok(got[4] >= race_tries, "  ... with at least as many flips as opens (%ld)", got[4]);

	int status = h_stop();
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child exited cleanly (status %d)", status);
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", T);
	if (system(cmd) != 0)
		diag("could not remove %s", T);
	return done_testing();
}
