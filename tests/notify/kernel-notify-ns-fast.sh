#!/bin/sh
NOTIFY_TEST=tests/notify/kernel-notify-ns exec "$top_srcdir/tests/notify/kernel-notify-fast.sh"
