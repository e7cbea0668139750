#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Scripted-client tests of the relay over real pipes (see relay.py).
exec python3 "${top_srcdir:-.}/tests/inspect/relay.py"
