#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# What a task keeps in flight, by its effect, through membrane-run, root and
# nobody (see kernel-tasks.py).
exec python3 "${top_srcdir:-.}/tests/inspect/kernel-tasks.py"
