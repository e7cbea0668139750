# The notifier: also compiled into its tests and benchmark.
NOTIFY_SOURCES = \
	supervisor/notify.h supervisor/notify.c \
	supervisor/notify-internal.h supervisor/notify-mem.c supervisor/notify-resolve.c
# Learn mode's recorder and draft writer (needs libinspect and the notifier's
# types); also compiled into tests/learn/test-learn.
LEARN_SOURCES = \
	supervisor/learn.h supervisor/learn-internal.h supervisor/learn.c \
	supervisor/learn-scope.c supervisor/learn-session.c \
	supervisor/learn-draft.h supervisor/learn-draft.c supervisor/learn-write.c \
	supervisor/learn-default.h supervisor/learn-default.c
# The correlator (needs the notifier and libinspect's in-flight table).
CORRELATE_SOURCES = supervisor/correlate.h supervisor/correlate.c

# The broker: the network rule and the connects made for the sandbox
# (supervisor/broker.h); uses the event loop of libinspect.a.
BROKER_SOURCES = \
	supervisor/broker.h supervisor/broker.c supervisor/broker-internal.h \
	supervisor/broker-rule.h supervisor/broker-rule.c \
	supervisor/broker-sock.c supervisor/broker-sockopt.c supervisor/broker-listeners.c

# The inspector and its event loop: a library so that unit tests, the fuzz
# target and the benchmark link the same code as membrane-run.
noinst_LIBRARIES += libinspect.a
libinspect_a_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS)
libinspect_a_SOURCES = \
	supervisor/loop.h supervisor/loop.c \
	supervisor/framer.h supervisor/framer.c \
	supervisor/jsontext.h supervisor/jsontext.c \
	supervisor/jsonrpc.h supervisor/jsonrpc.c \
	supervisor/inflight.h supervisor/inflight.c \
	supervisor/reqdesc.h supervisor/reqdesc.c \
	supervisor/toolpin.h supervisor/toolpin.c \
	supervisor/callcheck.h supervisor/callcheck.c \
	supervisor/inspector.h supervisor/inspector.c \
	supervisor/relay.h supervisor/relay.c
INSPECT_LIBS = libinspect.a $(POLICY_LIBS) -lm

bin_PROGRAMS += membrane-run
membrane_run_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS) $(NETTLE_CFLAGS) $(SYSTEMD_CFLAGS)
membrane_run_SOURCES = \
	supervisor/main.c \
	supervisor/options.h supervisor/options.c \
	supervisor/lookup.h supervisor/lookup.c \
	supervisor/explain.h supervisor/explain.c \
	supervisor/selftest.h supervisor/selftest.c \
	supervisor/run.h supervisor/run.c \
	supervisor/report.h \
	supervisor/notify-watch.h supervisor/notify-watch.c \
	supervisor/learn-run.h supervisor/learn-run.c \
	$(LEARN_SOURCES) $(CORRELATE_SOURCES) $(NOTIFY_SOURCES) $(BROKER_SOURCES)
membrane_run_LDADD = libinspect.a $(SANDBOX_LIBS) $(POLICY_LIBS) $(NETTLE_LIBS) -ldl -lm

# The reporter (supervisor/report.h) as a library: membrane-run, its tests and
# the report generator of bench/ link the same code.
noinst_LIBRARIES += libreport.a
libreport_a_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS) $(NETTLE_CFLAGS) $(SYSTEMD_CFLAGS)
libreport_a_SOURCES = \
	supervisor/report.h supervisor/report.c \
	supervisor/report_sink.h supervisor/report_syslog.c
REPORT_LIBS = libreport.a libcommon.a $(CJSON_LIBS) $(NETTLE_LIBS) -ldl
membrane_run_LDADD += $(REPORT_LIBS)
