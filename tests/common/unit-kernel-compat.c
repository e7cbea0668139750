/* SPDX-License-Identifier: Apache-2.0 */
/* common/kernel-compat.h's system call numbers against libseccomp's tables.
 * Every call of MB_COMPAT_SYSCALLS must have its number on x86-64, aarch64
 * and riscv64 (the generic table), that number plus the x32 bit on x32, and
 * the SYS_ name in force here (the libc's, or the header's fallback) must be
 * the native number. Where this libseccomp does not know a call yet, the
 * call is tried on the running kernel instead, through its SYS_ number, with
 * an effect only that call has (an extended attribute set, then removed,
 * read back through libc's own wrappers; file attributes set, then read
 * with the FS_IOC_FSGETXATTR ioctl); a call with no such trial fails. */
#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdlib.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "common/kernel-compat.h"
#include "common/macros.h"
#include "tests/tap.h"

#if !MB_NR_COMMON
int main(void)
{
	printf("1..0 # SKIP this architecture numbers new calls its own way: no fallbacks\n");
	return 0;
}
#else
#define X32_SYSCALL_BIT 0x40000000

/* Is the number libseccomp gives name on arch the one we use? false: it
 * does not know the call on that architecture. */
static bool on_arch(const char *name, uint32_t arch, const char *arch_name, int want)
{
	int got = seccomp_syscall_resolve_name_arch(arch, name);
	if (got == __NR_SCMP_ERROR)
		return false;
	is_int(got, want, "%s is %d on %s", name, want, arch_name);
	return true;
}

/* struct xattr_args (6.13): the value of setxattrat. */
struct xattr_args_ {
	uint64_t value;
	uint32_t size;
	uint32_t flags;
};

/* setxattrat and removexattrat: the attribute appears, then goes, as
 * libc's getxattr sees it. */
static char xattr_file[64];
static const char xattr_name[] = "user.membrane-compat";

static bool xattr_file_ready(void)
{
	if (xattr_file[0])
		return true;
	const char *tmp = getenv("TMPDIR");
	snprintf(xattr_file, sizeof(xattr_file), "%s/mb-compat.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	int fd = mkstemp(xattr_file);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static bool try_setxattrat(long nr)
{
	struct xattr_args_ args = { .value = (uint64_t)(uintptr_t)"v1", .size = 2 };
	char got[8];
	return xattr_file_ready() &&
	       syscall(nr, AT_FDCWD, xattr_file, 0, xattr_name, &args, sizeof(args)) == 0 &&
	       getxattr(xattr_file, xattr_name, got, sizeof(got)) == 2 && memcmp(got, "v1", 2) == 0;
}

static bool try_removexattrat(long nr)
{
	char got[8];
	return xattr_file_ready() && setxattr(xattr_file, xattr_name, "v2", 2, 0) == 0 &&
	       syscall(nr, AT_FDCWD, xattr_file, 0, xattr_name) == 0 &&
	       getxattr(xattr_file, xattr_name, got, sizeof(got)) < 0 && errno == ENODATA;
}

/* struct file_attr (6.17): what file_getattr and file_setattr carry; the
 * same flags FS_IOC_FSGETXATTR reads. */
struct file_attr_ {
	uint32_t fa_xflags, fa_extsize, fa_nextents, fa_projid, fa_cowextsize;
	uint32_t pad;
};

static bool ioctl_xflags(uint32_t *ret)
{
	struct fsxattr fsx;
	int fd = open(xattr_file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	int r = ioctl(fd, FS_IOC_FSGETXATTR, &fsx);
	close(fd);
	*ret = fsx.fsx_xflags;
	return r == 0;
}

/* file_getattr reads the flags the ioctl reads. */
static bool try_file_getattr(long nr)
{
	struct file_attr_ fa = { 0 };
	uint32_t want;
	return xattr_file_ready() && ioctl_xflags(&want) &&
	       syscall(nr, AT_FDCWD, xattr_file, &fa, FILE_ATTR_SIZE_VER0, 0) == 0 &&
	       fa.fa_xflags == want;
}

/* file_setattr sets a flag the ioctl then reads (no-dump: the owner's). */
static bool try_file_setattr(long nr)
{
	struct file_attr_ fa = { 0 };
	uint32_t before, after;
	if (!xattr_file_ready() || !ioctl_xflags(&before))
		return false;
	fa.fa_xflags = before | FS_XFLAG_NODUMP;
	return syscall(nr, AT_FDCWD, xattr_file, &fa, FILE_ATTR_SIZE_VER0, 0) == 0 &&
	       ioctl_xflags(&after) && (after & FS_XFLAG_NODUMP) && !(before & FS_XFLAG_NODUMP);
}

static const struct {
	const char *name;
	bool (*try)(long nr);
} trials[] = {
	{ "setxattrat", try_setxattrat },
	{ "removexattrat", try_removexattrat },
	{ "file_getattr", try_file_getattr },
	{ "file_setattr", try_file_setattr },
};

static void check(const char *name, int nr, long sys_nr, long table_nr)
{
	bool known = on_arch(name, SCMP_ARCH_X86_64, "x86-64", nr);
	known |= on_arch(name, SCMP_ARCH_X32, "x32", nr | X32_SYSCALL_BIT);
	known |= on_arch(name, SCMP_ARCH_AARCH64, "aarch64", nr);
	known |= on_arch(name, SCMP_ARCH_RISCV64, "riscv64", nr);

	int native = seccomp_syscall_resolve_name(name);
	if (native != __NR_SCMP_ERROR) {
		is_int(sys_nr, native, "SYS_%s is the native number", name);
		return;
	}
	is_int(sys_nr, table_nr, "SYS_%s is the header's number", name);
	if (known)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(trials); i++)
		if (strcmp(trials[i].name, name) == 0) {
			ok(trials[i].try(sys_nr), "libseccomp does not know %s: SYS_%s (%ld) does what "
			   "%s does on this kernel", name, name, sys_nr, name);
			return;
		}
	ok(false, "libseccomp does not know %s and no trial on the kernel checks its number: "
	   "add one to trials[]", name);
}

int main(void)
{
#define CHECK(name, nr) check(#name, nr, SYS_##name, MB_NR_##name);
	MB_COMPAT_SYSCALLS(CHECK)
	if (xattr_file[0])
		unlink(xattr_file);
	return done_testing();
}
#endif
