/* SPDX-License-Identifier: Apache-2.0 */
/* membrane-audit baseline: what normal looks like, learnt from the call
 * records of past sessions (membrane-report(5), "call"), as the JSON that
 * membrane-run --baseline (or the profile's anomaly.baseline) reads back
 * (supervisor/record/anomaly.c; membrane-audit(1), BASELINES).
 *
 * Per tool: how many calls a session made and, within any 60 seconds, at
 * most; and per call the largest and the mean of its bytes each way, its
 * duration and the count of each op it did. Rates are computed per session
 * from the calls' start times, sorted when the session ends (its exit line,
 * or the end of the input): one session's start times are held until then,
 * at most BASELINE_STARTS_CAP of them per tool (a rate over more is given
 * as at least that). */
#include <errno.h>
#include <string.h>

#include "audit/audit.h"

#define BASELINE_TOOLS_CAP 4096
#define BASELINE_OPEN_CAP 65536 /* (tool, session) pairs still open */
#define BASELINE_STARTS_CAP 1000000
#define MINUTE_US 60000000LL

enum { M_BYTES_IN, M_BYTES_OUT, M_DURATION, M_READ, M_WRITE, M_EXEC, M_CONNECT, M__N };
static const char *const metric_names[M__N] = {
	"bytes_in", "bytes_out", "duration_ms", "read", "write", "exec", "connect",
};

struct stat {
	double max, sum;
};

struct tool {
	uint64_t calls, sessions;
	uint64_t per_minute_max, per_session_max, per_session_sum;
	struct stat m[M__N];
	uint64_t outcomes[8];
};

/* One tool's calls in one session still open. */
struct open_pair {
	char tool[AUDIT_TOPK_KEY];
	char session[33];
	uint64_t calls;
	int64_t *starts;
	size_t n, cap;
	bool capped;
};

struct baseline {
	struct audit_map *tools, *open;
	uint64_t calls, sessions_seen;
	char first[40], last[40];
	int64_t first_us, last_us;
	bool tools_full, open_full, oom;
	uint64_t starts; /* sessions: their start lines */
	struct audit_topk *profiles;
};

static double num(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* A pair's session ended: fold its rate and count into its tool. */
static void close_pair(struct baseline *b, struct open_pair *p)
{
	struct tool *t = audit_map_get(b->tools, p->tool, false, NULL);
	if (t) {
		qsort(p->starts, p->n, sizeof(*p->starts), cmp_i64);
		uint64_t best = 0;
		for (size_t i = 0, j = 0; i < p->n; i++) {
			while (p->starts[i] - p->starts[j] >= MINUTE_US)
				j++;
			best = MB_MAX(best, (uint64_t)(i - j + 1));
		}
		t->per_minute_max = MB_MAX(t->per_minute_max, best);
		t->per_session_max = MB_MAX(t->per_session_max, p->calls);
		t->per_session_sum += p->calls;
		t->sessions++;
	}
	free(p->starts);
	p->starts = NULL;
}

static void close_session(struct baseline *b, const char *session)
{
	for (struct open_pair *p = audit_map_next(b->open, NULL), *next; p; p = next) {
		next = audit_map_next(b->open, p);
		if (strcmp(p->session, session) != 0)
			continue;
		close_pair(b, p);
		audit_map_del(b->open, audit_map_entry_key(p));
	}
}

static void add_call(struct baseline *b, const struct audit_event *ev, const char *tool)
{
	const cJSON *o = ev->json;
	struct tool *t = audit_map_get(b->tools, tool, true, &b->tools_full);
	if (!t)
		return;
	char key[AUDIT_TOPK_KEY + 40];
	snprintf(key, sizeof(key), "%s\x1f%s", ev->session, tool);
	struct open_pair *p = audit_map_get(b->open, key, true, &b->open_full);
	if (!p)
		return;
	if (!p->session[0]) {
		snprintf(p->tool, sizeof(p->tool), "%s", tool);
		snprintf(p->session, sizeof(p->session), "%s", ev->session);
	}
	b->calls++;
	t->calls++;
	p->calls++;
	int64_t start = ev->time_us - (int64_t)(num(o, "duration_ms") * 1000);
	const cJSON *started = cJSON_GetObjectItemCaseSensitive(o, "started");
	if (cJSON_IsString(started))
		(void)audit_parse_rfc3339(started->valuestring, &start);
	if (p->n == p->cap && !p->capped) {
		size_t cap = p->cap ? p->cap * 2 : 16;
		int64_t *s = cap <= BASELINE_STARTS_CAP ? realloc(p->starts, cap * sizeof(*s)) : NULL;
		if (s) {
			p->starts = s;
			p->cap = cap;
		} else {
			p->capped = true;
		}
	}
	if (p->n < p->cap)
		p->starts[p->n++] = start;
	const cJSON *did = cJSON_GetObjectItemCaseSensitive(o, "did");
	double v[M__N] = {
		[M_BYTES_IN] = num(o, "bytes_in"),
		[M_BYTES_OUT] = num(o, "bytes_out"),
		[M_DURATION] = num(o, "duration_ms"),
		[M_READ] = num(cJSON_GetObjectItemCaseSensitive(did, "read"), "count"),
		[M_WRITE] = num(cJSON_GetObjectItemCaseSensitive(did, "write"), "count"),
		[M_EXEC] = num(cJSON_GetObjectItemCaseSensitive(did, "exec"), "count"),
		[M_CONNECT] = num(cJSON_GetObjectItemCaseSensitive(did, "connect"), "count"),
	};
	for (int m = 0; m < M__N; m++) {
		t->m[m].max = MB_MAX(t->m[m].max, v[m]);
		t->m[m].sum += v[m];
	}
	for (size_t i = 0; ev->outcome && mb_report_outcomes[i] && i < ARRAY_SIZE(t->outcomes); i++)
		if (strcmp(ev->outcome, mb_report_outcomes[i]) == 0)
			t->outcomes[i]++;
}

static void baseline_one(void *ud, const struct audit_event *ev)
{
	struct baseline *b = ud;
	if (audit_topk_add(b->profiles, ev->profile, 1) < 0)
		b->oom = true;
	b->starts += strcmp(ev->event, "start") == 0;
	if (strcmp(ev->event, "exit") == 0) {
		close_session(b, ev->session);
		return;
	}
	if (strcmp(ev->event, "call") != 0 || !ev->method || strcmp(ev->method, "tools/call") != 0 ||
	    !ev->ntools)
		return;
	if (!b->calls || ev->time_us < b->first_us) {
		b->first_us = ev->time_us;
		snprintf(b->first, sizeof(b->first), "%s", ev->time);
	}
	if (!b->calls || ev->time_us > b->last_us) {
		b->last_us = ev->time_us;
		snprintf(b->last, sizeof(b->last), "%s", ev->time);
	}
	add_call(b, ev, ev->tools[0]);
}

static cJSON *stat_json(double max, double mean)
{
	cJSON *o = cJSON_CreateObject();
	if (o && (!cJSON_AddNumberToObject(o, "max", max) ||
		  !cJSON_AddNumberToObject(o, "mean", mean))) {
		cJSON_Delete(o);
		o = NULL;
	}
	return o;
}

static bool add_tool_json(cJSON *tools, const char *name, const struct tool *t)
{
	cJSON *o = cJSON_CreateObject();
	if (!o || !cJSON_AddItemToObject(tools, name, o))
		return cJSON_Delete(o), false;
	bool okay = cJSON_AddNumberToObject(o, "calls", (double)t->calls) &&
		    cJSON_AddNumberToObject(o, "sessions", (double)t->sessions);
	cJSON *pm = cJSON_CreateObject();
	okay = okay && pm && cJSON_AddItemToObject(o, "per_minute", pm) &&
	       cJSON_AddNumberToObject(pm, "max", (double)t->per_minute_max);
	cJSON *ps = stat_json((double)t->per_session_max,
			      t->sessions ? (double)t->per_session_sum / (double)t->sessions : 0);
	okay = okay && ps && cJSON_AddItemToObject(o, "per_session", ps);
	for (int m = 0; okay && m < M__N; m++) {
		cJSON *s = stat_json(t->m[m].max, t->calls ? t->m[m].sum / (double)t->calls : 0);
		okay = s && cJSON_AddItemToObject(o, metric_names[m], s);
	}
	cJSON *oc = okay ? cJSON_AddObjectToObject(o, "outcomes") : NULL;
	okay = okay && oc;
	for (size_t i = 0; okay && mb_report_outcomes[i] && i < ARRAY_SIZE(t->outcomes); i++)
		if (t->outcomes[i])
			okay = cJSON_AddNumberToObject(oc, mb_report_outcomes[i], (double)t->outcomes[i]);
	return okay;
}

static int print_json(struct baseline *b, const struct audit_walk *w)
{
	cJSON *o = cJSON_CreateObject();
	size_t nprof = 0;
	struct audit_topk_entry *prof = audit_topk_sorted(b->profiles, &nprof);
	cJSON *profiles = o ? cJSON_AddArrayToObject(o, "profiles") : NULL;
	bool okay = o && profiles && prof && cJSON_AddNumberToObject(o, "version", 1);
	for (size_t i = 0; okay && i < nprof; i++)
		okay = cJSON_AddItemToArray(profiles, cJSON_CreateString(prof[i].key));
	free(prof);
	okay = okay && cJSON_AddNumberToObject(o, "sessions", (double)b->starts) &&
	       cJSON_AddNumberToObject(o, "calls", (double)b->calls) &&
	       cJSON_AddNumberToObject(o, "lines", (double)w->lines) &&
	       (!b->calls || (cJSON_AddStringToObject(o, "from", b->first) &&
			      cJSON_AddStringToObject(o, "until", b->last)));
	cJSON *tools = okay ? cJSON_AddObjectToObject(o, "tools") : NULL;
	okay = okay && tools;
	for (const struct tool *t = audit_map_next(b->tools, NULL); okay && t;
	     t = audit_map_next(b->tools, t))
		okay = add_tool_json(tools, audit_map_entry_key(t), t);
	return audit_put_json(o, okay, true);
}

int audit_baseline(const struct audit_input *in)
{
	struct baseline b = {
		.tools = audit_map_new(sizeof(struct tool), BASELINE_TOOLS_CAP),
		.open = audit_map_new(sizeof(struct open_pair), BASELINE_OPEN_CAP),
		.profiles = audit_topk_new(256),
	};
	int status = AUDIT_EXIT_USAGE;
	struct audit_walk w = { .filtered = true };
	if (b.tools && b.open && b.profiles)
		status = audit_walk(in, &w, baseline_one, &b);
	else
		b.oom = true;
	/* Sessions without an exit line (still running, or cut): as they are. */
	for (struct open_pair *p = b.open ? audit_map_next(b.open, NULL) : NULL; p;
	     p = audit_map_next(b.open, p))
		close_pair(&b, p);
	if (b.tools_full || b.open_full)
		fprintf(stderr,
			"membrane-audit baseline: more than %d tools, or %d tools of sessions "
			"open at once: the rest were left out (give fewer reports at once)\n",
			BASELINE_TOOLS_CAP, BASELINE_OPEN_CAP);
	if (!b.oom && !status && !b.calls)
		fprintf(stderr, "membrane-audit baseline: no call of a tool in the reports (were "
				"they written with --record none?)\n");
	if (!b.oom && !status && print_json(&b, &w) < 0)
		b.oom = true;
	audit_map_free(b.tools);
	audit_map_free(b.open);
	audit_topk_free(b.profiles);
	return audit_done(status, &w, b.oom, "the baseline");
}
