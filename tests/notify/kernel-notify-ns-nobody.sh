#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# kernel-notify-ns as nobody: the sandbox's shape in a user namespace.
NOTIFY_TEST=tests/notify/kernel-notify-ns
export NOTIFY_TEST
exec "$top_srcdir/tests/notify/kernel-notify-nobody.sh"
