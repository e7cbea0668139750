# SPDX-License-Identifier: Apache-2.0
# Fuzz targets. With ./configure CC=clang --enable-fuzzing they are libFuzzer
# binaries (make fuzz-profile runs one for FUZZ_SECONDS, with FUZZ_FLAGS
# such as -jobs=2 added); otherwise each is
# linked with replay.c and runs over its corpus once as an ordinary test, so
# saved inputs stay regression tests.
FUZZ_SECONDS = 60
FUZZ_FLAGS =
EXTRA_DIST += tests/fuzz/replay.c tests/fuzz/profile.dict tests/fuzz/corpus

fuzz_profile_sources = tests/fuzz/fuzz-profile.c
fuzz_profile_cflags = $(AM_CFLAGS) \
	-DMB_FUZZ_INCLUDE_DIR=\"$(srcdir_abs)/tests/fixtures/profiles/good\"

if ENABLE_FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz-profile
tests_fuzz_fuzz_profile_SOURCES = $(fuzz_profile_sources)
tests_fuzz_fuzz_profile_CFLAGS = $(fuzz_profile_cflags)
tests_fuzz_fuzz_profile_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_profile_LDADD = $(POLICY_LIBS)

# New inputs go to tests/fuzz/work/profile (not the source tree); crashes
# to tests/fuzz/work/ as crash-*/leak-*: copy one into the corpus once fixed.
# make clean leaves tests/fuzz/work alone: what a campaign found is kept.
fuzz-profile: tests/fuzz/fuzz-profile
	@mkdir -p tests/fuzz/work/profile
	tests/fuzz/fuzz-profile -max_total_time=$(FUZZ_SECONDS) \
		-max_len=4096 -timeout=10 -print_final_stats=1 \
		-artifact_prefix=tests/fuzz/work/ \
		-dict=$(srcdir)/tests/fuzz/profile.dict \
		$(FUZZ_FLAGS) tests/fuzz/work/profile $(srcdir)/tests/fuzz/corpus/profile
else
check_PROGRAMS += tests/fuzz/fuzz-profile-replay
TESTS += tests/fuzz/fuzz-profile-replay
tests_fuzz_fuzz_profile_replay_SOURCES = $(fuzz_profile_sources) tests/fuzz/replay.c
tests_fuzz_fuzz_profile_replay_CFLAGS = $(fuzz_profile_cflags) \
	-DMB_FUZZ_CORPUS=\"tests/fuzz/corpus/profile\"
tests_fuzz_fuzz_profile_replay_LDADD = $(POLICY_LIBS)
fuzz-profile:
	@echo "fuzz-profile: reconfigure with ./configure CC=clang --enable-fuzzing" >&2; exit 1
endif
.PHONY: fuzz-profile

# The inspector's target: framer + JSON-RPC + inspector, both directions.
# `make fuzz` runs every fuzz target for FUZZ_SECONDS (60) on its corpus.
EXTRA_DIST += tests/fuzz/run-fuzz.sh tests/fuzz/corpus
if ENABLE_FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz-inspector
tests_fuzz_fuzz_inspector_SOURCES = tests/fuzz/fuzz-inspector.c tests/inspect/helpers.h
tests_fuzz_fuzz_inspector_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS)
tests_fuzz_fuzz_inspector_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_inspector_LDADD = $(INSPECT_LIBS)
fuzz: all
	FUZZ_SECONDS=$(FUZZ_SECONDS) $(SHELL) $(top_srcdir)/tests/fuzz/run-fuzz.sh $(top_builddir) $(top_srcdir)
else
# Its corpus, once, as an ordinary test (with its differential checks).
check_PROGRAMS += tests/fuzz/fuzz-inspector-replay
TESTS += tests/fuzz/fuzz-inspector-replay
tests_fuzz_fuzz_inspector_replay_SOURCES = tests/fuzz/fuzz-inspector.c tests/fuzz/replay.c \
	tests/inspect/helpers.h
tests_fuzz_fuzz_inspector_replay_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS) \
	-DMB_FUZZ_CORPUS=\"tests/fuzz/corpus/jsonrpc\"
tests_fuzz_fuzz_inspector_replay_LDADD = $(INSPECT_LIBS)
fuzz:
	@echo "fuzz: reconfigure with ./configure CC=clang --enable-fuzzing" >&2; exit 1
endif
.PHONY: fuzz

# The scanners' target: detectors, walk, edits, through the inspector
# (tests/fuzz/fuzz-scan.c; corpus tests/fuzz/corpus/scan).
if ENABLE_FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz-scan
tests_fuzz_fuzz_scan_SOURCES = tests/fuzz/fuzz-scan.c tests/inspect/helpers.h
tests_fuzz_fuzz_scan_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS)
tests_fuzz_fuzz_scan_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_scan_LDADD = $(INSPECT_LIBS)
else
check_PROGRAMS += tests/fuzz/fuzz-scan-replay
TESTS += tests/fuzz/fuzz-scan-replay
tests_fuzz_fuzz_scan_replay_SOURCES = tests/fuzz/fuzz-scan.c tests/fuzz/replay.c \
	tests/inspect/helpers.h
tests_fuzz_fuzz_scan_replay_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS) \
	-DMB_FUZZ_CORPUS=\"tests/fuzz/corpus/scan\"
tests_fuzz_fuzz_scan_replay_LDADD = $(INSPECT_LIBS)
endif

# The sandbox's resolver's DNS parser and writer, on any bytes.
if ENABLE_FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz-dns
tests_fuzz_fuzz_dns_SOURCES = tests/fuzz/fuzz-dns.c
tests_fuzz_fuzz_dns_LDFLAGS = $(AM_LDFLAGS) -fsanitize=fuzzer
tests_fuzz_fuzz_dns_LDADD = libresolve.a $(POLICY_LIBS)
else
check_PROGRAMS += tests/fuzz/fuzz-dns-replay
TESTS += tests/fuzz/fuzz-dns-replay
tests_fuzz_fuzz_dns_replay_SOURCES = tests/fuzz/fuzz-dns.c tests/fuzz/replay.c
tests_fuzz_fuzz_dns_replay_CFLAGS = $(AM_CFLAGS) -DMB_FUZZ_CORPUS=\"tests/fuzz/corpus/dns\"
tests_fuzz_fuzz_dns_replay_LDADD = libresolve.a $(POLICY_LIBS)
endif

# make check's short fuzz run (60 s per target, FUZZ_CHECK_SECONDS to
# change): tests/fuzz/fuzz-check.sh builds the targets with clang itself,
# from the source lists and flags written here, so that the main build may
# be gcc's. It fails, naming the package, when clang is missing.
TESTS += tests/fuzz/fuzz-check.sh
EXTRA_DIST += tests/fuzz/fuzz-check.sh
check_DATA = tests/fuzz/fuzz-check.env
CLEANFILES += tests/fuzz/fuzz-check.env
tests/fuzz/fuzz-check.env: Makefile
	$(AM_V_GEN)$(MKDIR_P) tests/fuzz && { \
	echo "FC_CPPFLAGS='-include $(abs_top_builddir)/config.h -I$(srcdir_abs) -I$(abs_top_builddir) $(CJSON_CFLAGS) $(YAML_CFLAGS) $(NETTLE_CFLAGS)'"; \
	echo "FC_LIBS='$(CJSON_LIBS) $(YAML_LIBS) $(NETTLE_LIBS) -lm'"; \
	echo "FC_COMMON='$(filter %.c,$(libcommon_a_SOURCES))'"; \
	echo "FC_POLICY='$(filter %.c,$(libpolicy_a_SOURCES))'"; \
	echo "FC_INSPECT='$(filter %.c,$(libinspect_a_SOURCES)) report/report-request.c'"; \
	echo "FC_DNS='supervisor/resolve/dns-wire.c'"; \
	} > $@
