/* SPDX-License-Identifier: Apache-2.0 */
#include <errno.h>
#include <nettle/version.h>

#include "common/nettle-dl.h"
#include "common/sha256.h"

_Static_assert(SHA256_DIGEST_SIZE == MB_SHA256_SIZE, "SHA-256 is 32 bytes");

int mb_sha256(const void *data, size_t n, uint8_t out[static MB_SHA256_SIZE])
{
	const struct mb_nettle *nt = mb_nettle();
	if (!nt)
		return -ELIBACC;
	struct sha256_ctx ctx;
	nt->sha256_init(&ctx);
	nt->sha256_update(&ctx, n, data);
#if NETTLE_VERSION_MAJOR >= 4
	nt->sha256_digest(&ctx, out);
#else
	nt->sha256_digest(&ctx, MB_SHA256_SIZE, out);
#endif
	return 0;
}

int mb_sha256_hex(const void *data, size_t n, char out[static 65])
{
	uint8_t d[MB_SHA256_SIZE];
	int r = mb_sha256(data, n, d);
	if (r < 0)
		return r;
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < sizeof(d); i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[64] = '\0';
	return 0;
}
