#!/bin/sh
# test-notify-ns as nobody: the sandbox's shape in a user namespace.
NOTIFY_TEST=test-notify-ns
export NOTIFY_TEST
exec "$top_srcdir/tests/sandbox/notify-nobody.sh"
