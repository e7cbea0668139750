/* SPDX-License-Identifier: Apache-2.0 */
/* membrane-audit list: one readable line per event, or the report's own
 * lines with --json (so unknown fields, and the chain of a whole session,
 * pass through untouched). */
#include <string.h>

#include "audit/audit.h"

struct list_state {
	const struct audit_input *in;
	uint64_t shown;
};

static void put_id(FILE *f, const cJSON *id)
{
	if (cJSON_IsNumber(id))
		fprintf(f, "#%.17g", id->valuedouble);
	else if (cJSON_IsString(id)) {
		fputc('#', f);
		audit_put_safe(f, id->valuestring);
	}
}

void audit_put_request(FILE *f, const cJSON *req)
{
	const cJSON *tool = cJSON_GetObjectItemCaseSensitive(req, "tool");
	const cJSON *method = cJSON_GetObjectItemCaseSensitive(req, "method");
	if (cJSON_IsString(tool))
		audit_put_safe(f, tool->valuestring);
	else if (cJSON_IsString(method))
		audit_put_safe(f, method->valuestring);
	else
		fputs("?", f);
	put_id(f, cJSON_GetObjectItemCaseSensitive(req, "id"));
}

/* key=value for the fields a line of this kind does not already show. */
static bool shown_already(const char *k)
{
	static const char *const shown[] = {
		"op", "decision", "target", "reason", "syscall", "requests", "request", "pid", "exe",
	};
	for (size_t i = 0; i < mb_report_common_fields_n; i++)
		if (strcmp(k, mb_report_common_fields[i]) == 0)
			return true;
	for (size_t i = 0; i < ARRAY_SIZE(shown); i++)
		if (strcmp(k, shown[i]) == 0)
			return true;
	return false;
}

static void put_rest(FILE *f, const cJSON *o)
{
	const cJSON *m;
	cJSON_ArrayForEach(m, o) {
		if (!m->string || shown_already(m->string))
			continue;
		fputc(' ', f);
		audit_put_safe(f, m->string);
		fputc('=', f);
		if (cJSON_IsString(m)) {
			bool quote = !*m->valuestring || strchr(m->valuestring, ' ');
			if (quote)
				fputc('"', f);
			audit_put_safe(f, m->valuestring);
			if (quote)
				fputc('"', f);
		} else {
			char *s = cJSON_PrintUnformatted(m);
			audit_put_safe(f, s ? s : "?");
			cJSON_free(s);
		}
	}
}

static void list_one(void *ud, const struct audit_event *ev)
{
	struct list_state *st = ud;
	st->shown++;
	if (st->in->json) {
		fwrite(ev->line, 1, ev->len, stdout);
		fputc('\n', stdout);
		return;
	}
	audit_list_line(stdout, ev);
}

void audit_list_line(FILE *f, const struct audit_event *ev)
{
	fputs(ev->time, f); /* checked RFC 3339: nothing to escape */
	fputc(' ', f);
	audit_put_safe(f, ev->event);
	for (size_t w = audit_safe_width(ev->event); w < 9; w++)
		fputc(' ', f);
	fputc(' ', f);
	audit_put_safe(f, ev->profile);
	fprintf(f, " %.8s", ev->session);
	if (strcmp(ev->mode, "enforce") != 0) {
		fputs(" [", f);
		audit_put_safe(f, ev->mode);
		fputc(']', f);
	}
	const cJSON *pid = cJSON_GetObjectItemCaseSensitive(ev->json, "pid");
	const cJSON *exe = cJSON_GetObjectItemCaseSensitive(ev->json, "exe");
	const cJSON *reqs = cJSON_GetObjectItemCaseSensitive(ev->json, "requests");
	const cJSON *req = cJSON_GetObjectItemCaseSensitive(ev->json, "request");
	if (ev->decision) {
		fputc(' ', f);
		audit_put_safe(f, ev->decision);
	}
	if (ev->op) {
		fputc(' ', f);
		audit_put_safe(f, ev->op);
	}
	if (ev->target) {
		fputc(' ', f);
		audit_put_safe(f, ev->target);
	}
	if (cJSON_IsArray(reqs)) {
		if (cJSON_GetArraySize(reqs) == 0)
			fputs(" while idle", f);
		const cJSON *r;
		bool first = true;
		cJSON_ArrayForEach(r, reqs) {
			fputs(first ? " by " : ", ", f);
			audit_put_request(f, r);
			first = false;
		}
	}
	if (cJSON_IsObject(req)) {
		fputc(' ', f);
		if (ev->method && ev->ntools) {
			audit_put_safe(f, ev->method);
			fputc(' ', f);
		}
		audit_put_request(f, req);
	}
	/* How: the syscall, and who: pid and executable. */
	const char *sep = " (";
	if (ev->syscall) {
		fputs(sep, f);
		audit_put_safe(f, ev->syscall);
		sep = ", ";
	}
	if (cJSON_IsNumber(pid)) {
		fprintf(f, "%spid %.17g", sep, pid->valuedouble);
		sep = ", ";
	}
	if (cJSON_IsString(exe)) {
		fputs(sep, f);
		audit_put_safe(f, exe->valuestring);
		sep = ", ";
	}
	if (sep[0] == ',')
		fputc(')', f);
	put_rest(f, ev->json);
	if (ev->reason) {
		fputs(": ", f);
		audit_put_safe(f, ev->reason);
	}
	fputc('\n', f);
}



int audit_list(const struct audit_input *in)
{
	struct list_state st = { .in = in };
	struct audit_walk w = { .filtered = true };
	int status = audit_walk(in, &w, list_one, &st);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		perror("membrane-audit: writing the list");
		return AUDIT_EXIT_USAGE;
	}
	if (status)
		return status;
	return w.malformed ? AUDIT_EXIT_MALFORMED : AUDIT_EXIT_OK;
}
