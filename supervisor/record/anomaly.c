/* SPDX-License-Identifier: Apache-2.0 */
/* Anomalies (supervisor/record/anomaly.h): the baseline read back, and the
 * checks of a session against it: a call's rate and the session's count
 * when it starts, its volumes and what it did when it ends. Each tool and
 * metric is reported once per session; with anomaly.action refuse, the
 * tool's calls are refused from then on. */
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "common/strbuf.h"
#include "supervisor/record/record-internal.h"

#define BASELINE_FILE_MAX (16u << 20)

static const char *const metric_names[MB_METRIC_COUNT_] = {
	[MB_METRIC_PER_MINUTE] = "per_minute", [MB_METRIC_PER_SESSION] = "per_session",
	[MB_METRIC_BYTES_IN] = "bytes_in",     [MB_METRIC_BYTES_OUT] = "bytes_out",
	[MB_METRIC_READ] = "read",	       [MB_METRIC_WRITE] = "write",
	[MB_METRIC_EXEC] = "exec",	       [MB_METRIC_CONNECT] = "connect",
	[MB_METRIC_UNSEEN] = "unseen",
};

const char *mb_anomaly_metric_name(enum mb_anomaly_metric m)
{
	return (unsigned)m < MB_METRIC_COUNT_ ? metric_names[m] : "?";
}

void mb_baseline_free(struct mb_baseline *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->n; i++)
		free(b->tools[i].name);
	free(b->tools);
	free(b);
}

/* tool.METRIC.max, a number >= 0; missing: 0 (never seen doing it). */
static int metric_max(const cJSON *tool, enum mb_anomaly_metric m, double *ret)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(tool, metric_names[m]);
	const cJSON *max = cJSON_GetObjectItemCaseSensitive(o, "max");
	*ret = 0;
	if (!o)
		return 0;
	if (!cJSON_IsNumber(max) || !isfinite(max->valuedouble) || max->valuedouble < 0)
		return -EINVAL;
	*ret = max->valuedouble;
	return 0;
}

int mb_baseline_parse(const char *name, const char *text, size_t len, struct mb_baseline **ret,
		      struct mb_error *err)
{
	const char *fix = "make it with membrane-audit baseline REPORT... > FILE";
	cJSON *o = cJSON_ParseWithLength(text, len);
	if (!o)
		return mb_error_set(err, -EINVAL, "baseline %s: not JSON (%s)", name, fix);
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "version");
	const cJSON *tools = cJSON_GetObjectItemCaseSensitive(o, "tools");
	if (!cJSON_IsNumber(v) || v->valuedouble != 1 || !cJSON_IsObject(tools)) {
		cJSON_Delete(o);
		return mb_error_set(err, -EINVAL,
				    "baseline %s: no \"version\":1 and \"tools\" object (%s)", name, fix);
	}
	struct mb_baseline *b = calloc(1, sizeof(*b));
	size_t n = (size_t)cJSON_GetArraySize(tools);
	if (b)
		b->tools = calloc(n ? n : 1, sizeof(*b->tools));
	if (!b || !b->tools) {
		mb_baseline_free(b);
		cJSON_Delete(o);
		return mb_error_set(err, -ENOMEM, "baseline %s: out of memory", name);
	}
	b->sessions = (uint64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, "sessions"));
	b->calls = (uint64_t)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, "calls"));
	const cJSON *t;
	int r = 0;
	cJSON_ArrayForEach(t, tools) {
		struct mb_baseline_tool *bt = &b->tools[b->n];
		if (!cJSON_IsObject(t) || !(bt->name = strdup(t->string))) {
			r = cJSON_IsObject(t) ? -ENOMEM : -EINVAL;
			break;
		}
		b->n++;
		for (unsigned m = 0; r == 0 && m < MB_METRIC_UNSEEN; m++)
			r = metric_max(t, (enum mb_anomaly_metric)m, &bt->max[m]);
		if (r < 0)
			break;
	}
	cJSON_Delete(o);
	if (r < 0) {
		mb_baseline_free(b);
		return mb_error_set(err, r, "baseline %s: tool %s: %s (%s)", name,
				    t && t->string ? t->string : "?",
				    r == -ENOMEM ? "out of memory" : "a metric without a number max >= 0",
				    fix);
	}
	*ret = b;
	return 0;
}

int mb_baseline_load(const char *path, struct mb_baseline **ret, struct mb_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    (uint64_t)st.st_size > BASELINE_FILE_MAX) {
		int e = fd < 0 ? mb_neg_errno() : -EINVAL;
		mb_close(fd);
		return mb_error_set(err, e, "baseline %s: %s (make it with membrane-audit baseline "
					    "REPORT... > FILE)",
				    path, e == -EINVAL ? "not a regular file of at most 16 MiB"
						       : strerror(-e));
	}
	char *text = malloc((size_t)st.st_size + 1);
	ssize_t n = text ? read(fd, text, (size_t)st.st_size) : -1;
	mb_close(fd);
	if (n < 0) {
		free(text);
		return mb_error_set(err, text ? mb_neg_errno() : -ENOMEM, "baseline %s: cannot read it",
				    path);
	}
	int r = mb_baseline_parse(path, text, (size_t)n, ret, err);
	free(text);
	return r;
}

const struct mb_baseline_tool *mb_baseline_tool(const struct mb_baseline *b, const char *name)
{
	for (size_t i = 0; b && i < b->n; i++)
		if (strcmp(b->tools[i].name, name) == 0)
			return &b->tools[i];
	return NULL;
}

/* ---- the checks ---- */

static bool refusing(const struct mb_record *r)
{
	return r->cfg.profile->anomaly.action == MB_ANOMALY_REFUSE && rec_enforcing(r);
}

/* Report tool's departure in metric (once), and say whether its calls are
 * now refused. */
static void depart(struct mb_record *r, struct scope *tool, enum mb_anomaly_metric m, double value,
		   cJSON *request)
{
	if (tool->anomalies & (1u << m)) {
		cJSON_Delete(request);
		return;
	}
	tool->anomalies |= 1u << m;
	double base = tool->base ? tool->base->max[m] : 0, limit = r->factor * base;
	bool refuse = refusing(r);
	struct mb_strbuf why = { 0 };
	if (m == MB_METRIC_UNSEEN)
		mb_strbuf_printf(&why, "tool %s was never called in the baseline's sessions",
				 tool->name);
	else
		mb_strbuf_printf(&why, "tool %s: %s %.0f is above %g x the baseline's largest (%.0f)",
				 tool->name, metric_names[m], value, r->factor, base);
	if (refuse)
		mb_strbuf_puts(&why, "; its further calls are refused (anomaly: action: refuse)");
	cJSON *o = cJSON_CreateObject();
	if (o) {
		cJSON_AddStringToObject(o, "tool", tool->name);
		cJSON_AddStringToObject(o, "metric", metric_names[m]);
		cJSON_AddNumberToObject(o, "value", value);
		cJSON_AddNumberToObject(o, "baseline", base);
		cJSON_AddNumberToObject(o, "factor", r->factor);
		cJSON_AddNumberToObject(o, "threshold", limit);
		cJSON_AddStringToObject(o, "action", refuse ? "refuse" : "report");
		if (request)
			cJSON_AddItemToObject(o, "request", request);
		cJSON_AddStringToObject(o, "reason", why.s ? why.s : "departs from its baseline");
	} else {
		cJSON_Delete(request);
	}
	mb_strbuf_free(&why);
	(void)rec_emit(r, "anomaly", o);
	if (refuse)
		tool->refused_anomaly = true;
}

static char *refusal(const struct scope *tool)
{
	char *s = NULL;
	if (asprintf(&s,
		     "tool %s departed from its baseline in this session: its calls are refused "
		     "(anomaly: action: refuse)",
		     tool->name) < 0)
		s = NULL;
	return s ? s : strdup("its tool departed from its baseline");
}

char *rec_anomaly_admit(struct mb_record *r, struct mb_jr_msg *m, struct scope *tool)
{
	if (!r->baseline || !tool || !tool->name)
		return NULL;
	if (tool->refused_anomaly)
		return refusal(tool);
	if (!tool->base) {
		depart(r, tool, MB_METRIC_UNSEEN, 1, rec_msg_request_json(r, m));
	} else {
		double rate = (double)rec_scope_rate(tool, mb_now_ns()) + 1;
		double calls = (double)tool->calls + 1;
		if (rate > r->factor * tool->base->max[MB_METRIC_PER_MINUTE])
			depart(r, tool, MB_METRIC_PER_MINUTE, rate, rec_msg_request_json(r, m));
		if (calls > r->factor * tool->base->max[MB_METRIC_PER_SESSION])
			depart(r, tool, MB_METRIC_PER_SESSION, calls, rec_msg_request_json(r, m));
	}
	return tool->refused_anomaly ? refusal(tool) : NULL;
}

void rec_anomaly_finished(struct mb_record *r, struct mb_call *c, const struct rec_call *rc)
{
	struct scope *tool = rc->tool;
	if (!r->baseline || !tool || !tool->name || !tool->base)
		return;
	const double v[MB_METRIC_COUNT_] = {
		[MB_METRIC_BYTES_IN] = (double)rc->bytes_in,
		[MB_METRIC_BYTES_OUT] = (double)rc->bytes_out,
		[MB_METRIC_READ] = (double)rc->did[DID_READ].count,
		[MB_METRIC_WRITE] = (double)rc->did[DID_WRITE].count,
		[MB_METRIC_EXEC] = (double)rc->did[DID_EXEC].count,
		[MB_METRIC_CONNECT] = (double)rc->did[DID_CONNECT].count,
	};
	for (unsigned m = MB_METRIC_BYTES_IN; m <= MB_METRIC_CONNECT; m++)
		if (v[m] > r->factor * tool->base->max[m] && !(tool->anomalies & (1u << m)))
			depart(r, tool, (enum mb_anomaly_metric)m, v[m], rec_request_json(r, c));
}
