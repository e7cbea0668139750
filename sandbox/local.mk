# SPDX-License-Identifier: Apache-2.0
noinst_LIBRARIES += libsandbox.a
libsandbox_a_CFLAGS = $(AM_CFLAGS) $(SECCOMP_CFLAGS) $(CAPNG_CFLAGS) $(NL_CFLAGS)
libsandbox_a_SOURCES = \
	sandbox/sandbox.h sandbox/spawn.c \
	sandbox/sync.h sandbox/sync.c \
	sandbox/child.h sandbox/child.c \
	sandbox/init.h sandbox/init.c \
	sandbox/exec.h sandbox/exec.c \
	sandbox/namespaces.h sandbox/namespaces.c \
	sandbox/mounts.h sandbox/mounts.c \
	sandbox/network.h sandbox/network.c \
	sandbox/memfd.h sandbox/memfd.c \
	sandbox/limits.h sandbox/limits.c \
	sandbox/cgroup.h sandbox/cgroup.c \
	sandbox/caps.h sandbox/caps.c \
	sandbox/landlock.h sandbox/landlock.c \
	sandbox/bpf.h sandbox/bpf.c \
	sandbox/seccomp-baseline.h sandbox/seccomp-baseline.c \
	sandbox/describe.h sandbox/describe.c \
	sandbox/probe.h sandbox/probe.c
SANDBOX_LIBS = libsandbox.a $(POLICY_LIBS) $(SECCOMP_LIBS) $(CAPNG_LIBS) $(NL_LIBS)
libsandbox_a_SOURCES += sandbox/watch.h sandbox/watch.c
