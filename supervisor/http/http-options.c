/* SPDX-License-Identifier: Apache-2.0 */
/* Parsing and checking the --listen family (http-options.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "supervisor/http/http-options.h"

static const char *const names[] = {
#define X(e, n, a) [MB_HTTP_OPT_##e] = n,
	MB_HTTP_OPTIONS(X)
#undef X
};

void mb_http_options_init(struct mb_http_options *h)
{
	*h = (struct mb_http_options){
		.max_sessions = 64,
		.session_idle_ms = 300000,
		.max_body = 4u << 20,
	};
}

void mb_http_options_free(struct mb_http_options *h)
{
	mb_vec_free(&h->listen);
	mb_vec_free(&h->allow_origin);
	mb_vec_free(&h->drop);
}

static int bad(int k, const char *arg, const char *what)
{
	fprintf(stderr, "membrane-run: --%s %s: %s (try --help)\n", names[k], arg, what);
	return -EINVAL;
}

static int parse_uint(const char *s, unsigned long long max, unsigned long long *ret)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v > max)
		return -EINVAL;
	*ret = v;
	return 0;
}

/* "4M", "65536", "64K". */
static int parse_bytes(const char *s, size_t *ret)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || s[0] == '-')
		return -EINVAL;
	unsigned shift = *end == 'K' || *end == 'k' ? 10 : *end == 'M' || *end == 'm' ? 20 : 0;
	if (shift)
		end++;
	if (*end || v == 0 || v > (1ull << 30) >> shift)
		return -EINVAL;
	*ret = (size_t)(v << shift);
	return 0;
}

/* The argv slots of this option: its own, and its value's when separate. */
static int remember(struct mb_http_options *h, const char *arg, char **argv, int optind)
{
	int r = mb_vec_push(&h->drop, optind - 1);
	if (r == 0 && arg == argv[optind - 1] && optind >= 2)
		r = mb_vec_push(&h->drop, optind - 2);
	return r;
}

int mb_http_option(struct mb_http_options *h, int c, const char *arg, char **argv, int optind)
{
	int k = c - MB_HTTP_OPT_BASE;
	unsigned long long v;
	if (remember(h, arg, argv, optind) < 0)
		return -ENOMEM;
	if (!*arg)
		return bad(k, "''", "expected a value");
	switch (k) {
	case MB_HTTP_OPT_LISTEN:
		return mb_vec_push(&h->listen, arg);
	case MB_HTTP_OPT_TLS_CERT:
		h->tls_cert = arg;
		return 0;
	case MB_HTTP_OPT_TLS_KEY:
		h->tls_key = arg;
		return 0;
	case MB_HTTP_OPT_CLIENT_CA:
		h->client_ca = arg;
		return 0;
	case MB_HTTP_OPT_TOKENS:
		h->tokens = arg;
		return 0;
	case MB_HTTP_OPT_ALLOW_ORIGIN:
		if (strcmp(arg, "*") != 0 && !strstr(arg, "://"))
			return bad(k, arg, "expected an origin such as https://app.example:8443, or *");
		return mb_vec_push(&h->allow_origin, arg);
	case MB_HTTP_OPT_MAX_SESSIONS:
		if (parse_uint(arg, 100000, &v) < 0 || v == 0)
			return bad(k, arg, "expected a number of sessions, 1 or more");
		h->max_sessions = (unsigned)v;
		return 0;
	case MB_HTTP_OPT_SESSION_IDLE:
		if (parse_uint(arg, 86400, &v) < 0 || v == 0)
			return bad(k, arg, "expected a number of seconds, 1 to 86400");
		h->session_idle_ms = v * 1000;
		return 0;
	case MB_HTTP_OPT_MAX_BODY:
		if (parse_bytes(arg, &h->max_body) < 0)
			return bad(k, arg, "expected a size such as 4M or 65536 (at most 1G)");
		return 0;
	case MB_HTTP_OPT_RATE:
		if (parse_uint(arg, 1000000, &v) < 0)
			return bad(k, arg, "expected requests per second per client (0: no limit)");
		h->rate = (unsigned)v;
		return 0;
	case MB_HTTP_OPT_PRINCIPAL:
		h->principal = arg;
		return 0;
	case MB_HTTP_OPT_REPORT_SESSION:
		if (strlen(arg) != 32 || strspn(arg, "0123456789abcdef") != 32)
			return bad(k, arg, "expected 32 lowercase hex digits");
		h->report_session = arg;
		return 0;
	}
	return -EINVAL;
}

int mb_http_options_check(const struct mb_http_options *h, bool running, bool learn)
{
	const char *lonely = h->tls_cert ? "--tls-cert" : h->tls_key ? "--tls-key"
			   : h->client_ca ? "--client-ca" : h->tokens ? "--tokens"
			   : h->allow_origin.n ? "--allow-origin" : NULL;
	if (!mb_http_listening(h)) {
		if (lonely) {
			fprintf(stderr, "membrane-run: %s serves HTTP clients: add --listen ADDR (try --help)\n", lonely);
			return -EINVAL;
		}
		return 0;
	}
	const char *why = NULL;
	if (!running || learn)
		why = "--listen runs a server: it does not go with --check, --explain, --test-profile, --lint or --learn";
	else if (!h->tls_cert != !h->tls_key)
		why = "--tls-cert and --tls-key go together: give both";
	else if (h->client_ca && !h->tls_cert)
		why = "--client-ca verifies client certificates over TLS: add --tls-cert and --tls-key";
	else if (h->principal || h->report_session)
		why = "--principal and --report-session are set by --listen for its sessions: drop them";
	if (why) {
		fprintf(stderr, "membrane-run: %s (try --help)\n", why);
		return -EINVAL;
	}
	return 0;
}

void mb_http_options_usage(FILE *f)
{
	fputs("      --listen ADDR      serve MCP over Streamable HTTP at ADDR (host:port,\n"
	      "                         [v6]:port, a unix socket path, or systemd:NAME /\n"
	      "                         systemd for sockets passed by systemd), endpoint\n"
	      "                         /mcp, one sandboxed server per session (repeatable)\n"
	      "      --tls-cert FILE, --tls-key FILE  serve HTTPS (PEM; credential:NAME\n"
	      "                         reads $CREDENTIALS_DIRECTORY/NAME)\n"
	      "      --client-ca FILE   ask for client certificates and accept those it signs\n"
	      "      --tokens FILE      accept bearer tokens, one \"NAME TOKEN\" per line\n"
	      "      --allow-origin ORIGIN  an Origin accepted besides the listener's own\n"
	      "      --max-sessions N   sessions at once (default 64)\n"
	      "      --session-idle SECONDS  stop a session's server after this long unused\n"
	      "                         (default 300)\n"
	      "      --max-body SIZE    largest request body (default 4M)\n"
	      "      --rate N           requests per second per client address (default:\n"
	      "                         no limit)\n",
	      f);
}
