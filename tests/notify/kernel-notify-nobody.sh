#!/bin/sh
# The notifier's tests again as nobody: reading a child's memory and its
# /proc entries must work for an unprivileged launcher too. Runs the program
# named by $NOTIFY_TEST (default test-notify); notify-ns-nobody.sh sets it.
prog=$top_builddir/tests/sandbox/${NOTIFY_TEST:-test-notify}
if [ "$(id -u)" != 0 ]; then
	# Already unprivileged: the plain run was this user's.
	exec "$prog"
fi
command -v setpriv >/dev/null || { echo "Bail out! setpriv (util-linux) is needed"; exit 1; }
# nobody must reach the build tree; the tests make their files under /tmp.
exec setpriv --reuid=nobody --regid=nogroup --clear-groups "$prog"
