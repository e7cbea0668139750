/* SPDX-License-Identifier: Apache-2.0 */
/* libmicrohttpd and GnuTLS are opened when --listen first needs them, not
 * linked: see http-dl.c for why and how. */
#pragma once

#include "common/error.h"

/* Load both libraries now (once): 0, or -errno with err saying which
 * library or function is missing and what to install. The --listen front
 * calls it first; any libmicrohttpd or GnuTLS function also loads them. */
int mb_http_dl_load(struct mb_error *err);
