noinst_LIBRARIES += libpolicy.a
libpolicy_a_CFLAGS = $(AM_CFLAGS) $(YAML_CFLAGS) $(CJSON_CFLAGS)
libpolicy_a_SOURCES = \
	policy/profile.h policy/profile.c \
	policy/yaml_tree.h policy/yaml_tree.c \
	policy/load-internal.h policy/load.c policy/load_util.c policy/load_keys.c \
	policy/load_grants.c policy/load_tests.c policy/include.c policy/vars.c \
	policy/pattern_parse.c policy/endpoint_parse.c policy/size.c \
	policy/plan.h policy/plan.c \
	policy/widen.h policy/widen.c \
	policy/match.h policy/path.c policy/match.c \
	policy/resolve.h policy/resolve.c \
	policy/elf.h policy/elf.c \
	policy/callgrants.h policy/callgrants.c \
	policy/decide.h policy/decide.c \
	policy/lint.h policy/lint.c
POLICY_LIBS = libpolicy.a libcommon.a $(YAML_LIBS) $(CJSON_LIBS)
