# Deployment: make install and DESTDIR (unit-install.sh), the AppArmor
# profile's syntax (unit-apparmor.sh).
TESTS += tests/deploy/unit-install.sh tests/deploy/unit-apparmor.sh
EXTRA_DIST += tests/deploy/unit-install.sh tests/deploy/unit-apparmor.sh
