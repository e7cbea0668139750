/* SPDX-License-Identifier: Apache-2.0 */
/* The notifier: reads the seccomp user-notification fd of the sandbox,
 * decodes each watched call with sandbox/watch.h's table, reads its
 * arguments out of the target once, resolves its targets from the target's
 * own root, cwd or dirfd, asks a decision callback, and then performs the
 * call itself or denies it. It knows nothing of JSON-RPC: the correlator is
 * the callback.
 *
 * The invariant (docs/design.md "Time of check and time of use", membrane(7))
 * --------------------------------------------------------------------------
 * The supervisor answers CONTINUE only for a call whose outcome cannot
 * depend on server memory it did not copy -- calls without a memory
 * argument -- or that cannot leave the sandbox whatever that memory says
 * (IP connects and sends under network: none, decoded by notify-net.c), and
 * for execve/execveat, which only the kernel can perform in the server,
 * bounded by Landlock's execute rights and the noexec mounts. Every other
 * watched call is read once, decided on that copy, and performed by the
 * supervisor with the server's credentials (notify-ident.h), or denied:
 *  - opens (open, openat, openat2, creat): opened by the supervisor so that
 *    only the decided object can be reached (openat2 RESOLVE_IN_ROOT or
 *    RESOLVE_BENEATH with RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS from
 *    the anchor, or from the walk's pinned parent) and installed in the
 *    server with SECCOMP_IOCTL_NOTIF_ADDFD + SECCOMP_ADDFD_FLAG_SEND;
 *  - path mutations: performed on (pinned parent, one name) without
 *    following, or on the pinned object when the call follows, and the
 *    kernel's result is the answer.
 * Anything the notifier cannot read, decode or resolve completely is denied
 * (EFAULT for unreadable memory, the kernel's own errno where the kernel
 * would have failed the call the same way, EACCES otherwise) and, when it is
 * not the kernel's own answer, reported with a reason. There is no lexical
 * fallback: a name is either proven (no symlink crossed on the way to the
 * object opened) or the canonical name of the object pinned by the walk.
 *
 * Per notification it allocates nothing in the common case: the buffers are
 * part of struct mb_notifier (the walk's name grows on demand and is kept).
 * The strings handed to the callback live until it returns. */
#pragma once

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "common/error.h"
#include "policy/match.h"
#include "sandbox/watch.h"

enum mb_target_kind {
	MB_TARGET_PATH,          /* path: absolute, normalised (mb_path_normalize),
				    the canonical name of the object reached */
	MB_TARGET_MEMFD,         /* an anonymous memory file: path is "memfd:NAME" */
	MB_TARGET_DELETED,       /* an open file with no name left: path is its last name */
	MB_TARGET_ANON,          /* a pipe, socket or anon inode reached through
				    /proc/PID/fd: path is "pipe:[N]"... */
	MB_TARGET_INET,          /* addr */
	MB_TARGET_UNIX_ABSTRACT, /* path is "@name" (NULs shown as '@') */
	MB_TARGET_FAMILY,        /* a sockaddr of another family: family */
	MB_TARGET_UNSPEC,        /* a sockaddr of family AF_UNSPEC (connect, bind,
				    sendto, sendmsg, sendmmsg): what it means
				    depends on the socket, which the broker
				    looks at (sa, salen) */
	MB_TARGET_NONE,          /* a send without a destination: msg_name NULL,
				    or a length of 0 (sa non-NULL then: sendto's
				    address of length 0); or, with unreadable, a
				    sockaddr or msghdr the supervisor could not read */
	MB_TARGET_UNREADABLE,    /* a path argument the supervisor could not read
				    (process_vm_readv failed or was short: a
				    [vvar] or memfd_secret page, an unmapped
				    one): never allowed, answered EFAULT;
				    resolve_error is the read's -errno */
};

/* Where the target exists: what makes a violation (exists) or a probe. */
enum mb_presence {
	MB_PRESENT,         /* exists, as the sandbox sees it */
	MB_PRESENT_NEW,     /* absent, its directory exists, and the call creates it */
	MB_PRESENT_HOST,    /* an address only the host listens on (the broker) */
	MB_PRESENT_NONE,    /* nowhere in the sandbox: a probe; resolve_error is the
			       kernel's answer (-ENOENT, -ENOTDIR) */
	MB_PRESENT_OUTSIDE, /* set by the correlator, never the notifier: absent
			       from the sandbox and under the fixed list of host
			       paths a server has no business naming (secret
			       stores); the host is never looked at */
};

struct mb_notified_target {
	enum mb_target_kind kind;
	enum mb_presence presence; /* paths; MB_PRESENT for addresses */
	unsigned ops;              /* 1 << MB_OP_*: what the call does to it */
	bool unix_socket;          /* a named AF_UNIX socket (ops: write) */
	int resolve_error;         /* MB_PRESENT_NONE, MB_TARGET_UNREADABLE: -errno */
	const char *path;          /* all kinds but INET, FAMILY and UNREADABLE */
	const char *raw;           /* resolved paths: the path as the call wrote
				      it (relative to its cwd or dirfd unless
				      absolute; "" with AT_EMPTY_PATH), before
				      symlinks; NULL otherwise. Learn mode keeps
				      the names a server asks for by. */
	struct mb_addr addr;       /* MB_TARGET_INET */
	int family;                /* sockaddr family (socket calls) */
	const void *sa;            /* socket calls: the sockaddr as read, salen
				      bytes (the supervisor's copy); NULL for
				      MB_TARGET_NONE without an address */
	unsigned salen;
	bool unreadable;           /* an argument the supervisor could not read
				      (process_vm_readv failed or was short):
				      denied EFAULT and reported, never CONTINUEd */
};

struct mb_notified_op {
	uint64_t id;                      /* the notification's cookie */
	pid_t pid;                        /* calling thread, host pid namespace */
	const struct mb_watch_syscall *sc; /* the table's row */
	const uint64_t *args;             /* the raw arguments */
	uint64_t open_flags;              /* the open family: the O_* flags it opens
					     with (openat2's from its open_how); 0
					     for the other calls */
	unsigned n;                       /* targets: 1, or 2 (rename, link) */
	struct mb_notified_target t[2];
	const struct msghdr *msg;         /* sendmsg: the msghdr as read (once) */
	/* sendmmsg whose destinations are all IPv4, IPv6, AF_UNSPEC or none
	 * (the broker's), decided as one call: nmsg messages as read (once)
	 * and the destination of each; n is 0 then */
	const struct mmsghdr *mmsg;
	const struct mb_notified_target *mt;
	unsigned nmsg;
};

enum mb_verdict {
	MB_VERDICT_ALLOW,    /* perform it (paths), or CONTINUE (exec, network) */
	MB_VERDICT_DENY,     /* fail it with error (0: the default, see below) */
	MB_VERDICT_PROBE,    /* a probe: the kernel's own answer (a path's
				resolve_error; CONTINUE for the network) */
	MB_VERDICT_ANSWERED, /* the callback answered itself (the broker:
				ADDFD + SEND); the notifier sends nothing */
};

struct mb_answer {
	enum mb_verdict verdict;
	int error; /* DENY: positive errno, or 0 for the default: EFAULT for an
		      unreadable argument, ENOENT for a target absent from the
		      sandbox (the sandbox must not tell the server whether the
		      host has it), EPERM for network targets, EACCES otherwise */
};

typedef struct mb_answer (*mb_decide_fn)(const struct mb_notified_op *op, void *ud);
/* Would decide allow op as it stands, without reporting or recording
 * anything? A pure function of the grants in force. */
typedef bool (*mb_allows_fn)(const struct mb_notified_op *op, void *ud);

struct mb_notifier_opts {
	bool no_sync_wake_up; /* do not ask for SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP */
	/* The targets' root directory (an O_PATH fd, borrowed), or -1 to open
	 * /proc/PID/root for each notification. */
	int root_fd;
	/* With root_fd -1: every watched process shares one root that cannot
	 * change, so open it from the first notification and keep it. True of
	 * the sandbox: pivot_root is done before the filter exists, and the
	 * baseline refuses chroot, pivot_root, mount and new namespaces.
	 * Saves an open and a close of /proc/PID/root per notification. */
	bool one_root;
	/* The filter was installed without SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
	 * (before 5.19): a signal after RECV restarts the call, so an operation
	 * the supervisor performed could be performed twice. Every path call
	 * with a side effect is then denied (EACCES, reported); opens without
	 * one are still performed. */
	bool restartable;
	/* Optional: the decision's pure twin (same ud as decide). When it
	 * allows an open on the name as written, the notifier performs it at
	 * once, with flags that let no symlink be crossed, and asks decide
	 * only afterwards, on the name that open proved; every other case is
	 * resolved completely before decide is asked. */
	mb_allows_fn allows;
};

struct mb_notifier_stats {
	uint64_t received;   /* notifications received */
	uint64_t decided;    /* callback invocations */
	uint64_t continued;  /* answered CONTINUE (exec, network, umask) */
	uint64_t performed;  /* performed by the supervisor (opens installed
				included); the answer is the call's own result */
	uint64_t installed;  /* opens installed in the target (ADDFD) */
	uint64_t denied;     /* answered with an error without performing */
	uint64_t kernel;     /* the kernel's own answer given without asking
				(ENAMETOOLONG, EBADF, ENOENT for "", EINVAL, a
				sockaddr too short) or CONTINUE for a call that
				touches nothing (a sendmmsg of no message) */
	uint64_t unreadable; /* arguments that could not be read (EFAULT) */
	uint64_t fast;       /* opens performed the fast way (opts.allows) */
	uint64_t walked;     /* resolutions that took the walk (symlinks,
				"..", /proc, a removed directory) */
	uint64_t vanished;   /* the target died or was interrupted first */
};

struct mb_notifier;

/* Take ownership of listener (a seccomp user-notification fd). Returns 0 or
 * -errno with err set. */
int mb_notifier_new(int listener, const struct mb_notifier_opts *opts, mb_decide_fn decide,
		    void *ud, struct mb_notifier **ret, struct mb_error *err);
/* Another notifier on n's listener, deciding with n's callbacks and lock:
 * each handles whichever notification its RECV gets, so several can wait
 * in ADDFD for different server threads at once (notify-thread.h). It
 * shares what the server showed one of them (a umask(2)) and keeps the
 * rest (buffers, identity, root, stats) its own. n must outlive it.
 * Returns 0 or -errno. */
int mb_notifier_twin(const struct mb_notifier *n, struct mb_notifier **ret);
void mb_notifier_free(struct mb_notifier *n);
MB_DEFINE_CLEANUP(struct mb_notifier, mb_notifier_free)

/* Call decide and allows holding lock, which the thread that owns their
 * state holds whenever it touches it (membrane-run: the relay's loop,
 * mb_loop_set_lock): for a notifier running on a thread of its own
 * (notify-thread.h). Set before the first notification. */
void mb_notifier_set_lock(struct mb_notifier *n, pthread_mutex_t *lock);
/* Decide nothing more: what is still notified is denied (EPERM) without
 * asking. For the end of a session, while the callback's state goes away. */
void mb_notifier_close(struct mb_notifier *n);

/* The fd to watch for EPOLLIN (one notification pending) and EPOLLHUP
 * (every watched process has exited). */
int mb_notifier_fd(const struct mb_notifier *n);
/* Is SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP in force (6.6+)? For the start
 * report: without it a round trip across CPUs costs several times more. */
bool mb_notifier_sync_wake_up(const struct mb_notifier *n);
const struct mb_notifier_stats *mb_notifier_stats(const struct mb_notifier *n);

/* Handle one notification: call when the fd is readable (the RECV ioctl
 * blocks whatever O_NONBLOCK says, so call it once per readiness). Returns 0
 * (including when the target vanished), or -errno when the listener is
 * unusable. */
int mb_notifier_handle(struct mb_notifier *n);

/* For reports: the executable of pid, as the sandbox sees it, into buf. */
int mb_notifier_exe(pid_t pid, char *buf, size_t bufsz);

/* What performing needs from the running kernel: SECCOMP_ADDFD_FLAG_SEND
 * (5.14: an opened file is installed and the call answered in one step)
 * and openat2 (5.6). Returns 0, or -ENOSYS with err saying what is missing
 * and what to do (membrane-run then refuses to start).
 * SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (5.19) is asked for when the filter
 * is installed (sandbox/watch.h); without it, opts.restartable. */
int mb_notifier_check_kernel(struct mb_error *err);
/* What the dynamic layer needs from the kernel and whether this one has it,
 * in a sentence for --explain. */
void mb_notifier_describe_kernel(char *buf, size_t bufsz);
