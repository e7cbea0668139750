/* SPDX-License-Identifier: Apache-2.0 */
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>

#include "common/macros.h"
#include "sandbox/network.h"

int mb_net_loopback_up(struct mb_error *err)
{
	struct nl_sock *sk = nl_socket_alloc();
	struct rtnl_link *lo = NULL, *change = NULL;
	int r;
	if (!sk)
		return mb_error_set(err, -ENOMEM, "bring up lo: out of memory");
	if ((r = nl_connect(sk, NETLINK_ROUTE)) < 0) {
		r = mb_error_set(err, -EIO, "bring up lo: netlink: %s", nl_geterror(r));
		goto out;
	}
	/* In a new network namespace the loopback is the only link and its
	 * index is always 1 (LOOPBACK_IFINDEX): no need to ask the kernel. */
	lo = rtnl_link_alloc();
	change = rtnl_link_alloc();
	if (!lo || !change) {
		r = mb_error_set(err, -ENOMEM, "bring up lo: out of memory");
		goto out;
	}
	rtnl_link_set_ifindex(lo, 1);
	rtnl_link_set_flags(change, IFF_UP);
	if ((r = rtnl_link_change(sk, lo, change, 0)) < 0) {
		r = mb_error_set(err, -EIO, "bring up lo: %s", nl_geterror(r));
		goto out;
	}
	r = 0;
out:
	if (change)
		rtnl_link_put(change);
	if (lo)
		rtnl_link_put(lo);
	nl_socket_free(sk);
	return r;
}

static int bound_socket(int type, const uint8_t addr[4], struct mb_error *err)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(53) };
	memcpy(&sin.sin_addr, addr, 4);
	const char *what = type == SOCK_STREAM ? "TCP" : "UDP";
	int fd = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;
	if (fd < 0 || (type == SOCK_STREAM &&
		       setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0) ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    (type == SOCK_STREAM && listen(fd, 16) < 0)) {
		int r = mb_neg_errno();
		mb_close(fd);
		return mb_error_set(err, r, "the sandbox's resolver: %s %u.%u.%u.%u:53: %s%s", what,
				    addr[0], addr[1], addr[2], addr[3], strerror(-r),
				    r == -EACCES ? " (port 53 needs root here)"
				    : r == -EADDRINUSE ? " (another membrane-run, or a resolver, has it)"
						       : "");
	}
	return fd;
}

int mb_net_resolver_sockets(const uint8_t addr[4], int *ret_udp, int *ret_tcp,
			    struct mb_error *err)
{
	int udp = bound_socket(SOCK_DGRAM, addr, err);
	if (udp < 0)
		return udp;
	int tcp = bound_socket(SOCK_STREAM, addr, err);
	if (tcp < 0) {
		mb_close(udp);
		return tcp;
	}
	*ret_udp = udp;
	*ret_tcp = tcp;
	return 0;
}
