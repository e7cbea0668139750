#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# kernel-broker as nobody: the sandbox in its own user namespace, the
# supervisor without privileges (pidfd_getfd, SIOCGSKNS, ADDFD as the
# owner of the sandbox's user namespace).
NOTIFY_TEST=tests/broker/kernel-broker
export NOTIFY_TEST
exec "$top_srcdir/tests/notify/kernel-notify-nobody.sh"
