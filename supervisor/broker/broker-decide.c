/* SPDX-License-Identifier: Apache-2.0 */
/* The broker's deciding half: what a call's target means on the server's
 * socket, which the broker looks at (a copy taken with pidfd_getfd), the
 * rule (broker-rule.h), the report, and who performs it (broker.c,
 * broker-send.c). Nothing the server's memory holds is read here: the
 * notifier copied it once, and every decision is on that copy.
 *
 * AF_UNSPEC, as the kernel (6.x) takes it:
 *  - connect: dissolves the association (inet_dgram_connect,
 *    __inet_stream_connect, unix_dgram_connect): performed as written;
 *  - bind on an IPv4 socket: AF_INET when the address is INADDR_ANY
 *    (inet_bind's "compatibility games"), a host port bound in network
 *    host; EAFNOSUPPORT otherwise, and on IPv6 (inet6_bind);
 *  - a send: on IPv4 UDP an AF_INET destination (udp_sendmsg); on IPv6
 *    UDP no destination (udpv6_sendmsg); TCP ignores a destination but for
 *    Fast Open, which refuses AF_UNSPEC (EOPNOTSUPP); on other IPv4 or
 *    IPv6 sockets (raw: raw_sendmsg takes it as AF_INET) the socket's own
 *    family. */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "common/macros.h"
#include "policy/addr-class.h"
#include "supervisor/broker/broker-internal.h"

static bool broker_kind(const struct mb_notified_target *t)
{
	return t->kind == MB_TARGET_INET || t->kind == MB_TARGET_UNSPEC ||
	       t->kind == MB_TARGET_NONE;
}

bool mb_broker_handles(const struct mb_notified_op *op)
{
	uint8_t k = op->sc->kind;
	if (k == MB_WATCH_LISTEN)
		return true;
	if (k == MB_WATCH_MMSGHDR && op->nmsg > 0)
		return true;
	return (k == MB_WATCH_SOCKADDR || k == MB_WATCH_MSGHDR || k == MB_WATCH_MMSGHDR) &&
	       op->n == 1 && broker_kind(&op->t[0]);
}

static enum mb_net_call call_of(const struct mb_watch_syscall *sc)
{
	if (sc->nr == SYS_connect)
		return MB_NET_CONNECT;
	if (sc->nr == SYS_bind)
		return MB_NET_BIND;
	return MB_NET_SEND;
}

static enum mb_op op_of(enum mb_net_call call)
{
	return call == MB_NET_BIND ? MB_OP_BIND : MB_OP_CONNECT;
}

static enum mb_net_scope scope_of(const struct mb_addr *a)
{
	static const uint8_t zero[16], one[16] = { [15] = 1 };
	if (a->family == AF_INET)
		return a->addr[0] == 127 ? MB_ADDR_LOOPBACK
		       : memcmp(a->addr, zero, 4) == 0 ? MB_ADDR_ANY
						       : MB_ADDR_REMOTE;
	if (memcmp(a->addr, one, 16) == 0)
		return MB_ADDR_LOOPBACK;
	return memcmp(a->addr, zero, 16) == 0 ? MB_ADDR_ANY : MB_ADDR_REMOTE;
}

static struct mb_answer verdict(enum mb_verdict v, int error)
{
	return (struct mb_answer){ v, error };
}

static bool is_ip(const struct mb_srvsock *ss)
{
	return ss->domain == AF_INET || ss->domain == AF_INET6;
}

/* The server's socket the call names (its first argument), or false with
 * the answer to give: the kernel's own EBADF or ENOTSOCK, given without
 * CONTINUE (another thread could put a socket at that number before the
 * kernel looked again), or EACCES when the thread is gone or its fds are
 * out of reach (fail closed). */
static bool server_socket(struct mb_broker *b, const struct mb_notified_op *op,
			  struct mb_srvsock *ss, struct mb_answer *refused)
{
	int r = mb_srvsock_get(b, op->pid, (int)op->args[0], ss);
	if (r == 0)
		return true;
	b->stats.denied++;
	*refused = verdict(MB_VERDICT_DENY, r == -EBADF || r == -ENOTSOCK ? -r : EACCES);
	return false;
}

/* ---- what a target means on the socket ---------------------------------- */

enum dest_kind {
	D_ADDR,     /* addr */
	D_NONE,     /* the socket's peer (zero_len: sendto's address of length 0) */
	D_DISSOLVE, /* connect(AF_UNSPEC) */
	D_ERRNO,    /* the kernel's answer: error */
};

struct dest {
	enum dest_kind kind;
	int error;
	bool zero_len;
	struct mb_addr addr; /* its proto the socket's */
};

static struct dest errno_dest(int e)
{
	return (struct dest){ .kind = D_ERRNO, .error = e };
}

/* AF_UNSPEC, as this file's head says. */
static struct dest unspec(const struct mb_srvsock *ss, enum mb_net_call call,
			  const struct mb_notified_target *t, int flags)
{
	struct dest d = { .kind = D_ADDR };
	bool v4 = ss->domain == AF_INET;
	size_t need = v4 ? sizeof(struct sockaddr_in) : 24; /* SIN6_LEN_RFC2133 */
	const struct sockaddr_in *sin = t->sa;
	const struct sockaddr_in6 *sin6 = t->sa;
	if (call == MB_NET_CONNECT)
		return (struct dest){ .kind = D_DISSOLVE };
	if (call == MB_NET_BIND) {
		if (t->salen < need)
			return errno_dest(EINVAL);
		if (!v4 || sin->sin_addr.s_addr != htonl(INADDR_ANY))
			return errno_dest(EAFNOSUPPORT);
		mb_addr_set_v4(&d.addr, (const uint8_t *)&sin->sin_addr, ntohs(sin->sin_port));
		return d;
	}
	if (ss->type == SOCK_STREAM)
		return (flags & MSG_FASTOPEN) ? errno_dest(EOPNOTSUPP) : (struct dest){ .kind = D_NONE };
	if (!v4 && ss->proto == MB_PROTO_UDP)
		return (struct dest){ .kind = D_NONE };
	if (t->salen < need)
		return errno_dest(EINVAL);
	if (v4)
		mb_addr_set_v4(&d.addr, (const uint8_t *)&sin->sin_addr, ntohs(sin->sin_port));
	else
		mb_addr_set_v6(&d.addr, sin6->sin6_addr.s6_addr, ntohs(sin6->sin6_port));
	return d;
}

static int send_flags(const struct mb_notified_op *op)
{
	/* sendto(fd, buf, len, flags, ...), sendmmsg(fd, vec, vlen, flags),
	 * sendmsg(fd, msg, flags) */
	return (int)op->args[op->sc->kind == MB_WATCH_MSGHDR ? 2 : 3];
}

static struct dest dest_of(const struct mb_srvsock *ss, enum mb_net_call call,
			   const struct mb_notified_op *op, const struct mb_notified_target *t)
{
	struct dest d = { .kind = D_ADDR };
	if (t->kind == MB_TARGET_NONE)
		return (struct dest){ .kind = D_NONE, .zero_len = t->sa != NULL };
	if (t->kind == MB_TARGET_INET)
		d.addr = t->addr;
	else
		d = unspec(ss, call, t, call == MB_NET_SEND ? send_flags(op) : 0);
	d.addr.proto = (uint8_t)ss->proto;
	return d;
}

/* ---- deciding ------------------------------------------------------------- */

struct presence_ctx {
	const struct mb_notified_op *op;
	const struct mb_addr *a;
	bool stream;
	enum mb_network network;
};

static enum mb_net_presence presence(void *ud)
{
	struct presence_ctx *c = ud;
	if (c->network != MB_NET_HOST) {
		int r = mb_net_bound(c->op->pid, c->stream, c->a);
		if (r > 0)
			return MB_PRESENT_INSIDE;
		if (r < 0)
			return MB_PRESENT_ON_HOST; /* cannot tell: report rather than not */
	}
	int r = mb_net_bound(0, c->stream, c->a);
	return r != 0 ? MB_PRESENT_ON_HOST : MB_PRESENT_NOWHERE;
}

static int report(struct mb_broker *b, const struct mb_notified_op *op, enum mb_op o,
		  const struct mb_notified_target *t, const struct mb_net_outcome *out)
{
	return b->cfg.hooks.report ? b->cfg.hooks.report(b->cfg.hooks.ud, op, o, t, out) : 0;
}

/* Refuse op with error and a violation line for t (reason why). */
static struct mb_answer refuse(struct mb_broker *b, const struct mb_notified_op *op, enum mb_op o,
			       const struct mb_notified_target *t, int error, const char *why)
{
	struct mb_net_outcome out = {
		.action = MB_NET_DO_DENY, .error = error, .report = true, .reason = why,
	};
	b->stats.denied++;
	return verdict(MB_VERDICT_DENY, report(b, op, o, t, &out) < 0 ? EACCES : error);
}

/* The rule for d on ss, reported when it says so. A report that cannot be
 * written refuses the call (EACCES). */
static struct mb_net_outcome judge(struct mb_broker *b, const struct mb_notified_op *op,
				   const struct mb_srvsock *ss, enum mb_net_call call,
				   const struct dest *d)
{
	enum mb_op o = op_of(call);
	struct presence_ctx pc = { op, &d->addr, ss->type == SOCK_STREAM, b->cfg.network };
	bool address = d->kind == D_ADDR;
	struct mb_net_names names = { 0 };
	if (address && b->cfg.hooks.names)
		b->cfg.hooks.names(b->cfg.hooks.ud, op, o, &d->addr, &names);
	struct mb_net_facts f = {
		.network = b->cfg.network,
		.mode = b->cfg.mode,
		.call = call,
		.no_address = !address,
		.host_socket = b->cfg.network == MB_NET_HOST || (ss->host && b->cfg.network != MB_NET_NONE),
		.brokerable = ss->type == SOCK_STREAM || ss->type == SOCK_DGRAM,
		.stream = ss->type == SOCK_STREAM,
		.scope = address ? scope_of(&d->addr) : MB_ADDR_REMOTE,
		.grant = address && b->cfg.hooks.granted
				 ? b->cfg.hooks.granted(b->cfg.hooks.ud, op, o, &d->addr)
				 : MB_NET_NOT_GRANTED,
		.name_grant = names.grant,
		.metadata = address && mb_addr_classify(&d->addr) == MB_CLASS_METADATA,
		.exact_grant = names.exact,
		.resolver = names.resolver,
		.name_expired = names.expired,
		.presence = presence,
		.presence_ud = &pc,
	};
	struct mb_net_outcome out = mb_net_rule(&f);
	out.name = names.name;
	struct mb_notified_target t = {
		.kind = MB_TARGET_INET, .presence = out.host_only ? MB_PRESENT_HOST : MB_PRESENT,
		.ops = 1u << o, .addr = d->addr, .family = d->addr.family,
	};
	if (out.report && report(b, op, o, &t, &out) < 0)
		return (struct mb_net_outcome){ .action = MB_NET_DO_DENY, .error = EACCES };
	return out;
}

/* A send's destination for broker-send.c. */
static struct mb_send_dest send_dest(const struct mb_srvsock *ss, const struct dest *d)
{
	struct mb_send_dest sd = { .has = d->kind == D_ADDR || d->zero_len };
	if (d->kind == D_ADDR)
		sd.len = mb_broker_sockaddr(&d->addr, ss->domain, &sd.sa);
	return sd;
}

/* What a refused send is reported on: its (first) destination as decided. */
static struct mb_notified_target report_target(const struct dest *d)
{
	if (d->kind == D_ADDR)
		return (struct mb_notified_target){ .kind = MB_TARGET_INET, .presence = MB_PRESENT,
						    .ops = 1u << MB_OP_CONNECT, .addr = d->addr,
						    .family = d->addr.family };
	return (struct mb_notified_target){ .kind = MB_TARGET_NONE, .presence = MB_PRESENT,
					    .ops = 1u << MB_OP_CONNECT, .path = "(no destination)" };
}

static struct mb_answer perform_send(struct mb_broker *b, const struct mb_notified_op *op,
				     struct mb_srvsock *ss, const struct mb_send_dest *dests,
				     const struct dest *first)
{
	struct mb_send_job *j = NULL;
	const char *why = NULL;
	int r = mb_send_prepare(b, op, ss, dests, &j, &why);
	if (r < 0 && why) {
		struct mb_notified_target t = report_target(first);
		return refuse(b, op, MB_OP_CONNECT, &t, -r, why);
	}
	if (r < 0) {
		b->stats.denied++;
		return verdict(MB_VERDICT_DENY, -r);
	}
	b->stats.brokered++;
	mb_send_start(j, ss);
	return verdict(MB_VERDICT_ANSWERED, 0);
}

static struct mb_answer act(struct mb_broker *b, const struct mb_notified_op *op,
			    struct mb_srvsock *ss, enum mb_net_call call, const struct dest *d,
			    const struct mb_net_outcome *out)
{
	switch (out->action) {
	case MB_NET_DO_CONTINUE:
		b->stats.continued++;
		return verdict(out->report ? MB_VERDICT_ALLOW : MB_VERDICT_PROBE, 0);
	case MB_NET_DO_DENY:
		b->stats.denied++;
		return verdict(MB_VERDICT_DENY, out->error);
	case MB_NET_DO_BROKER:
		mb_broker_perform_brokered(b, op, ss, call, &d->addr);
		return verdict(MB_VERDICT_ANSWERED, 0);
	default:
		break;
	}
	if (call == MB_NET_SEND) {
		struct mb_send_dest sd = send_dest(ss, d);
		return perform_send(b, op, ss, &sd, d);
	}
	if (d->kind == D_DISSOLVE)
		mb_broker_raw(b, op, ss);
	else
		mb_broker_in_place(b, op, ss, call, &d->addr);
	return verdict(MB_VERDICT_ANSWERED, 0);
}

/* What the notifier could not read: never left to the kernel, which can
 * read what process_vm_readv cannot ([vvar], secret memory). */
static struct mb_answer unreadable(struct mb_broker *b, const struct mb_notified_op *op)
{
	struct mb_notified_target t = { .kind = MB_TARGET_NONE, .presence = MB_PRESENT,
					.path = "(unreadable)" };
	return refuse(b, op, op_of(call_of(op->sc)), &t, EFAULT,
		      "argument unreadable by the supervisor (a sockaddr or msghdr in memory "
		      "process_vm_readv cannot read)");
}

/* sendmmsg: every message decided, one refusal refuses the call; performed
 * as a whole, or left to the kernel as a whole (network none, audit). */
static struct mb_answer decide_batch(struct mb_broker *b, const struct mb_notified_op *op,
				     struct mb_srvsock *ss)
{
	_cleanup_free_ struct mb_send_dest *dests = calloc(op->nmsg, sizeof(*dests));
	if (!dests) {
		b->stats.denied++;
		return verdict(MB_VERDICT_DENY, ENOMEM);
	}
	bool cont = false;
	struct dest first = { .kind = D_NONE };
	for (unsigned i = 0; i < op->nmsg; i++) {
		struct dest d = dest_of(ss, MB_NET_SEND, op, &op->mt[i]);
		if (i == 0)
			first = d;
		if (d.kind == D_ERRNO) {
			b->stats.denied++;
			return verdict(MB_VERDICT_DENY, d.error);
		}
		struct mb_net_outcome out = judge(b, op, ss, MB_NET_SEND, &d);
		if (out.action == MB_NET_DO_DENY) {
			b->stats.denied++;
			return verdict(MB_VERDICT_DENY, out.error);
		}
		cont |= out.action == MB_NET_DO_CONTINUE;
		dests[i] = send_dest(ss, &d);
	}
	if (cont) {
		b->stats.continued++;
		return verdict(MB_VERDICT_ALLOW, 0);
	}
	return perform_send(b, op, ss, dests, &first);
}

/* An IPv4, IPv6, AF_UNSPEC or no destination on a socket of another
 * family (AF_UNIX, netlink...): no address is reached. */
static struct mb_answer other_family(struct mb_broker *b, const struct mb_notified_op *op,
				     struct mb_srvsock *ss)
{
	bool none = op->nmsg > 0;
	for (unsigned i = 0; i < op->nmsg; i++)
		none &= op->mt[i].kind == MB_TARGET_NONE;
	if (none || (op->n == 1 && op->t[0].kind == MB_TARGET_NONE)) {
		/* A send to the socket's peer, the kernel's to do: not the
		 * broker's to perform (credentials, fd passing); see broker.h. */
		b->stats.continued++;
		return verdict(MB_VERDICT_ALLOW, 0);
	}
	if (op->n == 1 && op->t[0].kind == MB_TARGET_UNSPEC && call_of(op->sc) == MB_NET_CONNECT) {
		mb_broker_raw(b, op, ss);
		return verdict(MB_VERDICT_ANSWERED, 0);
	}
	b->stats.denied++;
	return verdict(MB_VERDICT_DENY, EINVAL); /* unix_validate_addr, netlink_connect... */
}

/* listen(2) on an IPv4 or IPv6 socket never bound binds it first, to every
 * address of its family and a port the kernel picks, with no bind(2) for
 * the filter or Landlock to see. In the sandbox's own network namespace
 * that is the sandbox's business; on the host's it is a bind of 0.0.0.0:0
 * or [::]:0, held to the grants like any bind. A socket already bound had
 * its bind decided. Outside network none the listen itself is performed
 * on our copy: left to the kernel, it would look the fd up again. (An
 * unbound AF_UNIX socket autobinds a random abstract name: no name a host
 * service owns.) */
static struct mb_answer decide_listen(struct mb_broker *b, const struct mb_notified_op *op)
{
	b->stats.decided++;
	_cleanup_(mb_srvsock_done) struct mb_srvsock ss = { .fd = -1 };
	struct mb_answer refused;
	if (!server_socket(b, op, &ss, &refused))
		return refused;
	if (!is_ip(&ss) || b->cfg.network == MB_NET_NONE) {
		b->stats.continued++;
		return verdict(MB_VERDICT_PROBE, 0);
	}
	struct sockaddr_storage sa;
	socklen_t len = sizeof(sa);
	struct mb_addr a = { 0 };
	if (!ss.host || getsockname(ss.fd, (struct sockaddr *)&sa, &len) < 0)
		goto perform;
	if (sa.ss_family == AF_INET && len >= sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)&sa;
		if (in->sin_port)
			goto perform;
		mb_addr_set_v4(&a, (const uint8_t *)&in->sin_addr, 0);
	} else if (sa.ss_family == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&sa;
		if (in6->sin6_port)
			goto perform;
		mb_addr_set_v6(&a, in6->sin6_addr.s6_addr, 0);
	} else {
		goto perform;
	}
	a.proto = (uint8_t)ss.proto;
	enum mb_net_grant g = b->cfg.hooks.granted ? b->cfg.hooks.granted(b->cfg.hooks.ud, op, MB_OP_BIND, &a)
						   : MB_NET_NOT_GRANTED;
	if (g == MB_NET_GRANTED)
		goto perform;
	bool audit = b->cfg.mode == MB_MODE_AUDIT;
	struct mb_net_outcome out = {
		.action = audit ? MB_NET_DO_IN_PLACE : MB_NET_DO_DENY, .error = EPERM, .report = true,
		.allowed = audit,
		.reason = "listen(2) on a socket never bound binds every address of the host on a "
			  "port the kernel picks: not granted to any request in flight",
	};
	struct mb_notified_target t = { .kind = MB_TARGET_INET, .presence = MB_PRESENT,
					.ops = 1u << MB_OP_BIND, .addr = a, .family = a.family };
	if (report(b, op, MB_OP_BIND, &t, &out) < 0)
		audit = false; /* no report, no operation */
	if (!audit) {
		b->stats.denied++;
		return verdict(MB_VERDICT_DENY, EPERM);
	}
perform:
	mb_broker_raw(b, op, &ss);
	return verdict(MB_VERDICT_ANSWERED, 0);
}

struct mb_answer mb_broker_decide(struct mb_broker *b, const struct mb_notified_op *op)
{
	if (op->sc->kind == MB_WATCH_LISTEN)
		return decide_listen(b, op);
	b->stats.decided++;
	for (unsigned i = 0; i < op->nmsg; i++)
		if (op->mt[i].unreadable)
			return unreadable(b, op);
	if (op->n == 1 && op->t[0].unreadable)
		return unreadable(b, op);

	_cleanup_(mb_srvsock_done) struct mb_srvsock ss = { .fd = -1 };
	struct mb_answer refused;
	if (!server_socket(b, op, &ss, &refused))
		return refused;
	if (!is_ip(&ss))
		return other_family(b, op, &ss);
	if (op->nmsg)
		return decide_batch(b, op, &ss);

	enum mb_net_call call = call_of(op->sc);
	struct dest d = dest_of(&ss, call, op, &op->t[0]);
	if (d.kind == D_ERRNO) {
		b->stats.denied++;
		return verdict(MB_VERDICT_DENY, d.error);
	}
	struct mb_net_outcome out = judge(b, op, &ss, call, &d);
	return act(b, op, &ss, call, &d, &out);
}

bool mb_broker_foreign(struct mb_broker *b, const struct mb_notified_op *op, struct mb_answer *ret)
{
	uint8_t k = op->sc->kind;
	if (k != MB_WATCH_SOCKADDR && k != MB_WATCH_MSGHDR && k != MB_WATCH_MMSGHDR)
		return false;
	/* Only an address of another family: anything else the notifier
	 * marks (what it could not read...) is the correlator's to answer. */
	const struct mb_notified_target *t = &op->t[0];
	if (op->n != 1 || !(t->kind == MB_TARGET_FAMILY || t->kind == MB_TARGET_UNIX_ABSTRACT ||
			     (t->kind == MB_TARGET_PATH && t->unix_socket)))
		return false;
	_cleanup_(mb_srvsock_done) struct mb_srvsock ss = { .fd = -1 };
	if (!server_socket(b, op, &ss, ret))
		return true;
	if (!is_ip(&ss))
		return false;
	/* tcp_v4_connect, ip4_datagram_connect, inet_bind, udp_sendmsg... */
	b->stats.denied++;
	*ret = verdict(MB_VERDICT_DENY, EAFNOSUPPORT);
	return true;
}
