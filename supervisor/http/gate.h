/* SPDX-License-Identifier: Apache-2.0 */
/* The checks a request passes before anything reads its body: Host and
 * Origin (the spec's DNS-rebinding rule, PROTOCOL.md "Streamable HTTP":
 * any Origin but the listener's own or an --allow-origin gets 403; on a
 * loopback listener the Host must name loopback too), and the rate of
 * requests per client address (a token bucket; 429 past it). Pure
 * functions of their arguments and the clock, for unit tests. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "supervisor/http/listen.h"

/* 0 when host and origin (either may be NULL: absent) are acceptable on l,
 * else -EPERM with *why a static phrase for the report. */
int mb_gate_origin(const struct mb_listener *l, bool tls, const char *host, const char *origin,
		   const char *const *allow, size_t nallow, const char **why);

struct mb_rate;
/* rate: requests per second per address (a burst of twice as many). */
int mb_rate_new(unsigned rate, struct mb_rate **ret);
void mb_rate_free(struct mb_rate *r);
/* Take one request for addr at now_ns; false: over the rate. */
bool mb_rate_take(struct mb_rate *r, const char *addr, uint64_t now_ns);
