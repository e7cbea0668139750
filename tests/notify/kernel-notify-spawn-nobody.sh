#!/bin/sh
# test-notify-spawn as nobody: the real sandbox, unprivileged.
NOTIFY_TEST=test-notify-spawn
export NOTIFY_TEST
exec "$top_srcdir/tests/sandbox/notify-nobody.sh"
