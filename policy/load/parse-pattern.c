/* SPDX-License-Identifier: Apache-2.0 */
/* Path grants: ${VAR} expansion, then the pattern syntax of policy/match.h
 * plus {name} / {name[]} placeholders, checked and normalised. The text kept
 * in the model is normalised but still escaped, with placeholders in place:
 * policy/call-grants.c fills them per call. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "policy/load/load-internal.h"
#include "policy/match.h"

#define PLACEHOLDER_HINT \
	"write {NAME} or {NAME[]}: letters, digits, '_' and '-', not starting with a digit or '-'; options {NAME:uri}, {NAME:-DEFAULT}"

static bool ph_start(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

static bool ph_char(char c)
{
	return ph_start(c) || (c >= '0' && c <= '9') || c == '-';
}

/* Is the component [c, c+len) ".." once its escapes are removed? */
static bool is_dotdot(const char *c, size_t len)
{
	unsigned dots = 0;
	for (size_t i = 0; i < len; i++) {
		if (c[i] == '\\' && i + 1 < len)
			i++;
		if (c[i] != '.')
			return false;
		dots++;
	}
	return dots == 2;
}

/* Escapes and '..' on the text as written (normalising would hide both). */
static int check_raw(struct loader *l, const struct yt_node *n, const char *s)
{
	for (const char *p = s; *p; p++) {
		if (*p != '\\')
			continue;
		if (p[1] == '\0')
			return ld_error(l, -EINVAL, n,
					"a '\\' at the end of '%s' escapes nothing (write '\\\\' for a backslash)",
					s);
		if (p[1] == '/')
			return ld_error(l, -EINVAL, n,
					"'\\/' in '%s': a path component cannot hold a '/' (remove the '\\')",
					s);
		p++;
	}
	for (const char *p = s; *p;) {
		size_t len = 0;
		while (p[len] && p[len] != '/')
			len++;
		if (is_dotdot(p, len))
			return ld_error(l, -EINVAL, n,
					"'..' is not allowed in a grant (write '%s' without it)", s);
		p += len;
		if (*p == '/')
			p++;
	}
	return 0;
}

static int scope_error(struct loader *l, const struct yt_node *n, enum ld_scope scope,
		       const char *ph, size_t len)
{
	static const char *const why[] = {
		[LD_SCOPE_RUNTIME] = "runtime grants apply outside any call",
		[LD_SCOPE_TMPFS] = "tmpfs mounts are made before any call",
		[LD_SCOPE_WITHIN] = "arguments.within bounds every call",
		[LD_SCOPE_QUIET] = "quiet names noise, whatever call is in flight",
	};
	return ld_error(l, -EINVAL, n, "%s: no argument can fill %.*s (write a fixed path)",
			why[scope], (int)len, ph);
}

/* The same argument must be a string in every grant of a tool, or an array
 * in every one: it cannot be both. */
static int note_placeholder(struct loader *l, const struct yt_node *n, const char *name,
			    size_t len, bool array)
{
	mb_vec_foreach(ph, &l->placeholders) {
		if (ph->len != len || memcmp(ph->name, name, len) != 0)
			continue;
		if (ph->array == array)
			return 0;
		return ld_error(l, -EINVAL, n,
				"argument '%.*s' is used as {%.*s%s} here and as {%.*s%s} at %s:%u:%u (an argument cannot be both a string and an array)",
				(int)len, name, (int)len, name, array ? "[]" : "", (int)len, name,
				ph->array ? "[]" : "", ph->pos.file, ph->pos.line, ph->pos.column);
	}
	struct ld_placeholder *ph = mb_vec_new(&l->placeholders);
	if (!ph)
		return ld_oom(l);
	*ph = (struct ld_placeholder){ .name = name, .len = len, .array = array, .pos = ld_pos(l, n) };
	return 0;
}

/* Placeholders and globs of the normalised text. */
static int scan(struct loader *l, const struct yt_node *n, enum ld_scope scope,
		struct mb_path_pattern *pp)
{
	const char *s = pp->text;
	unsigned arrays = 0;
	for (const char *p = s; *p; p++) {
		if (*p == '\\') {
			p++;
			continue;
		}
		if (*p == '*') {
			if (p[1] == '*')
				return ld_error(l, -EINVAL, n,
						"'**' is not allowed in '%s' (a '*' matches within one component: write one per component)",
						s);
			if (scope == LD_SCOPE_TMPFS || scope == LD_SCOPE_WITHIN)
				return ld_error(l, -EINVAL, n,
						"'*' is not allowed in %s (name one directory; write '\\*' for a literal '*')",
						scope == LD_SCOPE_TMPFS ? "tmpfs" : "arguments.within");
			pp->has_glob = true;
			continue;
		}
		if (*p != '{')
			continue;
		const char *name = p + 1;
		size_t len = 0;
		if (ph_start(name[0]))
			while (ph_char(name[len]))
				len++;
		const char *q = name + len;
		bool array = q[0] == '[' && q[1] == ']';
		if (array)
			q += 2;
		if (len == 0 || *q != '}') {
			size_t show = strcspn(p, "}");
			if (p[show] == '}')
				show++;
			return ld_error(l, -EINVAL, n, "bad placeholder '%.*s%s' (" PLACEHOLDER_HINT ")",
					(int)MB_MIN(show, 64), p, show > 64 ? "..." : "");
		}
		if (scope != LD_SCOPE_CALL)
			return scope_error(l, n, scope, p, (size_t)(q + 1 - p));
		if (array && ++arrays > 1)
			return ld_error(l, -EINVAL, n,
					"more than one {NAME[]} placeholder in '%s' (each element of one array fills a grant: split it in two)",
					s);
		int r = ld_request_param_check(l, n, name, len);
		if (r < 0)
			return r;
		r = note_placeholder(l, n, name, len, array);
		if (r < 0)
			return r;
		pp->has_placeholder = true;
		p = q;
	}
	return 0;
}

/* The literal directory a grant starts with: all of it without placeholders
 * or globs, else up to the last '/' before the first one. Unescaped into
 * buf; empty when the grant starts with a placeholder. */
static void fixed_prefix(const char *s, char *buf)
{
	size_t end = 0, i = 0, o = 0, cut_o = 0;
	bool special = false;
	for (i = 0; s[i]; i++) {
		if (s[i] == '{' || s[i] == '*') {
			special = true;
			break;
		}
		if (s[i] == '/')
			cut_o = o;
		if (s[i] == '\\')
			i++;
		buf[o++] = s[i];
	}
	end = special ? (cut_o == 0 && o > 0 && buf[0] == '/' ? 1 : cut_o) : o;
	buf[end] = '\0';
}

static int check_exists(struct loader *l, const struct yt_node *n, const char *text)
{
	char buf[LD_MAX_PATH + 2];
	fixed_prefix(text, buf);
	if (!buf[0])
		return 0;
	struct stat st;
	if (lstat(buf, &st) == 0)
		return 0;
	int e = errno;
	if (e == ENOENT || e == ENOTDIR)
		return ld_error(l, -ENOENT, n,
				"path '%s' does not exist (create it, or mark the grant optional with a trailing '?')",
				buf);
	return ld_error(l, -e, n,
			"cannot check that path '%s' exists: %s (mark the grant optional with a trailing '?')",
			buf, strerror(e));
}

/* Trailing '?' not escaped: an odd number of '\' before it escapes it. */
static bool strip_optional(char *s)
{
	size_t len = strlen(s);
	if (len == 0 || s[len - 1] != '?')
		return false;
	size_t bs = 0;
	while (bs < len - 1 && s[len - 2 - bs] == '\\')
		bs++;
	if (bs % 2)
		return false;
	s[len - 1] = '\0';
	return true;
}

static int normalise(struct loader *l, const struct yt_node *n, char *s)
{
	size_t len = strlen(s);
	int r;
	if (s[0] == '/') {
		r = mb_path_normalize(s, s, len + 1);
	} else {
		/* A grant may start with a placeholder ({path}.*.tmp):
		 * normalise it as if rooted, then drop the root again. */
		char buf[LD_MAX_PATH + 2];
		buf[0] = '/';
		memcpy(buf + 1, s, len + 1);
		r = mb_path_normalize(buf, buf, sizeof(buf));
		if (r >= 0)
			memcpy(s, buf + 1, (size_t)r);
	}
	if (r < 0)
		return ld_error(l, r, n, "cannot normalise path '%s'", s);
	return 0;
}

/* A placeholder's options, from text just past its name (and "[]") up to
 * its '}': ":uri" and ":-DEFAULT", in that order. Returns the length taken
 * up to the '}' (excluded), or 0 when there are none (or what follows is no
 * option: scan() then says what is wrong). */
static size_t option_len(const char *q)
{
	const char *p = q;
	if (strncmp(p, ":uri", 4) == 0 && (p[4] == '}' || p[4] == ':'))
		p += 4;
	if (p[0] == ':' && p[1] == '-') {
		p += 2;
		while (*p && *p != '}' && *p != '{')
			p++;
	}
	return *p == '}' ? (size_t)(p - q) : 0;
}

static int add_option(struct loader *l, const struct yt_node *n, struct mb_path_pattern *pp,
		      const char *name, size_t len, bool opens, const char *opt, size_t optlen)
{
	struct mb_placeholder_opt o = { .uri = strncmp(opt, ":uri", 4) == 0 };
	const char *d = o.uri ? opt + 4 : opt;
	size_t dlen = optlen - (size_t)(d - opt);
	if (dlen >= 2) {
		d += 2;
		dlen -= 2;
		if (dlen == 0)
			return ld_error(l, -EINVAL, n,
					"empty default in {%.*s:-} (write {%.*s:-${ROOT}}, or drop ':-')",
					(int)len, name, (int)len, name);
		if (opens && d[0] != '/')
			return ld_error(l, -EINVAL, n,
					"bad default '%.*s' of {%.*s}: the placeholder opens the grant, so its default is an absolute path (write {%.*s:-${ROOT}})",
					(int)MB_MIN(dlen, 64), d, (int)len, name, (int)len, name);
		if (!opens && memchr(d, '/', dlen))
			return ld_error(l, -EINVAL, n,
					"bad default '%.*s' of {%.*s}: the placeholder fills part of one name, so its default cannot hold a '/'",
					(int)MB_MIN(dlen, 64), d, (int)len, name);
		char buf[LD_MAX_PATH + 2];
		if (dlen > LD_MAX_PATH)
			return ld_error(l, -ENAMETOOLONG, n, "default of {%.*s} longer than %d bytes",
					(int)len, name, LD_MAX_PATH);
		memcpy(buf, d, dlen);
		buf[dlen] = '\0';
		if (opens) {
			for (const char *c = buf; *c;) {
				size_t cl = strcspn(c, "/");
				if (cl == 2 && c[0] == '.' && c[1] == '.')
					return ld_error(l, -EINVAL, n,
							"'..' in the default of {%.*s} (write the path without it)",
							(int)len, name);
				c += cl + (c[cl] == '/');
			}
			if (mb_path_normalize(buf, buf, sizeof(buf)) < 0)
				return ld_error(l, -EINVAL, n, "cannot normalise the default '%s'", buf);
		}
		if (!(o.dflt = strdup(buf)))
			return ld_oom(l);
	}
	if (!(o.name = strndup(name, len)) || mb_vec_push(&pp->ph, o) < 0) {
		free(o.name);
		free(o.dflt);
		return ld_oom(l);
	}
	return 0;
}

/* Take the options out of every placeholder of s (in place), into pp->ph:
 * the text keeps {NAME} and {NAME[]} alone. */
static int strip_options(struct loader *l, const struct yt_node *n, char *s,
			 struct mb_path_pattern *pp)
{
	for (char *p = s; *p; p++) {
		if (*p == '\\') {
			if (p[1])
				p++;
			continue;
		}
		if (*p != '{' || !ph_start(p[1]))
			continue;
		size_t len = 1;
		while (ph_char(p[1 + len]))
			len++;
		char *q = p + 1 + len;
		if (q[0] == '[' && q[1] == ']')
			q += 2;
		size_t ol = option_len(q);
		if (!ol)
			continue;
		int r = add_option(l, n, pp, p + 1, len, p == s, q, ol);
		if (r < 0)
			return r;
		memmove(q, q + ol, strlen(q + ol) + 1);
	}
	return 0;
}

static int parse_one(struct loader *l, const struct yt_node *n, enum ld_scope scope,
		     struct mb_path_pattern *pp)
{
	pp->pos = ld_pos(l, n);
	int r = ld_expand(l, n->text, n, &pp->text);
	if (r < 0)
		return r;
	char *s = pp->text;
	pp->optional = strip_optional(s);
	r = strip_options(l, n, s, pp);
	if (r < 0)
		return r;
	if (!s[0])
		return ld_error(l, -EINVAL, n, "empty path (write an absolute path)");
	if (strlen(s) > LD_MAX_PATH)
		return ld_error(l, -ENAMETOOLONG, n, "path longer than %d bytes (shorten it)",
				LD_MAX_PATH);
	if (s[0] != '/' && s[0] != '{')
		return ld_error(l, -EINVAL, n, "relative path '%s' (write an absolute path%s)", s,
				scope == LD_SCOPE_CALL ? ", or start with a {placeholder}" : "");
	r = check_raw(l, n, s);
	if (r < 0)
		return r;
	r = normalise(l, n, s);
	if (r < 0)
		return r;
	r = scan(l, n, scope, pp);
	if (r < 0)
		return r;
	if (l->opts->check_existence && !pp->optional && scope != LD_SCOPE_TMPFS &&
	    scope != LD_SCOPE_QUIET)
		return check_exists(l, n, s);
	return 0;
}

int ld_path_list(struct loader *l, const struct yt_node *list, const char *what,
		 enum ld_scope scope, mb_pattern_vec *out)
{
	char example[64];
	snprintf(example, sizeof(example), "%s: [/PATH, ...]", what);
	char quoted[64];
	snprintf(quoted, sizeof(quoted), "'%s'", what);
	int r = ld_scalar_list(l, list, quoted, "a list of paths", "a path", example);
	if (r < 0 || list->kind != YT_SEQ)
		return r;
	for (size_t i = 0; i < list->n; i++) {
		struct mb_path_pattern *pp = mb_vec_new(out);
		if (!pp)
			return ld_oom(l);
		r = parse_one(l, &list->items[i], scope, pp);
		if (r < 0)
			return r;
	}
	return 0;
}
