#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The notifier's tests again with the decision's pure twin (opts.allows):
# allowed opens take the fast way (performed first with RESOLVE_NO_SYMLINKS,
# decided on the name that open proved), everything else the complete way.
# Runs $NOTIFY_TEST (default tests/notify/kernel-notify) as the invoking user;
# kernel-notify-fast-nobody.sh runs it as nobody.
MB_NOTIFY_FAST=1 exec "$top_builddir/${NOTIFY_TEST:-tests/notify/kernel-notify}"
