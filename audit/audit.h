/* SPDX-License-Identifier: Apache-2.0 */
/* membrane-audit: reads Reports v1 (man/membrane-report.5) for a security
 * team. Everything streams: one line in memory at a time, bounded tables
 * for the summary, bounded per-session state for verify. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "common/macros.h"
#include "report/report-fields.h"

/* Exit statuses (man/membrane-audit.1). */
enum {
	AUDIT_EXIT_OK = 0,
	AUDIT_EXIT_VERIFY_FAILED = 1, /* verify: a chain is broken or a line is malformed */
	AUDIT_EXIT_USAGE = 2,         /* bad option, unreadable file, read error */
	AUDIT_EXIT_MALFORMED = 3,     /* list/summary: done, but malformed lines were skipped */
};

/* The longest line read; a longer one is counted as malformed and skipped,
 * which is what keeps the reader's memory bounded. Reporter lines stay far
 * below it (argument values are cut at 256 bytes). */
#define AUDIT_MAX_LINE (1024 * 1024)

/* ---- reading (audit_read.c) ---- */

struct audit_reader;

/* Open name ("-" for stdin). Returns 0 or -errno. */
int audit_reader_open(const char *name, struct audit_reader **ret);
void audit_reader_close(struct audit_reader *r);
MB_DEFINE_CLEANUP(struct audit_reader, audit_reader_close)

/* The next line, without its newline, NUL-terminated in place; valid until
 * the next call. Returns 1 with a line, 0 at the end, -errno on a read
 * error. *complete is false for a line cut short: longer than
 * AUDIT_MAX_LINE (its start is returned) or the file's last bytes with no
 * newline. */
int audit_reader_next(struct audit_reader *r, char **line, size_t *len, bool *complete);
uint64_t audit_reader_lineno(const struct audit_reader *r);
const char *audit_reader_name(const struct audit_reader *r);

/* One parsed line. Pointers point into json or the reader's buffer. */
#define AUDIT_MAX_TOOLS 16
struct audit_event {
	cJSON *json;
	const char *line;
	size_t len;
	const char *file;
	size_t fileidx; /* which input, 0-based */
	uint64_t lineno;
	/* common fields, all present and well-typed */
	const char *time;
	int64_t time_us; /* microseconds since the epoch */
	const char *event, *mode, *profile, *session, *prev;
	uint64_t seq;
	/* the operations the line stands for: its "count" (repeats collapsed
	 * into one line), else 1 */
	uint64_t count;
	/* the event's own fields, NULL when absent */
	const char *op, *decision, *target, *reason, *syscall, *method;
	const char *kind; /* poisoning, secret */
	const char *outcome; /* a call line's */
	/* distinct tools of requests[] and request; has_requests: the event
	 * names requests in flight (a violation), so none means idle. */
	const char *tools[AUDIT_MAX_TOOLS];
	size_t ntools;
	bool has_requests;
};

/* Parse one line. Returns 0, or -EINVAL with *why naming what is wrong
 * (static text). On success ev->json is owned by the caller
 * (audit_event_clear). */
int audit_event_parse(char *line, size_t len, struct audit_event *ev, const char **why);
void audit_event_clear(struct audit_event *ev);

/* ---- time (audit_time.c) ---- */

/* RFC 3339 (Z or a numeric offset, fraction optional) to microseconds
 * since the epoch. Returns 0 or -EINVAL. */
int audit_parse_rfc3339(const char *s, int64_t *us);
/* RFC 3339, or a duration back from now: 90s, 30m, 1h, 2d, 1w. */
int audit_parse_when(const char *s, int64_t now_us, int64_t *us);

/* ---- filters (audit_filter.c) ---- */

enum audit_key { AUDIT_KEY_PROFILE, AUDIT_KEY_TOOL, AUDIT_KEY_OP, AUDIT_KEY_DECISION,
		 AUDIT_KEY_EVENT, AUDIT_KEY_SESSION, AUDIT_KEY_KIND, AUDIT_KEY_OUTCOME,
		 AUDIT_KEY_COUNT };

struct audit_filter {
	bool has_since, has_until;
	int64_t since_us, until_us; /* since <= time < until */
	/* per key: any of these values (OR); keys combine with AND */
	const char **values[AUDIT_KEY_COUNT];
	size_t nvalues[AUDIT_KEY_COUNT];
};

int audit_filter_add(struct audit_filter *f, enum audit_key k, const char *value);
bool audit_filter_match(const struct audit_filter *f, const struct audit_event *ev);
bool audit_filter_empty(const struct audit_filter *f);
void audit_filter_free(struct audit_filter *f);

/* ---- bounded counting (audit_topk.c) ---- */

/* Counts of string keys in at most cap entries (Space-Saving, Metwally et
 * al. 2005): when full, a new key replaces the least counted one and
 * inherits its count as the bound of its error. Every key counted more than
 * total/cap times is kept, and no count is under its true value by more
 * than its error. Keys are cut at AUDIT_TOPK_KEY bytes. */
#define AUDIT_TOPK_KEY 4096
struct audit_topk;
struct audit_topk_entry {
	const char *key;
	uint64_t count, error;
};
struct audit_topk *audit_topk_new(size_t cap);
int audit_topk_add(struct audit_topk *t, const char *key, uint64_t weight);
/* Entries by count, highest first (ties by key); *n entries. The array is
 * the caller's to free; keys stay the table's. */
struct audit_topk_entry *audit_topk_sorted(struct audit_topk *t, size_t *n);
uint64_t audit_topk_total(const struct audit_topk *t);
bool audit_topk_overflowed(const struct audit_topk *t);
void audit_topk_free(struct audit_topk *t);
MB_DEFINE_CLEANUP(struct audit_topk, audit_topk_free)

/* ---- output helpers (audit_text.c) ---- */

/* Print s with control characters, DEL, C1 controls and invalid UTF-8
 * escaped, so a hostile path cannot drive the terminal. */
void audit_put_safe(FILE *f, const char *s);
/* Width of s as audit_put_safe prints it, in columns (1 per code point). */
size_t audit_safe_width(const char *s);
/* list's line for ev (audit-list.c), and how it names a request: TOOL#ID
 * (or METHOD#ID). */
void audit_list_line(FILE *f, const struct audit_event *ev);
void audit_put_request(FILE *f, const cJSON *req);

/* ---- a string map for the views (audit-map.c) ---- */

/* Keys to fixed-size entries (zeroed when made), at most cap of them, kept
 * in the order they were made. */
struct audit_map;
struct audit_map *audit_map_new(size_t entry_size, size_t cap);
/* The entry of key, made when create is set and there is room; NULL
 * otherwise (out of room or memory: *full is set, if given). */
void *audit_map_get(struct audit_map *m, const char *key, bool create, bool *full);
/* The entry after prev (NULL: the first), in the order they were made. */
void *audit_map_next(const struct audit_map *m, const void *prev);
const char *audit_map_entry_key(const void *entry);
size_t audit_map_count(const struct audit_map *m);
void audit_map_del(struct audit_map *m, const char *key);
void audit_map_free(struct audit_map *m);
MB_DEFINE_CLEANUP(struct audit_map, audit_map_free)

/* ---- commands ---- */

struct audit_input {
	char **files; /* "-" for stdin */
	size_t nfiles;
	bool json;
	size_t top;
	struct audit_filter filter;
	const char *key;     /* verify --key PUB: check the signed checkpoints too */
	const char *session; /* timeline SESSION: the session, or the start of its id */
	const char *by;      /* tools --by: calls, denials or volume */
};

/* Each runs over every input and returns an AUDIT_EXIT_* status. */
int audit_list(const struct audit_input *in);
int audit_summary(const struct audit_input *in);
int audit_verify(const struct audit_input *in);
/* The second round's commands (audit-calls.c, audit-baseline.c,
 * audit-views.c). */
int audit_calls(const struct audit_input *in);
int audit_timeline(const struct audit_input *in);
int audit_baseline(const struct audit_input *in);
int audit_tools(const struct audit_input *in);
int audit_sessions(const struct audit_input *in);

/* Walk every event of every input: malformed lines are named on stderr and
 * counted; fn sees each parsed event (the filter is applied when
 * filtered). Returns 0, or AUDIT_EXIT_USAGE on an open or read error. */
struct audit_walk {
	uint64_t lines, events, malformed;
	bool filtered;
	/* Called for a malformed line too (ev NULL), for verify. */
	void (*on_malformed)(void *ud, size_t fileidx, const char *file, uint64_t lineno,
			     const char *why);
};
int audit_walk(const struct audit_input *in, struct audit_walk *w,
	       void (*fn)(void *ud, const struct audit_event *ev), void *ud);
/* A command's exit status once its walk is done: out of memory (said), a
 * write to stdout that failed (said, naming what), the walk's own status,
 * then malformed lines (AUDIT_EXIT_MALFORMED). */
int audit_done(int status, const struct audit_walk *w, bool oom, const char *what);
/* Print o (consumed) on a line of its own, when okay (it was built whole):
 * 0, or -ENOMEM. pretty: indented, for a file people read and edit. */
int audit_put_json(cJSON *o, bool okay, bool pretty);
