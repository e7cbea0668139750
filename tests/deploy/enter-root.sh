#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# enter-root.sh LOWER[:LOWER...] UPPER [-b SRC:DST]... -- COMMAND...
# Run COMMAND as root in a throwaway Debian root: an overlay of the LOWER
# directories (debootstrap trees and cached layers, topmost first) with
# UPPER taking every write, made the root with pivot_root(2) in a private
# mount namespace (not chroot(2): in a chroot the kernel refuses user
# namespaces, which membrane-run needs as nobody). /dev and /sys are the
# host's, /proc and /run are new, the host's network is shared (apt reaches
# the mirror), and each SRC is bound at DST. Nothing is mounted on the
# host, and nothing outside UPPER and the binds changes. The work directory
# overlayfs needs sits beside UPPER (UPPER.work).
set -eu
lower=$1 upper=$2
shift 2
binds=
while [ "$1" != -- ]; do
	[ "$1" = -b ] || { echo "enter-root.sh: expected -b SRC:DST or --, got $1" >&2; exit 2; }
	binds="$binds $2"
	shift 2
done
shift
mkdir -p "$upper" "$upper.work" "$upper.mnt"
exec unshare -m --propagation private sh -eu -c '
lower=$1 upper=$2 binds=$3
shift 3
R=$upper.mnt
mount -t overlay overlay -o "lowerdir=$lower,upperdir=$upper,workdir=$upper.work" "$R"
mount --rbind /dev "$R/dev"
mount --rbind /sys "$R/sys"
mount -t proc proc "$R/proc"
mount -t tmpfs -o mode=0755 tmpfs "$R/run"
for b in $binds; do
	src=${b%%:*} dst=${b#*:}
	mkdir -p "$R$dst"
	mount --rbind "$src" "$R$dst"
done
# What any installed machine has, and a debootstrap tree lacks.
cp /etc/resolv.conf "$R/etc/resolv.conf"
[ -e "$R/etc/hosts" ] || printf "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost\n" > "$R/etc/hosts"
mkdir -p "$R/.oldroot"
cd "$R"
pivot_root . .oldroot
umount -l /.oldroot
rmdir /.oldroot
cd /
exec env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
	DEBIAN_FRONTEND=noninteractive "$@"
' sh "$lower" "$upper" "$binds" "$@"
