# Benchmarks: `make bench` writes bench/results.md.
# Built on demand only (EXTRA_PROGRAMS): they take tens of seconds to run.
EXTRA_PROGRAMS = bench/bench-notify
bench_bench_notify_SOURCES = bench/bench-notify.c $(NOTIFY_SOURCES)
bench_bench_notify_CFLAGS = $(AM_CFLAGS) $(SECCOMP_CFLAGS)
bench_bench_notify_LDADD = $(SANDBOX_LIBS) $(POLICY_LIBS)
CLEANFILES += $(EXTRA_PROGRAMS)

.PHONY: bench bench-notify
bench: bench-notify
# openat through the notifier vs bare, seccomp, Landlock and a bare notify loop.
bench-notify: bench/bench-notify$(EXEEXT)
	$(AM_V_GEN){ echo "## openat through the notifier (bench/bench-notify)"; echo; \
	  ./bench/bench-notify; echo; } | tee bench/results-notify.md
