# SPDX-License-Identifier: Apache-2.0
# sandbox/: the sandbox against the kernel. prober makes 112 kinds of escape
# attempt from inside (kernel-escape.sh: hand-built plans and prober.yml,
# root- and nobody-launched, on a pty; kernel-escape-run.sh: through
# membrane-run); launch runs a plan without the supervisor (spawn, start-up
# benchmarks); nouserns makes a host that refuses user namespaces (by the
# sysctl, or by a seccomp filter as Docker's default profile does),
# Landlock or a second seccomp listener, for the tests of refusals.
# kernel-init-args.sh: the init shows nothing of membrane-run's command line
# or environment.
check_PROGRAMS += tests/sandbox/launch tests/sandbox/prober tests/sandbox/nouserns
tests_sandbox_launch_CPPFLAGS = $(AM_CPPFLAGS) -DMB_SRCDIR=\"$(srcdir_abs)\"
tests_sandbox_launch_LDADD = $(NOTIFY_LIBS)
tests_sandbox_nouserns_CFLAGS = $(AM_CFLAGS) $(SECCOMP_CFLAGS)
tests_sandbox_nouserns_LDADD = $(SECCOMP_LIBS)
TESTS += tests/sandbox/kernel-escape.sh tests/sandbox/kernel-escape-run.sh \
	tests/sandbox/kernel-spawn.sh tests/sandbox/e2e-memory.sh tests/sandbox/kernel-init-args.sh \
	tests/sandbox/kernel-memory.sh
dist_check_DATA += tests/sandbox/kernel-escape.sh tests/sandbox/kernel-escape-run.sh \
	tests/sandbox/kernel-init-args.sh tests/sandbox/kernel-memory.sh \
	tests/sandbox/kernel-spawn.sh tests/sandbox/e2e-memory.sh \
	tests/sandbox/prober.yml tests/sandbox/prober-host.yml

# Landlock at every ABI this kernel has, and --explain's words for the plan.
check_PROGRAMS += tests/sandbox/kernel-landlock tests/sandbox/unit-describe
TESTS += tests/sandbox/kernel-landlock tests/sandbox/unit-describe
tests_sandbox_kernel_landlock_LDADD = $(SANDBOX_LIBS)
tests_sandbox_unit_describe_LDADD = $(SANDBOX_LIBS)

# Hosts that refuse user namespaces (a sysctl, Docker's seccomp profile),
# their use (a masked /proc), Landlock, or a second listener: refusals,
# --best-effort and --doctor, as nobody (tests/sandbox/nouserns).
TESTS += tests/sandbox/kernel-refused.sh
dist_check_DATA += tests/sandbox/kernel-refused.sh tests/sandbox/refused.yml
