/* SPDX-License-Identifier: Apache-2.0 */
/* The table of watched system calls, the BPF filter built from it, its
 * installation in the server's process and the hand-off of the listener. */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/kernel-compat.h"
#include "sandbox/bpf.h"
#include "sandbox/watch.h"

#define NA MB_WATCH_NOARG
#define OPS(x) ((uint8_t)(1u << (x)))
#define W OPS(MB_OP_WRITE)

/* A path argument at (dirfd d, path p). */
#define P(d, p, ops_, follow_, creates_) \
	{ .dirfd = (d), .path = (p), .ops = (ops_), .follow = (follow_), .creates = (creates_) }
#define NOPATH { .dirfd = NA, .path = NA }

/* Last checked against Linux 6.18's system call table (every call that
 * takes a path, x86-64 and the generic table): every one that writes, opens
 * or executes is a row here or denied by the baseline
 * (sandbox/seccomp-baseline.c: mount API, open_by_handle_at, io_uring...).
 * 6.x added fchmodat2 (452), setxattrat (463), removexattrat (466) and
 * file_setattr (469, 6.17): rows. Left unwatched, like stat(2): the calls
 * that only read metadata -- getxattrat, listxattrat (464, 465),
 * file_getattr (468), statx, faccessat2, readlinkat, statfs. uselib(2) (x86,
 * CONFIG_USELIB) opens a file for exec and then fails ENOEXEC without a.out
 * support; it is neither a row nor in the baseline (the baseline is the
 * place for it).
 *
 * Notes on what each row counts as:
 * - open family: ops from the flags (mb_watch_open_ops). O_PATH opens are not
 *   watched at all: an O_PATH fd reads and writes nothing; it serves fstat,
 *   fchdir and as the anchor of *at calls, and every use that touches content
 *   (openat relative to it, execveat AT_EMPTY_PATH, reopening it through
 *   /proc/self/fd/N) is itself a watched call resolved to the real file. The
 *   filter lets open/openat with O_PATH through without a notification;
 *   openat2 hides its flags in a struct, so the notifier answers those.
 * - link: the new name is a write; the old one needs read and write, since
 *   the new name reaches the same inode (a hard link must not launder a file
 *   into a place where more is granted). rename only moves a name: write on
 *   both (an atomic write-then-rename needs nothing else).
 * - symlink: only the new link is checked; its target is text that is
 *   resolved, and checked, when something later follows the link.
 * - connect/sendto/sendmsg of a named AF_UNIX socket: a write of the socket
 *   file (what DAC asks for); bind of one creates it.
 * - chmod/chown family and truncate: writes (of metadata, or of content).
 * - extended attributes and times (setxattr, removexattr, utimensat...):
 *   writes of metadata, as chmod is: an ACL set in system.posix_acl_access
 *   is a chmod by another name, and Landlock governs neither. utimensat
 *   with a NULL path (futimens) works through a descriptor already open,
 *   like fchmod: the filter lets it through.
 * - file_setattr: a write of metadata (the inode flags chattr sets, the
 *   project id), as chmod is.
 * - umask: nothing to decide, no memory argument (answered CONTINUE); the
 *   notifier creates files with the server's umask, which it then reads
 *   again. */
static const struct mb_watch_syscall table[] = {
	{ .name = "openat", .nr = SYS_openat, .kind = MB_WATCH_OPEN,
	  .p = { P(0, 1, 0, MB_FOLLOW_UNLESS_NOFOLLOW, false), NOPATH }, .flags = 2,
	  .how = NA, .how_size = NA, .addr = NA, .addr_len = NA,
	  .bpf = MB_BPF_MASK_CLEAR, .bpf_arg = 2, .bpf_mask = O_PATH,
	  .x = { 3, NA, NA, NA } },
	{ .name = "execve", .nr = SYS_execve, .kind = MB_WATCH_EXEC,
	  .p = { P(NA, 0, OPS(MB_OP_EXEC), MB_FOLLOW_YES, false), NOPATH }, .flags = NA,
	  .how = NA, .how_size = NA, .addr = NA, .addr_len = NA,
	  .x = { NA, NA, NA, NA } },
	{ .name = "connect", .nr = SYS_connect, .kind = MB_WATCH_SOCKADDR,
	  .p = { NOPATH, NOPATH }, .flags = NA, .how = NA, .how_size = NA,
	  .addr = 1, .addr_len = 2, .net_op = MB_OP_CONNECT,
	  .x = { NA, NA, NA, NA } },
	{ .name = "sendto", .nr = SYS_sendto, .kind = MB_WATCH_SOCKADDR,
	  .p = { NOPATH, NOPATH }, .flags = NA, .how = NA, .how_size = NA,
	  .addr = 4, .addr_len = 5, .net_op = MB_OP_CONNECT,
	  .bpf = MB_BPF_NONZERO, .bpf_arg = 4,
	  .x = { NA, NA, NA, NA } },
	{ .name = "sendmsg", .nr = SYS_sendmsg, .kind = MB_WATCH_MSGHDR,
	  .p = { NOPATH, NOPATH }, .flags = NA, .how = NA, .how_size = NA,
	  .addr = 1, .addr_len = NA, .net_op = MB_OP_CONNECT,
	  .x = { NA, NA, NA, NA } },
	{ .name = "sendmmsg", .nr = SYS_sendmmsg, .kind = MB_WATCH_MMSGHDR,
	  .p = { NOPATH, NOPATH }, .flags = NA, .how = NA, .how_size = NA,
	  .addr = 1, .addr_len = 2, .net_op = MB_OP_CONNECT,
	  .x = { NA, NA, NA, NA } },
	{ .name = "bind", .nr = SYS_bind, .kind = MB_WATCH_SOCKADDR,
	  .p = { NOPATH, NOPATH }, .flags = NA, .how = NA, .how_size = NA,
	  .addr = 1, .addr_len = 2, .net_op = MB_OP_BIND,
	  .x = { NA, NA, NA, NA } },
	{ .name = "listen", .nr = SYS_listen, .kind = MB_WATCH_LISTEN,
	  .p = { NOPATH, NOPATH }, .flags = NA, .how = NA, .how_size = NA,
	  .addr = NA, .addr_len = NA, .net_op = MB_OP_BIND,
	  .x = { NA, NA, NA, NA } },
	{ .name = "openat2", .nr = SYS_openat2, .kind = MB_WATCH_OPENAT2,
	  .p = { P(0, 1, 0, MB_FOLLOW_UNLESS_NOFOLLOW, false), NOPATH }, .flags = NA,
	  .how = 2, .how_size = 3, .addr = NA, .addr_len = NA,
	  .x = { NA, NA, NA, NA } },
	{ .name = "execveat", .nr = SYS_execveat, .kind = MB_WATCH_EXEC,
	  .p = { P(0, 1, OPS(MB_OP_EXEC), MB_FOLLOW_UNLESS_NOFOLLOW, false), NOPATH },
	  .flags = 4, .at_flags = AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW,
	  .how = NA, .how_size = NA, .addr = NA, .addr_len = NA,
	  .x = { NA, NA, NA, NA } },
	{ .name = "unlinkat", .nr = SYS_unlinkat, .kind = MB_WATCH_PATH,
	  .p = { P(0, 1, W, MB_FOLLOW_NO, false), NOPATH }, .flags = NA,
	  .how = NA, .how_size = NA, .addr = NA, .addr_len = NA,
	  .perform = MB_PERFORM_UNLINK, .x = { 2, NA, NA, NA } },
	{ .name = "renameat2", .nr = SYS_renameat2, .kind = MB_WATCH_PATH,
	  .p = { P(0, 1, W, MB_FOLLOW_NO, false), P(2, 3, W, MB_FOLLOW_NO, true) },
	  .flags = NA, .how = NA, .how_size = NA, .addr = NA, .addr_len = NA,
	  .perform = MB_PERFORM_RENAME, .x = { 4, NA, NA, NA } },
	{ .name = "renameat", .nr = SYS_renameat, .kind = MB_WATCH_PATH,
	  .p = { P(0, 1, W, MB_FOLLOW_NO, false), P(2, 3, W, MB_FOLLOW_NO, true) },
	  .flags = NA, .how = NA, .how_size = NA, .addr = NA, .addr_len = NA,
	  .perform = MB_PERFORM_RENAME, .x = { NA, NA, NA, NA } },
	{ .name = "mkdirat", .nr = SYS_mkdirat, .kind = MB_WATCH_PATH,
	  .p = { P(0, 1, W, MB_FOLLOW_NO, true), NOPATH }, .flags = NA,
	  .how = NA, .how_size = NA, .addr = NA, .addr_len = NA,
	  .perform = MB_PERFORM_MKDIR, .x = { 2, NA, NA, NA } },
	{ .name = "mknodat", .nr = SYS_mknodat, .kind = MB_WATCH_PATH,
	  .p = { P(0, 1, W, MB_FOLLOW_NO, true), NOPATH }, .flags = NA,
	  .how = NA, .how_size = NA, .addr = NA, .addr_len = NA,
	  .perform = MB_PERFORM_MKNOD, .x = { 2, 3, NA, NA } },
	{ .name = "linkat", .nr = SYS_linkat, .kind = MB_WATCH_PATH,
	  .p = { P(0, 1, OPS(MB_OP_READ) | W, MB_FOLLOW_IF_FOLLOW, false),
		 P(2, 3, W, MB_FOLLOW_NO, true) },
	  .flags = 4, .at_flags = AT_EMPTY_PATH | AT_SYMLINK_FOLLOW,
	  .how = NA, .how_size = NA, .addr = NA, .addr_len = NA,
	  .perform = MB_PERFORM_LINK, .x = { NA, NA, NA, NA } },
	{ .name = "symlinkat", .nr = SYS_symlinkat, .kind = MB_WATCH_PATH,
	  .p = { P(1, 2, W, MB_FOLLOW_NO, true), NOPATH }, .flags = NA,
	  .how = NA, .how_size = NA, .addr = NA, .addr_len = NA,
	  .perform = MB_PERFORM_SYMLINK, .x = { 0, NA, NA, NA } },
	{ .name = "fchmodat", .nr = SYS_fchmodat, .kind = MB_WATCH_PATH,
	  .p = { P(0, 1, W, MB_FOLLOW_YES, false), NOPATH }, .flags = NA,
	  .how = NA, .how_size = NA, .addr = NA, .addr_len = NA,
	  .perform = MB_PERFORM_CHMOD, .x = { 2, NA, NA, NA } },
	{ .name = "fchmodat2", .nr = SYS_fchmodat2, .kind = MB_WATCH_PATH,
	  .p = { P(0, 1, W, MB_FOLLOW_UNLESS_NOFOLLOW, false), NOPATH },
	  .flags = 3, .at_flags = AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW,
	  .how = NA, .how_size = NA, .addr = NA, .addr_len = NA,
	  .perform = MB_PERFORM_CHMOD, .x = { 2, NA, NA, NA } },
	{ .name = "fchownat", .nr = SYS_fchownat, .kind = MB_WATCH_PATH,
	  .p = { P(0, 1, W, MB_FOLLOW_UNLESS_NOFOLLOW, false), NOPATH },
	  .flags = 4, .at_flags = AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW,
	  .how = NA, .how_size = NA, .addr = NA, .addr_len = NA,
	  .perform = MB_PERFORM_CHOWN, .x = { 2, 3, NA, NA } },
	{ .name = "truncate", .nr = SYS_truncate, .kind = MB_WATCH_PATH,
	  .p = { P(NA, 0, W, MB_FOLLOW_YES, false), NOPATH }, .flags = NA,
	  .how = NA, .how_size = NA, .addr = NA, .addr_len = NA,
	  .perform = MB_PERFORM_TRUNCATE, .x = { 1, NA, NA, NA } },
	{ .name = "utimensat", .nr = SYS_utimensat, .kind = MB_WATCH_PATH,
	  .p = { P(0, 1, W, MB_FOLLOW_UNLESS_NOFOLLOW, false), NOPATH },
	  .flags = 3, .at_flags = AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW,
	  .how = NA, .how_size = NA, .addr = NA, .addr_len = NA,
	  .bpf = MB_BPF_NONZERO, .bpf_arg = 1,
	  .perform = MB_PERFORM_UTIMENSAT, .x = { 2, NA, NA, NA } },
	{ .name = "setxattr", .nr = SYS_setxattr, .kind = MB_WATCH_PATH,
	  .p = { P(NA, 0, W, MB_FOLLOW_YES, false), NOPATH }, .flags = NA,
	  .how = NA, .how_size = NA, .addr = NA, .addr_len = NA,
	  .perform = MB_PERFORM_SETXATTR, .x = { 1, 2, 3, 4 } },
	{ .name = "lsetxattr", .nr = SYS_lsetxattr, .kind = MB_WATCH_PATH,
	  .p = { P(NA, 0, W, MB_FOLLOW_NO, false), NOPATH }, .flags = NA,
	  .how = NA, .how_size = NA, .addr = NA, .addr_len = NA,
	  .perform = MB_PERFORM_SETXATTR, .x = { 1, 2, 3, 4 } },
	{ .name = "removexattr", .nr = SYS_removexattr, .kind = MB_WATCH_PATH,
	  .p = { P(NA, 0, W, MB_FOLLOW_YES, false), NOPATH }, .flags = NA,
	  .how = NA, .how_size = NA, .addr = NA, .addr_len = NA,
	  .perform = MB_PERFORM_REMOVEXATTR, .x = { 1, NA, NA, NA } },
	{ .name = "lremovexattr", .nr = SYS_lremovexattr, .kind = MB_WATCH_PATH,
	  .p = { P(NA, 0, W, MB_FOLLOW_NO, false), NOPATH }, .flags = NA,
	  .how = NA, .how_size = NA, .addr = NA, .addr_len = NA,
	  .perform = MB_PERFORM_REMOVEXATTR, .x = { 1, NA, NA, NA } },
	{ .name = "setxattrat", .nr = SYS_setxattrat, .kind = MB_WATCH_PATH,
	  .p = { P(0, 1, W, MB_FOLLOW_UNLESS_NOFOLLOW, false), NOPATH },
	  .flags = 2, .at_flags = AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW,
	  .how = NA, .how_size = NA, .addr = NA, .addr_len = NA,
	  .perform = MB_PERFORM_SETXATTRAT, .x = { 3, 4, 5, NA } },
	{ .name = "removexattrat", .nr = SYS_removexattrat, .kind = MB_WATCH_PATH,
	  .p = { P(0, 1, W, MB_FOLLOW_UNLESS_NOFOLLOW, false), NOPATH },
	  .flags = 2, .at_flags = AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW,
	  .how = NA, .how_size = NA, .addr = NA, .addr_len = NA,
	  .perform = MB_PERFORM_REMOVEXATTR, .x = { 3, NA, NA, NA } },
	{ .name = "file_setattr", .nr = SYS_file_setattr, .kind = MB_WATCH_PATH,
	  .p = { P(0, 1, W, MB_FOLLOW_UNLESS_NOFOLLOW, false), NOPATH },
	  .flags = 4, .at_flags = AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW,
	  .how = NA, .how_size = NA, .addr = NA, .addr_len = NA,
	  .perform = MB_PERFORM_FILE_SETATTR, .x = { 2, 3, NA, NA } },
	{ .name = "umask", .nr = SYS_umask, .kind = MB_WATCH_NOTE,
	  .p = { NOPATH, NOPATH }, .flags = NA, .how = NA, .how_size = NA,
	  .addr = NA, .addr_len = NA, .x = { NA, NA, NA, NA } },
	/* The legacy calls that new architectures (arm64, riscv) do not have. */
#ifdef SYS_open
	{ .name = "open", .nr = SYS_open, .kind = MB_WATCH_OPEN,
	  .p = { P(NA, 0, 0, MB_FOLLOW_UNLESS_NOFOLLOW, false), NOPATH }, .flags = 1,
	  .how = NA, .how_size = NA, .addr = NA, .addr_len = NA,
	  .bpf = MB_BPF_MASK_CLEAR, .bpf_arg = 1, .bpf_mask = O_PATH,
	  .x = { 2, NA, NA, NA } },
#endif
#ifdef SYS_creat
	{ .name = "creat", .nr = SYS_creat, .kind = MB_WATCH_OPEN,
	  .p = { P(NA, 0, 0, MB_FOLLOW_UNLESS_NOFOLLOW, false), NOPATH }, .flags = NA,
	  .implied_open = O_CREAT | O_WRONLY | O_TRUNC,
	  .how = NA, .how_size = NA, .addr = NA, .addr_len = NA,
	  .x = { 1, NA, NA, NA } },
#endif
#ifdef SYS_unlink
	{ .name = "unlink", .nr = SYS_unlink, .kind = MB_WATCH_PATH,
	  .p = { P(NA, 0, W, MB_FOLLOW_NO, false), NOPATH }, .flags = NA,
	  .how = NA, .how_size = NA, .addr = NA, .addr_len = NA,
	  .perform = MB_PERFORM_UNLINK, .x = { NA, NA, NA, NA } },
#endif
#ifdef SYS_rmdir
	{ .name = "rmdir", .nr = SYS_rmdir, .kind = MB_WATCH_PATH,
	  .p = { P(NA, 0, W, MB_FOLLOW_NO, false), NOPATH }, .flags = NA,
	  .how = NA, .how_size = NA, .addr = NA, .addr_len = NA,
	  .perform = MB_PERFORM_RMDIR, .x = { NA, NA, NA, NA } },
#endif
#ifdef SYS_rename
	{ .name = "rename", .nr = SYS_rename, .kind = MB_WATCH_PATH,
	  .p = { P(NA, 0, W, MB_FOLLOW_NO, false), P(NA, 1, W, MB_FOLLOW_NO, true) },
	  .flags = NA, .how = NA, .how_size = NA, .addr = NA, .addr_len = NA,
	  .perform = MB_PERFORM_RENAME, .x = { NA, NA, NA, NA } },
#endif
#ifdef SYS_mkdir
	{ .name = "mkdir", .nr = SYS_mkdir, .kind = MB_WATCH_PATH,
	  .p = { P(NA, 0, W, MB_FOLLOW_NO, true), NOPATH }, .flags = NA,
	  .how = NA, .how_size = NA, .addr = NA, .addr_len = NA,
	  .perform = MB_PERFORM_MKDIR, .x = { 1, NA, NA, NA } },
#endif
#ifdef SYS_mknod
	{ .name = "mknod", .nr = SYS_mknod, .kind = MB_WATCH_PATH,
	  .p = { P(NA, 0, W, MB_FOLLOW_NO, true), NOPATH }, .flags = NA,
	  .how = NA, .how_size = NA, .addr = NA, .addr_len = NA,
	  .perform = MB_PERFORM_MKNOD, .x = { 1, 2, NA, NA } },
#endif
#ifdef SYS_link
	{ .name = "link", .nr = SYS_link, .kind = MB_WATCH_PATH,
	  .p = { P(NA, 0, OPS(MB_OP_READ) | W, MB_FOLLOW_NO, false),
		 P(NA, 1, W, MB_FOLLOW_NO, true) },
	  .flags = NA, .how = NA, .how_size = NA, .addr = NA, .addr_len = NA,
	  .perform = MB_PERFORM_LINK, .x = { NA, NA, NA, NA } },
#endif
#ifdef SYS_symlink
	{ .name = "symlink", .nr = SYS_symlink, .kind = MB_WATCH_PATH,
	  .p = { P(NA, 1, W, MB_FOLLOW_NO, true), NOPATH }, .flags = NA,
	  .how = NA, .how_size = NA, .addr = NA, .addr_len = NA,
	  .perform = MB_PERFORM_SYMLINK, .x = { 0, NA, NA, NA } },
#endif
#ifdef SYS_chmod
	{ .name = "chmod", .nr = SYS_chmod, .kind = MB_WATCH_PATH,
	  .p = { P(NA, 0, W, MB_FOLLOW_YES, false), NOPATH }, .flags = NA,
	  .how = NA, .how_size = NA, .addr = NA, .addr_len = NA,
	  .perform = MB_PERFORM_CHMOD, .x = { 1, NA, NA, NA } },
#endif
#ifdef SYS_chown
	{ .name = "chown", .nr = SYS_chown, .kind = MB_WATCH_PATH,
	  .p = { P(NA, 0, W, MB_FOLLOW_YES, false), NOPATH }, .flags = NA,
	  .how = NA, .how_size = NA, .addr = NA, .addr_len = NA,
	  .perform = MB_PERFORM_CHOWN, .x = { 1, 2, NA, NA } },
#endif
#ifdef SYS_lchown
	{ .name = "lchown", .nr = SYS_lchown, .kind = MB_WATCH_PATH,
	  .p = { P(NA, 0, W, MB_FOLLOW_NO, false), NOPATH }, .flags = NA,
	  .how = NA, .how_size = NA, .addr = NA, .addr_len = NA,
	  .perform = MB_PERFORM_CHOWN, .x = { 1, 2, NA, NA } },
#endif
#ifdef SYS_utimes
	{ .name = "utimes", .nr = SYS_utimes, .kind = MB_WATCH_PATH,
	  .p = { P(NA, 0, W, MB_FOLLOW_YES, false), NOPATH }, .flags = NA,
	  .how = NA, .how_size = NA, .addr = NA, .addr_len = NA,
	  .perform = MB_PERFORM_UTIMES, .x = { 1, NA, NA, NA } },
#endif
#ifdef SYS_utime
	{ .name = "utime", .nr = SYS_utime, .kind = MB_WATCH_PATH,
	  .p = { P(NA, 0, W, MB_FOLLOW_YES, false), NOPATH }, .flags = NA,
	  .how = NA, .how_size = NA, .addr = NA, .addr_len = NA,
	  .perform = MB_PERFORM_UTIME, .x = { 1, NA, NA, NA } },
#endif
#ifdef SYS_futimesat
	{ .name = "futimesat", .nr = SYS_futimesat, .kind = MB_WATCH_PATH,
	  .p = { P(0, 1, W, MB_FOLLOW_YES, false), NOPATH }, .flags = NA,
	  .how = NA, .how_size = NA, .addr = NA, .addr_len = NA,
	  .bpf = MB_BPF_NONZERO, .bpf_arg = 1,
	  .perform = MB_PERFORM_UTIMES, .x = { 2, NA, NA, NA } },
#endif
};

#undef W
#undef P
#undef NOPATH
#undef OPS

const struct mb_watch_syscall *mb_watch_table(size_t *ret_n)
{
	*ret_n = ARRAY_SIZE(table);
	return table;
}

const struct mb_watch_syscall *mb_watch_lookup(int nr)
{
	for (size_t i = 0; i < ARRAY_SIZE(table); i++)
		if (table[i].nr == nr)
			return &table[i];
	return NULL;
}

unsigned mb_watch_open_ops(uint64_t flags)
{
	if (flags & O_PATH)
		return 0;
	unsigned ops;
	switch (flags & O_ACCMODE) {
	case O_RDONLY:
		ops = 1u << MB_OP_READ;
		break;
	case O_WRONLY:
		ops = 1u << MB_OP_WRITE;
		break;
	default: /* O_RDWR, and 3, which Linux checks as read + write */
		ops = 1u << MB_OP_READ | 1u << MB_OP_WRITE;
		break;
	}
	/* O_TRUNC empties the file even when opened read-only; O_TMPFILE makes
	 * a file in the directory. O_CREAT is a write only when the file is new:
	 * the notifier adds it then. */
	if (flags & O_TRUNC)
		ops |= 1u << MB_OP_WRITE;
	if ((flags & O_TMPFILE) == O_TMPFILE)
		ops |= 1u << MB_OP_WRITE;
	return ops;
}

/* ---- the filter ------------------------------------------------------- */

static void seccomp_releasep(scmp_filter_ctx *ctx)
{
	if (*ctx)
		seccomp_release(*ctx);
}

static int add_row(scmp_filter_ctx ctx, const struct mb_watch_syscall *s)
{
	switch (s->bpf) {
	case MB_BPF_MASK_CLEAR:
		return seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, s->nr, 1,
					SCMP_CMP((unsigned)s->bpf_arg, SCMP_CMP_MASKED_EQ,
						 s->bpf_mask, 0));
	case MB_BPF_NONZERO:
		return seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, s->nr, 1,
					SCMP_CMP((unsigned)s->bpf_arg, SCMP_CMP_NE, 0, 0));
	default:
		return seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, s->nr, 0);
	}
}

int mb_watch_filter_build(struct mb_bpf *ret, struct mb_error *err)
{
	_cleanup_(seccomp_releasep) scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		return mb_error_set(err, -ENOMEM, "seccomp_init: out of memory");

	/* A call made through another ABI (int 0x80 on x86-64, x32) would not
	 * be seen at all: kill rather than let it pass unwatched. */
	int r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
	if (r < 0)
		return mb_error_set(err, r, "seccomp: cannot set the foreign-architecture action: %s",
				    strerror(-r));
	/* We set no_new_privs ourselves in mb_watch_install(). */
	r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	if (r < 0)
		return mb_error_set(err, r, "seccomp: %s", strerror(-r));

	for (size_t i = 0; i < ARRAY_SIZE(table); i++) {
		r = add_row(ctx, &table[i]);
		if (r < 0)
			return mb_error_set(err, r,
					    "seccomp: cannot watch %s: %s (does this kernel have "
					    "seccomp user notification? it needs Linux 5.5)",
					    table[i].name, strerror(-r));
	}

	return mb_bpf_export(ctx, ret, err);
}

int mb_watch_install(const struct mb_bpf *f, unsigned *ret_features)
{
	/* mb_bpf_export keeps n within BPF_MAXINSNS */
	struct sock_fprog prog = { .len = (unsigned short)f->n, .filter = f->insns };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	unsigned features = MB_WATCH_KILLABLE_RECV;
	long fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
			  SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV,
			  &prog);
	if (fd < 0 && errno == EINVAL) {
		/* Before 5.19: the wait is interruptible by any signal; a
		 * restarted call is simply notified again. */
		features = 0;
		fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER,
			     &prog);
	}
	if (fd < 0)
		return -errno;
	*ret_features = features;
	return (int)fd;
}

/* ---- hand-off ---------------------------------------------------------- */

#define HANDOFF_MAGIC 0x6d62774cu /* "mbwL" */
#define HANDOFF_ACK 'A'

struct handoff_msg {
	uint32_t magic;
	int32_t fd;
	uint32_t features;
};

int mb_watch_handoff_pair(int fds[2])
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return -errno;
	int one = 1;
	if (setsockopt(sv[0], SOL_SOCKET, SO_PASSPIDFD, &one, sizeof(one)) < 0 &&
	    setsockopt(sv[0], SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0) {
		int r = -errno;
		mb_close(sv[0]);
		mb_close(sv[1]);
		return r;
	}
	fds[0] = sv[0];
	fds[1] = sv[1];
	return 0;
}

int mb_watch_handoff_send(int sock, int listener, unsigned features)
{
	struct handoff_msg m = { .magic = HANDOFF_MAGIC, .fd = listener, .features = features };
	ssize_t n;
	do
		n = write(sock, &m, sizeof(m));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n != sizeof(m))
		return -EPIPE;
	char ack = 0;
	do
		n = read(sock, &ack, 1);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return n == 1 && ack == HANDOFF_ACK ? 0 : -EPIPE;
}

/* Whether we run under a seccomp filter of someone else's (a container
 * runtime's): "Seccomp: 2" in /proc/self/status. */
static bool under_seccomp_filter(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	if (!f)
		return false;
	char line[128];
	bool filtered = false;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "Seccomp:", 8) == 0)
			filtered = atoi(line + 8) == 2;
	fclose(f);
	return filtered;
}

static int is_seccomp_listener(int fd)
{
	char path[64], link[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = '\0';
	return strcmp(link, "anon_inode:seccomp notify") == 0 ? 0 : -EBADF;
}

int mb_watch_handoff_recv(int sock, int *ret_listener, unsigned *ret_features,
			  struct mb_error *err)
{
	struct handoff_msg m;
	union {
		char buf[CMSG_SPACE(sizeof(int)) + CMSG_SPACE(sizeof(struct ucred))];
		struct cmsghdr align;
	} control;
	struct iovec iov = { .iov_base = &m, .iov_len = sizeof(m) };
	struct msghdr mh = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = control.buf,
		.msg_controllen = sizeof(control.buf),
	};
	ssize_t n;
	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return mb_error_set(err, mb_neg_errno(), "receiving the seccomp listener: %m");
	if (n == 0)
		return mb_error_set(err, -EPIPE,
				    "receiving the seccomp listener: the server's process exited first");

	_cleanup_close_ int pidfd = -1;
	pid_t pid = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level != SOL_SOCKET)
			continue;
		if (c->cmsg_type == SCM_PIDFD && c->cmsg_len == CMSG_LEN(sizeof(int))) {
			mb_close(pidfd);
			memcpy(&pidfd, CMSG_DATA(c), sizeof(int));
		} else if (c->cmsg_type == SCM_CREDENTIALS &&
			   c->cmsg_len == CMSG_LEN(sizeof(struct ucred))) {
			struct ucred uc;
			memcpy(&uc, CMSG_DATA(c), sizeof(uc));
			pid = uc.pid;
		}
	}
	if (n != sizeof(m) || m.magic != HANDOFF_MAGIC || m.fd < 0)
		return mb_error_set(err, -EPROTO,
				    "receiving the seccomp listener: unexpected message (%zd bytes)", n);
	if (pidfd < 0 && pid > 0) {
		/* SO_PASSCRED fallback: the child is blocked waiting for us, so
		 * its pid cannot be reused before we are done. */
		pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
		if (pidfd < 0)
			return mb_error_set(err, mb_neg_errno(), "pidfd_open(%d): %m", (int)pid);
	}
	if (pidfd < 0)
		return mb_error_set(err, -EPROTO,
				    "receiving the seccomp listener: no sender credentials "
				    "(was the socket made with mb_watch_handoff_pair?)");

	_cleanup_close_ int listener = (int)syscall(SYS_pidfd_getfd, pidfd, m.fd, 0);
	if (listener < 0 && errno == EPERM && under_seccomp_filter())
		return mb_error_set(err, -EPERM,
				    "pidfd_getfd of the seccomp listener: Operation not permitted: a "
				    "seccomp filter around membrane-run refuses it (Docker's default "
				    "profile does without CAP_SYS_PTRACE); let it through "
				    "(docs/containers.md), membrane-run --doctor says what else is refused");
	if (listener < 0)
		return mb_error_set(err, mb_neg_errno(),
				    "pidfd_getfd of the seccomp listener: %m (is the server's "
				    "process still dumpable?)");
	int r = is_seccomp_listener(listener);
	if (r < 0)
		return mb_error_set(err, r, "the fd handed over is not a seccomp listener");

	char ack = HANDOFF_ACK;
	if (write(sock, &ack, 1) != 1)
		return mb_error_set(err, mb_neg_errno(), "acknowledging the seccomp listener: %m");
	*ret_listener = TAKE_FD(listener);
	*ret_features = m.features;
	return 0;
}

int mb_watch_continue_launch(int listener, struct mb_error *err)
{
	struct seccomp_notif_sizes sizes;
	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0)
		return mb_error_set(err, mb_neg_errno(), "SECCOMP_GET_NOTIF_SIZES: %m");
	union {
		struct seccomp_notif n;
		char buf[512];
	} req;
	union {
		struct seccomp_notif_resp r;
		char buf[512];
	} resp;
	if (sizes.seccomp_notif > sizeof(req) || sizes.seccomp_notif_resp > sizeof(resp))
		return mb_error_set(err, -EOVERFLOW, "seccomp notification structures too large");
	memset(&req, 0, sizes.seccomp_notif);
	int r;
	do
		r = ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &req.n);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return mb_error_set(err, mb_neg_errno(), "SECCOMP_IOCTL_NOTIF_RECV: %m");

	bool is_exec = req.n.data.nr == SYS_execve || req.n.data.nr == SYS_execveat;
	memset(&resp, 0, sizes.seccomp_notif_resp);
	resp.r.id = req.n.id;
	if (is_exec)
		resp.r.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	else
		resp.r.error = -EPERM;
	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp.r) < 0 && errno != ENOENT)
		return mb_error_set(err, mb_neg_errno(), "SECCOMP_IOCTL_NOTIF_SEND: %m");
	if (!is_exec)
		return mb_error_set(err, -EPROTO,
				    "the server's first watched call was system call %d, not execve",
				    req.n.data.nr);
	return 0;
}
