#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
NOTIFY_TEST=tests/notify/kernel-diff exec "$top_srcdir/tests/notify/kernel-notify-no-openat2.sh"
