/* SPDX-License-Identifier: Apache-2.0 */
/* The correlator: see correlate.h. */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#include "common/strbuf.h"
#include "policy/decide.h"
#include "policy/lint.h"
#include "policy/resolve.h"
#include "supervisor/notify/correlate.h"
#include "supervisor/notify/notify-ident.h"
#include "report/report-request.h"

/* Identical violations within this long after a reported one are counted,
 * not written. */
#define REPEAT_WINDOW_NS 1000000000ull
/* Distinct violations whose repeats are being counted at once; when more
 * arrive, the oldest one's count is written early (never lost). */
#define REPEAT_SLOTS 32

/* The devices of the sandbox's own /dev (sandbox/mounts.c, policy/plan.c). */
static const char *const sandbox_devices[] = {
	"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom",
};

enum why {
	WHY_NOT_GRANTED,
	WHY_MEMFD_EXEC,    /* exec of an anonymous memory file */
	WHY_DELETED_EXEC,  /* exec of a file with no name left */
	WHY_ABSTRACT_HOST, /* an abstract unix socket of the host's namespace */
	WHY_UNREADABLE,    /* an argument the supervisor could not read */
};

struct repeat {
	cJSON *fields; /* the reported line's own fields; NULL: a free slot */
	uint64_t key;
	uint64_t until_ns;
	uint64_t count; /* identical ones since the line */
};

struct mb_correlator {
	struct mb_correlator_config cfg;
	/* runtime's patterns, the tmpfs entries, /proc and /dev: what the
	 * runtime grants are built from (their texts are owned here) */
	struct mb_grants base;
	struct mb_callgrants runtime;
	/* arguments.within in canonical form, and a view of the profile that
	 * shows it to the decision rule (which reads only within) */
	mb_pattern_vec within;
	MB_VEC(const char *) within_dirs; /* the literal ones, for canonicalize */
	struct mb_profile view;
	/* The fixed list of host paths a server has no business naming
	 * (policy/lint.h's secret stores), computed at start: an absent path
	 * under one of them is reported, without looking at the host. */
	char **outside;

	struct mb_inflight *inflight;
	struct mb_loop *loop;
	struct mb_timer timer;
	struct repeat slots[REPEAT_SLOTS];
	int report_err;
	struct mb_correlator_stats stats;
	char exe[PATH_MAX];
	char addr[64];
};

#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

/* ---- set-up ------------------------------------------------------------- */

static int add_pattern(mb_pattern_vec *v, const char *text, struct mb_srcpos pos, bool placeholder,
		       bool glob)
{
	struct mb_path_pattern *pp = mb_vec_new(v);
	if (!pp || !(pp->text = strdup(text)))
		return -ENOMEM;
	pp->pos = pos;
	pp->has_placeholder = placeholder;
	pp->has_glob = glob;
	return 0;
}

static int build_base(struct mb_correlator *c)
{
	const struct mb_profile *p = c->cfg.profile;
	struct mb_srcpos internal = { .file = "<sandbox>" };
	int r = 0;
	for (unsigned op = 0; op < MB_PATH_OPS && r == 0; op++)
		mb_vec_foreach(pp, &p->runtime.path[op]) {
			if ((r = add_pattern(&c->base.path[op], pp->text, pp->pos, pp->has_placeholder,
					     pp->has_glob)) < 0)
				break;
		}
	mb_vec_foreach(pp, &p->tmpfs) {
		if (r == 0)
			r = add_pattern(&c->base.path[MB_OP_READ], pp->text, pp->pos, false, pp->has_glob);
		if (r == 0)
			r = add_pattern(&c->base.path[MB_OP_WRITE], pp->text, pp->pos, false, pp->has_glob);
	}
	if (r == 0)
		r = add_pattern(&c->base.path[MB_OP_READ], "/proc", internal, false, false);
	for (size_t i = 0; i < ARRAY_SIZE(sandbox_devices) && r == 0; i++) {
		r = add_pattern(&c->base.path[MB_OP_READ], sandbox_devices[i], internal, false, false);
		if (r == 0)
			r = add_pattern(&c->base.path[MB_OP_WRITE], sandbox_devices[i], internal, false,
					false);
	}
	return r;
}

/* arguments.within as the notifier's targets spell it. */
static int build_within(struct mb_correlator *c)
{
	const struct mb_profile *p = c->cfg.profile;
	char real[PATH_MAX];
	mb_vec_foreach(w, &p->within) {
		const char *text = mb_within_canonical(w, real, sizeof(real));
		if (add_pattern(&c->within, text, w->pos, w->has_placeholder, w->has_glob) < 0)
			return -ENOMEM;
	}
	mb_vec_foreach(w, &c->within) {
		if (mb_pattern_literal(w->text, w->has_glob, w->has_placeholder) &&
		    mb_vec_push(&c->within_dirs, (const char *)w->text) < 0)
			return -ENOMEM;
	}
	c->view = *p;
	c->view.within = c->within;
	return 0;
}

int mb_correlator_new(const struct mb_correlator_config *cfg, struct mb_correlator **ret,
		      struct mb_error *err)
{
	struct mb_correlator *c = calloc(1, sizeof(*c));
	if (!c)
		return mb_error_set(err, -ENOMEM, "out of memory");
	c->cfg = *cfg;
	int r = build_base(c);
	if (r == 0)
		r = build_within(c);
	if (r == 0 && !(c->outside = mb_lint_secret_stores(cfg->home)))
		r = -ENOMEM;
	if (r == 0)
		r = mb_callgrants_build(&c->base, NULL, cfg->cwd, &c->runtime);
	if (r == 0) {
		/* runtime's endpoints, as the profile holds them */
		c->runtime.net[0] = &cfg->profile->runtime.net[0];
		c->runtime.net[1] = &cfg->profile->runtime.net[1];
		r = mb_callgrants_canonicalize(&c->runtime, c->within_dirs.v, c->within_dirs.n);
	}
	if (r < 0) {
		mb_correlator_free(c);
		return mb_error_set(err, r, "the correlator's runtime grants: %s", strerror(-r));
	}
	*ret = c;
	return 0;
}

void mb_correlator_free(struct mb_correlator *c)
{
	if (!c)
		return;
	if (c->loop)
		mb_timer_cancel(c->loop, &c->timer);
	for (size_t i = 0; i < REPEAT_SLOTS; i++)
		cJSON_Delete(c->slots[i].fields);
	mb_callgrants_free(&c->runtime);
	mb_grants_free(&c->base);
	mb_vec_foreach(w, &c->within) free(w->text);
	mb_vec_free(&c->within);
	mb_vec_free(&c->within_dirs);
	mb_lint_secret_stores_free(c->outside);
	free(c);
}

int mb_correlator_report_error(const struct mb_correlator *c)
{
	return c->report_err;
}

const struct mb_correlator_stats *mb_correlator_stats(const struct mb_correlator *c)
{
	return &c->stats;
}

/* ---- the requests in flight --------------------------------------------- */

/* The next client request from c on whose window is open (the server's
 * own requests to the client grant nothing: the server asked, the client
 * did not; a request past --call-timeout no longer explains anything). */
static struct mb_call *client_call(struct mb_call *c)
{
	while (c && (c->dir != MB_DIR_CLIENT || !mb_call_window_open(c)))
		c = mb_inflight_next(c);
	return c;
}

static struct mb_call *first_request(const struct mb_correlator *c)
{
	return c->inflight ? client_call(mb_inflight_first(c->inflight)) : NULL;
}

static struct mb_call *next_request(const struct mb_call *call)
{
	return client_call(mb_inflight_next(call));
}

/* The call's grants, built at first need. NULL: it grants nothing (or
 * memory ran out: nothing is then granted, and the next operation tries
 * again). */
static const struct mb_callgrants *call_grants(struct mb_correlator *c, struct mb_call *call)
{
	if (call->grants_built)
		return call->grants;
	const struct mb_profile *p = c->cfg.profile;
	const struct mb_tool *decl = call->tool	  ? mb_profile_tool(p, call->tool)
				     : call->method ? mb_profile_request(p, call->method)
						    : NULL;
	if (!decl) {
		call->grants_built = true;
		return NULL;
	}
	struct mb_callgrants *g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	/* A tool's arguments, another method's params; their symlinks are
	 * resolved on the host, with the supervisor's own credentials. */
	struct mb_ident_scope s = mb_ident_privileged();
	int r = mb_callgrants_build(&decl->grants, mb_call_arguments(call), c->cfg.cwd, g);
	if (r == 0)
		r = mb_callgrants_canonicalize(g, c->within_dirs.v, c->within_dirs.n);
	mb_ident_restore(&s);
	if (r < 0) {
		free(g);
		return NULL;
	}
	call->grants = g;
	call->grants_built = true;
	return g;
}

/* ---- deciding ----------------------------------------------------------- */

static bool is_mkdir(const struct mb_watch_syscall *sc)
{
#ifdef SYS_mkdir
	if (sc->nr == SYS_mkdir)
		return true;
#endif
	return sc->nr == SYS_mkdirat;
}

enum mb_access mb_notified_access(const struct mb_notified_op *op, const struct mb_notified_target *t,
				  enum mb_op o)
{
	if (o == MB_OP_READ && t->ops == 1u << MB_OP_READ && (op->open_flags & O_DIRECTORY))
		return MB_ACCESS_LIST;
	/* An open for reading and writing: a write grant covers its read. */
	if (o == MB_OP_READ && (t->ops & (1u << MB_OP_WRITE)) &&
	    (op->sc->kind == MB_WATCH_OPEN || op->sc->kind == MB_WATCH_OPENAT2))
		return MB_ACCESS_RDWR;
	if (o == MB_OP_WRITE && is_mkdir(op->sc))
		return MB_ACCESS_MKDIR;
	return MB_ACCESS_OPEN;
}

static bool path_allowed(struct mb_correlator *c, enum mb_op o, enum mb_access access,
			 const char *path)
{
	if (mb_decide_path(&c->runtime, NULL, &c->view, o, access, path, NULL))
		return true;
	for (struct mb_call *call = first_request(c); call; call = next_request(call)) {
		const struct mb_callgrants *g = call_grants(c, call);
		if (g && mb_decide_path(NULL, g, &c->view, o, access, path, NULL))
			return true;
	}
	return false;
}

static bool addr_allowed(struct mb_correlator *c, enum mb_op o, const struct mb_addr *a)
{
	if (mb_decide_addr(&c->runtime, NULL, o, a, NULL))
		return true;
	for (struct mb_call *call = first_request(c); call; call = next_request(call)) {
		const struct mb_callgrants *g = call_grants(c, call);
		if (g && mb_decide_addr(NULL, g, o, a, NULL))
			return true;
	}
	return false;
}

/* Is t allowed? If not, *denied_op and *why say what was not. */
static bool judge(struct mb_correlator *c, const struct mb_notified_op *op,
		  const struct mb_notified_target *t, enum mb_op *denied_op, enum why *why)
{
	*why = WHY_NOT_GRANTED;
	switch (t->kind) {
	case MB_TARGET_UNREADABLE:
		/* Never decided on: the kernel would read what we could not. */
		*denied_op = MB_OP_READ;
		for (unsigned o = 0; o < MB_OP_COUNT_; o++)
			if (t->ops & (1u << o)) {
				*denied_op = o;
				break;
			}
		*why = WHY_UNREADABLE;
		return false;
	case MB_TARGET_ANON:
		return true; /* the server's own pipe, socket or anon inode */
	case MB_TARGET_FAMILY:
		return true; /* netlink and the like: the baseline chose the families */
	case MB_TARGET_UNSPEC: /* the broker's: it depends on the socket */
		*denied_op = (t->ops & (1u << MB_OP_BIND)) ? MB_OP_BIND : MB_OP_CONNECT;
		return false;
	case MB_TARGET_NONE: /* to what the socket is connected: decided then */
		*denied_op = MB_OP_CONNECT;
		return !t->unreadable;
	case MB_TARGET_UNIX_ABSTRACT:
		/* Abstract names live in the network namespace: the sandbox's own
		 * unless network: host shares the host's. There a connect reaches
		 * a host service, and a bind takes a name a host service may own
		 * or a host client may trust. */
		if (c->cfg.profile->network != MB_NET_HOST)
			return true;
		*denied_op = (t->ops & (1u << MB_OP_BIND)) ? MB_OP_BIND : MB_OP_CONNECT;
		*why = WHY_ABSTRACT_HOST;
		return false;
	case MB_TARGET_INET:
		for (unsigned o = MB_OP_CONNECT; o <= MB_OP_BIND; o++)
			if ((t->ops & (1u << o)) && !addr_allowed(c, o, &t->addr)) {
				*denied_op = o;
				return false;
			}
		return true;
	case MB_TARGET_MEMFD:
	case MB_TARGET_DELETED:
		if (t->ops & (1u << MB_OP_EXEC)) {
			*denied_op = MB_OP_EXEC;
			*why = t->kind == MB_TARGET_MEMFD ? WHY_MEMFD_EXEC : WHY_DELETED_EXEC;
			return false;
		}
		if (t->kind == MB_TARGET_MEMFD)
			return true; /* the server's own memory */
		break;           /* a deleted file: by its last name */
	case MB_TARGET_PATH:
		break;
	}
	for (unsigned o = MB_OP_READ; o < MB_PATH_OPS; o++)
		if ((t->ops & (1u << o)) && !path_allowed(c, o, mb_notified_access(op, t, o), t->path) &&
		    !(c->cfg.also_allows &&
		      c->cfg.also_allows(c->cfg.also_ud, op, o, mb_notified_access(op, t, o), t->path))) {
			*denied_op = o;
			return false;
		}
	return true;
}

/* ---- reporting ---------------------------------------------------------- */

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ s[i]) * 1099511628211ull;
	return h;
}

static const char *target_text(struct mb_correlator *c, const struct mb_notified_target *t)
{
	if (t->kind == MB_TARGET_INET)
		return mb_addr_format(&t->addr, c->addr, sizeof(c->addr));
	if (t->kind == MB_TARGET_FAMILY) {
		snprintf(c->addr, sizeof(c->addr), "family:%d", t->family);
		return c->addr;
	}
	return t->path ? t->path : "";
}

static const char *presence_name(const struct mb_notified_target *t)
{
	switch (t->presence) {
	case MB_PRESENT: return "sandbox";
	case MB_PRESENT_NEW: return "new";
	case MB_PRESENT_HOST: return "host";
	case MB_PRESENT_NONE: return "nowhere";
	case MB_PRESENT_OUTSIDE: return "outside";
	}
	return "nowhere";
}

static void set_error(struct mb_correlator *c, int r)
{
	if (r < 0 && !c->report_err)
		c->report_err = r;
}

static void emit(struct mb_correlator *c, const cJSON *fields)
{
	if (!fields) {
		set_error(c, -ENOMEM);
		return;
	}
	c->stats.lines++;
	set_error(c, c->cfg.report(c->cfg.report_ud, "violation", fields));
}

#define NOT_GRANTED "not granted"

/* "not granted to read_text_file", "... to any request in flight (a, b)";
 * given (the broker's reason), its "not granted" is made so, the rest
 * follows as is, and any other reason is used as is. */
static void reason_text(struct mb_correlator *c, enum why why, const struct mb_notified_target *t,
			size_t nreq, const char *given, struct mb_strbuf *b)
{
	if (given && strncmp(given, NOT_GRANTED, strlen(NOT_GRANTED)) != 0) {
		mb_strbuf_puts(b, given);
		return;
	}
	switch (why) {
	case WHY_MEMFD_EXEC:
		mb_strbuf_puts(b, "exec of an anonymous memory file (memfd): never granted");
		return;
	case WHY_DELETED_EXEC:
		mb_strbuf_puts(b, "exec of a deleted file: never granted");
		return;
	case WHY_ABSTRACT_HOST:
		mb_strbuf_puts(b, "an abstract unix socket of the host (network: host): never granted");
		return;
	case WHY_UNREADABLE:
		mb_strbuf_printf(b, "argument unreadable by the supervisor (%s): denied EFAULT, "
				    "never left to the kernel",
				 strerror(-(t->resolve_error ? t->resolve_error : -EFAULT)));
		return;
	case WHY_NOT_GRANTED:
		break;
	}
	if (nreq == 0) {
		mb_strbuf_puts(b, "not granted at runtime (idle)");
	} else if (nreq == 1) {
		const struct mb_call *call = first_request(c);
		mb_strbuf_printf(b, "not granted to %s", call->tool ? call->tool : call->method);
	} else {
		mb_strbuf_puts(b, "not granted to any request in flight (");
		for (const struct mb_call *call = first_request(c), *first = call; call;
		     call = next_request(call))
			mb_strbuf_printf(b, "%s%s", call == first ? "" : ", ",
					 call->tool ? call->tool : call->method);
		mb_strbuf_putc(b, ')');
	}
	if (given)
		mb_strbuf_puts(b, given + strlen(NOT_GRANTED));
	else if (t->presence == MB_PRESENT_HOST)
		mb_strbuf_puts(b, "; it exists only outside the sandbox");
	else if (t->presence == MB_PRESENT_OUTSIDE)
		mb_strbuf_puts(b, "; not in the sandbox, and under a host secret store (the host "
				  "was not looked at)");
}

static cJSON *fields_for(struct mb_correlator *c, const struct mb_notified_op *op,
			 const struct mb_notified_target *t, enum mb_op o, enum why why,
			 const char *given, bool allowed, bool probe)
{
	const struct mb_profile *p = c->cfg.profile;
	cJSON *f = cJSON_CreateObject();
	if (!f)
		return NULL;
	size_t nreq = 0;
	for (const struct mb_call *call = first_request(c); call; call = next_request(call))
		nreq++;
	struct mb_strbuf reason = { 0 };
	reason_text(c, why, t, nreq, given, &reason);
	bool ok = cJSON_AddNumberToObject(f, "pid", op->pid) &&
		  cJSON_AddStringToObject(f, "exe",
					  mb_notifier_exe(op->pid, c->exe, sizeof(c->exe)) == 0
						  ? c->exe : "") &&
		  cJSON_AddStringToObject(f, "op", mb_op_name(o)) &&
		  cJSON_AddStringToObject(f, "syscall", op->sc->name) &&
		  cJSON_AddStringToObject(f, "target", target_text(c, t)) &&
		  cJSON_AddStringToObject(f, "presence", presence_name(t)) &&
		  cJSON_AddStringToObject(f, "decision", allowed ? "allowed" : "denied") &&
		  cJSON_AddStringToObject(f, "reason",
					  mb_strbuf_failed(&reason) || !reason.s ? "not granted"
										 : reason.s);
	mb_strbuf_free(&reason);
	if (ok && probe)
		ok = cJSON_AddBoolToObject(f, "probe", true);
	cJSON *reqs = ok ? cJSON_AddArrayToObject(f, "requests") : NULL;
	for (struct mb_call *call = first_request(c); reqs && call; call = next_request(call)) {
		cJSON *r = mb_report_request(p, call->id_raw, call->method, call->tool,
					     mb_call_arguments(call));
		if (!r || !cJSON_AddItemToArray(reqs, r)) {
			cJSON_Delete(r);
			reqs = NULL;
		}
	}
	/* The rule a reader needs to weigh the requests: with several in
	 * flight any of them may have done it, and it was allowed if any
	 * grants it. */
	const char *attribution = nreq == 0 ? "idle"
				  : nreq > 1 ? "parallel"
				  : p->concurrency == MB_CONCURRENCY_SERIAL ? "serial" : "single";
	if (!reqs || !cJSON_AddStringToObject(f, "attribution", attribution)) {
		cJSON_Delete(f);
		return NULL;
	}
	return f;
}

/* What makes two violations identical: op, syscall, target, decision, and
 * the same requests in flight. */
static uint64_t identity(struct mb_correlator *c, const struct mb_notified_op *op,
			 const struct mb_notified_target *t, enum mb_op o, bool allowed)
{
	uint64_t h = 1469598103934665603ull;
	unsigned char b[2] = { (unsigned char)o, allowed };
	h = fnv(h, b, sizeof(b));
	h = fnv(h, op->sc->name, strlen(op->sc->name) + 1);
	const char *target = target_text(c, t);
	h = fnv(h, target, strlen(target) + 1);
	for (const struct mb_call *call = first_request(c); call; call = next_request(call))
		h = fnv(h, call->key, strlen(call->key) + 1);
	return h;
}

static void write_count(struct mb_correlator *c, struct repeat *s)
{
	if (s->count) {
		if (cJSON_AddNumberToObject(s->fields, "count", (double)s->count))
			emit(c, s->fields);
		else
			set_error(c, -ENOMEM);
	}
	cJSON_Delete(s->fields);
	*s = (struct repeat){ 0 };
}

static void arm(struct mb_correlator *c, uint64_t now)
{
	if (!c->loop)
		return;
	uint64_t next = 0;
	for (size_t i = 0; i < REPEAT_SLOTS; i++)
		if (c->slots[i].fields && (!next || c->slots[i].until_ns < next))
			next = c->slots[i].until_ns;
	if (!next)
		mb_timer_cancel(c->loop, &c->timer);
	else
		mb_timer_arm(c->loop, &c->timer, next > now ? (next - now + 999999) / 1000000 : 0);
}

/* Write the counts of every second that has ended. */
static void expire(struct mb_correlator *c, uint64_t now)
{
	for (size_t i = 0; i < REPEAT_SLOTS; i++)
		if (c->slots[i].fields && c->slots[i].until_ns <= now)
			write_count(c, &c->slots[i]);
}

static void on_timer(struct mb_timer *t)
{
	struct mb_correlator *c = container_of(t, struct mb_correlator, timer);
	uint64_t now = mb_now_ns();
	expire(c, now);
	arm(c, now);
}

int mb_correlator_flush(struct mb_correlator *c)
{
	for (size_t i = 0; i < REPEAT_SLOTS; i++)
		if (c->slots[i].fields)
			write_count(c, &c->slots[i]);
	if (c->loop)
		mb_timer_cancel(c->loop, &c->timer);
	return c->report_err;
}

void mb_correlator_attach(struct mb_correlator *c, const struct mb_inflight *inflight,
			  struct mb_loop *loop)
{
	c->inflight = (struct mb_inflight *)inflight;
	if (loop != c->loop) {
		/* The old loop may be freed already: never touch it. */
		c->timer = (struct mb_timer){ .cb = on_timer };
		c->loop = loop;
	}
	if (loop)
		arm(c, mb_now_ns());
}

static void report(struct mb_correlator *c, const struct mb_notified_op *op,
		   const struct mb_notified_target *t, enum mb_op o, enum why why,
		   const char *given, bool allowed, bool probe)
{
	uint64_t now = mb_now_ns();
	uint64_t key = identity(c, op, t, o, allowed);
	expire(c, now);
	struct repeat *slot = NULL;
	for (size_t i = 0; i < REPEAT_SLOTS; i++) {
		struct repeat *s = &c->slots[i];
		if (s->fields && s->key == key) {
			s->count++;
			c->stats.collapsed++;
			return;
		}
		if (!s->fields && !slot)
			slot = s;
	}
	cJSON *f = fields_for(c, op, t, o, why, given, allowed, probe);
	emit(c, f);
	if (!f)
		return;
	if (!slot) { /* full: the oldest second ends early */
		slot = &c->slots[0];
		for (size_t i = 1; i < REPEAT_SLOTS; i++)
			if (c->slots[i].until_ns < slot->until_ns)
				slot = &c->slots[i];
		write_count(c, slot);
	}
	*slot = (struct repeat){ .fields = f, .key = key, .until_ns = now + REPEAT_WINDOW_NS };
	arm(c, now);
}

static bool outside(const struct mb_correlator *c, const char *path)
{
	for (char **o = c->outside; o && *o; o++)
		if (mb_path_match(*o, path))
			return true;
	return false;
}

/* t of op was not allowed: report it and say how to answer. */
static struct mb_answer violation(struct mb_correlator *c, const struct mb_notified_op *op,
				  const struct mb_notified_target *t, enum mb_op o, enum why why)
{
	bool audit = c->cfg.profile->mode == MB_MODE_AUDIT;
	struct mb_notified_target seen = *t;
	if (t->kind == MB_TARGET_PATH && t->presence == MB_PRESENT_NONE && why == WHY_NOT_GRANTED) {
		if (!outside(c, t->path)) {
			/* Exists nowhere: the kernel's own answer (ENOENT). */
			c->stats.probes++;
			if (c->cfg.report_probes)
				report(c, op, t, o, why, NULL, audit, true);
			return (struct mb_answer){ MB_VERDICT_PROBE, 0 };
		}
		/* A secret store of the host, named by the server. */
		seen.presence = MB_PRESENT_OUTSIDE;
	}
	c->stats.violations++;
	if (why == WHY_UNREADABLE)
		audit = false; /* never left to the kernel, in any mode */
	report(c, op, &seen, o, why, NULL, audit, false);
	if (audit)
		return (struct mb_answer){ MB_VERDICT_ALLOW, 0 };
	/* ENOENT outside the sandbox: the server must not learn what the
	 * host holds; EFAULT for what could not be read; else the notifier's
	 * default (EACCES, EPERM for network). */
	int err = why == WHY_UNREADABLE ? EFAULT : seen.presence == MB_PRESENT_OUTSIDE ? ENOENT : 0;
	return (struct mb_answer){ MB_VERDICT_DENY, err };
}

struct mb_answer mb_correlate(const struct mb_notified_op *op, void *ud)
{
	struct mb_correlator *c = ud;
	c->stats.decided++;
	for (unsigned i = 0; i < op->n; i++) {
		enum mb_op o = MB_OP_READ;
		enum why why;
		if (!judge(c, op, &op->t[i], &o, &why))
			return violation(c, op, &op->t[i], o, why);
	}
	return (struct mb_answer){ MB_VERDICT_ALLOW, 0 };
}

bool mb_correlate_allows(const struct mb_notified_op *op, void *ud)
{
	struct mb_correlator *c = ud;
	for (unsigned i = 0; i < op->n; i++) {
		enum mb_op o;
		enum why why;
		if (!judge(c, op, &op->t[i], &o, &why))
			return false;
	}
	return true;
}

struct mb_answer mb_correlate_addr(struct mb_correlator *c, const struct mb_notified_op *op,
				   const struct mb_notified_target *t)
{
	c->stats.decided++;
	enum mb_op o = MB_OP_CONNECT;
	enum why why;
	if (!judge(c, op, t, &o, &why))
		return violation(c, op, t, o, why);
	return (struct mb_answer){ MB_VERDICT_ALLOW, 0 };
}

/* ---- for the broker ------------------------------------------------------- */

bool mb_correlator_addr_in_force(struct mb_correlator *c, enum mb_op o, const struct mb_addr *a)
{
	return addr_allowed(c, o, a);
}

static bool scope_allows(const struct mb_grants *g, enum mb_op o, const struct mb_addr *a)
{
	mb_vec_foreach(ep, &g->net[MB_NET_OP_INDEX(o)]) {
		if (mb_endpoint_match(ep, a))
			return true;
	}
	return false;
}

bool mb_correlator_addr_in_union(const struct mb_correlator *c, enum mb_op o,
				 const struct mb_addr *a)
{
	const struct mb_profile *p = c->cfg.profile;
	if (o != MB_OP_CONNECT && o != MB_OP_BIND)
		return false;
	if (scope_allows(&p->runtime, o, a))
		return true;
	mb_vec_foreach(t, &p->tools) {
		if (scope_allows(&t->grants, o, a))
			return true;
	}
	mb_vec_foreach(t, &p->requests) {
		if (scope_allows(&t->grants, o, a))
			return true;
	}
	return false;
}

int mb_correlator_report_target(struct mb_correlator *c, const struct mb_notified_op *op,
				enum mb_op o, const struct mb_notified_target *t, bool allowed,
				const char *reason)
{
	c->stats.violations++;
	report(c, op, t, o, WHY_NOT_GRANTED, reason ? reason : NOT_GRANTED, allowed, false);
	return c->report_err;
}

int mb_correlator_report_addr(struct mb_correlator *c, const struct mb_notified_op *op, enum mb_op o,
			      const struct mb_addr *a, enum mb_presence presence, bool allowed,
			      const char *reason)
{
	struct mb_notified_target t = {
		.kind = MB_TARGET_INET, .presence = presence, .ops = 1u << o, .addr = *a,
		.family = a->family,
	};
	return mb_correlator_report_target(c, op, o, &t, allowed, reason);
}
