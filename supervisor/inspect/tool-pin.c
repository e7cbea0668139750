/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>

#include "common/vec.h"
#include "supervisor/inspect/jsonrpc.h"
#include "supervisor/inspect/tool-pin.h"

static const char *const contract_fields[] = {
	"title", "description", "inputSchema", "outputSchema", "annotations",
};

struct pinned {
	char *name;
	cJSON *contract; /* as first seen */
	cJSON *last;     /* the version last reported, or NULL */
	bool changed;    /* differs (or differed) from the pinned contract */
	bool in_listing; /* seen in the listing in progress */
	bool removed;    /* reported as removed */
};

struct mb_toolpin {
	const struct mb_profile *p;
	struct mb_toolpin_events ev;
	MB_VEC(struct pinned) tools;
	bool baseline;   /* a complete listing has been seen */
	bool listing;    /* a listing from its first page is in progress */
	char *instructions;
	bool instructions_seen;
	char *instructions_last;
};

int mb_toolpin_new(const struct mb_profile *p, const struct mb_toolpin_events *ev,
		   struct mb_toolpin **ret)
{
	struct mb_toolpin *tp = calloc(1, sizeof(*tp));
	if (!tp)
		return -ENOMEM;
	tp->p = p;
	tp->ev = *ev;
	*ret = tp;
	return 0;
}

void mb_toolpin_free(struct mb_toolpin *tp)
{
	if (!tp)
		return;
	mb_vec_foreach(t, &tp->tools) {
		free(t->name);
		cJSON_Delete(t->contract);
		cJSON_Delete(t->last);
	}
	mb_vec_free(&tp->tools);
	free(tp->instructions);
	free(tp->instructions_last);
	free(tp);
}

static struct pinned *find(const struct mb_toolpin *tp, const char *name)
{
	for (size_t i = 0; i < tp->tools.n; i++)
		if (strcmp(tp->tools.v[i].name, name) == 0)
			return &tp->tools.v[i];
	return NULL;
}

bool mb_toolpin_changed(const struct mb_toolpin *tp, const char *name)
{
	const struct pinned *t = find(tp, name);
	return t && t->changed;
}

static cJSON *contract_of(const cJSON *tool)
{
	cJSON *c = cJSON_CreateObject();
	if (!c)
		return NULL;
	for (size_t i = 0; i < ARRAY_SIZE(contract_fields); i++) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(tool, contract_fields[i]);
		if (!v)
			continue;
		cJSON *d = cJSON_Duplicate(v, 1);
		if (!d) {
			cJSON_Delete(c);
			return NULL;
		}
		cJSON_AddItemToObject(c, contract_fields[i], d);
	}
	return c;
}

static bool same(const cJSON *a, const cJSON *b)
{
	if (!a || !b)
		return a == b;
	return cJSON_Compare(a, b, 1);
}

struct names {
	MB_VEC(char *) v;
};

static void add_placeholder(struct names *ns, const char *s, size_t n)
{
	if (n > 2 && s[n - 2] == '[' && s[n - 1] == ']')
		n -= 2;
	mb_vec_foreach(x, &ns->v) if (strlen(*x) == n && memcmp(*x, s, n) == 0) return;
	char *d = strndup(s, n);
	if (d && mb_vec_push(&ns->v, d) < 0)
		free(d);
}

void mb_grants_placeholders(const struct mb_grants *g, void (*fn)(const char *name, void *ud),
			    void *ud)
{
	struct names ns = { 0 };
	for (unsigned op = 0; op < MB_PATH_OPS; op++)
		for (size_t k = 0; k < g->path[op].n; k++) {
			const struct mb_path_pattern *pp = &g->path[op].v[k];
			if (!pp->has_placeholder)
				continue;
			const char *s = pp->text;
			for (size_t i = 0; s[i]; i++) {
				if (s[i] == '\\' && s[i + 1]) {
					i++;
					continue;
				}
				if (s[i] != '{')
					continue;
				const char *e = strchr(s + i + 1, '}');
				if (!e)
					break;
				add_placeholder(&ns, s + i + 1, (size_t)(e - s - i - 1));
				i = (size_t)(e - s);
			}
		}
	mb_vec_foreach(x, &ns.v) {
		fn(*x, ud);
		free(*x);
	}
	mb_vec_free(&ns.v);
}

struct schema_check {
	struct mb_toolpin *tp;
	const char *tool;
	const cJSON *props;
};

static void check_placeholder(const char *name, void *ud)
{
	struct schema_check *sc = ud;
	if (!cJSON_GetObjectItemCaseSensitive(sc->props, name) && sc->tp->ev.mismatch)
		sc->tp->ev.mismatch(sc->tp->ev.ud, sc->tool, name);
}

/* Once per tool, at first sight: do the profile's placeholders name
 * properties of the tool's inputSchema? A typo there would make a path
 * argument escape the arguments.within check. */
static void check_schema(struct mb_toolpin *tp, const char *name, const cJSON *tool)
{
	const struct mb_tool *decl = mb_profile_tool(tp->p, name);
	if (!decl)
		return;
	const cJSON *schema = mb_json_get_object(tool, "inputSchema");
	struct schema_check sc = { tp, name, mb_json_get_object(schema, "properties") };
	mb_grants_placeholders(&decl->grants, check_placeholder, &sc);
}

static void observe(struct mb_toolpin *tp, const char *name, const cJSON *tool)
{
	cJSON *contract = contract_of(tool);
	if (!contract)
		return;
	struct pinned *t = find(tp, name);
	if (!t) {
		char *n = strdup(name);
		t = n ? mb_vec_new(&tp->tools) : NULL;
		if (!t) {
			free(n);
			cJSON_Delete(contract);
			return;
		}
		t->name = n;
		t->contract = contract;
		t->in_listing = true;
		check_schema(tp, name, tool);
		if (tp->baseline) {
			/* A tool that appears after the first complete
			 * listing is a change of the set of names. */
			static const char *const what[] = { "added" };
			t->changed = true;
			t->last = cJSON_Duplicate(contract, 1);
			if (tp->ev.changed)
				tp->ev.changed(tp->ev.ud, name, what, 1);
		}
		return;
	}
	t->in_listing = true;
	const char *what[ARRAY_SIZE(contract_fields) + 1];
	size_t n = 0;
	if (t->removed) {
		what[n++] = "returned";
		t->removed = false;
	}
	for (size_t i = 0; i < ARRAY_SIZE(contract_fields); i++)
		if (!same(cJSON_GetObjectItemCaseSensitive(t->contract, contract_fields[i]),
			  cJSON_GetObjectItemCaseSensitive(contract, contract_fields[i])))
			what[n++] = contract_fields[i];
	bool already = t->last && same(t->last, contract);
	if (!n || already) {
		cJSON_Delete(contract);
		return;
	}
	t->changed = true;
	cJSON_Delete(t->last);
	t->last = contract;
	if (tp->ev.changed)
		tp->ev.changed(tp->ev.ud, name, what, n);
}

struct spans {
	MB_VEC(struct mb_span) v;
};

static int collect_span(struct mb_span elem, void *ud)
{
	struct spans *s = ud;
	return mb_vec_push(&s->v, elem) < 0 ? -ENOMEM : 0;
}

static void listing_complete(struct mb_toolpin *tp)
{
	if (tp->baseline) {
		mb_vec_foreach(t, &tp->tools) {
			if (t->in_listing || t->removed)
				continue;
			static const char *const what[] = { "removed" };
			t->removed = true;
			t->changed = true;
			if (tp->ev.changed)
				tp->ev.changed(tp->ev.ud, t->name, what, 1);
		}
	}
	tp->baseline = true;
	tp->listing = false;
}

bool mb_toolpin_list(struct mb_toolpin *tp, bool first_page, const char *text,
		     struct mb_span msg, const cJSON *result, struct mb_strbuf *out)
{
	const cJSON *tools = mb_json_get_array(result, "tools");
	if (!tools)
		return false;
	if (first_page) {
		tp->listing = true;
		mb_vec_foreach(t, &tp->tools) t->in_listing = false;
	}
	bool deny = tp->p->unlisted_tools == MB_UNLISTED_DENY && tp->p->mode == MB_MODE_ENFORCE;
	size_t n = (size_t)cJSON_GetArraySize(tools);
	bool *hide = n ? calloc(n, sizeof(*hide)) : NULL;
	size_t hidden = 0, i = 0;
	for (const cJSON *t = tools->child; t; t = t->next, i++) {
		const char *name = mb_json_get_string(t, "name");
		if (name)
			observe(tp, name, t);
		if (deny && hide && (!name || !mb_profile_tool(tp->p, name))) {
			hide[i] = true;
			hidden++;
		}
	}
	const cJSON *next = cJSON_GetObjectItemCaseSensitive(result, "nextCursor");
	if (tp->listing && (!next || cJSON_IsNull(next)))
		listing_complete(tp);

	bool edited = false;
	struct mb_span rs, ts;
	struct spans sp = { 0 };
	if (deny && n && !hide) {
		/* Could not allocate the mask: hide everything rather than
		 * let an undeclared tool through. */
		if (mb_json_member(text, msg, "result", &rs) && mb_json_member(text, rs, "tools", &ts)) {
			mb_strbuf_append(out, text + msg.off, ts.off - msg.off);
			mb_strbuf_puts(out, "[]");
			mb_strbuf_append(out, text + ts.off + ts.len, msg.off + msg.len - ts.off - ts.len);
			edited = true;
		}
	} else if (hidden && mb_json_member(text, msg, "result", &rs) &&
		   mb_json_member(text, rs, "tools", &ts) &&
		   mb_json_elements(text, ts, collect_span, &sp) == 0 && sp.v.n == n) {
		mb_strbuf_append(out, text + msg.off, ts.off - msg.off);
		mb_strbuf_putc(out, '[');
		bool first = true;
		for (i = 0; i < n; i++) {
			if (hide[i])
				continue;
			if (!first)
				mb_strbuf_putc(out, ',');
			first = false;
			mb_strbuf_append(out, text + sp.v.v[i].off, sp.v.v[i].len);
		}
		mb_strbuf_putc(out, ']');
		mb_strbuf_append(out, text + ts.off + ts.len, msg.off + msg.len - ts.off - ts.len);
		edited = true;
	}
	mb_vec_free(&sp.v);
	free(hide);
	return edited;
}

void mb_toolpin_instructions(struct mb_toolpin *tp, const cJSON *result)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(result, "instructions");
	const char *s = cJSON_IsString(v) ? v->valuestring : NULL;
	if (!tp->instructions_seen) {
		tp->instructions_seen = true;
		tp->instructions = s ? strdup(s) : NULL;
		return;
	}
	bool differs = (s == NULL) != (tp->instructions == NULL) ||
		       (s && strcmp(s, tp->instructions) != 0);
	if (!differs)
		return;
	bool already = (s == NULL && tp->instructions_last && !*tp->instructions_last) ||
		       (s && mb_streq(s, tp->instructions_last));
	if (already)
		return;
	free(tp->instructions_last);
	tp->instructions_last = strdup(s ? s : "");
	static const char *const what[] = { "instructions" };
	if (tp->ev.changed)
		tp->ev.changed(tp->ev.ud, "instructions", what, 1);
}
