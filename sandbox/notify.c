#include <linux/filter.h>
#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sandbox/kernel-compat.h"
#include "sandbox/notify.h"

/* Filled by the correlator (issue 5). A sentinel keeps the array legal C. */
const struct mb_notify_watch mb_notify_watched[] = { { NULL } };
const size_t mb_notify_watched_n = 0;

/* libseccomp 2.5 asks for a listener only when a rule notifies; we always
 * want one (the table may be empty), and may want to add flags it does not
 * know: export the program and load it ourselves. */
static int load_with_listener(scmp_filter_ctx ctx, struct mb_error *err)
{
	int mfd = memfd_create("membrane-bpf", MFD_CLOEXEC);
	if (mfd < 0)
		return mb_error_set(err, mb_neg_errno(), "memfd_create: %m");
	int rc = seccomp_export_bpf(ctx, mfd);
	off_t size = rc == 0 ? lseek(mfd, 0, SEEK_END) : -1;
	if (rc < 0 || size <= 0 || size % (off_t)sizeof(struct sock_filter)) {
		mb_close(mfd);
		return mb_error_set(err, rc < 0 ? rc : -EIO, "seccomp_export_bpf failed");
	}
	struct sock_filter *insns = malloc((size_t)size);
	if (!insns || pread(mfd, insns, (size_t)size, 0) != size) {
		free(insns);
		mb_close(mfd);
		return mb_error_set(err, -EIO, "reading back the notify filter failed");
	}
	mb_close(mfd);
	struct sock_fprog prog = {
		.len = (unsigned short)((size_t)size / sizeof(struct sock_filter)),
		.filter = insns,
	};
	long fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER,
			  &prog);
	free(insns);
	if (fd < 0)
		return mb_error_set(err, mb_neg_errno(), "seccomp(NEW_LISTENER): %m");
	return (int)fd;
}

int mb_notify_install(const struct mb_plan *plan, int *ret_listener, struct mb_error *err)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		return mb_error_set(err, -ENOMEM, "seccomp_init failed");
	int rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
	for (size_t i = 0; rc == 0 && i < mb_notify_watched_n; i++) {
		int nr = seccomp_syscall_resolve_name(mb_notify_watched[i].syscall);
		if (nr >= 0)
			rc = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, nr, 0);
	}
	if (rc < 0) {
		seccomp_release(ctx);
		return mb_error_set(err, rc, "seccomp notify filter: %s", strerror(-rc));
	}
	int fd = load_with_listener(ctx, err);
	seccomp_release(ctx);
	if (fd < 0)
		return fd;
	*ret_listener = fd;
	return 0;
}
