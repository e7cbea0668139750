/* SPDX-License-Identifier: Apache-2.0 */
/* The command line of membrane-run --listen (man/membrane-run.1 "SERVING
 * OVER HTTP"). supervisor/options.c keeps one table of long options; the
 * HTTP ones are listed here once (MB_HTTP_OPTIONS) and expanded into it, so
 * that options.c holds three lines of ours and this module parses and
 * checks its own values.
 *
 * The front re-executes membrane-run once per session with the rest of the
 * command line: mb_http_options_parse() remembers which argv slots held
 * HTTP options so that mb_http_child_argv() can leave them out. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/vec.h"

/* X(ENUM, "name", has_arg) */
#define MB_HTTP_OPTIONS(X)                          \
	X(LISTEN, "listen", 1)                      \
	X(TLS_CERT, "tls-cert", 1)                  \
	X(TLS_KEY, "tls-key", 1)                    \
	X(CLIENT_CA, "client-ca", 1)                \
	X(TOKENS, "tokens", 1)                      \
	X(ALLOW_ORIGIN, "allow-origin", 1)          \
	X(MAX_SESSIONS, "max-sessions", 1)          \
	X(SESSION_IDLE, "session-idle", 1)          \
	X(MAX_BODY, "max-body", 1)                  \
	X(RATE, "rate", 1)                          \
	X(PRINCIPAL, "principal", 1)                \
	X(REPORT_SESSION, "report-session", 1)

#define MB_HTTP_OPT_BASE 0x400
enum {
#define X(e, n, a) MB_HTTP_OPT_##e,
	MB_HTTP_OPTIONS(X)
#undef X
	MB_HTTP_OPT_COUNT
};
/* The entries of struct option for options.c's table. */
#define MB_HTTP_LONG_OPTIONS                                                    \
	MB_HTTP_OPTIONS(MB_HTTP_LONG_OPTION_)
#define MB_HTTP_LONG_OPTION_(e, n, a) { n, a ? required_argument : no_argument, NULL, MB_HTTP_OPT_BASE + MB_HTTP_OPT_##e },

struct mb_http_options {
	MB_VEC(const char *) listen;       /* --listen ADDR, as given */
	const char *tls_cert, *tls_key;    /* PEM files (or credential:NAME) */
	const char *client_ca;             /* PEM: ask for and verify client certs */
	const char *tokens;                /* bearer tokens: "NAME TOKEN" lines */
	MB_VEC(const char *) allow_origin; /* besides the listener's own */
	unsigned max_sessions;             /* default 64 */
	uint64_t session_idle_ms;          /* default 300 s */
	size_t max_body;                   /* default 4 MiB */
	unsigned rate;                     /* requests per second per client; 0: none */
	const char *principal;             /* set by the front for a session's child */
	const char *report_session;        /* likewise: the child's report session */
	MB_VEC(int) drop;                  /* argv slots the child does not get */
};

void mb_http_options_init(struct mb_http_options *h);
void mb_http_options_free(struct mb_http_options *h);
/* One option: c is the getopt value (MB_HTTP_OPT_BASE + k), arg its value,
 * argv and optind as getopt_long left them (to remember the slots).
 * Returns 0, or -EINVAL after printing one line naming the option. */
int mb_http_option(struct mb_http_options *h, int c, const char *arg, char **argv, int optind);
/* After parsing: the combinations that make no sense. */
int mb_http_options_check(const struct mb_http_options *h, bool running, bool learn);
static inline bool mb_http_listening(const struct mb_http_options *h)
{
	return h->listen.n > 0;
}
void mb_http_options_usage(FILE *f);
