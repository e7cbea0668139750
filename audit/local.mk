# membrane-audit: reads reports for a security team (see man/membrane-audit.1).
bin_PROGRAMS += membrane-audit
membrane_audit_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS) $(NETTLE_CFLAGS)
membrane_audit_SOURCES = \
	tools/audit.h \
	tools/audit_main.c \
	tools/audit_read.c \
	tools/audit_time.c \
	tools/audit_filter.c \
	tools/audit_topk.c \
	tools/audit_text.c \
	tools/audit_list.c \
	tools/audit_summary.c \
	tools/audit_verify.c
membrane_audit_LDADD = libcommon.a $(CJSON_LIBS) $(NETTLE_LIBS)
