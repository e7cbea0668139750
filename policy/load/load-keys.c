/* SPDX-License-Identifier: Apache-2.0 */
/* The loader's side of the key table (policy/profile-keys.h), and the
 * readers of the scalar keys, limits, redact and user. */
#include <pwd.h>
#include <stdio.h>
#include <string.h>

#include "policy/load/load-internal.h"

#define NAME_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-"

static bool name_ok(const char *s)
{
	size_t len = strlen(s);
	return len >= 1 && len <= LD_MAX_NAME && strspn(s, NAME_CHARS) == len;
}

static const struct yt_node *scalar(const struct yt_node *n)
{
	return n->kind == YT_SCALAR && !n->null ? n : NULL;
}

static int read_version(struct loader *l, const struct yt_node *v)
{
	uint64_t n;
	if (!scalar(v))
		return ld_type_error(l, v, "'version'", "an integer", "version: 1");
	if (ld_parse_uint(v->text, &n) < 0)
		return ld_error(l, -EINVAL, v, "bad version '%s' (write version: 1)", v->text);
	if (n != 1)
		return ld_error(l, -EINVAL, v,
				"version %s is not supported (this membrane reads profile version 1)",
				v->text);
	l->p->version = 1;
	return 0;
}

/* One of names[]; alternatives is "a or b" for messages. */
static int choice(struct loader *l, const struct yt_node *v, const char *key,
		  const char *const *names, size_t n, const char *alternatives, int *ret)
{
	char what[64], example[64];
	snprintf(what, sizeof(what), "'%s'", key);
	snprintf(example, sizeof(example), "%s: %s", key, names[0]);
	if (!scalar(v))
		return ld_type_error(l, v, what, alternatives, example);
	for (size_t i = 0; i < n; i++)
		if (strcmp(v->text, names[i]) == 0) {
			*ret = (int)i;
			return 0;
		}
	return ld_error(l, -EINVAL, v, "bad %s '%s' (write %s)", key, v->text, alternatives);
}

#define CHOICE(l, v, key, alternatives, out, ...)                                          \
	({                                                                                 \
		static const char *const names_[] = { __VA_ARGS__ };                       \
		int i_ = 0;                                                                \
		int r_ = choice(l, v, key, names_, ARRAY_SIZE(names_), alternatives, &i_); \
		if (r_ == 0)                                                               \
			*(out) = i_;                                                       \
		r_;                                                                        \
	})

static int read_name(struct loader *l, const struct yt_node *v)
{
	int r = ld_string(l, v, "'name'", "name: NAME", &l->p->name);
	if (r == 0 && !name_ok(l->p->name))
		r = ld_error(l, -EINVAL, v, "bad name '%s' (1 to 128 letters, digits, '_', '.' and '-')",
			     l->p->name);
	return r;
}

static int read_description(struct loader *l, const struct yt_node *v)
{
	return ld_string(l, v, "'description'", "description: \"TEXT\"", &l->p->description);
}

static int read_mode(struct loader *l, const struct yt_node *v)
{
	l->p->mode_pos = ld_pos(l, v);
	return CHOICE(l, v, "mode", "enforce or audit", &l->p->mode, "enforce", "audit");
}

static int read_network(struct loader *l, const struct yt_node *v)
{
	return CHOICE(l, v, "network", "none, brokered or host", &l->p->network, "none", "brokered",
		      "host");
}

static int read_unlisted_tools(struct loader *l, const struct yt_node *v)
{
	l->p->unlisted_tools_pos = ld_pos(l, v);
	return CHOICE(l, v, "unlisted_tools", "deny or allow", &l->p->unlisted_tools, "deny",
		      "allow");
}

static int read_pin(struct loader *l, const struct yt_node *v)
{
	return CHOICE(l, v, "pin", "report or strict", &l->p->pin, "report", "strict");
}

static int read_concurrency(struct loader *l, const struct yt_node *v)
{
	return CHOICE(l, v, "concurrency", "parallel or serial", &l->p->concurrency, "parallel",
		      "serial");
}

static int read_denials(struct loader *l, const struct yt_node *v)
{
	return CHOICE(l, v, "denials", "meta or note", &l->p->denials, "meta", "note");
}

static int read_require_landlock(struct loader *l, const struct yt_node *v)
{
	uint64_t n;
	if (!scalar(v))
		return ld_type_error(l, v, "'require_landlock'", "an integer", "require_landlock: 4");
	if (ld_parse_uint(v->text, &n) < 0 || n < 1 || n > 7)
		return ld_error(l, -EINVAL, v,
				"bad require_landlock '%s' (write a Landlock ABI version from 1 to 7)",
				v->text);
	l->p->require_landlock = (int)n;
	return 0;
}

/* require: [namespaces, landlock]: the layers a run may not do without. */
static int read_require(struct loader *l, const struct yt_node *list)
{
	static const struct {
		const char *name;
		unsigned bit;
	} layers[] = {
		{ "namespaces", MB_REQUIRE_NAMESPACES },
		{ "landlock", MB_REQUIRE_LANDLOCK },
	};
	int r = ld_scalar_list(l, list, "'require'", "a list of layers", "a layer",
			       "require: [namespaces, landlock]");
	for (size_t i = 0; r == 0 && list->kind == YT_SEQ && i < list->n; i++) {
		const struct yt_node *it = &list->items[i];
		unsigned bit = 0;
		for (size_t k = 0; k < ARRAY_SIZE(layers); k++)
			if (strcmp(it->text, layers[k].name) == 0)
				bit = layers[k].bit;
		if (!bit)
			return ld_error(l, -EINVAL, it,
					"bad require '%s' (write namespaces or landlock)", it->text);
		if (l->p->require & bit)
			return ld_error(l, -EINVAL, it, "require names '%s' twice", it->text);
		l->p->require |= bit;
	}
	if (r == 0)
		l->p->require_pos = ld_pos(l, list);
	return r;
}

static int parse_id(const char *s, size_t len, uint32_t *ret)
{
	char buf[16];
	uint64_t v;
	if (len == 0 || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	/* (uid_t)-1 means "unchanged" to set*id(): never a real id. */
	if (ld_parse_uint(buf, &v) < 0 || v >= UINT32_MAX)
		return -EINVAL;
	*ret = (uint32_t)v;
	return 0;
}

static int read_user(struct loader *l, const struct yt_node *v)
{
	struct mb_user *u = &l->p->user;
	if (!scalar(v))
		return ld_type_error(l, v, "'user'", "a user name, UID or UID:GID", "user: nobody");
	const char *s = v->text;
	size_t len = strlen(s);
	const char *colon = strchr(s, ':');
	uint32_t uid, gid;
	if (s[0] >= '0' && s[0] <= '9') {
		size_t ulen = colon ? (size_t)(colon - s) : len;
		if (parse_id(s, ulen, &uid) < 0 ||
		    (colon && parse_id(colon + 1, len - ulen - 1, &gid) < 0))
			goto bad;
		if (!colon)
			gid = uid;
	} else {
		if (!name_ok(s) || s[0] == '-')
			goto bad;
		errno = 0;
		struct passwd *pw = getpwnam(s);
		if (!pw)
			return ld_error(l, -ESRCH, v,
					"unknown user '%s' (create the user, or write UID:GID)", s);
		uid = pw->pw_uid;
		gid = pw->pw_gid;
	}
	u->set = true;
	u->uid = (uid_t)uid;
	u->gid = (gid_t)gid;
	u->pos = ld_pos(l, v);
	return 0;
bad:
	return ld_error(l, -EINVAL, v, "bad user '%s' (write a user name, UID or UID:GID)", s);
}

static int limit(struct loader *l, const struct yt_pair *pair, uint64_t *out,
		 struct mb_srcpos *pos)
{
	const struct yt_node *v = &pair->value;
	const char *key = pair->key.text;
	bool size = strcmp(key, "memory") == 0;
	char what[32], example[32];
	snprintf(what, sizeof(what), "'%s'", key);
	snprintf(example, sizeof(example), "%s: %s", key, size ? "512M" : "64");
	if (!scalar(v))
		return ld_type_error(l, v, what, size ? "a size" : "an integer", example);
	uint64_t n;
	int r = size ? ld_parse_size(v->text, &n) : ld_parse_uint(v->text, &n);
	if (r == -ERANGE)
		return ld_error(l, -ERANGE, v, "%s limit '%s' is too large (write at most %s)", key,
				v->text, size ? "16777215T" : "18446744073709551615");
	if (r < 0 && size)
		return ld_error(l, -EINVAL, v,
				"bad size '%s' (write bytes, or a number with K, M, G or T: 512M)",
				v->text);
	if (n == 0 && size)
		return ld_error(l, -EINVAL, v,
				"bad memory limit '%s' (write a size above 0, such as 512M, or remove the limit)",
				v->text);
	if (r < 0 || n == 0)
		return ld_error(l, -EINVAL, v,
				"bad %s limit '%s' (write a whole number above 0, or remove the limit)",
				key, v->text);
	*out = n;
	*pos = ld_pos(l, v);
	return 0;
}

static const char *const limits_keys[] = { "memory", "tasks", "files" };
const struct ld_names ld_limits_keys = { limits_keys, ARRAY_SIZE(limits_keys) };

static int read_limits(struct loader *l, const struct yt_node *map)
{
	if (map->kind != YT_MAP && !(map->kind == YT_SCALAR && map->null))
		return ld_type_error(l, map, "'limits'", "a mapping",
				     "limits: { memory: 512M, tasks: 64, files: 1024 }");
	const struct yt_pair *found[3];
	int r = ld_map_keys(l, map, limits_keys, 3, found, "limits", false);
	struct mb_limits *lim = &l->p->limits;
	lim->pos = ld_pos(l, map);
	for (size_t i = 0; i < map->n && r == 0; i++) {
		const struct yt_pair *pair = &map->pairs[i];
		if (pair == found[0])
			r = limit(l, pair, &lim->memory, &lim->memory_pos);
		else if (pair == found[1])
			r = limit(l, pair, &lim->tasks, &lim->tasks_pos);
		else
			r = limit(l, pair, &lim->files, &lim->files_pos);
	}
	return r;
}

static int read_redact(struct loader *l, const struct yt_node *list)
{
	int r = ld_scalar_list(l, list, "'redact'", "a list of argument names", "an argument name",
			       "redact: [password, token]");
	for (size_t i = 0; r == 0 && list->kind == YT_SEQ && i < list->n; i++) {
		char *s = strdup(list->items[i].text);
		if (!s || mb_vec_push(&l->p->redact, s) < 0) {
			free(s);
			r = ld_oom(l);
		}
	}
	return r;
}

/* private_names: [name | *.domain, ...], each as an endpoint's name is
 * written (without a port). */
static int read_private_names(struct loader *l, const struct yt_node *list)
{
	int r = ld_scalar_list(l, list, "'private_names'", "a list of host names", "a host name",
			       "private_names: [db.internal.example, \"*.corp.example\"]");
	l->p->private_names_pos = ld_pos(l, list);
	for (size_t i = 0; r == 0 && list->kind == YT_SEQ && i < list->n; i++) {
		const struct yt_node *n = &list->items[i];
		_cleanup_free_ char *s = NULL;
		if ((r = ld_expand(l, n->text, n, &s)) < 0)
			break;
		char name[MB_NAME_MAX + 1], why[512];
		bool wildcard;
		if (strchr(s, ':'))
			return ld_error(l, -EINVAL, n, "bad name '%s' in private_names: a name has no "
						       "port here (write %.*s)",
					s, (int)MB_MIN(strcspn(s, ":"), (size_t)253), s);
		if (ld_name_pattern(s, name, &wildcard, why, sizeof(why)) < 0)
			return ld_error(l, -EINVAL, n, "bad name '%s' in private_names: %s", s, why);
		struct mb_name_pattern *np = mb_vec_new(&l->p->private_names);
		if (!np || !(np->name = strdup(name))) {
			if (np)
				l->p->private_names.n--;
			return ld_oom(l);
		}
		np->wildcard = wildcard;
		np->pos = ld_pos(l, n);
	}
	return r;
}

const struct ld_key_info ld_keys[LD_KEY_COUNT_] = {
#define X(id, name, pass, where, read, ...) \
	[LD_KEY_##id] = { name, LD_PASS_##pass, LD_WHERE_##where, read },
	MB_PROFILE_KEYS(X)
#undef X
};

const char *const ld_key_names[LD_KEY_COUNT_] = {
#define X(id, name, ...) [LD_KEY_##id] = name,
	MB_PROFILE_KEYS(X)
#undef X
};

int ld_version(struct loader *l, const struct yt_node *root)
{
	const struct ld_key_info *k = &ld_keys[LD_KEY_VERSION];
	for (size_t i = 0; i < root->n; i++)
		if (strcmp(root->pairs[i].key.text, k->name) == 0)
			return k->read(l, &root->pairs[i].value);
	return ld_error(l, -EINVAL, root, "missing key 'version' (start the profile with 'version: 1')");
}
