/* Resource limits from the profile's `limits`, as rlimits (cgroups are not
 * delegated on the machines we target; see docs/design.md "Limits"):
 *   memory -> RLIMIT_DATA   not RLIMIT_AS: V8 reserves ~700 MB of address
 *                           space at start, so Node dies under RLIMIT_AS 512M;
 *                           RLIMIT_DATA counts the private writable memory
 *                           actually mapped, which is what grows
 *   tasks  -> RLIMIT_NPROC  counted per user; not enforced for uid 0 of the
 *                           initial user namespace (root-launched without
 *                           --user), a kernel rule
 *   files  -> RLIMIT_NOFILE
 * Core dumps are always off (RLIMIT_CORE 0). */
#pragma once

#include "common/error.h"
#include "policy/profile.h"

/* In the init, before capabilities are dropped (raising NOFILE above the
 * current hard limit needs CAP_SYS_RESOURCE): core, tasks, files. */
int mb_limits_apply(const struct mb_limits *l, struct mb_error *err);

/* In the command's process just before exec: memory. Only the command is
 * bound by it, not the init, whose set-up (libseccomp, libnl) allocates. */
int mb_limits_apply_memory(const struct mb_limits *l, struct mb_error *err);
