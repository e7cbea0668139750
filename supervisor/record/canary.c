/* SPDX-License-Identifier: Apache-2.0 */
/* The canary matcher (supervisor/record/canary.h). */
#include <string.h>

#include "supervisor/record/canary.h"

const struct mb_decoy *mb_canary_find(const struct mb_plan *plan, const char *text, size_t len)
{
	mb_vec_foreach(d, &plan->decoys)
		if (memmem(text, len, d->token, MB_CANARY_HEX - 1))
			return d;
	return NULL;
}
