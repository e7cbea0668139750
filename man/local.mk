# Man pages, written in mdoc and linted by tests/man.sh.
dist_man_MANS += man/membrane-report.5 man/membrane-audit.1

dist_man_MANS += man/membrane-profile.5
