/* SPDX-License-Identifier: Apache-2.0 */
/* Kernel interfaces newer than the build's headers: every constant, flag and
 * system call number membrane uses that a libc or the kernel's UAPI headers
 * may lack, in one place (as systemd's src/basic/missing_*.h). No other file
 * defines a fallback of its own. Debian 12 ships 6.1 headers: Landlock stops
 * at ABI 2, seccomp lacks SYNC_WAKE_UP, memfd lacks MFD_EXEC, glibc 2.36
 * lacks SYS_fchmodat2.
 *
 * - The floor is Linux 5.13's UAPI headers: configure fails without
 *   <linux/landlock.h>, <linux/seccomp.h> and <linux/openat2.h>, and what
 *   5.13 defines needs no fallback here.
 * - A name that configure probes ("Kernel interfaces" in configure.ac) is
 *   defined under #if !HAVE_DECL_<NAME>; each probe includes the headers this
 *   file includes for it. The rest, macros wherever a libc has them, under
 *   #ifndef.
 * - Each line names the kernel that added the interface, and spells the value
 *   as the kernel's UAPI does. A value that differs between architectures is
 *   defined only where it is known.
 * - Defined here never means supported: the running kernel is asked at run
 *   time (ENOSYS, EINVAL, the Landlock ABI), and what it lacks is said.
 * HACKING.md, "Use a kernel constant or syscall newer than Debian 12's
 * headers", has the steps. */
#pragma once

#include <fcntl.h>
#include <linux/landlock.h>
#include <linux/memfd.h>
#include <linux/seccomp.h>
#include <linux/types.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

/* ---- Landlock ------------------------------------------------------------
 * Our own structs, so that one definition serves every ABI: the kernel takes
 * the size we pass and reads only the fields that size covers (ABI 1-3 need
 * 8 bytes, ABI 4-5 need 16, ABI 6+ need 24). */
struct mb_landlock_ruleset_attr {
	__u64 handled_access_fs;
	__u64 handled_access_net; /* ABI 4 */
	__u64 scoped;             /* ABI 6 */
};
#define MB_LANDLOCK_ATTR_SIZE_V1 8
#define MB_LANDLOCK_ATTR_SIZE_V4 16
#define MB_LANDLOCK_ATTR_SIZE_V6 24

struct mb_landlock_path_beneath_attr {
	__u64 allowed_access;
	__s32 parent_fd;
} __attribute__((packed));

struct mb_landlock_net_port_attr {
	__u64 allowed_access;
	__u64 port;
};

#if !HAVE_DECL_LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER (1ULL << 13) /* 5.19, ABI 2 */
#endif
#if !HAVE_DECL_LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14) /* 6.2, ABI 3 */
#endif
#if !HAVE_DECL_LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15) /* 6.10, ABI 5 */
#endif
#if !HAVE_DECL_LANDLOCK_RULE_NET_PORT
#define LANDLOCK_RULE_NET_PORT 2 /* 6.7, ABI 4 */
#endif
#if !HAVE_DECL_LANDLOCK_ACCESS_NET_BIND_TCP
#define LANDLOCK_ACCESS_NET_BIND_TCP (1ULL << 0) /* 6.7, ABI 4 */
#define LANDLOCK_ACCESS_NET_CONNECT_TCP (1ULL << 1)
#endif
#if !HAVE_DECL_LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET
#define LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0) /* 6.12, ABI 6 */
#endif
#if !HAVE_DECL_LANDLOCK_SCOPE_SIGNAL
#define LANDLOCK_SCOPE_SIGNAL (1ULL << 1) /* 6.12, ABI 6 */
#endif
#if !HAVE_DECL_LANDLOCK_RESTRICT_SELF_LOG_SAME_EXEC_OFF
#define LANDLOCK_RESTRICT_SELF_LOG_SAME_EXEC_OFF (1U << 0) /* 6.15, ABI 7 */
#define LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON (1U << 1)
#define LANDLOCK_RESTRICT_SELF_LOG_SUBDOMAINS_OFF (1U << 2)
#endif

/* ---- seccomp ------------------------------------------------------------- */
#if !HAVE_DECL_SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64) /* 6.6 */
#endif
#if !HAVE_DECL_SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0) /* 6.6 */
#endif
#if !HAVE_DECL_SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5) /* 5.19 */
#endif

/* ---- memfd (6.3): executable memfds become opt-in ------------------------
 * Probed with both <sys/mman.h> and <linux/memfd.h>, as included above: a
 * glibc may name them before the kernel headers do, or after. */
#if !HAVE_DECL_MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U
#endif
#if !HAVE_DECL_MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

/* ---- processes -------------------------------------------------------------
 * Names the libc gives in <sched.h> and <sys/wait.h>, all probed: glibc 2.36
 * declares P_PIDFD as an idtype_t enumerator, which #ifndef cannot see. The
 * CLONE_* values are spelled as <linux/sched.h> spells them, so a file that
 * includes it too sees one definition twice. */
#if !HAVE_DECL_CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000 /* 4.6 */
#endif
#if !HAVE_DECL_CLONE_PIDFD
#define CLONE_PIDFD 0x00001000 /* 5.2 */
#endif
#if !HAVE_DECL_CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080 /* 5.6; unshare(2) and clone3 only */
#endif
#if !HAVE_DECL_P_PIDFD
#define P_PIDFD 3 /* 5.4: waitid() on a pidfd */
#endif
#ifndef PIDFD_THREAD
/* 6.9: a pidfd for a thread that is not the leader. <linux/pidfd.h> has it
 * but clashes with glibc's <fcntl.h>; newer glibcs have it in <sys/pidfd.h>. */
#define PIDFD_THREAD O_EXCL
#endif

/* ---- sockets --------------------------------------------------------------
 * SO_PASSPIDFD is 76 in <asm-generic/socket.h>, which x86, arm and riscv
 * use; some architectures number their SO_* options apart (parisc 0x404A),
 * so others get no fallback. SCM_PIDFD is one value everywhere. glibc
 * declares SCM_* as enumerators, hence the probes. */
#if !HAVE_DECL_SO_PASSPIDFD && (defined(__x86_64__) || defined(__i386__) || \
				defined(__aarch64__) || defined(__arm__) || defined(__riscv))
#define SO_PASSPIDFD 76 /* 6.5 */
#endif
#if !HAVE_DECL_SCM_PIDFD
#define SCM_PIDFD 0x04 /* 6.5 */
#endif
#ifndef IP_BIND_ADDRESS_NO_PORT
#define IP_BIND_ADDRESS_NO_PORT 24 /* 4.2 */
#endif
#ifndef TCP_FASTOPEN_CONNECT
#define TCP_FASTOPEN_CONNECT 30 /* 4.11 */
#endif
#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103 /* 4.18 */
#endif
#ifndef UDP_GRO
#define UDP_GRO 104 /* 5.0 */
#endif

/* ---- the new mount API (5.2) and mount_setattr (5.12) ----------------------
 * glibc 2.36's <sys/mount.h> and <linux/mount.h> clash, so neither is included
 * here; we call the syscalls with our own struct. The fallbacks are spelled
 * as glibc's <sys/mount.h> and <fcntl.h> spell them, so that a file that
 * includes those as well sees one definition twice. */
struct mb_mount_attr {
	__u64 attr_set;
	__u64 attr_clr;
	__u64 propagation;
	__u64 userns_fd;
};
#define MB_MOUNT_ATTR_RDONLY 0x00000001
#define MB_MOUNT_ATTR_NOSUID 0x00000002
#define MB_MOUNT_ATTR_NODEV 0x00000004
#define MB_MOUNT_ATTR_NOEXEC 0x00000008
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000 /* 5.2 */
#endif
#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1 /* 5.2 */
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004 /* 5.2 */
#endif

/* ---- extended and file attributes (arguments the notifier copies) ---- */
#ifndef XATTR_ARGS_SIZE_VER0
#define XATTR_ARGS_SIZE_VER0 16 /* 6.13: struct xattr_args, setxattrat's */
#endif
#ifndef FILE_ATTR_SIZE_VER0
#define FILE_ATTR_SIZE_VER0 24 /* 6.17: struct file_attr, file_setattr's */
#endif

/* ---- system call numbers ------------------------------------------------
 * The libc names a system call (SYS_*) only if it knew the call when it was
 * built. From 424 on, every architecture numbers new calls alike: x86-64's
 * arch/x86/entry/syscalls/syscall_64.tbl and the generic table of arm64 and
 * riscv (scripts/syscall.tbl; before 6.11 include/uapi/asm-generic/unistd.h)
 * agree, and x32 adds its syscall bit. Only alpha (+110), mips (+4000, +5000
 * or +6000 by ABI) and ia64 (+1024) differ: they get no fallback, so a libc
 * there that lacks a name fails the build where the name is used.
 * tests/common/unit-kernel-compat checks each number against libseccomp's
 * tables for x86-64, x32, aarch64 and riscv64. */
#if defined(__alpha__) || defined(__mips__) || defined(__ia64__)
#define MB_NR_COMMON 0
#else
#define MB_NR_COMMON 1
#if defined(__x86_64__) && defined(__ILP32__)
#define MB_NR_BASE 0x40000000 /* x32: __X32_SYSCALL_BIT */
#else
#define MB_NR_BASE 0
#endif

/* X(name, number): every call this header may name, and (in the comment) the
 * kernel that added it. */
#define MB_COMPAT_SYSCALLS(X)                                 \
	X(pidfd_send_signal, 424)       /* 5.1 */             \
	X(open_tree, 428)               /* 5.2 */             \
	X(move_mount, 429)              /* 5.2 */             \
	X(pidfd_open, 434)              /* 5.3 */             \
	X(clone3, 435)                  /* 5.3 */             \
	X(close_range, 436)             /* 5.9 */             \
	X(openat2, 437)                 /* 5.6 */             \
	X(pidfd_getfd, 438)             /* 5.6 */             \
	X(mount_setattr, 442)           /* 5.12 */            \
	X(landlock_create_ruleset, 444) /* 5.13 */            \
	X(landlock_add_rule, 445)       /* 5.13 */            \
	X(landlock_restrict_self, 446)  /* 5.13 */            \
	X(memfd_secret, 447)            /* 5.14 */            \
	X(fchmodat2, 452)               /* 6.6 */             \
	X(setxattrat, 463)              /* 6.13 */            \
	X(removexattrat, 466)           /* 6.13 */            \
	X(file_getattr, 468)            /* 6.17 */            \
	X(file_setattr, 469)            /* 6.17 */

#define MB_NR_ENUM_(name, nr) MB_NR_##name = MB_NR_BASE + (nr),
enum { MB_COMPAT_SYSCALLS(MB_NR_ENUM_) };
#undef MB_NR_ENUM_
#endif

#if !HAVE_DECL_SYS_PIDFD_SEND_SIGNAL && MB_NR_COMMON
#define SYS_pidfd_send_signal MB_NR_pidfd_send_signal
#endif
#if !HAVE_DECL_SYS_OPEN_TREE && MB_NR_COMMON
#define SYS_open_tree MB_NR_open_tree
#endif
#if !HAVE_DECL_SYS_MOVE_MOUNT && MB_NR_COMMON
#define SYS_move_mount MB_NR_move_mount
#endif
#if !HAVE_DECL_SYS_PIDFD_OPEN && MB_NR_COMMON
#define SYS_pidfd_open MB_NR_pidfd_open
#endif
#if !HAVE_DECL_SYS_CLONE3 && MB_NR_COMMON
#define SYS_clone3 MB_NR_clone3
#endif
#if !HAVE_DECL_SYS_CLOSE_RANGE && MB_NR_COMMON
#define SYS_close_range MB_NR_close_range
#endif
#if !HAVE_DECL_SYS_OPENAT2 && MB_NR_COMMON
#define SYS_openat2 MB_NR_openat2
#endif
#if !HAVE_DECL_SYS_PIDFD_GETFD && MB_NR_COMMON
#define SYS_pidfd_getfd MB_NR_pidfd_getfd
#endif
#if !HAVE_DECL_SYS_MOUNT_SETATTR && MB_NR_COMMON
#define SYS_mount_setattr MB_NR_mount_setattr
#endif
#if !HAVE_DECL_SYS_LANDLOCK_CREATE_RULESET && MB_NR_COMMON
#define SYS_landlock_create_ruleset MB_NR_landlock_create_ruleset
#endif
#if !HAVE_DECL_SYS_LANDLOCK_ADD_RULE && MB_NR_COMMON
#define SYS_landlock_add_rule MB_NR_landlock_add_rule
#endif
#if !HAVE_DECL_SYS_LANDLOCK_RESTRICT_SELF && MB_NR_COMMON
#define SYS_landlock_restrict_self MB_NR_landlock_restrict_self
#endif
#if !HAVE_DECL_SYS_MEMFD_SECRET && MB_NR_COMMON
#define SYS_memfd_secret MB_NR_memfd_secret
#endif
#if !HAVE_DECL_SYS_FCHMODAT2 && MB_NR_COMMON
#define SYS_fchmodat2 MB_NR_fchmodat2
#endif
#if !HAVE_DECL_SYS_SETXATTRAT && MB_NR_COMMON
#define SYS_setxattrat MB_NR_setxattrat
#endif
#if !HAVE_DECL_SYS_REMOVEXATTRAT && MB_NR_COMMON
#define SYS_removexattrat MB_NR_removexattrat
#endif
#if !HAVE_DECL_SYS_FILE_GETATTR && MB_NR_COMMON
#define SYS_file_getattr MB_NR_file_getattr
#endif
#if !HAVE_DECL_SYS_FILE_SETATTR && MB_NR_COMMON
#define SYS_file_setattr MB_NR_file_setattr
#endif
