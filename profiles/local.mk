profilesdir = $(pkgdatadir)/profiles
runtimesdir = $(profilesdir)/runtimes
dist_profiles_DATA =
dist_runtimes_DATA =
