#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
NOTIFY_TEST=tests/notify/kernel-notify-ns exec "$top_srcdir/tests/notify/kernel-notify-fast.sh"
