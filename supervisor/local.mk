# The notifier: also compiled into its tests and benchmark.
NOTIFY_SOURCES = \
	supervisor/notify.h supervisor/notify.c \
	supervisor/notify-internal.h supervisor/notify-mem.c supervisor/notify-resolve.c
bin_PROGRAMS += membrane-run
membrane_run_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS) $(NETTLE_CFLAGS) $(SYSTEMD_CFLAGS)
membrane_run_SOURCES = \
	supervisor/main.c \
	supervisor/options.h supervisor/options.c \
	supervisor/lookup.h supervisor/lookup.c \
	supervisor/explain.h supervisor/explain.c \
	supervisor/report.h \
	$(NOTIFY_SOURCES)
membrane_run_LDADD = $(SANDBOX_LIBS) $(POLICY_LIBS) $(NETTLE_LIBS) $(SYSTEMD_LIBS)

# The reporter (supervisor/report.h) as a library: membrane-run, its tests and
# the report generator of bench/ link the same code.
noinst_LIBRARIES += libreport.a
libreport_a_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS) $(NETTLE_CFLAGS) $(SYSTEMD_CFLAGS)
libreport_a_SOURCES = \
	supervisor/report.h supervisor/report.c \
	supervisor/report_sink.h supervisor/report_syslog.c
REPORT_LIBS = libreport.a libcommon.a $(CJSON_LIBS) $(NETTLE_LIBS) $(SYSTEMD_LIBS)
membrane_run_LDADD += $(REPORT_LIBS)
