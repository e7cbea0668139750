noinst_LIBRARIES += libcommon.a
libcommon_a_SOURCES = \
	common/macros.h \
	common/vec.h common/vec.c \
	common/error.h common/error.c \
	common/strbuf.h common/strbuf.c
