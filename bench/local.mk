# Benchmarks: `make bench` writes bench/results.md.
# Built on demand only (EXTRA_PROGRAMS): they take tens of seconds to run.
EXTRA_PROGRAMS = bench/bench-notify
bench_bench_notify_SOURCES = bench/bench-notify.c $(NOTIFY_SOURCES)
bench_bench_notify_CFLAGS = $(AM_CFLAGS) $(SECCOMP_CFLAGS)
bench_bench_notify_LDADD = $(SANDBOX_LIBS) $(POLICY_LIBS)
CLEANFILES += $(EXTRA_PROGRAMS)
EXTRA_DIST += bench/notify-results.md

# openat through the notifier vs bare, seccomp, Landlock and a bare notify
# loop (bench/bench-notify.c; results recorded in bench/notify-results.md).
.PHONY: bench bench-notify
bench: bench-notify
bench-notify: bench/bench-notify$(EXEEXT)
	$(AM_V_GEN){ echo "## openat through the notifier (bench/bench-notify)"; echo; \
	  ./bench/bench-notify; echo; } | tee bench/notify-results.md


# membrane-audit on a 1 GiB report written by the real reporter: time and
# peak RSS (bench/audit.sh; results recorded in bench/audit-results.md).
# Another size: make bench-audit BENCH_AUDIT_SIZE=BYTES.
BENCH_AUDIT_SIZE = 1073741824
EXTRA_DIST += bench/audit.sh
.PHONY: bench-audit
bench-audit: membrane-audit tests/audit/gen-report
	top_builddir=$(abs_top_builddir) $(SHELL) $(top_srcdir)/bench/audit.sh $(BENCH_AUDIT_SIZE)
EXTRA_DIST += bench/audit-results.md
