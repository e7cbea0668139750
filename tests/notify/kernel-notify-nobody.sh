#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The notifier's tests again as nobody: reading a child's memory and its
# /proc entries must work for an unprivileged launcher too. Runs the program
# named by $NOTIFY_TEST, relative to the build tree (default
# tests/notify/kernel-notify); the other *-nobody.sh scripts set it.
prog=$top_builddir/${NOTIFY_TEST:-tests/notify/kernel-notify}
if [ "$(id -u)" != 0 ]; then
	# Already unprivileged: the plain run was this user's.
	exec "$prog"
fi
command -v setpriv >/dev/null || { echo "Bail out! setpriv (util-linux) is needed"; exit 1; }
# nobody must reach the build tree; the tests make their files under /tmp.
exec setpriv --reuid=nobody --regid=nogroup --clear-groups "$prog"
