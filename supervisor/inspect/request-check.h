/* SPDX-License-Identifier: Apache-2.0 */
/* The inspector's policy on requests, decided before the server sees them:
 *  - tools/call of a tool the profile does not declare (unlisted_tools: deny);
 *  - tools/call of a tool whose contract changed, under pin: strict;
 *  - tools/call with a path argument (one that fills a {placeholder} of the
 *    tool's grants) that does not lie inside arguments.within;
 *  - resources/read of a file:// URI outside arguments.within.
 * Each check returns NULL (allowed) or a malloc'd one-line reason. */
#pragma once

#include <cjson/cJSON.h>

#include "policy/profile.h"
#include "supervisor/inspect/jsonrpc.h"
#include "supervisor/inspect/tool-pin.h"

/* cwd: the server's working directory in the sandbox, against which relative
 * argument values resolve (NULL: a relative value is refused). params: the
 * request's params (tools/call: name, arguments; resources/read: uri). */
char *mb_check_tool_call(const struct mb_profile *p, const struct mb_toolpin *tp,
			 const char *cwd, const cJSON *params);
char *mb_check_resource_read(const struct mb_profile *p, const char *cwd, const cJSON *params);

/* The same on the inspector's path, from the request as read off the wire:
 * its arguments are parsed only when the tool's grants name one of them. */
char *mb_check_tool_call_msg(const struct mb_profile *p, const struct mb_toolpin *tp,
			     const char *cwd, struct mb_jr_msg *m);
char *mb_check_resource_uri(const struct mb_profile *p, const char *cwd, const char *uri);

/* The path a file:// URI names (%-escapes decoded), malloc'd; NULL with
 * *why set for a URI that names another host or is malformed. */
char *mb_file_uri_path(const char *uri, const char **why);

/* Is the argument value (a path, relative or a file:// URI) inside
 * arguments.within? On false, *why (may be NULL) says why in a phrase. */
bool mb_argument_within(const struct mb_profile *p, const char *cwd, const char *value,
			const char **why);
