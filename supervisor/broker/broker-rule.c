/* SPDX-License-Identifier: Apache-2.0 */
/* The network rule (broker-rule.h): one function, one table in its
 * comment, tested case by case. */
#include <errno.h>

#include "supervisor/broker/broker-rule.h"

#define R_NOT_GRANTED "not granted"
#define R_HOST_LOOPBACK "not granted: nothing in the sandbox listens at this loopback address, " \
			"the host does (the sandbox's loopback is its own)"
#define R_SEND_UNCONNECTED "a datagram with a destination leaves the sandbox only on a connected " \
			   "socket: connect() it first (connects are brokered)"
#define R_SEND_BROKERED "a brokered socket takes no destination per send: send() on it"
#define R_NOT_BROKERABLE "only stream and datagram sockets are brokered"
#define R_AUDIT "granted to a scope not in force (audit mode)"
#define R_EXPIRED "not granted: answered for a name, and that answer ran out (a connect by " \
		  "name follows its lookup within the answer's lifetime)"
#define R_METADATA "a cloud metadata address: only a grant of this very address allows it, " \
		   "never a range or a name"

const char *mb_net_call_name(enum mb_net_call c)
{
	switch (c) {
	case MB_NET_CONNECT:
		return "connect";
	case MB_NET_BIND:
		return "bind";
	default:
		return "send";
	}
}

static struct mb_net_outcome act(enum mb_net_action a)
{
	return (struct mb_net_outcome){ .action = a };
}

static struct mb_net_outcome deny(int error, const char *reason)
{
	return (struct mb_net_outcome){
		.action = MB_NET_DO_DENY, .error = error, .report = true, .reason = reason
	};
}

/* Not granted. Enforce: refused with EPERM, reported. Audit: left to the
 * static layer where there is one behind the socket, and reported
 * "allowed" (membrane let it through to that layer): the sandbox's own
 * netns for its sockets (done in place), Landlock's TCP ports and the
 * kernel for network host (CONTINUE). A socket already brokered has none:
 * it is the host's, so refused in both modes. */
static struct mb_net_outcome refuse(const struct mb_net_facts *f, const char *reason)
{
	if (f->mode == MB_MODE_AUDIT) {
		if (f->network == MB_NET_HOST)
			return (struct mb_net_outcome){ .action = MB_NET_DO_CONTINUE, .report = true,
							.allowed = true, .reason = reason };
		if (!f->host_socket)
			return (struct mb_net_outcome){ .action = MB_NET_DO_IN_PLACE, .report = true,
							.allowed = true, .reason = reason };
	}
	return deny(EPERM, reason);
}

/* Done in (or left to) the sandbox's empty netns, reported: it reaches
 * nothing outside, whatever the kernel answers. Its decision is membrane's
 * own: denied in enforce mode, allowed in audit mode. */
static struct mb_net_outcome inside_reported(const struct mb_net_facts *f, enum mb_net_action a,
					     const char *reason)
{
	return (struct mb_net_outcome){ .action = a, .report = true,
					.allowed = f->mode == MB_MODE_AUDIT, .reason = reason };
}

static enum mb_net_presence presence(const struct mb_net_facts *f)
{
	return f->presence ? f->presence(f->presence_ud) : MB_PRESENT_NOWHERE;
}

/* A loopback target that is not granted, on a socket of the sandbox: done
 * inside, where only the server's own sockets are. */
static struct mb_net_outcome loopback_inside(const struct mb_net_facts *f, enum mb_net_action a)
{
	if (f->call == MB_NET_BIND) /* binds the sandbox's lo: its own business */
		return act(a);
	if (presence(f) == MB_PRESENT_ON_HOST) {
		struct mb_net_outcome o =
			inside_reported(f, a, f->name_expired ? R_EXPIRED : R_HOST_LOOPBACK);
		o.host_only = true;
		return o;
	}
	return act(a);
}

/* What grants the address: the better of a literal grant and a name
 * answered with it; for a metadata address, its exact grant alone. */
static enum mb_net_grant grant_of(const struct mb_net_facts *f)
{
	if (f->metadata)
		return f->exact_grant;
	if (f->grant == MB_NET_GRANTED || f->name_grant == MB_NET_GRANTED)
		return MB_NET_GRANTED;
	if (f->grant == MB_NET_GRANTED_STATIC || f->name_grant == MB_NET_GRANTED_STATIC)
		return MB_NET_GRANTED_STATIC;
	return MB_NET_NOT_GRANTED;
}

static bool granted(const struct mb_net_facts *f)
{
	enum mb_net_grant g = grant_of(f);
	return g == MB_NET_GRANTED || (g == MB_NET_GRANTED_STATIC && f->mode == MB_MODE_AUDIT);
}

/* Not granted: why, for the report. */
static const char *why_not(const struct mb_net_facts *f)
{
	if (f->metadata && (f->grant != MB_NET_NOT_GRANTED || f->name_grant != MB_NET_NOT_GRANTED))
		return R_METADATA;
	return f->name_expired ? R_EXPIRED : R_NOT_GRANTED;
}

/* Done as granted: in audit mode, say so when only the static layer
 * grants it. */
static struct mb_net_outcome as_granted(const struct mb_net_facts *f, enum mb_net_action a)
{
	struct mb_net_outcome o = act(a);
	if (grant_of(f) != MB_NET_GRANTED) {
		o.report = true;
		o.allowed = true;
		o.reason = R_AUDIT;
	}
	return o;
}

static struct mb_net_outcome host_mode(const struct mb_net_facts *f)
{
	if (granted(f))
		return as_granted(f, MB_NET_DO_IN_PLACE);
	/* Not CONTINUE, even where the kernel would refuse: it would read
	 * the sockaddr again, and a racing thread could have changed it. */
	if (f->call == MB_NET_CONNECT && f->stream && f->scope != MB_ADDR_REMOTE &&
	    presence(f) == MB_PRESENT_NOWHERE)
		return f->mode == MB_MODE_AUDIT
			       ? act(MB_NET_DO_CONTINUE)
			       : (struct mb_net_outcome){ .action = MB_NET_DO_DENY, .error = ECONNREFUSED };
	return refuse(f, why_not(f));
}

static struct mb_net_outcome none_mode(const struct mb_net_facts *f)
{
	if (granted(f))
		return as_granted(f, MB_NET_DO_CONTINUE);
	if (f->scope != MB_ADDR_REMOTE)
		return loopback_inside(f, MB_NET_DO_CONTINUE);
	return inside_reported(f, MB_NET_DO_CONTINUE, why_not(f));
}

static struct mb_net_outcome brokered_host_socket(const struct mb_net_facts *f)
{
	if (!granted(f))
		return refuse(f, why_not(f));
	if (f->call == MB_NET_SEND)
		return refuse(f, R_SEND_BROKERED);
	return as_granted(f, MB_NET_DO_IN_PLACE);
}

static struct mb_net_outcome brokered(const struct mb_net_facts *f)
{
	if (f->host_socket)
		return brokered_host_socket(f);
	bool local = f->scope != MB_ADDR_REMOTE;
	if (f->call == MB_NET_SEND) {
		if (local && !granted(f))
			return loopback_inside(f, MB_NET_DO_IN_PLACE);
		return refuse(f, granted(f) ? R_SEND_UNCONNECTED : why_not(f));
	}
	if (granted(f)) {
		if (!f->brokerable)
			return refuse(f, R_NOT_BROKERABLE);
		return as_granted(f, MB_NET_DO_BROKER);
	}
	if (local)
		return loopback_inside(f, MB_NET_DO_IN_PLACE);
	return refuse(f, why_not(f));
}

/* The sandbox's resolver: membrane-run's own sockets, in the sandbox's
 * namespace (on the host's loopback with host). A brokered socket lives on
 * the host, where that address is someone else's. */
static struct mb_net_outcome resolver(const struct mb_net_facts *f)
{
	if (f->network == MB_NET_NONE)
		return act(MB_NET_DO_CONTINUE);
	if (f->network == MB_NET_BROKERED && f->host_socket)
		return refuse(f, R_NOT_GRANTED);
	return act(MB_NET_DO_IN_PLACE);
}

struct mb_net_outcome mb_net_rule(const struct mb_net_facts *f)
{
	/* No address: nothing new is reached, but the kernel, left to it,
	 * would read the server's memory again and might find one. */
	if (f->no_address)
		return act(f->network == MB_NET_NONE ? MB_NET_DO_CONTINUE : MB_NET_DO_IN_PLACE);
	if (f->resolver && f->call != MB_NET_BIND)
		return resolver(f);
	switch (f->network) {
	case MB_NET_HOST:
		return host_mode(f);
	case MB_NET_NONE:
		return none_mode(f);
	default:
		return brokered(f);
	}
}
