# SPDX-License-Identifier: Apache-2.0
# membrane-run --listen (supervisor/http/): the gate and the pieces as
# units, the front door's refusals and TLS with a real listener, and real
# clients (the SDK's StreamableHTTPClientTransport, the Inspector's CLI,
# the conformance suite) against real servers through it.
check_PROGRAMS += tests/http/unit-http
TESTS += tests/http/unit-http
tests_http_unit_http_CFLAGS = $(AM_CFLAGS) $(CJSON_CFLAGS) $(MHD_CFLAGS)
tests_http_unit_http_LDADD = libhttp.a $(INSPECT_LIBS) $(HTTP_LIBS)
HTTP_E2E_TESTS = \
	tests/http/e2e-http-everything.sh \
	tests/http/e2e-http-filesystem.sh \
	tests/http/e2e-http-inspector-cli.sh \
	tests/http/e2e-http-conformance.sh
TESTS += tests/http/unit-http-systemd.sh tests/http/kernel-http-gate.sh $(HTTP_E2E_TESTS)
dist_check_DATA += tests/http/unit-http-systemd.sh tests/http/kernel-http-gate.sh $(HTTP_E2E_TESTS)
EXTRA_DIST += tests/http/README.md tests/http/lib.sh tests/http/conformance-expected-failures.yml
