#!/bin/sh
# The notifier's tests again as nobody: reading a child's memory and its
# /proc entries must work for an unprivileged launcher too.
if [ "$(id -u)" != 0 ]; then
	# Already unprivileged: test-notify ran as this user.
	exec "$top_builddir/tests/sandbox/test-notify"
fi
command -v setpriv >/dev/null || { echo "Bail out! setpriv (util-linux) is needed"; exit 1; }
# nobody must reach the build tree; the test makes its files under /tmp.
exec setpriv --reuid=nobody --regid=nogroup --clear-groups \
	"$top_builddir/tests/sandbox/test-notify"
