#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# kernel-notify-spawn as nobody: the real sandbox, unprivileged.
NOTIFY_TEST=tests/notify/kernel-notify-spawn
export NOTIFY_TEST
exec "$top_srcdir/tests/notify/kernel-notify-nobody.sh"
