/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "sandbox/sync.h"

int mb_sync_send(int sock, const struct mb_sync_msg *m, int fd)
{
	struct iovec iov = { .iov_base = (void *)m, .iov_len = sizeof(*m) };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	if (fd >= 0) {
		memset(&u, 0, sizeof(u));
		mh.msg_control = u.buf;
		mh.msg_controllen = sizeof(u.buf);
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	/* Without an fd, send(2): sendmsg is a watched call, and the command
	 * reports a failed exec after its watch filter is in place; sendto
	 * without an address is not watched. */
	ssize_t n;
	do
		n = fd >= 0 ? sendmsg(sock, &mh, MSG_NOSIGNAL) : send(sock, m, sizeof(*m), MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return mb_neg_errno();
	return (size_t)n == sizeof(*m) ? 0 : -EMSGSIZE;
}

static int send_error(int sock, const struct mb_error *err, int status, bool ns_setup)
{
	struct mb_sync_msg m = {
		.type = MB_SYNC_ERROR,
		.code = err->code < 0 ? err->code : -EIO,
		.status = status,
		.ns_setup = ns_setup,
	};
	memcpy(m.text, err->msg, sizeof(m.text));
	m.text[sizeof(m.text) - 1] = '\0';
	return mb_sync_send(sock, &m, -1);
}

int mb_sync_send_error(int sock, const struct mb_error *err, int status)
{
	return send_error(sock, err, status, false);
}

int mb_sync_send_ns_error(int sock, const struct mb_error *err, bool ns_setup)
{
	return send_error(sock, err, MB_EXIT_MEMBRANE, ns_setup);
}

int mb_sync_recv(int sock, struct mb_sync_msg *m, int *ret_fd)
{
	struct iovec iov = { .iov_base = m, .iov_len = sizeof(*m) };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr mh = {
		.msg_iov = &iov,
		.msg_iovlen = 1,
		.msg_control = u.buf,
		.msg_controllen = sizeof(u.buf),
	};
	*ret_fd = -1;
	ssize_t n;
	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return mb_neg_errno();
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS &&
		    c->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(ret_fd, CMSG_DATA(c), sizeof(int));
	if (n == 0)
		return 0;
	if ((size_t)n != sizeof(*m) || (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
		*ret_fd = mb_close(*ret_fd);
		return -EBADMSG;
	}
	m->text[sizeof(m->text) - 1] = '\0';
	return 1;
}

struct filter_head {
	uint32_t type, n;
};

int mb_sync_send_filter(int sock, const struct mb_bpf *p)
{
	struct filter_head h = { MB_SYNC_FILTER, (uint32_t)p->n };
	struct iovec iov[2] = {
		{ .iov_base = &h, .iov_len = sizeof(h) },
		{ .iov_base = p->insns, .iov_len = p->n * sizeof(*p->insns) },
	};
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };
	ssize_t n;
	do
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return mb_neg_errno();
	return (size_t)n == sizeof(h) + iov[1].iov_len ? 0 : -EMSGSIZE;
}

int mb_sync_recv_filter(int sock, const char *what, struct mb_bpf *ret, struct mb_error *err)
{
	size_t max = sizeof(struct filter_head) + BPF_MAXINSNS * sizeof(struct sock_filter);
	char *buf = malloc(max);
	if (!buf)
		return mb_error_set(err, -ENOMEM, "out of memory");
	ssize_t n;
	do
		n = recv(sock, buf, max, 0);
	while (n < 0 && errno == EINTR);
	struct filter_head h = { 0 };
	if (n >= (ssize_t)sizeof(h))
		memcpy(&h, buf, sizeof(h));
	if (n <= 0 || h.type != MB_SYNC_FILTER || !h.n || h.n > BPF_MAXINSNS ||
	    (size_t)n != sizeof(h) + h.n * sizeof(struct sock_filter)) {
		free(buf);
		return mb_error_set(err, n < 0 ? mb_neg_errno() : -EPIPE,
				    "%s did not arrive from membrane-run", what);
	}
	memmove(buf, buf + sizeof(h), h.n * sizeof(struct sock_filter));
	ret->insns = (struct sock_filter *)buf;
	ret->n = h.n;
	return 0;
}
