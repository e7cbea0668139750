/* SPDX-License-Identifier: Apache-2.0 */
#include <linux/sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "common/kernel-compat.h"
#include "sandbox/bpf.h"
#include "sandbox/seccomp-baseline.h"

/* clone(2)'s low byte is the exit signal, so CLONE_NEWTIME (0x80) cannot be
 * asked there; unshare(2) takes it. */
#define NS_FLAGS                                                                     \
	(CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | \
	 CLONE_NEWPID | CLONE_NEWNET)

#define MOUNT_WHY "would reshape the sandbox's filesystem view"
#define ROW(name, e, c, i, v, w) \
	{ .syscall = (name), .err = (e), .cond = (c), .argi = (i), .value = (v), .why = (w) }
#define ALWAYS(name, e, w) ROW(name, e, MB_SC_ALWAYS, 0, 0, w)

const struct mb_seccomp_rule mb_seccomp_baseline[] = {
	ALWAYS("mount", EPERM, MOUNT_WHY),
	ALWAYS("umount2", EPERM, MOUNT_WHY),
	ALWAYS("pivot_root", EPERM, MOUNT_WHY),
	ALWAYS("move_mount", EPERM, MOUNT_WHY),
	ALWAYS("open_tree", EPERM, MOUNT_WHY),
	ALWAYS("fsopen", EPERM, MOUNT_WHY),
	ALWAYS("fsconfig", EPERM, MOUNT_WHY),
	ALWAYS("fsmount", EPERM, MOUNT_WHY),
	ALWAYS("fspick", EPERM, MOUNT_WHY),
	ALWAYS("mount_setattr", EPERM, MOUNT_WHY),
	/* Linux 6.15; libseccomp 2.5 does not know it by name. */
	{ .syscall = "open_tree_attr", .err = EPERM, .cond = MB_SC_ALWAYS, .why = MOUNT_WHY,
	  .nr = 467 },
	ALWAYS("chroot", EPERM, MOUNT_WHY),
	ROW("unshare", EPERM, MB_SC_ANY_BIT, 0, NS_FLAGS | CLONE_NEWTIME,
	  "a new user namespace hands out capabilities again; other namespaces hide from the "
	  "supervisor"),
	ROW("clone", EPERM, MB_SC_ANY_BIT, 0, NS_FLAGS, "namespaces, as unshare"),
	ALWAYS("clone3", ENOSYS,
	       "its flags sit in memory where a filter cannot read them; glibc falls back to "
	       "clone"),
	ALWAYS("setns", EPERM, "entering another namespace"),
	ALWAYS("bpf", EPERM, "loading kernel programs, reading kernel memory"),
	ALWAYS("perf_event_open", EPERM, "kernel profiling: side channels, a large attack surface"),
	ALWAYS("ptrace", EPERM, "controlling another process, the init included"),
	ALWAYS("process_vm_writev", EPERM, "writing another process's memory"),
	ALWAYS("process_vm_readv", EPERM, "reading another process's memory"),
	ALWAYS("pidfd_getfd", EPERM, "stealing another process's file descriptors"),
	ALWAYS("kcmp", EPERM, "probing kernel object identity of other processes"),
	ALWAYS("keyctl", EPERM, "the kernel keyring is not namespaced"),
	ALWAYS("add_key", EPERM, "the kernel keyring is not namespaced"),
	ALWAYS("request_key", EPERM, "the kernel keyring is not namespaced"),
	ALWAYS("userfaultfd", EPERM, "a classic aid to kernel race exploits"),
	/* Linux 5.14. Its pages leave the kernel's direct map: process_vm_readv
	 * cannot read them, the kernel's copy_from_user can. */
	{ .syscall = "memfd_secret", .err = ENOSYS, .cond = MB_SC_ALWAYS, .nr = SYS_memfd_secret,
	  .why = "memory the supervisor cannot read but the kernel can: a path or address "
		 "placed there would be hidden from the dynamic layer; ENOSYS as from a kernel "
		 "without it" },
	ALWAYS("io_uring_setup", ENOSYS,
	       "io_uring performs I/O no seccomp filter sees; callers fall back to plain I/O"),
	ALWAYS("io_uring_enter", ENOSYS, "as io_uring_setup"),
	ALWAYS("io_uring_register", ENOSYS, "as io_uring_setup"),
	ALWAYS("open_by_handle_at", EPERM, "opens files by handle, around every path check"),
	ALWAYS("name_to_handle_at", EPERM, "the other half of open_by_handle_at"),
	ALWAYS("kexec_load", EPERM, "replacing the kernel"),
	ALWAYS("kexec_file_load", EPERM, "replacing the kernel"),
	ALWAYS("init_module", EPERM, "loading kernel modules"),
	ALWAYS("finit_module", EPERM, "loading kernel modules"),
	ALWAYS("delete_module", EPERM, "unloading kernel modules"),
	ALWAYS("reboot", EPERM, "rebooting the host"),
	ALWAYS("swapon", EPERM, "host memory configuration"),
	ALWAYS("swapoff", EPERM, "host memory configuration"),
	ALWAYS("syslog", EPERM, "the kernel log leaks addresses and host activity"),
	ALWAYS("acct", EPERM, "host process accounting"),
	ALWAYS("quotactl", EPERM, "host quota configuration"),
	ALWAYS("quotactl_fd", EPERM, "host quota configuration"),
	ALWAYS("lookup_dcookie", EPERM, "a profiling interface, unused by servers"),
	ALWAYS("iopl", EPERM, "raw I/O port access"),
	ALWAYS("ioperm", EPERM, "raw I/O port access"),
	ALWAYS("vhangup", EPERM, "hangs up a terminal"),
	ALWAYS("uselib", EPERM, "obsolete library loading around exec checks"),
	ALWAYS("fanotify_init", EPERM, "watching filesystem activity beyond the sandbox"),
	ROW("personality", EPERM, MB_SC_NE, 0, 0,
	  "execution domains (READ_IMPLIES_EXEC, ADDR_NO_RANDOMIZE...) weaken the process; "
	  "only PER_LINUX is allowed (not even the 0xffffffff query: libseccomp cannot test "
	  "one argument twice)"),
	ROW("ioctl", EPERM, MB_SC_EQ32, 1, TIOCSTI, "TIOCSTI pushes input into a terminal"),
	ROW("ioctl", EPERM, MB_SC_EQ32, 1, TIOCLINUX,
	  "TIOCLINUX can push console selection as input"),
	ROW("socket", EAFNOSUPPORT, MB_SC_SOCKET_FAMILY, 0, 0,
	  "raw packets, kernel netlink families, vsock, bluetooth...: attack surface no server "
	  "needs; EAFNOSUPPORT as from a kernel without them"),
	ROW("mknod", EPERM, MB_SC_MODE_DEVICE, 1, 0, "device nodes reach hardware"),
	ROW("mknodat", EPERM, MB_SC_MODE_DEVICE, 2, 0, "device nodes reach hardware"),
	ROW("memfd_create", EPERM, MB_SC_ANY_BIT, 1, MFD_EXEC,
	  "an executable memfd runs code that no exec grant allowed (Landlock does not see "
	  "memfds)"),
	{ .syscall = "memfd_create", .err = ENOSYS, .cond = MB_SC_BIT_CLEAR, .argi = 1,
	  .value = MFD_NOEXEC_SEAL,
	  .why = "without vm.memfd_noexec=2 a memfd is executable unless sealed; callers fall "
		 "back to a temporary file",
	  .when = MB_SC_WHEN_NO_MEMFD_SYSCTL },
};
const size_t mb_seccomp_baseline_n = ARRAY_SIZE(mb_seccomp_baseline);

bool mb_seccomp_rule_applies(const struct mb_seccomp_rule *r, const struct mb_seccomp_env *env)
{
	return r->when == MB_SC_WHEN_ALWAYS || !env->memfd_noexec;
}

void mb_seccomp_cond_describe(struct mb_strbuf *b, const struct mb_seccomp_rule *r,
			      const struct mb_seccomp_env *env)
{
	const struct mb_plan *plan = env ? env->plan : NULL;
	switch (r->cond) {
	case MB_SC_ALWAYS:
		mb_strbuf_puts(b, "always");
		break;
	case MB_SC_ANY_BIT:
		if (strcmp(r->syscall, "memfd_create") == 0)
			mb_strbuf_printf(b, "arg%u has MFD_EXEC", r->argi);
		else
			mb_strbuf_printf(b, "arg%u has a CLONE_NEW* flag (mask %#llx)", r->argi,
					 (unsigned long long)r->value);
		break;
	case MB_SC_EQ32:
		mb_strbuf_printf(b, "arg%u is %s", r->argi,
				 r->value == TIOCSTI ? "TIOCSTI" : r->value == TIOCLINUX ? "TIOCLINUX" : "?");
		break;
	case MB_SC_NE:
		mb_strbuf_printf(b, "arg%u is not %#llx", r->argi, (unsigned long long)r->value);
		break;
	case MB_SC_SOCKET_FAMILY:
		mb_strbuf_printf(b, "domain is not AF_UNIX, AF_INET, AF_INET6%s",
				 plan && plan->netlink_route ? " or AF_NETLINK/NETLINK_ROUTE" : "");
		break;
	case MB_SC_MODE_DEVICE:
		mb_strbuf_printf(b, "arg%u makes a character or block device", r->argi);
		break;
	case MB_SC_BIT_CLEAR:
		mb_strbuf_printf(b, "arg%u lacks MFD_NOEXEC_SEAL", r->argi);
		break;
	}
	if (r->when == MB_SC_WHEN_NO_MEMFD_SYSCTL)
		mb_strbuf_puts(b, ", when vm.memfd_noexec=2 could not be set");
}

/* SCMP_CMP() leaves datum_b to C's zero-fill, which clang's
 * -Wmissing-field-initializers rejects: spell every field. */
static struct scmp_arg_cmp cmp(unsigned arg, enum scmp_compare op, uint64_t a, uint64_t b)
{
	struct scmp_arg_cmp c;
	c.arg = arg;
	c.op = op;
	c.datum_a = a;
	c.datum_b = b;
	return c;
}
#define CMP1(arg, op, a) cmp((arg), (op), (a), 0)
#define CMPM(arg, mask, v) cmp((arg), SCMP_CMP_MASKED_EQ, (mask), (v))

static int add(scmp_filter_ctx ctx, uint32_t act, int nr, unsigned n,
	       const struct scmp_arg_cmp *cmp)
{
	return seccomp_rule_add_array(ctx, act, nr, n, cmp);
}

static int add_row(scmp_filter_ctx ctx, const struct mb_seccomp_rule *r,
		   const struct mb_plan *plan)
{
	if (!r->syscall)
		return 0;
	int nr = seccomp_syscall_resolve_name(r->syscall);
	if (nr < 0 && r->nr > 0 && seccomp_arch_native() != SCMP_ARCH_X32)
		nr = r->nr; /* x32's numbers are offset, and its calls are killed anyway */
	if (nr < 0)
		return 0; /* not a system call of this architecture */
	uint32_t act = SCMP_ACT_ERRNO((uint32_t)r->err);
	unsigned a = r->argi;
	int rc = 0;
	switch (r->cond) {
	case MB_SC_ALWAYS:
		return add(ctx, act, nr, 0, NULL);
	case MB_SC_ANY_BIT:
		/* "Any of these bits": one rule per bit, as a rule's
		 * comparisons are and-ed. */
		for (unsigned bit = 0; bit < 64 && rc == 0; bit++) {
			uint64_t m = 1ULL << bit;
			if (r->value & m) {
				struct scmp_arg_cmp c = CMPM(a, m, m);
				rc = add(ctx, act, nr, 1, &c);
			}
		}
		return rc;
	case MB_SC_EQ32: {
		/* The kernel reads an unsigned int: garbage in the high half
		 * must not slip past an exact 64-bit comparison. */
		struct scmp_arg_cmp c = CMPM(a, 0xffffffffULL, r->value);
		return add(ctx, act, nr, 1, &c);
	}
	case MB_SC_NE: {
		struct scmp_arg_cmp c = CMP1(a, SCMP_CMP_NE, r->value);
		return add(ctx, act, nr, 1, &c);
	}
	case MB_SC_SOCKET_FAMILY:
		for (uint64_t fam = 0; fam < AF_NETLINK && rc == 0; fam++) {
			if (fam == AF_UNIX || fam == AF_INET || fam == AF_INET6)
				continue;
			struct scmp_arg_cmp c = CMPM(a, 0xffffffffULL, fam);
			rc = add(ctx, act, nr, 1, &c);
		}
		if (rc == 0) {
			/* Anything above AF_NETLINK, and anything with high bits. */
			struct scmp_arg_cmp c = CMP1(a, SCMP_CMP_GT, AF_NETLINK);
			rc = add(ctx, act, nr, 1, &c);
		}
		if (rc == 0) {
			struct scmp_arg_cmp c[2] = {
				CMPM(a, 0xffffffffULL, AF_NETLINK),
				CMP1(2, SCMP_CMP_NE, 0 /* NETLINK_ROUTE */),
			};
			rc = add(ctx, act, nr, plan->netlink_route ? 2 : 1, c);
		}
		return rc;
	case MB_SC_MODE_DEVICE: {
		struct scmp_arg_cmp chr = CMPM(a, S_IFMT, S_IFCHR);
		struct scmp_arg_cmp blk = CMPM(a, S_IFMT, S_IFBLK);
		rc = add(ctx, act, nr, 1, &chr);
		return rc ? rc : add(ctx, act, nr, 1, &blk);
	}
	case MB_SC_BIT_CLEAR: {
		struct scmp_arg_cmp c = CMPM(a, r->value, 0);
		return add(ctx, act, nr, 1, &c);
	}
	}
	return -EINVAL;
}

int mb_seccomp_baseline_build(const struct mb_seccomp_env *env, struct mb_bpf *ret,
			      struct mb_error *err)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		return mb_error_set(err, -ENOMEM, "seccomp_init failed");
	/* KILL_PROCESS needs Linux 4.14; before it, kill the thread. */
	int rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
	if (rc == -EINVAL)
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL);
	if (rc < 0) {
		mb_error_set(err, rc, "seccomp: pinning the architecture: %s", strerror(-rc));
		goto out;
	}
	for (size_t i = 0; i < mb_seccomp_baseline_n; i++) {
		if (!mb_seccomp_rule_applies(&mb_seccomp_baseline[i], env))
			continue;
		rc = add_row(ctx, &mb_seccomp_baseline[i], env->plan);
		if (rc < 0) {
			mb_error_set(err, rc, "seccomp rule for %s: %s", mb_seccomp_baseline[i].syscall,
				     strerror(-rc));
			goto out;
		}
	}
	rc = mb_bpf_export(ctx, ret, err);
out:
	seccomp_release(ctx);
	return rc;
}
