/* SPDX-License-Identifier: Apache-2.0 */
/* Exec of the command inside the sandbox: argv[0] looked up in the PATH of
 * the environment the command gets (not ours), environment exactly envp. */
#pragma once

#include "common/error.h"

/* Only returns on failure: -errno, err filled as a shell would say it
 * ("node: command not found", "/srv/x: Permission denied") and *ret_status
 * set to 127 (not found) or 126 (found, not executable). */
int mb_exec_command(char *const argv[], char *const envp[], int *ret_status,
		    struct mb_error *err);
