# SPDX-License-Identifier: Apache-2.0
# What every part shares: errors, vectors, strings, UTF-8, SHA-256, PATH
# search, the epoll event loop, and the kernel interfaces newer than the
# build's headers (kernel-compat.h).
noinst_LIBRARIES += libcommon.a
# nettle's headers for sha256.c, which opens nettle itself (-ldl -lpthread).
libcommon_a_CFLAGS = $(AM_CFLAGS) $(NETTLE_CFLAGS)
libcommon_a_SOURCES = \
	common/macros.h common/kernel-compat.h \
	common/vec.h common/vec.c \
	common/error.h common/error.c \
	common/strbuf.h common/strbuf.c \
	common/utf8.h common/utf8.c \
	common/nettle-dl.h common/nettle-dl.c \
	common/sha256.h common/sha256.c \
	common/which.h common/which.c \
	common/procstat.h common/procstat.c \
	common/loop.h common/loop.c
