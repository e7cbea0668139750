/* SPDX-License-Identifier: Apache-2.0 */
/* --since/--until and the field filters of list and summary: values of one
 * option are alternatives, different options must all hold. */
#include <errno.h>
#include <string.h>

#include "audit/audit.h"

int audit_filter_add(struct audit_filter *f, enum audit_key k, const char *value)
{
	const char **v = realloc(f->values[k], (f->nvalues[k] + 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	v[f->nvalues[k]++] = value;
	f->values[k] = v;
	return 0;
}

void audit_filter_free(struct audit_filter *f)
{
	for (int k = 0; k < AUDIT_KEY_COUNT; k++)
		free(f->values[k]);
	*f = (struct audit_filter){ 0 };
}

bool audit_filter_empty(const struct audit_filter *f)
{
	for (int k = 0; k < AUDIT_KEY_COUNT; k++)
		if (f->nvalues[k])
			return false;
	return !f->has_since && !f->has_until;
}

static bool any_of(const struct audit_filter *f, enum audit_key k, const char *value)
{
	if (!value)
		return false;
	for (size_t i = 0; i < f->nvalues[k]; i++) {
		const char *want = f->values[k][i];
		/* A session may be given by the prefix that list prints. */
		if (k == AUDIT_KEY_SESSION ? strncmp(value, want, strlen(want)) == 0
					   : strcmp(value, want) == 0)
			return true;
	}
	return false;
}

/* Every tool of the event, not only the first AUDIT_MAX_TOOLS kept for
 * counting: walk the JSON again. */
static bool tool_matches(const struct audit_filter *f, const struct audit_event *ev)
{
	const cJSON *reqs = cJSON_GetObjectItemCaseSensitive(ev->json, "requests");
	const cJSON *r;
	cJSON_ArrayForEach(r, reqs) {
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(r, "tool");
		if (cJSON_IsString(t) && any_of(f, AUDIT_KEY_TOOL, t->valuestring))
			return true;
	}
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(ev->json, "request"), "tool");
	return cJSON_IsString(t) && any_of(f, AUDIT_KEY_TOOL, t->valuestring);
}

bool audit_filter_match(const struct audit_filter *f, const struct audit_event *ev)
{
	if (f->has_since && ev->time_us < f->since_us)
		return false;
	if (f->has_until && ev->time_us >= f->until_us)
		return false;
	const char *fields[AUDIT_KEY_COUNT] = {
		[AUDIT_KEY_PROFILE] = ev->profile,
		[AUDIT_KEY_OP] = ev->op,
		[AUDIT_KEY_DECISION] = ev->decision,
		[AUDIT_KEY_EVENT] = ev->event,
		[AUDIT_KEY_SESSION] = ev->session,
		[AUDIT_KEY_KIND] = ev->kind,
		[AUDIT_KEY_OUTCOME] = ev->outcome,
	};
	for (int k = 0; k < AUDIT_KEY_COUNT; k++) {
		if (!f->nvalues[k])
			continue;
		if (k == AUDIT_KEY_TOOL ? !tool_matches(f, ev) : !any_of(f, k, fields[k]))
			return false;
	}
	return true;
}
