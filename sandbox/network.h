/* SPDX-License-Identifier: Apache-2.0 */
/* Network namespace set-up: in a new netns only the loopback exists, and it
 * is down. Bringing it up (with libnl-route-3) lets the command talk to
 * itself over 127.0.0.1 and nothing else. */
#pragma once

#include "common/error.h"

int mb_net_loopback_up(struct mb_error *err);

/* The sandbox's resolver's sockets (docs/design.md "Names"): a UDP socket
 * bound to addr, port 53, and a TCP one listening there, both
 * non-blocking and close-on-exec, in the caller's network namespace: the
 * init makes them in the sandbox's (it may bind port 53 there until it
 * drops its capabilities) and hands them to membrane-run, which answers on
 * them; with network host membrane-run makes them on the host's loopback
 * itself. Returns 0, or -errno with err saying what failed. */
int mb_net_resolver_sockets(const uint8_t addr[4], int *ret_udp, int *ret_tcp,
			    struct mb_error *err);
