/* SPDX-License-Identifier: Apache-2.0 */
/* Shared state of the profile loader (the files of policy/load/). Not an
 * interface for anything outside policy/.
 *
 * Loading runs in two passes so that every ${VAR} is known before any value
 * is expanded; policy/profile-keys.h says which key is read in which (enum
 * ld_pass):
 *   1. parse the main file, read its version, check its keys, collect its
 *      vars, then load its fragments (include) depth-first, collecting
 *      theirs;
 *   2. resolve variables (--set > main > fragments, the includer over the
 *      included), then read every other key of the main file in document
 *      order, its tests last, then the runtime of each fragment.
 * The first error stops everything; the caller frees the partial profile. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/vec.h"
#include "policy/profile-keys.h"
#include "policy/match.h"
#include "policy/profile.h"
#include "policy/load/yaml-tree.h"

#define LD_MAX_FILE_SIZE (1u << 20)
#define LD_MAX_INCLUDE_DEPTH 16
#define LD_MAX_VAR_DEPTH 32
#define LD_MAX_PATH 4095
#define LD_MAX_NAME 128

/* One parsed file: the main profile (index 0) or a fragment. */
struct ld_doc {
	const char *name; /* owned by profile->files */
	struct yt_node *root;
	bool has_id;      /* dev/ino known (read from a file) */
	dev_t dev;
	ino_t ino;
};

enum ld_var_state { LD_VAR_UNRESOLVED, LD_VAR_RESOLVING, LD_VAR_DONE };

struct ld_var {
	const char *name;           /* the key's text, or the --set copy */
	const struct yt_node *raw;  /* the declared value; NULL: only from --set */
	const char *file;           /* where raw was written */
	unsigned line, column;      /* the declaration's key */
	const char *set;            /* --set value, literal; NULL if none */
	char *value;                /* resolved (owned) */
	enum ld_var_state state;
	bool referenced;
};

/* How an {arg} placeholder was used within the tool being read. */
struct ld_placeholder {
	const char *name; /* points into a pattern's text */
	size_t len;
	bool array;
	struct mb_srcpos pos;
};

struct loader {
	const struct mb_load_opts *opts;
	struct mb_error *err;
	struct mb_profile *p;
	const char *file; /* the file being read, for positions */
	size_t doc;       /* ... and its index in docs */
	MB_VEC(struct ld_doc) docs;
	MB_VEC(size_t) stack; /* docs being included, for cycles */
	MB_VEC(struct ld_var) vars;
	MB_VEC(char *) set_names; /* copies of --set names (owned) */
	MB_VEC(size_t) resolving; /* var indices, for cycle messages */
	MB_VEC(struct ld_placeholder) placeholders;
	/* While a request's grants are read: its method and the params MCP
	 * gives it (space-separated), or NULL for a method we do not know. */
	const char *req_method, *req_params;
};

/* Errors. All return the negative errno they were given. */
int ld_error(struct loader *l, int code, const struct yt_node *at, const char *fmt, ...)
	_printf_(4, 5);
int ld_oom(struct loader *l);
/* "WHAT must be EXPECTED, not a list (write EXAMPLE)" at n. */
int ld_type_error(struct loader *l, const struct yt_node *n, const char *what,
		  const char *expected, const char *example);

static inline struct mb_srcpos ld_pos(const struct loader *l, const struct yt_node *n)
{
	return (struct mb_srcpos){ .file = l->file, .line = n->line, .column = n->column };
}

/* Check the keys of map against names[0..n): an unknown or duplicate key is
 * an error; found[i] is set to the pair of names[i] (or NULL). where names
 * the mapping in messages ("runtime", "tool 'x'"; NULL: the profile), and
 * fragment says the map is a fragment's top level: names is then
 * ld_key_names, and a key that the table keeps to the main profile is
 * refused. */
int ld_map_keys(struct loader *l, const struct yt_node *map, const char *const *names, size_t n,
		const struct yt_pair **found, const char *where, bool fragment);

/* A non-null scalar, as a new string. what names the key in messages. */
int ld_string(struct loader *l, const struct yt_node *n, const char *what, const char *example,
	      char **ret);
/* A list (or null: empty) whose items are non-null scalars. */
int ld_scalar_list(struct loader *l, const struct yt_node *n, const char *what,
		   const char *list_desc, const char *item_desc, const char *example);

/* vars.c */
int ld_vars_collect(struct loader *l, const struct yt_node *map);
int ld_vars_resolve(struct loader *l);
int ld_vars_finish(struct loader *l);
/* Expand ${NAME} and ${NAME:-default} in text; at is the scalar it came
 * from (errors point there). */
int ld_expand(struct loader *l, const char *text, const struct yt_node *at, char **ret);

/* include.c */
/* Read a regular file of at most LD_MAX_FILE_SIZE bytes, with its identity.
 * Returns -errno (-EFBIG: too large, -EISDIR, -EINVAL: not a regular file). */
int ld_read_file(const char *path, char **ret, size_t *ret_len, dev_t *dev, ino_t *ino);
/* What ld_read_file's error means, for messages. */
const char *ld_read_error(int r);
/* Record name in the profile's file table, parse data as a new document. */
int ld_add_doc(struct loader *l, const char *name, const char *data, size_t len, bool has_id,
	       dev_t dev, ino_t ino, size_t *ret);
/* include's reader: load the fragments its list names (ld_collect each)
 * for docs[l->doc], which l->stack says how deep it nests. */
int ld_includes(struct loader *l, const struct yt_node *list);

/* load.c: pass 1 of one document: version, keys, vars, then its fragments. */
int ld_collect(struct loader *l, size_t doc);

/* pattern_parse.c */
enum ld_scope {
	LD_SCOPE_RUNTIME, /* runtime read/write/exec */
	LD_SCOPE_TMPFS,
	LD_SCOPE_WITHIN,
	LD_SCOPE_CALL,    /* a tool or request grant: placeholders allowed */
	LD_SCOPE_QUIET,   /* quiet: fixed paths that need not exist */
};
int ld_path_list(struct loader *l, const struct yt_node *list, const char *what,
		 enum ld_scope scope, mb_pattern_vec *out);

/* endpoint_parse.c */
int ld_endpoint_list(struct loader *l, const struct yt_node *list, const char *what,
		     mb_endpoint_vec *out);

/* size.c: decimal integers without sign or leading zeros, and sizes with
 * K/M/G/T or KiB/MiB/GiB/TiB (powers of 1024). -EINVAL or -ERANGE. */
int ld_parse_uint(const char *s, uint64_t *ret);
int ld_parse_size(const char *s, uint64_t *ret);

/* load-keys.c: the VERSION pass, the first 'version' of the main document,
 * read before its other keys are checked so that a profile of another
 * version is refused for that and not for its keys. */
int ld_version(struct loader *l, const struct yt_node *root);
/* load-grants.c: runtime (main or fragment), tools, requests, within. */
/* 0, or an error when the request being read cannot have param NAME. */
int ld_request_param_check(struct loader *l, const struct yt_node *n, const char *name,
			   size_t len);
int ld_runtime(struct loader *l, const struct yt_node *map);
int ld_tools(struct loader *l, const struct yt_node *map);
int ld_requests(struct loader *l, const struct yt_node *map);
int ld_arguments(struct loader *l, const struct yt_node *map);
/* load-scan.c: what to do about findings in the contract and in answers. */
int ld_scan(struct loader *l, const struct yt_node *map);
int ld_quiet(struct loader *l, const struct yt_node *map);

/* load_tests.c: the tests key, read after every other key of the main
 * document (a test names tools and requests declared anywhere in it). */
int ld_tests(struct loader *l, const struct yt_node *list);
/* parse-endpoint.c: one concrete target of a test, ip:port, [ipv6]:port or
 * host:port (no prefix, one port): one endpoint, a name's with its name
 * set (owned). Its text points at text, which the caller keeps. */
int ld_endpoint_target(struct loader *l, const struct yt_node *n, const char *text,
		       mb_endpoint_vec *out);

/* parse-endpoint.c: host ("*.domain" or a name) checked and normalised
 * into out (policy/match.h). Returns 0, or -EINVAL with why saying what
 * is wrong and what to write. */
int ld_name_pattern(const char *host, char out[MB_NAME_MAX + 1], bool *wildcard, char *why,
		    size_t whylen);

/* load-record.c: the keys of the call record, budgets, anomalies and
 * decoys (budgets is read last: it names tools). */
int ld_record(struct loader *l, const struct yt_node *v);
int ld_budgets(struct loader *l, const struct yt_node *map);
int ld_anomaly(struct loader *l, const struct yt_node *map);
int ld_decoys(struct loader *l, const struct yt_node *map);

/* The keys a mapping takes, for the table's SUB column. */
struct ld_names {
	const char *const *v;
	size_t n;
};
extern const struct ld_names ld_runtime_keys; /* load-grants.c: read ... tmpfs */
extern const struct ld_names ld_call_keys;    /* ... a tool's or request's: read ... outlive */
extern const struct ld_names ld_quiet_keys;   /* ... quiet's: read ... bind */
extern const struct ld_names ld_arguments_keys; /* ... within */
extern const struct ld_names ld_limits_keys;  /* load-keys.c */
extern const struct ld_names ld_test_keys;    /* load-tests.c: an entry of tests */
extern const struct ld_names ld_scan_keys;    /* load-scan.c: contract, answers, env */
extern const struct ld_names ld_budgets_keys; /* load-record.c: session, tools */
extern const struct ld_names ld_anomaly_keys; /* ... baseline, factor, action */
extern const struct ld_names ld_decoys_keys;  /* ... files, on_touch */

/* The top-level keys, from policy/profile-keys.h. */
enum ld_key {
#define X(id, ...) LD_KEY_##id,
	MB_PROFILE_KEYS(X)
#undef X
	LD_KEY_COUNT_,
};

/* When a key is read (the PASS column). */
enum ld_pass {
	LD_PASS_VERSION, /* the main document's, before its other keys are checked */
	LD_PASS_VARS,    /* pass 1, in every document: its own before its fragments' */
	LD_PASS_INCLUDE, /* pass 1: then its fragments, depth-first */
	LD_PASS_DOC,     /* pass 2, in document order: the main document, then each fragment */
	LD_PASS_LAST,    /* after every other key of the main document */
};

/* Who may set a key (the WHERE column). */
enum ld_where {
	LD_WHERE_MAIN, /* the main profile only */
	LD_WHERE_ANY,  /* a runtime fragment too */
};

struct ld_key_info {
	const char *name;
	enum ld_pass pass;
	enum ld_where where;
	int (*read)(struct loader *l, const struct yt_node *v);
};
extern const struct ld_key_info ld_keys[LD_KEY_COUNT_]; /* load-keys.c */
extern const char *const ld_key_names[LD_KEY_COUNT_];   /* for ld_map_keys */

/* The keys of WHERE ANY in words, for messages about fragments;
 * tests/policy/unit-key-table checks them against the table. */
#define LD_FRAGMENT_KEYS "vars, runtime and include"
