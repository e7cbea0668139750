# SPDX-License-Identifier: Apache-2.0
# supervisor/notify/: the notifier against the kernel, a watched child making
# each watched call: without namespaces (kernel-notify), in the sandbox's
# shape (kernel-notify-ns: mount, pid and, unprivileged, user namespace,
# pivot_root), and behind mb_sandbox_spawn(want_listener) itself
# (kernel-notify-spawn). Each runs as the invoking user, and again as nobody
# (*-nobody.sh) when that is root; *-fast*.sh run them with the decision's
# pure twin, so that allowed opens take the notifier's fast way; and
# *-no-openat2.sh without openat2 on the supervisor's side (ENOSYS).
NOTIFY_HARNESS = tests/notify/harness.h tests/notify/harness.c
check_PROGRAMS += tests/notify/kernel-notify tests/notify/kernel-notify-ns \
	tests/notify/kernel-notify-spawn
TESTS += tests/notify/kernel-notify tests/notify/kernel-notify-ns tests/notify/kernel-notify-spawn \
	tests/notify/kernel-notify-nobody.sh tests/notify/kernel-notify-ns-nobody.sh \
	tests/notify/kernel-notify-spawn-nobody.sh tests/notify/kernel-notify-fast.sh \
	tests/notify/kernel-notify-fast-nobody.sh tests/notify/kernel-notify-ns-fast.sh \
	tests/notify/kernel-notify-twin.sh
tests_notify_kernel_notify_SOURCES = tests/notify/kernel-notify.c $(NOTIFY_HARNESS)
tests_notify_kernel_notify_LDADD = $(NOTIFY_LIBS) -lpthread
tests_notify_kernel_notify_ns_SOURCES = tests/notify/kernel-notify-ns.c $(NOTIFY_HARNESS)
tests_notify_kernel_notify_ns_LDADD = $(NOTIFY_LIBS)
tests_notify_kernel_notify_spawn_LDADD = $(NOTIFY_LIBS)
EXTRA_DIST += tests/notify/kernel-notify-nobody.sh tests/notify/kernel-notify-ns-nobody.sh \
	tests/notify/kernel-notify-spawn-nobody.sh tests/notify/kernel-notify-fast.sh \
	tests/notify/kernel-notify-fast-nobody.sh tests/notify/kernel-notify-ns-fast.sh \
	tests/notify/kernel-notify-no-openat2.sh tests/notify/kernel-diff-no-openat2.sh \
	tests/notify/kernel-notify-twin.sh

# The dynamic layer as a wall (issue 13): every class the adversarial probe
# found, judged by its effects, as the invoking user and as nobody.
check_PROGRAMS += tests/notify/kernel-wall
TESTS += tests/notify/kernel-wall tests/notify/kernel-wall-nobody.sh tests/notify/kernel-wall-twin.sh
EXTRA_DIST += tests/notify/kernel-wall-nobody.sh tests/notify/kernel-wall-twin.sh
tests_notify_kernel_wall_SOURCES = tests/notify/kernel-wall.c $(NOTIFY_HARNESS)
tests_notify_kernel_wall_LDADD = $(NOTIFY_LIBS) -lpthread

# What is performed has the call's own effect: modes, umask, flags, FIFOs,
# O_TMPFILE, EMFILE, each mutation, and the server's credentials.
check_PROGRAMS += tests/notify/kernel-perform
TESTS += tests/notify/kernel-perform tests/notify/kernel-perform-nobody.sh \
	tests/notify/kernel-perform-twin.sh
EXTRA_DIST += tests/notify/kernel-perform-nobody.sh tests/notify/kernel-perform-twin.sh
tests_notify_kernel_perform_SOURCES = tests/notify/kernel-perform.c $(NOTIFY_HARNESS)
tests_notify_kernel_perform_LDADD = $(NOTIFY_LIBS) -lpthread

# The differential test: generated path cases through the notifier and
# under the equivalent static-only (Landlock) sandbox; bounded here
# (MB_DIFF_CASES, default 2000), longer by hand (tests/notify/README.md).
check_PROGRAMS += tests/notify/kernel-diff
TESTS += tests/notify/kernel-diff tests/notify/kernel-diff-nobody.sh
EXTRA_DIST += tests/notify/kernel-diff-nobody.sh tests/notify/README.md
tests_notify_kernel_diff_SOURCES = tests/notify/kernel-diff.c $(NOTIFY_HARNESS)
tests_notify_kernel_diff_LDADD = $(NOTIFY_LIBS)

# The correlator below the notifier: made-up operations, a real in-flight
# table, reports caught in memory, malloc counted.
check_PROGRAMS += tests/notify/unit-correlate
TESTS += tests/notify/unit-correlate
tests_notify_unit_correlate_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS)
tests_notify_unit_correlate_LDADD = $(NOTIFY_LIBS)

# The deputy: a misbehaving MCP server (deputy.c) under its profile, driven
# through membrane-run by deputy-drive.py; kernel-deputy.sh checks what the
# server saw, what the listener received and what was reported;
# e2e-deputy-servers.sh does the same to real servers.
check_PROGRAMS += tests/notify/deputy
tests_notify_deputy_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS)
tests_notify_deputy_LDADD = $(CJSON_LIBS)
TESTS += tests/notify/kernel-deputy.sh tests/notify/e2e-deputy-servers.sh
EXTRA_DIST += tests/notify/kernel-deputy.sh tests/notify/e2e-deputy-servers.sh \
	tests/notify/deputy-drive.py tests/notify/deputy.yml tests/notify/listener.sh
