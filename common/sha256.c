/* SPDX-License-Identifier: Apache-2.0 */
#include <nettle/sha2.h>
#include <nettle/version.h>
#include <stdint.h>

#include "common/sha256.h"

void mb_sha256_hex(const void *data, size_t n, char out[static 65])
{
	struct sha256_ctx ctx;
	uint8_t d[SHA256_DIGEST_SIZE];
	sha256_init(&ctx);
	sha256_update(&ctx, n, data);
#if NETTLE_VERSION_MAJOR >= 4
	sha256_digest(&ctx, d);
#else
	sha256_digest(&ctx, sizeof(d), d);
#endif
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < sizeof(d); i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[64] = '\0';
}
