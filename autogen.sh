#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Generate configure and Makefile.in from a git checkout.
set -e
cd "$(dirname "$0")"
autoreconf --install --force
