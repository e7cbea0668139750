/* SPDX-License-Identifier: Apache-2.0 */
/* The profile loader's entry points and its passes (see load-internal.h),
 * driven by the key table (policy/profile-keys.h). */
#include <string.h>

#include "policy/load/load-internal.h"

/* Read docs[doc]'s keys that the table reads in pass, in document order.
 * Its keys are checked already: each is one of ld_keys. */
static int read_keys(struct loader *l, size_t doc, enum ld_pass pass)
{
	const struct yt_node *root = l->docs.v[doc].root;
	l->file = l->docs.v[doc].name;
	l->doc = doc;
	for (size_t i = 0; i < root->n; i++) {
		size_t k = 0;
		while (k < LD_KEY_COUNT_ && strcmp(ld_key_names[k], root->pairs[i].key.text) != 0)
			k++;
		if (k == LD_KEY_COUNT_ || ld_keys[k].pass != pass)
			continue;
		int r = ld_keys[k].read(l, &root->pairs[i].value);
		if (r < 0)
			return r;
	}
	return 0;
}

int ld_collect(struct loader *l, size_t doc)
{
	const struct yt_node *root = l->docs.v[doc].root;
	bool fragment = doc > 0;
	l->file = l->docs.v[doc].name;
	l->doc = doc;
	if (root->kind != YT_MAP)
		return ld_error(l, -EINVAL, root,
				fragment ? "a runtime fragment must be a mapping of keys, not %s (write runtime: { read: [PATH] })"
					 : "a profile must be a mapping of keys, not %s (start it with 'version: 1')",
				yt_describe(root));
	const struct yt_pair *found[LD_KEY_COUNT_];
	int r = fragment ? 0 : ld_version(l, root);
	if (r == 0)
		r = ld_map_keys(l, root, ld_key_names, LD_KEY_COUNT_, found, NULL, fragment);
	/* A file's own vars before its fragments': the first declaration
	 * read wins. */
	if (r == 0)
		r = read_keys(l, doc, LD_PASS_VARS);
	if (r == 0)
		r = read_keys(l, doc, LD_PASS_INCLUDE);
	return r;
}

/* Pass 2 of the main document: its keys in document order, then those
 * read last. */
static int main_keys(struct loader *l)
{
	const struct yt_node *root = l->docs.v[0].root;
	l->file = l->docs.v[0].name;
	l->p->pos = ld_pos(l, root);
	int r = read_keys(l, 0, LD_PASS_DOC);
	if (r == 0 && !l->p->name)
		r = ld_error(l, -EINVAL, root,
			     "missing key 'name' (name the profile: name: NAME, of letters, digits, '_', '.' and '-')");
	if (r == 0)
		r = read_keys(l, 0, LD_PASS_LAST);
	return r;
}

static int load(struct loader *l)
{
	int r = ld_collect(l, 0);
	if (r == 0)
		r = ld_vars_resolve(l);
	if (r == 0)
		r = main_keys(l);
	for (size_t i = 1; r == 0 && i < l->docs.n; i++)
		r = read_keys(l, i, LD_PASS_DOC);
	if (r == 0)
		r = ld_vars_finish(l);
	return r;
}

static void loader_free(struct loader *l)
{
	mb_vec_foreach(d, &l->docs) yt_free(d->root);
	mb_vec_free(&l->docs);
	mb_vec_free(&l->stack);
	mb_vec_foreach(v, &l->vars) free(v->value);
	mb_vec_free(&l->vars);
	mb_vec_foreach(s, &l->set_names) free(*s);
	mb_vec_free(&l->set_names);
	mb_vec_free(&l->resolving);
	mb_vec_free(&l->placeholders);
}

static int load_common(const char *name, const char *data, size_t len, bool has_id, dev_t dev,
		       ino_t ino, const struct mb_load_opts *opts, struct mb_profile **ret,
		       struct mb_error *err)
{
	static const struct mb_load_opts defaults = { 0 };
	struct loader l = { .opts = opts ? opts : &defaults, .err = err, .file = name };
	l.p = calloc(1, sizeof(*l.p));
	if (!l.p)
		return ld_oom(&l);
	size_t idx;
	int r = ld_add_doc(&l, name, data, len, has_id, dev, ino, &idx);
	if (r == 0)
		r = load(&l);
	loader_free(&l);
	if (r < 0) {
		mb_profile_free(l.p);
		return r;
	}
	*ret = l.p;
	return 0;
}

int mb_profile_load(const char *path, const struct mb_load_opts *opts, struct mb_profile **ret,
		    struct mb_error *err)
{
	_cleanup_free_ char *data = NULL;
	size_t len;
	dev_t dev;
	ino_t ino;
	int r = ld_read_file(path, &data, &len, &dev, &ino);
	if (r < 0)
		return mb_error_set(err, r, "%s: cannot read the profile: %s (check the path)", path,
				    ld_read_error(r));
	return load_common(path, data, len, true, dev, ino, opts, ret, err);
}

int mb_profile_load_buffer(const char *name, const char *data, size_t len,
			   const struct mb_load_opts *opts, struct mb_profile **ret,
			   struct mb_error *err)
{
	return load_common(name, data, len, false, 0, 0, opts, ret, err);
}
