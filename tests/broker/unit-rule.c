/* SPDX-License-Identifier: Apache-2.0 */
/* The network rule (supervisor/broker/broker-rule.h) as data: one row per case of
 * the table in its comment, with the answer it must give, and whether it
 * may ask who listens at a loopback address (it must not on a granted
 * operation: that is the hot path, and the answer cannot change it). */
#include <errno.h>
#include <string.h>

#include "supervisor/broker/broker-rule.h"
#include "tests/tap.h"

enum { B = MB_NET_BROKERED, H = MB_NET_HOST, N = MB_NET_NONE };
enum { ENF = MB_MODE_ENFORCE, AUD = MB_MODE_AUDIT };
enum { CONN = MB_NET_CONNECT, BIND = MB_NET_BIND, SEND = MB_NET_SEND };
enum { REM = MB_ADDR_REMOTE, LO = MB_ADDR_LOOPBACK, ANY = MB_ADDR_ANY };
enum { NOT = MB_NET_NOT_GRANTED, YES = MB_NET_GRANTED, STAT = MB_NET_GRANTED_STATIC };
enum { NOWHERE = MB_PRESENT_NOWHERE, INSIDE = MB_PRESENT_INSIDE, ONHOST = MB_PRESENT_ON_HOST };
enum { BROKER = MB_NET_DO_BROKER, INPLACE = MB_NET_DO_IN_PLACE, CONT = MB_NET_DO_CONTINUE,
       DENY = MB_NET_DO_DENY };

/* socket kinds; NOADDR: a send without a destination or connect(AF_UNSPEC)
 * on a UDP socket (of the host in host mode) */
enum { TCP, UDP, RAW, HTCP, HUDP, NOADDR, HNOADDR };

static const struct row {
	int net, mode, call, sock, scope, grant, present;
	int action, error;
	bool report, allowed, asks;
	const char *why;
} rows[] = {
	/* brokered, a socket of the sandbox */
	{ B, ENF, CONN, TCP, LO, YES, ONHOST, BROKER, 0, false, false, false, "granted loopback: to the host" },
	{ B, ENF, CONN, UDP, REM, YES, NOWHERE, BROKER, 0, false, false, false, "granted UDP connect: brokered" },
	{ B, ENF, BIND, TCP, LO, YES, NOWHERE, BROKER, 0, false, false, false, "granted bind: on the host" },
	{ B, ENF, CONN, RAW, REM, YES, NOWHERE, DENY, EPERM, true, false, false, "granted, not a stream or datagram socket" },
	{ B, ENF, CONN, TCP, LO, NOT, INSIDE, INPLACE, 0, false, false, true, "its own listener: inside, quiet" },
	{ B, ENF, CONN, TCP, LO, NOT, NOWHERE, INPLACE, 0, false, false, true, "nothing anywhere: a probe, inside" },
	{ B, ENF, CONN, TCP, LO, NOT, ONHOST, INPLACE, 0, true, false, true, "only the host listens: inside, reported" },
	{ B, ENF, CONN, TCP, ANY, NOT, ONHOST, INPLACE, 0, true, false, true, "0.0.0.0 is loopback too" },
	{ B, ENF, CONN, UDP, LO, NOT, ONHOST, INPLACE, 0, true, false, true, "UDP connect to the host's bound port" },
	{ B, ENF, CONN, TCP, REM, NOT, NOWHERE, DENY, EPERM, true, false, false, "remote, not granted" },
	{ B, ENF, CONN, TCP, REM, STAT, NOWHERE, DENY, EPERM, true, false, false, "granted elsewhere, enforce" },
	{ B, ENF, CONN, TCP, LO, STAT, ONHOST, INPLACE, 0, true, false, true, "granted elsewhere, loopback: inside" },
	{ B, ENF, BIND, TCP, ANY, NOT, ONHOST, INPLACE, 0, false, false, false, "bind 0.0.0.0: the sandbox's own" },
	{ B, ENF, BIND, UDP, LO, NOT, ONHOST, INPLACE, 0, false, false, false, "bind loopback: the sandbox's own" },
	{ B, ENF, BIND, TCP, REM, NOT, NOWHERE, DENY, EPERM, true, false, false, "bind a host address" },
	{ B, ENF, SEND, UDP, LO, NOT, INSIDE, INPLACE, 0, false, false, true, "datagram to its own socket" },
	{ B, ENF, SEND, UDP, LO, NOT, ONHOST, INPLACE, 0, true, false, true, "datagram meant for the host's" },
	{ B, ENF, SEND, UDP, LO, YES, NOWHERE, DENY, EPERM, true, false, false, "granted, unconnected: connect first" },
	{ B, ENF, SEND, UDP, REM, YES, NOWHERE, DENY, EPERM, true, false, false, "granted remote datagram: connect first" },
	{ B, ENF, SEND, UDP, REM, NOT, NOWHERE, DENY, EPERM, true, false, false, "remote datagram" },
	{ B, ENF, SEND, UDP, LO, NOT, ONHOST, INPLACE, 0, true, false, true, "sendmmsg inside: performed, as sendto" },
	/* brokered, a socket already on the host */
	{ B, ENF, CONN, HUDP, REM, YES, NOWHERE, INPLACE, 0, false, false, false, "connected again, granted" },
	{ B, ENF, CONN, HUDP, LO, NOT, INSIDE, DENY, EPERM, true, false, false, "its loopback is the host's" },
	{ B, ENF, BIND, HTCP, LO, YES, NOWHERE, INPLACE, 0, false, false, false, "bind on it, granted" },
	{ B, ENF, SEND, HUDP, REM, YES, NOWHERE, DENY, EPERM, true, false, false, "destination on a brokered socket" },
	/* audit */
	{ B, AUD, CONN, TCP, REM, STAT, NOWHERE, BROKER, 0, true, true, false, "audit: the static layer grants it" },
	{ B, AUD, CONN, TCP, REM, NOT, NOWHERE, INPLACE, 0, true, true, false, "audit: no scope grants it: the netns answers" },
	{ B, AUD, CONN, HTCP, REM, NOT, NOWHERE, DENY, EPERM, true, false, false, "audit: a host socket has no layer behind" },
	{ B, AUD, CONN, TCP, LO, NOT, ONHOST, INPLACE, 0, true, true, true, "audit: the host's loopback, inside" },
	{ H, AUD, CONN, HTCP, REM, NOT, NOWHERE, CONT, 0, true, true, false, "audit, host: Landlock answers" },
	{ H, AUD, CONN, HTCP, LO, NOT, NOWHERE, CONT, 0, false, false, true, "audit, host: a probe, the kernel answers" },
	{ N, AUD, CONN, TCP, REM, NOT, NOWHERE, CONT, 0, true, true, false, "audit, none: reported allowed" },
	{ B, AUD, CONN, HTCP, REM, STAT, NOWHERE, INPLACE, 0, true, true, false, "audit, host socket" },
	{ N, AUD, CONN, TCP, REM, STAT, NOWHERE, CONT, 0, true, true, false, "audit, network none" },
	/* network host */
	{ H, ENF, CONN, HTCP, REM, YES, NOWHERE, INPLACE, 0, false, false, false, "host: granted, performed" },
	{ H, ENF, SEND, HUDP, REM, YES, NOWHERE, INPLACE, 0, false, false, false, "host: granted datagram, performed" },
	{ H, ENF, BIND, HUDP, ANY, YES, NOWHERE, INPLACE, 0, false, false, false, "host: granted bind, performed" },
	{ H, AUD, CONN, HTCP, REM, STAT, NOWHERE, INPLACE, 0, true, true, false, "audit, host: granted elsewhere, performed" },
	{ H, ENF, CONN, HTCP, LO, NOT, NOWHERE, DENY, ECONNREFUSED, false, false, true, "host: a probe" },
	{ H, ENF, CONN, HTCP, LO, NOT, ONHOST, DENY, EPERM, true, false, true, "host: a listener, not granted" },
	{ H, ENF, CONN, HUDP, LO, NOT, NOWHERE, DENY, EPERM, true, false, false, "host: UDP has no probe" },
	{ H, ENF, CONN, HTCP, REM, NOT, NOWHERE, DENY, EPERM, true, false, false, "host: remote" },
	{ H, ENF, BIND, HTCP, LO, NOT, NOWHERE, DENY, EPERM, true, false, false, "host: bind" },
	/* no address: a send to the socket's peer, connect(AF_UNSPEC) */
	{ B, ENF, SEND, HNOADDR, REM, NOT, NOWHERE, INPLACE, 0, false, false, false, "brokered: a send on a brokered socket, performed" },
	{ B, ENF, SEND, NOADDR, REM, NOT, NOWHERE, INPLACE, 0, false, false, false, "brokered: a send on the sandbox's socket, performed" },
	{ B, ENF, CONN, HNOADDR, REM, NOT, NOWHERE, INPLACE, 0, false, false, false, "brokered: connect(AF_UNSPEC), performed" },
	{ H, ENF, SEND, HNOADDR, REM, NOT, NOWHERE, INPLACE, 0, false, false, false, "host: a send to the peer, performed" },
	{ H, AUD, CONN, HNOADDR, REM, NOT, NOWHERE, INPLACE, 0, false, false, false, "host, audit: connect(AF_UNSPEC), performed" },
	{ N, ENF, SEND, NOADDR, REM, NOT, NOWHERE, CONT, 0, false, false, false, "none: a send to the peer, the kernel's" },
	/* network none */
	{ N, ENF, CONN, TCP, REM, YES, NOWHERE, CONT, 0, false, false, false, "none: granted, the kernel answers" },
	{ N, ENF, CONN, TCP, REM, NOT, NOWHERE, CONT, 0, true, false, false, "none: remote, reported" },
	{ N, ENF, CONN, TCP, LO, NOT, ONHOST, CONT, 0, true, false, true, "none: the host's loopback, reported" },
	{ N, ENF, CONN, TCP, LO, NOT, NOWHERE, CONT, 0, false, false, true, "none: a probe" },
	{ N, ENF, BIND, TCP, LO, NOT, NOWHERE, CONT, 0, false, false, false, "none: bind its loopback" },
};

/* Names, the sandbox's resolver and cloud metadata (broker-rule.h, "What
 * grants an address"): the literal grant, the name's, the metadata
 * address's exact one; what is done and the reason's start. */
static const struct name_row {
	int net, mode, call, sock, scope, grant, name_grant;
	bool metadata;
	int exact;
	bool resolver, expired;
	int present;
	int action, error;
	bool report;
	const char *reason; /* its start; NULL: no report */
	const char *why;
} name_rows[] = {
	{ B, ENF, CONN, TCP, REM, NOT, YES, false, NOT, false, false, NOWHERE, BROKER, 0, false, NULL,
	  "answered for a name granted in force: brokered" },
	{ B, ENF, CONN, TCP, LO, NOT, YES, false, NOT, false, false, NOWHERE, BROKER, 0, false, NULL,
	  "a loopback answer of a private name: the host's loopback" },
	{ B, ENF, CONN, TCP, REM, NOT, STAT, false, NOT, false, false, NOWHERE, DENY, EPERM, true,
	  "not granted", "answered for a name another scope grants: EPERM" },
	{ B, AUD, CONN, TCP, REM, NOT, STAT, false, NOT, false, false, NOWHERE, BROKER, 0, true,
	  "granted to a scope not in force", "... audit: brokered, reported" },
	{ B, ENF, CONN, TCP, REM, NOT, NOT, false, NOT, false, true, NOWHERE, DENY, EPERM, true,
	  "not granted: answered for a name, and that answer ran out", "an answer run out: EPERM, said so" },
	{ B, ENF, CONN, TCP, LO, NOT, NOT, false, NOT, false, true, ONHOST, INPLACE, 0, true,
	  "not granted: answered for a name, and that answer ran out", "... on loopback: inside, said so" },
	{ H, ENF, CONN, HTCP, REM, NOT, YES, false, NOT, false, false, NOWHERE, INPLACE, 0, false, NULL,
	  "host: a name's answer, performed" },
	{ H, ENF, CONN, HTCP, REM, NOT, NOT, false, NOT, false, true, NOWHERE, DENY, EPERM, true,
	  "not granted: answered for a name", "host: an answer run out: EPERM" },
	/* metadata: only its exact grant */
	{ B, ENF, CONN, TCP, REM, YES, NOT, true, NOT, false, false, NOWHERE, DENY, EPERM, true,
	  "a cloud metadata address", "metadata granted by a range: EPERM" },
	{ B, ENF, CONN, TCP, REM, NOT, YES, true, NOT, false, false, NOWHERE, DENY, EPERM, true,
	  "a cloud metadata address", "metadata answered for a name: EPERM" },
	{ H, ENF, CONN, HTCP, REM, YES, YES, true, NOT, false, false, NOWHERE, DENY, EPERM, true,
	  "a cloud metadata address", "host: metadata by range and name: EPERM" },
	{ N, ENF, CONN, TCP, REM, YES, NOT, true, NOT, false, false, NOWHERE, CONT, 0, true,
	  "a cloud metadata address", "none: metadata by a range, reported" },
	{ B, ENF, CONN, TCP, REM, YES, NOT, true, YES, false, false, NOWHERE, BROKER, 0, false, NULL,
	  "metadata by its exact grant: brokered" },
	{ B, ENF, CONN, TCP, REM, NOT, NOT, true, NOT, false, false, NOWHERE, DENY, EPERM, true,
	  "not granted", "metadata, nothing: not granted" },
	/* the sandbox's resolver */
	{ B, ENF, CONN, UDP, LO, NOT, NOT, false, NOT, true, false, INSIDE, INPLACE, 0, false, NULL,
	  "the resolver: in place, quiet" },
	{ B, ENF, SEND, UDP, LO, NOT, NOT, false, NOT, true, false, INSIDE, INPLACE, 0, false, NULL,
	  "the resolver, sendto: in place" },
	{ B, ENF, CONN, HUDP, LO, NOT, NOT, false, NOT, true, false, NOWHERE, DENY, EPERM, true,
	  "not granted", "the resolver's address from a brokered socket: the host's, refused" },
	{ H, ENF, CONN, HTCP, LO, NOT, NOT, false, NOT, true, false, ONHOST, INPLACE, 0, false, NULL,
	  "host: the resolver on the host's loopback: in place" },
	{ N, ENF, CONN, UDP, LO, NOT, NOT, false, NOT, true, false, INSIDE, CONT, 0, false, NULL,
	  "none: the resolver, the kernel's" },
	{ B, ENF, BIND, UDP, LO, NOT, NOT, false, NOT, true, false, NOWHERE, INPLACE, 0, false, NULL,
	  "a bind of the resolver's address: as any bind of the sandbox's loopback" },
};

static int asked;
static enum mb_net_presence presence_of;

static enum mb_net_presence ask(void *ud)
{
	(void)ud;
	asked++;
	return presence_of;
}

static const char *action_name(int a)
{
	static const char *n[] = { "broker", "in-place", "continue", "deny" };
	return a >= 0 && a < 4 ? n[a] : "?";
}

int main(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		const struct row *w = &rows[i];
		struct mb_net_facts f = {
			.network = w->net,
			.mode = w->mode,
			.call = w->call,
			.no_address = w->sock == NOADDR || w->sock == HNOADDR,
			.host_socket = w->sock == HTCP || w->sock == HUDP || w->sock == HNOADDR ||
				       w->net == H,
			.brokerable = w->sock != RAW,
			.stream = w->sock == TCP || w->sock == HTCP,
			.scope = w->scope,
			.grant = w->grant,
			.presence = ask,
		};
		asked = 0;
		presence_of = w->present;
		struct mb_net_outcome o = mb_net_rule(&f);
		bool good = (int)o.action == w->action && o.error == w->error && o.report == w->report &&
			    o.allowed == w->allowed && (asked > 0) == w->asks &&
			    (!o.report || (o.reason && *o.reason));
		ok(good, "%s", w->why);
		if (!good)
			diag("  got %s error %d report %d allowed %d asked %d; want %s %d %d %d %d",
			     action_name(o.action), o.error, o.report, o.allowed, asked,
			     action_name(w->action), w->error, w->report, w->allowed, w->asks);
	}
	for (size_t i = 0; i < ARRAY_SIZE(name_rows); i++) {
		const struct name_row *w = &name_rows[i];
		struct mb_net_facts f = {
			.network = w->net,
			.mode = w->mode,
			.call = w->call,
			.host_socket = w->sock == HTCP || w->sock == HUDP || w->net == H,
			.brokerable = true,
			.stream = w->sock == TCP || w->sock == HTCP,
			.scope = w->scope,
			.grant = w->grant,
			.name_grant = w->name_grant,
			.metadata = w->metadata,
			.exact_grant = w->exact,
			.resolver = w->resolver,
			.name_expired = w->expired,
			.presence = ask,
		};
		presence_of = w->present;
		struct mb_net_outcome o = mb_net_rule(&f);
		bool good = (int)o.action == w->action && o.error == w->error && o.report == w->report &&
			    (!w->reason || (o.reason && strncmp(o.reason, w->reason, strlen(w->reason)) == 0));
		ok(good, "%s", w->why);
		if (!good)
			diag("  got %s error %d report %d reason %s", action_name(o.action), o.error,
			     o.report, o.reason ? o.reason : "-");
	}
	is_str(mb_net_call_name(MB_NET_SEND), "send", "call names");
	return done_testing();
}
