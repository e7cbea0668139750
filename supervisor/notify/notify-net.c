/* The notifier's network calls: the sockaddr of connect, bind and sendto,
 * the destination of sendmsg, and each destination of sendmmsg, read out of
 * the target and decoded into targets (notify.h) for the decision callback. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "supervisor/notify/notify-internal.h"

#define UIO_MAXIOV_ 1024 /* the kernel's cap on sendmmsg's vlen */

static void fill_inet(struct mb_notified_target *t, int family, const uint8_t *ip, uint16_t port_be)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	t->kind = MB_TARGET_INET;
	t->presence = MB_PRESENT;
	memset(&t->addr, 0, sizeof(t->addr));
	t->addr.port = ntohs(port_be);
	if (family == AF_INET6 && memcmp(ip, mapped, sizeof(mapped)) == 0) {
		family = AF_INET; /* ::ffff:a.b.c.d is a.b.c.d (policy/match.h) */
		ip += 12;
	}
	t->addr.family = family;
	memcpy(t->addr.addr, ip, family == AF_INET ? 4 : 16);
}

/* Decode a sockaddr of len bytes already in n->sa. */
static int decode_sockaddr(struct mb_notifier *n, size_t len, unsigned net_op, unsigned slot,
			   struct mb_notified_target *t)
{
	const struct sockaddr_storage *ss = &n->sa;
	if (len < sizeof(sa_family_t))
		return MB_KERNEL_ANSWERS;
	t->family = ss->ss_family;
	t->ops = 1u << net_op;
	t->unix_socket = false;
	t->path = NULL;
	t->presence = MB_PRESENT;
	switch (ss->ss_family) {
	case AF_UNSPEC:
		if (net_op == MB_OP_CONNECT)
			return MB_KERNEL_ANSWERS; /* connect(AF_UNSPEC) dissolves an association */
		t->kind = MB_TARGET_FAMILY;
		return MB_DECODED;
	case AF_INET: {
		if (len < sizeof(struct sockaddr_in))
			return MB_KERNEL_ANSWERS; /* EINVAL */
		const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;
		fill_inet(t, AF_INET, (const uint8_t *)&sin->sin_addr, sin->sin_port);
		return MB_DECODED;
	}
	case AF_INET6: {
		if (len < 24) /* SIN6_LEN_RFC2133: without sin6_scope_id */
			return MB_KERNEL_ANSWERS;
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;
		fill_inet(t, AF_INET6, sin6->sin6_addr.s6_addr, sin6->sin6_port);
		return MB_DECODED;
	}
	case AF_UNIX: {
		const struct sockaddr_un *sun = (const struct sockaddr_un *)ss;
		size_t plen = len - offsetof(struct sockaddr_un, sun_path);
		char *out = n->out[slot];
		if (plen == 0 || sun->sun_path[0] == '\0') {
			/* Abstract (or, for bind, an autobind name): NULs shown
			 * as '@', other unprintable bytes as '?'. */
			if (plen == 0 && net_op != MB_OP_BIND)
				return MB_KERNEL_ANSWERS; /* EINVAL */
			size_t o = 0;
			out[o++] = '@';
			for (size_t i = 1; i < plen && o + 1 < sizeof(n->out[slot]); i++) {
				unsigned char ch = (unsigned char)sun->sun_path[i];
				out[o++] = ch == '\0' ? '@' : (ch < 0x20 || ch >= 0x7f) ? '?' : (char)ch;
			}
			out[o] = '\0';
			t->kind = MB_TARGET_UNIX_ABSTRACT;
			t->path = out;
			return MB_DECODED;
		}
		/* A named socket: a file, relative to the cwd; the kernel stops
		 * at the first NUL or at len. */
		size_t l = strnlen(sun->sun_path, plen);
		memcpy(n->raw[slot], sun->sun_path, l);
		n->raw[slot][l] = '\0';
		bool bind = net_op == MB_OP_BIND;
		struct mb_resolve_req rq = {
			.dirfd = AT_FDCWD, .raw = n->raw[slot], .follow = !bind, .creates = bind,
		};
		int r = mb_resolve(n, &rq, out, sizeof(n->out[slot]), t);
		if (r != MB_DECODED)
			return r;
		t->unix_socket = true;
		t->ops = 1u << MB_OP_WRITE;
		t->family = AF_UNIX;
		return MB_DECODED;
	}
	default:
		t->kind = MB_TARGET_FAMILY;
		return MB_DECODED;
	}
}

/* Read len bytes of sockaddr at addr into n->sa and decode. */
static int read_sockaddr(struct mb_notifier *n, uint64_t addr, int64_t len, unsigned net_op,
			 struct mb_notified_target *t)
{
	if (addr == 0 || len <= 0)
		return MB_KERNEL_ANSWERS; /* no address: nothing to check, or EINVAL/EFAULT */
	if ((uint64_t)len > sizeof(n->sa))
		return MB_KERNEL_ANSWERS; /* EINVAL */
	int r = mb_remote_read(n, addr, &n->sa, (size_t)len);
	if (r < 0)
		return r == -ESRCH ? MB_VANISHED : MB_KERNEL_ANSWERS;
	return decode_sockaddr(n, (size_t)len, net_op, 0, t);
}

/* A msghdr's destination; sendmsg clamps msg_namelen to a sockaddr_storage. */
static int msghdr_target(struct mb_notifier *n, const struct msghdr *mh, unsigned net_op,
			 struct mb_notified_target *t)
{
	int64_t len = (int)mh->msg_namelen;
	if (len > (int64_t)sizeof(n->sa))
		len = sizeof(n->sa);
	return read_sockaddr(n, (uint64_t)(uintptr_t)mh->msg_name, len, net_op, t);
}

int mb_decode_net(struct mb_notifier *n, struct mb_notified_op *op)
{
	const struct mb_watch_syscall *sc = op->sc;
	op->n = 1;
	if (sc->kind == MB_WATCH_SOCKADDR)
		return read_sockaddr(n, op->args[sc->addr], (int)op->args[sc->addr_len], sc->net_op,
				     &op->t[0]);
	struct msghdr mh;
	int r = mb_remote_read(n, op->args[sc->addr], &mh, sizeof(mh));
	if (r < 0)
		return r == -ESRCH ? MB_VANISHED : MB_KERNEL_ANSWERS;
	return msghdr_target(n, &mh, sc->net_op, &op->t[0]);
}

/* sendmmsg: every message with a destination is decided; one refusal fails
 * the whole call (the kernel would have sent the ones before it). */
int mb_handle_mmsg(struct mb_notifier *n, struct mb_notified_op *op)
{
	const struct mb_watch_syscall *sc = op->sc;
	uint64_t vec = op->args[sc->addr];
	uint64_t vlen = (uint32_t)op->args[sc->addr_len];
	if (vlen > UIO_MAXIOV_)
		vlen = UIO_MAXIOV_;
	bool asked = false;
	for (uint64_t i = 0; i < vlen; i += MB_MMSG_CHUNK) {
		size_t k = (size_t)MB_MIN((uint64_t)MB_MMSG_CHUNK, vlen - i);
		int r = mb_remote_read(n, vec + i * sizeof(struct mmsghdr), n->mm,
				       k * sizeof(struct mmsghdr));
		if (r == -ESRCH) {
			n->stats.vanished++;
			return 0;
		}
		if (r < 0)
			break; /* the kernel stops (or fails) where we cannot read */
		for (size_t j = 0; j < k; j++) {
			op->n = 0;
			r = msghdr_target(n, &n->mm[j].msg_hdr, sc->net_op, &op->t[0]);
			if (r == MB_VANISHED) {
				n->stats.vanished++;
				return 0;
			}
			if (r != MB_DECODED)
				continue;
			op->n = 1;
			if (!mb_notify_id_valid(n, op->id))
				return 0;
			asked = true;
			struct mb_answer d = mb_notify_ask(n, op);
			if (d.verdict == MB_VERDICT_DENY || d.verdict == MB_VERDICT_ANSWERED)
				return mb_notify_answer(n, op, d);
		}
	}
	if (!asked)
		n->stats.kernel++;
	if (!mb_notify_id_valid(n, op->id))
		return 0;
	return mb_notify_send_resp(n, op->id, true, 0);
}
