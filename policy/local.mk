noinst_LIBRARIES += libpolicy.a
libpolicy_a_CFLAGS = $(AM_CFLAGS) $(YAML_CFLAGS) $(CJSON_CFLAGS)
libpolicy_a_SOURCES = \
	policy/profile.h policy/profile.c \
	policy/load.c \
	policy/plan.h policy/plan.c \
	policy/widen.h policy/widen.c \
	policy/match.h policy/path.c \
	policy/resolve.h policy/resolve.c \
	policy/callgrants.h
POLICY_LIBS = libpolicy.a libcommon.a $(YAML_LIBS) $(CJSON_LIBS)
