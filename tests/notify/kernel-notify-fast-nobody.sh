#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
MB_NOTIFY_FAST=1 exec "$top_srcdir/tests/notify/kernel-notify-nobody.sh"
