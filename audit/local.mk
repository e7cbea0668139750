# SPDX-License-Identifier: Apache-2.0
# membrane-audit: reads reports for a security team (see man/membrane-audit.1).
bin_PROGRAMS += membrane-audit
membrane_audit_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS) $(NETTLE_CFLAGS)
membrane_audit_SOURCES = \
	audit/audit.h \
	audit/audit-main.c \
	audit/audit-read.c \
	audit/audit-time.c \
	audit/audit-filter.c \
	audit/audit-topk.c \
	audit/audit-text.c \
	audit/audit-list.c \
	audit/audit-summary.c \
	audit/audit-verify.c \
	audit/audit-map.c \
	audit/audit-calls.c \
	audit/audit-baseline.c \
	audit/audit-views.c
membrane_audit_LDADD = libreport.a libcommon.a $(CJSON_LIBS) -ldl -lpthread
