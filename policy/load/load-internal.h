/* Shared state of the profile loader (policy/load*.c, vars.c, include.c,
 * pattern_parse.c, endpoint_parse.c, size.c). Not an interface for anything
 * outside policy/.
 *
 * Loading runs in two passes so that every ${VAR} is known before any value
 * is expanded:
 *   1. parse the main file, check its keys, collect its vars, then load its
 *      fragments (include) depth-first, collecting theirs;
 *   2. resolve variables (--set > main > fragments, the includer over the
 *      included), then read every other key of the main file in document
 *      order, then the runtime of each fragment.
 * The first error stops everything; the caller frees the partial profile. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/vec.h"
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
	const struct yt_pair *vars, *include, *runtime; /* found by pass 1 */
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
 * fragment says the map is a fragment's top level. */
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
/* Load the fragments named by docs[doc]'s include list (ld_collect each). */
int ld_includes(struct loader *l, size_t doc, unsigned depth);

/* load.c: pass 1 of one document: keys, vars, then its fragments. */
int ld_collect(struct loader *l, size_t doc, unsigned depth);

/* pattern_parse.c */
enum ld_scope {
	LD_SCOPE_RUNTIME, /* runtime read/write/exec */
	LD_SCOPE_TMPFS,
	LD_SCOPE_WITHIN,
	LD_SCOPE_CALL,    /* a tool or request grant: placeholders allowed */
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

/* load_keys.c: version (read first, so that a profile of another version
 * is refused for that and not for its keys); pass 2 of the main document. */
int ld_version(struct loader *l, const struct yt_node *root);
int ld_main_keys(struct loader *l);
/* load_grants.c: runtime (main or fragment), tools, requests, within. */
/* 0, or an error when the request being read cannot have param NAME. */
int ld_request_param_check(struct loader *l, const struct yt_node *n, const char *name,
			   size_t len);
int ld_runtime(struct loader *l, const struct yt_node *map);
int ld_tools(struct loader *l, const struct yt_node *map, bool requests);
int ld_arguments(struct loader *l, const struct yt_node *map);

/* load_tests.c: the tests key, read after every other key of the main
 * document (a test names tools and requests declared anywhere in it). */
int ld_tests(struct loader *l, const struct yt_node *list);
/* endpoint_parse.c: one concrete target of a test, ip:port, [ipv6]:port or
 * host:port (no prefix, one port). A host name is resolved when lookup is
 * set, else *unresolved is set and nothing is added. Endpoints added point
 * at text, which the caller keeps. */
int ld_endpoint_target(struct loader *l, const struct yt_node *n, const char *text, bool lookup,
		       mb_endpoint_vec *out, bool *unresolved);

/* The keys of a profile; a fragment accepts only a subset. */
enum ld_key {
	LD_KEY_VERSION,
	LD_KEY_NAME,
	LD_KEY_DESCRIPTION,
	LD_KEY_INCLUDE,
	LD_KEY_MODE,
	LD_KEY_VARS,
	LD_KEY_RUNTIME,
	LD_KEY_NETWORK,
	LD_KEY_UNLISTED_TOOLS,
	LD_KEY_ARGUMENTS,
	LD_KEY_TOOLS,
	LD_KEY_REQUESTS,
	LD_KEY_LIMITS,
	LD_KEY_REDACT,
	LD_KEY_PIN,
	LD_KEY_CONCURRENCY,
	LD_KEY_REQUIRE_LANDLOCK,
	LD_KEY_USER,
	LD_KEY_TESTS,
	LD_KEY_COUNT_,
};
extern const char *const ld_key_names[LD_KEY_COUNT_];
