/* SPDX-License-Identifier: Apache-2.0 */
/* Signed checkpoints (man/membrane-report.5, THE CHAIN): a hash chain shows
 * a partial edit, but whoever can rewrite a whole report can compute a new,
 * consistent chain. A checkpoint line signs the chain head -- the SHA-256 of
 * the session's previous line, which by the chain stands for every line
 * before it -- with an Ed25519 key the server never sees, so a rewrite needs
 * that key too. The reporter writes one every N lines and at exit
 * (mb_reporter_set_signer); membrane-audit verify --key checks them.
 *
 * What is signed binds the head to its place, so that a signature cannot be
 * moved to another session or position:
 *   "membrane-checkpoint/1 " SESSION " " SEQ " " HEAD
 * where SEQ is the checkpoint line's own seq (decimal) and HEAD its prev.
 *
 * Keys: what `openssl genpkey -algorithm ed25519` writes (PEM, PKCS#8) and
 * `openssl pkey -pubout` (PEM, SubjectPublicKeyInfo), or 64 hexadecimal
 * digits (the 32-byte seed, or the public key). A key is named in reports by
 * its key_id: the first 16 hex digits of the SHA-256 of the public key. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

#define MB_REPORT_KEY_ID_HEX 17  /* 16 digits and the NUL */
#define MB_REPORT_SIG_HEX 129    /* 128 digits and the NUL */

struct mb_report_key {
	uint8_t priv[32]; /* the seed; all zero for a public key */
	uint8_t pub[32];
	bool has_priv;
	char id[MB_REPORT_KEY_ID_HEX];
};

/* Read a key from spec: a path, or "credential:NAME" for systemd's
 * $CREDENTIALS_DIRECTORY/NAME (LoadCredential=). want_private: a signing
 * key, else a public key (a private one is accepted and its public half
 * used). Returns 0, or -errno with err naming the file and the fix. */
int mb_report_key_load(const char *spec, bool want_private, struct mb_report_key *ret,
		       struct mb_error *err);
/* Forget the private half. */
void mb_report_key_wipe(struct mb_report_key *k);

/* The text a checkpoint signs, into buf (at least 160 bytes); its length. */
size_t mb_report_checkpoint_text(char *buf, size_t size, const char *session, uint64_t seq,
				 const char *head);
/* sig: 128 lowercase hex digits. */
void mb_report_sign(const struct mb_report_key *k, const char *msg, size_t len,
		    char sig[MB_REPORT_SIG_HEX]);
bool mb_report_sig_valid(const struct mb_report_key *k, const char *msg, size_t len,
			 const char *sig_hex);
