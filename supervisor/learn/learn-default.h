/* SPDX-License-Identifier: Apache-2.0 */
/* The learning default: the static layer `membrane-run --learn` runs a server
 * in when no --profile gives one. Permissive enough for a server to work,
 * and still a sandbox: every namespace, the seccomp baseline, Landlock, no
 * network, no secrets.
 *
 *   read, exec  /usr, and /lib, /lib64, /bin, /sbin where they exist (links
 *               into /usr on Debian 12);
 *   read        every entry of /etc except the secret stores the linter
 *               knows (/etc/shadow, /etc/ssh, /etc/ssl/private, ...: a
 *               directory holding one is granted entry by entry);
 *   read, exec  the command's own tree: for each file the command line
 *               names, the outermost node_modules above it, else its
 *               directory (never a top-level or home directory);
 *   read, write each directory the command line names, and the directory
 *               of each path an environment variable names (a server's
 *               data: server-filesystem's root, MEMORY_FILE_PATH's
 *               directory), except system and home directories and secret
 *               stores;
 *   tmpfs       /tmp, private;
 *   network     none (connections are still seen and recorded; give a BASE
 *               with network: host to let them through);
 *   env         the caller's environment, except names that look secret
 *               (token, password, key, secret, ...).
 * It is a profile (YAML) loaded like any other, with the --set variables
 * declared, in audit mode with unlisted_tools: allow. */
#pragma once

#include "common/error.h"

/* Build the default for argv, given the caller's environment, --set values
 * (NULL-terminated, may be NULL), cwd and $HOME. *ret_yaml is the profile,
 * *ret_summary one line saying what it grants (both malloc'd). Returns 0 or
 * -ENOMEM. */
int mb_learn_default(char *const *argv, char *const *envp, const char *const *sets,
		     const char *const *within, const char *cwd, const char *home, char **ret_yaml,
		     char **ret_summary);
