/* SPDX-License-Identifier: Apache-2.0 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"
#include "policy/call-grants.h"
#include "policy/match.h"
#include "supervisor/inspect/request-check.h"
#include "supervisor/inspect/jsonrpc.h"
#include "report/report-request.h"

/* file:///a%20b -> /a b; NULL for a URI we will not interpret. */
char *mb_file_uri_path(const char *uri, const char **why)
{
	const char *s = uri + strlen("file://");
	if (strncmp(s, "localhost/", 10) == 0)
		s += 9;
	if (*s != '/') {
		*why = "is a file:// URI naming another host";
		return NULL;
	}
	char *out = malloc(strlen(s) + 1);
	if (!out) {
		*why = "could not be examined (out of memory)";
		return NULL;
	}
	size_t k = 0;
	for (size_t i = 0; s[i]; i++) {
		if (s[i] == '?' || s[i] == '#')
			break;
		if (s[i] == '%') {
			int h = s[i + 1] ? mb_hexval(s[i + 1]) : -1;
			int l = h >= 0 && s[i + 2] ? mb_hexval(s[i + 2]) : -1;
			if (h < 0 || l < 0 || (h == 0 && l == 0)) {
				free(out);
				*why = "is a file:// URI with a bad %-escape";
				return NULL;
			}
			out[k++] = (char)(h * 16 + l);
			i += 2;
			continue;
		}
		out[k++] = s[i];
	}
	out[k] = '\0';
	return out;
}

bool mb_argument_within(const struct mb_profile *p, const char *cwd, const char *value,
			const char **why)
{
	const char *dummy;
	if (!why)
		why = &dummy;
	if (!p->within.n)
		return true;
	_cleanup_free_ char *decoded = NULL;
	const char *v = value;
	if (strncmp(v, "file://", 7) == 0) {
		decoded = mb_file_uri_path(v, why);
		if (!decoded)
			return false;
		v = decoded;
	}
	if (v[0] == '~') {
		*why = "starts with ~, which servers expand to a home directory";
		return false;
	}
	struct mb_strbuf abs = { 0 };
	if (v[0] != '/') {
		if (!cwd) {
			*why = "is relative and the server's working directory is not known";
			return false;
		}
		mb_strbuf_puts(&abs, cwd);
		mb_strbuf_putc(&abs, '/');
	}
	mb_strbuf_puts(&abs, v);
	if (mb_strbuf_failed(&abs)) {
		*why = "could not be examined (out of memory)";
		return false;
	}
	int r = mb_path_normalize(abs.s, abs.s, abs.len + 1);
	if (r < 0) {
		mb_strbuf_free(&abs);
		*why = "is not a path that can be normalised";
		return false;
	}
	bool inside = false;
	for (size_t i = 0; i < p->within.n; i++) {
		if (mb_path_match(p->within.v[i].text, abs.s)) {
			inside = true;
			break;
		}
	}
	mb_strbuf_free(&abs);
	if (!inside)
		*why = "is outside arguments.within";
	return inside;
}

struct arg_ctx {
	const struct mb_profile *p;
	const char *cwd;
	char *reason;
};

static char *reason_for(const char *argname, const char *value, const char *why)
{
	_cleanup_free_ char *shown = mb_report_cut(value, strlen(value), 128);
	struct mb_strbuf b = { 0 };
	mb_strbuf_printf(&b, "argument %s (", argname);
	mb_strbuf_json_string(&b, shown ? shown : "", shown ? strlen(shown) : 0);
	mb_strbuf_printf(&b, ") %s", why);
	if (mb_strbuf_failed(&b)) {
		mb_strbuf_free(&b);
		return strdup("an argument could not be examined");
	}
	return mb_strbuf_take(&b);
}

static int check_arg(const char *argname, const char *value, void *ud)
{
	struct arg_ctx *c = ud;
	const char *why = NULL;
	if (mb_argument_within(c->p, c->cwd, value, &why))
		return 0;
	c->reason = reason_for(argname, value, why);
	return 1;
}

_printf_(1, 2) static char *fmt(const char *f, ...)
{
	struct mb_strbuf s = { 0 };
	va_list ap;
	va_start(ap, f);
	char tmp[512];
	vsnprintf(tmp, sizeof(tmp), f, ap);
	va_end(ap);
	mb_strbuf_puts(&s, tmp);
	if (mb_strbuf_failed(&s)) {
		mb_strbuf_free(&s);
		return strdup("refused");
	}
	return mb_strbuf_take(&s);
}

static bool has_placeholder(const struct mb_grants *g)
{
	for (size_t op = 0; op < MB_PATH_OPS; op++)
		for (size_t i = 0; i < g->path[op].n; i++)
			if (g->path[op].v[i].has_placeholder)
				return true;
	mb_vec_foreach(pp, &g->list) {
		if (pp->has_placeholder)
			return true;
	}
	return false;
}

/* m: arguments parsed from it on demand; else args as given. */
static char *tool_call(const struct mb_profile *p, const struct mb_toolpin *tp, const char *cwd,
		       const char *name, struct mb_jr_msg *m, const cJSON *args)
{
	if (!name)
		return strdup("tools/call names no tool");
	const struct mb_tool *decl = mb_profile_tool(p, name);
	if (!decl && p->unlisted_tools == MB_UNLISTED_DENY)
		return fmt("tool \"%s\" is not declared in profile %s", name,
			   p->name ? p->name : "(unnamed)");
	if (p->pin == MB_PIN_STRICT && tp && mb_toolpin_changed(tp, name))
		return fmt("tool \"%s\" changed since it was first listed (pin: strict)", name);
	if (!decl || !has_placeholder(&decl->grants))
		return NULL;
	if (m) {
		if (!m->p[MB_P_ARGUMENTS].len)
			return NULL;
		args = mb_jr_param_node(m, MB_P_ARGUMENTS);
		if (!args)
			return strdup("the arguments could not be examined (out of memory)");
	}
	struct arg_ctx c = { p, cwd, NULL };
	mb_grants_foreach_path_argument(&decl->grants, args, check_arg, &c);
	return c.reason;
}

char *mb_check_tool_call(const struct mb_profile *p, const struct mb_toolpin *tp,
			 const char *cwd, const cJSON *params)
{
	return tool_call(p, tp, cwd, mb_json_get_string(params, "name"), NULL,
			 cJSON_GetObjectItemCaseSensitive(params, "arguments"));
}

char *mb_check_tool_call_msg(const struct mb_profile *p, const struct mb_toolpin *tp,
			     const char *cwd, struct mb_jr_msg *m)
{
	return tool_call(p, tp, cwd, mb_jr_param_str(m, MB_P_NAME), m, NULL);
}

char *mb_check_resource_uri(const struct mb_profile *p, const char *cwd, const char *uri)
{
	if (!uri || strncmp(uri, "file://", 7) != 0)
		return NULL;
	const char *why = NULL;
	if (mb_argument_within(p, cwd, uri, &why))
		return NULL;
	return reason_for("uri", uri, why);
}

char *mb_check_resource_read(const struct mb_profile *p, const char *cwd, const cJSON *params)
{
	return mb_check_resource_uri(p, cwd, mb_json_get_string(params, "uri"));
}
