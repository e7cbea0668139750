/* SPDX-License-Identifier: Apache-2.0 */
/* nettle, opened with dlopen on first use (or ahead of it, mb_nettle_load():
 * membrane-run does it while the sandbox is built) rather than linked: its
 * fat build detects the CPU when it is loaded, with CPUID, a VM exit each on
 * a virtual machine, ~0.1 ms that a start should not wait for. hogweed, its
 * public-key half, is opened the same way for signing (report-sign.c). */
#pragma once

#include <nettle/base64.h>
#include <nettle/sha2.h>

struct mb_nettle {
	__typeof__(sha256_init) *sha256_init;
	__typeof__(sha256_update) *sha256_update;
	__typeof__(sha256_digest) *sha256_digest;
	__typeof__(base64_decode_init) *base64_decode_init;
	__typeof__(base64_decode_update) *base64_decode_update;
	__typeof__(base64_decode_final) *base64_decode_final;
};

/* 0, or -ELIBACC when nettle or one of its functions cannot be had
 * (mb_nettle_error() says which). Thread-safe; done once. */
int mb_nettle_load(void);
const char *mb_nettle_error(void);
/* The functions, or NULL as mb_nettle_load() fails. */
const struct mb_nettle *mb_nettle(void);
