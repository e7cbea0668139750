#!/bin/sh
NOTIFY_TEST=tests/notify/kernel-diff exec "$top_srcdir/tests/notify/kernel-notify-nobody.sh"
