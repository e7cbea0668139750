/* The profile loader's entry points and pass 1 (see load-internal.h). */
#include <string.h>

#include "policy/load/load-internal.h"

int ld_collect(struct loader *l, size_t doc, unsigned depth)
{
	static const char *const fragment_keys[] = { "vars", "runtime", "include" };
	const struct ld_doc *d = &l->docs.v[doc];
	const struct yt_node *root = d->root;
	bool fragment = doc > 0;
	l->file = d->name;
	if (root->kind != YT_MAP)
		return ld_error(l, -EINVAL, root,
				fragment ? "a runtime fragment must be a mapping of keys, not %s (write runtime: { read: [PATH] })"
					 : "a profile must be a mapping of keys, not %s (start it with 'version: 1')",
				yt_describe(root));
	int r;
	const struct yt_pair *found[LD_KEY_COUNT_];
	const struct yt_pair *vars, *include, *runtime;
	if (fragment) {
		r = ld_map_keys(l, root, fragment_keys, 3, found, NULL, true);
		vars = found[0];
		runtime = found[1];
		include = found[2];
	} else {
		r = ld_version(l, root);
		if (r == 0)
			r = ld_map_keys(l, root, ld_key_names, LD_KEY_COUNT_, found, NULL, false);
		vars = found[LD_KEY_VARS];
		runtime = found[LD_KEY_RUNTIME];
		include = found[LD_KEY_INCLUDE];
	}
	if (r < 0)
		return r;
	struct ld_doc *dw = &l->docs.v[doc];
	dw->vars = vars;
	dw->runtime = runtime;
	dw->include = include;
	/* A file's own vars before its fragments': the first declaration
	 * read wins. */
	if (vars && (r = ld_vars_collect(l, &vars->value)) < 0)
		return r;
	return ld_includes(l, doc, depth);
}

static int load(struct loader *l)
{
	int r = ld_collect(l, 0, 0);
	if (r == 0)
		r = ld_vars_resolve(l);
	if (r == 0)
		r = ld_main_keys(l);
	for (size_t i = 1; r == 0 && i < l->docs.n; i++) {
		const struct ld_doc *d = &l->docs.v[i];
		l->file = d->name;
		if (d->runtime)
			r = ld_runtime(l, &d->runtime->value);
	}
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
