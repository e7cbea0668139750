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

int mb_sync_send_error(int sock, const struct mb_error *err, int status)
{
	struct mb_sync_msg m = {
		.type = MB_SYNC_ERROR,
		.code = err->code < 0 ? err->code : -EIO,
		.status = status,
	};
	memcpy(m.text, err->msg, sizeof(m.text));
	m.text[sizeof(m.text) - 1] = '\0';
	return mb_sync_send(sock, &m, -1);
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
