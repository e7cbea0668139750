/* SPDX-License-Identifier: Apache-2.0 */
/* The dynamic layer's decision on one operation, in one place. The
 * correlator asks it for each notified operation, `membrane-run
 * --test-profile` for each expectation of a profile's tests: the two cannot
 * disagree on what a call may do.
 *
 * The grants in force: runtime always, plus the grants of the request in
 * flight with its placeholders filled from its own arguments (a tool's from
 * params.arguments, another method's from params), both built with
 * mb_callgrants_build() and the cwd the inspector's arguments.within check
 * uses (the server's working directory in the sandbox). Idle: call is NULL.
 * With several requests in flight, ask once per request and allow if any
 * answer allows (docs/design.md "The correlator"); report every one of them.
 *
 * The rule for op on the path P (absolute, normalised; the path the kernel
 * resolved, so symlinks are already followed):
 *   1. Grant: allowed if a grant in force for op grants P (the pattern names
 *      P or an ancestor of P; mb_callgrants_allows_path).
 *   2. Listing: with access MB_ACCESS_LIST (op READ: P opened read-only as a
 *      directory) also allowed if P is a proper ancestor of what a read or
 *      write grant in force names (mb_path_match_ancestor) and P lies within
 *      arguments.within. Servers find a new path by listing each directory
 *      from the root they serve down to it (server-filesystem's
 *      Unicode-equivalent lookup does); a listing shows names, not contents.
 *   3. Creating ancestors: with access MB_ACCESS_MKDIR (op WRITE: a
 *      directory created at P) also allowed if P is a proper ancestor of what
 *      a write grant in force names and P lies within arguments.within
 *      (mkdir -p of a granted path creates its missing parents).
 *   4. Directory opens: op READ (not the read half of a read-write open)
 *      is also allowed if a list grant in force names P itself (not an
 *      ancestor: a list grant reaches nothing beneath it). SQLite opens a
 *      database's directory to fsync it; a server lists the directory it
 *      serves.
 *   5. Read-write opens: with access MB_ACCESS_RDWR (op READ, the read half
 *      of an open for reading and writing) also allowed if a write grant in
 *      force grants P: writing a file in place is one open.
 * Without arguments.within, rules 2 and 3 allow nothing: nothing then bounds
 * how far up a listing could go. Nothing else is allowed. An access other
 * than MB_ACCESS_OPEN with an op it does not go with (LIST with WRITE, ...)
 * is decided as MB_ACCESS_OPEN.
 *
 * Network: connect and bind are allowed if an endpoint in force (runtime's or
 * the call's) matches the address (mb_endpoint_match), or, for a name, a
 * name endpoint matches it (mb_endpoint_match_name); no ancestor rules.
 *
 * Nothing here allocates: it runs on the notification path. */
#pragma once

#include "policy/call-grants.h"
#include "policy/profile.h"

enum mb_decision_rule {
	MB_RULE_NONE,            /* denied */
	MB_RULE_GRANT,           /* 1: a grant names the target */
	MB_RULE_LIST_ANCESTOR,   /* 2: a listing of a granted path's ancestor */
	MB_RULE_MKDIR_ANCESTOR,  /* 3: a missing ancestor of a write-granted path */
	MB_RULE_LIST_GRANT,      /* 4: a directory opened itself, granted by list */
	MB_RULE_RDWR,            /* 5: the read half of a read-write open */
};

struct mb_decision {
	enum mb_decision_rule rule;
	bool by_runtime;                    /* the grant is runtime's, else the call's */
	enum mb_op op;                      /* the grant's op (a listing may come of a write grant) */
	const struct mb_cpattern *pattern;  /* path ops: the grant that allowed it */
	const struct mb_endpoint *endpoint; /* connect, bind: the endpoint */
};

/* Decide op (READ, WRITE or EXEC) with access on path. runtime and call may
 * be NULL (nothing granted by them); p supplies arguments.within. Returns
 * whether the operation is allowed; ret (may be NULL) says why. */
bool mb_decide_path(const struct mb_callgrants *runtime, const struct mb_callgrants *call,
		    const struct mb_profile *p, enum mb_op op, enum mb_access access,
		    const char *path, struct mb_decision *ret);

/* Decide op (CONNECT or BIND) on the address a. */
bool mb_decide_addr(const struct mb_callgrants *runtime, const struct mb_callgrants *call,
		    enum mb_op op, const struct mb_addr *a, struct mb_decision *ret);

/* Decide op on a host name (normalised, policy/match.h) and port: a name
 * grant in force names it (port 0: any port, as for a DNS question). The
 * supervisor allows a connect by name when the address was answered for a
 * name this allows; --test-profile asks it for a HOST:PORT target. */
bool mb_decide_name(const struct mb_callgrants *runtime, const struct mb_callgrants *call,
		    enum mb_op op, const char *name, uint16_t port, uint8_t proto,
		    struct mb_decision *ret);

const char *mb_decision_rule_name(enum mb_decision_rule r);
