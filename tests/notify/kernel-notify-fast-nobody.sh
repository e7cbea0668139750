#!/bin/sh
MB_NOTIFY_FAST=1 exec "$top_srcdir/tests/notify/kernel-notify-nobody.sh"
