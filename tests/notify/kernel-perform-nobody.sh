#!/bin/sh
NOTIFY_TEST=tests/notify/kernel-perform exec "$top_srcdir/tests/notify/kernel-notify-nobody.sh"
