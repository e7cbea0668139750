/* SPDX-License-Identifier: Apache-2.0 */
/* Reading the front door's secrets: a TLS key, a certificate, the token
 * file. "credential:NAME" names $CREDENTIALS_DIRECTORY/NAME (systemd's
 * LoadCredential=), anything else is a path. A file holding secrets must not
 * be readable by others: membrane refuses it rather than serve with a key
 * every local user could copy. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "common/error.h"

/* Read what (at most 1 MiB) into a NUL-terminated malloc'd string. private:
 * refuse a file that group or others may read. Returns 0 or -errno with err
 * naming the option, the file and the fix. */
int mb_secret_read(const char *opt, const char *what, bool private, char **ret, size_t *ret_len,
		   struct mb_error *err);
