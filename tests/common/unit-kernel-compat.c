/* common/kernel-compat.h's system call numbers against libseccomp's tables.
 * Every call of MB_COMPAT_SYSCALLS must have its number on x86-64, aarch64
 * and riscv64 (the generic table), that number plus the x32 bit on x32, and
 * the SYS_ name in force here (the libc's, or the header's fallback) must be
 * the native number. A call this libseccomp does not know yet is skipped,
 * by name; the SYS_ name is then checked against the header's table. */
#include <seccomp.h>

#include "common/kernel-compat.h"
#include "tests/tap.h"

#if !MB_NR_COMMON
int main(void)
{
	printf("1..0 # SKIP this architecture numbers new calls its own way: no fallbacks\n");
	return 0;
}
#else
#define X32_SYSCALL_BIT 0x40000000

static void skip(const char *what)
{
	const struct scmp_version *v = seccomp_version();
	printf("ok %d # SKIP libseccomp %u.%u.%u does not know %s\n", ++tap_n_, v->major,
	       v->minor, v->micro, what);
}

static void on_arch(const char *name, uint32_t arch, const char *arch_name, int want)
{
	int got = seccomp_syscall_resolve_name_arch(arch, name);
	if (got == __NR_SCMP_ERROR) {
		char what[96];
		snprintf(what, sizeof(what), "%s on %s", name, arch_name);
		skip(what);
		return;
	}
	is_int(got, want, "%s is %d on %s", name, want, arch_name);
}

static void check(const char *name, int nr, long sys_nr, long table_nr)
{
	on_arch(name, SCMP_ARCH_X86_64, "x86-64", nr);
	on_arch(name, SCMP_ARCH_X32, "x32", nr | X32_SYSCALL_BIT);
	on_arch(name, SCMP_ARCH_AARCH64, "aarch64", nr);
	on_arch(name, SCMP_ARCH_RISCV64, "riscv64", nr);

	int native = seccomp_syscall_resolve_name(name);
	if (native == __NR_SCMP_ERROR)
		is_int(sys_nr, table_nr, "SYS_%s is the header's number", name);
	else
		is_int(sys_nr, native, "SYS_%s is the native number", name);
}

int main(void)
{
#define CHECK(name, nr) check(#name, nr, SYS_##name, MB_NR_##name);
	MB_COMPAT_SYSCALLS(CHECK)
	return done_testing();
}
#endif
