/* The notifier: reads the seccomp user-notification fd of the sandbox,
 * decodes each watched call with sandbox/watch.h's table, reads its
 * arguments out of the target, resolves its targets the way the kernel will
 * for that process, asks a decision callback, and answers the kernel. It
 * knows nothing of JSON-RPC: the correlator is the callback.
 *
 * Per notification it allocates nothing: every buffer is part of struct
 * mb_notifier. The strings handed to the callback live until it returns.
 *
 * What is checked, and what CONTINUE then lets the kernel do (TOCTOU)
 * ------------------------------------------------------------------
 * The supervisor reads the path (or sockaddr, or struct open_how, or
 * msghdr) from the target's memory and resolves it at time T1; if the
 * answer is CONTINUE, the kernel then performs the original call at T2,
 * reading the arguments from the target's memory again and resolving the
 * path again. Between T1 and T2:
 *  - another thread of the target (or another process sharing the memory)
 *    can rewrite the path, the sockaddr, the open_how or the msghdr: the
 *    kernel acts on the new value, which was never checked;
 *  - any process of the sandbox can change the filesystem under the path:
 *    replace a directory with a symlink, rename, create the file that was
 *    absent, so the same string names another object;
 *  - the target's cwd and fds are per process, but shared by its threads:
 *    another thread can chdir or dup2 over the dirfd;
 *  - pointers that were unreadable at T1 (EFAULT: the notifier answers
 *    CONTINUE so the kernel says so itself) can be mapped by T2.
 * And the two resolutions are not the same walk even without a race: at T1
 * the supervisor resolves with its own credentials (root, or the launcher's
 * uid) and without the target's Landlock domain, only to name the target
 * and say where it exists; at T2 the kernel resolves with the target's
 * credentials and Landlock, and may refuse what T1 could name (EACCES), or
 * follow an automount. As the kernel does, a relative path starts at the
 * calling thread's own cwd (/proc/TID/cwd) and /proc/self names the thread
 * group, by its pid in the sandbox's pid namespace.
 * What holds regardless: the kernel's static layer (mount namespace with
 * only the profile's paths, Landlock, the baseline filter) applies to what
 * the kernel does at T2, so a race can reach no more than the union of all
 * grants; the dynamic layer (per-call grants) is advisory against a server
 * that races on purpose, and exact against one that does not. The report
 * names what was seen at T1. Denials are not racy: an error answer is final,
 * the kernel does not run the call. Only operations the supervisor performs
 * itself and hands back (the broker's connect + SECCOMP_IOCTL_NOTIF_ADDFD)
 * close the race, because then T1 and T2 are the supervisor's own call.
 * SECCOMP_IOCTL_NOTIF_ID_VALID after reading makes sure that what was read
 * belonged to this very call of a still-living target (pid reuse), nothing
 * more. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "common/error.h"
#include "policy/match.h"
#include "sandbox/watch.h"

enum mb_target_kind {
	MB_TARGET_PATH,          /* path: absolute, normalised (mb_path_normalize),
				    symlinks resolved as the target sees them */
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
};

/* Where the target exists: what makes a violation (exists) or a probe. */
enum mb_presence {
	MB_PRESENT,         /* exists, as the sandbox sees it */
	MB_PRESENT_NEW,     /* absent, its directory exists, and the call creates it */
	MB_PRESENT_HOST,    /* not in the sandbox, but the path exists on the host */
	MB_PRESENT_NONE,    /* nowhere: a probe; the kernel will fail it by itself */
	MB_PRESENT_UNKNOWN, /* could not be resolved (resolve_error says why): path
			       is the lexical normalisation of what was asked */
};

struct mb_notified_target {
	enum mb_target_kind kind;
	enum mb_presence presence; /* paths; MB_PRESENT for addresses */
	unsigned ops;              /* 1 << MB_OP_*: what the call does to it */
	bool unix_socket;          /* a named AF_UNIX socket (ops: write) */
	int resolve_error;         /* MB_PRESENT_UNKNOWN: -errno */
	const char *path;          /* all kinds but INET and FAMILY */
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
	MB_VERDICT_ALLOW,    /* CONTINUE: the kernel performs the call */
	MB_VERDICT_DENY,     /* fail it with error (0: the default, see below) */
	MB_VERDICT_PROBE,    /* a probe: CONTINUE, the kernel gives its own answer */
	MB_VERDICT_ANSWERED, /* the callback answered itself (the broker:
				ADDFD + SEND); the notifier sends nothing */
};

struct mb_answer {
	enum mb_verdict verdict;
	int error; /* DENY: positive errno, or 0 for the default: EPERM for
		      network targets, ENOENT for a target only the host has
		      (the sandbox must not tell the server that it exists),
		      EACCES otherwise */
};

typedef struct mb_answer (*mb_decide_fn)(const struct mb_notified_op *op, void *ud);

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
};

struct mb_notifier_stats {
	uint64_t received;   /* notifications received */
	uint64_t decided;    /* callback invocations */
	uint64_t continued;  /* answered CONTINUE */
	uint64_t denied;     /* answered with an error */
	uint64_t kernel;     /* answered without asking: CONTINUE where the kernel
				fails the call by itself (EFAULT, ENAMETOOLONG, bad
				fd) or it touches nothing (O_PATH, a sendmmsg of no
				message), or the kernel's own errno given by the
				supervisor (a sockaddr too short) */
	uint64_t vanished;   /* the target died or was interrupted first */
};

struct mb_notifier;

/* Take ownership of listener (a seccomp user-notification fd). Returns 0 or
 * -errno with err set. */
int mb_notifier_new(int listener, const struct mb_notifier_opts *opts, mb_decide_fn decide,
		    void *ud, struct mb_notifier **ret, struct mb_error *err);
void mb_notifier_free(struct mb_notifier *n);
MB_DEFINE_CLEANUP(struct mb_notifier, mb_notifier_free)

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
