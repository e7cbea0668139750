/* The canary matcher: is a decoy's token (policy/decoy.h) in these bytes?
 * Small on purpose: a handful of 40-digit tokens, each searched with
 * memmem, only when the profile planted decoys. Issue 17's answer scanner
 * looks for secrets in answers in general; the lead will fold this one into
 * it. What it cannot see: a token transformed on the way (encoded, split,
 * hashed), and bytes that never pass the supervisor (a brokered socket's
 * traffic goes from the server to the host directly). */
#pragma once

#include <stddef.h>

#include "policy/plan.h"

/* The first decoy of plan whose token appears in text[0, len), or NULL. */
const struct mb_decoy *mb_canary_find(const struct mb_plan *plan, const char *text, size_t len);
