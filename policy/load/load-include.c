/* SPDX-License-Identifier: Apache-2.0 */
/* Runtime fragments: include: [node] reads runtimes/node.yml beside the
 * including file, then beside each profile directory of the search path; a
 * value holding a '/' is a path from the including file's directory. A
 * profile loaded from a buffer has no directory: only the include
 * directories of the options are searched, so that a buffer (a fuzzer's
 * input) reaches no file the options did not name. Files
 * are told apart by device and inode, so a cycle is caught however it is
 * spelt, and a fragment reached twice (a diamond) is read once. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "common/strbuf.h"
#include "policy/load/load-internal.h"

int ld_read_file(const char *path, char **ret, size_t *ret_len, dev_t *dev, ino_t *ino)
{
	/* O_NONBLOCK: opening a FIFO must not wait for a writer. */
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return mb_neg_errno();
	struct stat st;
	if (fstat(fd, &st) < 0)
		return mb_neg_errno();
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	if (st.st_size > LD_MAX_FILE_SIZE)
		return -EFBIG;
	size_t cap = (size_t)st.st_size + 1, len = 0;
	_cleanup_free_ char *buf = malloc(cap + 1);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		/* The file may have grown since fstat: read one byte more than
		 * it had to notice. */
		if (len == cap) {
			if (cap > LD_MAX_FILE_SIZE)
				return -EFBIG;
			size_t ncap = MB_MIN(cap * 2, (size_t)LD_MAX_FILE_SIZE + 1);
			char *nbuf = realloc(buf, ncap + 1);
			if (!nbuf)
				return -ENOMEM;
			buf = nbuf;
			cap = ncap;
		}
		ssize_t n = read(fd, buf + len, cap - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return mb_neg_errno();
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > LD_MAX_FILE_SIZE)
		return -EFBIG;
	buf[len] = '\0';
	*dev = st.st_dev;
	*ino = st.st_ino;
	*ret_len = len;
	*ret = TAKE_PTR(buf);
	return 0;
}

const char *ld_read_error(int r)
{
	switch (r) {
	case -EFBIG: return "larger than 1 MiB";
	case -EINVAL: return "not a regular file";
	default: return strerror(-r);
	}
}

int ld_add_doc(struct loader *l, const char *name, const char *data, size_t len, bool has_id,
	       dev_t dev, ino_t ino, size_t *ret)
{
	char *copy = strdup(name);
	if (!copy || mb_vec_push(&l->p->files, copy) < 0) {
		free(copy);
		return ld_oom(l);
	}
	l->file = copy;
	struct yt_node *root = NULL;
	int r = yt_parse(copy, data, len, &root, l->err);
	bool fragment = l->docs.n > 0;
	if (r == -ENODATA || (r == 0 && root->kind == YT_SCALAR && root->null)) {
		yt_free(root);
		return ld_error(l, -EINVAL, NULL,
				fragment ? "the fragment is empty (a fragment holds " LD_FRAGMENT_KEYS ")"
					 : "the profile is empty (start it with 'version: 1')");
	}
	if (r < 0)
		return r;
	struct ld_doc *d = mb_vec_new(&l->docs);
	if (!d) {
		yt_free(root);
		return ld_oom(l);
	}
	*d = (struct ld_doc){ .name = copy, .root = root, .has_id = has_id, .dev = dev, .ino = ino };
	*ret = l->docs.n - 1;
	return 0;
}

/* dirname() of a file name, without the trailing '/': "" for a bare name. */
static size_t dir_len(const char *file)
{
	const char *slash = strrchr(file, '/');
	if (!slash)
		return 0;
	return slash == file ? 1 : (size_t)(slash - file);
}

static char *join(const char *dir, size_t dlen, const char *a, const char *b)
{
	struct mb_strbuf s = { 0 };
	if (dlen)
		mb_strbuf_printf(&s, "%.*s%s", (int)dlen, dir, dir[dlen - 1] == '/' ? "" : "/");
	mb_strbuf_printf(&s, "%s%s", a, b);
	if (mb_strbuf_failed(&s)) {
		mb_strbuf_free(&s);
		return NULL;
	}
	return mb_strbuf_take(&s);
}

static bool name_ok(const char *s)
{
	return s[0] && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") ==
			       strlen(s);
}

struct found {
	char *path, *data;
	size_t len;
	dev_t dev;
	ino_t ino;
};

static void found_free(struct found *f)
{
	free(f->path);
	free(f->data);
}

/* Try one candidate: 0 read (f->path takes path), 1 absent, or an error
 * at the element. path stays the caller's unless taken. */
static int try_path(struct loader *l, const struct yt_node *it, char *path, struct found *f)
{
	if (!path)
		return ld_oom(l);
	int r = ld_read_file(path, &f->data, &f->len, &f->dev, &f->ino);
	if (r == -ENOENT)
		return 1;
	if (r < 0)
		return ld_error(l, r, it,
				"include '%s': cannot read %s: %s (fix the file, or remove the include)",
				it->text, path, ld_read_error(r));
	f->path = path;
	return 0;
}

typedef MB_VEC(char *) path_vec;

/* Append DIR/PREFIXNAME.yml to v. */
static int candidate(path_vec *v, const char *dir, size_t dlen, const char *prefix,
		     const char *name)
{
	char *rel = NULL, *path = NULL;
	if (asprintf(&rel, "%s%s.yml", prefix, name) < 0)
		return -ENOMEM;
	path = join(dir, dlen, rel, "");
	free(rel);
	if (!path || mb_vec_push(v, path) < 0) {
		free(path);
		return -ENOMEM;
	}
	return 0;
}

/* A fragment's name: runtimes/NAME.yml beside the including file; beside a
 * fragment, its sibling NAME.yml too (fragments live in runtimes/); then
 * runtimes/NAME.yml in each include directory. */
static int find_named(struct loader *l, const struct yt_node *it, size_t doc, struct found *f)
{
	const char *name = it->text, *includer = l->docs.v[doc].name;
	if (!name_ok(name))
		return ld_error(l, -EINVAL, it,
				"bad include '%s' (a fragment name is letters, digits, '_', '.' and '-'; a path holds a '/')",
				name);
	path_vec tried = { 0 };
	size_t dlen = dir_len(includer);
	bool file = l->docs.v[doc].has_id; /* a buffer has no directory */
	int r = file ? candidate(&tried, includer, dlen, "runtimes/", name) : 0;
	if (r == 0 && doc > 0)
		r = candidate(&tried, includer, dlen, "", name);
	for (const char *const *d = l->opts->include_dirs; r == 0 && d && *d; d++)
		r = candidate(&tried, *d, strlen(*d), "runtimes/", name);
	if (r < 0)
		r = ld_oom(l);
	else
		r = 1;
	for (size_t i = 0; r == 1 && i < tried.n; i++) {
		r = try_path(l, it, tried.v[i], f);
		if (r == 0)
			tried.v[i] = NULL; /* taken by f */
	}
	if (r == 1 && tried.n == 0)
		r = ld_error(l, -ENOENT, it,
			     "unknown include '%s': a profile read from memory has no directory to look in (give include directories)",
			     name);
	if (r == 1) {
		struct mb_strbuf b = { 0 };
		for (size_t i = 0; i < tried.n; i++)
			mb_strbuf_printf(&b, "%s%s", i ? ", " : "", tried.v[i]);
		r = mb_strbuf_failed(&b)
			    ? ld_oom(l)
			    : ld_error(l, -ENOENT, it,
				       "unknown include '%s': none of %s exists (check the name)", name,
				       b.s);
		mb_strbuf_free(&b);
	}
	mb_vec_foreach(p, &tried) free(*p);
	mb_vec_free(&tried);
	return r;
}

static int find_fragment(struct loader *l, const struct yt_node *it, size_t doc, struct found *f)
{
	const char *includer = l->docs.v[doc].name;
	if (!strchr(it->text, '/'))
		return find_named(l, it, doc, f);
	if (!l->docs.v[doc].has_id)
		return ld_error(l, -EINVAL, it,
				"include '%s': a profile read from memory has no directory to find a path from (name the fragment instead)",
				it->text);
	char *path = it->text[0] == '/' ? strdup(it->text)
					: join(includer, dir_len(includer), it->text, "");
	int r = try_path(l, it, path, f);
	if (r == 1)
		r = ld_error(l, -ENOENT, it, "unknown include '%s': %s does not exist (check the path)",
			     it->text, path);
	if (r != 0)
		free(path);
	return r;
}

static int cycle_error(struct loader *l, const struct yt_node *it, size_t k)
{
	_cleanup_(mb_strbuf_free) struct mb_strbuf b = { 0 };
	for (size_t i = k; i < l->stack.n; i++)
		mb_strbuf_printf(&b, "%s -> ", l->docs.v[l->stack.v[i]].name);
	mb_strbuf_puts(&b, l->docs.v[l->stack.v[k]].name);
	if (mb_strbuf_failed(&b))
		return ld_oom(l);
	return ld_error(l, -ELOOP, it, "include cycle: %s (remove one of these includes)", b.s);
}

static int include_one(struct loader *l, size_t doc, const struct yt_node *it)
{
	_cleanup_(found_free) struct found f = { 0 };
	int r = find_fragment(l, it, doc, &f);
	if (r < 0)
		return r;
	for (size_t k = 0; k < l->stack.n; k++) {
		const struct ld_doc *d = &l->docs.v[l->stack.v[k]];
		if (d->has_id && d->dev == f.dev && d->ino == f.ino)
			return cycle_error(l, it, k);
	}
	mb_vec_foreach(d, &l->docs)
		if (d->has_id && d->dev == f.dev && d->ino == f.ino)
			return 0; /* read already, through another include */
	if (l->stack.n > LD_MAX_INCLUDE_DEPTH) /* doc nests l->stack.n - 1 deep */
		return ld_error(l, -ELOOP, it, "includes nest more than %d deep (flatten them)",
				LD_MAX_INCLUDE_DEPTH);
	size_t idx;
	r = ld_add_doc(l, f.path, f.data, f.len, true, f.dev, f.ino, &idx);
	if (r < 0)
		return r;
	return ld_collect(l, idx);
}

int ld_includes(struct loader *l, const struct yt_node *list)
{
	size_t doc = l->doc;
	int r = ld_scalar_list(l, list, "'include'", "a list of fragment names",
			       "a fragment name", "include: [node]");
	if (r < 0 || list->kind != YT_SEQ)
		return r;
	if (mb_vec_push(&l->stack, doc) < 0)
		return ld_oom(l);
	for (size_t i = 0; i < list->n && r == 0; i++) {
		r = include_one(l, doc, &list->items[i]);
		l->file = l->docs.v[doc].name;
		l->doc = doc;
	}
	l->stack.n--;
	return r;
}
