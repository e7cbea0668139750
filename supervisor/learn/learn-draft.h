/* SPDX-License-Identifier: Apache-2.0 */
/* Inside the draft: what learn-draft.c decides from the recording and
 * learn-write.c writes. Its types and functions are draft_*; the
 * recording's are learn_* (learn-internal.h). */
#pragma once

#include "common/strbuf.h"
#include "policy/load/yaml-tree.h"
#include "supervisor/learn/learn-internal.h"

/* One grant line of the draft, with the evidence written beside it. */
struct draft_grant {
	char *text;          /* as written: escaped, ${VAR}s put back, '?' */
	char *note;          /* what it is */
	const char *syscall; /* the first */
	char *example;       /* the first call's arguments */
	uint64_t count, calls;
	unsigned files;      /* collapsed: distinct names beneath */
	bool in_call;        /* runtime: also read during calls */
};
typedef MB_VEC(struct draft_grant) draft_grant_vec;

/* An operation the draft does not grant: written, commented out, in the
 * SUSPICIOUS block at its end. */
struct draft_suspicious {
	enum mb_op op;
	char *grant;  /* the line that would grant it; NULL: nothing can */
	char *what;   /* "read /x/y", "exec of the anonymous memory file ..." */
	char *why;
	const char *syscall;
	char *example;
	uint64_t count, calls;
	unsigned presence;
	bool path; /* presence says where the path exists */
};
typedef MB_VEC(struct draft_suspicious) draft_suspicious_vec;

/* A tool's or a method's part of the draft, from its learned scope. */
struct draft_scope {
	const struct learn_scope *learned;
	draft_grant_vec grants[MB_OP_COUNT_];
	draft_grant_vec list; /* directories opened themselves */
	draft_suspicious_vec susp;
	uint64_t covered, probes;
};

/* A scalar of BASE's main file as written, at its line and column: a
 * grant kept from BASE is written the way BASE wrote it. */
struct draft_raw_scalar {
	unsigned line, column;
	const char *text;
};

/* A variable of the profile whose value a path may be written back as
 * ${NAME}. */
struct draft_var {
	const char *name;
	char *val, *canon; /* escaped, normalised; canon: symlinks resolved */
};

struct draft {
	struct mb_learner *l;
	const struct mb_profile *base;
	const char *path;                /* where it is written, and how it */
	const struct mb_load_opts *lo;   /* will be loaded: include looks */
	const char *main_file;
	struct yt_node *tree;
	char *tree_data;
	MB_VEC(struct draft_raw_scalar) raw;
	MB_VEC(struct draft_var) vars;
	draft_grant_vec rt[MB_OP_COUNT_];
	draft_suspicious_vec rt_susp;
	MB_VEC(const struct mb_path_pattern *) rt_base_used;
	uint64_t include_hits;
	MB_VEC(char *) cover[MB_PATH_OPS]; /* runtime's literal grants, canonical */
	MB_VEC(char *) lex[MB_PATH_OPS];   /* ... as the draft spells them */
	MB_VEC(char *) rt_addrs;
	MB_VEC(struct draft_scope) scopes;
	MB_VEC(char *) within;
	MB_VEC(char *) env_used;
	/* What failed while learning (the learning sandbox refused it) and the
	 * server lived with: the draft's quiet list. */
	draft_grant_vec quiet[MB_OP_COUNT_];
	struct mb_callgrants learn_rt; /* the learning default's grants */
	bool learn_rt_built;
	bool placeholders, connects;
	int r; /* sticky -ENOMEM */
};

extern const char *const draft_op_key[MB_OP_COUNT_];  /* "read", ... */
extern const char *const draft_op_done[MB_OP_COUNT_]; /* "read", "written", ... */

/* learn-draft.c */
int draft_build(struct draft *d); /* decide everything: 0 or -ENOMEM */
void draft_free(struct draft *d);
void draft_oom(struct draft *d);
char *draft_xstrdup(struct draft *d, const char *s);
_printf_(2, 3) char *draft_xprintf(struct draft *d, const char *fmt, ...);
bool draft_exists(const char *path);
const char *draft_raw_at(const struct draft *d, const struct mb_srcpos *pos);
const char *draft_raw_var(const struct draft *d, const char *name);
bool draft_from_main(const struct draft *d, const struct mb_srcpos *pos);
char *draft_base_text(struct draft *d, const struct mb_path_pattern *pp);
const char *draft_where(const struct mb_srcpos *pos, char *buf, size_t sz);
const char *draft_presence_words(unsigned presence);
