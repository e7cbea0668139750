# SPDX-License-Identifier: Apache-2.0
# systemd units (installed to $(systemdsystemunitdir)) and the generator
# that gives each /etc/membrane/NAME.conf its socket (see systemd/*.in).
# The generator directory is systemd.pc's (configure
# --with-systemdsystemgeneratordir).
systemdsystemunit_DATA = systemd/membrane@.service systemd/membrane-http@.service
systemdsystemgenerator_SCRIPTS = systemd/membrane-generator
EXTRA_DIST += systemd/membrane@.service.in systemd/membrane-http@.service.in systemd/membrane-generator.in
CLEANFILES += systemd/membrane@.service systemd/membrane-http@.service systemd/membrane-generator

mb_systemd_subst = $(SED) \
	-e 's|@bindir[@]|$(bindir)|g' \
	-e 's|@sysconfdir[@]|$(sysconfdir)|g' \
	-e 's|@systemdsystemunitdir[@]|$(systemdsystemunitdir)|g'

systemd/membrane@.service: $(top_srcdir)/systemd/membrane@.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) systemd && $(mb_systemd_subst) $< > $@.tmp && mv $@.tmp $@
systemd/membrane-http@.service: $(top_srcdir)/systemd/membrane-http@.service.in Makefile
	$(AM_V_GEN)$(MKDIR_P) systemd && $(mb_systemd_subst) $< > $@.tmp && mv $@.tmp $@
systemd/membrane-generator: $(top_srcdir)/systemd/membrane-generator.in Makefile
	$(AM_V_GEN)$(MKDIR_P) systemd && $(mb_systemd_subst) $< > $@.tmp && chmod +x $@.tmp && mv $@.tmp $@
