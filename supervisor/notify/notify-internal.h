/* SPDX-License-Identifier: Apache-2.0 */
/* Inside the notifier: its state (every buffer a notification needs, so the
 * hot path allocates nothing) and the helpers its files share:
 *   notify.c         receiving, dispatching, answering (SEND, ADDFD)
 *   notify-mem.c     reading the target's memory
 *   notify-ident.c   the server's credentials on this thread
 *   notify-name.c    growable names, and what an object is (d_path, kinds)
 *   notify-anchor.c  where a path starts: root, cwd, dirfd
 *   notify-walk.c    the kernel's walk redone on file descriptors
 *   notify-resolve.c resolving a path argument: fast and complete
 *   notify-open.c    the open family, performed and installed
 *   notify-fifo.c    blocking FIFO opens, performed on a helper thread
 *   notify-mutate.c  the path mutations, performed
 *   notify-net.c     the network calls (decoded, decided by the callback) */
#pragma once

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <linux/seccomp.h>
#include <stdint.h>
#include <sys/socket.h>

#include "supervisor/notify/notify-ident.h"
#include "supervisor/notify/notify.h"

/* A path as the target wrote it: the kernel accepts at most PATH_MAX bytes
 * with the NUL. */
#define MB_RAW_MAX PATH_MAX
/* notify-net.c's names (an abstract socket's, a unix socket path's). */
#define MB_LONG_MAX (2 * PATH_MAX + 64)
/* sendmmsg: the kernel's cap on vlen (UIO_MAXIOV), and entries read per
 * chunk. */
#define MB_MMSG_MAX 1024
#define MB_MMSG_CHUNK 64
/* The kernel's MAXSYMLINKS: links followed in one walk. */
#define MB_MAX_LINKS 40
/* Descriptors one notification may hold (anchors, pins). */
#define MB_MAX_FDS 16

/* A name that grows as needed: a canonical name can exceed PATH_MAX (a
 * deep cwd), and no fixed buffer may overflow into a lexical fallback. */
struct mb_name {
	char *s;
	size_t len, cap;
};

/* One symbolic link being followed: its text, read once. */
struct mb_link_frame {
	const char *s; /* this text, or the raw path for the bottom frame */
	size_t pos;
	char text[PATH_MAX];
};

struct mb_notifier {
	int fd;
	mb_decide_fn decide;
	mb_allows_fn allows;
	void *ud;
	pthread_mutex_t *lock; /* held around decide and allows, or NULL */
	bool closed;           /* under lock: decide nothing more */
	bool sync_wake_up;
	bool restartable;
	int fixed_root; /* opts->root_fd (borrowed), or -1 */
	bool one_root;  /* opts->one_root */
	int kept_root;  /* one_root: opened from the first notification (owned) */
	long page_size;
	size_t req_size, resp_size;
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
	struct mb_notifier_stats stats;

	struct mb_ident ident; /* the server's, read at the first notification */
	bool ident_failed;     /* could not be read or taken: nothing is performed */
	/* A umask(2) was notified: read it per create. Shared by a notifier
	 * and its twins (mb_notifier_twin): whichever saw the call. */
	atomic_bool *umask_seen;
	atomic_bool umask_seen_own;
	mode_t own_umask;      /* ours, which the server inherited */
	uint64_t fault_addr;   /* where the last remote read stopped */

	/* ---- per notification ---- */
	pid_t pid;
	int root;       /* the target's root for this notification, or -1 */
	bool root_owned;
	int nstgid, nspid; /* the target in its own pid namespace; 0: not read yet */
	int fds[MB_MAX_FDS]; /* closed when the notification is done */
	unsigned nfds;

	char raw[2][MB_RAW_MAX];  /* paths as read */
	char dir[MB_RAW_MAX];     /* a raw path's directory part */
	char last[2][NAME_MAX + 2]; /* the final name of each path, as written */
	char out[2][MB_LONG_MAX]; /* notify-net.c's names */
	struct mb_name name[2];   /* canonical names handed to the callback */
	struct mb_name aname;     /* the anchor's name */
	struct mb_link_frame links[MB_MAX_LINKS + 1]; /* [0]: the path walked */
	char status[4096];        /* /proc/PID/status */
	char text[PATH_MAX + 1];  /* a symlink's text (symlinkat) */
	void *xvalue;             /* an extended attribute's value (64 KiB, at first need) */
	struct sockaddr_storage sa;
	struct msghdr msg;                   /* sendmsg's, as read */
	struct mmsghdr mm[MB_MMSG_MAX];      /* sendmmsg's vector, as read */
	struct sockaddr_storage msa[MB_MMSG_MAX]; /* ... each destination */
	struct mb_notified_target mt[MB_MMSG_MAX];
};

/* What a decoder or the resolver concluded about a call. Negative values
 * are a -errno to answer as the kernel would have for the arguments read
 * (EINVAL for a sockaddr too short), given by the supervisor without asking,
 * without CONTINUE and without a report. */
enum {
	MB_DECODED = 0,     /* targets filled: ask the callback */
	MB_KERNEL_ANSWERS,  /* network only: CONTINUE without asking (the call
			       touches nothing outside the sandbox) */
	MB_VANISHED,        /* the target is gone */
};

/* ---- notify-mem.c: the target's memory ---- */

/* Read a NUL-terminated string at addr into buf (bufsz bytes with the NUL).
 * Returns its length, -EFAULT (unreadable before a NUL: unmapped, or a page
 * process_vm_readv cannot read), -ENAMETOOLONG (no NUL within bufsz),
 * -ESRCH (gone) or another -errno. Never reads across a page boundary in one
 * piece, so a string that ends just before an unmapped page is read whole. */
int mb_remote_string(struct mb_notifier *n, uint64_t addr, char *buf, size_t bufsz);
/* Read exactly len bytes at addr: 0, -EFAULT, -ESRCH or another -errno. */
int mb_remote_read(struct mb_notifier *n, uint64_t addr, void *buf, size_t len);
/* A target that could not be read (r: the read's -errno): MB_VANISHED for
 * -ESRCH; -EFAULT (the kernel's own answer, not reported) when no mapping
 * holds the address; else MB_DECODED with t an MB_TARGET_UNREADABLE (the
 * callback denies it EFAULT and reports it). For every decoder, network
 * included. */
int mb_unreadable(struct mb_notifier *n, struct mb_notified_target *t, int r);

/* ---- notify-name.c ---- */

int mb_name_set(struct mb_name *nm, const char *s, size_t len);
/* nm = nm + "/" + comp (clen bytes); nm "/" gets no second slash. */
int mb_name_push(struct mb_name *nm, const char *comp, size_t clen);
/* Drop the last component ("/" stays "/"). */
void mb_name_pop(struct mb_name *nm);
/* nm = normalise(base + "/" + rel) (rel absolute: normalise(rel)). */
int mb_name_join(struct mb_name *nm, const char *base, const char *rel);
/* d_path of our fd (readlink of /proc/self/fd/N) into nm. */
int mb_name_of_fd(struct mb_name *nm, int fd);
/* What fd (an O_PATH pin reached through a magic link, or an anchor) is:
 * sets *kind and nm (a path, "memfd:NAME", "pipe:[N]", a deleted file's
 * last name). Returns 0 or -errno. */
int mb_name_describe(struct mb_name *nm, int fd, enum mb_target_kind *kind);

/* ---- notify.c: per-notification descriptors ---- */

/* Keep fd until the notification is done; returns fd, or -EMFILE (fd
 * closed) when too many are held. */
int mb_track(struct mb_notifier *n, int fd);
/* Drop what the notification held (fds, the root when not kept, ids). */
void mb_resolve_reset(struct mb_notifier *n);

/* ---- notify-anchor.c: where a path starts ---- */

struct mb_anchor {
	int fd;           /* O_PATH directory; the root is borrowed, others tracked */
	bool root;        /* the sandbox's root */
	bool dead;        /* a removed directory: its name means nothing */
	const char *name; /* its canonical name (n->aname, or "/"), NULL when dead */
};

/* openat2(2): the fd or -errno. A kernel before 5.6, or a seccomp filter
 * around membrane-run (a service manager's), may refuse it: -ENOSYS, and
 * every probe then takes the walk (notify-walk.c), which needs none. */
int mb_openat2(int dirfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve);
/* name (one component, a trailing slash at most) beneath the pinned dirfd,
 * no link followed: openat2, or openat with O_NOFOLLOW without it. */
int mb_open_pinned(int dirfd, const char *name, uint64_t flags, uint64_t mode);

/* The target's root (kept, or opened for this notification): fd or -errno. */
int mb_anchor_root(struct mb_notifier *n);
/* dirfd's anchor: the root for absolute paths is not asked here; AT_FDCWD
 * gives the calling thread's cwd (/proc/TID/cwd), another number the
 * object that descriptor holds (/proc/TID/fd/N). want_name: name it too.
 * Returns 0, -EBADF (no such descriptor), -ENOTDIR (not a directory, and
 * dir_only), or -ESRCH (the thread is gone). */
int mb_anchor_at(struct mb_notifier *n, int dirfd, bool dir_only, bool want_name,
		 struct mb_anchor *ret);
/* The target's ids in its own pid namespace (/proc/self, /proc/thread-self). */
int mb_anchor_ns_ids(struct mb_notifier *n);

/* ---- notify-walk.c and notify-resolve.c: resolving a path ---- */

/* One path argument to resolve. */
struct mb_path_req {
	int dirfd;        /* AT_FDCWD or an fd of the target */
	const char *raw;  /* as read; "" with empty_path */
	bool empty_path;  /* AT_EMPTY_PATH with "": the object dirfd holds */
	bool follow;      /* the call follows a symlink in the final component */
	bool parent;      /* the call acts on (directory, final name) and never
			     resolves the final name: unlink, rename, mkdir... */
	bool creates;     /* the call creates the final name when absent: its
			     directory is pinned then (presence NEW), else an
			     absent name is NONE */
	uint64_t resolve; /* openat2: the server's own RESOLVE_* bits */
	unsigned slot;    /* which name buffer (0, 1) */
	const struct mb_anchor *anchor; /* taken already (the fast open), or NULL */
};

/* What it resolved to. Descriptors are O_PATH and tracked. */
struct mb_path_res {
	enum mb_target_kind kind;  /* PATH, ANON, MEMFD or DELETED */
	enum mb_presence presence; /* PRESENT, NEW (absent, its directory
				      exists) or NONE */
	int error;                 /* NONE: the kernel's -errno (ENOENT, ENOTDIR) */
	const char *name;          /* canonical (n->name[slot]) */
	/* How to reach it again: lexically from the anchor with no symlink
	 * allowed (the fast path proved the name), or from the pins. */
	bool lexical;
	struct mb_anchor anchor;
	uint64_t scope;            /* lexical: RESOLVE_* the fast path used */
	int parent;                /* the final name's directory, or -1 */
	const char *last;          /* the final name as written (trailing '/'
				      kept), or NULL: "/", ".", ".." or a
				      magic link ended the path */
	int obj;                   /* the object, or -1 (absent) */
	bool proc;                 /* beneath the sandbox's /proc */
	int orig_acc;              /* a deleted file reached through /proc/PID/fd/N:
				      that descriptor's O_ACCMODE; else -1 */
};

/* Resolve rq completely: the fast lexical probe when it can prove the
 * name, else the walk. Returns 0 (res filled), the -errno the kernel would
 * answer (ELOOP, ENOTDIR, EACCES, ENAMETOOLONG, EXDEV, EBADF...), or
 * -ESRCH when the target vanished. */
int mb_notify_resolve(struct mb_notifier *n, const struct mb_path_req *rq, struct mb_path_res *res);

/* The walk's input: notify-resolve.c fills it from a request. */
struct mb_walk_in {
	struct mb_anchor start; /* relative paths start here */
	int root;               /* absolute paths and symlinks restart here, ".."
				   stops here (the sandbox's root, or start
				   under the server's RESOLVE_IN_ROOT) */
	const char *root_name;  /* "/" or start's name */
	const char *path;
	bool follow;            /* follow a final symlink */
	bool parent;            /* stop before the final name */
	uint64_t resolve;       /* the server's RESOLVE_BENEATH, _NO_SYMLINKS,
				   _NO_MAGICLINKS, _NO_XDEV */
	unsigned slot;
};
/* The kernel's walk, component by component on descriptors, with a link
 * stack shaped like the kernel's (at most 40 links, each text read once).
 * Fills res (not lexical). Returns as mb_notify_resolve. */
int mb_walk(struct mb_notifier *n, const struct mb_walk_in *in, struct mb_path_res *res);
/* The procfs rule (notify-ident.h): may the server's uid look at the
 * ptrace-guarded entry comp of the process directory dirfd (named name)?
 * 0, or -EACCES. */
int mb_proc_guard(struct mb_notifier *n, int dirfd, const char *name, const char *comp,
		  size_t clen);

/* Compatibility for notify-net.c (a unix socket's path): name and
 * presence only, nothing performed. */
struct mb_resolve_req {
	int dirfd;
	const char *raw;
	bool empty_path;
	bool follow;
	bool creates;
	bool in_root;
};
/* Fill t (kind, presence, path in out) for rq. Returns MB_DECODED,
 * MB_VANISHED, or -errno (the kernel's answer). */
int mb_resolve(struct mb_notifier *n, const struct mb_resolve_req *rq, char *out, size_t outsz,
	       struct mb_notified_target *t);

/* ---- notify.c: answering ---- */

/* SECCOMP_IOCTL_NOTIF_SEND: CONTINUE, or fail the call with error. */
int mb_notify_send_resp(struct mb_notifier *n, uint64_t id, bool cont, int error);
/* SECCOMP_IOCTL_NOTIF_SEND with a success value (a performed call). */
int mb_notify_send_val(struct mb_notifier *n, uint64_t id, int64_t val);
/* Install fd in the target and answer the call with its number
 * (SECCOMP_ADDFD_FLAG_SEND). cloexec: the server's O_CLOEXEC. Returns 0
 * (answered, or the target vanished), or -errno when the listener is
 * unusable. */
int mb_notify_install(struct mb_notifier *n, uint64_t id, int fd, bool cloexec);
/* Is the notification still pending (what was read belongs to it)? */
bool mb_notify_id_valid(struct mb_notifier *n, uint64_t id);
/* The decision callback, counted; call only after mb_notify_id_valid.
 * Under the notifier's lock (mb_notifier_set_lock); once closed, DENY. */
struct mb_answer mb_notify_ask(struct mb_notifier *n, const struct mb_notified_op *op);
/* opts.allows, under the lock; false once closed. */
bool mb_notify_allows(struct mb_notifier *n, const struct mb_notified_op *op);
/* Send the answer d stands for (CONTINUE for ALLOW and PROBE: exec and
 * the network). */
int mb_notify_answer(struct mb_notifier *n, const struct mb_notified_op *op, struct mb_answer d);
/* The errno a DENY with error 0 stands for. */
int mb_notify_default_errno(const struct mb_notified_op *op);
/* The server's identity on this thread before anything is resolved or
 * performed for it: 0, or -EACCES (fail closed). */
int mb_notify_as_server(struct mb_notifier *n);

/* ---- notify-open.c, notify-mutate.c: performed calls ---- */

/* Decode, decide, perform and answer one call of the open family, or of
 * a path mutation. Return 0 (answered, or the target vanished) or -errno
 * when the listener is unusable. */
int mb_handle_open(struct mb_notifier *n, struct mb_notified_op *op);
int mb_handle_mutation(struct mb_notifier *n, struct mb_notified_op *op);
/* exec: resolved (named) and decided; ALLOW is CONTINUE. */
int mb_handle_exec(struct mb_notifier *n, struct mb_notified_op *op);
/* The lexical name of rq's path from anchor a (not dead) into
 * n->name[rq->slot]; and the RESOLVE_* flags that make an openat2 from a
 * reach only what that name names (no symlink, no magic link, no escape). */
int mb_path_lexical(struct mb_notifier *n, const struct mb_path_req *rq, const struct mb_anchor *a);
uint64_t mb_path_scope(const struct mb_path_req *rq, const struct mb_anchor *a);
/* mb_decode_path's two halves: read the argument (op->t[i] gets its raw
 * and ops, or MB_TARGET_UNREADABLE), then resolve it. */
int mb_read_path(struct mb_notifier *n, struct mb_notified_op *op, unsigned i, uint64_t at_flags,
		 struct mb_path_req *rq);
int mb_resolve_path(struct mb_notifier *n, struct mb_notified_op *op, unsigned i,
		    const struct mb_path_req *rq, struct mb_path_res *res);
/* Read path argument i of op's row (at_flags: the call's AT_* flags) and
 * resolve it as rq says (follow, parent, creates, resolve; the rest is
 * filled here) into op->t[i] and res (the pins); op->n becomes i + 1.
 * Returns MB_DECODED (t may be MB_TARGET_UNREADABLE: ask, it is denied),
 * MB_VANISHED, or -errno: the kernel's own answer. */
int mb_decode_path(struct mb_notifier *n, struct mb_notified_op *op, unsigned i, uint64_t at_flags,
		   struct mb_path_req *rq, struct mb_path_res *res);
/* Ask the callback about op, after ID_VALID, and send what a refusal
 * means (DENY: its errno; PROBE: the first target's own -errno). Returns 1
 * when the call is allowed (nothing sent), 0 when answered (or vanished),
 * or -errno when the listener is unusable. */
int mb_notify_decide(struct mb_notifier *n, const struct mb_notified_op *op);
/* The same after the call was performed without side effects (the fast
 * open): no ID_VALID first, ADDFD's own check stands for it. */
int mb_notify_decide_after(struct mb_notifier *n, const struct mb_notified_op *op);
/* r, a decoder's or the resolver's: false when it is MB_DECODED (go on);
 * else true, the call answered here (the kernel's own errno; nothing when
 * the target vanished) and *ret 0 or -errno (the listener). */
bool mb_notify_settled(struct mb_notifier *n, uint64_t id, int r, int *ret);
/* After an allowed decision: true when a target is absent from the
 * sandbox, the call then answered with the kernel's own errno (*ret as
 * above). */
bool mb_notify_absent(struct mb_notifier *n, const struct mb_notified_op *op, int *ret);
/* A decoded call (r, its decoder's) through to its decision: true when it
 * is allowed and every target is there (perform it); else false, answered
 * here, *ret as above. */
bool mb_notify_allowed(struct mb_notifier *n, const struct mb_notified_op *op, int r, int *ret);
/* The server's umask on our (shared) fs_struct while something is
 * created for it; returns ours, for mb_notify_umask_end. */
mode_t mb_notify_umask_begin(struct mb_notifier *n);
void mb_notify_umask_end(struct mb_notifier *n, mode_t saved);

/* notify-fifo.c: a FIFO the server opened without O_NONBLOCK, performed
 * blocking on a helper thread that answers the notification itself. pin:
 * an O_PATH descriptor of the FIFO (taken over). Returns 0 (the helper
 * answers), or -EAGAIN when too many wait. */
int mb_fifo_open_later(struct mb_notifier *n, uint64_t id, int pin, int flags, bool cloexec);

/* ---- notify-net.c: the network calls ---- */

/* connect, bind, sendto (SOCKADDR) and sendmsg (MSGHDR): fill op->t[0]
 * (and op->msg). Returns MB_DECODED, MB_VANISHED or -errno. */
int mb_decode_net(struct mb_notifier *n, struct mb_notified_op *op);
/* sendmmsg: decode each destination and answer the call. Returns 0 or
 * -errno when the listener is unusable. */
int mb_handle_mmsg(struct mb_notifier *n, struct mb_notified_op *op);
