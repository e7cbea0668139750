/* SPDX-License-Identifier: Apache-2.0 */
/* The sockets membrane-run --listen serves: TCP (host:port, [v6]:port), a
 * unix socket path, or sockets systemd passed (LISTEN_FDS, "systemd" for all
 * or "systemd:NAME" for those named NAME by FileDescriptorName=). Each
 * listener knows its own origins (the spec's DNS-rebinding rule: by
 * default only they may send an Origin) and whether it is loopback only (then
 * the Host header must name loopback too). */
#pragma once

#include <stdbool.h>

#include "common/error.h"
#include "common/vec.h"

struct mb_listener {
	int fd;
	char *name;          /* for messages and reports: "127.0.0.1:8080", a path */
	bool loopback;       /* bound to 127.0.0.0/8 or ::1: Host must be loopback */
	bool unix_socket;
	unsigned port;       /* TCP: the bound port */
	MB_VEC(char *) origins; /* "scheme://host:port", without the scheme's
				   prefix: "//host:port"; the scheme is the daemon's */
};

typedef MB_VEC(struct mb_listener) mb_listener_vec;

/* Open every ADDR (o->http.listen) into *ret. systemd's sockets are taken
 * once (LISTEN_FDS is unset after). Returns 0, or -errno with err naming the
 * address and the fix. */
int mb_listeners_open(const char *const *addrs, size_t n, mb_listener_vec *ret,
		      struct mb_error *err);
void mb_listeners_close(mb_listener_vec *v);

/* Parse "host:port" / "[v6]:port" into host and port strings (tests).
 * Returns 0 or -EINVAL. */
int mb_listen_split(const char *addr, char *host, size_t hostsz, char *port, size_t portsz);
