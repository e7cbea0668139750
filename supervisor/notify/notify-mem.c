/* Reading the target's memory with process_vm_readv(2). It needs ptrace
 * access to the target (PTRACE_MODE_ATTACH_REALCREDS): the supervisor is the
 * target's ancestor, runs as its uid or as root, and the server stays
 * dumpable (after execve it is, unless it says otherwise; a launcher without
 * privileges still reads it because the server's mm belongs to the sandbox's
 * user namespace, which the launcher owns). */
#include <errno.h>
#include <string.h>
#include <sys/uio.h>

#include "supervisor/notify/notify-internal.h"

static int vm_errno(void)
{
	/* ESRCH: gone. EFAULT (and EIO on some kernels' partial page): bad
	 * address. Anything else (EPERM) is the caller's to report. */
	if (errno == EIO)
		return -EFAULT;
	return -errno;
}

int mb_remote_string(struct mb_notifier *n, uint64_t addr, char *buf, size_t bufsz)
{
	size_t got = 0;
	while (got < bufsz) {
		uint64_t a = addr + got;
		if (a < addr) /* wrapped */
			return -EFAULT;
		/* Up to the end of a's page: one piece is wholly mapped or not. */
		size_t chunk = (size_t)n->page_size - (size_t)(a % (uint64_t)n->page_size);
		if (chunk > bufsz - got)
			chunk = bufsz - got;
		struct iovec local = { .iov_base = buf + got, .iov_len = chunk };
		struct iovec remote = { .iov_base = (void *)(uintptr_t)a, .iov_len = chunk };
		ssize_t r = process_vm_readv(n->pid, &local, 1, &remote, 1, 0);
		if (r < 0)
			return vm_errno();
		if (r == 0)
			return -EFAULT;
		char *nul = memchr(buf + got, '\0', (size_t)r);
		if (nul)
			return (int)(nul - buf);
		got += (size_t)r;
		if ((size_t)r < chunk)
			return -EFAULT;
	}
	return -ENAMETOOLONG;
}

int mb_remote_read(struct mb_notifier *n, uint64_t addr, void *buf, size_t len)
{
	if (len == 0)
		return 0;
	struct iovec local = { .iov_base = buf, .iov_len = len };
	struct iovec remote = { .iov_base = (void *)(uintptr_t)addr, .iov_len = len };
	ssize_t r = process_vm_readv(n->pid, &local, 1, &remote, 1, 0);
	if (r < 0)
		return vm_errno();
	return (size_t)r == len ? 0 : -EFAULT;
}
