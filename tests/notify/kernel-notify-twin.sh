#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The notifier's tests again with two notifiers on one listener, taking the
# notifications in turn (MB_NOTIFY_TWIN: mb_notifier_twin, as membrane-run's
# workers): a twin must answer everything as the first does, the umask the
# server set through the other included. With the fast way, as membrane-run
# runs it. Runs $NOTIFY_TEST (default tests/notify/kernel-notify).
MB_NOTIFY_TWIN=1 MB_NOTIFY_FAST=1 exec "$top_builddir/${NOTIFY_TEST:-tests/notify/kernel-notify}"
