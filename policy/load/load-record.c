/* SPDX-License-Identifier: Apache-2.0 */
/* The keys of the security team's record (membrane-profile(5), THE RECORD):
 * record (which requests get a call line), budgets (what calls may spend),
 * anomaly (a baseline and how far to depart from it) and decoys (files
 * planted in the sandbox). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/load/load-internal.h"
#include "policy/path.h"

/* Decoys are planted one file each in the sandbox's own tmpfs: a few are
 * traps enough, and each costs a memmem per answer. */
#define LD_MAX_DECOYS 16

static bool is_scalar(const struct yt_node *v)
{
	return v->kind == YT_SCALAR && !v->null;
}

static bool is_map_or_null(const struct yt_node *v)
{
	return v->kind == YT_MAP || (v->kind == YT_SCALAR && v->null);
}

int ld_record(struct loader *l, const struct yt_node *v)
{
	static const char *const names[] = { "tools", "all", "none" };
	if (!is_scalar(v))
		return ld_type_error(l, v, "'record'", "tools, all or none", "record: tools");
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (strcmp(v->text, names[i]) == 0) {
			l->p->record = (enum mb_record_scope)i;
			return 0;
		}
	return ld_error(l, -EINVAL, v, "bad record '%s' (write tools, all or none)", v->text);
}

/* ---- budgets ---- */

static const char *const budgets_keys[] = { "session", "tools" };
const struct ld_names ld_budgets_keys = { budgets_keys, ARRAY_SIZE(budgets_keys) };

static int budget_value(struct loader *l, const struct yt_pair *pair, enum mb_budget_kind k,
			struct mb_budget *b)
{
	const struct yt_node *v = &pair->value;
	const char *key = pair->key.text;
	bool size = k == MB_BUDGET_BYTES_RETURNED;
	char what[48], example[48];
	snprintf(what, sizeof(what), "'%s'", key);
	snprintf(example, sizeof(example), "%s: %s", key, size ? "10M" : "60");
	if (!is_scalar(v))
		return ld_type_error(l, v, what, size ? "a size" : "a whole number", example);
	uint64_t n;
	int r = size ? ld_parse_size(v->text, &n) : ld_parse_uint(v->text, &n);
	if (r < 0)
		return ld_error(l, -EINVAL, v, "bad %s '%s' (write %s)", key, v->text,
				size ? "bytes, or a number with K, M, G or T: 10M" : "a whole number");
	/* A tool that may never be called is one left out of tools. */
	if (n == 0 && (k == MB_BUDGET_CALLS_PER_MINUTE || k == MB_BUDGET_IN_FLIGHT))
		return ld_error(l, -EINVAL, v,
				"bad %s '0' (write 1 or more; to refuse a tool, leave it out of tools)",
				key);
	b->set |= 1u << k;
	b->limit[k] = n;
	return 0;
}

static int budget(struct loader *l, const struct yt_node *map, const char *where,
		  struct mb_budget *b)
{
	static const char *kinds[MB_BUDGET_COUNT_];
	for (unsigned k = 0; k < MB_BUDGET_COUNT_; k++)
		kinds[k] = mb_budget_name((enum mb_budget_kind)k);
	if (!is_map_or_null(map))
		return ld_type_error(l, map, where, "a mapping of budgets",
				     "{ calls_per_minute: 60, in_flight: 4 }");
	const struct yt_pair *found[MB_BUDGET_COUNT_];
	int r = ld_map_keys(l, map, kinds, MB_BUDGET_COUNT_, found, where, false);
	b->pos = ld_pos(l, map);
	for (unsigned k = 0; r == 0 && k < MB_BUDGET_COUNT_; k++)
		if (found[k])
			r = budget_value(l, found[k], (enum mb_budget_kind)k, b);
	return r;
}

int ld_budgets(struct loader *l, const struct yt_node *map)
{
	if (!is_map_or_null(map))
		return ld_type_error(l, map, "'budgets'", "a mapping",
				     "budgets: { session: { calls_per_minute: 120 } }");
	const struct yt_pair *found[2];
	int r = ld_map_keys(l, map, budgets_keys, 2, found, "budgets", false);
	if (r == 0 && found[0])
		r = budget(l, &found[0]->value, "budgets.session", &l->p->session_budget);
	if (r < 0 || !found[1])
		return r;
	const struct yt_node *tools = &found[1]->value;
	if (!is_map_or_null(tools))
		return ld_type_error(l, tools, "'budgets.tools'", "a mapping of tool names",
				     "tools: { query: { calls_per_minute: 30 } }");
	for (size_t i = 0; tools->kind == YT_MAP && i < tools->n; i++) {
		const struct yt_pair *pair = &tools->pairs[i];
		const char *name = pair->key.text;
		if (!mb_profile_tool(l->p, name) && l->p->unlisted_tools != MB_UNLISTED_ALLOW)
			return ld_error(l, -EINVAL, &pair->key,
					"budget for tool '%s', which tools does not declare (declare "
					"it, or remove its budget)",
					name);
		if (mb_profile_tool_budget(l->p, name))
			return ld_error(l, -EINVAL, &pair->key, "duplicate budget for tool '%s'", name);
		struct mb_tool_budget *tb = mb_vec_new(&l->p->tool_budgets);
		if (!tb || !(tb->tool = strdup(name)))
			return ld_oom(l);
		char where[LD_MAX_NAME + 32];
		snprintf(where, sizeof(where), "the budget of tool '%s'", name);
		if ((r = budget(l, &pair->value, where, &tb->b)) < 0)
			return r;
	}
	return 0;
}

/* ---- anomaly ---- */

static const char *const anomaly_keys[] = { "baseline", "factor", "action" };
const struct ld_names ld_anomaly_keys = { anomaly_keys, ARRAY_SIZE(anomaly_keys) };

int ld_anomaly(struct loader *l, const struct yt_node *map)
{
	if (!is_map_or_null(map))
		return ld_type_error(l, map, "'anomaly'", "a mapping",
				     "anomaly: { baseline: /etc/membrane/db.baseline.json, factor: 3 }");
	const struct yt_pair *found[3];
	int r = ld_map_keys(l, map, anomaly_keys, 3, found, "anomaly", false);
	struct mb_anomaly *a = &l->p->anomaly;
	a->pos = ld_pos(l, map);
	if (r == 0 && found[0]) {
		const struct yt_node *v = &found[0]->value;
		if (!is_scalar(v))
			return ld_type_error(l, v, "'baseline'", "a path",
					     "baseline: /etc/membrane/db.baseline.json");
		if ((r = ld_expand(l, v->text, v, &a->baseline)) < 0)
			return r;
		if (a->baseline[0] != '/')
			return ld_error(l, -EINVAL, v,
					"bad baseline '%s' (write an absolute path: the file "
					"membrane-audit baseline wrote)",
					a->baseline);
	}
	if (r == 0 && found[1]) {
		const struct yt_node *v = &found[1]->value;
		char *end = NULL;
		double f = is_scalar(v) ? strtod(v->text, &end) : 0;
		if (!is_scalar(v) || end == v->text || *end || !isfinite(f) || f < 1 || f > 1e6)
			return ld_error(l, -EINVAL, v,
					"bad factor '%s' (write a number of 1 or more: 3 means three "
					"times the baseline's largest)",
					is_scalar(v) ? v->text : yt_describe(v));
		a->factor = f;
	}
	if (r == 0 && found[2]) {
		const struct yt_node *v = &found[2]->value;
		if (!is_scalar(v) || (strcmp(v->text, "report") != 0 && strcmp(v->text, "refuse") != 0))
			return ld_error(l, -EINVAL, v, "bad action '%s' (write report or refuse)",
					is_scalar(v) ? v->text : yt_describe(v));
		a->action = strcmp(v->text, "refuse") == 0 ? MB_ANOMALY_REFUSE : MB_ANOMALY_REPORT;
	}
	return r;
}

/* ---- decoys ---- */

static const char *const decoys_keys[] = { "files", "on_touch" };
const struct ld_names ld_decoys_keys = { decoys_keys, ARRAY_SIZE(decoys_keys) };

static int decoy_file(struct loader *l, const struct yt_node *it)
{
	_cleanup_free_ char *path = NULL;
	int r = ld_expand(l, it->text, it, &path);
	if (r < 0)
		return r;
	if (path[0] != '/' || mb_path_normalize(path, path, strlen(path) + 1) < 0)
		return ld_error(l, -EINVAL, it, "bad decoy '%s' (write an absolute path)", path);
	if (strcmp(path, "/") == 0 || strpbrk(path, "*{}\\") || mb_path_within(path, "/proc") ||
	    mb_path_within(path, "/dev"))
		return ld_error(l, -EINVAL, it,
				"bad decoy '%s' (a decoy is one file: no glob, placeholder, "
				"/proc or /dev)",
				path);
	mb_vec_foreach(d, &l->p->decoys)
		if (mb_path_within(path, d->path) || mb_path_within(d->path, path))
			return ld_error(l, -EINVAL, it, "decoy '%s' overlaps decoy '%s'", path, d->path);
	if (l->p->decoys.n == LD_MAX_DECOYS)
		return ld_error(l, -EINVAL, it, "more than %d decoys (a few traps are enough)",
				LD_MAX_DECOYS);
	struct mb_decoy_file *d = mb_vec_new(&l->p->decoys);
	if (!d)
		return ld_oom(l);
	d->path = TAKE_PTR(path);
	d->pos = ld_pos(l, it);
	return 0;
}

int ld_decoys(struct loader *l, const struct yt_node *map)
{
	if (!is_map_or_null(map))
		return ld_type_error(l, map, "'decoys'", "a mapping",
				     "decoys: { files: [/tmp/.ssh/id_rsa], on_touch: deny }");
	const struct yt_pair *found[2];
	int r = ld_map_keys(l, map, decoys_keys, 2, found, "decoys", false);
	if (r == 0 && found[0]) {
		const struct yt_node *list = &found[0]->value;
		r = ld_scalar_list(l, list, "'files'", "a list of paths", "a path",
				   "files: [/tmp/.aws/credentials]");
		for (size_t i = 0; r == 0 && list->kind == YT_SEQ && i < list->n; i++)
			r = decoy_file(l, &list->items[i]);
	}
	if (r == 0 && found[1]) {
		static const char *const names[] = { "deny", "allow", "stop" };
		const struct yt_node *v = &found[1]->value;
		size_t i = 0;
		while (is_scalar(v) && i < ARRAY_SIZE(names) && strcmp(v->text, names[i]) != 0)
			i++;
		if (!is_scalar(v) || i == ARRAY_SIZE(names))
			return ld_error(l, -EINVAL, v, "bad on_touch '%s' (write deny, allow or stop)",
					is_scalar(v) ? v->text : yt_describe(v));
		l->p->decoy_touch = (enum mb_decoy_touch)(i + 1);
	}
	return r;
}
