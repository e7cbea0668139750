# SPDX-License-Identifier: Apache-2.0
# Deployment. In make check: make install and DESTDIR (unit-install.sh),
# configure's libraries in the package lists (unit-packages.sh),
# the AppArmor profile's syntax (unit-apparmor.sh).
TESTS += tests/deploy/unit-install.sh tests/deploy/unit-apparmor.sh tests/deploy/unit-packages.sh
EXTRA_DIST += tests/deploy/unit-install.sh tests/deploy/unit-apparmor.sh tests/deploy/unit-packages.sh

# make check-deploy: the deploy-* tier, which takes minutes and Debian's
# mirror: debootstrap'd roots (cached in tests/deploy/cache, which only
# these tests write), the Debian package built and installed, the AppArmor
# profile under AppArmor 4, the container image under podman. One at a
# time (they share the cache), with a log of their own.
DEPLOY_TESTS = tests/deploy/deploy-deb.sh tests/deploy/deploy-apparmor4.sh \
	tests/deploy/deploy-podman.sh
EXTRA_DIST += $(DEPLOY_TESTS) tests/deploy/lib.sh tests/deploy/enter-root.sh \
	tests/deploy/deb-inside.sh
.PHONY: check-deploy
check-deploy:
	$(MAKE) $(AM_MAKEFLAGS) -j1 check TESTS="$(DEPLOY_TESTS)" TEST_SUITE_LOG=deploy-suite.log
distclean-local: distclean-deploy-cache
.PHONY: distclean-deploy-cache
distclean-deploy-cache:
	-rm -rf tests/deploy/cache
