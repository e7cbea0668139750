# Tests of tests/sandbox; included by tests/local.mk.

# The notifier against the kernel: a watched child makes each watched call,
# without namespaces (test-notify) and in the sandbox's shape (test-notify-ns:
# mount, pid and, unprivileged, user namespace, pivot_root); then behind
# mb_sandbox_spawn(want_listener) itself (test-notify-spawn). Each runs as the
# invoking user, and again as nobody (notify-*nobody.sh) when that is root.
TESTS += tests/sandbox/test-notify tests/sandbox/test-notify-ns tests/sandbox/test-notify-spawn \
	tests/sandbox/notify-nobody.sh tests/sandbox/notify-ns-nobody.sh \
	tests/sandbox/notify-spawn-nobody.sh
check_PROGRAMS += tests/sandbox/test-notify tests/sandbox/test-notify-ns tests/sandbox/test-notify-spawn
NOTIFY_HARNESS = tests/sandbox/notify-harness.h tests/sandbox/notify-harness.c
tests_sandbox_test_notify_SOURCES = tests/sandbox/test-notify.c $(NOTIFY_HARNESS) $(NOTIFY_SOURCES)
tests_sandbox_test_notify_LDADD = $(SANDBOX_LIBS) $(POLICY_LIBS) -lpthread
tests_sandbox_test_notify_ns_SOURCES = tests/sandbox/test-notify-ns.c $(NOTIFY_HARNESS) $(NOTIFY_SOURCES)
tests_sandbox_test_notify_ns_LDADD = $(SANDBOX_LIBS) $(POLICY_LIBS)
tests_sandbox_test_notify_spawn_SOURCES = tests/sandbox/test-notify-spawn.c $(NOTIFY_SOURCES)
tests_sandbox_test_notify_spawn_LDADD = $(SANDBOX_LIBS) $(POLICY_LIBS)
EXTRA_DIST += tests/sandbox/notify-nobody.sh tests/sandbox/notify-ns-nobody.sh \
	tests/sandbox/notify-spawn-nobody.sh

check_PROGRAMS += tests/sandbox/launch
tests_sandbox_launch_SOURCES = tests/sandbox/launch.c $(NOTIFY_SOURCES)
tests_sandbox_launch_LDADD = $(SANDBOX_LIBS) $(POLICY_LIBS)
check_PROGRAMS += tests/sandbox/prober
tests_sandbox_prober_SOURCES = tests/sandbox/prober.c
TESTS += tests/sandbox/escape.sh tests/sandbox/escape-membrane-run.sh tests/sandbox/spawn.sh tests/sandbox/options.sh tests/sandbox/memory.sh
dist_check_DATA += tests/sandbox/escape.sh tests/sandbox/escape-membrane-run.sh tests/sandbox/spawn.sh tests/sandbox/options.sh tests/sandbox/memory.sh tests/sandbox/prober.yml tests/sandbox/prober-host.yml
check_PROGRAMS += tests/sandbox/nouserns
tests_sandbox_nouserns_SOURCES = tests/sandbox/nouserns.c
check_PROGRAMS += tests/sandbox/test-landlock
tests_sandbox_test_landlock_SOURCES = tests/sandbox/test-landlock.c
tests_sandbox_test_landlock_LDADD = $(SANDBOX_LIBS) $(POLICY_LIBS)
TESTS += tests/sandbox/test-landlock
check_PROGRAMS += tests/sandbox/test-describe
tests_sandbox_test_describe_SOURCES = tests/sandbox/test-describe.c
tests_sandbox_test_describe_LDADD = $(SANDBOX_LIBS) $(POLICY_LIBS)
TESTS += tests/sandbox/test-describe
tests_sandbox_launch_CPPFLAGS = $(AM_CPPFLAGS) -DMB_SRCDIR=\"$(srcdir_abs)\"

# The broker against the kernel (issue 6): tests/sandbox/broker-client makes
# connects, binds and sends in a real sandbox (network brokered, then host);
# the notifier and the broker answer them in membrane-run's event loop. As
# the invoking user, and as nobody (broker-nobody.sh).
TESTS += tests/sandbox/test-broker tests/sandbox/broker-nobody.sh
check_PROGRAMS += tests/sandbox/test-broker tests/sandbox/broker-client
tests_sandbox_test_broker_SOURCES = tests/sandbox/test-broker.c $(NOTIFY_SOURCES) $(BROKER_SOURCES) \
	supervisor/notify-watch.h supervisor/notify-watch.c
tests_sandbox_test_broker_CPPFLAGS = $(AM_CPPFLAGS) -DMB_BUILDDIR=\"$(abs_top_builddir)\"
tests_sandbox_test_broker_LDADD = libinspect.a $(SANDBOX_LIBS) $(POLICY_LIBS) -lpthread
tests_sandbox_broker_client_SOURCES = tests/sandbox/broker-client.c
tests_sandbox_broker_client_LDADD = -lpthread
EXTRA_DIST += tests/sandbox/broker-nobody.sh

# Name resolution under network brokered: the nameserver granted (c-ares
# through the broker to a fake nameserver on the host's loopback) or not
# (reported), and glibc's AI_ADDRCONFIG in the sandbox.
TESTS += tests/sandbox/broker-dns.sh
dist_check_DATA += tests/sandbox/broker-dns.sh
EXTRA_DIST += tests/sandbox/fake-dns.py tests/sandbox/broker-dns.mjs tests/sandbox/broker-dns.yml

# network brokered in a sandbox without a network namespace of its own
# (--best-effort where user namespaces are refused): nothing stays inside.
TESTS += tests/sandbox/broker-best-effort.sh
dist_check_DATA += tests/sandbox/broker-best-effort.sh
EXTRA_DIST += tests/sandbox/broker-best-effort.yml tests/sandbox/broker-echo.py

# How the server ended, told apart in the exit report (signal or code).
TESTS += tests/sandbox/exit-status.sh
EXTRA_DIST += tests/sandbox/exit-status.sh
