/* SPDX-License-Identifier: Apache-2.0 */
/* SHA-256 (nettle, common/nettle-dl.h): the report chain's "prev"
 * (docs/design.md "The hash chain"), written by the reporter and checked by
 * membrane-audit, and the bearer tokens of --listen. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define MB_SHA256_SIZE 32

/* 0, or -ELIBACC when nettle cannot be had (mb_nettle_error()). */
int mb_sha256(const void *data, size_t n, uint8_t out[static MB_SHA256_SIZE]);
/* As lowercase hex. */
int mb_sha256_hex(const void *data, size_t n, char out[static 65]);
