/* Concrete grants: a scope's grants with every {arg} placeholder filled from
 * one call's arguments (or none, for runtime). Built once per call (this may
 * allocate); queried per operation (this never allocates). */
#pragma once

#include <cjson/cJSON.h>

#include "policy/match.h"
#include "policy/profile.h"

struct mb_cpattern {
	char *text;                         /* normalised, escapes as in match.h */
	const struct mb_path_pattern *src;  /* the grant it came from */
};

struct mb_callgrants {
	MB_VEC(struct mb_cpattern) path[MB_PATH_OPS];
	const mb_endpoint_vec *net[2]; /* borrowed from the profile */
};

/* Fill g's placeholders from arguments (a JSON object, may be NULL: then any
 * pattern with a placeholder grants nothing). A relative argument value is
 * resolved against cwd (absolute; NULL means relative values grant nothing).
 * {name[]} yields one pattern per string element of the array argument.
 * A placeholder whose argument is missing or not a string grants nothing.
 * Returns 0 or -ENOMEM. */
int mb_callgrants_build(const struct mb_grants *g, const cJSON *arguments, const char *cwd,
			struct mb_callgrants *ret);
void mb_callgrants_free(struct mb_callgrants *cg);

/* Does cg allow op on the normalised path? On success *which (if not NULL)
 * names the grant that matched. */
bool mb_callgrants_allows_path(const struct mb_callgrants *cg, enum mb_op op, const char *path,
			       const struct mb_cpattern **which);
bool mb_callgrants_allows_addr(const struct mb_callgrants *cg, enum mb_op op,
			       const struct mb_addr *a, const struct mb_endpoint **which);

/* The string values a placeholder-bearing grant would take from arguments,
 * for arguments.within checks: calls fn for each argument value that fills a
 * path placeholder of g, with its argument name. Stops and returns fn's
 * return value if non-zero. */
int mb_grants_foreach_path_argument(const struct mb_grants *g, const cJSON *arguments,
				    int (*fn)(const char *argname, const char *value, void *ud),
				    void *ud);
