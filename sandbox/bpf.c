/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/kernel-compat.h"
#include "sandbox/bpf.h"

int mb_bpf_export(scmp_filter_ctx ctx, struct mb_bpf *ret, struct mb_error *err)
{
	/* libseccomp 2.5 writes the program to an fd only. Sealed
	 * non-executable where the kernel knows how (the baseline refuses
	 * unsealed memfds where vm.memfd_noexec could not be set). */
	int mfd = memfd_create("membrane-bpf", MFD_CLOEXEC | MFD_NOEXEC_SEAL);
	if (mfd < 0 && errno == EINVAL)
		mfd = memfd_create("membrane-bpf", MFD_CLOEXEC);
	if (mfd < 0)
		return mb_error_set(err, mb_neg_errno(), "memfd_create: %m");
	int rc = seccomp_export_bpf(ctx, mfd);
	off_t size = rc == 0 ? lseek(mfd, 0, SEEK_END) : -1;
	if (rc < 0 || size <= 0 || size % (off_t)sizeof(struct sock_filter) ||
	    size / (off_t)sizeof(struct sock_filter) > BPF_MAXINSNS) {
		mb_close(mfd);
		return mb_error_set(err, rc < 0 ? rc : -EIO, "seccomp_export_bpf failed");
	}
	struct sock_filter *insns = malloc((size_t)size);
	if (!insns || pread(mfd, insns, (size_t)size, 0) != size) {
		free(insns);
		mb_close(mfd);
		return mb_error_set(err, -EIO, "reading back a seccomp program failed");
	}
	mb_close(mfd);
	ret->insns = insns;
	ret->n = (size_t)size / sizeof(struct sock_filter);
	return 0;
}

int mb_bpf_load(const struct mb_bpf *p, unsigned flags, struct mb_error *err)
{
	struct sock_fprog prog = { .len = (unsigned short)p->n, .filter = p->insns };
	long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
	if (r < 0 && errno == ENOSYS && flags == 0)
		r = prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0);
	if (r < 0)
		return mb_error_set(err, mb_neg_errno(), "seccomp(SECCOMP_SET_MODE_FILTER%s): %m",
				    flags & SECCOMP_FILTER_FLAG_NEW_LISTENER ? ", NEW_LISTENER" : "");
	return (int)r;
}

void mb_bpf_free(struct mb_bpf *p)
{
	free(p->insns);
	p->insns = NULL;
	p->n = 0;
}
