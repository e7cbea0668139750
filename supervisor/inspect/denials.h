/* SPDX-License-Identifier: Apache-2.0 */
/* A tools/call result that carries what was denied during its call
 * (supervisor/guard/denials.h keeps the list on the call): the result's
 * _meta gets "membrane/denials", a list of {op, target, reason, grant},
 * and, when the profile says denials: note, its content a text item
 * saying the same in one sentence, so that a client that shows only the
 * text (and the model reading it) knows the server's own error was
 * membrane's doing. Every other byte of the response is kept. */
#pragma once

#include <stdbool.h>

#include "common/strbuf.h"
#include "policy/profile.h"
#include "supervisor/inspect/inflight.h"
#include "supervisor/inspect/jsonrpc.h"

#define MB_DENIALS_META_KEY "membrane/denials"

/* The response m (a result, in text) to call c with c's denials added,
 * into out (no newline). False when there is nothing to add or it cannot
 * be added (the result is no object): forward it as it is. */
bool mb_denials_annotate(const struct mb_profile *p, const char *text, struct mb_jr_msg *m,
			 const struct mb_call *c, struct mb_strbuf *out);

/* The note's sentence for a list of denials (malloc'd; NULL: ENOMEM). */
char *mb_denials_note(const cJSON *denials);
