# Man pages, written in mdoc and linted by tests/man.sh.
