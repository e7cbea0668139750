/* What the build machine's kernel headers may lack. Debian 12 ships 6.1
 * headers: Landlock stops at ABI 2 (REFER), seccomp lacks the SYNC_WAKE_UP
 * flag, memfd lacks MFD_EXEC. Each constant is defined here only when
 * configure's probe (HAVE_DECL_*) found it missing, with the value of the
 * kernel's UAPI; the running kernel is always asked at run time, so a
 * constant defined here is never assumed to be supported. */
#pragma once

#include <linux/landlock.h>
#include <linux/seccomp.h>
#include <linux/types.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

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

#ifndef LANDLOCK_CREATE_RULESET_VERSION
#define LANDLOCK_CREATE_RULESET_VERSION (1U << 0)
#endif
#if !HAVE_DECL_LANDLOCK_ACCESS_FS_REFER
#define LANDLOCK_ACCESS_FS_REFER (1ULL << 13)
#endif
#if !HAVE_DECL_LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif
#if !HAVE_DECL_LANDLOCK_ACCESS_FS_IOCTL_DEV
#define LANDLOCK_ACCESS_FS_IOCTL_DEV (1ULL << 15)
#endif
#if !HAVE_DECL_LANDLOCK_RULE_NET_PORT
#define LANDLOCK_RULE_NET_PORT 2
#endif
#if !HAVE_DECL_LANDLOCK_ACCESS_NET_BIND_TCP
#define LANDLOCK_ACCESS_NET_BIND_TCP (1ULL << 0)
#define LANDLOCK_ACCESS_NET_CONNECT_TCP (1ULL << 1)
#endif
#if !HAVE_DECL_LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET
#define LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)
#endif
#if !HAVE_DECL_LANDLOCK_SCOPE_SIGNAL
#define LANDLOCK_SCOPE_SIGNAL (1ULL << 1)
#endif
#if !HAVE_DECL_LANDLOCK_RESTRICT_SELF_LOG_SAME_EXEC_OFF
#define LANDLOCK_RESTRICT_SELF_LOG_SAME_EXEC_OFF (1U << 0)
#define LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON (1U << 1)
#define LANDLOCK_RESTRICT_SELF_LOG_SUBDOMAINS_OFF (1U << 2)
#endif

/* ---- seccomp ------------------------------------------------------------- */
#if !HAVE_DECL_SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#if !HAVE_DECL_SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif
#if !HAVE_DECL_SECCOMP_FILTER_FLAG_NEW_LISTENER
#define SECCOMP_FILTER_FLAG_NEW_LISTENER (1UL << 3)
#endif
#if !HAVE_DECL_SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

/* ---- memfd (6.3): executable memfds become opt-in ----------------------- */
#if !HAVE_DECL_MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U
#endif
#if !HAVE_DECL_MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

/* ---- mount_setattr (5.12) ------------------------------------------------
 * glibc 2.36's <sys/mount.h> and <linux/mount.h> clash; we call the syscall
 * with our own struct. */
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
#define AT_RECURSIVE 0x8000
#endif

/* ---- system call numbers (x86-64 values; other architectures' headers
 * carry their own when they know the call) -------------------------------- */
#if !HAVE_DECL_SYS_CLONE3 && defined(__x86_64__)
#define SYS_clone3 435
#endif
#if !HAVE_DECL_SYS_PIDFD_OPEN && defined(__x86_64__)
#define SYS_pidfd_open 434
#endif
#if !HAVE_DECL_SYS_PIDFD_SEND_SIGNAL && defined(__x86_64__)
#define SYS_pidfd_send_signal 424
#endif
#if !HAVE_DECL_SYS_LANDLOCK_CREATE_RULESET && defined(__x86_64__)
#define SYS_landlock_create_ruleset 444
#define SYS_landlock_add_rule 445
#define SYS_landlock_restrict_self 446
#endif
#if !HAVE_DECL_SYS_CLOSE_RANGE && defined(__x86_64__)
#define SYS_close_range 436
#endif
#if !HAVE_DECL_SYS_MOUNT_SETATTR && defined(__x86_64__)
#define SYS_mount_setattr 442
#endif
