/* SPDX-License-Identifier: Apache-2.0 */
/* Reading the target's memory with process_vm_readv(2), once per argument:
 * what is decided and performed is this copy, never the target's memory
 * read again. It needs ptrace access to the target
 * (PTRACE_MODE_ATTACH_REALCREDS): the supervisor is the target's ancestor,
 * runs as its uid or as root (real ids, notify-ident.h), and the server
 * stays dumpable (after execve it is, unless it says otherwise; a launcher
 * without privileges still reads it because the server's mm belongs to the
 * sandbox's user namespace, which the launcher owns).
 *
 * process_vm_readv cannot read every page the kernel's copy_from_user can:
 * VM_PFNMAP/VM_IO mappings such as [vvar], and memfd_secret(2) pages, fail
 * it. Such an argument is unreadable, denied EFAULT and reported
 * (mb_unreadable): never left to the kernel, which would read it. */
#include <errno.h>
#include <stdio.h>
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
		n->fault_addr = a;
		if (r < 0)
			return vm_errno();
		if (r == 0)
			return -EFAULT;
		char *nul = memchr(buf + got, '\0', (size_t)r);
		if (nul)
			return (int)(nul - buf);
		got += (size_t)r;
		n->fault_addr = addr + got;
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
	n->fault_addr = addr + (r > 0 ? (uint64_t)r : 0);
	if (r < 0)
		return vm_errno();
	return (size_t)r == len ? 0 : -EFAULT;
}

/* Does addr lie in a readable mapping of the target (/proc/PID/maps)?
 * Asked only after a read failed: an address nothing maps readable is the
 * kernel's own EFAULT (a bug, not an attack); a readable page we could not
 * read ([vvar], memfd_secret) is the attack. The answer is EFAULT either
 * way: only the report differs. */
static bool mapped(struct mb_notifier *n, uint64_t addr)
{
	char p[48], line[512];
	snprintf(p, sizeof(p), "/proc/%d/maps", (int)n->pid);
	FILE *f = fopen(p, "re");
	if (!f)
		return true; /* cannot tell: report it */
	bool in = false;
	while (!in && fgets(line, sizeof(line), f)) {
		unsigned long long lo, hi;
		char perms[8];
		if (sscanf(line, "%llx-%llx %7s", &lo, &hi, perms) == 3 && addr >= lo && addr < hi)
			in = perms[0] == 'r';
	}
	fclose(f);
	return in;
}

int mb_unreadable(struct mb_notifier *n, struct mb_notified_target *t, int r)
{
	if (r == -ESRCH)
		return MB_VANISHED;
	if (r == -EFAULT && !mapped(n, n->fault_addr))
		return -EFAULT;
	n->stats.unreadable++;
	*t = (struct mb_notified_target){ .kind = MB_TARGET_UNREADABLE, .presence = MB_PRESENT,
					  .resolve_error = r };
	return MB_DECODED;
}
