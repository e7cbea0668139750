/* SPDX-License-Identifier: Apache-2.0 */
/* membrane-run --lint: grants that defeat the purpose of a sandbox, each
 * named with the line that makes it and what to write instead. The linter
 * reads the profile model and, like the plan compiler, the host filesystem
 * (to resolve an exec grant's symlinks and look into a granted directory);
 * it runs nothing. man/membrane-profile.5, "LINT", lists the warnings. */
#pragma once

#include "common/vec.h"
#include "policy/profile.h"

enum mb_lint_kind {
	MB_LINT_WRITE_CODE,       /* write at or above what runtime reads or anything exec-granted */
	MB_LINT_WRITE_EXEC,       /* write inside an exec-granted tree */
	MB_LINT_READ_WHOLESALE,   /* read of /, /etc, /home or a home directory whole */
	MB_LINT_READ_SECRET,      /* read of a secret store, or of a directory holding one */
	MB_LINT_CONNECT_ANY,      /* connect to 0.0.0.0/0 or ::/0 */
	MB_LINT_CONNECT_METADATA, /* connect to a cloud metadata service */
	MB_LINT_EXEC_INTERPRETER, /* exec of a shell or interpreter beyond the server's own */
	MB_LINT_UNLISTED_ALLOW,   /* unlisted_tools: allow */
	MB_LINT_PLACEHOLDER_ROOT, /* a placeholder that nothing bounds: the whole root */
	MB_LINT_GLOB_WIDE,        /* a glob that widens to / or a home directory */
	MB_LINT_MODE_AUDIT,       /* mode: audit */
	MB_LINT_LIMITS,           /* limits missing, or one of memory, tasks, files */
	MB_LINT_COUNT_,
};

struct mb_lint_warning {
	enum mb_lint_kind kind;
	struct mb_srcpos pos; /* the line to change */
	char *msg;            /* "WHAT (FIX)" */
};

typedef MB_VEC(struct mb_lint_warning) mb_lint_vec;

struct mb_lint_opts {
	/* The home directory of whoever runs the server ($HOME), checked
	 * beside /root and /home/NAME; NULL or not absolute: none. */
	const char *home;
};

/* Lint p into *ret (sorted by file, line, column; the caller frees it with
 * mb_lint_free even on failure). Returns 0 or -ENOMEM. */
int mb_lint(const struct mb_profile *p, const struct mb_lint_opts *o, mb_lint_vec *ret);
void mb_lint_free(mb_lint_vec *v);
/* The secret stores the linter knows (read-secret), for the home directory
 * home as in mb_lint_opts: patterns in match.h's syntax (the stores of every
 * /home/NAME are written with a '*' for NAME). A NULL-terminated malloc'd
 * array, or NULL on ENOMEM; free it with mb_lint_secret_stores_free(). Learn
 * mode (supervisor/learn/learn.c) flags what touches them. */
char **mb_lint_secret_stores(const char *home);
void mb_lint_secret_stores_free(char **v);
/* Is path a shell or interpreter (by its name, or what its symlinks
 * lead to: /usr/bin/sh is dash)? Learn mode asks of the programs a tool
 * runs. */
bool mb_lint_is_interpreter(const char *path);
/* A short name for each kind ("write-code", ...), as the man page lists them. */
const char *mb_lint_kind_name(enum mb_lint_kind k);
