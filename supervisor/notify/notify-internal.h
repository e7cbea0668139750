/* Inside the notifier: its state (every buffer a notification needs, so the
 * hot path allocates nothing) and the helpers its files share. */
#pragma once

#include <limits.h>
#include <linux/seccomp.h>
#include <stdint.h>
#include <sys/socket.h>

#include "supervisor/notify/notify.h"

/* A path as the target wrote it: the kernel accepts at most PATH_MAX bytes
 * with the NUL. */
#define MB_RAW_MAX PATH_MAX
/* A path joined with the directory it is relative to, or with a symlink's
 * text: the kernel resolves relative paths piecewise, so this can exceed
 * PATH_MAX. */
#define MB_LONG_MAX (2 * PATH_MAX + 64)
/* sendmmsg: the kernel's cap on vlen (UIO_MAXIOV), and entries read per
 * chunk. */
#define MB_MMSG_MAX 1024
#define MB_MMSG_CHUNK 64

struct mb_notifier {
	int fd;
	mb_decide_fn decide;
	void *ud;
	bool sync_wake_up;
	int fixed_root; /* opts->root_fd (borrowed), or -1 */
	bool one_root;  /* opts->one_root */
	int kept_root;  /* one_root: opened from the first notification (owned) */
	long page_size;
	size_t req_size, resp_size;
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
	struct mb_notifier_stats stats;

	/* ---- per notification ---- */
	pid_t pid;
	int root;       /* the target's root for this notification, or -1 */
	bool root_owned;
	int nstgid, nspid; /* the target in its own pid namespace; 0: not read yet */

	char raw[2][MB_RAW_MAX];  /* paths as read */
	char out[2][MB_LONG_MAX]; /* resolved targets, handed to the callback */
	char join[MB_LONG_MAX];   /* directory + "/" + relative path */
	char base[MB_LONG_MAX];   /* readlink of a dirfd or cwd */
	char link[MB_LONG_MAX];   /* readlink of a symlink or an fd */
	char wcur[MB_LONG_MAX];   /* the walker's resolved prefix */
	char wrest[2][MB_LONG_MAX]; /* the walker's remaining path */
	char status[4096];        /* /proc/PID/status */
	struct sockaddr_storage sa;
	struct msghdr msg;                   /* sendmsg's, as read */
	struct mmsghdr mm[MB_MMSG_MAX];      /* sendmmsg's vector, as read */
	struct sockaddr_storage msa[MB_MMSG_MAX]; /* ... each destination */
	struct mb_notified_target mt[MB_MMSG_MAX];
};

/* What a decoder or the resolver concluded about a call; a decoder may
 * also return -errno: the kernel's own answer for the arguments it read
 * (EINVAL for a sockaddr too short), given by the supervisor without
 * asking and without CONTINUE. */
enum {
	MB_DECODED = 0,     /* targets filled: ask the callback */
	MB_KERNEL_ANSWERS,  /* the kernel fails the call by itself, or it touches
			       nothing we watch: CONTINUE without asking */
	MB_VANISHED,        /* the target is gone */
};

/* ---- notify-mem.c: the target's memory ---- */

/* Read a NUL-terminated string at addr into buf (bufsz bytes with the NUL).
 * Returns its length, -EFAULT (unreadable before a NUL), -ENAMETOOLONG (no
 * NUL within bufsz), -ESRCH (gone) or another -errno. Never reads across a
 * page boundary in one piece, so a string that ends just before an unmapped
 * page is read whole. */
int mb_remote_string(struct mb_notifier *n, uint64_t addr, char *buf, size_t bufsz);
/* Read exactly len bytes at addr: 0, -EFAULT, -ESRCH or another -errno. */
int mb_remote_read(struct mb_notifier *n, uint64_t addr, void *buf, size_t len);

/* ---- notify-resolve.c: paths as the target sees them ---- */

struct mb_resolve_req {
	int dirfd;       /* AT_FDCWD or an fd of the target */
	const char *raw; /* the path as read; "" with empty_path */
	bool empty_path; /* AT_EMPTY_PATH with "": the object dirfd refers to */
	bool follow;     /* the call follows a symlink in the final component */
	bool creates;    /* the call creates the final component */
	bool in_root;    /* openat2 RESOLVE_IN_ROOT: dirfd is the root */
};

/* Fill t (kind, presence, path in out) for rq. Returns MB_DECODED,
 * MB_KERNEL_ANSWERS (a bad dirfd: the kernel says EBADF/ENOTDIR itself) or
 * MB_VANISHED. */
int mb_resolve(struct mb_notifier *n, const struct mb_resolve_req *rq, char *out, size_t outsz,
	       struct mb_notified_target *t);
/* Drop what mb_resolve cached for this notification (the root fd). */
void mb_resolve_reset(struct mb_notifier *n);

/* ---- notify.c: answering ---- */

/* SECCOMP_IOCTL_NOTIF_SEND: CONTINUE, or fail the call with error. */
int mb_notify_send_resp(struct mb_notifier *n, uint64_t id, bool cont, int error);
/* Is the notification still pending (what was read belongs to it)? */
bool mb_notify_id_valid(struct mb_notifier *n, uint64_t id);
/* The decision callback, counted; call only after mb_notify_id_valid. */
struct mb_answer mb_notify_ask(struct mb_notifier *n, const struct mb_notified_op *op);
/* Send the answer d stands for. */
int mb_notify_answer(struct mb_notifier *n, const struct mb_notified_op *op, struct mb_answer d);

/* ---- notify-net.c: the network calls ---- */

/* connect, bind, sendto (SOCKADDR) and sendmsg (MSGHDR): fill op->t[0]
 * (and op->msg). Returns MB_DECODED, MB_VANISHED or -errno. */
int mb_decode_net(struct mb_notifier *n, struct mb_notified_op *op);
/* sendmmsg: decode each destination and answer the call. Returns 0 or
 * -errno when the listener is unusable. */
int mb_handle_mmsg(struct mb_notifier *n, struct mb_notified_op *op);
