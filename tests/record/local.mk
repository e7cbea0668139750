# SPDX-License-Identifier: Apache-2.0
# supervisor/record/: the call record, budgets, anomalies, decoys and the
# kill switch, from real sessions of the deputy (tests/notify/deputy.c)
# through membrane-run, as root and as nobody (kernel-record.sh).
TESTS += tests/record/kernel-record.sh
EXTRA_DIST += tests/record/kernel-record.sh
dist_check_DATA += tests/record/record-drive.py tests/record/record.yml
