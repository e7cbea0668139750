EXTRA_DIST += tests/tap.h tests/tap.sh
