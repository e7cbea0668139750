/* SPDX-License-Identifier: Apache-2.0 */
/* membrane-audit verify: check every session's chain (seq counts up from 0
 * by one; prev is the SHA-256 of the session's previous line) over the
 * inputs read in order as one stream, and name the lines where it breaks.
 *
 * What a break means, for a session whose last line was seq e-1 (at X):
 *   seq == e, prev != sha256(X)  X was edited (or this line's prev was)
 *   seq >  e                     lines e..seq-1 are missing before this one:
 *                                a gap, reported as removed at the end
 *                                unless the missing lines turn up later
 *   seq <  e, inside a gap       this line was moved: reordered
 *   seq <  e, otherwise          duplicated or reordered
 *   a first line with seq > 0    the session's first lines are missing
 *   a line after "exit"          appended after the end of the session
 * A malformed line is a problem too: an edit that broke the JSON.
 *
 * With --key PUB, the checkpoints (report/report-sign.h) are checked too:
 * each must sign its own prev with that key, and every line of a session
 * that reached its exit must lie before a valid checkpoint. A session still
 * open may end in unsigned lines (up to one checkpoint interval); they are
 * noted. The first unsigned line is named: everything from it on could
 * have been rewritten by whoever rewrote the chain.
 *
 * Memory: one record per session seen (about 200 bytes), at most
 * VERIFY_SESSION_CAP open at once. A session that reached its exit line is
 * forgotten when room is needed, oldest first; if every record belongs to a
 * session still open, verify stops and says so rather than guess. Problems
 * are counted all, and the first VERIFY_PROBLEM_CAP printed. */
#include <errno.h>
#include <stdarg.h>
#include <string.h>


#include "audit/audit.h"
#include "common/nettle-dl.h"
#include "report/report-sign.h"

#define VERIFY_SESSION_CAP 65536
#define VERIFY_PROBLEM_CAP 1000
#define VERIFY_NOTE_CAP 20


struct loc {
	size_t file;
	uint64_t line;
};

static int loc_cmp(struct loc a, struct loc b)
{
	if (a.file != b.file)
		return a.file < b.file ? -1 : 1;
	return a.line < b.line ? -1 : a.line > b.line;
}

struct session {
	char id[33];
	uint64_t next;    /* the seq expected next */
	char hash[65];    /* SHA-256 of the last line, hex */
	struct loc last;  /* where the last line was */
	bool ended;
	bool gap;         /* seq lo..hi missing before gap_at, not yet accounted */
	uint64_t gap_lo, gap_hi, gap_filled;
	struct loc gap_at;
	ssize_t chain;    /* next in the hash bucket, or in the free list */
	ssize_t next_ended;
	/* --key: lines since the last valid checkpoint, from unsigned_at */
	bool signed_any, unsigned_open;
	struct loc unsigned_at;
	uint64_t unsigned_seq;
};

struct problem {
	struct loc at;
	const char *kind;
	char session[33];
	char *msg;
};

struct verify {
	const struct audit_input *in;
	char **names; /* per input */
	size_t nnames;
	struct session *s;
	size_t n, cap; /* records in use / allocated */
	ssize_t *bucket;
	size_t nbuckets;
	ssize_t free_list, ended_head, ended_tail;
	uint64_t sessions; /* distinct sessions seen */
	struct problem *p;
	size_t np;
	uint64_t problems;
	struct problem first;
	bool full; /* too many open sessions: stop */
	bool oom;
	const struct mb_report_key *key; /* --key, or NULL */
	uint64_t checkpoints, bad_signatures;
};

static const char *name_of(struct verify *v, size_t file)
{
	return file < v->nnames && v->names[file] ? v->names[file] : "?";
}

_printf_(5, 6) static void problem(struct verify *v, struct loc at, const char *kind,
				   const char *session, const char *fmt, ...)
{
	va_list ap;
	char *msg = NULL;
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (!msg) {
		v->oom = true;
		return;
	}
	struct problem p = { .at = at, .kind = kind, .msg = msg };
	snprintf(p.session, sizeof(p.session), "%s", session ? session : "");
	if (v->problems == 0 || loc_cmp(at, v->first.at) < 0) {
		free(v->first.msg);
		v->first = p;
		v->first.msg = strdup(msg);
	}
	v->problems++;
	if (v->np < VERIFY_PROBLEM_CAP)
		v->p[v->np++] = p;
	else
		free(msg);
}

static size_t hash_id(const char *id)
{
	uint64_t h = 14695981039346656037ull;
	for (; *id; id++)
		h = (h ^ (unsigned char)*id) * 1099511628211ull;
	return (size_t)h;
}

static ssize_t find(struct verify *v, const char *id)
{
	for (ssize_t i = v->bucket[hash_id(id) & (v->nbuckets - 1)]; i >= 0; i = v->s[i].chain)
		if (strcmp(v->s[i].id, id) == 0)
			return i;
	return -1;
}

/* Account for a gap that no later line filled: those lines were removed. */
static void close_gap(struct verify *v, struct session *s)
{
	if (!s->gap)
		return;
	s->gap = false;
	uint64_t missing = s->gap_hi - s->gap_lo + 1;
	if (s->gap_filled >= missing)
		return;
	missing -= s->gap_filled;
	if (s->gap_filled)
		problem(v, s->gap_at, "removed", s->id,
			"%llu line%s of session %s with seq %llu..%llu %s missing before this line",
			(unsigned long long)missing, missing == 1 ? "" : "s", s->id,
			(unsigned long long)s->gap_lo, (unsigned long long)s->gap_hi,
			missing == 1 ? "is" : "are");
	else if (missing == 1)
		problem(v, s->gap_at, "removed", s->id,
			"the line of session %s with seq %llu is missing before this line", s->id,
			(unsigned long long)s->gap_lo);
	else
		problem(v, s->gap_at, "removed", s->id,
			"%llu lines of session %s (seq %llu..%llu) are missing before this line",
			(unsigned long long)missing, s->id, (unsigned long long)s->gap_lo,
			(unsigned long long)s->gap_hi);
}

/* --key: a session that reached its exit line must be signed to its end;
 * one still open may not be yet. */
static void close_signed(struct verify *v, struct session *s)
{
	if (!v->key || !s->unsigned_open || !s->ended)
		return; /* an open session's tail is noted by print_text */
	s->unsigned_open = false;
	if (s->signed_any)
		problem(v, s->unsigned_at, "unsigned", s->id,
			"session %s is not signed by key %s from seq %llu (this line) on: the "
			"checkpoint after it was removed, or the lines were added",
			s->id, v->key->id, (unsigned long long)s->unsigned_seq);
	else
		problem(v, s->unsigned_at, "unsigned", s->id,
			"no line of session %s is signed by key %s: every line from seq %llu "
			"(this line) on is unsigned",
			s->id, v->key->id, (unsigned long long)s->unsigned_seq);
}

/* --key: a checkpoint must sign its own prev, at its own place, with the
 * key. Returns whether it does. */
static bool check_checkpoint(struct verify *v, const struct audit_event *ev, struct loc here)
{
	v->checkpoints++;
	const cJSON *o = ev->json;
	const cJSON *head = cJSON_GetObjectItemCaseSensitive(o, "head");
	const cJSON *sig = cJSON_GetObjectItemCaseSensitive(o, "sig");
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(o, "key_id");
	if (!cJSON_IsString(head) || strcmp(head->valuestring, ev->prev) != 0) {
		problem(v, here, "bad-signature", ev->session,
			"checkpoint seq %llu of session %s: its head is not its prev",
			(unsigned long long)ev->seq, ev->session);
		v->bad_signatures++;
		return false;
	}
	if (cJSON_IsString(id) && strcmp(id->valuestring, v->key->id) != 0) {
		problem(v, here, "bad-signature", ev->session,
			"checkpoint seq %llu of session %s is signed by key %s, not by key %s",
			(unsigned long long)ev->seq, ev->session, id->valuestring, v->key->id);
		v->bad_signatures++;
		return false;
	}
	char text[256];
	size_t n = mb_report_checkpoint_text(text, sizeof(text), ev->session, ev->seq, ev->prev);
	if (!cJSON_IsString(sig) || !mb_report_sig_valid(v->key, text, n, sig->valuestring)) {
		problem(v, here, "bad-signature", ev->session,
			"checkpoint seq %llu of session %s does not verify with key %s: the "
			"lines before it were rewritten and signed again with another key, or the "
			"checkpoint was edited",
			(unsigned long long)ev->seq, ev->session, v->key->id);
		v->bad_signatures++;
		return false;
	}
	return true;
}

/* Forget the oldest session that reached its exit line. */
static bool evict_one(struct verify *v)
{
	ssize_t i = v->ended_head;
	if (i < 0)
		return false;
	struct session *s = &v->s[i];
	v->ended_head = s->next_ended;
	if (v->ended_head < 0)
		v->ended_tail = -1;
	close_gap(v, s);
	close_signed(v, s);
	ssize_t *p = &v->bucket[hash_id(s->id) & (v->nbuckets - 1)];
	while (*p != i)
		p = &v->s[*p].chain;
	*p = s->chain;
	s->id[0] = '\0';
	s->chain = v->free_list;
	v->free_list = i;
	return true;
}

static struct session *new_session(struct verify *v, const char *id)
{
	ssize_t i;
	if (v->free_list < 0 && v->n == VERIFY_SESSION_CAP && !evict_one(v)) {
		v->full = true;
		return NULL;
	}
	if (v->free_list >= 0) {
		i = v->free_list;
		v->free_list = v->s[i].chain;
	} else {
		if (v->n == v->cap) {
			size_t ncap = v->cap ? v->cap * 2 : 64;
			struct session *ns = realloc(v->s, ncap * sizeof(*ns));
			if (!ns) {
				v->oom = true;
				return NULL;
			}
			v->s = ns;
			v->cap = ncap;
		}
		i = (ssize_t)v->n++;
	}
	struct session *s = &v->s[i];
	*s = (struct session){ .next_ended = -1 };
	snprintf(s->id, sizeof(s->id), "%s", id);
	size_t b = hash_id(id) & (v->nbuckets - 1);
	s->chain = v->bucket[b];
	v->bucket[b] = i;
	v->sessions++;
	return s;
}

static void note_name(struct verify *v, size_t file, const char *name)
{
	if (file >= v->nnames) {
		char **nn = realloc(v->names, (file + 1) * sizeof(*nn));
		if (!nn) {
			v->oom = true;
			return;
		}
		for (size_t i = v->nnames; i <= file; i++)
			nn[i] = NULL;
		v->names = nn;
		v->nnames = file + 1;
	}
	if (!v->names[file] && !(v->names[file] = strdup(name)))
		v->oom = true;
}

static void verify_malformed(void *ud, size_t file, const char *name, uint64_t lineno,
			     const char *why)
{
	struct verify *v = ud;
	note_name(v, file, name);
	problem(v, (struct loc){ file, lineno }, "malformed", NULL, "%s", why);
}

static void verify_one(void *ud, const struct audit_event *ev)
{
	struct verify *v = ud;
	if (v->full || v->oom)
		return;
	note_name(v, ev->fileidx, ev->file);
	struct loc here = { ev->fileidx, ev->lineno };
	char hash[65];
	(void)mb_report_chain_link(ev->line, ev->len, hash); /* loaded: audit_verify */
	ssize_t i = find(v, ev->session);
	struct session *s;
	if (i < 0) {
		if (!(s = new_session(v, ev->session)))
			return;
		if (ev->seq != 0)
			problem(v, here, "removed", s->id,
				"session %s starts at seq %llu: its first line%s missing (removed, "
				"or in an older file: give rotated files oldest first)",
				s->id, (unsigned long long)ev->seq, ev->seq == 1 ? " is" : "s are");
		else if (strcmp(ev->prev, mb_report_chain_start) != 0)
			problem(v, here, "edited", s->id,
				"the first line of session %s has a prev that is not 64 zeros", s->id);
	} else {
		s = &v->s[i];
		/* The exit line is signed by a checkpoint that follows it. */
		if (s->ended && strcmp(ev->event, "checkpoint") != 0)
			problem(v, here, "after-exit", s->id,
				"seq %llu of session %s comes after its exit line (%s:%llu)",
				(unsigned long long)ev->seq, s->id, name_of(v, s->last.file),
				(unsigned long long)s->last.line);
		if (ev->seq == s->next) {
			if (strcmp(ev->prev, s->hash) != 0)
				problem(v, s->last, "edited", s->id,
					"seq %llu of session %s was edited: its SHA-256 is not the prev "
					"that seq %llu records (%s:%llu), or that prev was altered",
					(unsigned long long)(s->next - 1), s->id,
					(unsigned long long)ev->seq, ev->file,
					(unsigned long long)ev->lineno);
		} else if (ev->seq > s->next) {
			close_gap(v, s);
			s->gap = true;
			s->gap_lo = s->next;
			s->gap_hi = ev->seq - 1;
			s->gap_filled = 0;
			s->gap_at = here;
		} else {
			if (s->gap && ev->seq >= s->gap_lo && ev->seq <= s->gap_hi) {
				s->gap_filled++;
				problem(v, here, "reordered", s->id,
					"seq %llu of session %s is out of order: it belongs before %s:%llu",
					(unsigned long long)ev->seq, s->id, name_of(v, s->gap_at.file),
					(unsigned long long)s->gap_at.line);
			} else {
				problem(v, here, "reordered", s->id,
					"seq %llu of session %s comes after seq %llu (%s:%llu): "
					"duplicated or out of order",
					(unsigned long long)ev->seq, s->id,
					(unsigned long long)(s->next - 1), name_of(v, s->last.file),
					(unsigned long long)s->last.line);
			}
			/* The chain goes on from the later line. */
			return;
		}
	}
	s->next = ev->seq + 1;
	memcpy(s->hash, hash, sizeof(hash));
	s->last = here;
	if (v->key) {
		if (strcmp(ev->event, "checkpoint") == 0) {
			if (check_checkpoint(v, ev, here)) {
				s->unsigned_open = false;
				s->signed_any = true;
			}
		} else if (!s->unsigned_open) {
			s->unsigned_open = true;
			s->unsigned_at = here;
			s->unsigned_seq = ev->seq;
		}
	}
	if (!s->ended && strcmp(ev->event, "exit") == 0) {
		s->ended = true;
		ssize_t idx = s - v->s;
		if (v->ended_tail >= 0)
			v->s[v->ended_tail].next_ended = idx;
		else
			v->ended_head = idx;
		v->ended_tail = idx;
	}
}

static int by_loc(const void *a, const void *b)
{
	const struct problem *x = a, *y = b;
	return loc_cmp(x->at, y->at);
}

static void print_text(struct verify *v, const struct audit_walk *w)
{
	qsort(v->p, v->np, sizeof(*v->p), by_loc);
	for (size_t i = 0; i < v->np; i++) {
		printf("%s:%llu: %s: ", name_of(v, v->p[i].at.file),
		       (unsigned long long)v->p[i].at.line, v->p[i].kind);
		audit_put_safe(stdout, v->p[i].msg);
		putchar('\n');
	}
	if (v->problems > v->np)
		printf("... and %llu more problems\n", (unsigned long long)(v->problems - v->np));
	size_t notes = 0;
	for (size_t i = 0; i < v->n; i++) {
		struct session *s = &v->s[i];
		if (s->ended || !s->id[0] || find(v, s->id) != (ssize_t)i)
			continue;
		if (notes++ < VERIFY_NOTE_CAP)
			printf("note: session %s ends at %s:%llu (seq %llu) without an exit line: "
			       "still running, or its last lines were removed\n",
			       s->id, name_of(v, s->last.file), (unsigned long long)s->last.line,
			       (unsigned long long)(s->next - 1));
	}
	if (notes > VERIFY_NOTE_CAP)
		printf("note: %zu more sessions without an exit line\n", notes - VERIFY_NOTE_CAP);
	for (size_t i = 0, shown = 0; v->key && i < v->n; i++) {
		struct session *s = &v->s[i];
		if (s->ended || !s->id[0] || find(v, s->id) != (ssize_t)i || !s->unsigned_open)
			continue;
		if (shown++ < VERIFY_NOTE_CAP)
			printf("note: session %s is unsigned from %s:%llu (seq %llu) on: not "
			       "checkpointed yet, or its last checkpoint was removed\n",
			       s->id, name_of(v, s->unsigned_at.file),
			       (unsigned long long)s->unsigned_at.line,
			       (unsigned long long)s->unsigned_seq);
	}
	if (v->problems)
		printf("membrane-audit verify: %llu problem%s in %llu lines; the first is at %s:%llu\n",
		       (unsigned long long)v->problems, v->problems == 1 ? "" : "s",
		       (unsigned long long)w->lines, name_of(v, v->first.at.file),
		       (unsigned long long)v->first.at.line);
	else if (v->key)
		printf("membrane-audit verify: %llu lines, %llu session%s: every chain is intact "
		       "and signed by key %s (%llu checkpoints)\n",
		       (unsigned long long)w->lines, (unsigned long long)v->sessions,
		       v->sessions == 1 ? "" : "s", v->key->id, (unsigned long long)v->checkpoints);
	else
		printf("membrane-audit verify: %llu lines, %llu session%s: every chain is intact\n",
		       (unsigned long long)w->lines, (unsigned long long)v->sessions,
		       v->sessions == 1 ? "" : "s");
}

static cJSON *problem_json(struct verify *v, const struct problem *p)
{
	cJSON *o = cJSON_CreateObject();
	if (o && cJSON_AddStringToObject(o, "file", name_of(v, p->at.file)) &&
	    cJSON_AddNumberToObject(o, "line", (double)p->at.line) &&
	    cJSON_AddStringToObject(o, "kind", p->kind) &&
	    (!p->session[0] || cJSON_AddStringToObject(o, "session", p->session)) &&
	    cJSON_AddStringToObject(o, "message", p->msg))
		return o;
	cJSON_Delete(o);
	return NULL;
}

static int print_json(struct verify *v, const struct audit_walk *w)
{
	qsort(v->p, v->np, sizeof(*v->p), by_loc);
	cJSON *o = cJSON_CreateObject();
	cJSON *a = cJSON_AddArrayToObject(o, "problems");
	bool okay = o && a && cJSON_AddNumberToObject(o, "lines", (double)w->lines) &&
		    cJSON_AddNumberToObject(o, "sessions", (double)v->sessions) &&
		    cJSON_AddNumberToObject(o, "problems_total", (double)v->problems) &&
		    cJSON_AddBoolToObject(o, "intact", v->problems == 0) &&
		    (!v->key || (cJSON_AddStringToObject(o, "key_id", v->key->id) &&
				 cJSON_AddNumberToObject(o, "checkpoints", (double)v->checkpoints)));
	for (size_t i = 0; okay && i < v->np; i++) {
		cJSON *p = problem_json(v, &v->p[i]);
		okay = p && cJSON_AddItemToArray(a, p);
	}
	if (okay && v->problems) {
		cJSON *f = problem_json(v, &v->first);
		okay = f && cJSON_AddItemToObject(o, "first", f);
	}
	cJSON *open = okay ? cJSON_AddArrayToObject(o, "without_exit") : NULL;
	okay = okay && open;
	for (size_t i = 0; okay && i < v->n; i++) {
		struct session *s = &v->s[i];
		if (s->ended || !s->id[0] || find(v, s->id) != (ssize_t)i)
			continue;
		cJSON *e = cJSON_CreateObject();
		okay = e && cJSON_AddStringToObject(e, "session", s->id) &&
		       cJSON_AddStringToObject(e, "file", name_of(v, s->last.file)) &&
		       cJSON_AddNumberToObject(e, "line", (double)s->last.line) &&
		       cJSON_AddNumberToObject(e, "seq", (double)(s->next - 1)) &&
		       (!v->key || !s->unsigned_open ||
			cJSON_AddNumberToObject(e, "unsigned_from_line", (double)s->unsigned_at.line)) &&
		       cJSON_AddItemToArray(open, e);
	}
	return audit_put_json(o, okay, false);
}

int audit_verify(const struct audit_input *in)
{
	struct verify v = { .in = in, .free_list = -1, .ended_head = -1, .ended_tail = -1 };
	struct mb_report_key key;
	/* The chain is SHA-256: without it nothing can be verified. */
	if (mb_nettle_load() < 0) {
		fprintf(stderr, "membrane-audit verify: cannot load %s\n", mb_nettle_error());
		return AUDIT_EXIT_USAGE;
	}
	if (in->key) {
		struct mb_error err = { 0 };
		if (mb_report_key_load(in->key, false, &key, &err) < 0) {
			fprintf(stderr, "membrane-audit: %s\n", err.msg);
			return AUDIT_EXIT_USAGE;
		}
		mb_report_key_wipe(&key);
		v.key = &key;
	}
	v.nbuckets = 2 * VERIFY_SESSION_CAP;
	v.bucket = malloc(v.nbuckets * sizeof(*v.bucket));
	v.p = calloc(VERIFY_PROBLEM_CAP, sizeof(*v.p));
	int status = AUDIT_EXIT_USAGE;
	if (!v.bucket || !v.p) {
		v.oom = true;
		goto out;
	}
	for (size_t i = 0; i < v.nbuckets; i++)
		v.bucket[i] = -1;
	struct audit_walk w = { .on_malformed = verify_malformed };
	status = audit_walk(in, &w, verify_one, &v);
	if (v.full) {
		fprintf(stderr,
			"membrane-audit verify: more than %d sessions open at once: cannot verify "
			"in bounded memory; verify the sessions in parts (list --json --session)\n",
			VERIFY_SESSION_CAP);
		status = AUDIT_EXIT_USAGE;
		goto out;
	}
	for (size_t i = 0; i < v.n; i++)
		if (v.s[i].id[0] && find(&v, v.s[i].id) == (ssize_t)i) {
			close_gap(&v, &v.s[i]);
			close_signed(&v, &v.s[i]);
		}
	if (v.oom || status)
		goto out;
	if (in->json) {
		if (print_json(&v, &w) < 0)
			v.oom = true;
	} else {
		print_text(&v, &w);
	}
	status = v.problems ? AUDIT_EXIT_VERIFY_FAILED : AUDIT_EXIT_OK;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("membrane-audit: writing the result");
		status = AUDIT_EXIT_USAGE;
	}
out:
	if (v.oom) {
		fputs("membrane-audit: out of memory\n", stderr);
		status = AUDIT_EXIT_USAGE;
	}
	for (size_t i = 0; i < v.np; i++)
		free(v.p[i].msg);
	free(v.first.msg);
	for (size_t i = 0; i < v.nnames; i++)
		free(v.names[i]);
	free(v.names);
	free(v.p);
	free(v.s);
	free(v.bucket);
	return status;
}
