/* SPDX-License-Identifier: Apache-2.0 */
#include <cap-ng.h>
#include <grp.h>
#include <linux/securebits.h>
#include <stdbool.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "sandbox/caps.h"

/* NOROOT: uid 0 gets no capabilities at exec. NO_SETUID_FIXUP stays off
 * (a uid change clears the capabilities) but locked. KEEP_CAPS off and
 * locked. No ambient raising. All locked, so nothing inside can undo them. */
#define MB_SECUREBITS                                                                 \
	(SECBIT_NOROOT | SECBIT_NOROOT_LOCKED | SECBIT_NO_SETUID_FIXUP_LOCKED |       \
	 SECBIT_KEEP_CAPS_LOCKED | SECBIT_NO_CAP_AMBIENT_RAISE |                      \
	 SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED)

int mb_privs_drop(const struct mb_privs *p, struct mb_error *err)
{
	/* libcap-ng keeps the pid it last read; our raw clone skipped its
	 * atfork reset, so it would capset() the caller. */
	capng_setpid(getpid());
	if (capng_get_caps_process() < 0)
		return mb_error_set(err, -EIO, "capng_get_caps_process failed");
	/* Without CAP_SETPCAP (an unprivileged caller run without a user
	 * namespace, --best-effort) neither the securebits nor the bounding set
	 * can change; there is nothing to drop either, and no_new_privs keeps
	 * the bounding set from ever being used. */
	bool setpcap = capng_have_capability(CAPNG_EFFECTIVE, CAP_SETPCAP);
	if (setpcap) {
		/* Needs CAP_SETPCAP: before anything is dropped. */
		if (prctl(PR_SET_SECUREBITS, MB_SECUREBITS, 0, 0, 0) < 0)
			return mb_error_set(err, mb_neg_errno(), "prctl PR_SET_SECUREBITS: %m");
		/* The bounding set needs CAP_SETPCAP too; keep the effective
		 * set for the id switch below. */
		capng_clear(CAPNG_SELECT_BOUNDS);
		if (capng_apply(CAPNG_SELECT_BOUNDS) < 0)
			return mb_error_set(err, -EPERM, "capng_apply: cannot empty the bounding set");
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
	} else if (p->clear_groups && capng_have_capability(CAPNG_EFFECTIVE, CAP_SETGID) &&
		   setgroups(0, NULL) < 0) {
		return mb_error_set(err, mb_neg_errno(), "setgroups: %m");
	}

	capng_clear(CAPNG_SELECT_CAPS);
	if (capng_apply(CAPNG_SELECT_CAPS) < 0)
		return mb_error_set(err, -EPERM, "capng_apply: cannot drop the capabilities");

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return mb_error_set(err, mb_neg_errno(), "prctl PR_SET_NO_NEW_PRIVS: %m");

	/* Trust, but verify: ask the kernel what is left. */
	if (capng_get_caps_process() < 0)
		return mb_error_set(err, -EIO, "capng_get_caps_process failed");
	if (capng_have_capabilities(CAPNG_SELECT_CAPS) != CAPNG_NONE ||
	    (setpcap && capng_have_capabilities(CAPNG_SELECT_BOUNDS) != CAPNG_NONE))
		return mb_error_set(err, -EPERM, "capabilities survived the drop");
	return 0;
}
