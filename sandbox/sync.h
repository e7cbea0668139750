/* SPDX-License-Identifier: Apache-2.0 */
/* The channel between the sandbox's init (and the command before its exec)
 * and the caller: a SOCK_SEQPACKET socketpair, one message per packet. A
 * failure before exec travels back as {errno, exit status, one-line message}
 * (crun's send_error_to_sync_socket()), the layers in force are sent once set
 * up. The command's end is O_CLOEXEC: end of file on our end means the exec
 * succeeded. (The seccomp listener has a socket of its own: sandbox/watch.h.) */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "common/error.h"
#include "sandbox/bpf.h"
#include "sandbox/sandbox.h"

enum mb_sync_type {
	MB_SYNC_ERROR = 1, /* code, status, text */
	MB_SYNC_LAYERS,    /* layers: everything is in place, about to fork the command */
	MB_SYNC_SECCOMP_ENV, /* code: vm.memfd_noexec=2 in force (1) or not (0);
				asks the caller for the baseline filter (and
				the filter of watched calls, if wanted) */
	MB_SYNC_FILTER,    /* caller -> init: a filter as BPF, in a packet of
			      its own: {type, n, n instructions} */
	MB_SYNC_RESOLVER,  /* an fd: the sandbox's resolver socket, code
			      MB_RESOLVER_UDP or MB_RESOLVER_TCP */
};

enum { MB_RESOLVER_UDP, MB_RESOLVER_TCP };

struct mb_sync_msg {
	uint32_t type;
	int32_t code;    /* MB_SYNC_ERROR: negative errno */
	int32_t status;  /* MB_SYNC_ERROR: MB_EXIT_MEMBRANE, _CANNOT_EXEC or _NOT_FOUND */
	uint32_t ns_setup; /* MB_SYNC_ERROR: 1 if it failed while putting the
			      namespaces to use (id map, mounts, root, loopback) */
	struct mb_layers layers;
	char text[MB_ERROR_MAX];
};

/* Send m, with fd (>= 0) attached. 0 or -errno. */
int mb_sync_send(int sock, const struct mb_sync_msg *m, int fd);
/* Send an error message built from err; ns_setup: see struct mb_sync_msg. */
int mb_sync_send_error(int sock, const struct mb_error *err, int status);
int mb_sync_send_ns_error(int sock, const struct mb_error *err, bool ns_setup);
/* A filter built by the caller (the baseline, then the filter of watched
 * calls), to the init; and its receipt (blocking; -EPIPE if the caller is
 * gone), what naming it in the error. */
int mb_sync_send_filter(int sock, const struct mb_bpf *p);
int mb_sync_recv_filter(int sock, const char *what, struct mb_bpf *ret, struct mb_error *err);

/* Receive one message: 1 and *m filled (*ret_fd = attached fd or -1), 0 at end
 * of file, or -errno (-EBADMSG for a malformed packet). */
int mb_sync_recv(int sock, struct mb_sync_msg *m, int *ret_fd);
