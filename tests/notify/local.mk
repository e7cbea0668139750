# supervisor/notify/: the notifier against the kernel, a watched child making
# each watched call: without namespaces (kernel-notify), in the sandbox's
# shape (kernel-notify-ns: mount, pid and, unprivileged, user namespace,
# pivot_root), and behind mb_sandbox_spawn(want_listener) itself
# (kernel-notify-spawn). Each runs as the invoking user, and again as nobody
# (*-nobody.sh) when that is root.
NOTIFY_HARNESS = tests/notify/harness.h tests/notify/harness.c
check_PROGRAMS += tests/notify/kernel-notify tests/notify/kernel-notify-ns \
	tests/notify/kernel-notify-spawn
TESTS += tests/notify/kernel-notify tests/notify/kernel-notify-ns tests/notify/kernel-notify-spawn \
	tests/notify/kernel-notify-nobody.sh tests/notify/kernel-notify-ns-nobody.sh \
	tests/notify/kernel-notify-spawn-nobody.sh
tests_notify_kernel_notify_SOURCES = tests/notify/kernel-notify.c $(NOTIFY_HARNESS)
tests_notify_kernel_notify_LDADD = $(NOTIFY_LIBS) -lpthread
tests_notify_kernel_notify_ns_SOURCES = tests/notify/kernel-notify-ns.c $(NOTIFY_HARNESS)
tests_notify_kernel_notify_ns_LDADD = $(NOTIFY_LIBS)
tests_notify_kernel_notify_spawn_LDADD = $(NOTIFY_LIBS)
EXTRA_DIST += tests/notify/kernel-notify-nobody.sh tests/notify/kernel-notify-ns-nobody.sh \
	tests/notify/kernel-notify-spawn-nobody.sh

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
