# Benchmarks: `make bench` writes bench/results.md.

# membrane-audit on a 1 GiB report written by the real reporter: time and
# peak RSS (bench/audit.sh; results recorded in bench/audit-results.md).
EXTRA_DIST += bench/audit.sh
.PHONY: bench-audit
bench-audit: membrane-audit tests/audit/gen-report
	top_builddir=$(abs_top_builddir) $(SHELL) $(top_srcdir)/bench/audit.sh
