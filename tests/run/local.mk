# SPDX-License-Identifier: Apache-2.0
# membrane-run's command line and exit status (supervisor/options.c,
# supervisor/run.c): options as root and nobody, and how the server ended,
# told apart in the exit report (signal or code); a nettle that cannot be
# opened (kernel-nettle.sh).
TESTS += tests/run/kernel-options.sh tests/run/kernel-exit-status.sh tests/run/kernel-nettle.sh
dist_check_DATA += tests/run/kernel-options.sh
EXTRA_DIST += tests/run/kernel-exit-status.sh tests/run/kernel-nettle.sh
