/* SPDX-License-Identifier: Apache-2.0 */
/* The sandboxed side of tests/broker/kernel-wall.sh: a server that tries
 * every way around the network wall of issue 13, under membrane-run with
 * network brokered or host, and prints one line per case on stderr:
 *
 *   CASE name key=value ...
 *
 * with what its own calls returned. Whether anything got through is judged
 * outside, by the host's sinks (tests/broker/sinks.py): every datagram or
 * connection that reaches one is logged with the case's tag. Ports:
 *   wall-client --mode brokered|host --a A --u U --t T --p P [--race N]
 * A: UDP, granted (udp:); U: UDP, not granted; T: TCP, granted (tcp:); P: a
 * UDP port nothing binds. --race N: calls per race (default 100000). */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "tests/broker/case-line.h"

static struct {
	bool host;
	int a, u, t, p;
	long race;
} o = { .race = 100000 };

static const char *en(int e)
{
	static char b[32];
	switch (e) {
	case 0: return "0";
	case EPERM: return "EPERM";
	case EACCES: return "EACCES";
	case EFAULT: return "EFAULT";
	case EINVAL: return "EINVAL";
	case EAFNOSUPPORT: return "EAFNOSUPPORT";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case EDESTADDRREQ: return "EDESTADDRREQ";
	case ECONNREFUSED: return "ECONNREFUSED";
	default: snprintf(b, sizeof(b), "errno%d", e); return b;
	}
}

static struct sockaddr_in sin_of(int family, int port)
{
	struct sockaddr_in a = { .sin_family = (sa_family_t)family, .sin_port = htons((uint16_t)port) };
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	return a;
}

static int udp(void)
{
	return socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
}

/* A UDP socket connected to A: brokered in network brokered. */
static int udp_to_a(int *err)
{
	int s = udp();
	struct sockaddr_in a = sin_of(AF_INET, o.a);
	*err = connect(s, (struct sockaddr *)&a, sizeof(a)) < 0 ? errno : 0;
	return s;
}

/* sendto, sendmsg or sendmmsg of tag to sa (len bytes). The errno, 0: sent. */
static int send_how(int s, const char *how, const void *sa, socklen_t len, const char *tag)
{
	struct iovec iov = { (void *)tag, strlen(tag) };
	struct msghdr mh = { .msg_name = (void *)sa, .msg_namelen = len, .msg_iov = &iov,
			     .msg_iovlen = 1 };
	long r;
	if (strcmp(how, "sendmsg") == 0) {
		r = sendmsg(s, &mh, 0);
	} else if (strcmp(how, "sendmmsg") == 0) {
		struct mmsghdr mm = { .msg_hdr = mh };
		r = sendmmsg(s, &mm, 1, 0);
	} else {
		r = sendto(s, tag, strlen(tag), 0, sa, len);
	}
	return r < 0 ? errno : 0;
}

/* AF_UNSPEC destinations: on the brokered socket (brokered) or a fresh one
 * (host), towards U. */
static void unspec_cases(int bs)
{
	static const char *const hows[] = { "sendto", "sendmsg", "sendmmsg" };
	struct sockaddr_in un = sin_of(AF_UNSPEC, o.u);
	for (size_t i = 0; i < 3; i++) {
		char name[32], tag[64];
		int s = o.host ? udp() : bs;
		snprintf(name, sizeof(name), "unspec-%s", hows[i]);
		snprintf(tag, sizeof(tag), "tag-%s", name);
		say(name, "errno=%s", en(send_how(s, hows[i], &un, sizeof(un), tag)));
		if (o.host)
			close(s);
	}
	if (!o.host) { /* a socket of the sandbox: decided as 127.0.0.1:U, stays inside */
		int s = udp();
		say("unspec-inside", "errno=%s",
		    en(send_how(s, "sendto", &un, sizeof(un), "tag-unspec-inside")));
		close(s);
	}
}

/* Sends without a destination on a socket connected to A: they reach A. */
static void noaddr_cases(int bs)
{
	struct iovec iov = { "tag-noaddr-sendmsg", 18 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	long r = sendmsg(bs, &mh, 0);
	say("noaddr-sendmsg", "rc=%ld errno=%s", r, en(r < 0 ? errno : 0));
	struct iovec v[2] = { { "tag-noaddr-mmsg-1", 17 }, { "tag-noaddr-mmsg-2!", 18 } };
	struct mmsghdr mm[2] = { { .msg_hdr = { .msg_iov = &v[0], .msg_iovlen = 1 } },
				 { .msg_hdr = { .msg_iov = &v[1], .msg_iovlen = 1 } } };
	r = sendmmsg(bs, mm, 2, 0);
	say("noaddr-sendmmsg", "rc=%ld errno=%s len=%u,%u", r, en(r < 0 ? errno : 0), mm[0].msg_len,
	    mm[1].msg_len);
	/* sendto with an address of length 0: the kernel's EINVAL on UDP. */
	struct sockaddr_in a = sin_of(AF_INET, o.u);
	r = sendto(bs, "tag-zerolen", 11, 0, (struct sockaddr *)&a, 0);
	say("zerolen-sendto", "rc=%ld errno=%s", r, en(r < 0 ? errno : 0));
}

/* Control messages on a send to the peer: IP_TOS is sent, SO_MARK (which
 * the kernel checks against the sender's capabilities) refused. */
static void control_cases(int bs)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	static const struct {
		const char *name;
		int level, type;
	} cases[] = {
		{ "control-tos", IPPROTO_IP, IP_TOS },
		{ "control-mark", SOL_SOCKET, SO_MARK },
	};
	for (size_t i = 0; i < 2; i++) {
		char tag[32];
		snprintf(tag, sizeof(tag), "tag-%s", cases[i].name);
		struct iovec iov = { tag, strlen(tag) };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
				     .msg_controllen = sizeof(u.buf) };
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = cases[i].level;
		c->cmsg_type = cases[i].type;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		int v = 0x10;
		memcpy(CMSG_DATA(c), &v, sizeof(v));
		long r = sendmsg(bs, &mh, 0);
		say(cases[i].name, "rc=%ld errno=%s", r, en(r < 0 ? errno : 0));
	}
}

/* Memory the supervisor cannot read: a page of memfd_secret(2) where the
 * kernel has one (the kernel reads it, process_vm_readv cannot), else a
 * PROT_NONE page. */
static void *unreadable_page(const char **kind)
{
	int fd = (int)syscall(SYS_memfd_secret, 0);
	if (fd >= 0 && ftruncate(fd, 4096) == 0) {
		void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		close(fd);
		if (p != MAP_FAILED) {
			*kind = "secretmem";
			return p;
		}
	}
	if (fd >= 0)
		close(fd);
	*kind = "prot_none";
	return mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

static void unreadable_cases(int bs)
{
	const char *kind;
	char *p = unreadable_page(&kind);
	struct sockaddr_in un = sin_of(AF_INET, o.u);
	if (strcmp(kind, "secretmem") == 0)
		memcpy(p, &un, sizeof(un));
	int s = o.host ? udp() : bs;
	long r = sendto(s, "tag-unreadable-sendto", 21, 0, (struct sockaddr *)p, sizeof(un));
	say("unreadable-sendto", "kind=%s rc=%ld errno=%s", kind, r, en(r < 0 ? errno : 0));
	r = connect(s, (struct sockaddr *)p, sizeof(un));
	say("unreadable-connect", "kind=%s rc=%ld errno=%s", kind, r, en(r < 0 ? errno : 0));
	if (strcmp(kind, "secretmem") == 0) {
		struct iovec iov = { "tag-unreadable-msghdr", 21 };
		struct msghdr mh = { .msg_name = p + 512, .msg_namelen = sizeof(un), .msg_iov = &iov,
				     .msg_iovlen = 1 };
		memcpy(p + 512, &un, sizeof(un));
		memcpy(p + 1024, &mh, sizeof(mh));
		r = sendmsg(s, (struct msghdr *)(p + 1024), 0);
	} else {
		r = sendmsg(s, (struct msghdr *)p, 0);
	}
	say("unreadable-msghdr", "kind=%s rc=%ld errno=%s", kind, r, en(r < 0 ? errno : 0));
	if (o.host)
		close(s);
}

/* connect(AF_UNSPEC) dissolves the association: a send after it has no
 * destination. */
static void dissolve_case(void)
{
	int e;
	int s = udp_to_a(&e);
	struct sockaddr un = { .sa_family = AF_UNSPEC };
	long r = connect(s, &un, sizeof(un));
	int ce = r < 0 ? errno : 0;
	long n = send(s, "tag-after-dissolve", 18, 0);
	say("dissolve", "connect=%s dissolve=%s send=%s", en(e), en(ce), en(n < 0 ? errno : 0));
	close(s);
}

/* bind(AF_UNSPEC, 0.0.0.0:P): AF_INET to the kernel, a host port in
 * network host. Is P bound on the host afterwards? (/proc/net/udp of the
 * socket's namespace, the host's in network host.) */
static bool udp_port_bound(int port)
{
	FILE *f = fopen("/proc/net/udp", "re");
	char line[512];
	bool found = false;
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		unsigned lp;
		if (sscanf(line, " %*d: %*8[0-9A-Fa-f]:%x", &lp) == 1)
			found = (int)lp == port;
	}
	fclose(f);
	return found;
}

static void bind_case(void)
{
	int s = udp();
	struct sockaddr_in a = sin_of(AF_UNSPEC, o.p);
	a.sin_addr.s_addr = htonl(INADDR_ANY);
	long r = bind(s, (struct sockaddr *)&a, sizeof(a));
	say("unspec-bind", "rc=%ld errno=%s bound=%d", r, en(r < 0 ? errno : 0),
	    udp_port_bound(o.p));
	close(s);
}

/* The protocol of a grant: A is granted to UDP only, T to TCP only. */
static void proto_cases(void)
{
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in t = sin_of(AF_INET, o.t);
	long r = connect(s, (struct sockaddr *)&t, sizeof(t));
	int e = r < 0 ? errno : 0;
	if (r == 0)
		send(s, "tag-tcp-granted", 15, MSG_NOSIGNAL);
	say("tcp-granted", "errno=%s", en(e));
	/* MSG_FASTOPEN with AF_UNSPEC: the kernel's EOPNOTSUPP */
	struct sockaddr un = { .sa_family = AF_UNSPEC };
	r = sendto(s, "tag-fastopen", 12, MSG_FASTOPEN | MSG_NOSIGNAL, &un, sizeof(un));
	say("unspec-fastopen", "errno=%s", en(r < 0 ? errno : 0));
	close(s);
	s = udp();
	r = connect(s, (struct sockaddr *)&t, sizeof(t));
	e = r < 0 ? errno : 0;
	if (r == 0)
		send(s, "tag-udp-to-tcp-grant", 20, 0);
	say("udp-to-tcp-grant", "errno=%s", en(e));
	close(s);
}

/* ---- races ---------------------------------------------------------------- */

static atomic_int stop;
static atomic_long flips;

struct flip {
	void *volatile *slot; /* a pointer flipped between two values */
	void *x, *y;
	char *bytes;          /* or bytes flipped between two copies */
	const char *bx, *by;
	size_t n;
};

static void *flipper(void *arg)
{
	struct flip *f = arg;
	long k = 0;
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		if (f->slot)
			*f->slot = (k & 1) ? f->y : f->x;
		else
			memcpy(f->bytes, (k & 1) ? f->by : f->bx, f->n);
		k++;
		for (volatile int i = 0; i < 20; i++)
			;
	}
	atomic_store(&flips, k);
	return NULL;
}

/* Call fn n times while f flips; count its results. */
static void race(const char *name, struct flip *f, long (*fn)(void *), void *ud)
{
	long calls = 0, sent = 0, eperm = 0, other = 0;
	atomic_store(&stop, 0);
	pthread_t th;
	pthread_create(&th, NULL, flipper, f);
	for (; calls < o.race; calls++) {
		long r = fn(ud);
		if (r >= 0)
			sent++;
		else if (r == -EPERM)
			eperm++;
		else
			other++;
	}
	atomic_store(&stop, 1);
	pthread_join(th, NULL);
	say(name, "calls=%ld flips=%ld sent=%ld eperm=%ld other=%ld", calls, atomic_load(&flips), sent,
	    eperm, other);
}

static struct msghdr race_mh;
static struct sockaddr_in race_u;
static int race_sock;
static char race_sa[sizeof(struct sockaddr_in)];

static long send_race_mh(void *ud)
{
	(void)ud;
	long r = sendmsg(race_sock, &race_mh, MSG_DONTWAIT);
	return r < 0 ? -errno : r;
}

static long sendto_race(void *ud)
{
	(void)ud;
	long r = sendto(race_sock, "tag-race-sendto", 15, MSG_DONTWAIT, (struct sockaddr *)race_sa,
			sizeof(race_sa));
	return r < 0 ? -errno : r;
}

/* A connect whose sockaddr flips; a send after each one that succeeded
 * goes where the socket was connected. */
static long connect_race(void *ud)
{
	(void)ud;
	int s = udp();
	long r = connect(s, (struct sockaddr *)race_sa, sizeof(race_sa));
	if (r == 0)
		send(s, "tag-race-connect", 16, MSG_DONTWAIT);
	else
		r = -errno;
	close(s);
	return r;
}

static void race_cases(int bs)
{
	/* msg_name between NULL (a send to the peer, A) and U */
	race_u = sin_of(AF_INET, o.u);
	static char payload[] = "tag-race-msgname";
	struct iovec iov = { payload, sizeof(payload) - 1 };
	race_mh = (struct msghdr){ .msg_namelen = sizeof(race_u), .msg_iov = &iov, .msg_iovlen = 1 };
	int e;
	race_sock = o.host ? udp_to_a(&e) : bs;
	struct flip f = { .slot = (void *volatile *)&race_mh.msg_name, .x = NULL, .y = &race_u };
	race("race-msgname", &f, send_race_mh, NULL);

	/* the sockaddr's bytes between A (AF_INET) and U (AF_UNSPEC, then AF_INET) */
	struct sockaddr_in ga = sin_of(AF_INET, o.a), fu = sin_of(AF_UNSPEC, o.u),
			   fi = sin_of(AF_INET, o.u);
	memcpy(race_sa, &ga, sizeof(ga));
	if (o.host) { /* a granted sendto is performed in network host */
		int s = udp();
		race_sock = s;
		struct flip g = { .bytes = race_sa, .bx = (char *)&ga, .by = (char *)&fu, .n = sizeof(ga) };
		race("race-sendto-unspec", &g, sendto_race, NULL);
		memcpy(race_sa, &ga, sizeof(ga));
		g.by = (char *)&fi;
		race("race-sendto", &g, sendto_race, NULL);
		close(s);
	}
	struct flip c = { .bytes = race_sa, .bx = (char *)&ga, .by = (char *)&fi, .n = sizeof(ga) };
	memcpy(race_sa, &ga, sizeof(ga));
	long saved = o.race;
	o.race = saved / 10; /* a socket per call: slower */
	race("race-connect", &c, connect_race, NULL);
	/* the family: AF_NETLINK bytes (no address check of their own: the
	 * baseline chose the families) or AF_INET U, on a UDP socket */
	struct sockaddr_in nl = { .sin_family = AF_NETLINK };
	memcpy(race_sa, &nl, sizeof(nl));
	c.bx = (char *)&nl;
	race("race-family", &c, connect_race, NULL);
	o.race = saved;
	if (o.host)
		close(race_sock);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mode", 1, NULL, 'm' }, { "a", 1, NULL, 'a' }, { "u", 1, NULL, 'u' },
		{ "t", 1, NULL, 't' },    { "p", 1, NULL, 'p' }, { "race", 1, NULL, 'r' }, { 0 },
	};
	int c;
	case_out = stderr;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'm': o.host = strcmp(optarg, "host") == 0; break;
		case 'a': o.a = atoi(optarg); break;
		case 'u': o.u = atoi(optarg); break;
		case 't': o.t = atoi(optarg); break;
		case 'p': o.p = atoi(optarg); break;
		case 'r': o.race = atol(optarg); break;
		default: return 2;
		}
	}
	int e;
	int bs = udp_to_a(&e);
	long n = send(bs, "tag-legit", 9, 0);
	say("legit", "connect=%s send=%s", en(e), en(n < 0 ? errno : 0));
	unspec_cases(bs);
	noaddr_cases(bs);
	control_cases(bs);
	unreadable_cases(bs);
	dissolve_case();
	if (o.host)
		bind_case();
	proto_cases();
	race_cases(bs);
	fprintf(stderr, "DONE\n");
	return 0;
}
