/* SPDX-License-Identifier: Apache-2.0 */
/* What the supervisor performs must have the effect the server's own call
 * would have had: a child under the watch filter makes each call, every one
 * allowed, and the test looks at the result on disk and in the child's
 * descriptor table (notify-open.c's flag table, notify-mutate.c's calls):
 * modes under the server's umask (and after it changes it), close-on-exec
 * and status flags, FIFOs opened blocking (with the supervisor answering
 * others meanwhile), O_TMPFILE then linkat, EMFILE at the child's
 * RLIMIT_NOFILE, and each path mutation's effect. Then the credentials: a
 * child without capabilities cannot open another user's 0600 file through
 * the supervisor, however privileged the supervisor is; and, as root, a
 * child that became nobody creates files owned by nobody. Runs as root and
 * as nobody (kernel-perform-nobody.sh). */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/capability.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "tests/notify/harness.h"
#include "tests/tap.h"

static char T[256];
static bool as_root;
static int drop_mode; /* child setup: 0 as is, 1 no capabilities, 2 setresuid(nobody) */

static const char *tp(const char *rel)
{
	static char b[4][512];
	static int i;
	i = (i + 1) % 4;
	snprintf(b[i], sizeof(b[i]), "%s/%s", T, rel);
	return b[i];
}

static long sys(long r)
{
	return r < 0 ? -errno : r;
}

/* An open: -errno, or 0 once closed. */
static long opened(long fd)
{
	if (fd < 0)
		return -errno;
	close((int)fd);
	return 0;
}

/* ---- cases, in the child (cwd = T) -------------------------------------- */

static long c_creat_022(void)
{
	umask(022);
	return opened(syscall(SYS_openat, AT_FDCWD, "m644", O_WRONLY | O_CREAT, 0666));
}
static long c_creat_077(void)
{
	umask(077); /* watched: the notifier reads the umask again */
	return opened(syscall(SYS_openat, AT_FDCWD, "m600", O_WRONLY | O_CREAT, 0666));
}
static long c_mkdir_077(void) { return sys(syscall(SYS_mkdirat, AT_FDCWD, "d700", 0777)); }
static long c_mkfifo(void)
{
	umask(022);
	return sys(syscall(SYS_mknodat, AT_FDCWD, "fifo", S_IFIFO | 0666, 0));
}

/* fd flags as the child sees them: FD_CLOEXEC << 16 | O_APPEND/O_NONBLOCK bits */
static long flags_of(int fd)
{
	if (fd < 0)
		return -errno;
	long r = (long)fcntl(fd, F_GETFD) << 16 | (fcntl(fd, F_GETFL) & (O_APPEND | O_NONBLOCK));
	close(fd);
	return r;
}
static long c_cloexec(void) { return flags_of((int)syscall(SYS_openat, AT_FDCWD, "f", O_RDONLY | O_CLOEXEC)); }
static long c_no_cloexec(void) { return flags_of((int)syscall(SYS_openat, AT_FDCWD, "f", O_RDONLY)); }
static long c_append(void) { return flags_of((int)syscall(SYS_openat, AT_FDCWD, "f", O_WRONLY | O_APPEND)); }
static long c_nonblock(void) { return flags_of((int)syscall(SYS_openat, AT_FDCWD, "f", O_RDONLY | O_NONBLOCK)); }

struct fifo_job {
	int flags;
	long r;
	char got[16];
};

static void *fifo_open(void *arg)
{
	struct fifo_job *j = arg;
	int fd = (int)syscall(SYS_openat, AT_FDCWD, "fifo", j->flags);
	j->r = fd < 0 ? -errno : 0;
	if (fd >= 0 && (j->flags & O_ACCMODE) == O_RDONLY) {
		ssize_t n = read(fd, j->got, sizeof(j->got) - 1);
		j->got[n > 0 ? n : 0] = '\0';
	} else if (fd >= 0) {
		if (write(fd, "via-fifo", 8) != 8)
			j->r = -EIO;
	}
	if (fd >= 0)
		close(fd);
	return NULL;
}

/* A reader opens blocking and waits; meanwhile another open is answered;
 * then a writer comes. Returns 0 when all three behaved. */
static long c_fifo_reader_first(void)
{
	struct fifo_job rd = { .flags = O_RDONLY };
	pthread_t t;
	if (pthread_create(&t, NULL, fifo_open, &rd) != 0)
		return -1000;
	usleep(200000);
	/* the notifier is not stuck behind the waiting open */
	int other = (int)syscall(SYS_openat, AT_FDCWD, "f", O_RDONLY);
	if (other < 0)
		return -2000 - errno;
	close(other);
	int w = (int)syscall(SYS_openat, AT_FDCWD, "fifo", O_WRONLY);
	if (w < 0)
		return -3000 - errno;
	if (write(w, "hello", 5) != 5)
		return -4000;
	close(w);
	pthread_join(t, NULL);
	return rd.r == 0 && strcmp(rd.got, "hello") == 0 ? 0 : -5000 + rd.r;
}

/* A writer opens blocking with no reader yet: it waits, then a reader comes. */
static long c_fifo_writer_first(void)
{
	/* The previous case's helper lets go of its copy of the FIFO right
	 * after the install; until then it counts as a reader. */
	usleep(100000);
	struct fifo_job wr = { .flags = O_WRONLY };
	pthread_t t;
	if (pthread_create(&t, NULL, fifo_open, &wr) != 0)
		return -1000;
	usleep(200000);
	int r = (int)syscall(SYS_openat, AT_FDCWD, "fifo", O_RDONLY);
	if (r < 0)
		return -2000 - errno;
	char b[16] = "";
	ssize_t n = read(r, b, sizeof(b) - 1);
	close(r);
	pthread_join(t, NULL);
	return wr.r == 0 && n == 8 && memcmp(b, "via-fifo", 8) == 0 ? 0 : -3000 + wr.r;
}

static long c_tmpfile_link(void)
{
	int fd = (int)syscall(SYS_openat, AT_FDCWD, ".", O_TMPFILE | O_WRONLY, 0600);
	if (fd < 0)
		return errno == EOPNOTSUPP ? 1 : -errno;
	if (write(fd, "tmpfile", 7) != 7)
		return -1000;
	char p[64];
	snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
	long r = sys(syscall(SYS_linkat, AT_FDCWD, p, AT_FDCWD, "linked", AT_SYMLINK_FOLLOW));
	close(fd);
	return r;
}

static long c_emfile(void)
{
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	struct rlimit low = { .rlim_cur = 16, .rlim_max = rl.rlim_max };
	setrlimit(RLIMIT_NOFILE, &low);
	int fds[32], n = 0;
	long r = 0;
	for (; n < 32; n++) {
		fds[n] = (int)syscall(SYS_openat, AT_FDCWD, "f", O_RDONLY);
		if (fds[n] < 0) {
			r = -errno;
			break;
		}
	}
	for (int i = 0; i < n; i++)
		close(fds[i]);
	setrlimit(RLIMIT_NOFILE, &rl);
	return r;
}

static long c_chmod(void) { return sys(syscall(SYS_fchmodat, AT_FDCWD, "ln_f", 0640)); }
static long c_utimes(void)
{
	struct timespec ts[2] = { { 1000000000, 123 }, { 1100000000, 456 } };
	return sys(syscall(SYS_utimensat, AT_FDCWD, "f", ts, 0));
}
static long c_truncate(void) { return sys(syscall(SYS_truncate, "t", 3)); }
static long c_setxattr(void) { return sys(syscall(SYS_setxattr, "f", "user.mb", "value", 5, 0)); }
static long c_symlink(void) { return sys(syscall(SYS_symlinkat, "some/text", AT_FDCWD, "sl")); }
static long c_link(void) { return sys(syscall(SYS_linkat, AT_FDCWD, "f", AT_FDCWD, "hard", 0)); }
static long c_rename(void) { return sys(syscall(SYS_renameat2, AT_FDCWD, "r1", AT_FDCWD, "r2", 0)); }
static long c_noreplace(void)
{
	return sys(syscall(SYS_renameat2, AT_FDCWD, "r2", AT_FDCWD, "f", RENAME_NOREPLACE));
}
static long c_unlink(void) { return sys(syscall(SYS_unlinkat, AT_FDCWD, "u", 0)); }
static long c_unlink_dir(void) { return sys(syscall(SYS_unlinkat, AT_FDCWD, "ud", 0)); }
static long c_rmdir(void) { return sys(syscall(SYS_unlinkat, AT_FDCWD, "ud", AT_REMOVEDIR)); }
static long c_chown_self(void)
{
	/* Our own ids: allowed to anyone. */
	return sys(syscall(SYS_fchownat, AT_FDCWD, "f", getuid(), getgid(), 0));
}
static long c_read_private(void) { return opened(syscall(SYS_openat, AT_FDCWD, "private", O_RDONLY)); }
static long c_creat_owned(void)
{
	return opened(syscall(SYS_openat, AT_FDCWD, "owned", O_WRONLY | O_CREAT, 0644));
}
static long c_proc_write(void) { return opened(syscall(SYS_openat, AT_FDCWD, "/proc/self/comm", O_WRONLY)); }
static long c_proc_read(void) { return opened(syscall(SYS_openat, AT_FDCWD, "/proc/self/status", O_RDONLY)); }

/* A file opened read-only, then unlinked: through /proc/self/fd/N it opens
 * again for reading, never for writing. Returns read << 8 | -write. */
static long c_deleted_reopen(void)
{
	int fd = (int)syscall(SYS_openat, AT_FDCWD, "delme", O_RDONLY);
	if (fd < 0 || syscall(SYS_unlinkat, AT_FDCWD, "delme", 0) < 0)
		return -1000 - errno;
	char p[64];
	snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
	long rd = opened(syscall(SYS_openat, AT_FDCWD, p, O_RDONLY));
	long wr = opened(syscall(SYS_openat, AT_FDCWD, p, O_WRONLY));
	close(fd);
	return rd << 8 | -wr;
}

enum {
	C_creat_022, C_creat_077, C_mkdir_077, C_mkfifo, C_cloexec, C_no_cloexec, C_append,
	C_nonblock, C_fifo_reader_first, C_fifo_writer_first, C_tmpfile_link, C_emfile, C_chmod,
	C_utimes, C_truncate, C_setxattr, C_symlink, C_link, C_rename, C_noreplace, C_unlink,
	C_unlink_dir, C_rmdir, C_chown_self, C_read_private, C_creat_owned, C_proc_write, C_proc_read,
	C_deleted_reopen,
};
static const h_case_fn cases[] = {
	c_creat_022, c_creat_077, c_mkdir_077, c_mkfifo, c_cloexec, c_no_cloexec, c_append,
	c_nonblock, c_fifo_reader_first, c_fifo_writer_first, c_tmpfile_link, c_emfile, c_chmod,
	c_utimes, c_truncate, c_setxattr, c_symlink, c_link, c_rename, c_noreplace, c_unlink,
	c_unlink_dir, c_rmdir, c_chown_self, c_read_private, c_creat_owned, c_proc_write, c_proc_read,
	c_deleted_reopen,
};

static void child_setup(void)
{
	if (chdir(T) < 0)
		_exit(102);
	if (drop_mode == 1) {
		/* root without capabilities, as the sandbox's server */
		struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
		struct __user_cap_data_struct d[2] = { { 0 } };
		if (syscall(SYS_capset, &h, d) < 0)
			_exit(103);
	} else if (drop_mode == 2) {
		gid_t g = 65534;
		if (setgroups(1, &g) < 0 || setresgid(65534, 65534, 65534) < 0 ||
		    setresuid(65534, 65534, 65534) < 0)
			_exit(104);
		/* as the execve of the sandbox's server makes it again */
		prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
	}
}

static void mkfile(const char *rel, const char *content, mode_t mode)
{
	FILE *f = fopen(tp(rel), "w");
	if (f) {
		fputs(content, f);
		fclose(f);
	}
	chmod(tp(rel), mode);
}

static mode_t mode_of(const char *rel)
{
	struct stat st;
	return lstat(tp(rel), &st) == 0 ? st.st_mode : 0;
}

static void fixtures(void)
{
	mkfile("f", "content", 0644);
	mkfile("t", "0123456789", 0644);
	mkfile("r1", "r1", 0644);
	mkfile("u", "u", 0644);
	mkfile("delme", "delme", 0644);
	mkdir(tp("ud"), 0755);
	symlink("f", tp("ln_f"));
}

static void part_effects(void)
{
	h_verdict = (struct mb_answer){ MB_VERDICT_ALLOW, 0 };
	is_int(h_run(C_creat_022), 0, "O_CREAT 0666 under umask 022");
	is_int(mode_of("m644") & 07777, 0644, "  ... made 0644");
	is_int(h_run(C_creat_077), 0, "O_CREAT 0666 after the server's umask(077)");
	is_int(mode_of("m600") & 07777, 0600, "  ... made 0600: the server's new umask");
	is_int(h_run(C_mkdir_077), 0, "mkdir 0777 under umask 077");
	is_int(mode_of("d700") & 07777, 0700, "  ... made 0700");
	is_int(h_run(C_mkfifo), 0, "mknod of a FIFO 0666 under umask 022");
	ok(S_ISFIFO(mode_of("fifo")) && (mode_of("fifo") & 07777) == 0644, "  ... a FIFO, 0644");
	is_int(h_run(C_cloexec), FD_CLOEXEC << 16, "O_CLOEXEC: the child's descriptor is close-on-exec");
	is_int(h_run(C_no_cloexec), 0, "without O_CLOEXEC: it is not; nor non-blocking");
	is_int(h_run(C_append), O_APPEND, "O_APPEND is the child's, O_NONBLOCK (ours) is not");
	is_int(h_run(C_nonblock), O_NONBLOCK, "O_NONBLOCK asked: kept");
	is_int(h_run(C_fifo_reader_first), 0,
	       "a FIFO opened blocking waits for its writer, the notifier answering others meanwhile");
	is_int(h_run(C_fifo_writer_first), 0, "a FIFO's writer opened blocking waits for its reader");
	long r = h_run(C_tmpfile_link);
	if (r == 1) {
		ok(true, "# SKIP O_TMPFILE: not supported here");
	} else {
		is_int(r, 0, "O_TMPFILE, then linkat of /proc/self/fd/N: performed");
		FILE *f = fopen(tp("linked"), "r");
		char b[16] = "";
		ok(f && fgets(b, sizeof(b), f) && strcmp(b, "tmpfile") == 0, "  ... the file has its content");
		if (f)
			fclose(f);
	}
	is_int(h_run(C_emfile), -EMFILE, "at the child's RLIMIT_NOFILE: EMFILE, from the install");
	is_int(h_run(C_chmod), 0, "chmod through a symlink");
	is_int(mode_of("f") & 07777, 0640, "  ... the file it points at is 0640");
	ok(S_ISLNK(mode_of("ln_f")), "  ... the link is still a link");
	is_int(h_run(C_utimes), 0, "utimensat with times");
	struct stat st;
	ok(stat(tp("f"), &st) == 0 && st.st_atim.tv_sec == 1000000000 && st.st_atim.tv_nsec == 123 &&
		   st.st_mtim.tv_sec == 1100000000 && st.st_mtim.tv_nsec == 456,
	   "  ... exactly the times asked");
	is_int(h_run(C_truncate), 0, "truncate to 3");
	ok(stat(tp("t"), &st) == 0 && st.st_size == 3, "  ... 3 bytes long");
	r = h_run(C_setxattr);
	char v[16] = "";
	ssize_t vl = getxattr(tp("f"), "user.mb", v, sizeof(v));
	ok(r == -EOPNOTSUPP || (r == 0 && vl == 5 && memcmp(v, "value", 5) == 0),
	   "setxattr: performed with the value read once (%ld)", r);
	is_int(h_run(C_symlink), 0, "symlink");
	char text[64] = "";
	ssize_t tl = readlink(tp("sl"), text, sizeof(text) - 1);
	ok(tl == 9 && memcmp(text, "some/text", 9) == 0, "  ... its text exactly as written");
	is_int(h_run(C_link), 0, "link");
	ok(stat(tp("f"), &st) == 0 && st.st_nlink == 2, "  ... two links to the file");
	is_int(h_run(C_rename), 0, "rename");
	ok(mode_of("r1") == 0 && mode_of("r2") != 0, "  ... moved");
	is_int(h_run(C_noreplace), -EEXIST, "renameat2 RENAME_NOREPLACE onto a file: EEXIST");
	is_int(h_run(C_unlink), 0, "unlink");
	ok(mode_of("u") == 0, "  ... gone");
	is_int(h_run(C_unlink_dir), -EISDIR, "unlink of a directory: the kernel's EISDIR");
	is_int(h_run(C_rmdir), 0, "unlinkat AT_REMOVEDIR");
	ok(mode_of("ud") == 0, "  ... gone");
	is_int(h_run(C_chown_self), 0, "chown to one's own ids");
	is_int(h_run(C_proc_read), 0, "/proc/self/status for reading");
	is_int(h_run(C_proc_write), -EACCES, "/proc/self/comm for writing: EACCES (procfs is read-only)");
	is_int(h_run(C_deleted_reopen), EACCES,
	       "a deleted file through /proc/self/fd/N: again for reading, not for writing (EACCES)");
}

static void start_child(int mode)
{
	drop_mode = mode;
	/* mode 3: as if the filter lacked WAIT_KILLABLE_RECV (before 5.19) */
	struct mb_notifier_opts o = { .root_fd = -1, .restartable = mode == 3 };
	int r = h_start(cases, child_setup, &o);
	if (r < 0) {
		printf("Bail out! starting the watched child: %s\n", strerror(-r));
		exit(1);
	}
}

int main(void)
{
	as_root = getuid() == 0;
	char tmpl[] = "/tmp/mb-perform-XXXXXX";
	if (!mkdtemp(tmpl) || !realpath(tmpl, T)) {
		printf("Bail out! mkdtemp\n");
		return 1;
	}
	chmod(T, 0777);
	diag("running as uid %d in %s", (int)getuid(), T);
	fixtures();

	start_child(0);
	part_effects();
	int status = h_stop();
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child exited cleanly (status %d)", status);

	/* Without WAIT_KILLABLE_RECV a signal could make the child repeat a
	 * call already performed: what has a side effect is refused. */
	start_child(3);
	is_int(h_run(C_proc_read), 0, "without killable waits: an open without side effects is performed");
	is_int(h_run(C_creat_owned), -EACCES, "  ... an O_CREAT is refused");
	is_int(h_run(C_symlink), -EACCES, "  ... and so is a mutation");
	ok(mode_of("owned") == 0, "  ... and nothing was made");
	status = h_stop();
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "that child exited cleanly");

	if (as_root) {
		/* Another user's private file: DAC with the child's credentials
		 * (uid 0, no capabilities), not the supervisor's. */
		mkfile("private", "private", 0600);
		if (chown(tp("private"), 65534, 65534) < 0)
			diag("chown: %s", strerror(errno));
		start_child(1);
		is_int(h_run(C_read_private), -EACCES,
		       "root without capabilities: another user's 0600 file is EACCES, as for itself");
		status = h_stop();
		ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the capability-less child exited cleanly");
		start_child(2);
		is_int(h_run(C_creat_owned), 0, "a child that became nobody creates a file");
		struct stat st;
		ok(stat(tp("owned"), &st) == 0 && st.st_uid == 65534 && st.st_gid == 65534,
		   "  ... owned by nobody, not by the supervisor (uid %d)", (int)st.st_uid);
		chmod(tp("private"), 0600);
		if (chown(tp("private"), 0, 0) < 0)
			diag("chown: %s", strerror(errno));
		is_int(h_run(C_read_private), -EACCES, "  ... and root's 0600 file is EACCES for it");
		status = h_stop();
		ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the nobody child exited cleanly");
	}
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", T);
	if (system(cmd) != 0)
		diag("could not remove %s", T);
	return done_testing();
}
