/* SPDX-License-Identifier: Apache-2.0 */
/* How a request appears in a report (docs/design.md "Reports"): its id as
 * sent, method, tool and arguments, with the arguments the profile's redact
 * list names replaced by "***" and values longer than 256 bytes cut and
 * marked. Shared by the inspector (refused) and the correlator (violation). */
#pragma once

#include <cjson/cJSON.h>

#include "policy/profile.h"

#define MB_REPORT_VALUE_MAX 256

/* A redacted, cut copy of arguments (NULL in, NULL out). */
cJSON *mb_report_arguments(const struct mb_profile *p, const cJSON *arguments);

/* {"id":..., "method":..., "tool":..., "arguments":...}; id_raw is the id's
 * JSON text as sent (NULL: no id); tool and arguments may be NULL. */
cJSON *mb_report_request(const struct mb_profile *p, const char *id_raw, const char *method,
			 const char *tool, const cJSON *arguments);

/* s cut to at most max bytes on a UTF-8 boundary, marked when cut;
 * malloc'd. */
char *mb_report_cut(const char *s, size_t len, size_t max);
