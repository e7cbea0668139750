# SPDX-License-Identifier: Apache-2.0
# supervisor/broker/: the network rule as a table (unit-rule; pure), and the
# broker against the kernel: broker-client makes connects, binds and sends
# in a real sandbox (network brokered, then host), answered by the notifier
# and the broker in membrane-run's event loop, as the invoking user and as
# nobody (kernel-broker-nobody.sh).
check_PROGRAMS += tests/broker/unit-rule
TESTS += tests/broker/unit-rule
tests_broker_unit_rule_LDADD = libbroker.a $(POLICY_LIBS)

check_PROGRAMS += tests/broker/kernel-broker tests/broker/broker-client
TESTS += tests/broker/kernel-broker tests/broker/kernel-broker-nobody.sh
tests_broker_kernel_broker_CPPFLAGS = $(AM_CPPFLAGS) -DMB_BUILDDIR=\"$(abs_top_builddir)\"
tests_broker_kernel_broker_LDADD = $(BROKER_LIBS) -lpthread
tests_broker_broker_client_LDADD = -lpthread
EXTRA_DIST += tests/broker/kernel-broker-nobody.sh

# A nameserver of the server's own choosing under network brokered: granted
# by address (c-ares through the broker to a fake nameserver on the host's
# loopback) or not (reported), and glibc's AI_ADDRCONFIG in the sandbox.
TESTS += tests/broker/kernel-dns.sh
dist_check_DATA += tests/broker/kernel-dns.sh
EXTRA_DIST += tests/broker/fake-dns.py tests/broker/dns.mjs tests/broker/dns.yml

# network brokered in a sandbox without a network namespace of its own
# (--best-effort where user namespaces are refused): nothing stays inside.
TESTS += tests/broker/kernel-best-effort.sh
dist_check_DATA += tests/broker/kernel-best-effort.sh
EXTRA_DIST += tests/broker/best-effort.yml tests/broker/echo-server.py

# The network wall (issue 13), judged by its effects on the host's sinks:
# AF_UNSPEC destinations, sends without one, unreadable sockaddrs and
# msghdrs, a host port bind, and racing threads flipping the sockaddr and
# msg_name, under membrane-run (brokered and host, root and nobody).
check_PROGRAMS += tests/broker/wall-client
tests_broker_wall_client_LDADD = -lpthread
TESTS += tests/broker/kernel-wall.sh
dist_check_DATA += tests/broker/kernel-wall.sh
EXTRA_DIST += tests/broker/sinks.py tests/broker/case-line.h

# The sandbox's resolver (supervisor/resolve/): its wire format, and names,
# address classes and bindings, as data.
check_PROGRAMS += tests/broker/unit-dns
TESTS += tests/broker/unit-dns
tests_broker_unit_dns_LDADD = libresolve.a $(POLICY_LIBS)

# Names end to end: the sandbox's resolver and connects by name, per tool,
# against a test world of names (test-dns.py as the host's resolver in a
# private mount namespace, listeners on the host's loopback), enforce and
# audit, brokered and host, root and nobody.
TESTS += tests/broker/kernel-names.sh
dist_check_DATA += tests/broker/kernel-names.sh
EXTRA_DIST += tests/broker/test-dns.py tests/broker/names.zone tests/broker/names.yml \
	tests/broker/names-server.mjs tests/broker/names-drive.py
check_PROGRAMS += tests/broker/unit-names
TESTS += tests/broker/unit-names
tests_broker_unit_names_LDADD = $(RESOLVE_LIBS) $(POLICY_LIBS)
