#include <net/if.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>

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
