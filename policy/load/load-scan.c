/* SPDX-License-Identifier: Apache-2.0 */
/* The scan key: per kind of finding (policy/scan-kinds.h), what membrane
 * does beyond reporting it, in the contract and in answers; and the
 * environment variables whose values are secrets to find exactly.
 *
 *   scan:
 *     contract: { directive-tag: hide, hidden: strip }   # report | strip | hide
 *     answers: { secrets: redact, private-key: refuse }  # report | redact | refuse
 *     env: [DB_PASSWORD]
 *
 * A group (all, hidden, markup, instructions, secrets) sets every kind of
 * it that is looked for there; a kind named alone wins over its group,
 * wherever it is written. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"
#include "policy/load/load-internal.h"

static const char *const scan_keys[] = { "contract", "answers", "env" };
const struct ld_names ld_scan_keys = { scan_keys, ARRAY_SIZE(scan_keys) };

static const struct where {
	const char *key, *actions, *example;
	unsigned bit;
	enum mb_scan_action allowed[3];
} wheres[] = {
	{ "contract", "report, strip or hide", "contract: { directive-tag: hide, hidden: strip }",
	  MB_SCAN_IN_CONTRACT, { MB_SCAN_REPORT, MB_SCAN_STRIP, MB_SCAN_HIDE } },
	{ "answers", "report, redact or refuse", "answers: { secrets: redact, private-key: refuse }",
	  MB_SCAN_IN_ANSWERS, { MB_SCAN_REPORT, MB_SCAN_REDACT, MB_SCAN_REFUSE } },
};

static int action(struct loader *l, const struct where *w, const struct yt_node *v,
		  enum mb_scan_action *ret)
{
	char what[64];
	snprintf(what, sizeof(what), "an action of 'scan.%s'", w->key);
	if (v->kind != YT_SCALAR || v->null)
		return ld_type_error(l, v, what, w->actions, w->example);
	for (size_t i = 0; i < ARRAY_SIZE(w->allowed); i++)
		if (strcmp(v->text, mb_scan_action_name(w->allowed[i])) == 0) {
			*ret = w->allowed[i];
			return 0;
		}
	return ld_error(l, -EINVAL, v, "bad scan.%s action '%s' (write %s)", w->key, v->text,
			w->actions);
}

static int unknown_kind(struct loader *l, const struct where *w, const struct yt_node *key)
{
	_cleanup_(mb_strbuf_free) struct mb_strbuf b = { 0 };
	for (unsigned k = 0; k < MB_SCAN_KIND_COUNT; k++)
		if (mb_scan_kind_where(k) & w->bit)
			mb_strbuf_printf(&b, "%s, ", mb_scan_kind_name(k));
	if (mb_strbuf_failed(&b))
		return ld_oom(l);
	return ld_error(l, -EINVAL, key,
			"unknown kind '%s' in scan.%s (write one of: %sor a group: all, hidden, "
			"markup, instructions, secrets)",
			key->text, w->key, b.s);
}

/* Groups first, then kinds named alone, so that the order written does not
 * matter. */
static int actions(struct loader *l, const struct yt_node *map, const struct where *w,
		   unsigned char *out)
{
	char what[32];
	snprintf(what, sizeof(what), "'scan.%s'", w->key);
	if (map->kind == YT_SCALAR && map->null)
		return 0;
	if (map->kind != YT_MAP)
		return ld_type_error(l, map, what, "a mapping of kinds to actions", w->example);
	for (size_t i = 0; i < map->n; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(map->pairs[i].key.text, map->pairs[j].key.text) == 0)
				return ld_error(l, -EINVAL, &map->pairs[i].key,
						"duplicate key '%s' (first at %s:%u:%u)",
						map->pairs[i].key.text, l->file,
						map->pairs[j].key.line, map->pairs[j].key.column);
	for (int alone = 0; alone < 2; alone++)
		for (size_t i = 0; i < map->n; i++) {
			const struct yt_pair *pair = &map->pairs[i];
			const char *name = pair->key.text;
			enum mb_scan_kind kind;
			bool is_kind = mb_scan_kind_from_name(name, &kind) == 0, in;
			if (!is_kind && mb_scan_group_has(name, 0, &in) < 0)
				return unknown_kind(l, w, &pair->key);
			if (is_kind && !(mb_scan_kind_where(kind) & w->bit))
				return ld_error(l, -EINVAL, &pair->key,
						"kind '%s' is not looked for in the %s (write it under "
						"scan.%s)",
						name, w->key, w->bit == MB_SCAN_IN_CONTRACT ? "answers" : "contract");
			if (is_kind != (bool)alone)
				continue;
			enum mb_scan_action a = MB_SCAN_REPORT;
			int r = action(l, w, &pair->value, &a);
			if (r < 0)
				return r;
			for (unsigned k = 0; k < MB_SCAN_KIND_COUNT; k++) {
				if (!(mb_scan_kind_where(k) & w->bit))
					continue;
				if (is_kind ? k == kind : (mb_scan_group_has(name, k, &in), in))
					out[k] = (unsigned char)a;
			}
		}
	return 0;
}

static int env_names(struct loader *l, const struct yt_node *list)
{
	int r = ld_scalar_list(l, list, "'scan.env'", "a list of environment variable names",
			       "a name", "env: [DB_PASSWORD]");
	for (size_t i = 0; r == 0 && list->kind == YT_SEQ && i < list->n; i++) {
		const struct yt_node *it = &list->items[i];
		if (!mb_env_name_ok(it->text, strlen(it->text)))
			return ld_error(l, -EINVAL, it,
					"bad environment variable name '%s' in scan.env (letters, digits "
					"and '_', not starting with a digit)",
					it->text);
		char *s = strdup(it->text);
		if (!s || mb_vec_push(&l->p->scan.env, s) < 0) {
			free(s);
			r = ld_oom(l);
		}
	}
	return r;
}

int ld_scan(struct loader *l, const struct yt_node *map)
{
	if (map->kind != YT_MAP && !(map->kind == YT_SCALAR && map->null))
		return ld_type_error(l, map, "'scan'", "a mapping",
				     "scan: { answers: { secrets: redact } }");
	const struct yt_pair *found[ARRAY_SIZE(scan_keys)];
	int r = ld_map_keys(l, map, scan_keys, ARRAY_SIZE(scan_keys), found, "scan", false);
	l->p->scan.pos = ld_pos(l, map);
	if (r == 0 && found[0])
		r = actions(l, &found[0]->value, &wheres[0], l->p->scan.contract);
	if (r == 0 && found[1])
		r = actions(l, &found[1]->value, &wheres[1], l->p->scan.answers);
	if (r == 0 && found[2])
		r = env_names(l, &found[2]->value);
	return r;
}
