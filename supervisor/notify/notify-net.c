/* SPDX-License-Identifier: Apache-2.0 */
/* The notifier's network calls: the sockaddr of connect, bind and sendto,
 * the destination of sendmsg, and each destination of sendmmsg, read out of
 * the target once and decoded into targets (notify.h) for the decision
 * callback.
 *
 * What is never answered CONTINUE from here: every sockaddr and msghdr is
 * read once into the supervisor's memory and decided on that copy; what
 * cannot be read is a target marked unreadable (the broker denies it
 * EFAULT and reports it); a length the kernel refuses is answered with the
 * kernel's errno. An address of family AF_UNSPEC and a send without one are
 * targets of their own (MB_TARGET_UNSPEC, MB_TARGET_NONE): what they mean
 * depends on the socket, which only the broker looks at. The one CONTINUE
 * left is a sendmmsg of no message, which reads and sends nothing. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>

#include "supervisor/notify/notify-internal.h"

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

/* A target without an address; sa non-NULL: an address of length 0. */
static int no_destination(struct mb_notified_target *t, unsigned net_op, const void *sa)
{
	*t = (struct mb_notified_target){
		.kind = MB_TARGET_NONE, .presence = MB_PRESENT, .ops = 1u << net_op, .sa = sa,
	};
	return MB_DECODED;
}

/* Memory the supervisor could not read (ESRCH: the thread is gone). */
static int unreadable(struct mb_notified_target *t, unsigned net_op, int r)
{
	if (r == -ESRCH)
		return MB_VANISHED;
	no_destination(t, net_op, NULL);
	t->unreadable = true;
	return MB_DECODED;
}

/* A named AF_UNIX socket: a file, relative to the cwd; the kernel stops at
 * the first NUL or at len. */
static int decode_unix_path(struct mb_notifier *n, const struct sockaddr_un *sun, size_t plen,
			    unsigned net_op, unsigned slot, struct mb_notified_target *t)
{
	size_t l = strnlen(sun->sun_path, plen);
	memcpy(n->raw[slot], sun->sun_path, l);
	n->raw[slot][l] = '\0';
	bool bind = net_op == MB_OP_BIND;
	struct mb_resolve_req rq = {
		.dirfd = AT_FDCWD, .raw = n->raw[slot], .follow = !bind, .creates = bind,
	};
	int r = mb_resolve(n, &rq, n->out[slot], sizeof(n->out[slot]), t);
	if (r != MB_DECODED)
		return r;
	t->unix_socket = true;
	t->ops = 1u << MB_OP_WRITE;
	t->family = AF_UNIX;
	return MB_DECODED;
}

/* Abstract (or, for bind, an autobind name): NULs shown as '@', other
 * unprintable bytes as '?'. */
static void decode_abstract(struct mb_notifier *n, const struct sockaddr_un *sun, size_t plen,
			    unsigned slot, struct mb_notified_target *t)
{
	char *out = n->out[slot];
	size_t o = 0;
	out[o++] = '@';
	for (size_t i = 1; i < plen && o + 1 < sizeof(n->out[slot]); i++) {
		unsigned char ch = (unsigned char)sun->sun_path[i];
		out[o++] = ch == '\0' ? '@' : (ch < 0x20 || ch >= 0x7f) ? '?' : (char)ch;
	}
	out[o] = '\0';
	t->kind = MB_TARGET_UNIX_ABSTRACT;
	t->path = out;
}

/* Decode len bytes of sockaddr already copied to ss. resolve: resolve an
 * AF_UNIX path (sendmmsg's first pass only classifies). */
static int decode_sockaddr(struct mb_notifier *n, const struct sockaddr_storage *ss, size_t len,
			   unsigned net_op, unsigned slot, bool resolve, struct mb_notified_target *t)
{
	if (len < sizeof(sa_family_t))
		return -EINVAL;
	*t = (struct mb_notified_target){
		.family = ss->ss_family, .ops = 1u << net_op, .presence = MB_PRESENT, .sa = ss,
		.salen = (unsigned)len,
	};
	switch (ss->ss_family) {
	case AF_UNSPEC:
		t->kind = MB_TARGET_UNSPEC;
		return MB_DECODED;
	case AF_INET: {
		if (len < sizeof(struct sockaddr_in))
			return -EINVAL;
		const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;
		fill_inet(t, AF_INET, (const uint8_t *)&sin->sin_addr, sin->sin_port);
		return MB_DECODED;
	}
	case AF_INET6: {
		if (len < 24) /* SIN6_LEN_RFC2133: without sin6_scope_id */
			return -EINVAL;
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;
		fill_inet(t, AF_INET6, sin6->sin6_addr.s6_addr, sin6->sin6_port);
		return MB_DECODED;
	}
	case AF_UNIX: {
		const struct sockaddr_un *sun = (const struct sockaddr_un *)ss;
		size_t plen = len - offsetof(struct sockaddr_un, sun_path);
		t->kind = MB_TARGET_FAMILY; /* until resolved */
		if (plen == 0 && net_op != MB_OP_BIND)
			return -EINVAL;
		if (plen == 0 || sun->sun_path[0] == '\0') {
			decode_abstract(n, sun, plen, slot, t);
			return MB_DECODED;
		}
		return resolve ? decode_unix_path(n, sun, plen, net_op, slot, t) : MB_DECODED;
	}
	default:
		t->kind = MB_TARGET_FAMILY;
		return MB_DECODED;
	}
}

/* Read len bytes of sockaddr at addr into buf and decode. */
static int read_sockaddr(struct mb_notifier *n, uint64_t addr, size_t len, unsigned net_op,
			 struct sockaddr_storage *buf, unsigned slot, bool resolve,
			 struct mb_notified_target *t)
{
	int r = mb_remote_read(n, addr, buf, len);
	if (r < 0)
		return unreadable(t, net_op, r);
	return decode_sockaddr(n, buf, len, net_op, slot, resolve, t);
}

/* A msghdr's destination, as the kernel's copy_msghdr takes it: none when
 * msg_name is NULL or msg_namelen 0, EINVAL for a negative length, a
 * longer one clamped to a sockaddr_storage. */
static int msghdr_target(struct mb_notifier *n, const struct msghdr *mh, unsigned net_op,
			 struct sockaddr_storage *buf, unsigned slot, bool resolve,
			 struct mb_notified_target *t)
{
	int len = (int)mh->msg_namelen;
	if (!mh->msg_name || len == 0)
		return no_destination(t, net_op, NULL);
	if (len < 0)
		return -EINVAL;
	return read_sockaddr(n, (uint64_t)(uintptr_t)mh->msg_name,
			     MB_MIN((size_t)len, sizeof(*buf)), net_op, buf, slot, resolve, t);
}

int mb_decode_net(struct mb_notifier *n, struct mb_notified_op *op)
{
	const struct mb_watch_syscall *sc = op->sc;
	struct mb_notified_target *t = &op->t[0];
	op->n = 1;
	if (sc->kind == MB_WATCH_SOCKADDR) {
		/* The pointer and the length are registers: the filter lets a
		 * sendto without an address through (no destination, nothing
		 * read); the kernel refuses a length outside 0..sizeof
		 * (sockaddr_storage) before it reads anything. */
		int len = (int)op->args[sc->addr_len];
		if (len < 0 || (size_t)len > sizeof(n->sa))
			return -EINVAL;
		if (len == 0)
			return sc->nr == SYS_sendto ? no_destination(t, sc->net_op, &n->sa) : -EINVAL;
		return read_sockaddr(n, op->args[sc->addr], (size_t)len, sc->net_op, &n->sa, 0,
				     true, t);
	}
	int r = mb_remote_read(n, op->args[sc->addr], &n->msg, sizeof(n->msg));
	if (r < 0)
		return unreadable(t, sc->net_op, r);
	op->msg = &n->msg;
	return msghdr_target(n, &n->msg, sc->net_op, &n->sa, 0, true, t);
}

/* Is t an AF_UNIX or other family's destination (the correlator's)? */
static bool foreign(const struct mb_notified_target *t)
{
	return t->kind == MB_TARGET_FAMILY || t->kind == MB_TARGET_UNIX_ABSTRACT ||
	       t->kind == MB_TARGET_PATH;
}

/* sendmmsg whose destinations are the correlator's (AF_UNIX, other
 * families): every message with a destination is decided, from the copy
 * read_mmsg() made, resolved one at a time; one refusal fails the whole
 * call (the kernel would have sent the ones before it). */
static int ask_each(struct mb_notifier *n, struct mb_notified_op *op, unsigned vlen)
{
	for (unsigned i = 0; i < vlen; i++) {
		if (n->mt[i].kind == MB_TARGET_NONE)
			continue;
		int r = decode_sockaddr(n, &n->msa[i], n->mt[i].salen, op->sc->net_op, 0, true,
					&op->t[0]);
		if (r == MB_VANISHED) {
			n->stats.vanished++;
			return 0;
		}
		if (!mb_notify_id_valid(n, op->id))
			return 0;
		if (r < 0)
			return mb_notify_send_resp(n, op->id, false, -r);
		op->n = 1;
		struct mb_answer d = mb_notify_ask(n, op);
		if (d.verdict == MB_VERDICT_DENY || d.verdict == MB_VERDICT_ANSWERED)
			return mb_notify_answer(n, op, d);
		mb_resolve_reset(n);
	}
	if (!mb_notify_id_valid(n, op->id))
		return 0;
	return mb_notify_send_resp(n, op->id, true, 0);
}

/* Read the vector and each destination once into n->mm, n->msa, n->mt.
 * Returns MB_DECODED, MB_VANISHED or -errno, and in *ret_n how many
 * messages to decide: a part of the vector that cannot be read ends them
 * with an unreadable destination (the kernel would send the messages
 * before it; the supervisor refuses the call). */
static int read_mmsg(struct mb_notifier *n, const struct mb_notified_op *op, unsigned vlen,
		     unsigned *ret_n)
{
	const struct mb_watch_syscall *sc = op->sc;
	uint64_t vec = op->args[sc->addr];
	*ret_n = vlen;
	for (unsigned i = 0; i < vlen; i += MB_MMSG_CHUNK) {
		unsigned k = MB_MIN(vlen - i, (unsigned)MB_MMSG_CHUNK);
		int r = mb_remote_read(n, vec + (uint64_t)i * sizeof(struct mmsghdr), &n->mm[i],
				       k * sizeof(struct mmsghdr));
		if (r < 0) {
			*ret_n = i + 1;
			return unreadable(&n->mt[i], sc->net_op, r);
		}
		for (unsigned j = i; j < i + k; j++) {
			r = msghdr_target(n, &n->mm[j].msg_hdr, sc->net_op, &n->msa[j], 0, false,
					  &n->mt[j]);
			if (r != MB_DECODED)
				return r;
			if (n->mt[j].unreadable) {
				*ret_n = j + 1;
				return MB_DECODED;
			}
		}
	}
	return MB_DECODED;
}

/* sendmmsg: destinations of the broker's kinds (IPv4, IPv6, AF_UNSPEC,
 * none, unreadable) are decided as one call, which the broker performs or
 * refuses as a whole; the correlator's (AF_UNIX, other families) message
 * by message. Both in one call is refused (EINVAL): one socket takes one
 * family. Returns 0 or -errno when the listener is unusable. */
int mb_handle_mmsg(struct mb_notifier *n, struct mb_notified_op *op)
{
	unsigned vlen = (unsigned)MB_MIN((uint32_t)op->args[op->sc->addr_len], (uint32_t)MB_MMSG_MAX);
	if (vlen == 0) { /* reads and sends nothing */
		n->stats.kernel++;
		if (!mb_notify_id_valid(n, op->id))
			return 0;
		return mb_notify_send_resp(n, op->id, true, 0);
	}
	unsigned nread;
	int r = read_mmsg(n, op, vlen, &nread);
	if (r == MB_VANISHED) {
		n->stats.vanished++;
		return 0;
	}
	bool ip = false, other = false;
	for (unsigned i = 0; r >= 0 && i < nread; i++) {
		ip |= n->mt[i].kind == MB_TARGET_INET || n->mt[i].kind == MB_TARGET_UNSPEC ||
		      n->mt[i].unreadable;
		other |= foreign(&n->mt[i]);
	}
	if (!mb_notify_id_valid(n, op->id))
		return 0;
	if (r < 0 || (ip && other))
		return mb_notify_send_resp(n, op->id, false, r < 0 ? -r : EINVAL);
	if (other)
		return ask_each(n, op, nread);
	op->n = 0;
	op->mmsg = n->mm;
	op->mt = n->mt;
	op->nmsg = nread;
	return mb_notify_answer(n, op, mb_notify_ask(n, op));
}
