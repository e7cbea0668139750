/* SPDX-License-Identifier: Apache-2.0 */
#include <cap-ng.h>
#include <errno.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/securebits.h>
#include <stdbool.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sandbox/caps.h"

/* NOROOT: uid 0 gets no capabilities at exec. NO_SETUID_FIXUP stays off
 * (a uid change clears the capabilities) but locked. KEEP_CAPS off and
 * locked. No ambient raising. All locked, so nothing inside can undo them. */
#define MB_SECUREBITS                                                                 \
	(SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP_LOCKED |       \
	 SECBIT_KEEP_CAPS_LOCKED | SECBIT_NO_CAP_AMBIENT_RAISE |                      \
	 SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED)

/* The kernel's own sets, one system call away: libcap-ng's reading parses
 * /proc/PID/status each time (tens of microseconds here, and it read it
 * four times on every start's path). */
static int caps_get(struct __user_cap_data_struct d[2])
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	return syscall(SYS_capget, &h, d) < 0 ? mb_neg_errno() : 0;
}

static bool cap_in(const struct __user_cap_data_struct d[2], int cap)
{
	return d[cap / 32].effective & (1u << (cap % 32));
}

int mb_caps_effective(int cap)
{
	struct __user_cap_data_struct d[2];
	int r = caps_get(d);
	return r < 0 ? r : cap_in(d, cap);
}

/* Every capability the kernel knows, out of the bounding set. Past the
 * last one PR_CAPBSET_DROP says EINVAL: that is the end, whatever this
 * build's headers know. */
static int drop_bounding(struct mb_error *err)
{
	for (int cap = 0;; cap++) {
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == 0)
			continue;
		if (errno == EINVAL && cap > CAP_SETPCAP)
			return 0;
		return mb_error_set(err, mb_neg_errno(), "prctl PR_CAPBSET_DROP %d: %m", cap);
	}
}

/* 0 when nothing is left in any set, -EPERM otherwise. */
static int verify_dropped(bool bounding, struct mb_error *err)
{
	struct __user_cap_data_struct d[2];
	int r = caps_get(d);
	if (r < 0)
		return mb_error_set(err, r, "capget: %s", strerror(-r));
	for (int i = 0; i < 2; i++)
		if (d[i].effective || d[i].permitted || d[i].inheritable)
			return mb_error_set(err, -EPERM, "capabilities survived the drop");
	for (int cap = 0; bounding; cap++) {
		int in = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
		if (in < 0 && errno == EINVAL && cap > CAP_SETPCAP)
			break;
		if (in != 0)
			return mb_error_set(err, -EPERM, "capability %d survived in the bounding set",
					    cap);
	}
	for (int cap = 0;; cap++) {
		int in = prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, cap, 0, 0);
		if (in < 0 && errno == EINVAL)
			break;
		if (in != 0)
			return mb_error_set(err, -EPERM, "capability %d survived in the ambient set",
					    cap);
	}
	return 0;
}

int mb_privs_drop(const struct mb_privs *p, struct mb_error *err)
{
	/* libcap-ng keeps the pid it last read; our raw clone skipped its
	 * atfork reset, so it would capset() the caller. */
	capng_setpid(getpid());
	struct __user_cap_data_struct d[2];
	int r = caps_get(d);
	if (r < 0)
		return mb_error_set(err, r, "capget: %s", strerror(-r));
	/* Without CAP_SETPCAP (an unprivileged caller run without a user
	 * namespace, --best-effort) neither the securebits nor the bounding set
	 * can change; there is nothing to drop either, and no_new_privs keeps
	 * the bounding set from ever being used. */
	bool setpcap = cap_in(d, CAP_SETPCAP);
	if (setpcap) {
		/* Needs CAP_SETPCAP: before anything is dropped. */
		if (prctl(PR_SET_SECUREBITS, MB_SECUREBITS, 0, 0, 0) < 0)
			return mb_error_set(err, mb_neg_errno(), "prctl PR_SET_SECUREBITS: %m");
		/* The bounding set needs CAP_SETPCAP too; keep the effective
		 * set for the id switch below. */
		r = drop_bounding(err);
		if (r < 0)
			return r;
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return mb_error_set(err, mb_neg_errno(), "prctl PR_CAP_AMBIENT_CLEAR_ALL: %m");

	if (p->set_user) {
		gid_t g = p->gid;
		if (setgroups(1, &g) < 0)
			return mb_error_set(err, mb_neg_errno(), "setgroups %u: %m", (unsigned)g);
		if (setresgid(p->gid, p->gid, p->gid) < 0)
			return mb_error_set(err, mb_neg_errno(), "setresgid %u: %m", (unsigned)p->gid);
		if (setresuid(p->uid, p->uid, p->uid) < 0)
			return mb_error_set(err, mb_neg_errno(), "setresuid %u: %m", (unsigned)p->uid);
	} else if (p->clear_groups && cap_in(d, CAP_SETGID) && setgroups(0, NULL) < 0) {
		return mb_error_set(err, mb_neg_errno(), "setgroups: %m");
	}

	capng_clear(CAPNG_SELECT_CAPS);
	if (capng_apply(CAPNG_SELECT_CAPS) < 0)
		return mb_error_set(err, -EPERM, "capng_apply: cannot drop the capabilities");

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return mb_error_set(err, mb_neg_errno(), "prctl PR_SET_NO_NEW_PRIVS: %m");

	/* Trust, but verify: ask the kernel what is left. */
	return verify_dropped(setpcap, err);
}
