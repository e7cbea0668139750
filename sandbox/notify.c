#include <seccomp.h>
#include <string.h>

#include "sandbox/bpf.h"
#include "sandbox/kernel-compat.h"
#include "sandbox/notify.h"

/* Filled by the correlator (issue 5). A sentinel keeps the array legal C. */
const struct mb_notify_watch mb_notify_watched[] = { { NULL } };
const size_t mb_notify_watched_n = 0;

/* libseccomp 2.5 asks for a listener only when a rule notifies; we always
 * want one (the table may be empty), and may want flags it does not know:
 * export the program and load it ourselves. */
int mb_notify_install(const struct mb_plan *plan, int *ret_listener, struct mb_error *err)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		return mb_error_set(err, -ENOMEM, "seccomp_init failed");
	/* KILL_PROCESS needs Linux 4.14; before it, kill the thread. */
	int rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
	if (rc == -EINVAL)
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL);
	for (size_t i = 0; rc == 0 && i < mb_notify_watched_n; i++) {
		int nr = seccomp_syscall_resolve_name(mb_notify_watched[i].syscall);
		if (nr >= 0)
			rc = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, nr, 0);
	}
	if (rc < 0) {
		seccomp_release(ctx);
		return mb_error_set(err, rc, "seccomp notify filter: %s", strerror(-rc));
	}
	struct mb_bpf prog = { 0 };
	rc = mb_bpf_export(ctx, &prog, err);
	seccomp_release(ctx);
	if (rc < 0)
		return rc;
	int fd = mb_bpf_load(&prog, SECCOMP_FILTER_FLAG_NEW_LISTENER, err);
	mb_bpf_free(&prog);
	if (fd < 0)
		return fd;
	*ret_listener = fd;
	return 0;
}
