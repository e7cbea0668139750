/* SPDX-License-Identifier: Apache-2.0 */
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
	/* The hot path: a pattern without '*' is matched by one memcmp of its
	 * unescaped form and a boundary check. literal is that form (text
	 * itself when text holds no '\'), NULL when text holds a glob. */
	char *literal;
	size_t literal_len;
	/* For a glob: the leading bytes of text before the component that
	 * holds the first '*' or '\', its '/' included ("/sys/fs/cgroup/" for
	 * a glob on cgroup files). A target must begin with them, so most
	 * misses cost one memcmp. */
	size_t fixed_len;
};

typedef MB_VEC(struct mb_cpattern) mb_cpattern_vec;

#define MB_CALLGRANTS_MAX_PRODUCT 4096

struct mb_callgrants {
	mb_cpattern_vec path[MB_PATH_OPS];
	mb_cpattern_vec list;          /* directories opened themselves */
	const mb_endpoint_vec *net[2]; /* borrowed from the profile */
};

/* Fill g's placeholders from arguments (a JSON object, may be NULL: then any
 * pattern with a placeholder grants nothing). Patterns without placeholders
 * (runtime) are copied. Rules, each "grants nothing" meaning that the pattern
 * (or that one array element's pattern) is left out:
 * - {name} takes the string argument name; a missing or non-string argument
 *   grants nothing. If a JSON object repeats a key, the last one counts (as
 *   in JavaScript's JSON.parse, which the servers use).
 * - {name[]} takes each string element of the array argument name: one
 *   pattern per element, non-string elements skipped, an empty array or a
 *   non-array grants nothing. Distinct arrays in one pattern multiply; a
 *   product above MB_CALLGRANTS_MAX_PRODUCT grants nothing. One name used
 *   twice takes the same element in both places.
 * - An empty value grants nothing, and so does a missing one, unless the
 *   placeholder has a default ({name:-DEFAULT}): a missing or empty string
 *   argument then fills in as DEFAULT, as written.
 * - A placeholder written {name:uri} takes URI-shaped values too
 *   (SCHEME://..., file:/...): a file: URI of this host fills in as its
 *   path (percent-decoded), any other grants nothing.
 * - A placeholder at the start of a pattern names a path: the value is
 *   resolved by mb_path_absolute() (relative against cwd; cwd NULL: relative
 *   values grant nothing), so "/srv/mcp/../../etc" fills in as "/etc" and
 *   "{path}.*.tmp" is the sibling the server writes for the path it resolved.
 * - A placeholder elsewhere fills part of one component: a value holding '/'
 *   grants nothing.
 * - Values are escaped ('*' and '\' get a '\') so they never act as globs.
 * - The filled pattern may not hold a "." or ".." component (none can come
 *   from a resolved value; one made where a value meets the pattern's own
 *   text, e.g. "/srv/{name}" with name "..", grants nothing); it is then
 *   normalised (duplicate and trailing slashes folded).
 * - A filled pattern that is not absolute, names a path of PATH_MAX bytes or
 *   more, holds an escaped '/' or ends in a lone '\' grants nothing.
 * Returns 0 or -ENOMEM; *ret is written only on success. */
int mb_callgrants_build(const struct mb_grants *g, const cJSON *arguments, const char *cwd,
			struct mb_callgrants *ret);
void mb_callgrants_free(struct mb_callgrants *cg);

/* Rewrite cg's patterns into the form the notifier gives its targets
 * (supervisor/notify/notify.h): symlinks resolved. The kernel resolves a path in
 * the sandbox as the plan compiler resolved the grants on the host (the
 * links are recreated there), so the host's view is the sandbox's for
 * every granted path: /lib/x86_64-linux-gnu becomes
 * /usr/lib/x86_64-linux-gnu on Debian 12, and a {path} naming a symlink in
 * ROOT becomes the file it leads to. For each pattern:
 *  - its fixed part (the components before the first one holding a glob)
 *    is resolved on the host with mb_path_resolve() (a missing component
 *    ends the walk, the rest stays as written) and re-escaped; the rest
 *    follows unchanged;
 *  - a pattern with no glob whose last name is a symlink also keeps the
 *    name itself with only its directory resolved: a call that does not
 *    follow a final symlink (unlink, rename, lchown) names the link;
 *  - a pattern that holds a placeholder and resolves outside every entry
 *    of within (canonical, literal directories; nwithin 0: no bound)
 *    loses that form: a value from the arguments that leads out of
 *    arguments.within through a symlink grants nothing out there;
 *  - patterns beneath /proc and /dev are kept as written: those are the
 *    sandbox's own, not the host's.
 * Looks at the host (lstat, readlink) and allocates: call it once per
 * call, when the grants are built, never per operation. Returns 0 or
 * -ENOMEM (cg is then freed). */
int mb_callgrants_canonicalize(struct mb_callgrants *cg, const char *const *within, size_t nwithin);

/* An arguments.within entry as the notifier's targets spell it: a literal
 * directory with its symlinks resolved on the host (into real), anything
 * else (a glob, a placeholder, an escape, a path that does not resolve) as
 * written. Returns the text to match. */
const char *mb_within_canonical(const struct mb_path_pattern *w, char *real, size_t realsz);
/* Is a pattern a literal directory (no glob, placeholder or escape)? */
bool mb_pattern_literal(const char *text, bool has_glob, bool has_placeholder);

/* Does cg allow op on the normalised path? The first pattern that grants it
 * wins; on success *which (if not NULL) names it. Never allocates. */
bool mb_callgrants_allows_path(const struct mb_callgrants *cg, enum mb_op op, const char *path,
			       const struct mb_cpattern **which);
/* Does a list grant of cg name path itself (not an ancestor of it)? */
bool mb_callgrants_allows_list(const struct mb_callgrants *cg, const char *path,
			       const struct mb_cpattern **which);
/* A URI-shaped value (SCHEME://..., or file:/...). */
bool mb_value_is_uri(const char *v);
/* The path a file: URI of this host names, percent-decoded, into buf:
 * 0, or -EINVAL (another scheme or host, a bad escape), -ENAMETOOLONG. */
int mb_uri_file_path(const char *v, char *buf, size_t sz);
bool mb_callgrants_allows_addr(const struct mb_callgrants *cg, enum mb_op op,
			       const struct mb_addr *a, const struct mb_endpoint **which);
/* Does a name endpoint of cg grant op on name, port, proto (port 0: any
 * port; policy/match.h, mb_endpoint_match_name)? */
bool mb_callgrants_allows_name(const struct mb_callgrants *cg, enum mb_op op, const char *name,
			       uint16_t port, uint8_t proto, const struct mb_endpoint **which);

/* The string values a placeholder-bearing grant would take from arguments,
 * for arguments.within checks: calls fn for each argument value that fills a
 * path placeholder of g (one at the start of a pattern; the others fill part
 * of a component and cannot leave the directory the pattern names), with its
 * argument name, each (name, kind) once. Values come raw, empty ones
 * included: resolve them with mb_path_absolute() and the same cwd as
 * mb_callgrants_build(). Stops and returns fn's return value if non-zero. */
int mb_grants_foreach_path_argument(const struct mb_grants *g, const cJSON *arguments,
				    int (*fn)(const char *argname, const char *value, void *ud),
				    void *ud);
