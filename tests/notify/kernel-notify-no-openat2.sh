#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The notifier's tests again with openat2 refused to the supervisor's side
# (ENOSYS, as a service manager's seccomp filter may): every path then takes
# the walk, and opens from the pins fall back to openat with O_NOFOLLOW.
# Runs $NOTIFY_TEST (default tests/notify/kernel-notify).
MB_NOTIFY_NO_OPENAT2=1 MB_NOTIFY_FAST=1 exec "$top_builddir/${NOTIFY_TEST:-tests/notify/kernel-notify}"
