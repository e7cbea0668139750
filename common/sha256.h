/* SPDX-License-Identifier: Apache-2.0 */
/* SHA-256 (nettle) as lowercase hex: the report chain's "prev"
 * (docs/design.md "The hash chain"), written by the reporter and checked by
 * membrane-audit. */
#pragma once

#include <stddef.h>

void mb_sha256_hex(const void *data, size_t n, char out[static 65]);
