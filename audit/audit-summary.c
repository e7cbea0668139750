/* SPDX-License-Identifier: Apache-2.0 */
/* membrane-audit summary: counts by event, profile, tool, op and decision,
 * and the most frequent targets, in bounded tables (audit_topk.c): at most
 * SUMMARY_DIM_CAP values per column and SUMMARY_TARGET_CAP targets, so
 * memory does not grow with the report. A table that filled up says so and
 * marks the counts that may be high. A line with a "count" weighs that
 * much in every table. */
#include <errno.h>
#include <string.h>

#include "audit/audit.h"

#define SUMMARY_DIM_CAP 256
#define SUMMARY_TARGET_CAP 4096
#define SUMMARY_SESSION_CAP 4096

enum { COL_EVENT, COL_PROFILE, COL_TOOL, COL_OP, COL_DECISION, COL_KIND, COL_TARGET, COL_SESSION,
       COL_N };

static const struct {
	const char *title, *json;
	size_t cap;
} columns[COL_N] = {
	[COL_EVENT] = { "EVENT", "by_event", SUMMARY_DIM_CAP },
	[COL_PROFILE] = { "PROFILE", "by_profile", SUMMARY_DIM_CAP },
	[COL_TOOL] = { "TOOL", "by_tool", SUMMARY_DIM_CAP },
	[COL_OP] = { "OP", "by_op", SUMMARY_DIM_CAP },
	[COL_DECISION] = { "DECISION", "by_decision", SUMMARY_DIM_CAP },
	[COL_KIND] = { "KIND", "by_kind", SUMMARY_DIM_CAP },
	[COL_TARGET] = { "TARGET", "top_targets", SUMMARY_TARGET_CAP },
	[COL_SESSION] = { "SESSION", "sessions", SUMMARY_SESSION_CAP },
};

struct summary {
	struct audit_topk *t[COL_N];
	uint64_t matched;
	uint64_t operations; /* matched lines weighted by their count */
	uint64_t weight;     /* the line being counted's */
	int64_t first_us, last_us;
	char first[40], last[40];
	bool oom;
};

static void count(struct summary *s, int col, const char *key)
{
	if (audit_topk_add(s->t[col], key, s->weight) < 0)
		s->oom = true;
}

static void summary_one(void *ud, const struct audit_event *ev)
{
	struct summary *s = ud;
	if (s->matched == 0 || ev->time_us < s->first_us) {
		s->first_us = ev->time_us;
		snprintf(s->first, sizeof(s->first), "%s", ev->time);
	}
	if (s->matched == 0 || ev->time_us > s->last_us) {
		s->last_us = ev->time_us;
		snprintf(s->last, sizeof(s->last), "%s", ev->time);
	}
	s->matched++;
	s->operations += ev->count;
	/* A line with a count stands for that many operations: the tables
	 * count operations, as if the repeats had been written one by one. */
	s->weight = ev->count;
	count(s, COL_EVENT, ev->event);
	count(s, COL_PROFILE, ev->profile);
	count(s, COL_SESSION, ev->session);
	/* A tool is counted once per event that names it; a violation with
	 * no request in flight happened while the server was idle. */
	for (size_t i = 0; i < ev->ntools; i++)
		count(s, COL_TOOL, ev->tools[i]);
	if (ev->has_requests && ev->ntools == 0)
		count(s, COL_TOOL, "(idle)");
	if (ev->op)
		count(s, COL_OP, ev->op);
	if (ev->decision)
		count(s, COL_DECISION, ev->decision);
	if (ev->kind)
		count(s, COL_KIND, ev->kind);
	if (ev->target)
		count(s, COL_TARGET, ev->target);
}

static void print_table(struct audit_topk *t, const char *title, size_t limit, bool *approx)
{
	size_t n;
	struct audit_topk_entry *e = audit_topk_sorted(t, &n);
	if (!e || n == 0) {
		free(e);
		return;
	}
	if (limit && n > limit)
		n = limit;
	int w = 5; /* "COUNT" */
	for (size_t i = 0; i < n; i++) {
		int d = snprintf(NULL, 0, "%llu", (unsigned long long)e[i].count) + (e[i].error > 0);
		w = d > w ? d : w;
	}
	printf("\n%*s  %s\n", w, "COUNT", title);
	for (size_t i = 0; i < n; i++) {
		char num[32];
		snprintf(num, sizeof(num), "%s%llu", e[i].error ? "~" : "",
			 (unsigned long long)e[i].count);
		printf("%*s  ", w, num);
		audit_put_safe(stdout, e[i].key);
		putchar('\n');
		*approx = *approx || e[i].error;
	}
	free(e);
}

static void print_text(struct summary *s, const struct audit_walk *w, const struct audit_input *in)
{
	printf("events    %llu", (unsigned long long)w->events);
	if (w->filtered && !audit_filter_empty(&in->filter))
		printf(" (%llu matching)", (unsigned long long)s->matched);
	if (s->operations != s->matched)
		printf(", standing for %llu operations (repeats written once with a count)",
		       (unsigned long long)s->operations);
	if (w->malformed)
		printf(", %llu malformed line%s skipped", (unsigned long long)w->malformed,
		       w->malformed == 1 ? "" : "s");
	putchar('\n');
	if (s->matched) {
		printf("first     %s\nlast      %s\n", s->first, s->last);
		size_t n;
		free(audit_topk_sorted(s->t[COL_SESSION], &n));
		if (audit_topk_overflowed(s->t[COL_SESSION]))
			printf("sessions  more than %d\n", SUMMARY_SESSION_CAP);
		else
			printf("sessions  %zu\n", n);
	}
	bool approx = false;
	print_table(s->t[COL_EVENT], "EVENT", 0, &approx);
	print_table(s->t[COL_PROFILE], "PROFILE", 0, &approx);
	print_table(s->t[COL_TOOL], "TOOL", 0, &approx);
	print_table(s->t[COL_OP], "OP", 0, &approx);
	print_table(s->t[COL_DECISION], "DECISION", 0, &approx);
	print_table(s->t[COL_KIND], "KIND", 0, &approx);
	char title[128];
	snprintf(title, sizeof(title), "TARGET (top %zu of %llu events with a target%s)", in->top,
		 (unsigned long long)audit_topk_total(s->t[COL_TARGET]),
		 audit_topk_overflowed(s->t[COL_TARGET]) ? "; table full: rare ones are estimates" : "");
	print_table(s->t[COL_TARGET], title, in->top, &approx);
	if (approx)
		printf("\n~: a table was full; this count may be high by up to its error "
		       "(--json shows it)\n");
}

static cJSON *json_table(struct audit_topk *t, size_t limit)
{
	size_t n;
	struct audit_topk_entry *e = audit_topk_sorted(t, &n);
	cJSON *a = cJSON_CreateArray();
	if (!e || !a) {
		free(e);
		cJSON_Delete(a);
		return NULL;
	}
	if (limit && n > limit)
		n = limit;
	for (size_t i = 0; i < n; i++) {
		cJSON *o = cJSON_CreateObject();
		if (!o || !cJSON_AddStringToObject(o, "value", e[i].key) ||
		    !cJSON_AddNumberToObject(o, "count", (double)e[i].count) ||
		    !cJSON_AddNumberToObject(o, "error", (double)e[i].error)) {
			cJSON_Delete(o);
			cJSON_Delete(a);
			free(e);
			return NULL;
		}
		cJSON_AddItemToArray(a, o);
	}
	free(e);
	return a;
}

static int print_json(struct summary *s, const struct audit_walk *w, const struct audit_input *in)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return -ENOMEM;
	bool okay = cJSON_AddNumberToObject(o, "lines", (double)w->lines) &&
		    cJSON_AddNumberToObject(o, "events", (double)w->events) &&
		    cJSON_AddNumberToObject(o, "matched", (double)s->matched) &&
		    cJSON_AddNumberToObject(o, "operations", (double)s->operations) &&
		    cJSON_AddNumberToObject(o, "malformed", (double)w->malformed);
	if (okay && s->matched)
		okay = cJSON_AddStringToObject(o, "first", s->first) &&
		       cJSON_AddStringToObject(o, "last", s->last);
	size_t nsess;
	free(audit_topk_sorted(s->t[COL_SESSION], &nsess));
	okay = okay && cJSON_AddNumberToObject(o, "sessions", (double)nsess) &&
	       cJSON_AddBoolToObject(o, "sessions_overflowed",
				     audit_topk_overflowed(s->t[COL_SESSION]));
	for (int c = COL_EVENT; okay && c <= COL_TARGET; c++) {
		cJSON *a = json_table(s->t[c], c == COL_TARGET ? in->top : 0);
		okay = a && cJSON_AddItemToObject(o, columns[c].json, a);
		if (!okay)
			cJSON_Delete(a);
	}
	return audit_put_json(o, okay, false);
}

int audit_summary(const struct audit_input *in)
{
	struct summary s = { 0 };
	int status = AUDIT_EXIT_OK;
	for (int c = 0; c < COL_N; c++)
		if (!(s.t[c] = audit_topk_new(columns[c].cap)))
			s.oom = true;
	struct audit_walk w = { .filtered = true };
	if (!s.oom)
		status = audit_walk(in, &w, summary_one, &s);
	if (!s.oom && !status) {
		if (in->json) {
			if (print_json(&s, &w, in) < 0)
				s.oom = true;
		} else {
			print_text(&s, &w, in);
		}
	}
	for (int c = 0; c < COL_N; c++)
		audit_topk_free(s.t[c]);
	if (s.oom) {
		fputs("membrane-audit: out of memory\n", stderr);
		return AUDIT_EXIT_USAGE;
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("membrane-audit: writing the summary");
		return AUDIT_EXIT_USAGE;
	}
	if (status)
		return status;
	return w.malformed ? AUDIT_EXIT_MALFORMED : AUDIT_EXIT_OK;
}
