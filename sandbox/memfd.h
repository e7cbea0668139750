/* SPDX-License-Identifier: Apache-2.0 */
/* Fileless exec: Landlock does not see memfds (they live on an internal
 * mount), so an executable memfd + execveat would run code no exec grant
 * allowed. vm.memfd_noexec (Linux 6.3) is per pid namespace: set to 2 in
 * ours, every memfd is created non-executable and sealed, and MFD_EXEC is
 * refused. The seccomp baseline refuses MFD_EXEC as well. */
#pragma once

/* In a new pid namespace, while holding CAP_SYS_ADMIN over it. 0, or -errno
 * (-ENOENT: the kernel predates the sysctl). */
int mb_memfd_noexec(void);
