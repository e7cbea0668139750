/* SPDX-License-Identifier: Apache-2.0 */
/* sandbox/describe.c: what --explain and the start report say about the
 * static layer, at the kernel's ABI and at lower ones; what holds limits.memory,
 * and the parsers behind it (sandbox/cgroup.c). */
#include <string.h>

#include "sandbox/cgroup.h"
#include "sandbox/describe.h"
#include "sandbox/seccomp-baseline.h"
#include "tests/tap.h"

static bool has(const struct mb_strbuf *b, const char *needle)
{
	bool r = b->s && strstr(b->s, needle);
	if (!r)
		diag("missing \"%s\" in:\n%s", needle, b->s ? b->s : "(empty)");
	return r;
}

int main(void)
{
	struct mb_plan plan = { 0 };
	struct mb_fs_rule *r = mb_vec_new(&plan.fs_rules);
	*r = (struct mb_fs_rule){ .path = "/srv/data", .ops = 1u << MB_OP_WRITE | 1u << MB_OP_READ,
				  .is_dir = true, .pos = { "p.yml", 4, 12 } };
	r = mb_vec_new(&plan.fs_rules);
	*r = (struct mb_fs_rule){ .path = "/proc", .ops = 1u << MB_OP_READ, .is_dir = true,
				  .pos = { "<sandbox>", 0, 0 } };
	struct mb_net_rule *n = mb_vec_new(&plan.net_rules);
	*n = (struct mb_net_rule){ .port = 5432, .ops = 1u << MB_OP_CONNECT };

	struct mb_strbuf b = { 0 };
	mb_describe_landlock(&b, &plan, 7);
	ok(has(&b, "Landlock: ABI 7"), "ABI 7: named");
	ok(has(&b, "/srv/data") && has(&b, "write_file") && has(&b, "refer") && has(&b, "(p.yml:4:12)"),
	   "a profile rule: path, rights, position");
	ok(has(&b, "/proc") && has(&b, "(sandbox)"), "the sandbox's own rule is marked");
	ok(has(&b, "connect 5432; bind none"), "TCP ports");
	ok(has(&b, "abstract_unix_socket signal"), "scopes");
	ok(!strstr(b.s, "Not enforced"), "ABI 7: nothing left unenforced");
	mb_strbuf_reset(&b);

	mb_describe_landlock(&b, &plan, 3);
	ok(has(&b, "Landlock: ABI 3 (membrane knows 7)"), "ABI 3: named, with what we know");
	ok(has(&b, "Not enforced by this kernel (ABI 3)"), "ABI 3: says what is lost");
	ok(has(&b, "tcp ports (ABI 4)") && has(&b, "ioctl_dev (ABI 5)") && has(&b, "scopes (ABI 6)"),
	   "ABI 3: ports, ioctl_dev, scopes listed");
	ok(!strstr(b.s, "truncate (ABI 3)"), "ABI 3: truncate is enforced, not listed");
	mb_strbuf_reset(&b);
	is_int(mb_describe_landlock_gaps(&b, &plan, 1), 5, "ABI 1: five gaps");
	mb_strbuf_reset(&b);
	plan.connect_any_port = plan.bind_any_port = true;
	is_int(mb_describe_landlock_gaps(&b, &plan, 3), 2, "no port rules wanted: the ABI 4 gap is moot");
	mb_strbuf_reset(&b);
	is_int(mb_describe_landlock_gaps(&b, &plan, 0), 1, "no Landlock: one line");
	ok(has(&b, "Landlock is missing"), "... saying so");
	mb_strbuf_reset(&b);

	mb_describe_seccomp(&b, &plan, true);
	bool all = true;
	for (size_t i = 0; i < mb_seccomp_baseline_n; i++)
		if (mb_seccomp_baseline[i].when == MB_SC_WHEN_ALWAYS && !has(&b, mb_seccomp_baseline[i].syscall))
			all = false;
	ok(all, "seccomp: every baseline rule is described");
	ok(has(&b, "  ioctl              EPERM") && has(&b, "TIOCSTI"), "seccomp: ioctl TIOCSTI with its errno");
	ok(has(&b, "  clone3             ENOSYS"), "seccomp: clone3 ENOSYS");
	ok(!strstr(b.s, "lacks MFD_NOEXEC_SEAL"), "memfd_noexec in force: no stand-in rule");
	mb_strbuf_reset(&b);
	mb_describe_seccomp(&b, &plan, false);
	ok(has(&b, "lacks MFD_NOEXEC_SEAL"), "memfd_noexec not set: the stand-in rule is listed");
	mb_strbuf_reset(&b);

	struct mb_layers l = { .mntns = true, .pidns = true, .netns = true, .rootfs = true,
			       .landlock_abi = 7, .landlock_fs = true, .seccomp_baseline = true,
			       .no_new_privs = true, .caps_dropped = true };
	mb_describe_layers(&b, &l);
	ok(has(&b, "namespaces: mount pid net\n") && has(&b, "landlock: ABI 7 (filesystem yes"),
	   "layers in words");
	mb_strbuf_reset(&b);
	mb_describe_layers_json(&b, &l);
	is_str(b.s,
	       "{\"namespaces\":[\"mount\",\"pid\",\"net\"],\"rootfs\":true,\"landlock\":{\"abi\":7,"
	       "\"fs\":true,\"net\":false,\"scope\":false},\"seccomp\":{\"baseline\":true,"
	       "\"notify\":false,\"notify_killable\":false,\"notify_sync_wake_up\":false},"
	       "\"no_new_privs\":true,\"caps_dropped\":true,\"memfd_noexec\":false,"
	       "\"limits\":false,\"proc_hidepid\":false,\"resolver\":false,\"memory\":{\"by\":\"none\"}}",
	       "layers as JSON");
	/* What holds limits.memory, and why no cgroup when none does. */
	l.memory = MB_MEMORY_RLIMIT;
	snprintf(l.memory_why, sizeof(l.memory_why), "cgroup v2 says \"no\"");
	mb_strbuf_reset(&b);
	mb_describe_layers_json(&b, &l);
	ok(has(&b, "\"memory\":{\"by\":\"rlimit\",\"why\":\"cgroup v2 says \\\"no\\\"\","
		   "\"sysv_shm\":false}}"),
	   "rlimit only: the JSON says why, escaped");
	mb_strbuf_reset(&b);
	mb_describe_layers(&b, &l);
	ok(has(&b, "memory limit: RLIMIT_DATA and each private tmpfs's size only") &&
	   has(&b, "memfds and System V shared memory are not counted (no cgroup: cgroup v2 says \"no\")"),
	   "... and the words say what is not counted, and why");
	l.shm_limited = true;
	mb_strbuf_reset(&b);
	mb_describe_layers(&b, &l);
	ok(has(&b, "size, and System V shared memory in all, only: shared anonymous mappings, memfds are"),
	   "... System V shared memory when the IPC namespace bounds it");
	l.memory = MB_MEMORY_CGROUP2;
	mb_strbuf_reset(&b);
	mb_describe_layers_json(&b, &l);
	ok(has(&b, "\"memory\":{\"by\":\"cgroup2\",\"sysv_shm\":true}}"), "a cgroup v2 leaf");

	/* The parsers of /proc/self/cgroup and /proc/self/mountinfo. */
	static const char cgroups[] = "9:name=systemd:/init.scope\n4:cpu,memory:/a/b\n"
				      "1:cpuacct:/\n0::/user.slice/x.scope\n";
	static const char mounts[] =
		"31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
		"35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
		"36 31 0:33 / /sys/fs/cgroup/name\\040x rw - cgroup cgroup rw,pids\n"
		"41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";
	static const struct {
		int (*parse)(const char *text, const char *controller, char **ret);
		const char *text, *controller, *want; /* want NULL: ENOENT */
		const char *what;
	} cases[] = {
		{ mb_cgroup_own_path, cgroups, "memory", "/a/b", "memory's line among others" },
		{ mb_cgroup_own_path, cgroups, NULL, "/user.slice/x.scope", "the cgroup v2 line" },
		{ mb_cgroup_own_path, cgroups, "pids", NULL, "no pids line" },
		{ mb_cgroup_own_path, "4:mem:/x\n", "memory", NULL, "controllers match whole words" },
		{ mb_cgroup_mount_point, mounts, "memory", "/sys/fs/cgroup/memory", "the v1 memory mount" },
		{ mb_cgroup_mount_point, mounts, NULL, "/sys/fs/cgroup/unified", "the cgroup2 mount" },
		{ mb_cgroup_mount_point, mounts, "pids", NULL, "a mount point with an escape is not guessed at" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *out = NULL;
		int got = cases[i].parse(cases[i].text, cases[i].controller, &out);
		if (cases[i].want)
			ok(got == 0 && out && strcmp(out, cases[i].want) == 0, "%s: %s", cases[i].what,
			   cases[i].want);
		else
			is_int(got, -ENOENT, "%s: ENOENT", cases[i].what);
		free(out);
	}
	mb_strbuf_free(&b);
	mb_vec_free(&plan.fs_rules);
	mb_vec_free(&plan.net_rules);
	return done_testing();
}
