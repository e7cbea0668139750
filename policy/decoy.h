/* SPDX-License-Identifier: Apache-2.0 */
/* Decoy files (key decoys; membrane-profile(5), THE RECORD): planned here
 * with the rest of the sandbox, planted by sandbox/mounts.c, watched by
 * supervisor/record/decoy.c. Each holds a canary token of its own, fresh
 * for every run, shaped like what its name promises (an SSH key, AWS
 * credentials, an .env file) so that a server that takes it for real
 * passes the token on, where the answer scanner (in answers; scan.answers
 * for kind canary applies) or supervisor/record/canary.c (anywhere else)
 * finds it.
 *
 * A decoy lives only where the sandbox has no host path: in its own
 * skeleton or under a runtime.tmpfs entry. Under a bind it would be written
 * into the host's directory, and a symlink would lead it there: both are
 * refused, naming the decoy and the mount. */
#pragma once

#include <stddef.h>

#include "common/error.h"
#include "policy/profile.h"

#define MB_CANARY_HEX 41 /* 40 digits and the NUL */

struct mb_decoy {
	char *path;                 /* absolute, normalised */
	char token[MB_CANARY_HEX];  /* 40 lowercase hex digits, random per run */
	char *content;              /* the file, token inside */
	size_t len;
	struct mb_srcpos pos;
};

struct mb_plan;
/* Plan the profile's decoys (plan->profile->decoys): tokens, contents, and
 * a Landlock read rule for each, so that a decoy the profile lets be read
 * (on_touch: allow, audit mode) can be. Returns 0 or -errno with err set. */
int mb_plan_decoys(struct mb_plan *plan, struct mb_error *err);
void mb_decoys_free(struct mb_plan *plan);
