/* SPDX-License-Identifier: Apache-2.0 */
/* membrane-audit tools and sessions: views across many reports and servers.
 * tools: per (profile, tool), what its calls did and what was denied them;
 * sessions: per session, its calls and everything that went wrong in it
 * (membrane-audit(1)). Bounded tables: at most VIEW_TOOLS_CAP tools and
 * VIEW_SESSIONS_CAP sessions; what does not fit is counted and said. */
#include <errno.h>
#include <string.h>

#include "audit/audit.h"

#define VIEW_TOOLS_CAP 4096
#define VIEW_SESSIONS_CAP 65536

enum { D_READ, D_WRITE, D_EXEC, D_CONNECT, D__N };

struct tool_row {
	uint64_t calls, errors, timeouts, refused, denials, violations, limits, anomalies, decoys,
		exfiltrations;
	uint64_t bytes_in, bytes_out, did[D__N];
};

struct session_row {
	char profile[128], first[40], client[64], exit[32];
	uint64_t calls, violations, denials, refused, limits, anomalies, decoys, exfiltrations;
	bool killed;
};

struct views {
	const struct audit_input *in;
	struct audit_map *rows;
	bool sessions, full, oom;
	uint64_t left_out;
};

static double num(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	return cJSON_IsNumber(v) ? v->valuedouble : 0;
}

static bool is(const struct audit_event *ev, const char *event)
{
	return strcmp(ev->event, event) == 0;
}

static void tool_event(struct tool_row *t, const struct audit_event *ev)
{
	const cJSON *o = ev->json;
	bool denied = mb_streq(ev->decision, "denied");
	if (is(ev, "call")) {
		t->calls++;
		t->errors += mb_streq(ev->outcome, "tool_error") || mb_streq(ev->outcome, "rpc_error");
		t->timeouts += mb_streq(ev->outcome, "timeout");
		t->bytes_in += (uint64_t)num(o, "bytes_in");
		t->bytes_out += (uint64_t)num(o, "bytes_out");
		const cJSON *did = cJSON_GetObjectItemCaseSensitive(o, "did");
		for (int d = 0; d < D__N; d++)
			t->did[d] += (uint64_t)num(
				cJSON_GetObjectItemCaseSensitive(did, mb_report_did_ops[d]), "count");
	} else if (is(ev, "violation")) {
		t->violations += ev->count;
		t->denials += denied ? ev->count : 0;
	} else if (is(ev, "refused")) {
		t->refused++;
		t->denials += !mb_streq(ev->decision, "allowed");
	} else if (is(ev, "limit")) {
		t->limits++;
		t->denials += denied;
	} else if (is(ev, "anomaly")) {
		t->anomalies++;
	} else if (is(ev, "decoy")) {
		t->decoys++;
	} else if (is(ev, "exfiltration")) {
		t->exfiltrations++;
	}
}

static void session_event(struct session_row *s, const struct audit_event *ev)
{
	const cJSON *o = ev->json;
	if (!s->first[0]) {
		snprintf(s->first, sizeof(s->first), "%s", ev->time);
		snprintf(s->profile, sizeof(s->profile), "%s", ev->profile);
	}
	bool denied = mb_streq(ev->decision, "denied");
	if (is(ev, "call")) {
		s->calls++;
		const cJSON *client = cJSON_GetObjectItemCaseSensitive(o, "client");
		if (cJSON_IsString(client) && !s->client[0])
			snprintf(s->client, sizeof(s->client), "%s", client->valuestring);
	} else if (is(ev, "violation")) {
		s->violations += ev->count;
		s->denials += denied ? ev->count : 0;
	} else if (is(ev, "refused")) {
		s->refused++;
		s->denials += !mb_streq(ev->decision, "allowed");
	} else if (is(ev, "limit")) {
		s->limits++;
		s->denials += denied;
	} else if (is(ev, "anomaly")) {
		s->anomalies++;
	} else if (is(ev, "decoy")) {
		s->decoys++;
	} else if (is(ev, "exfiltration")) {
		s->exfiltrations++;
	} else if (is(ev, "killed")) {
		s->killed = true;
	} else if (is(ev, "exit")) {
		const cJSON *code = cJSON_GetObjectItemCaseSensitive(o, "code");
		const cJSON *sig = cJSON_GetObjectItemCaseSensitive(o, "signal");
		if (cJSON_IsNumber(sig))
			snprintf(s->exit, sizeof(s->exit), "signal %.0f", sig->valuedouble);
		else if (cJSON_IsNumber(code))
			snprintf(s->exit, sizeof(s->exit), "code %.0f", code->valuedouble);
	}
}

static void views_one(void *ud, const struct audit_event *ev)
{
	struct views *v = ud;
	if (v->sessions) {
		struct session_row *s = audit_map_get(v->rows, ev->session, true, &v->full);
		if (s)
			session_event(s, ev);
		else
			v->left_out++;
		return;
	}
	/* Each tool the event names; a tool is the profile's. */
	for (size_t i = 0; i < ev->ntools; i++) {
		char key[AUDIT_TOPK_KEY];
		snprintf(key, sizeof(key), "%s\x1f%s", ev->profile, ev->tools[i]);
		struct tool_row *t = audit_map_get(v->rows, key, true, &v->full);
		if (t)
			tool_event(t, ev);
		else
			v->left_out++;
	}
}

static uint64_t sort_key(const struct views *v, const struct tool_row *t)
{
	const char *by = v->in->by ? v->in->by : "calls";
	return strcmp(by, "denials") == 0 ? t->denials
	       : strcmp(by, "volume") == 0 ? t->bytes_out
					   : t->calls;
}

static const struct views *sort_views;
static int by_key(const void *a, const void *b)
{
	const struct tool_row *x = *(const struct tool_row *const *)a;
	const struct tool_row *y = *(const struct tool_row *const *)b;
	uint64_t kx = sort_key(sort_views, x), ky = sort_key(sort_views, y);
	if (kx != ky)
		return kx > ky ? -1 : 1;
	return strcmp(audit_map_entry_key(x), audit_map_entry_key(y));
}

/* The rows in print order (tools: by --by, largest first; sessions: as
 * met). The array is the caller's. */
static void **rows_sorted(struct views *v, size_t *n)
{
	*n = audit_map_count(v->rows);
	void **r = calloc(*n ? *n : 1, sizeof(*r));
	if (!r)
		return NULL;
	size_t i = 0;
	for (void *e = audit_map_next(v->rows, NULL); e; e = audit_map_next(v->rows, e))
		r[i++] = e;
	if (!v->sessions) {
		sort_views = v;
		qsort(r, *n, sizeof(*r), by_key);
	}
	return r;
}

static void put_padded(const char *s, size_t width)
{
	audit_put_safe(stdout, s);
	for (size_t w = audit_safe_width(s); w < width; w++)
		putchar(' ');
}

static void print_tools_text(void **rows, size_t n)
{
	printf("%-16s %-24s %7s %6s %7s %6s %9s %11s %6s %6s %5s %7s\n", "PROFILE", "TOOL", "CALLS",
	       "ERRORS", "DENIALS", "LIMITS", "ANOMALIES", "BYTES_OUT", "READ", "WRITE", "EXEC",
	       "CONNECT");
	for (size_t i = 0; i < n; i++) {
		const struct tool_row *t = rows[i];
		const char *key = audit_map_entry_key(t), *sep = strchr(key, '\x1f');
		char profile[128];
		snprintf(profile, sizeof(profile), "%.*s", (int)(sep - key), key);
		put_padded(profile, 16);
		putchar(' ');
		put_padded(sep + 1, 24);
		printf(" %7llu %6llu %7llu %6llu %9llu %11llu %6llu %6llu %5llu %7llu\n",
		       (unsigned long long)t->calls, (unsigned long long)t->errors,
		       (unsigned long long)t->denials, (unsigned long long)t->limits,
		       (unsigned long long)t->anomalies, (unsigned long long)t->bytes_out,
		       (unsigned long long)t->did[D_READ], (unsigned long long)t->did[D_WRITE],
		       (unsigned long long)t->did[D_EXEC], (unsigned long long)t->did[D_CONNECT]);
	}
}

static void print_sessions_text(void **rows, size_t n)
{
	printf("%-8s %-16s %-27s %6s %5s %6s %6s %4s %5s %5s %6s %s\n", "SESSION", "PROFILE",
	       "FIRST", "CALLS", "VIOL", "DENIED", "LIMITS", "ANOM", "DECOY", "EXFIL", "KILLED",
	       "EXIT");
	for (size_t i = 0; i < n; i++) {
		const struct session_row *s = rows[i];
		printf("%.8s ", audit_map_entry_key(s));
		put_padded(s->profile, 16);
		printf(" %-27s %6llu %5llu %6llu %6llu %4llu %5llu %5llu %6s %s\n", s->first,
		       (unsigned long long)s->calls, (unsigned long long)s->violations,
		       (unsigned long long)s->denials, (unsigned long long)s->limits,
		       (unsigned long long)s->anomalies, (unsigned long long)s->decoys,
		       (unsigned long long)s->exfiltrations, s->killed ? "yes" : "-",
		       s->exit[0] ? s->exit : "-");
	}
}

#define ADD_NUM(o, name, v) cJSON_AddNumberToObject(o, name, (double)(v))

static cJSON *tool_json(const struct tool_row *t)
{
	const char *key = audit_map_entry_key(t), *sep = strchr(key, '\x1f');
	cJSON *o = cJSON_CreateObject();
	char *profile = strndup(key, (size_t)(sep - key));
	cJSON *did = NULL;
	bool okay = o && profile && cJSON_AddStringToObject(o, "profile", profile) &&
		    cJSON_AddStringToObject(o, "tool", sep + 1) && ADD_NUM(o, "calls", t->calls) &&
		    ADD_NUM(o, "errors", t->errors) && ADD_NUM(o, "timeouts", t->timeouts) &&
		    ADD_NUM(o, "refused", t->refused) && ADD_NUM(o, "denials", t->denials) &&
		    ADD_NUM(o, "violations", t->violations) && ADD_NUM(o, "limits", t->limits) &&
		    ADD_NUM(o, "anomalies", t->anomalies) && ADD_NUM(o, "decoys", t->decoys) &&
		    ADD_NUM(o, "exfiltrations", t->exfiltrations) &&
		    ADD_NUM(o, "bytes_in", t->bytes_in) && ADD_NUM(o, "bytes_out", t->bytes_out) &&
		    (did = cJSON_AddObjectToObject(o, "did"));
	for (int d = 0; okay && d < D__N; d++)
		okay = ADD_NUM(did, mb_report_did_ops[d], t->did[d]);
	free(profile);
	if (!okay)
		cJSON_Delete(o);
	return okay ? o : NULL;
}

static cJSON *session_json(const struct session_row *s)
{
	cJSON *o = cJSON_CreateObject();
	bool okay = o && cJSON_AddStringToObject(o, "session", audit_map_entry_key(s)) &&
		    cJSON_AddStringToObject(o, "profile", s->profile) &&
		    cJSON_AddStringToObject(o, "first", s->first) &&
		    (!s->client[0] || cJSON_AddStringToObject(o, "client", s->client)) &&
		    ADD_NUM(o, "calls", s->calls) && ADD_NUM(o, "violations", s->violations) &&
		    ADD_NUM(o, "denials", s->denials) && ADD_NUM(o, "refused", s->refused) &&
		    ADD_NUM(o, "limits", s->limits) && ADD_NUM(o, "anomalies", s->anomalies) &&
		    ADD_NUM(o, "decoys", s->decoys) && ADD_NUM(o, "exfiltrations", s->exfiltrations) &&
		    cJSON_AddBoolToObject(o, "killed", s->killed) &&
		    (!s->exit[0] || cJSON_AddStringToObject(o, "exit", s->exit));
	if (!okay)
		cJSON_Delete(o);
	return okay ? o : NULL;
}

static int print_json(struct views *v, void **rows, size_t n)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *a = o ? cJSON_AddArrayToObject(o, v->sessions ? "sessions" : "tools") : NULL;
	bool okay = a && cJSON_AddBoolToObject(o, "overflowed", v->full) &&
		    ADD_NUM(o, "left_out", v->left_out);
	for (size_t i = 0; okay && i < n; i++) {
		cJSON *r = v->sessions ? session_json(rows[i]) : tool_json(rows[i]);
		okay = r && cJSON_AddItemToArray(a, r);
	}
	return audit_put_json(o, okay, false);
}

static int run(const struct audit_input *in, bool sessions)
{
	struct views v = {
		.in = in,
		.sessions = sessions,
		.rows = sessions ? audit_map_new(sizeof(struct session_row), VIEW_SESSIONS_CAP)
				 : audit_map_new(sizeof(struct tool_row), VIEW_TOOLS_CAP),
	};
	struct audit_walk w = { .filtered = true };
	if (!v.rows)
		return audit_done(0, &w, true, "the view");
	int status = audit_walk(in, &w, views_one, &v);
	size_t n = 0;
	void **rows = status ? NULL : rows_sorted(&v, &n);
	if (!status && !rows)
		v.oom = true;
	if (rows) {
		if (in->json)
			v.oom = print_json(&v, rows, n) < 0;
		else if (sessions)
			print_sessions_text(rows, n);
		else
			print_tools_text(rows, n);
		if (v.full && !in->json)
			printf("... the table was full (%d rows): %llu events of other %s were left out\n",
			       sessions ? VIEW_SESSIONS_CAP : VIEW_TOOLS_CAP,
			       (unsigned long long)v.left_out, sessions ? "sessions" : "tools");
	}
	free(rows);
	audit_map_free(v.rows);
	return audit_done(status, &w, v.oom, "the view");
}

int audit_tools(const struct audit_input *in)
{
	return run(in, false);
}

int audit_sessions(const struct audit_input *in)
{
	return run(in, true);
}
