/* SPDX-License-Identifier: Apache-2.0 */
/* Writing the draft: the YAML of learn-draft.c's decisions, with its
 * evidence in comments, checked by loading it as --check would and linted
 * (learn.h). Each key is written by the writer that the key table
 * (policy/profile-keys.h) names, or the table says why drafts never hold it. */
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy/lint.h"
#include "policy/match.h"
#include "policy/profile-keys.h"
#include "supervisor/learn/learn-draft.h"

/* ---- writing --------------------------------------------------------------- */

void mb_learn_yq(struct mb_strbuf *b, const char *s)
{
	mb_strbuf_putc(b, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			mb_strbuf_printf(b, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			mb_strbuf_printf(b, "\\x%02x", *p);
		else
			mb_strbuf_putc(b, (char)*p);
	}
	mb_strbuf_putc(b, '"');
}

/* A comment: one line whatever the text holds. */
static void cmt_text(struct mb_strbuf *b, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		mb_strbuf_putc(b, *p < 0x20 || *p == 0x7f ? ' ' : (char)*p);
}

_printf_(3, 4) static void cmt(struct mb_strbuf *b, int indent, const char *fmt, ...)
{
	char *s;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->oom = true;
		return;
	}
	mb_strbuf_printf(b, "%*s# ", indent, "");
	cmt_text(b, s);
	mb_strbuf_putc(b, '\n');
	free(s);
}

static const char *plural(uint64_t n)
{
	return n == 1 ? "" : "s";
}

static void write_line(struct mb_strbuf *b, int indent, enum mb_op op, const struct draft_grant *x,
		       const struct learn_scope *s)
{
	mb_strbuf_printf(b, "%*s- ", indent, "");
	mb_learn_yq(b, x->text);
	mb_strbuf_puts(b, "  # ");
	struct mb_strbuf c = { 0 };
	if (x->files > 1)
		mb_strbuf_printf(&c, "collapsed to the directory: %u names beneath it %s %" PRIu64 " time%s",
				 x->files, draft_op_done[op], x->count, plural(x->count));
	else if (x->count)
		mb_strbuf_printf(&c, "%s %" PRIu64 " time%s", draft_op_done[op], x->count, plural(x->count));
	if (x->count && x->syscall && *x->syscall && x->files <= 1)
		mb_strbuf_printf(&c, " (%s)", x->syscall);
	if (s && x->calls)
		mb_strbuf_printf(&c, " in %" PRIu64 " of %" PRIu64 " call%s", x->calls, s->calls,
				 plural(s->calls));
	else if (!s && x->count)
		mb_strbuf_puts(&c, x->in_call ? " at start-up, while idle or during calls (a system or code file)"
					      : " at start-up or while idle");
	if (x->note && *x->note && strcmp(x->note, "collapsed") != 0)
		mb_strbuf_printf(&c, "%s%s", c.len ? ": " : "", x->note);
	if (x->example && strcmp(x->example, "{}") != 0)
		mb_strbuf_printf(&c, "; e.g. %s", x->example);
	cmt_text(b, c.s ? c.s : "");
	mb_strbuf_free(&c);
	mb_strbuf_putc(b, '\n');
}

static void write_grants(struct mb_strbuf *b, int indent, draft_grant_vec *g,
			 const struct learn_scope *s)
{
	for (unsigned o = 0; o < MB_OP_COUNT_; o++) {
		if (!g[o].n)
			continue;
		mb_strbuf_printf(b, "%*s%s:\n", indent, "", draft_op_key[o]);
		mb_vec_foreach(x, &g[o]) write_line(b, indent + 2, (enum mb_op)o, x, s);
	}
}

static bool any_grant(draft_grant_vec *g)
{
	for (unsigned o = 0; o < MB_OP_COUNT_; o++)
		if (g[o].n)
			return true;
	return false;
}

static bool tool_called(const struct mb_learner *l, const char *name)
{
	mb_vec_foreach(sp, &l->scopes) {
		if ((*sp)->kind == LEARN_SCOPE_TOOL && strcmp((*sp)->name, name) == 0 &&
		    (*sp)->calls)
			return true;
	}
	return false;
}

static bool declared(const struct mb_learner *l, const char *name)
{
	mb_vec_foreach(x, &l->declared) if (strcmp(*x, name) == 0) return true;
	return false;
}

static bool method_seen(const struct mb_learner *l, const char *m)
{
	mb_vec_foreach(x, &l->methods) if (strcmp(*x, m) == 0) return true;
	return false;
}

/* The draft's name: BASE's, else the package or script the command runs. */
static void draft_name(const struct draft *d, char *buf, size_t sz)
{
	if (d->base && d->base->name) {
		snprintf(buf, sz, "%s", d->base->name);
		return;
	}
	char *const *argv = d->l->cfg.argv;
	const char *pick = argv && argv[0] ? argv[0] : "learned";
	size_t len = strlen(pick);
	for (size_t i = 0; argv && argv[i]; i++) {
		const char *nm = strstr(argv[i], "node_modules/");
		if (nm) {
			const char *p = nm + strlen("node_modules/");
			if (*p == '@' && strchr(p, '/'))
				p = strchr(p, '/') + 1;
			pick = p;
			len = strcspn(p, "/");
			break;
		}
		if (i > 0 && argv[i][0] != '-' && strchr(argv[i], '/') && draft_exists(argv[i])) {
			const char *slash = strrchr(argv[i], '/');
			pick = slash[1] ? slash + 1 : argv[i];
			len = strcspn(pick, ".");
			break;
		}
	}
	if (pick == argv[0] && strrchr(pick, '/')) {
		pick = strrchr(pick, '/') + 1;
		len = strlen(pick);
	}
	size_t o = 0;
	for (size_t i = 0; i < len && o + 1 < sz && o < 128; i++) {
		char c = pick[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			  c == '_' || c == '.' || c == '-';
		buf[o++] = ok ? c : '-';
	}
	buf[o] = '\0';
	if (!o)
		snprintf(buf, sz, "learned");
}

/* include: the fragments BASE read, by name when the draft would find the
 * same file by that name, else by path. */
static void write_include(struct draft *d, struct mb_strbuf *b)
{
	const char *draft_path = d->path;
	const struct mb_load_opts *lo = d->lo;
	if (!d->base || d->base->files.n < 2)
		return;
	mb_strbuf_puts(b, "include: [");
	for (size_t i = 1; i < d->base->files.n; i++) {
		const char *f = d->base->files.v[i];
		char real[PATH_MAX];
		if (!realpath(f, real))
			snprintf(real, sizeof(real), "%s", f);
		const char *slash = strrchr(real, '/');
		const char *base = slash ? slash + 1 : real;
		size_t bl = strlen(base);
		char name[NAME_MAX + 1] = "";
		if (bl > 4 && strcmp(base + bl - 4, ".yml") == 0 && bl - 4 < sizeof(name))
			snprintf(name, sizeof(name), "%.*s", (int)(bl - 4), base);
		/* The loader's search: beside the draft, then the directories. */
		char dir[PATH_MAX];
		snprintf(dir, sizeof(dir), "%s", draft_path);
		char *ds = strrchr(dir, '/');
		if (ds)
			*ds = '\0';
		else
			snprintf(dir, sizeof(dir), ".");
		bool by_name = false;
		for (size_t k = 0; name[0] && !by_name; k++) {
			const char *sd = k == 0 ? dir : lo->include_dirs ? lo->include_dirs[k - 1] : NULL;
			if (!sd)
				break;
			char cand[PATH_MAX + NAME_MAX + 16], cr[PATH_MAX];
			if (snprintf(cand, sizeof(cand), "%s/runtimes/%s.yml", sd, name) >= (int)sizeof(cand))
				continue;
			if (realpath(cand, cr)) {
				by_name = strcmp(cr, real) == 0;
				break; /* the first found is the one the loader takes */
			}
		}
		if (i > 1)
			mb_strbuf_puts(b, ", ");
		mb_learn_yq(b, by_name ? name : real);
	}
	mb_strbuf_puts(b, "]\n");
}

static void write_header(struct draft *d, struct mb_strbuf *b)
{
	struct mb_learner *l = d->l;
	cmt(b, 0, "Draft profile learned by membrane-run --learn (membrane %s), %s.", PACKAGE_VERSION,
	    l->started);
	mb_strbuf_puts(b, "# Command:");
	for (char *const *a = l->cfg.argv; a && *a; a++) {
		if (strlen(*a) > MB_LEARN_VALUE_MAX)
			mb_strbuf_printf(b, " (%zu bytes, not shown)", strlen(*a));
		else if (strchr(*a, '@') && strstr(*a, "://"))
			mb_strbuf_puts(b, " (a URL that may hold credentials, not shown)");
		else {
			mb_strbuf_putc(b, ' ');
			cmt_text(b, *a);
		}
	}
	mb_strbuf_putc(b, '\n');
	if (d->base)
		cmt(b, 0, "Static layer while learning: BASE, %s.", l->cfg.base_path);
	else
		cmt(b, 0, "Static layer while learning: the learning default (%s).",
		    l->cfg.default_summary ? l->cfg.default_summary : "see membrane-profile(5), LEARNING");
	const struct mb_learn_stats *st = &l->stats;
	cmt(b, 0, "Session: %" PRIu64 " request%s, %" PRIu64 " of them tools/call; %" PRIu64
		  " watched operation%s: %" PRIu64 " targets recorded, %" PRIu64
		  " on the sandbox's own /proc, /dev or tmpfs, %" PRIu64
		  " probes at start-up or idle of paths that exist nowhere (never granted), %" PRIu64
		  " pipes and sockets.",
	    st->requests, plural(st->requests), st->tool_calls, st->operations,
	    plural(st->operations), st->recorded, st->internal, st->probes, st->ignored);
	if (st->over_cap || l->scopes_over || l->aliases_over || l->roots_over || l->data_over)
		cmt(b, 0, "Over the recording caps, not in this draft: %" PRIu64 " targets, %" PRIu64
			  " tools or methods, %" PRIu64 " other records.",
		    st->over_cap, l->scopes_over, l->aliases_over + l->roots_over + l->data_over);
	mb_strbuf_puts(b, "#\n");
	cmt(b, 0, "Never exercised while learning (a draft grants only what it saw):");
	bool any = false;
	if (!l->saw_tools_list) {
		cmt(b, 0, "  the client never asked tools/list: which tools the server declares is unknown.");
		any = true;
	} else {
		struct mb_strbuf t = { 0 };
		mb_vec_foreach(n, &l->declared) {
			if (!tool_called(l, *n))
				mb_strbuf_printf(&t, "%s%s", t.len ? ", " : "", *n);
		}
		if (t.len) {
			cmt(b, 0, "  tools the server declared that no call used: %s", t.s);
			any = true;
		}
		mb_strbuf_free(&t);
	}
	static const struct {
		const char *cap, *sub;
		const char *methods[4];
	} offers[] = {
		{ "resources", NULL, { "resources/list", "resources/read", "resources/templates/list" } },
		{ "resources", "subscribe", { "resources/subscribe", "resources/unsubscribe" } },
		{ "prompts", NULL, { "prompts/list", "prompts/get" } },
		{ "completions", NULL, { "completion/complete" } },
		{ "logging", NULL, { "logging/setLevel" } },
	};
	struct mb_strbuf m = { 0 };
	for (size_t i = 0; l->capabilities && i < ARRAY_SIZE(offers); i++) {
		const cJSON *cap = cJSON_GetObjectItemCaseSensitive(l->capabilities, offers[i].cap);
		if (!cap || (offers[i].sub &&
			     !cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(cap, offers[i].sub))))
			continue;
		for (size_t j = 0; j < 4 && offers[i].methods[j]; j++)
			if (!method_seen(l, offers[i].methods[j]))
				mb_strbuf_printf(&m, "%s%s", m.len ? ", " : "", offers[i].methods[j]);
	}
	if (m.len) {
		cmt(b, 0, "  request methods the server offers that the client never sent: %s", m.s);
		any = true;
	}
	mb_strbuf_free(&m);
	if (!l->capabilities) {
		cmt(b, 0, "  no initialize answer was seen: which methods the server offers is unknown.");
		any = true;
	}
	if (d->base) {
		struct mb_strbuf t = { 0 };
		mb_vec_foreach(tl, &d->base->tools) {
			if (!tool_called(l, tl->name))
				mb_strbuf_printf(&t, "%s%s", t.len ? ", " : "", tl->name);
		}
		mb_vec_foreach(rq, &d->base->requests) {
			if (!method_seen(l, rq->name))
				mb_strbuf_printf(&t, "%s%s", t.len ? ", " : "", rq->name);
		}
		if (t.len) {
			cmt(b, 0, "  what BASE declares that the session never used: %s", t.s);
			any = true;
		}
		mb_strbuf_free(&t);
	}
	if (!any)
		cmt(b, 0, "  nothing that the server declared or BASE named.");
	mb_strbuf_puts(b, "#\n");
	cmt(b, 0, "Review every line before use. Operations a call did beyond its own arguments and");
	cmt(b, 0, "runtime are not granted: see SUSPICIOUS at the end. Argument values longer than");
	cmt(b, 0, "%d bytes, or named like a secret or in redact, are never written.",
	    MB_LEARN_VALUE_MAX);
	mb_strbuf_putc(b, '\n');
}

static void write_vars(struct draft *d, struct mb_strbuf *b)
{
	const struct mb_profile *p = d->base ? d->base : d->l->cfg.profile;
	bool any = false;
	mb_vec_foreach(v, &p->vars) {
		/* BASE's own and those only --set declared; a fragment's stay
		 * the fragment's. Without BASE, every one (all from --set). */
		bool cmdline_only = v->from_command_line && v->pos.file &&
				    strcmp(v->pos.file, "command line") == 0;
		if (d->base && !draft_from_main(d, &v->pos) && !cmdline_only)
			continue;
		if (!any)
			mb_strbuf_puts(b, "vars:\n");
		any = true;
		const char *raw = d->base ? draft_raw_var(d, v->name) : NULL;
		mb_strbuf_printf(b, "  %s: ", v->name);
		if (mb_learn_secret_name(v->name) && !(raw && strstr(raw, "${") == raw)) {
			mb_learn_yq(b, "CHANGE-ME");
			mb_strbuf_puts(b, "  # named like a secret: its value is not written\n");
			continue;
		}
		mb_learn_yq(b, raw ? raw : v->value ? v->value : "");
		if (v->from_command_line)
			mb_strbuf_puts(b, "  # given with --set while learning");
		mb_strbuf_putc(b, '\n');
	}
}

/* The private HOME the server used, or NULL. */
static const char *home_used(const struct draft *d)
{
	mb_vec_foreach(x, &d->l->cfg.plan->envp) {
		if (strncmp(*x, "HOME=", 5) != 0)
			continue;
		mb_vec_foreach(t, &d->l->tmpfs) {
			if (strcmp(*t, *x + 5) == 0)
				return *t;
		}
	}
	return NULL;
}

/* Variables of a shell or a terminal, not of the server's configuration. */
static bool env_noise(const char *name)
{
	static const char *const names[] = { "_", "SHLVL", "PWD", "OLDPWD", "MAIL", "PS1", "PS2",
					     "PROMPT_COMMAND", "LS_COLORS", "LESSOPEN", "LESSCLOSE",
					     "DISPLAY", "WAYLAND_DISPLAY", "COLORTERM", "MOTD_SHOWN",
					     "DBUS_SESSION_BUS_ADDRESS", "HISTFILE", "HISTSIZE",
					     "HISTCONTROL", "SSH_AUTH_SOCK", "SSH_CLIENT",
					     "SSH_CONNECTION", "SSH_TTY", "TMUX", "TMUX_PANE", "STY",
					     "WINDOWID" };
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (strcmp(name, names[i]) == 0)
			return true;
	return strncmp(name, "XDG_", 4) == 0 || strncmp(name, "TERM_PROGRAM", 12) == 0 ||
	       strncmp(name, "VSCODE_", 7) == 0;
}

/* Without BASE: each variable the session's server was given, by name (its
 * value is the caller's at each start), its value while learning shown in a
 * comment, the server cannot be told which it reads; HOME with its value
 * when the server used the private HOME the learning sandbox gave it. */
static void write_learned_env(struct draft *d, struct mb_strbuf *e)
{
	const char *home = home_used(d);
	mb_vec_foreach(x, &d->l->cfg.plan->envp) {
		const char *eq = *x ? strchr(*x, '=') : NULL;
		if (!eq)
			continue;
		char name[128];
		snprintf(name, sizeof(name), "%.*s", (int)MB_MIN((size_t)(eq - *x), sizeof(name) - 1), *x);
		if (env_noise(name))
			continue;
		const char *val = eq + 1;
		mb_strbuf_puts(e, "    - ");
		if (home && strcmp(name, "HOME") == 0) {
			char *t = draft_xprintf(d, "HOME=%s", home);
			mb_learn_yq(e, t ? t : "HOME");
			free(t);
			mb_strbuf_puts(e, "  # the private, empty HOME below (a tmpfs)\n");
			continue;
		}
		mb_learn_yq(e, name);
		bool used = false;
		mb_vec_foreach(u, &d->env_used) used |= strcmp(*u, name) == 0;
		if (used)
			mb_strbuf_puts(e, "  # its value named a grant below");
		else if (mb_learn_secret_name(name))
			mb_strbuf_puts(e, "  # named like a secret: its value is not written");
		else if (strlen(val) > MB_LEARN_VALUE_MAX || (strchr(val, '@') && strstr(val, "://")))
			mb_strbuf_puts(e, "  # passed through (its value while learning is not shown)");
		else {
			mb_strbuf_puts(e, "  # passed through; while learning: ");
			cmt_text(e, val);
		}
		mb_strbuf_putc(e, '\n');
	}
}

static void write_env(struct draft *d, struct mb_strbuf *b)
{
	struct mb_strbuf e = { 0 };
	if (d->base) {
		mb_vec_foreach(x, &d->base->env) {
			if (!draft_from_main(d, &x->pos))
				continue;
			const char *raw = draft_raw_at(d, &x->pos);
			mb_strbuf_puts(&e, "    - ");
			if (x->value && mb_learn_secret_name(x->name) && !(raw && strstr(raw, "=${"))) {
				mb_learn_yq(&e, x->name);
				mb_strbuf_puts(&e, "  # named like a secret: passed through, its value not written\n");
			} else {
				mb_learn_yq(&e, raw ? raw : x->name);
				mb_strbuf_putc(&e, '\n');
			}
		}
	} else {
		write_learned_env(d, &e);
	}
	if (e.len) {
		mb_strbuf_puts(b, "  env:\n");
		mb_strbuf_append(b, e.s, e.len);
	}
	if (e.oom)
		b->oom = true;
	mb_strbuf_free(&e);
}

static void write_runtime(struct draft *d, struct mb_strbuf *b)
{
	mb_strbuf_puts(b, "runtime:\n");
	if (d->include_hits)
		cmt(b, 2, "%" PRIu64 " operation%s allowed by the included fragment%s.",
		    d->include_hits, plural(d->include_hits),
		    d->base && d->base->files.n > 2 ? "s" : "");
	write_grants(b, 2, d->rt, NULL);
	if (d->base) {
		/* BASE's runtime grants that nothing used. */
		for (unsigned o = 0; o < MB_PATH_OPS; o++)
			mb_vec_foreach(pp, &d->base->runtime.path[o]) {
				if (!draft_from_main(d, &pp->pos))
					continue;
				bool used = false;
				mb_vec_foreach(u, &d->rt_base_used) used |= *u == pp;
				if (used)
					continue;
				char w[128];
				char *t = draft_base_text(d, pp);
				cmt(b, 2, "BASE's %s grant %s (%s) was never exercised: left out", draft_op_key[o],
				    t ? t : pp->text, draft_where(&pp->pos, w, sizeof(w)));
				free(t);
			}
		bool tmpfs = false;
		mb_vec_foreach(t, &d->base->tmpfs) {
			if (!draft_from_main(d, &t->pos))
				continue;
			if (!tmpfs)
				mb_strbuf_puts(b, "  tmpfs:\n");
			tmpfs = true;
			const char *raw = draft_raw_at(d, &t->pos);
			mb_strbuf_puts(b, "    - ");
			mb_learn_yq(b, raw ? raw : t->text);
			mb_strbuf_putc(b, '\n');
		}
	} else if (d->l->tmpfs.n) {
		mb_strbuf_puts(b, "  tmpfs:\n");
		mb_vec_foreach(t, &d->l->tmpfs) {
			mb_strbuf_puts(b, "    - ");
			char *lit = draft_xstrdup(d, *t);
			mb_learn_yq(b, lit ? lit : *t);
			free(lit);
			const char *home = home_used(d);
			mb_strbuf_puts(b, home && strcmp(home, *t) == 0
						  ? "  # HOME: the server keeps state there; private and empty at each start (grant a directory of its own to keep it)\n"
						  : "  # the server used it: private and empty at each start\n");
		}
	}
	write_env(d, b);
}

static void write_scope(struct draft *d, struct mb_strbuf *b, struct draft_scope *ds)
{
	const struct learn_scope *s = ds->learned;
	struct mb_strbuf h = { 0 };
	mb_strbuf_printf(&h, "%" PRIu64 " call%s", s->calls, plural(s->calls));
	if (s->argnames.n) {
		mb_strbuf_puts(&h, "; arguments seen: ");
		mb_vec_foreach(a, &s->argnames) mb_strbuf_printf(&h, "%s%s", a == s->argnames.v ? "" : ", ", *a);
		if (s->argnames_cut)
			mb_strbuf_puts(&h, ", ...");
	}
	if (s->in_base)
		mb_strbuf_puts(&h, "; declared by BASE");
	if (ds->covered)
		mb_strbuf_printf(&h, "; %" PRIu64 " operation%s left to runtime", ds->covered,
				 plural(ds->covered));
	if (ds->probes)
		mb_strbuf_printf(&h, "; %" PRIu64 " probe%s of paths that exist nowhere", ds->probes,
				 plural(ds->probes));
	if (s->over_cap)
		mb_strbuf_printf(&h, "; %" PRIu64 " targets over the cap", s->over_cap);
	if (ds->susp.n)
		mb_strbuf_printf(&h, "; %zu operation%s flagged SUSPICIOUS at the end, not granted",
				 ds->susp.n, ds->susp.n == 1 ? "" : "s");
	cmt(b, 2, "%s", h.s ? h.s : "");
	mb_strbuf_free(&h);
	if (s->kind == LEARN_SCOPE_TOOL && d->l->saw_tools_list && !declared(d->l, s->name)) {
		cmt(b, 2, "%s: the server does not declare it (tools/list), so it is not declared here",
		    s->name);
		return;
	}
	mb_strbuf_puts(b, "  ");
	mb_learn_yq(b, s->name);
	if (!any_grant(ds->grants) && !ds->list.n && !s->outlive_ns) {
		mb_strbuf_puts(b, ": {}\n");
		return;
	}
	mb_strbuf_puts(b, ":\n");
	write_grants(b, 4, ds->grants, s);
	if (ds->list.n) {
		mb_strbuf_puts(b, "    list:\n");
		mb_vec_foreach(x, &ds->list) write_line(b, 6, MB_OP_READ, x, s);
	}
	if (s->outlive_ns) {
		/* Twice what was seen, a minute at least, an hour at most. */
		uint64_t secs = (2 * s->outlive_ns + 999999999u) / 1000000000u;
		secs = MB_MIN(MB_MAX(secs, (uint64_t)60), (uint64_t)MB_OUTLIVE_MAX_MS / 1000);
		mb_strbuf_printf(b, "    outlive: %" PRIu64 "s  # ", secs);
		cmt_text(b, "processes its calls started went on working after the call returned, ");
		mb_strbuf_printf(b, "up to %.1f s after they started", (double)s->outlive_ns / 1e9);
		mb_strbuf_putc(b, '\n');
	}
}

/* BASE's tool or method that nothing called: its grants, commented out. */
static void write_unused(struct draft *d, struct mb_strbuf *b, const struct mb_tool *t)
{
	cmt(b, 2, "never called while learning; BASE granted it:");
	mb_strbuf_puts(b, "  # ");
	mb_learn_yq(b, t->name);
	mb_strbuf_puts(b, ":");
	bool any = false;
	for (unsigned o = 0; o < MB_PATH_OPS; o++) {
		mb_vec_foreach(pp, &t->grants.path[o]) {
			char *x = draft_base_text(d, pp);
			mb_strbuf_printf(b, " %s ", draft_op_key[o]);
			mb_learn_yq(b, x ? x : pp->text);
			free(x);
			any = true;
		}
	}
	for (unsigned i = 0; i < 2; i++)
		mb_vec_foreach(ep, &t->grants.net[i]) {
			mb_strbuf_printf(b, " %s %s", draft_op_key[MB_OP_CONNECT + i], ep->text);
			any = true;
		}
	mb_strbuf_puts(b, any ? "\n" : " {}\n");
}

static int scope_cmp_order(const struct draft *d, const struct draft_scope *a)
{
	/* The server's declared order first, then first seen. */
	if (a->learned->kind == LEARN_SCOPE_TOOL)
		for (size_t i = 0; i < d->l->declared.n; i++)
			if (strcmp(d->l->declared.v[i], a->learned->name) == 0)
				return (int)i;
	return 100000 + (int)a->learned->order;
}

static const struct draft *sort_draft;

static int scope_cmp(const void *x, const void *y)
{
	int a = scope_cmp_order(sort_draft, x), b = scope_cmp_order(sort_draft, y);
	return a < b ? -1 : a > b;
}

static void write_scopes(struct draft *d, struct mb_strbuf *b, enum learn_scope_kind kind)
{
	bool any = false;
	const char *key = kind == LEARN_SCOPE_TOOL ? "tools" : "requests";
	mb_vec_foreach(ds, &d->scopes) {
		if (ds->learned->kind != kind)
			continue;
		if (!any)
			mb_strbuf_printf(b, "%s:\n", key);
		any = true;
		write_scope(d, b, ds);
	}
	if (d->base) {
		const struct mb_tool *v =
			kind == LEARN_SCOPE_TOOL ? d->base->tools.v : d->base->requests.v;
		size_t n = kind == LEARN_SCOPE_TOOL ? d->base->tools.n : d->base->requests.n;
		for (size_t i = 0; i < n; i++) {
			bool used = false;
			mb_vec_foreach(ds, &d->scopes)
				used |= ds->learned->kind == kind &&
					strcmp(ds->learned->name, v[i].name) == 0;
			if (used)
				continue;
			if (!any)
				mb_strbuf_printf(b, "%s:\n", key);
			any = true;
			write_unused(d, b, &v[i]);
		}
	}
	if (any)
		mb_strbuf_putc(b, '\n');
}

static void write_size(struct mb_strbuf *b, uint64_t v)
{
	static const char units[] = "KMGT";
	int u = -1;
	while (u < 3 && v && v % 1024 == 0) {
		v /= 1024;
		u++;
	}
	if (u >= 0)
		mb_strbuf_printf(b, "%" PRIu64 "%c", v, units[u]);
	else
		mb_strbuf_printf(b, "%" PRIu64, v);
}

static void write_limits(struct draft *d, struct mb_strbuf *b)
{
	const struct mb_profile *base = d->base;
	if (base && base->limits.pos.line) {
		const struct mb_limits *lim = &base->limits;
		mb_strbuf_puts(b, "limits: {");
		const char *sep = " ";
		if (lim->memory) {
			mb_strbuf_printf(b, "%smemory: ", sep);
			write_size(b, lim->memory);
			sep = ", ";
		}
		if (lim->tasks) {
			mb_strbuf_printf(b, "%stasks: %" PRIu64, sep, lim->tasks);
			sep = ", ";
		}
		if (lim->files)
			mb_strbuf_printf(b, "%sfiles: %" PRIu64, sep, lim->files);
		mb_strbuf_puts(b, " }  # BASE's\n");
	} else {
		/* Limits are not learned: none was in force while learning, and
		 * one the session never met could stop the server enforced. */
		cmt(b, 0, "Not learned: no limits were in force while learning. membrane's usual ones,");
		cmt(b, 0, "to adapt to what the server needs:");
		cmt(b, 0, "limits: { memory: 512M, tasks: 64, files: 1024 }");
	}
}

/* BASE's, and every argument name seen that looks secret. */
static void write_redact(struct draft *d, struct mb_strbuf *b)
{
	const struct mb_profile *base = d->base;
	MB_VEC(const char *) r = { 0 };
	if (base)
		mb_vec_foreach(x, &base->redact) if (mb_vec_push(&r, (const char *)*x) < 0) draft_oom(d);
	mb_vec_foreach(sp, &d->l->scopes) {
		mb_vec_foreach(a, &(*sp)->argnames) {
			if (!mb_learn_secret_name(*a))
				continue;
			bool have = false;
			mb_vec_foreach(x, &r) have |= strcmp(*x, *a) == 0;
			if (!have && mb_vec_push(&r, (const char *)*a) < 0)
				draft_oom(d);
		}
	}
	if (r.n) {
		mb_strbuf_puts(b, "redact: [");
		mb_vec_foreach(x, &r) {
			if (x != r.v)
				mb_strbuf_puts(b, ", ");
			mb_learn_yq(b, *x);
		}
		mb_strbuf_puts(b, "]\n");
	}
	mb_vec_free(&r);
}

static void write_susp_list(struct mb_strbuf *b, int indent, draft_suspicious_vec *v, enum mb_op op,
			    const char *scope)
{
	bool opened = false;
	mb_vec_foreach(x, v) {
		if (x->op != op)
			continue;
		if (!opened && x->grant)
			mb_strbuf_printf(b, "# %*s%s:\n", indent, "", draft_op_key[op]);
		opened |= x->grant != NULL;
		mb_strbuf_printf(b, "# %*s", indent + 2, "");
		mb_strbuf_puts(b, "# SUSPICIOUS: ");
		cmt_text(b, x->what);
		mb_strbuf_printf(b, " during %s: %" PRIu64 " time%s", scope, x->count, plural(x->count));
		if (x->calls)
			mb_strbuf_printf(b, " in %" PRIu64 " call%s", x->calls, plural(x->calls));
		if (x->syscall && *x->syscall)
			mb_strbuf_printf(b, " (%s)", x->syscall);
		mb_strbuf_printf(b, "; %s%s", x->path ? draft_presence_words(x->presence) : "",
				 x->path ? "; " : "");
		cmt_text(b, x->why ? x->why : "");
		mb_strbuf_putc(b, '\n');
		if (x->example && strcmp(x->example, "{}") != 0) {
			mb_strbuf_printf(b, "# %*s#   arguments: ", indent + 2, "");
			cmt_text(b, x->example);
			mb_strbuf_putc(b, '\n');
		}
		if (x->grant) {
			mb_strbuf_printf(b, "# %*s- ", indent + 2, "");
			mb_learn_yq(b, x->grant);
			mb_strbuf_putc(b, '\n');
		}
	}
}

static void write_suspicious(struct draft *d, struct mb_strbuf *b)
{
	size_t n = d->rt_susp.n;
	mb_vec_foreach(ds, &d->scopes) n += ds->susp.n;
	mb_strbuf_putc(b, '\n');
	if (!n) {
		cmt(b, 0, "SUSPICIOUS: none. Every operation was BASE's, a call's own arguments', the");
		cmt(b, 0, "configuration's, or runtime's.");
		return;
	}
	mb_strbuf_puts(b, "# ---------------------------------------------------------------------------\n");
	cmt(b, 0, "SUSPICIOUS, flagged and not granted: %zu operation%s beyond a call's own", n,
	    n == 1 ? "" : "s");
	cmt(b, 0, "arguments and beyond runtime, in a secret store, or never grantable: what a");
	cmt(b, 0, "confused deputy does. Below, commented out, is what would grant each one: if the");
	cmt(b, 0, "server really needs it, move its line into the grants above.");
	mb_strbuf_puts(b, "# ---------------------------------------------------------------------------\n");
	if (d->rt_susp.n) {
		mb_strbuf_puts(b, "# runtime:\n");
		for (unsigned o = 0; o < MB_OP_COUNT_; o++)
			write_susp_list(b, 2, &d->rt_susp, (enum mb_op)o, "start-up or idle");
	}
	for (int kind = LEARN_SCOPE_TOOL; kind <= LEARN_SCOPE_REQUEST; kind++) {
		bool opened = false;
		mb_vec_foreach(ds, &d->scopes) {
			if ((int)ds->learned->kind != kind || !ds->susp.n)
				continue;
			if (!opened)
				mb_strbuf_printf(b, "# %s:\n",
						 kind == LEARN_SCOPE_TOOL ? "tools" : "requests");
			opened = true;
			mb_strbuf_puts(b, "#   ");
			mb_learn_yq(b, ds->learned->name);
			mb_strbuf_puts(b, ":\n");
			char scope[300];
			snprintf(scope, sizeof(scope), "%s %s",
				 kind == LEARN_SCOPE_TOOL ? "tool" : "method", ds->learned->name);
			for (unsigned o = 0; o < MB_OP_COUNT_; o++)
				write_susp_list(b, 4, &ds->susp, (enum mb_op)o, scope);
		}
	}
}

static void write_version(struct draft *d, struct mb_strbuf *b)
{
	(void)d;
	mb_strbuf_puts(b, "version: 1\n");
}

static void write_name(struct draft *d, struct mb_strbuf *b)
{
	char name[160];
	draft_name(d, name, sizeof(name));
	mb_strbuf_puts(b, "name: ");
	mb_learn_yq(b, name);
	mb_strbuf_putc(b, '\n');
}

static void write_description(struct draft *d, struct mb_strbuf *b)
{
	const struct mb_profile *base = d->base;
	char *desc = draft_xprintf(d, "draft learned by membrane-run --learn%s%s",
			     base && base->description ? " from: " : "",
			     base && base->description ? base->description : "");
	mb_strbuf_puts(b, "description: ");
	mb_learn_yq(b, desc ? desc : "draft");
	free(desc);
	mb_strbuf_putc(b, '\n');
}

static void write_network(struct draft *d, struct mb_strbuf *b)
{
	if (d->base) {
		mb_strbuf_printf(b, "network: %s\n", mb_network_name(d->base->network));
	} else if (d->connects) {
		cmt(b, 0, "Connections were made while learning: the supervisor makes each one granted below");
		cmt(b, 0, "on the host; nothing else leaves the sandbox. Names are not learned (issue 15).");
		mb_strbuf_puts(b, "network: brokered\n");
	} else {
		mb_strbuf_puts(b, "network: none\n");
	}
}

static void write_unlisted_tools(struct draft *d, struct mb_strbuf *b)
{
	(void)d;
	mb_strbuf_puts(b, "unlisted_tools: deny\n");
}

static void write_pin(struct draft *d, struct mb_strbuf *b)
{
	if (d->base && d->base->pin == MB_PIN_STRICT)
		mb_strbuf_puts(b, "pin: strict\n");
}

static void write_concurrency(struct draft *d, struct mb_strbuf *b)
{
	if (d->base && d->base->concurrency == MB_CONCURRENCY_SERIAL)
		mb_strbuf_puts(b, "concurrency: serial\n");
}

static void write_require_landlock(struct draft *d, struct mb_strbuf *b)
{
	if (d->base && d->base->require_landlock)
		mb_strbuf_printf(b, "require_landlock: %d\n", d->base->require_landlock);
}

static void write_require(struct draft *d, struct mb_strbuf *b)
{
	if (!d->base || !d->base->require)
		return;
	mb_strbuf_printf(b, "require: [%s%s%s]\n",
			 d->base->require & MB_REQUIRE_NAMESPACES ? "namespaces" : "",
			 d->base->require == (MB_REQUIRE_NAMESPACES | MB_REQUIRE_LANDLOCK) ? ", " : "",
			 d->base->require & MB_REQUIRE_LANDLOCK ? "landlock" : "");
}

static void write_user(struct draft *d, struct mb_strbuf *b)
{
	if (d->base && d->base->user.set)
		mb_strbuf_printf(b, "user: \"%u:%u\"\n", (unsigned)d->base->user.uid,
				 (unsigned)d->base->user.gid);
}

static void write_denials(struct draft *d, struct mb_strbuf *b)
{
	if (d->base && d->base->denials == MB_DENIALS_NOTE)
		mb_strbuf_puts(b, "denials: note\n");
}

/* BASE's quiet list, as BASE wrote it, and what failed while learning
 * (the learning sandbox refused it) and the server lived with. */
static void write_quiet(struct draft *d, struct mb_strbuf *b)
{
	const struct mb_grants *q = d->base && d->base->quiet_pos.line ? &d->base->quiet : NULL;
	bool learned = false;
	for (unsigned o = 0; o < MB_OP_COUNT_; o++)
		learned |= d->quiet[o].n > 0;
	if (!q && !learned)
		return;
	mb_strbuf_putc(b, '\n');
	if (learned) {
		cmt(b, 0, "Noise: what the server tried, was refused while learning, and did without. Denied");
		cmt(b, 0, "as then; counted in the exit report, not reported line by line.");
	}
	mb_strbuf_puts(b, q ? "quiet:  # BASE's, then learned\n" : "quiet:\n");
	for (unsigned o = 0; o < MB_PATH_OPS; o++) {
		if (!(q && q->path[o].n) && !d->quiet[o].n)
			continue;
		mb_strbuf_printf(b, "  %s:\n", draft_op_key[o]);
		if (q)
			mb_vec_foreach(pp, &q->path[o]) {
				char *t = draft_base_text(d, pp);
				mb_strbuf_puts(b, "    - ");
				mb_learn_yq(b, t ? t : pp->text);
				mb_strbuf_putc(b, '\n');
				free(t);
			}
		mb_vec_foreach(x, &d->quiet[o]) {
			mb_strbuf_puts(b, "    - ");
			mb_learn_yq(b, x->text);
			mb_strbuf_printf(b, "  # %" PRIu64 " time%s", x->count, plural(x->count));
			if (x->syscall && *x->syscall)
				mb_strbuf_printf(b, " (%s)", x->syscall);
			mb_strbuf_puts(b, ": ");
			cmt_text(b, x->note ? x->note : "");
			mb_strbuf_putc(b, '\n');
		}
	}
	for (unsigned i = 0; i < 2; i++) {
		draft_grant_vec *lv = &d->quiet[MB_OP_CONNECT + i];
		if (!(q && q->net[i].n) && !lv->n)
			continue;
		mb_strbuf_printf(b, "  %s:\n", draft_op_key[MB_OP_CONNECT + i]);
		mb_vec_foreach(x, lv) {
			mb_strbuf_puts(b, "    - ");
			mb_learn_yq(b, x->text);
			mb_strbuf_printf(b, "  # %" PRIu64 " time%s: ", x->count, plural(x->count));
			cmt_text(b, x->note ? x->note : "");
			mb_strbuf_putc(b, '\n');
		}
		if (!q)
			continue;
		const char *last = NULL;
		mb_vec_foreach(ep, &q->net[i]) {
			if (ep->text == last)
				continue; /* one host name, several addresses */
			last = ep->text;
			const char *raw = draft_raw_at(d, &ep->pos);
			mb_strbuf_puts(b, "    - ");
			mb_learn_yq(b, raw ? raw : ep->text);
			mb_strbuf_putc(b, '\n');
		}
	}
}

static void write_arguments(struct draft *d, struct mb_strbuf *b)
{
	if (d->within.n) {
		mb_strbuf_puts(b, "arguments:\n");
		cmt(b, 2, "The common roots of the argument values that named what the calls touched%s.",
		    d->base && d->base->within.n ? ", and BASE's own" : "");
		mb_strbuf_puts(b, "  within:\n");
		mb_vec_foreach(w, &d->within) {
			mb_strbuf_puts(b, "    - ");
			mb_learn_yq(b, *w);
			mb_strbuf_putc(b, '\n');
		}
		mb_strbuf_putc(b, '\n');
	} else if (d->placeholders) {
		cmt(b, 0, "No argument value had a root narrow enough for arguments.within: add one.");
	}
}

static void write_tools(struct draft *d, struct mb_strbuf *b)
{
	write_scopes(d, b, LEARN_SCOPE_TOOL);
}

static void write_requests(struct draft *d, struct mb_strbuf *b)
{
	write_scopes(d, b, LEARN_SCOPE_REQUEST);
}

/* The sections of a draft, in order. A key goes in the section the table's
 * DRAFT column names, in the table's order within it; a blank line ends
 * each section before CALLS, whose keys end their own blocks. */
enum draft_section { SEC_HEAD, SEC_RUNTIME, SEC_SETTINGS, SEC_CALLS, SEC_END, SEC_NONE };

static const struct {
	enum draft_section section;
	void (*write)(struct draft *d, struct mb_strbuf *b);
} draft_keys[] = {
#define DRAFT(section, writer) { SEC_##section, writer }
#define NO_DRAFT(why) { SEC_NONE, NULL }
#define X(id, name, pass, where, read, sub, draft, man) draft,
	MB_PROFILE_KEYS(X)
#undef X
#undef NO_DRAFT
#undef DRAFT
};

static void write_draft(struct draft *d, struct mb_strbuf *b)
{
	write_header(d, b);
	for (enum draft_section s = SEC_HEAD; s < SEC_NONE; s++) {
		for (size_t k = 0; k < ARRAY_SIZE(draft_keys); k++)
			if (draft_keys[k].section == s)
				draft_keys[k].write(d, b);
		if (s < SEC_CALLS)
			mb_strbuf_putc(b, '\n');
	}
	write_suspicious(d, b);
}

static int write_file(const char *path, const char *text, size_t len)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return mb_neg_errno();
	for (size_t off = 0; off < len;) {
		ssize_t k = write(fd, text + off, len - off);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return mb_neg_errno();
		}
		off += (size_t)k;
	}
	if (fsync(fd) < 0)
		return mb_neg_errno();
	return 0;
}

/* Each lint warning as a comment above the line it names. */
static int annotate(const char *text, const mb_lint_vec *w, struct mb_strbuf *out)
{
	unsigned line = 1;
	const char *p = text;
	while (*p) {
		mb_vec_foreach(x, w) {
			if (x->pos.line == line) {
				mb_strbuf_puts(out, "# LINT: ");
				cmt_text(out, x->msg);
				mb_strbuf_printf(out, " [%s]\n", mb_lint_kind_name(x->kind));
			}
		}
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) + 1 : strlen(p);
		mb_strbuf_append(out, p, n);
		p += n;
		line++;
	}
	return mb_strbuf_failed(out) ? -ENOMEM : 0;
}

int mb_learner_write_draft(struct mb_learner *l, const char *path, const struct mb_load_opts *lo,
			   unsigned *nlint, struct mb_error *err)
{
	struct draft d = { .l = l, .base = l->cfg.base, .path = path, .lo = lo };
	struct mb_strbuf b = { 0 };
	int r = draft_build(&d);
	if (r == 0) {
		if (d.scopes.n > 1) {
			sort_draft = &d;
			qsort(d.scopes.v, d.scopes.n, sizeof(*d.scopes.v), scope_cmp);
			sort_draft = NULL;
		}
		write_draft(&d, &b);
		if (mb_strbuf_failed(&b))
			r = -ENOMEM;
	}
	draft_free(&d);
	if (r < 0) {
		mb_strbuf_free(&b);
		return mb_error_set(err, r, "the draft: %s", strerror(-r));
	}
	_cleanup_free_ char *tmp = NULL;
	if (asprintf(&tmp, "%s.tmp", path) < 0) {
		mb_strbuf_free(&b);
		return mb_error_set(err, -ENOMEM, "the draft: out of memory");
	}
	r = write_file(tmp, b.s, b.len);
	if (r < 0) {
		mb_strbuf_free(&b);
		unlink(tmp);
		return mb_error_set(err, r, "%s: cannot write the draft: %s", tmp, strerror(-r));
	}
	/* Loaded as `membrane-run --check --profile PATH` would load it. */
	struct mb_profile *p = NULL;
	struct mb_error lerr = { 0 };
	int lr = mb_profile_load(tmp, lo, &p, &lerr);
	struct mb_strbuf out = { 0 };
	mb_lint_vec warnings = { 0 };
	if (lr < 0) {
		mb_strbuf_puts(&out, "# membrane-run: THIS DRAFT DOES NOT LOAD: ");
		cmt_text(&out, lerr.msg);
		mb_strbuf_putc(&out, '\n');
		mb_strbuf_append(&out, b.s, b.len);
	} else {
		struct mb_lint_opts lopts = { .home = l->cfg.home };
		r = mb_lint(p, &lopts, &warnings);
		if (r == 0)
			r = annotate(b.s, &warnings, &out);
		mb_profile_free(p);
	}
	mb_strbuf_free(&b);
	if (nlint)
		*nlint = (unsigned)warnings.n;
	mb_lint_free(&warnings);
	if (r < 0 || mb_strbuf_failed(&out)) {
		mb_strbuf_free(&out);
		unlink(tmp);
		return mb_error_set(err, -ENOMEM, "the draft: out of memory");
	}
	r = write_file(tmp, out.s, out.len);
	mb_strbuf_free(&out);
	if (r == 0 && rename(tmp, path) < 0)
		r = mb_neg_errno();
	if (r < 0) {
		unlink(tmp);
		return mb_error_set(err, r, "%s: cannot write the draft: %s", path, strerror(-r));
	}
	if (lr < 0) {
		/* The message names the .tmp file the draft was checked as. */
		return mb_error_set(err, -EINVAL, "%s: the draft does not load: %s", path, lerr.msg);
	}
	return 0;
}
