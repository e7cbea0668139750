/* SPDX-License-Identifier: Apache-2.0 */
/* Sends performed by the supervisor: sendto, sendmsg and sendmmsg on its
 * copy of the server's socket (pidfd_getfd: the same open file), to the
 * destinations the broker decided, with the data and the control messages
 * read from the server's memory. Nothing of the call is left to the
 * kernel, which would read the msghdr and the address again (a second
 * thread may have changed them) and look the fd up again (a dup2 may have
 * put another socket there).
 *
 * What is kept of send(2)'s meaning:
 *  - the return value: bytes sent (sendto, sendmsg) or messages sent
 *    (sendmmsg, each message's msg_len written back into the server's
 *    vector, as the kernel does);
 *  - blocking: a blocking socket (no O_NONBLOCK, no MSG_DONTWAIT) whose
 *    buffer is full waits, in the event loop, never in the supervisor;
 *    SO_SNDTIMEO ends the wait with EAGAIN (or the count so far);
 *  - flags, but MSG_ZEROCOPY (the kernel would send from the supervisor's
 *    buffer after the call returned): refused;
 *  - control messages that set what a datagram carries (IP_PKTINFO, IP_TOS,
 *    IP_TTL, their IPv6 twins, IPV6_DONTFRAG, UDP_SEGMENT); any other is
 *    refused, since the kernel checks some against the sender's
 *    capabilities, the supervisor's here (SO_MARK, IP options).
 * What is not: a send is at most MB_SEND_MAX bytes (a datagram's largest; a
 * stream send returns a short count, as send(2) may); a sendmmsg at most
 * MB_SEND_TOTAL bytes (the messages past it are left: a short count);
 * SIGPIPE on a broken stream (the server gets EPIPE, without the signal). */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "common/kernel-compat.h"
#include "common/macros.h"
#include "supervisor/broker/broker-internal.h"

#define MB_SEND_MAX 65536
#define MB_SEND_TOTAL (1 << 20)
#define MB_CONTROL_MAX 4096
#define MB_IOV_MAX 1024 /* UIO_MAXIOV */

struct send_msg {
	struct mb_send_dest dest;
	char *data;
	size_t len;
	char *control;
	size_t controllen;
	uint64_t len_addr; /* sendmmsg: where the server's msg_len is */
	ssize_t sent;
};

struct mb_send_job {
	struct mb_broker *b;
	uint64_t id;
	pid_t pid;
	int sock;      /* our copy of the server's socket (owned) */
	int flags;     /* the server's */
	bool batch;    /* sendmmsg: the answer is a count */
	bool blocking; /* the server's call would wait for room */
	uint64_t timeout_ms;
	unsigned n, done;
	int error; /* what stopped it */
	struct send_msg m[];
};

void mb_send_job_free(struct mb_send_job *j)
{
	if (!j)
		return;
	for (unsigned i = 0; i < j->n; i++) {
		free(j->m[i].data);
		free(j->m[i].control);
	}
	mb_close(j->sock);
	free(j);
}

/* len bytes of the server's memory at addr. */
static int remote_read(pid_t pid, uint64_t addr, void *buf, size_t len)
{
	if (len == 0)
		return 0;
	struct iovec l = { .iov_base = buf, .iov_len = len };
	struct iovec r = { .iov_base = (void *)(uintptr_t)addr, .iov_len = len };
	ssize_t n = process_vm_readv(pid, &l, 1, &r, 1, 0);
	if (n < 0)
		return errno == ESRCH ? -ESRCH : -EFAULT;
	return (size_t)n == len ? 0 : -EFAULT;
}

/* The data of a msghdr's iovecs, at most cap bytes, into m->data. */
static int gather(pid_t pid, const struct msghdr *mh, size_t cap, struct send_msg *m)
{
	size_t n = mh->msg_iovlen;
	if (n > MB_IOV_MAX)
		return -EMSGSIZE;
	if (!(m->data = malloc(MB_MAX(cap, (size_t)1))))
		return -ENOMEM;
	struct iovec iov[64];
	for (size_t i = 0; i < n && m->len < cap; i += 64) {
		size_t k = MB_MIN(n - i, (size_t)64);
		int r = remote_read(pid, (uint64_t)(uintptr_t)(mh->msg_iov + i), iov,
				    k * sizeof(struct iovec));
		if (r < 0)
			return r;
		for (size_t j = 0; j < k && m->len < cap; j++) {
			size_t take = MB_MIN(iov[j].iov_len, cap - m->len);
			r = remote_read(pid, (uint64_t)(uintptr_t)iov[j].iov_base, m->data + m->len,
					take);
			if (r < 0)
				return r;
			m->len += take;
		}
	}
	return 0;
}

static bool control_allowed(int level, int type)
{
	switch (level) {
	case IPPROTO_IP:
		return type == IP_PKTINFO || type == IP_TOS || type == IP_TTL;
	case IPPROTO_IPV6:
		return type == IPV6_PKTINFO || type == IPV6_HOPLIMIT || type == IPV6_TCLASS ||
		       type == IPV6_DONTFRAG;
	case IPPROTO_UDP:
		return type == UDP_SEGMENT;
	default:
		return false;
	}
}

/* The control messages as the kernel walks them (for_each_cmsghdr,
 * CMSG_OK): 0, -EINVAL (malformed: the kernel's answer), or -EPERM with
 * *why. */
static int check_control(const char *ctl, size_t len, const char **why)
{
	static char buf[160];
	size_t off = 0;
	while (len - off >= sizeof(struct cmsghdr)) {
		struct cmsghdr c;
		memcpy(&c, ctl + off, sizeof(c));
		if (c.cmsg_len < sizeof(struct cmsghdr) || c.cmsg_len > len - off)
			return -EINVAL;
		if (!control_allowed(c.cmsg_level, c.cmsg_type)) {
			snprintf(buf, sizeof(buf),
				 "a control message of level %d, type %d: not one the supervisor sends "
				 "for the sandbox",
				 c.cmsg_level, c.cmsg_type);
			*why = buf;
			return -EPERM;
		}
		off += CMSG_ALIGN(c.cmsg_len);
		if (off > len)
			break;
	}
	return 0;
}

/* A msghdr's data and control, as read from the server's memory. */
static int read_msg(struct mb_send_job *j, const struct msghdr *mh, size_t cap, struct send_msg *m,
		    const char **why)
{
	int r = gather(j->pid, mh, cap, m);
	if (r < 0 || !mh->msg_control || mh->msg_controllen == 0)
		return r;
	if (mh->msg_controllen > MB_CONTROL_MAX)
		return -ENOBUFS;
	if (!(m->control = malloc(mh->msg_controllen)))
		return -ENOMEM;
	m->controllen = mh->msg_controllen;
	r = remote_read(j->pid, (uint64_t)(uintptr_t)mh->msg_control, m->control, m->controllen);
	return r < 0 ? r : check_control(m->control, m->controllen, why);
}

int mb_send_prepare(struct mb_broker *b, const struct mb_notified_op *op, struct mb_srvsock *ss,
		    const struct mb_send_dest *dests, struct mb_send_job **ret, const char **why)
{
	unsigned n = op->nmsg ? op->nmsg : 1;
	/* sendto(fd, buf, len, flags, ...), sendmmsg(fd, vec, vlen, flags),
	 * sendmsg(fd, msg, flags) */
	int flags = (int)op->args[op->sc->kind == MB_WATCH_MSGHDR ? 2 : 3];
	*why = NULL;
	if (flags & MSG_ZEROCOPY) {
		*why = "MSG_ZEROCOPY: the kernel would send from the supervisor's buffer after the "
		       "call returned";
		return -EPERM;
	}
	struct mb_send_job *j = calloc(1, sizeof(*j) + n * sizeof(struct send_msg));
	if (!j)
		return -ENOMEM;
	*j = (struct mb_send_job){
		.b = b, .id = op->id, .pid = op->pid, .sock = -1, .flags = flags, .n = n,
		.batch = op->sc->kind == MB_WATCH_MMSGHDR,
		.blocking = !(ss->status_fl & O_NONBLOCK) && !(flags & MSG_DONTWAIT),
		.timeout_ms = mb_broker_send_timeout_ms(ss->fd),
	};
	int r = 0;
	size_t total = 0;
	for (unsigned i = 0; i < n && r == 0; i++) {
		struct send_msg *m = &j->m[i];
		m->dest = dests[i];
		if (op->sc->kind == MB_WATCH_SOCKADDR) { /* sendto(fd, buf, len, flags, ...) */
			m->len = MB_MIN((size_t)op->args[2], (size_t)MB_SEND_MAX);
			r = (m->data = malloc(MB_MAX(m->len, (size_t)1))) ? 0 : -ENOMEM;
			if (r == 0)
				r = remote_read(op->pid, op->args[1], m->data, m->len);
		} else if (!j->batch) {
			r = read_msg(j, op->msg, MB_SEND_MAX, m, why);
		} else {
			if (total >= MB_SEND_TOTAL) { /* a short count: the rest is left */
				j->n = i;
				break;
			}
			m->len_addr = op->args[1] + (uint64_t)i * sizeof(struct mmsghdr) +
				      offsetof(struct mmsghdr, msg_len);
			r = read_msg(j, &op->mmsg[i].msg_hdr, MB_SEND_MAX, m, why);
			total += m->len;
		}
	}
	if (r < 0) {
		mb_send_job_free(j);
		return r;
	}
	*ret = j;
	return 0;
}

static int send_one(struct mb_send_job *j, struct send_msg *m)
{
	int flags = j->flags | MSG_DONTWAIT | MSG_NOSIGNAL;
	ssize_t r;
	if (m->dest.has && m->dest.len == 0) { /* sendto's address of length 0 */
		r = sendto(j->sock, m->data, m->len, flags, (const struct sockaddr *)&m->dest.sa, 0);
	} else {
		struct iovec iov = { .iov_base = m->data, .iov_len = m->len };
		struct msghdr mh = {
			.msg_name = m->dest.has ? &m->dest.sa : NULL,
			.msg_namelen = m->dest.has ? m->dest.len : 0,
			.msg_iov = &iov, .msg_iovlen = 1,
			.msg_control = m->control, .msg_controllen = m->controllen,
		};
		r = sendmsg(j->sock, &mh, flags);
	}
	if (r < 0)
		return -errno;
	m->sent = r;
	return 0;
}

/* sendmmsg: each message's msg_len, as the kernel writes it. */
static void write_lengths(const struct mb_send_job *j)
{
	for (unsigned i = 0; i < j->done; i++) {
		unsigned len = (unsigned)j->m[i].sent;
		struct iovec l = { .iov_base = &len, .iov_len = sizeof(len) };
		struct iovec r = { .iov_base = (void *)(uintptr_t)j->m[i].len_addr,
				   .iov_len = sizeof(len) };
		if (process_vm_writev(j->pid, &l, 1, &r, 1, 0) != (ssize_t)sizeof(len))
			break;
	}
}

static void finish(struct mb_send_job *j)
{
	if (j->batch) {
		write_lengths(j);
		mb_broker_reply(j->b, j->id, j->done, j->done ? 0 : j->error);
	} else {
		mb_broker_reply(j->b, j->id, j->done ? j->m[0].sent : 0, j->done ? 0 : j->error);
	}
}

/* Send what is left; true when it is over (answered). */
bool mb_send_resume(struct mb_send_job *j, bool timed_out)
{
	if (timed_out) {
		j->error = EAGAIN;
		finish(j);
		return true;
	}
	while (j->done < j->n) {
		int r = send_one(j, &j->m[j->done]);
		if ((r == -EAGAIN || r == -EWOULDBLOCK) && j->blocking)
			return false;
		if (r < 0) {
			j->error = -r;
			break;
		}
		j->done++;
	}
	finish(j);
	return true;
}

void mb_send_start(struct mb_send_job *j, struct mb_srvsock *ss)
{
	j->sock = ss->fd;
	ss->fd = -1; /* the job's from here */
	if (mb_send_resume(j, false)) {
		mb_send_job_free(j);
		return;
	}
	mb_broker_wait_send(j->b, j->id, j->sock, j->timeout_ms, j);
}
