/* SPDX-License-Identifier: Apache-2.0 */
/* membrane-run --doctor (see supervisor/doctor.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "common/strbuf.h"
#include "sandbox/describe.h"
#include "sandbox/landlock.h"
#include "sandbox/namespaces.h"
#include "sandbox/probe.h"
#include "sandbox/sandbox.h"
#include "supervisor/doctor.h"


static const char *sysctl_value(long v, char *buf, size_t size)
{
	if (v < 0)
		return "absent";
	snprintf(buf, size, "%ld", v);
	return buf;
}

/* The layers, as --explain and the start report word them, indented. */
static void put_layers(FILE *out, const struct mb_layers *l)
{
	struct mb_strbuf b = { 0 };
	mb_describe_layers(&b, l);
	if (mb_strbuf_failed(&b)) {
		fputs("  (out of memory)\n", out);
	} else {
		for (char *line = b.s, *nl; line && *line; line = nl ? nl + 1 : NULL) {
			nl = strchr(line, '\n');
			fprintf(out, "  %.*s\n", nl ? (int)(nl - line) : (int)strlen(line), line);
		}
	}
	mb_strbuf_free(&b);
}

static void put_facts(FILE *out, const struct mb_host *h, bool privileged)
{
	struct utsname u;
	char a[32], b[32], c[32];
	if (uname(&u) == 0)
		fprintf(out, "kernel: %s %s %s\n", u.sysname, u.release, u.machine);
	fprintf(out, "membrane-run: uid %u, %s\n", (unsigned)geteuid(),
		privileged ? "with CAP_SYS_ADMIN: namespaces without a user namespace"
			   : "unprivileged: the sandbox needs a user namespace");
	fprintf(out,
		"user namespace knobs: user.max_user_namespaces %s, "
		"kernel.unprivileged_userns_clone %s, "
		"kernel.apparmor_restrict_unprivileged_userns %s\n",
		sysctl_value(h->max_user_namespaces, a, sizeof(a)),
		sysctl_value(h->unprivileged_userns_clone, b, sizeof(b)),
		sysctl_value(h->apparmor_restrict_userns, c, sizeof(c)));
	if (h->seccomp_mode == 2)
		fprintf(out, "seccomp: membrane-run itself runs under %d filter%s (a container "
			     "runtime's, a service manager's or a wrapper's)\n",
			h->seccomp_filters, h->seccomp_filters == 1 ? "" : "s");
	else
		fprintf(out, "seccomp: membrane-run itself runs under no filter\n");
	fprintf(out, "reading the server (notifier, broker): process_vm_readv %s, pidfd_getfd %s\n",
		h->vm_read_errno ? strerror(h->vm_read_errno) : "yes",
		h->getfd_errno ? strerror(h->getfd_errno) : "yes");
	int abi = mb_landlock_abi();
	if (abi > 0) {
		fprintf(out, "Landlock: ABI %d: filesystem rights%s%s%s\n", abi,
			abi >= 3 ? ", truncate" : " (no truncate: ABI 3)",
			abi >= 4 ? ", TCP bind and connect ports" : " (no TCP ports: ABI 4)",
			abi >= 6 ? ", abstract unix sockets and signals scoped"
				 : " (no scopes: ABI 6)");
	} else {
		const char *why = h->landlock_errno == EOPNOTSUPP
					  ? "built in but not enabled: add landlock to the lsm= boot parameter"
				  : h->landlock_errno == ENOSYS
					  ? "not in this kernel (Linux 5.13 and later have it), or a seccomp "
					    "filter answers ENOSYS for it"
					  : "refused by a seccomp filter around membrane-run";
		fprintf(out, "Landlock: no (%s: %s)\n", strerror(h->landlock_errno), why);
	}
	if (!h->apparmor)
		fprintf(out, "AppArmor: not active in this kernel\n");
	else
		fprintf(out, "AppArmor: active; membrane-run's label: %s\n",
			h->apparmor_label[0] ? h->apparmor_label : "(unknown)");
	if (!h->cgroup2)
		fprintf(out, "cgroups: no cgroup2 at /sys/fs/cgroup (v1 or hybrid); membrane uses "
			     "rlimits for limits\n");
	else
		fprintf(out, "cgroups: cgroup2, membrane-run in %s (%s; controllers: %s); membrane "
			     "uses rlimits for limits\n",
			h->cgroup[0] ? h->cgroup : "?",
			h->cgroup_delegated ? "writable: delegated" : "not writable: not delegated",
			h->cgroup_controllers[0] ? h->cgroup_controllers : "none");
}

/* What to do about a missing layer: the likely cause, from the facts. */
static void put_hints(FILE *out, const struct mb_host *h, const struct mb_trial *t, bool failed)
{
	if (h->apparmor && h->apparmor_restrict_userns == 1 &&
	    strstr(h->apparmor_label, "unconfined") == h->apparmor_label)
		fprintf(out, "hint: AppArmor restricts unprivileged user namespaces here and "
			     "membrane-run runs unconfined: give it its profile (cp " MB_APPARMOR_COPY
			     " /etc/apparmor.d/ if it is not there, then apparmor_parser -r "
			     "/etc/apparmor.d/membrane-run)\n");
	if (h->max_user_namespaces == 0)
		fprintf(out, "hint: user.max_user_namespaces is 0: no user namespace may be made "
			     "(sysctl -w user.max_user_namespaces=N, outside any container)\n");
	if (h->unprivileged_userns_clone == 0)
		fprintf(out, "hint: kernel.unprivileged_userns_clone is 0 "
			     "(sysctl -w kernel.unprivileged_userns_clone=1)\n");
	if (h->seccomp_mode == 2 && failed)
		fprintf(out, "hint: a seccomp filter around membrane-run may refuse what it needs: "
			     "Docker's default profile refuses namespaces and, before Docker 23 or "
			     "without CAP_SYS_PTRACE, process_vm_readv and pidfd_getfd; podman's "
			     "allows them (docs/containers.md)\n");
	if (strstr(t->no_namespaces, "fully visible"))
		fprintf(out, "hint: a fresh /proc is refused because parts of this /proc are covered "
			     "(a container's masked paths): podman run --security-opt "
			     "unmask=/proc/*, docker run --security-opt systempaths=unconfined\n");
	if (h->vm_read_errno || h->getfd_errno)
		fprintf(out, "hint: the notifier needs process_vm_readv and pidfd_getfd on the "
			     "server; a seccomp filter (Docker's default profile) or Yama's "
			     "ptrace_scope 3 refuses them\n");
}

int mb_doctor(const struct mb_options *o, const struct mb_profile *p, const char *path,
	      const struct mb_plan *plan, FILE *out)
{
	struct mb_host h;
	mb_probe_host(&h);
	bool privileged = mb_ns_privileged();

	fprintf(out, "membrane-run %s --doctor: what this host gives\n", PACKAGE_VERSION);
	put_facts(out, &h, privileged);

	struct mb_sandbox_config cfg = {
		.plan = plan,
		.require_landlock = MB_MAX(o->require_landlock, p ? p->require_landlock : 0),
		.set_user = o->user_set,
		.uid = o->uid,
		.gid = o->gid,
		.want_listener = true,
	};
	if (p)
		fprintf(out, "profile: %s (%s)\n", p->name ? p->name : "?", path);
	const char *what = p ? "a run of this profile" : "a run";

	struct mb_error err = { 0 };
	struct mb_trial t = { 0 };
	int status = 0;
	int r = mb_sandbox_trial(&cfg, &t, &err);
	if (r == 0) {
		fprintf(out, "trial run: the sandbox %s builds, up to the exec, has:\n", what);
		put_layers(out, &t.layers);
	} else {
		status = 1;
		fprintf(out, "trial run: %s is refused: %s\n", what, err.msg);
		cfg.best_effort = true;
		err = (struct mb_error){ 0 };
		r = mb_sandbox_trial(&cfg, &t, &err);
		if (r == 0) {
			fprintf(out, "trial run with --best-effort: it would run with:\n");
			put_layers(out, &t.layers);
			if (t.no_namespaces[0])
				fprintf(out, "  without namespaces because: %s\n", t.no_namespaces);
		} else {
			fprintf(out, "trial run with --best-effort: refused too: %s\n", err.msg);
		}
	}
	if (t.layers.landlock_abi > 0) {
		struct mb_strbuf g = { 0 };
		if (mb_describe_landlock_gaps(&g, plan, t.layers.landlock_abi) && !mb_strbuf_failed(&g))
			fprintf(out, "Landlock ABI %d cannot enforce%s:\n%s", t.layers.landlock_abi,
				p ? " of this profile" : "", g.s);
		mb_strbuf_free(&g);
	}
	put_hints(out, &h, &t, status != 0);
	fprintf(out, "verdict: %s\n",
		status == 0 ? "every layer membrane-run uses is in place"
		: r == 0    ? "membrane-run runs here only with --best-effort, with the layers above"
			    : "membrane-run cannot run here, even with --best-effort");
	if (fflush(out) != 0 || ferror(out))
		return 125;
	return status;
}
