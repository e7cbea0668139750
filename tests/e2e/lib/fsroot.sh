#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Lay out the small tree that scripts/filesystem.json works on, in DIR.
set -eu
d=${1:?usage: fsroot.sh DIR}
mkdir -p "$d/sub"
echo hello >"$d/a.txt"
printf 'line1\nline2\n' >"$d/sub/b.txt"
# A 1x1 PNG, for read_media_file.
printf '\211PNG\r\n\032\n\0\0\0\rIHDR\0\0\0\1\0\0\0\1\10\6\0\0\0\37\25\304\211\0\0\0\rIDATx\234c\370\377\377?\0\5\376\2\376\247\65\201\204\0\0\0\0IEND\256B`\202' >"$d/pixel.png"
