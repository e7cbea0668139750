/* SPDX-License-Identifier: Apache-2.0 */
/* The watched system calls: the ones the server's seccomp filter turns into
 * user notifications (SECCOMP_RET_USER_NOTIF), so that the supervisor sees
 * each file, exec and network operation and holds it to the grants of the
 * tool call in flight.
 *
 * One table says, per call, where its arguments are (directory fd, path,
 * flags, sockaddr), which op it is and whether it follows a final symlink or
 * creates its target. The same table builds the BPF filter (here) and drives
 * the decoder (supervisor/notify/notify.c), so the two cannot drift apart.
 *
 * The filter is built by the supervisor before it forks (libseccomp
 * allocates) and installed by the server's process just before execve (no
 * allocation, async-signal-safe). The listener fd then has to reach the
 * supervisor without any watched call in between: sendmsg(2) is watched, so
 * SCM_RIGHTS would deadlock. The child writes the fd's number on a socket
 * whose other end has SO_PASSPIDFD (or SO_PASSCRED) set, and the supervisor
 * takes a copy with pidfd_getfd(2), as runc does. See mb_watch_handoff_*. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"
#include "common/kernel-compat.h" /* SECCOMP_IOCTL_NOTIF_SET_FLAGS... on 6.1 headers */
#include "policy/profile.h"
#include "sandbox/bpf.h"

enum mb_watch_kind {
	MB_WATCH_OPEN,     /* open, openat, creat: open flags give the ops */
	MB_WATCH_OPENAT2,  /* openat2: flags inside struct open_how */
	MB_WATCH_EXEC,     /* execve, execveat */
	MB_WATCH_PATH,     /* one or two paths with fixed ops (unlink, rename, ...) */
	MB_WATCH_SOCKADDR, /* connect, bind, sendto: a sockaddr and its length */
	MB_WATCH_MSGHDR,   /* sendmsg: msg_name of a struct msghdr */
	MB_WATCH_MMSGHDR,  /* sendmmsg: msg_name of each struct mmsghdr */
	MB_WATCH_LISTEN,   /* listen: the socket's own address, read by the
			      broker (an unbound socket binds itself) */
	MB_WATCH_NOTE,     /* umask: no memory argument and nothing to decide;
			      watched so that the notifier knows the umask it
			      creates files with may have changed (CONTINUE) */
};

/* How the supervisor performs a MB_WATCH_PATH call (notify-mutate.c), and
 * so what the row's x[] argument indexes mean. */
enum mb_watch_perform {
	MB_PERFORM_NONE,
	MB_PERFORM_UNLINK,       /* x[0]: unlinkat's flags (AT_REMOVEDIR), or NOARG */
	MB_PERFORM_RMDIR,
	MB_PERFORM_RENAME,       /* x[0]: renameat2's flags, or NOARG */
	MB_PERFORM_MKDIR,        /* x[0]: mode */
	MB_PERFORM_MKNOD,        /* x[0]: mode, x[1]: dev */
	MB_PERFORM_LINK,         /* flags: the row's flags */
	MB_PERFORM_SYMLINK,      /* x[0]: the link's text */
	MB_PERFORM_TRUNCATE,     /* x[0]: length */
	MB_PERFORM_CHMOD,        /* x[0]: mode */
	MB_PERFORM_CHOWN,        /* x[0]: owner, x[1]: group */
	MB_PERFORM_UTIME,        /* x[0]: struct utimbuf *, NULL: now */
	MB_PERFORM_UTIMES,       /* x[0]: struct timeval[2] *, NULL: now */
	MB_PERFORM_UTIMENSAT,    /* x[0]: struct timespec[2] *, NULL: now */
	MB_PERFORM_SETXATTR,     /* x[0]: name, x[1]: value, x[2]: size, x[3]: flags */
	MB_PERFORM_SETXATTRAT,   /* x[0]: name, x[1]: struct xattr_args *, x[2]: its size */
	MB_PERFORM_REMOVEXATTR,  /* x[0]: name */
	MB_PERFORM_FILE_SETATTR, /* x[0]: struct file_attr *, x[1]: its size */
};

/* Does the call follow a symlink in the final component of the path? */
enum mb_watch_follow {
	MB_FOLLOW_YES,             /* always (execve, truncate, chmod, chown) */
	MB_FOLLOW_NO,              /* never (unlink, rename, mkdir, lchown, ...) */
	MB_FOLLOW_UNLESS_NOFOLLOW, /* unless AT_SYMLINK_NOFOLLOW (or O_NOFOLLOW,
				      O_CREAT|O_EXCL for the open family) */
	MB_FOLLOW_IF_FOLLOW,       /* only with AT_SYMLINK_FOLLOW (linkat's old path) */
};

#define MB_WATCH_NOARG (-1)

/* A path argument: where it is, what it needs. */
struct mb_watch_path {
	int8_t dirfd;   /* argument index of the directory fd; NOARG: AT_FDCWD */
	int8_t path;    /* argument index of the path; NOARG: this row has none */
	uint8_t ops;    /* 1 << MB_OP_*; for the open family, derived from flags */
	uint8_t follow; /* enum mb_watch_follow */
	bool creates;   /* the call creates this name: its absence is expected */
};

/* How the BPF filter narrows a row, when a cheap argument test shows that
 * the call cannot be one we care about. */
enum mb_watch_bpf {
	MB_BPF_ALWAYS,     /* notify every call */
	MB_BPF_MASK_CLEAR, /* notify only when (arg & mask) == 0 */
	MB_BPF_NONZERO,    /* notify only when arg != 0 */
};

struct mb_watch_syscall {
	const char *name;
	int nr;                  /* native system call number */
	uint8_t kind;            /* enum mb_watch_kind */
	struct mb_watch_path p[2]; /* second path: rename/link destination */
	int8_t flags;            /* argument index of open or AT_* flags, or NOARG */
	uint32_t at_flags;       /* AT_* flags the call accepts (AT_EMPTY_PATH,
				    AT_SYMLINK_NOFOLLOW, AT_SYMLINK_FOLLOW) */
	uint32_t implied_open;   /* open flags implied by the call (creat) */
	int8_t how, how_size;    /* openat2: struct open_how and its size */
	int8_t addr, addr_len;   /* SOCKADDR: pointer and length arguments;
				    MSGHDR/MMSGHDR: addr is the msghdr vector,
				    addr_len the count (sendmmsg) */
	uint8_t net_op;          /* SOCKADDR..MMSGHDR: MB_OP_CONNECT or MB_OP_BIND */
	uint8_t bpf;             /* enum mb_watch_bpf */
	int8_t bpf_arg;
	uint64_t bpf_mask;
	uint8_t perform;         /* MB_WATCH_PATH: enum mb_watch_perform */
	int8_t x[4];             /* the call's other arguments (see perform);
				    the open family: x[0] is the mode */
};

/* The table, in order of expected frequency (the decoder scans it). */
const struct mb_watch_syscall *mb_watch_table(size_t *ret_n);
/* The row for a native system call number, or NULL. */
const struct mb_watch_syscall *mb_watch_lookup(int nr);

/* Ops an open of these flags needs (1 << MB_OP_*); 0 for O_PATH, which reads
 * and writes nothing (see watch.c). */
unsigned mb_watch_open_ops(uint64_t flags);

/* ---- the filter ------------------------------------------------------- */

/* Build the BPF program from the table for the native architecture: watched
 * calls notify, everything else is allowed (the baseline filter denies what
 * must never happen), a foreign architecture or x32 call kills the process.
 * Returns 0 or -errno with err set; free with mb_bpf_free(). */
int mb_watch_filter_build(struct mb_bpf *ret, struct mb_error *err);

/* The flags mb_watch_install() asked for and the kernel took. */
#define MB_WATCH_KILLABLE_RECV 0x1u /* SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV */

/* In the process to be watched, after fork and before execve; uses no libc
 * allocation and is async-signal-safe. Sets no_new_privs and loads f with
 * SECCOMP_FILTER_FLAG_NEW_LISTENER, plus WAIT_KILLABLE_RECV where the kernel
 * has it (5.19+: once the supervisor has received a notification, only a
 * fatal signal interrupts the wait, so Go's and Node's signals do not make
 * every notified call restart). No TSYNC: the caller is single-threaded
 * (fork leaves one thread), and threads and children created later inherit
 * the filter. Returns the listener fd (O_CLOEXEC) or -errno; *ret_features
 * gets MB_WATCH_* bits. */
int mb_watch_install(const struct mb_bpf *f, unsigned *ret_features);

/* ---- getting the listener to the supervisor -------------------------- */

/* A SOCK_SEQPACKET pair, both ends O_CLOEXEC: fds[0] stays with the
 * supervisor (SO_PASSPIDFD set, or SO_PASSCRED on kernels before 6.5),
 * fds[1] goes to the watched child. The options must be set before the child
 * writes, which is why this helper makes the pair. */
int mb_watch_handoff_pair(int fds[2]);

/* Child side, async-signal-safe, right after mb_watch_install(): write the
 * listener's number and features with write(2), then block in read(2) until
 * the supervisor has its copy. Neither call is watched. Returns 0, or -errno
 * (-EPIPE: the supervisor went away or refused). The caller then closes its
 * listener (it is O_CLOEXEC anyway) and execs: that execve is the first
 * notification the supervisor receives. */
int mb_watch_handoff_send(int sock, int listener, unsigned features);

/* Supervisor side: receive the child's message with its pidfd (SCM_PIDFD,
 * or SCM_CREDENTIALS + pidfd_open), copy the listener with pidfd_getfd(2),
 * and let the child go on. Returns 0 with *ret_listener (O_CLOEXEC) and
 * *ret_features, or -errno with err set. pidfd_getfd needs ptrace access to
 * the child: the child must still be dumpable (no PR_SET_DUMPABLE 0, and no
 * uid change since its last execve unless the supervisor is root). */
int mb_watch_handoff_recv(int sock, int *ret_listener, unsigned *ret_features,
			  struct mb_error *err);

/* Supervisor side, for a launcher that waits for the command's execve to
 * succeed before it returns (mb_sandbox_spawn): that execve is itself
 * notified, and nobody else is reading the listener yet. Receive exactly one
 * notification; if it is execve/execveat, answer CONTINUE (it is the command
 * the operator asked for; Landlock's exec rules still apply) and return 0.
 * Anything else is answered EPERM and -EPROTO is returned. Blocks. */
int mb_watch_continue_launch(int listener, struct mb_error *err);
