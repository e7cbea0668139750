# SPDX-License-Identifier: Apache-2.0
# common/: UTF-8 (shared by the reporter, membrane-audit and the inspector)
# and the event loop.
check_PROGRAMS += tests/common/unit-utf8 tests/common/unit-loop
TESTS += tests/common/unit-utf8 tests/common/unit-loop
tests_common_unit_utf8_LDADD = libcommon.a
tests_common_unit_loop_LDADD = libcommon.a

# common/kernel-compat.h: every system call number it may define, against
# libseccomp's tables for x86-64, x32, aarch64 and riscv64.
check_PROGRAMS += tests/common/unit-kernel-compat
TESTS += tests/common/unit-kernel-compat
tests_common_unit_kernel_compat_CFLAGS = $(AM_CFLAGS) $(SECCOMP_CFLAGS)
tests_common_unit_kernel_compat_LDADD = $(SECCOMP_LIBS)
