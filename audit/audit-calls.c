/* SPDX-License-Identifier: Apache-2.0 */
/* membrane-audit calls and timeline: the call record read back
 * (membrane-report(5), "call"). calls prints one line per call, filtered
 * like list; timeline SESSION prints one session's lines in report order,
 * each call with what it did beneath it. Both stream: one line in memory at
 * a time. With --json both print the report's own lines. */
#include <string.h>

#include "audit/audit.h"

struct calls_state {
	const struct audit_input *in;
	bool timeline;
	uint64_t shown;
};

static double num(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static void put_duration(FILE *f, double ms)
{
	if (ms < 10)
		fprintf(f, "%.2f ms", ms);
	else if (ms < 10000)
		fprintf(f, "%.0f ms", ms);
	else
		fprintf(f, "%.1f s", ms / 1000);
}

/* One op of did: "read 2 (/a, /b, ...)", on one line. */
static bool put_did_short(FILE *f, const cJSON *did, const char *op, bool first)
{
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(did, op);
	double count = num(d, "count");
	if (count <= 0)
		return false;
	fprintf(f, "%s%s %.0f", first ? " " : "; ", op, count);
	const cJSON *t, *targets = cJSON_GetObjectItemCaseSensitive(d, "targets");
	int n = 0, all = cJSON_GetArraySize(targets);
	cJSON_ArrayForEach(t, targets) {
		if (!cJSON_IsString(t))
			continue;
		fputs(n ? ", " : " (", f);
		audit_put_safe(f, t->valuestring);
		n++;
	}
	if (n)
		fputs(count > all ? ", ...)" : ")", f);
	return true;
}

/* TOOL#ID OUTCOME DURATION in=N out=N */
static void put_call_head(FILE *f, const struct audit_event *ev)
{
	const cJSON *o = ev->json;
	audit_put_request(f, cJSON_GetObjectItemCaseSensitive(o, "request"));
	fputc(' ', f);
	audit_put_safe(f, ev->outcome ? ev->outcome : "?");
	fputc(' ', f);
	put_duration(f, num(o, "duration_ms"));
	fprintf(f, " in=%.0f out=%.0f", num(o, "bytes_in"), num(o, "bytes_out"));
}

static void put_call_line(FILE *f, const struct audit_event *ev)
{
	fputs(ev->time, f);
	fprintf(f, " %.8s ", ev->session);
	put_call_head(f, ev);
	const cJSON *did = cJSON_GetObjectItemCaseSensitive(ev->json, "did");
	bool any = false;
	for (size_t i = 0; mb_report_did_ops[i]; i++)
		any |= put_did_short(f, did, mb_report_did_ops[i], !any);
	if (!any)
		fputs(" did nothing watched", f);
	const cJSON *denied = cJSON_GetObjectItemCaseSensitive(ev->json, "denied");
	if (denied) {
		fputs(" | denied:", f);
		bool first = true;
		for (size_t i = 0; mb_report_did_ops[i]; i++)
			if (put_did_short(f, denied, mb_report_did_ops[i], first))
				first = false;
	}
	if (ev->reason) {
		fputs(": ", f);
		audit_put_safe(f, ev->reason);
	}
	fputc('\n', f);
}

/* A call in the timeline: its head, then each target it touched. */
static void put_call_block(FILE *f, const struct audit_event *ev)
{
	const cJSON *o = ev->json;
	fputs(ev->time, f);
	fputs(" call      ", f);
	put_call_head(f, ev);
	const cJSON *started = cJSON_GetObjectItemCaseSensitive(o, "started");
	if (cJSON_IsString(started)) {
		fputs(" (started ", f);
		audit_put_safe(f, started->valuestring);
		fputc(')', f);
	}
	if (ev->reason) {
		fputs(": ", f);
		audit_put_safe(f, ev->reason);
	}
	fputc('\n', f);
	static const char *const groups[] = { "did", "denied" };
	for (size_t g = 0; g < ARRAY_SIZE(groups); g++) {
		const cJSON *did = cJSON_GetObjectItemCaseSensitive(o, groups[g]);
		for (size_t i = 0; did && mb_report_did_ops[i]; i++) {
			const cJSON *d = cJSON_GetObjectItemCaseSensitive(did, mb_report_did_ops[i]);
			double count = num(d, "count");
			if (count <= 0)
				continue;
			const cJSON *t, *targets = cJSON_GetObjectItemCaseSensitive(d, "targets");
			int shown = 0;
			cJSON_ArrayForEach(t, targets) {
				if (!cJSON_IsString(t))
					continue;
				fprintf(f, "    %-7s %-7s ", shown ? "" : groups[g],
					shown ? "" : mb_report_did_ops[i]);
				audit_put_safe(f, t->valuestring);
				fputc('\n', f);
				shown++;
			}
			if (count > shown)
				fprintf(f, "    %-7s %-7s %s%.0f in all\n", shown ? "" : groups[g],
					shown ? "" : mb_report_did_ops[i], shown ? "... " : "", count);
		}
	}
}

static void calls_one(void *ud, const struct audit_event *ev)
{
	struct calls_state *st = ud;
	bool is_call = strcmp(ev->event, "call") == 0;
	if (!st->timeline && !is_call)
		return;
	if (st->timeline && strncmp(ev->session, st->in->session, strlen(st->in->session)) != 0)
		return;
	st->shown++;
	if (st->in->json) {
		fwrite(ev->line, 1, ev->len, stdout);
		fputc('\n', stdout);
	} else if (!st->timeline) {
		put_call_line(stdout, ev);
	} else if (is_call) {
		put_call_block(stdout, ev);
	} else if (strcmp(ev->event, "checkpoint") != 0) {
		audit_list_line(stdout, ev);
	}
}

static int run(const struct audit_input *in, bool timeline)
{
	struct calls_state st = { .in = in, .timeline = timeline };
	struct audit_walk w = { .filtered = true };
	int status = audit_walk(in, &w, calls_one, &st);
	if (timeline && !st.shown && !status)
		fprintf(stderr, "membrane-audit: timeline: no line of session %s\n", in->session);
	return audit_done(status, &w, false, timeline ? "the timeline" : "the calls");
}

int audit_calls(const struct audit_input *in)
{
	return run(in, false);
}

int audit_timeline(const struct audit_input *in)
{
	return run(in, true);
}
