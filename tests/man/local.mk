# The man pages: every page lints clean (mandoc -Tlint -W warning, groff
# -ww), and membrane-profile(5) documents every profile key the loader takes.
TESTS += tests/man/unit-lint.sh tests/man/unit-profile-keys.sh
EXTRA_DIST += tests/man/unit-lint.sh tests/man/unit-profile-keys.sh
