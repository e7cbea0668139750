/* SPDX-License-Identifier: Apache-2.0 */
/* What the learner records (supervisor/learn/learn.c) and the draft is written
 * from (supervisor/learn/learn-draft.c). The recorder's own types are
 * learn_* and its functions mb_learn_*; the draft's are draft_*
 * (learn-draft.h). */
#pragma once

#include <cjson/cJSON.h>

#include "common/vec.h"
#include "policy/call-grants.h"
#include "supervisor/learn/learn.h"

/* What a record may be granted by, as far as was known when it was made:
 * what explained the operation. */
enum learn_basis {
	LEARN_BASIS_BASE,  /* a grant of BASE allowed it: base_pp / base_ep */
	LEARN_BASIS_ARG,   /* the call's own argument argname: text is the
			      grant's form, "{path}", "{paths[]}", "{path}.*.tmp" */
	LEARN_BASIS_PATH,  /* nothing yet: text is the literal path (canonical,
			      unescaped); decided when the draft is written */
	LEARN_BASIS_ADDR,  /* nothing yet: text is the address, "1.2.3.4:80" */
	LEARN_BASIS_NEVER, /* never grantable: text says what (a memfd exec, ...) */
};

/* One distinct thing a scope did: an operation on a target, on one basis,
 * with its evidence. Recorded again, it is counted. */
struct learn_record {
	enum learn_basis basis;
	enum mb_op op;
	enum mb_access access;   /* BASE, ARG: a listing or mkdir of an ancestor */
	bool secret;             /* PATH: in a secret store */
	bool named;              /* ADDR: an argument value names the address */
	bool outside;            /* PATH: argname named it, outside the bounds */
	bool named_only;         /* ... in a call, whether or not anything was
				    done to it: the call itself is out of scope */
	unsigned presence;       /* 1 << enum mb_presence, every one seen */
	uint64_t count;
	uint64_t calls;          /* distinct calls it happened in */
	uint64_t last_call;      /* the logical call it last happened in */
	uint64_t first_call_seq; /* tools/call seen before it first happened */
	const char *syscall;     /* the first one (the watch table's name) */
	char *text;
	char *argname;           /* ARG; ADDR when named */
	char *example;           /* the first call's arguments, redacted; NULL idle */
	const struct mb_path_pattern *base_pp; /* BASE, path ops */
	const struct mb_endpoint *base_ep;     /* BASE, connect, bind */
	bool base_runtime;       /* BASE: runtime's grant (else the call's) */
};

#define LEARN_MAX_NAMES 256 /* names kept; more are not drafted */

struct learn_name {
	char *name;
	uint64_t asked;
	bool connected;
};

enum learn_scope_kind { LEARN_SCOPE_RUNTIME, LEARN_SCOPE_TOOL, LEARN_SCOPE_REQUEST };

#define LEARN_MAX_ARGNAMES 32

/* Where records are kept: runtime (start-up and idle), a tool, or another
 * request method. */
struct learn_scope {
	enum learn_scope_kind kind;
	char *name;              /* tool or method; NULL for runtime */
	bool in_base;            /* BASE declares it */
	uint64_t calls;          /* requests seen for it */
	uint64_t over_cap;
	MB_VEC(struct learn_record) records;
	uint32_t *index;         /* open addressing: record index + 1, 0 empty */
	size_t index_cap;
	MB_VEC(char *) argnames; /* argument names seen, in order, bounded */
	bool argnames_cut;
	char *example;           /* the first call's arguments, redacted */
	unsigned order;          /* first seen */
	/* Processes its calls started worked on this long after their exec,
	 * the call being over (0: none did): the draft's outlive. */
	uint64_t outlive_ns;
};

/* A path named by the command line, the environment or a variable: what
 * the server was configured with. */
struct learn_config_path {
	char *path;     /* absolute, normalised */
	char *canon;    /* symlinks resolved */
	bool is_dir;
	char *source;   /* "the command line", "environment variable NAME", ... */
};

/* A value a tool call named (any string argument naming an existing path,
 * or one whose directory exists): the data the tools work on. */
struct learn_data_path {
	char *canon;
	uint64_t seq;   /* the tools/call that named it (1, 2, ...) */
	char *tool;
	char *example;
};

struct learn_value {
	char *argname;
	char *abs, *canon;
};

/* An argument value that explained an operation: the roots of
 * arguments.within are proposed from these. */
struct learn_within_root {
	char *canon;
	bool is_dir;
};

/* A name runtime asked for by that symlinks lead elsewhere (/lib/x/libc.so.6
 * for /usr/lib/x/libc.so.6): the draft grants it too, so that the sandbox
 * recreates the links. */
struct learn_alias {
	char *raw;   /* absolute, normalised, symlinks not followed */
	char *canon;
	enum mb_op op;
	bool argv; /* named by the command line, not by an operation */
};

/* A client request whose answer the learner waits for (tools/list,
 * initialize): the server declares its tools and capabilities there. */
struct learn_pending_request {
	char *key;
	char *method;
};

struct learn_call;

/* A process started by a call (it exec'd while the call was in flight):
 * what it does once the call is over is the call's (a tool's outlive). */
struct learn_linger {
	int pid;
	unsigned long long start;  /* its start time: the pid may be reused */
	struct learn_call *call;
	uint64_t exec_ns;
};
#define LEARN_MAX_LINGER 64

struct mb_learner {
	struct mb_learner_config cfg;
	struct mb_learn_stats stats;
	struct learn_scope runtime;
	MB_VEC(struct learn_scope *) scopes;
	uint64_t scopes_over;
	unsigned next_order;
	const struct mb_inflight *inflight;

	/* BASE's grants, in the form the notifier's targets take */
	bool have_base;
	struct mb_callgrants base_runtime;
	mb_pattern_vec base_within;
	MB_VEC(const char *) base_within_dirs;
	struct mb_profile base_view;

	MB_VEC(struct learn_call *) calls; /* per call in flight: its argument paths */
	const struct mb_notified_op *cur_op; /* the operation being recorded */
	MB_VEC(struct learn_linger) lingers;
	uint64_t lingers_over;
	MB_VEC(struct learn_pending_request) pending;
	MB_VEC(char *) declared;      /* tools the server declared */
	MB_VEC(char *) declared_args; /* "TOOL/ARG": the arguments each takes */
	/* The last value each argument name had, in any tools/call, when it
	 * named a path: a later call that leaves the argument out may work on
	 * it still (git's path defaults to the working directory an earlier
	 * git_set_working_dir set). */
	MB_VEC(struct learn_value) last_values;
	bool saw_tools_list;
	cJSON *capabilities;          /* the server's, from initialize */
	MB_VEC(char *) methods;       /* every client method seen */
	uint64_t methods_over;

	MB_VEC(struct learn_config_path) conf;
	MB_VEC(struct learn_data_path) data;
	MB_VEC(struct learn_within_root) roots;
	MB_VEC(struct learn_alias) aliases;
	MB_VEC(char *) renamed;       /* files a rename replaced */
	MB_VEC(char *) code;          /* the command's executable, canonical */
	uint64_t data_over, roots_over, aliases_over;
	char **secrets;               /* lint's secret stores */
	/* The bounds of what arguments may name (canonical directories) and
	 * where they come from; none: unbounded. */
	MB_VEC(char *) bounds;
	const char *bounds_from;
	bool tmpfs_used;
	MB_VEC(char *) tmpfs;         /* the tmpfs mounts the server used */
	char started[32];             /* UTC time the learning started */
	/* The name the sandbox's resolver answered an address for
	 * (learn-names.c), or NULL: drafts name hosts, never addresses. */
	const char *(*addr_name)(void *ud, const struct mb_addr *a);
	bool (*addr_self)(void *ud, const struct mb_addr *a);
	void *addr_name_ud;
	/* The names the server asked the sandbox's resolver for
	 * (learn-names.c), and whether anything connected to an address
	 * answered for one: a name asked and never connected to is noise. */
	MB_VEC(struct learn_name) names;
};

/* learn-names.c: a connect went to an address answered for name. */
void mb_learn_name_connected(struct mb_learner *l, const char *name);

/* learn-names.c: the text a connect to a is drafted as: NAME:PORT when
 * the sandbox's resolver answered a for NAME, else a as mb_addr_format
 * writes it. */
void mb_learn_addr_text(const struct mb_learner *l, const struct mb_addr *a, char *buf,
			size_t bufsz);
/* Is a the sandbox's resolver itself (membrane's own, never drafted)? */
bool mb_learn_addr_internal(const struct mb_learner *l, const struct mb_addr *a);

#define LEARN_MAX_ARRAY_VALUES 64 /* elements of one array argument looked at */
#define LEARN_MAX_ROOTS 1024       /* argument values, renamed files kept */

/* learn-scope.c: secrets, redaction, scopes and their records */
bool mb_learn_in_secret(const struct mb_learner *l, const char *path);
bool mb_learn_holds_secret(const struct mb_learner *l, const char *dir);
bool mb_learn_secret_name(const char *name);
bool mb_learn_redacts(const struct mb_learner *l, const char *name);
/* A directory that must never become a grant by collapsing or as a
 * default: "/", top-level directories, home directories, anything holding
 * or inside a secret store. */
bool mb_learn_too_wide(const struct mb_learner *l, const char *dir);
/* One line of evidence: args as JSON, redacted, values over
 * MB_LEARN_VALUE_MAX shown by their length, cut (malloc'd; NULL: ENOMEM). */
char *mb_learn_evidence(const struct mb_learner *l, const cJSON *args);
/* The scope of a tool or method, made at first sight; NULL when there are
 * too many (counted). */
struct learn_scope *mb_learn_scope_get(struct mb_learner *l, enum learn_scope_kind kind,
				       const char *name);
void mb_learn_scope_free(struct learn_scope *s);
void mb_learn_note_argnames(struct learn_scope *s, const cJSON *args);
struct learn_record *mb_learn_scope_record(struct mb_learner *l, struct learn_scope *s,
					   const struct learn_record *proto, const char *example,
					   const char *syscall);
/* value as the server resolves it (relative to cwd), and with symlinks
 * resolved; false if it names no path. */
bool mb_learn_value_paths(const char *value, const char *cwd, char **abs, char **canon,
			  bool *exists, bool *is_dir);

/* learn.c */
bool mb_learn_protocol_method(const char *method);
/* Does the server declare that tool with that argument (its inputSchema)? */
bool mb_learn_declares_arg(const struct mb_learner *l, const char *tool, const char *arg);
/* Does canon lie within the bounds (or are there none)? */
bool mb_learn_in_bounds(const struct mb_learner *l, const char *canon);

/* learn-session.c: what the command line, environment and variables name */
void mb_learn_collect_conf(struct mb_learner *l);
/* learn-write.c: s as a YAML double-quoted scalar (quotes, backslashes and
 * control characters escaped). */
void mb_learn_yq(struct mb_strbuf *b, const char *s);
/* raw (absolute, normalised) leads through symlinks to canon: the draft
 * grants the name too, so that the sandbox recreates the links. */
void mb_learn_alias(struct mb_learner *l, const char *raw, const char *canon, enum mb_op o,
		    bool argv);

/* learn-draft.c: a system or code file, whose reads during a call are
 * runtime's. */
bool mb_learn_system_file(const struct mb_learner *l, const char *path);
