/* SPDX-License-Identifier: Apache-2.0 */
/* Concrete grants for one call: placeholders filled from the call's own
 * arguments (once per call, may allocate), then queried per operation (never
 * allocates). The rules are listed in callgrants.h; the reasoning behind the
 * delicate ones is here. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"
#include "policy/call-grants.h"
#include "policy/resolve.h"

/* Distinct array placeholders in one pattern; a pattern naming more grants
 * nothing (no shipped profile needs more than one). */
#define MAX_ARRAYS 4

/* A pattern's text, cut into a literal run and the placeholder that ends it
 * (name NULL for the last run). A '\' in the pattern escapes the next byte,
 * so "\{" is a literal brace. */
struct piece {
	const char *lit;
	size_t lit_len;
	const char *name;
	size_t name_len;
	bool array;
	bool at_start; /* the placeholder opens the pattern: its value is a path */
};

static bool parse_placeholder(const char *q, struct piece *pc, const char **after)
{
	const char *r = q + 1;
	while (*r && *r != '}' && *r != '{' && *r != '/' && *r != '\\')
		r++;
	if (*r != '}' || r == q + 1)
		return false;
	pc->name = q + 1;
	pc->name_len = (size_t)(r - q - 1);
	pc->array = pc->name_len > 2 && r[-2] == '[' && r[-1] == ']';
	if (pc->array)
		pc->name_len -= 2;
	*after = r + 1;
	return true;
}

/* The next piece of tpl from *pos; false when nothing is left. */
static bool next_piece(const char *tpl, const char **pos, struct piece *pc)
{
	const char *start = *pos, *q = start;
	if (!*q)
		return false;
	*pc = (struct piece){ .lit = start };
	while (*q) {
		if (q[0] == '\\' && q[1]) {
			q += 2;
			continue;
		}
		const char *after;
		if (*q == '{' && parse_placeholder(q, pc, &after)) {
			pc->lit_len = (size_t)(q - start);
			pc->at_start = q == tpl;
			*pos = after;
			return true;
		}
		q++;
	}
	pc->lit_len = (size_t)(q - start);
	*pos = q;
	return true;
}

/* The argument named [name, name+len): the last one if the object repeats
 * it, as JavaScript's JSON.parse (the servers' parser) would keep. */
static const cJSON *arg_lookup(const cJSON *args, const char *name, size_t len)
{
	const cJSON *found = NULL;
	if (!cJSON_IsObject(args))
		return NULL;
	for (const cJSON *c = args->child; c; c = c->next)
		if (c->string && strlen(c->string) == len && memcmp(c->string, name, len) == 0)
			found = c;
	return found;
}

struct array_slot {
	const char *name;
	size_t len;
	const cJSON *head, *cur;
};

struct fill_ctx {
	const cJSON *args;
	const char *cwd;
	struct array_slot arrays[MAX_ARRAYS];
	size_t narrays;
	struct mb_strbuf sb;
	char resolved[PATH_MAX];
};

/* The options src's placeholder [name, name+len) was written with, or
 * NULL. */
static const struct mb_placeholder_opt *ph_opt(const struct mb_path_pattern *src, const char *name,
					       size_t len)
{
	mb_vec_foreach(o, &src->ph) {
		if (strlen(o->name) == len && memcmp(o->name, name, len) == 0)
			return o;
	}
	return NULL;
}

bool mb_value_is_uri(const char *v)
{
	if (strncmp(v, "file:/", 6) == 0)
		return true;
	size_t n = 0;
	if (!((v[0] >= 'a' && v[0] <= 'z') || (v[0] >= 'A' && v[0] <= 'Z')))
		return false;
	while (v[n] && (v[n] == '+' || v[n] == '.' || v[n] == '-' || (v[n] >= '0' && v[n] <= '9') ||
			(v[n] >= 'a' && v[n] <= 'z') || (v[n] >= 'A' && v[n] <= 'Z')))
		n++;
	return strncmp(v + n, "://", 3) == 0;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

int mb_uri_file_path(const char *v, char *buf, size_t sz)
{
	const char *p;
	if (strncmp(v, "file:///", 8) == 0)
		p = v + 7;
	else if (strncmp(v, "file://localhost/", 17) == 0)
		p = v + 16;
	else if (strncmp(v, "file:/", 6) == 0 && v[6] != '/')
		p = v + 5;
	else
		return -EINVAL; /* another scheme, or another host's file */
	size_t o = 0;
	for (; *p && *p != '?' && *p != '#'; p++) {
		char c = *p;
		if (c == '%') {
			int hi = hexval(p[1]), lo = hi < 0 ? -1 : hexval(p[2]);
			if (lo < 0)
				return -EINVAL;
			c = (char)(hi * 16 + lo);
			p += 2;
			if (!c)
				return -EINVAL;
		}
		if (o + 1 >= sz)
			return -ENAMETOOLONG;
		buf[o++] = c;
	}
	buf[o] = '\0';
	return 0;
}

static const cJSON *slot_value(const struct fill_ctx *f, const struct piece *pc)
{
	if (!pc->array)
		return arg_lookup(f->args, pc->name, pc->name_len);
	for (size_t i = 0; i < f->narrays; i++)
		if (f->arrays[i].len == pc->name_len &&
		    memcmp(f->arrays[i].name, pc->name, pc->name_len) == 0)
			return f->arrays[i].cur;
	return NULL;
}

static void append_escaped(struct mb_strbuf *sb, const char *v)
{
	for (const char *s = v; *s;) {
		size_t run = strcspn(s, "*\\");
		mb_strbuf_append(sb, s, run);
		s += run;
		if (*s) {
			mb_strbuf_putc(sb, '\\');
			mb_strbuf_putc(sb, *s++);
		}
	}
}

/* A "." or ".." component would let normalisation pop or drop text the
 * pattern's author wrote; the values themselves are resolved already, so only
 * a junction of value and pattern text can make one. */
static bool has_dot_component(const char *s)
{
	while (*s) {
		while (*s == '/')
			s++;
		size_t len = strcspn(s, "/");
		if ((len == 1 && s[0] == '.') || (len == 2 && s[0] == '.' && s[1] == '.'))
			return true;
		s += len;
	}
	return false;
}

/* Check the escapes of a normalised pattern and measure it: the length of the
 * path it names with escapes removed, and whether it holds a glob. False for
 * a pattern that can match nothing (an escaped '/', a dangling '\'). */
static bool scan_escapes(const char *s, size_t *ret_literal_len, bool *ret_glob)
{
	size_t n = 0;
	bool glob = false;
	for (; *s; s++, n++) {
		if (*s == '*') {
			glob = true;
		} else if (*s == '\\') {
			if (s[1] == '\0' || s[1] == '/')
				return false;
			s++;
		}
	}
	*ret_literal_len = n;
	*ret_glob = glob;
	return true;
}

/* Up to and including the last '/' before the first special byte. */
static size_t fixed_prefix_len(const char *s)
{
	size_t special = strcspn(s, "*\\"), len = 0;
	for (size_t i = 0; i < special; i++)
		if (s[i] == '/')
			len = i + 1;
	return len;
}

static char *unescape(const char *s, size_t len)
{
	char *out = malloc(len + 1), *o = out;
	if (!out)
		return NULL;
	for (; *s; s++) {
		if (*s == '\\')
			s++;
		*o++ = *s;
	}
	*o = '\0';
	return out;
}

static void cpattern_free(struct mb_cpattern *cp)
{
	if (cp->literal != cp->text)
		free(cp->literal);
	free(cp->text);
}

/* Store text (owned, len bytes, settled) as a pattern of out. */
static int push_cpattern(char *text, size_t len, size_t literal_len, bool glob,
			 const struct mb_path_pattern *src, mb_cpattern_vec *out)
{
	struct mb_cpattern cp = { .src = src, .literal_len = literal_len, .text = text };
	bool escaped = literal_len != len;
	if (!glob)
		cp.literal = escaped ? unescape(cp.text, literal_len) : cp.text;
	else
		cp.fixed_len = fixed_prefix_len(cp.text);
	if ((!glob && !cp.literal) || mb_vec_push(out, cp) < 0) {
		cpattern_free(&cp);
		return -ENOMEM;
	}
	return 0;
}

/* Settle the filled text in sb: refuse dot components, normalise, check
 * escapes and length. False: the pattern grants nothing. */
static bool settle(struct mb_strbuf *sb, size_t *ret_literal_len, bool *ret_glob)
{
	if (!sb->s || has_dot_component(sb->s))
		return false;
	int n = mb_path_normalize(sb->s, sb->s, sb->len + 1);
	if (n < 0)
		return false;
	sb->len = (size_t)n;
	return scan_escapes(sb->s, ret_literal_len, ret_glob) && *ret_literal_len < PATH_MAX;
}

/* Turn the text in f->sb into a stored pattern, or drop it: 0 either way,
 * -ENOMEM on allocation failure. The buffer is left empty. */
static int emit(struct fill_ctx *f, const struct mb_path_pattern *src, mb_cpattern_vec *out)
{
	struct mb_strbuf *sb = &f->sb;
	size_t literal_len;
	bool glob;

	if (mb_strbuf_failed(sb))
		return -ENOMEM;
	if (!settle(sb, &literal_len, &glob)) {
		mb_strbuf_reset(sb);
		return 0;
	}
	size_t len = sb->len;
	char *text = mb_strbuf_take(sb);
	if (!text)
		return -ENOMEM;
	return push_cpattern(text, len, literal_len, glob, src, out);
}

/* Fill src's text with the current array elements and emit the result. */
static int fill_one(struct fill_ctx *f, const struct mb_path_pattern *src, mb_cpattern_vec *out)
{
	const char *pos = src->text;
	struct piece pc;

	mb_strbuf_reset(&f->sb);
	while (next_piece(src->text, &pos, &pc)) {
		mb_strbuf_append(&f->sb, pc.lit, pc.lit_len);
		if (!pc.name)
			continue;
		const struct mb_placeholder_opt *o = ph_opt(src, pc.name, pc.name_len);
		const cJSON *v = slot_value(f, &pc);
		const char *val = cJSON_IsString(v) && v->valuestring ? v->valuestring : NULL;
		if ((!val || !val[0]) && !pc.array && o && o->dflt) {
			/* Missing or empty: the default the profile gives, taken
			 * as written (a path, absolute, where it opens). */
			append_escaped(&f->sb, o->dflt);
			continue;
		}
		if (!val || !val[0])
			goto drop;
		if (o && o->uri && mb_value_is_uri(val)) {
			/* A URI: a file: URI fills in as its path; another
			 * scheme names no file of ours. */
			if (!pc.at_start || mb_uri_file_path(val, f->resolved, sizeof(f->resolved)) < 0)
				goto drop;
			append_escaped(&f->sb, f->resolved);
			continue;
		}
		if (pc.at_start) {
			if (mb_path_absolute(val, f->cwd, f->resolved, sizeof(f->resolved)) < 0)
				goto drop;
			append_escaped(&f->sb, f->resolved);
		} else {
			if (strchr(val, '/'))
				goto drop;
			append_escaped(&f->sb, val);
		}
	}
	return emit(f, src, out);
drop:
	mb_strbuf_reset(&f->sb);
	return 0;
}

/* Every combination of array elements, odometer style (the first array
 * turns fastest). Returns 0 or -ENOMEM. */
static int fill_pattern(struct fill_ctx *f, const struct mb_path_pattern *src, mb_cpattern_vec *out)
{
	const char *pos = src->text;
	struct piece pc;

	f->narrays = 0;
	if (!src->has_placeholder) {
		mb_strbuf_reset(&f->sb);
		mb_strbuf_puts(&f->sb, src->text);
		return emit(f, src, out);
	}
	while (next_piece(src->text, &pos, &pc)) {
		if (!pc.name)
			continue;
		const cJSON *v = arg_lookup(f->args, pc.name, pc.name_len);
		if (!pc.array) {
			const struct mb_placeholder_opt *o = ph_opt(src, pc.name, pc.name_len);
			if (!cJSON_IsString(v) && !(o && o->dflt && !v))
				return 0; /* a default stands for a missing one only */
			continue;
		}
		if (!cJSON_IsArray(v) || !v->child)
			return 0;
		bool seen = false;
		for (size_t i = 0; i < f->narrays; i++)
			seen |= f->arrays[i].len == pc.name_len &&
				memcmp(f->arrays[i].name, pc.name, pc.name_len) == 0;
		if (seen)
			continue;
		if (f->narrays == MAX_ARRAYS)
			return 0;
		f->arrays[f->narrays++] = (struct array_slot){
			.name = pc.name, .len = pc.name_len, .head = v->child, .cur = v->child
		};
	}
	if (f->narrays > 1) {
		size_t product = 1;
		for (size_t i = 0; i < f->narrays; i++) {
			size_t n = 0;
			for (const cJSON *c = f->arrays[i].head; c && n <= MB_CALLGRANTS_MAX_PRODUCT;
			     c = c->next)
				n++;
			product *= n; /* each factor <= MAX_PRODUCT + 1: no overflow before the check */
			if (product > MB_CALLGRANTS_MAX_PRODUCT)
				return 0;
		}
	}

	for (;;) {
		int r = fill_one(f, src, out);
		if (r < 0)
			return r;
		size_t i = 0;
		for (; i < f->narrays; i++) {
			f->arrays[i].cur = f->arrays[i].cur->next;
			if (f->arrays[i].cur)
				break;
			f->arrays[i].cur = f->arrays[i].head;
		}
		if (i == f->narrays)
			return 0;
	}
}

void mb_callgrants_free(struct mb_callgrants *cg)
{
	if (!cg)
		return;
	for (size_t op = 0; op < MB_PATH_OPS; op++) {
		mb_vec_foreach(cp, &cg->path[op])
			cpattern_free(cp);
		mb_vec_free(&cg->path[op]);
	}
	mb_vec_foreach(cp, &cg->list) cpattern_free(cp);
	mb_vec_free(&cg->list);
	cg->net[0] = cg->net[1] = NULL;
}

int mb_callgrants_build(const struct mb_grants *g, const cJSON *arguments, const char *cwd,
			struct mb_callgrants *ret)
{
	struct mb_callgrants cg = { 0 };
	struct fill_ctx *f = calloc(1, sizeof(*f)); /* PATH_MAX of scratch: keep it off the stack */
	if (!f)
		return -ENOMEM;
	f->args = arguments;
	f->cwd = cwd;

	int r = 0;
	for (size_t op = 0; op < MB_PATH_OPS && r == 0; op++)
		for (size_t i = 0; i < g->path[op].n && r == 0; i++)
			r = fill_pattern(f, &g->path[op].v[i], &cg.path[op]);
	for (size_t i = 0; i < g->list.n && r == 0; i++)
		r = fill_pattern(f, &g->list.v[i], &cg.list);
	mb_strbuf_free(&f->sb);
	free(f);
	if (r < 0) {
		mb_callgrants_free(&cg);
		return r;
	}
	cg.net[0] = &g->net[0];
	cg.net[1] = &g->net[1];
	*ret = cg;
	return 0;
}

/* Most patterns differ from a target in the byte after the leading '/':
 * test it inline before paying for a call to memcmp. */
static bool cpattern_match(const struct mb_cpattern *cp, const char *path, size_t pathlen)
{
	if (!cp->literal) {
		/* Match from the '/' that ends the fixed part (fixed_len >= 1:
		 * a pattern is absolute, its first byte a '/'). */
		size_t f = cp->fixed_len;
		return f <= pathlen && (f < 2 || cp->text[1] == path[1]) &&
		       memcmp(cp->text, path, f) == 0 &&
		       mb_path_match(cp->text + f - 1, path + f - 1);
	}
	size_t l = cp->literal_len;
	if (l == 1)
		return true; /* "/" */
	return l <= pathlen && cp->literal[1] == path[1] && memcmp(cp->literal, path, l) == 0 &&
	       (path[l] == '/' || path[l] == '\0');
}

bool mb_callgrants_allows_path(const struct mb_callgrants *cg, enum mb_op op, const char *path,
			       const struct mb_cpattern **which)
{
	if (!cg || (unsigned)op >= MB_PATH_OPS || !path || path[0] != '/')
		return false;
	size_t pathlen = strlen(path);
	const mb_cpattern_vec *v = &cg->path[op];
	for (size_t i = 0; i < v->n; i++)
		if (cpattern_match(&v->v[i], path, pathlen)) {
			if (which)
				*which = &v->v[i];
			return true;
		}
	return false;
}

bool mb_callgrants_allows_list(const struct mb_callgrants *cg, const char *path,
			       const struct mb_cpattern **which)
{
	if (!cg || !path || path[0] != '/')
		return false;
	size_t pathlen = strlen(path);
	mb_vec_foreach(cp, &cg->list) {
		/* The directory itself, never beneath it: as many components. */
		if (cpattern_match(cp, path, pathlen) &&
		    mb_path_components(cp->text) == mb_path_components(path)) {
			if (which)
				*which = cp;
			return true;
		}
	}
	return false;
}

bool mb_callgrants_allows_addr(const struct mb_callgrants *cg, enum mb_op op,
			       const struct mb_addr *a, const struct mb_endpoint **which)
{
	if (!cg || (op != MB_OP_CONNECT && op != MB_OP_BIND) || !a)
		return false;
	const mb_endpoint_vec *eps = cg->net[MB_NET_OP_INDEX(op)];
	if (!eps)
		return false;
	for (size_t i = 0; i < eps->n; i++)
		if (mb_endpoint_match(&eps->v[i], a)) {
			if (which)
				*which = &eps->v[i];
			return true;
		}
	return false;
}

bool mb_callgrants_allows_name(const struct mb_callgrants *cg, enum mb_op op, const char *name,
			       uint16_t port, uint8_t proto, const struct mb_endpoint **which)
{
	if (!cg || (op != MB_OP_CONNECT && op != MB_OP_BIND) || !name)
		return false;
	const mb_endpoint_vec *eps = cg->net[MB_NET_OP_INDEX(op)];
	for (size_t i = 0; eps && i < eps->n; i++)
		if (mb_endpoint_match_name(&eps->v[i], name, port, proto)) {
			if (which)
				*which = &eps->v[i];
			return true;
		}
	return false;
}

/* The placeholder that opens pp, if it has one. */
static bool opening_placeholder(const struct mb_path_pattern *pp, struct piece *pc)
{
	const char *pos = pp->text;
	return pp->has_placeholder && next_piece(pp->text, &pos, pc) && pc->name && pc->at_start;
}

static bool opened_earlier(const struct mb_grants *g, size_t op, size_t idx, const struct piece *pc)
{
	for (size_t o = 0; o <= op; o++)
		for (size_t i = 0; i < (o == op ? idx : g->path[o].n); i++) {
			struct piece e;
			if (opening_placeholder(&g->path[o].v[i], &e) && e.array == pc->array &&
			    e.name_len == pc->name_len && memcmp(e.name, pc->name, pc->name_len) == 0)
				return true;
		}
	return false;
}

/* One value of a path placeholder, to fn: a URI where the placeholder
 * takes them is its path (file:) or nothing (another scheme). */
static int path_value(const struct mb_path_pattern *pp, const struct piece *pc, const cJSON *v,
		      const char *value, int (*fn)(const char *argname, const char *value, void *ud),
		      void *ud)
{
	const struct mb_placeholder_opt *o = ph_opt(pp, pc->name, pc->name_len);
	if (o && o->uri && mb_value_is_uri(value) && strncmp(value, "file:", 5) != 0)
		return 0; /* names no file: nothing to bound */
	return fn(v->string, value, ud);
}

int mb_grants_foreach_path_argument(const struct mb_grants *g, const cJSON *arguments,
				    int (*fn)(const char *argname, const char *value, void *ud),
				    void *ud)
{
	for (size_t op = 0; op <= MB_PATH_OPS; op++) {
		const mb_pattern_vec *pv = op < MB_PATH_OPS ? &g->path[op] : &g->list;
		for (size_t idx = 0; idx < pv->n; idx++) {
			struct piece pc;
			const struct mb_path_pattern *pp = &pv->v[idx];
			if (!opening_placeholder(pp, &pc) ||
			    (op < MB_PATH_OPS && opened_earlier(g, op, idx, &pc)))
				continue;
			const cJSON *v = arg_lookup(arguments, pc.name, pc.name_len);
			if (!v)
				continue;
			int r = 0;
			if (!pc.array) {
				if (cJSON_IsString(v) && v->valuestring)
					r = path_value(pp, &pc, v, v->valuestring, fn, ud);
			} else if (cJSON_IsArray(v)) {
				for (const cJSON *e = v->child; e && r == 0; e = e->next)
					if (cJSON_IsString(e) && e->valuestring)
						r = path_value(pp, &pc, v, e->valuestring, fn, ud);
			}
			if (r != 0)
				return r;
		}
	}
	return 0;
}

/* ---- canonical forms ---------------------------------------------------- */

/* Where the fixed part of a settled pattern ends: just past the last
 * component before the first one holding an unescaped '*' (the whole text
 * when none does). */
static size_t fixed_end(const char *s)
{
	size_t end = 0, i = 0;
	while (s[i] == '/') {
		size_t j = i + 1;
		bool glob = false;
		while (s[j] && s[j] != '/') {
			if (s[j] == '\\' && s[j + 1]) {
				j += 2;
				continue;
			}
			glob |= s[j] == '*';
			j++;
		}
		if (glob)
			break;
		end = i = j;
	}
	return end;
}

static bool within_any(const char *path, const char *const *within, size_t nwithin)
{
	for (size_t i = 0; i < nwithin; i++)
		if (mb_path_within(path, within[i]))
			return true;
	return false;
}

/* The pattern for the plain path form followed by tail (escaped already),
 * pushed to out. Returns 0 (also when the result can match nothing) or
 * -ENOMEM. */
static int push_form(const char *form, const char *tail, const struct mb_path_pattern *src,
		     mb_cpattern_vec *out)
{
	struct mb_strbuf sb = { 0 };
	append_escaped(&sb, form);
	mb_strbuf_puts(&sb, tail);
	if (mb_strbuf_failed(&sb))
		return -ENOMEM;
	size_t literal_len;
	bool glob;
	if (!settle(&sb, &literal_len, &glob)) {
		mb_strbuf_free(&sb);
		return 0;
	}
	size_t len = sb.len;
	return push_cpattern(mb_strbuf_take(&sb), len, literal_len, glob, src, out);
}

struct canon_scratch {
	char fixed[PATH_MAX];   /* the fixed part, unescaped */
	char real[PATH_MAX];    /* ... resolved */
	char parent[PATH_MAX];  /* its directory, resolved, + its last name */
};

/* Replace *cp by its canonical forms, appended to out (cp's storage moves
 * there or is freed). */
static int canonicalize_one(struct mb_cpattern *cp, const char *const *within, size_t nwithin,
			    struct canon_scratch *k, mb_cpattern_vec *out)
{
	size_t end = fixed_end(cp->text);
	size_t u = 0;
	for (size_t i = 0; i < end; i++) {
		if (cp->text[i] == '\\')
			i++;
		k->fixed[u++] = cp->text[i];
	}
	k->fixed[u] = '\0';
	/* "/" has no form but itself; /proc and /dev are the sandbox's own,
	 * not the host's: resolving /proc/self here would name us. */
	bool keep = u <= 1 || mb_path_within(k->fixed, "/proc") || mb_path_within(k->fixed, "/dev");
	struct mb_resolved rs;
	if (!keep && mb_path_resolve(k->fixed, k->real, sizeof(k->real), NULL, NULL, &rs) < 0)
		keep = true; /* ELOOP, too long: the kernel fails such a walk too */
	/* The name itself with only its directory resolved: what the notifier
	 * gives for a call that does not follow a final symlink (unlink,
	 * rename, lchown, O_NOFOLLOW). Only for a pattern that is all fixed:
	 * otherwise the fixed part is a directory that is always walked. */
	bool nofollow = false;
	if (!keep && end == strlen(cp->text)) {
		char *slash = strrchr(k->fixed, '/');
		*slash = '\0';
		const char *dir = slash == k->fixed ? "/" : k->fixed;
		if (mb_path_resolve(dir, k->parent, sizeof(k->parent), NULL, NULL, &rs) == 0) {
			size_t pl = strlen(k->parent);
			size_t bl = strlen(slash + 1);
			if (pl + 1 + bl < sizeof(k->parent)) {
				if (pl > 1)
					k->parent[pl++] = '/';
				memcpy(k->parent + pl, slash + 1, bl + 1);
				nofollow = strcmp(k->parent, k->real) != 0;
			}
		}
		*slash = '/';
	}
	if (keep || (strcmp(k->real, k->fixed) == 0 && !nofollow))
		return mb_vec_push(out, *cp) < 0 ? (cpattern_free(cp), -ENOMEM) : 0;

	/* A value from the call's arguments that leads out of arguments.within
	 * through a symlink grants nothing there: the inspector checked the
	 * name the client gave, not where it leads. */
	bool bounded = nwithin > 0 && cp->src && cp->src->has_placeholder;
	const char *tail = cp->text + end;
	int r = 0;
	if (!bounded || strcmp(k->real, k->fixed) == 0 || within_any(k->real, within, nwithin))
		r = push_form(k->real, tail, cp->src, out);
	if (r == 0 && nofollow && (!bounded || within_any(k->parent, within, nwithin)))
		r = push_form(k->parent, tail, cp->src, out);
	cpattern_free(cp);
	return r;
}

int mb_callgrants_canonicalize(struct mb_callgrants *cg, const char *const *within, size_t nwithin)
{
	struct canon_scratch *k = malloc(sizeof(*k)); /* 3 * PATH_MAX: off the stack */
	if (!k)
		return -ENOMEM;
	int r = 0;
	for (size_t op = 0; op <= MB_PATH_OPS; op++) {
		mb_cpattern_vec *v = op < MB_PATH_OPS ? &cg->path[op] : &cg->list;
		mb_cpattern_vec out = { 0 };
		size_t i = 0;
		for (; i < v->n && r == 0; i++)
			r = canonicalize_one(&v->v[i], within, nwithin, k, &out);
		/* On failure the rest have not moved: free them with out. */
		for (; i < v->n; i++)
			cpattern_free(&v->v[i]);
		mb_vec_free(v);
		v->v = out.v;
		v->n = out.n;
		v->cap = out.cap;
	}
	free(k);
	if (r < 0)
		mb_callgrants_free(cg);
	return r;
}

bool mb_pattern_literal(const char *text, bool has_glob, bool has_placeholder)
{
	return !has_glob && !has_placeholder && !strchr(text, '\\');
}

const char *mb_within_canonical(const struct mb_path_pattern *w, char *real, size_t realsz)
{
	struct mb_resolved rs;
	if (mb_pattern_literal(w->text, w->has_glob, w->has_placeholder) &&
	    mb_path_resolve(w->text, real, realsz, NULL, NULL, &rs) == 0)
		return real;
	return w->text;
}
