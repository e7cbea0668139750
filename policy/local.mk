# SPDX-License-Identifier: Apache-2.0
noinst_LIBRARIES += libpolicy.a
libpolicy_a_CFLAGS = $(AM_CFLAGS) $(YAML_CFLAGS) $(CJSON_CFLAGS)
libpolicy_a_SOURCES = \
	policy/profile.h policy/profile.c policy/profile-keys.h \
	policy/scan-kinds.h policy/scan-kinds.c \
	policy/load/yaml-tree.h policy/load/yaml-tree.c \
	policy/load/load-internal.h policy/load/load.c policy/load/load-util.c policy/load/load-keys.c policy/load/load-record.c \
	policy/load/load-grants.c policy/load/load-scan.c policy/load/load-tests.c policy/load/load-include.c policy/load/load-vars.c \
	policy/load/parse-pattern.c policy/load/parse-endpoint.c policy/load/parse-size.c \
	policy/plan.h policy/plan.c \
	policy/decoy.h policy/decoy.c \
	policy/widen.h policy/widen.c \
	policy/path.h policy/path.c \
	policy/match.h policy/match.c \
	policy/addr-class.h policy/addr-class.c \
	policy/resolve.h policy/resolve.c \
	policy/elf.h policy/elf.c \
	policy/call-grants.h policy/call-grants.c \
	policy/decide.h policy/decide.c \
	policy/lint.h policy/lint.c
POLICY_LIBS = libpolicy.a libcommon.a $(YAML_LIBS) $(CJSON_LIBS)
