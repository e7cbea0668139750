/* The channel between the sandbox's init (and the command before its exec)
 * and the caller: a SOCK_SEQPACKET socketpair, one message per packet. A
 * failure before exec travels back as {errno, exit status, one-line message}
 * (crun's send_error_to_sync_socket()), the layers in force are sent once set
 * up, and the seccomp listener fd rides along with SCM_RIGHTS. The command's
 * end is O_CLOEXEC: end of file on our end means the exec succeeded. */
#pragma once

#include <stdint.h>

#include "common/error.h"
#include "sandbox/sandbox.h"

enum mb_sync_type {
	MB_SYNC_ERROR = 1, /* code, status, text */
	MB_SYNC_LAYERS,    /* layers: everything is in place, about to fork the command */
	MB_SYNC_LISTENER,  /* carries the user-notification fd */
};

struct mb_sync_msg {
	uint32_t type;
	int32_t code;    /* MB_SYNC_ERROR: negative errno */
	int32_t status;  /* MB_SYNC_ERROR: 125, 126 or 127 */
	struct mb_layers layers;
	char text[MB_ERROR_MAX];
};

/* Send m, with fd (>= 0) attached. 0 or -errno. */
int mb_sync_send(int sock, const struct mb_sync_msg *m, int fd);
/* Send an error message built from err. */
int mb_sync_send_error(int sock, const struct mb_error *err, int status);
/* Receive one message: 1 and *m filled (*ret_fd = attached fd or -1), 0 at end
 * of file, or -errno (-EBADMSG for a malformed packet). */
int mb_sync_recv(int sock, struct mb_sync_msg *m, int *ret_fd);
