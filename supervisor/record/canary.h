/* SPDX-License-Identifier: Apache-2.0 */
/* The canary matcher: is a decoy's token (policy/decoy.h) in these bytes?
 * Small on purpose: a handful of 40-digit tokens, each searched with
 * memmem, only when the profile planted decoys. In answers the answer
 * scanner finds the tokens too (membrane-run gives them to it, so that
 * scan.answers can redact or refuse them); this matcher covers every other
 * frame, and the record writes its line only for a frame the scanner did
 * not report (decoy.c). What it cannot see: a token transformed on the way (encoded, split,
 * hashed), and bytes that never pass the supervisor (a brokered socket's
 * traffic goes from the server to the host directly). */
#pragma once

#include <stddef.h>

#include "policy/plan.h"

/* The first decoy of plan whose token appears in text[0, len), or NULL. */
const struct mb_decoy *mb_canary_find(const struct mb_plan *plan, const char *text, size_t len);
