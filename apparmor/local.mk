# SPDX-License-Identifier: Apache-2.0
# The AppArmor profile for membrane-run (apparmor/membrane-run.in says why it
# exists). Always installed in $(pkgdatadir)/apparmor, as a copy to load by
# hand on another host; installed in $(apparmordir) (/etc/apparmor.d) where
# configure found an apparmor_parser that accepts it (AppArmor 4), or was
# told where (--with-apparmordir=DIR). tests/deploy/unit-apparmor.sh parses it.
apparmorcopydir = $(pkgdatadir)/apparmor
apparmorcopy_DATA = apparmor/membrane-run
if INSTALL_APPARMOR
apparmor_DATA = apparmor/membrane-run
endif
EXTRA_DIST += apparmor/membrane-run.in
CLEANFILES += apparmor/membrane-run

apparmor/membrane-run: $(top_srcdir)/apparmor/membrane-run.in Makefile
	$(AM_V_GEN)$(MKDIR_P) apparmor && $(SED) -e 's|@bindir[@]|$(bindir)|g' $< > $@.tmp && mv $@.tmp $@
