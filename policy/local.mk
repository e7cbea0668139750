noinst_LIBRARIES += libpolicy.a
libpolicy_a_CFLAGS = $(AM_CFLAGS) $(YAML_CFLAGS) $(CJSON_CFLAGS)
libpolicy_a_SOURCES = \
	policy/profile.h policy/profile.c \
	policy/load.c \
	policy/plan.c \
	policy/match.h policy/path.c \
	policy/callgrants.h \
	policy/plan.h
POLICY_LIBS = libpolicy.a libcommon.a $(YAML_LIBS) $(CJSON_LIBS)
