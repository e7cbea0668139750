/* SPDX-License-Identifier: Apache-2.0 */
/* Who has a socket at a loopback address: the difference between a probe
 * and a violation for a connect that stays inside the sandbox. A
 * connect to 127.0.0.1:P that nothing in the sandbox listens on, while
 * something on the host does, is the server trying to reach the host's
 * loopback (docs/design.md "What is a violation": a target that exists, in the
 * sandbox or on the host).
 *
 * Read from /proc/PID/net/{tcp,tcp6,udp,udp6}, which show the network
 * namespace of PID: the sandbox's through one of its processes, the host's
 * through our own. Each line's local_address is the address as the kernel
 * stores it, printed as 32-bit words in host byte order, and the port in
 * hex; st 0A is TCP_LISTEN. This runs only for a loopback target that no
 * grant names: never on a granted connect. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "supervisor/broker/broker-internal.h"

#define TCP_LISTEN_STATE 0x0A

static bool all_zero(const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

/* Does a local address (family, bytes) take connections for a? The same
 * address, or the wildcard of its family; an IPv6 wildcard also takes IPv4
 * (unless IPV6_V6ONLY, which /proc does not show: counted as taking it),
 * and ::ffff:a.b.c.d is a.b.c.d. A connect to 0.0.0.0 or :: reaches the
 * loopback: any loopback listener then counts. */
static bool takes(int family, const uint8_t *addr, const struct mb_addr *a)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	size_t n = family == AF_INET ? 4 : 16;
	if (all_zero(addr, n))
		return family == a->family || (family == AF_INET6 && a->family == AF_INET);
	if (family == AF_INET6 && memcmp(addr, mapped, 12) == 0) {
		family = AF_INET;
		addr += 12;
		n = 4;
	}
	if (family != a->family)
		return false;
	if (all_zero(a->addr, n)) /* to the unspecified address: loopback */
		return family == AF_INET ? addr[0] == 127
					 : memcmp(addr, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1", 16) == 0;
	return memcmp(addr, a->addr, n) == 0;
}

/* "0100007F:1F90" or 32 hex digits and a port. */
static bool parse_local(const char *s, int family, uint8_t *addr, unsigned *port)
{
	unsigned words = family == AF_INET ? 1 : 4;
	for (unsigned w = 0; w < words; w++) {
		char hex[9];
		memcpy(hex, s + 8 * w, 8);
		hex[8] = '\0';
		char *end;
		uint32_t v = (uint32_t)strtoul(hex, &end, 16);
		if (*end)
			return false;
		memcpy(addr + 4 * w, &v, 4); /* host order as printed = the stored bytes */
	}
	s += 8 * words;
	if (*s != ':')
		return false;
	char *end;
	*port = (unsigned)strtoul(s + 1, &end, 16);
	return end != s + 1;
}

static int scan(const char *path, int family, bool stream, const struct mb_addr *a)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? 0 : -errno; /* no IPv6 in that namespace */
	char line[512];
	int found = 0;
	if (!fgets(line, sizeof(line), f)) { /* the header */
		fclose(f);
		return 0;
	}
	while (!found && fgets(line, sizeof(line), f)) {
		char local[64], remote[64];
		unsigned st;
		if (sscanf(line, " %*[0-9]: %63s %63s %x", local, remote, &st) != 3)
			continue;
		if (stream && st != TCP_LISTEN_STATE)
			continue;
		uint8_t addr[16];
		unsigned port;
		if (!parse_local(local, family, addr, &port) || port != a->port)
			continue;
		found = takes(family, addr, a);
	}
	fclose(f);
	return found;
}

int mb_net_bound(pid_t pid, bool stream, const struct mb_addr *a)
{
	char p[64];
	const char *proto = stream ? "tcp" : "udp";
	for (int v6 = 0; v6 < 2; v6++) {
		if (pid > 0)
			snprintf(p, sizeof(p), "/proc/%d/net/%s%s", (int)pid, proto, v6 ? "6" : "");
		else
			snprintf(p, sizeof(p), "/proc/self/net/%s%s", proto, v6 ? "6" : "");
		int r = scan(p, v6 ? AF_INET6 : AF_INET, stream, a);
		if (r != 0)
			return r;
	}
	return 0;
}
