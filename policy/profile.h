/* SPDX-License-Identifier: Apache-2.0 */
/* The profile model: what a loaded, validated profile v1 says, with every
 * ${VAR} already expanded and every grant carrying the source position it came
 * from. {arg} placeholders stay in path patterns until a call fills them
 * (policy/call-grants.h). policy/ knows nothing of the kernel. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/error.h"
#include "common/vec.h"
#include "policy/scan-kinds.h"

enum mb_op {
	MB_OP_READ,
	MB_OP_WRITE,
	MB_OP_EXEC,
	MB_OP_CONNECT,
	MB_OP_BIND,
	MB_OP_COUNT_,
	/* An op of reports only, never of grants: a DNS question the
	 * sandbox's resolver refused (its target the name asked). Kept past
	 * MB_OP_COUNT_ so that tables of grant ops stay as they are. */
	MB_OP_RESOLVE = MB_OP_COUNT_,
};
#define MB_PATH_OPS 3 /* read, write, exec take paths */
#define MB_NET_OP_INDEX(op) ((op) - MB_OP_CONNECT)

const char *mb_op_name(enum mb_op op);
/* -EINVAL for an unknown name. */
int mb_op_from_name(const char *name, enum mb_op *ret);
/* Is s[0..len) a name runtime.env may pass or set: [A-Za-z_][A-Za-z0-9_]*? */
bool mb_env_name_ok(const char *s, size_t len);

enum mb_mode { MB_MODE_ENFORCE, MB_MODE_AUDIT };
enum mb_network { MB_NET_NONE, MB_NET_BROKERED, MB_NET_HOST };
enum mb_unlisted { MB_UNLISTED_DENY, MB_UNLISTED_ALLOW };
enum mb_pin { MB_PIN_REPORT, MB_PIN_STRICT };
enum mb_concurrency { MB_CONCURRENCY_PARALLEL, MB_CONCURRENCY_SERIAL };

/* How an operation touches a path, beyond its op: the dynamic layer lets a
 * read or write grant on P list P's ancestors and create P's missing
 * ancestors within arguments.within (policy/decide.h). */
enum mb_access {
	MB_ACCESS_OPEN,  /* the op itself: open, execve, unlink, rename... */
	MB_ACCESS_LIST,  /* MB_OP_READ: open read-only as a directory */
	MB_ACCESS_MKDIR, /* MB_OP_WRITE: create a directory */
	MB_ACCESS_RDWR,  /* MB_OP_READ: the read half of an open for reading
			    and writing, which a write grant covers */
};

const char *mb_mode_name(enum mb_mode m);
const char *mb_network_name(enum mb_network n);

/* Where something was written: file (owned by the profile's file table),
 * 1-based line and column. */
struct mb_srcpos {
	const char *file;
	unsigned line, column;
};

/* What a placeholder was written with beyond its name: {NAME:-DEFAULT},
 * {NAME:uri}, or both ({NAME:uri:-DEFAULT}). */
struct mb_placeholder_opt {
	char *name;  /* the argument (without "[]") */
	char *dflt;  /* used when the argument is missing or empty (a path,
			absolute, for a placeholder that opens the pattern; a
			part of one component otherwise); NULL: none */
	bool uri;    /* a value of the shape SCHEME:... is a URI, not a path:
			file: URIs fill in as their path, others grant nothing
			and are not held to arguments.within */
};

/* A path pattern as written, after ${VAR} expansion and lexical
 * normalisation. It may hold {name} / {name[]} placeholders and '*' globs
 * (within one component). Options written in a placeholder's braces are
 * kept apart in ph; the text holds {name} alone. */
struct mb_path_pattern {
	char *text;
	struct mb_srcpos pos;
	bool optional;        /* written with a trailing '?': skip if missing */
	bool has_placeholder; /* holds {name} */
	bool has_glob;        /* holds '*' outside placeholders */
	MB_VEC(struct mb_placeholder_opt) ph; /* only placeholders with options */
};

/* Transport protocols, as a set: what an endpoint grants (its protos) and
 * what a target speaks (struct mb_addr's proto, policy/match.h). 0 counts as
 * both on either side: a grant written without a protocol grants both, and a
 * target whose protocol is not known (or is neither) needs a grant of both. */
enum {
	MB_PROTO_TCP = 1,
	MB_PROTO_UDP = 2,
	MB_PROTO_BOTH = MB_PROTO_TCP | MB_PROTO_UDP,
};

/* An address (v4 in the first 4 bytes, or v6) with prefix and port range,
 * or a host name with a port range. A name is never resolved when a
 * profile is loaded: the supervisor resolves it at run time, when the
 * server asks its resolver (docs/design.md "Names"). */
struct mb_endpoint {
	char *text; /* as written, for reports and --explain */
	struct mb_srcpos pos;
	/* A name grant: lower case, no trailing dot, without the "*." of a
	 * wildcard (policy/match.h, mb_name_match); NULL for an address. */
	char *name;
	bool wildcard; /* written "*.NAME": every name below NAME, not NAME */
	int family;    /* AF_INET or AF_INET6; 0 for a name */
	uint8_t addr[16];
	uint8_t prefix; /* 0..32 or 0..128 */
	uint16_t port_lo, port_hi;
	uint8_t protos; /* MB_PROTO_* it grants: "tcp:" or
			   "udp:" as written, both without (0 counts as both) */
};

typedef MB_VEC(struct mb_path_pattern) mb_pattern_vec;
typedef MB_VEC(struct mb_endpoint) mb_endpoint_vec;

/* A host name or "*.domain" of private_names: normalised as endpoint
 * names are. */
struct mb_name_pattern {
	char *name;
	bool wildcard;
	struct mb_srcpos pos;
};

typedef MB_VEC(struct mb_name_pattern) mb_name_vec;

/* What one scope (runtime, a tool, a request method) may do. */
struct mb_grants {
	mb_pattern_vec path[MB_PATH_OPS]; /* indexed by MB_OP_READ..MB_OP_EXEC */
	mb_endpoint_vec net[2];           /* indexed by MB_NET_OP_INDEX(op) */
	/* list: directories that may be opened themselves, read-only (to
	 * list their names, or to fsync them), and nothing beneath them */
	mb_pattern_vec list;
};

/* The longest outlive a profile may give: a process past it is judged by
 * runtime alone. */
#define MB_OUTLIVE_MAX_MS (3600u * 1000u)

struct mb_tool {
	char *name; /* tool name, or JSON-RPC method for requests */
	struct mb_srcpos pos;
	struct mb_grants grants;
	/* outlive: processes a call starts keep the call's grants after it
	 * returns, until they exit, for at most this long; 0: not at all */
	uint64_t outlive_ms;
	struct mb_srcpos outlive_pos;
};

/* What a tool result says of the operations denied during its call: the
 * list in its _meta always, and with note a short text too. */
enum mb_denials { MB_DENIALS_META, MB_DENIALS_NOTE };

struct mb_env {
	char *name;
	char *value; /* NULL: pass the caller's value through */
	struct mb_srcpos pos;
};

struct mb_var {
	char *name;
	char *value;
	struct mb_srcpos pos;
	bool from_command_line;
};

struct mb_limits {
	uint64_t memory; /* bytes; 0 = unset */
	uint64_t tasks;  /* 0 = unset */
	uint64_t files;  /* 0 = unset */
	struct mb_srcpos memory_pos, tasks_pos, files_pos;
	struct mb_srcpos pos; /* the 'limits' key; line 0 if absent */
};

struct mb_user {
	bool set;
	uid_t uid;
	gid_t gid;
	struct mb_srcpos pos;
};

/* What the call record holds (key record, option --record). */
enum mb_record_scope {
	MB_RECORD_TOOLS, /* a "call" line per tools/call (the default) */
	MB_RECORD_ALL,   /* ... per request of the client, whatever its method */
	MB_RECORD_NONE,  /* none */
};
const char *mb_record_scope_name(enum mb_record_scope s);

/* Budgets (key budgets): what the tool calls of a session, or of one tool,
 * may spend before membrane refuses them. */
enum mb_budget_kind {
	MB_BUDGET_CALLS_PER_MINUTE, /* calls started within any 60 seconds */
	MB_BUDGET_IN_FLIGHT,        /* calls in flight at once */
	MB_BUDGET_BYTES_RETURNED,   /* bytes of the answers, summed */
	MB_BUDGET_CONNECTS,         /* connects made during the calls */
	MB_BUDGET_FILES_WRITTEN,    /* distinct paths written during the calls */
	MB_BUDGET_COUNT_,
};
const char *mb_budget_name(enum mb_budget_kind k);

struct mb_budget {
	unsigned set; /* 1 << MB_BUDGET_*: the limits given (0 is a limit too) */
	uint64_t limit[MB_BUDGET_COUNT_];
	struct mb_srcpos pos;
};

struct mb_tool_budget {
	char *tool;
	struct mb_budget b;
};

/* Anomalies (key anomaly): a session that departs from a baseline
 * (membrane-audit baseline) by more than factor. */
enum mb_anomaly_action { MB_ANOMALY_REPORT, MB_ANOMALY_REFUSE };
#define MB_ANOMALY_FACTOR 3.0

struct mb_anomaly {
	char *baseline; /* its path, or NULL */
	double factor;  /* 0: MB_ANOMALY_FACTOR */
	enum mb_anomaly_action action;
	struct mb_srcpos pos; /* the key; line 0 if absent */
};

/* Decoys (key decoys): files planted in the sandbox, each with a canary
 * token of its own (policy/decoy.h). */
enum mb_decoy_touch {
	MB_DECOY_BY_MODE, /* deny in enforce mode, allow in audit mode */
	MB_DECOY_DENY,
	MB_DECOY_ALLOW,   /* let it be read: its canary may then be seen leaving */
	MB_DECOY_STOP,    /* deny, and stop the server */
};

struct mb_decoy_file {
	char *path; /* absolute, normalised */
	struct mb_srcpos pos;
};

/* The scan key: what membrane does about each kind of finding beyond
 * reporting it (enum mb_scan_action, 0: report), in the tool contract and
 * in answers, and which environment variables hold secrets whose exact
 * values are looked for in answers (beyond those named like secrets). */
struct mb_scan_policy {
	unsigned char contract[MB_SCAN_KIND_COUNT];
	unsigned char answers[MB_SCAN_KIND_COUNT];
	MB_VEC(char *) env;
	struct mb_srcpos pos; /* line 0: not written */
};

struct cJSON;

/* One expectation of a profile self-test (key tests): "OP TARGET". */
struct mb_expect {
	enum mb_op op;
	enum mb_access access;   /* "list" is read + LIST, "mkdir" write + MKDIR */
	char *text;              /* as written, ${VAR}s expanded */
	char *path;              /* path ops: absolute, normalised */
	mb_endpoint_vec addrs;   /* connect, bind: the address (prefix full,
				    port_lo == port_hi), or a name (its name
				    set); text is not owned */
	struct mb_srcpos pos;
};

typedef MB_VEC(struct mb_expect) mb_expect_vec;

enum mb_test_kind {
	MB_TEST_TOOL,    /* tools/call of a declared tool */
	MB_TEST_REQUEST, /* another declared JSON-RPC method */
	MB_TEST_IDLE,    /* nothing in flight: runtime alone */
};

/* A profile self-test: what a call (or idleness) may and may not do. */
struct mb_test {
	enum mb_test_kind kind;
	char *name;               /* tool or method; NULL when idle */
	struct cJSON *arguments;  /* tool: its arguments; request: its params;
				     an object, or NULL when none were given */
	struct mb_srcpos pos;     /* the entry */
	mb_expect_vec allow, deny;
};

/* Layers of the sandbox a profile requires (key require:): a run refuses to
 * start without them, --best-effort or not. What each layer is, and how a
 * host refuses it: membrane-profile(5), membrane-run(1). */
enum mb_require {
	MB_REQUIRE_NAMESPACES = 1 << 0, /* the plan's namespaces and the fresh root */
	MB_REQUIRE_LANDLOCK = 1 << 1,   /* Landlock, at any ABI (require_landlock: N for more) */
};

struct mb_profile {
	MB_VEC(char *) files; /* every file read (main first); owns the names */
	struct mb_srcpos pos;  /* the main file's top-level mapping */
	struct mb_srcpos mode_pos, unlisted_tools_pos; /* line 0: not written */
	int version;
	char *name;
	char *description;
	enum mb_mode mode;
	enum mb_network network;
	enum mb_unlisted unlisted_tools;
	enum mb_pin pin;
	enum mb_concurrency concurrency;
	int require_landlock; /* minimum Landlock ABI, 0 = best effort */
	unsigned require;     /* enum mb_require bits; 0: nothing beyond the defaults */
	struct mb_srcpos require_pos; /* the require key's value; line 0 if absent */
	struct mb_user user;  /* uid/gid to run as when started as root */
	MB_VEC(struct mb_var) vars;
	struct mb_grants runtime;
	MB_VEC(struct mb_env) env;
	mb_pattern_vec tmpfs;
	mb_pattern_vec within;         /* arguments.within */
	MB_VEC(struct mb_tool) tools;
	MB_VEC(struct mb_tool) requests;
	struct mb_limits limits;
	MB_VEC(char *) redact;
	struct mb_scan_policy scan;
	/* quiet: harmless noise, denied as ever and counted (the exit report's
	 * quiet), never reported line by line. No placeholders. */
	struct mb_grants quiet;
	struct mb_srcpos quiet_pos; /* line 0: not written */
	enum mb_denials denials;
	/* Names whose answers may hold loopback, private, link-local or
	 * CGNAT addresses (internal services, test worlds on loopback). */
	mb_name_vec private_names;
	struct mb_srcpos private_names_pos;
	enum mb_record_scope record;
	struct mb_budget session_budget;
	MB_VEC(struct mb_tool_budget) tool_budgets;
	struct mb_anomaly anomaly;
	MB_VEC(struct mb_decoy_file) decoys;
	enum mb_decoy_touch decoy_touch;
	MB_VEC(struct mb_test) tests;
};

/* Options for loading: --set overrides and where to look up includes. */
struct mb_load_opts {
	const char *const *sets; /* "NAME=VALUE" strings, NULL-terminated, may be NULL */
	/* Directories searched for include fragments as runtimes/NAME.yml, in
	 * order, after the directory of the including file (a fragment also
	 * finds its sibling NAME.yml). NULL-terminated. A profile loaded from
	 * a buffer has no directory: only these are searched, and includes
	 * by path are refused. */
	const char *const *include_dirs;
	/* runtime read/write/exec, arguments.within, and the fixed prefix of
	 * tool and request grants must exist unless marked optional with a
	 * trailing '?' (default for run) */
	bool check_existence;
	/* No option resolves host names: a profile loads the same offline
	 * and online (names are the supervisor's to resolve, at run time). */
};

/* Load and validate PATH. On failure returns -errno and err holds one line
 * "file:line:column: what is wrong". Never returns a partial profile. */
int mb_profile_load(const char *path, const struct mb_load_opts *opts,
		    struct mb_profile **ret, struct mb_error *err);
/* The same from a buffer (fuzzing, tests); name is used in messages. */
int mb_profile_load_buffer(const char *name, const char *data, size_t len,
			   const struct mb_load_opts *opts, struct mb_profile **ret,
			   struct mb_error *err);
void mb_profile_free(struct mb_profile *p);
MB_DEFINE_CLEANUP(struct mb_profile, mb_profile_free)

/* Lookups used by the inspector and the correlator. */
const struct mb_tool *mb_profile_tool(const struct mb_profile *p, const char *name);
const struct mb_tool *mb_profile_request(const struct mb_profile *p, const char *method);
bool mb_profile_redacts(const struct mb_profile *p, const char *argname);
/* Does a scope of p grant a connect or bind by name? */
bool mb_profile_has_names(const struct mb_profile *p);

/* A tool's own budget, or NULL. */
const struct mb_budget *mb_profile_tool_budget(const struct mb_profile *p, const char *tool);

void mb_grants_free(struct mb_grants *g);
