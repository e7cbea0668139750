/* SPDX-License-Identifier: Apache-2.0 */
/* nettle and its public-key half hogweed, opened with dlopen rather than
 * linked. nettle's fat build detects the CPU when it is loaded, with CPUID,
 * a VM exit each on a virtual machine, ~0.1 ms that a start should not wait
 * for: it is opened on first use, or ahead of it by mb_nettle_load()
 * (membrane-run does it while the sandbox is built). hogweed loads GMP and
 * is needed only to sign or verify (report-sign.c): opened when a key is
 * first loaded, ~0.15 ms that most runs never pay. */
#pragma once

#include <nettle/base64.h>
#include <nettle/eddsa.h>
#include <nettle/sha2.h>

struct mb_nettle {
	__typeof__(sha256_init) *sha256_init;
	__typeof__(sha256_update) *sha256_update;
	__typeof__(sha256_digest) *sha256_digest;
	__typeof__(base64_decode_init) *base64_decode_init;
	__typeof__(base64_decode_update) *base64_decode_update;
	__typeof__(base64_decode_final) *base64_decode_final;
};

struct mb_hogweed {
	__typeof__(ed25519_sha512_public_key) *public_key;
	__typeof__(ed25519_sha512_sign) *sign;
	__typeof__(ed25519_sha512_verify) *verify;
};

/* 0, or -ELIBACC when nettle or one of its functions cannot be had
 * (mb_nettle_error() says which). Thread-safe; done once. */
int mb_nettle_load(void);
const char *mb_nettle_error(void);
/* The functions, or NULL as mb_nettle_load() fails. */
const struct mb_nettle *mb_nettle(void);

/* The same for hogweed: its functions, or NULL and mb_hogweed_error() says
 * what could not be had. */
const struct mb_hogweed *mb_hogweed(void);
const char *mb_hogweed_error(void);
