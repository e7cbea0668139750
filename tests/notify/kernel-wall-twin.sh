#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
NOTIFY_TEST=tests/notify/kernel-wall exec "$top_srcdir/tests/notify/kernel-notify-twin.sh"
