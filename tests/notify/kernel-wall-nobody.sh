#!/bin/sh
NOTIFY_TEST=tests/notify/kernel-wall exec "$top_srcdir/tests/notify/kernel-notify-nobody.sh"
