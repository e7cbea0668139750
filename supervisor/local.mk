bin_PROGRAMS += membrane-run
membrane_run_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS) $(NETTLE_CFLAGS) $(SYSTEMD_CFLAGS)
membrane_run_SOURCES = \
	supervisor/main.c \
	supervisor/options.h supervisor/options.c \
	supervisor/lookup.h supervisor/lookup.c \
	supervisor/explain.h supervisor/explain.c \
	supervisor/report.h
membrane_run_LDADD = $(SANDBOX_LIBS) $(POLICY_LIBS) $(NETTLE_LIBS) $(SYSTEMD_LIBS)
