/* SPDX-License-Identifier: Apache-2.0 */
#include <stdlib.h>
#include <string.h>

#include "common/macros.h"
#include "supervisor/inspect/inflight.h"

/* Calls kept for reuse once they leave the table, and the largest string
 * block such a call may keep. */
#define SPARE_MAX 64
#define SPARE_MEM_MAX 4096
/* Expired calls kept to recognise their late responses; beyond this the
 * oldest is forgotten (its response then counts as one to an unknown id). */
#define EXPIRED_MAX 1024

/* ---- open addressing from (direction, key) to calls ---- */

enum which { BY_ID, BY_PROGRESS, BY_TASK };

static char tomb_mark;
#define TOMB ((struct mb_call *)(void *)&tomb_mark)

struct omap {
	struct mb_call **s;
	size_t cap;  /* a power of two, or 0 */
	size_t used; /* live entries and tombstones */
	size_t n;
};

static uint64_t hash_key(enum mb_dir dir, const char *key)
{
	uint64_t h = 1469598103934665603ull;
	h = (h ^ (dir == MB_DIR_CLIENT ? 'C' : 'S')) * 1099511628211ull;
	for (const unsigned char *s = (const unsigned char *)key; *s; s++)
		h = (h ^ *s) * 1099511628211ull;
	return h;
}

static uint64_t call_hash(const struct mb_call *c, enum which w)
{
	return w == BY_ID ? c->h_id : w == BY_PROGRESS ? c->h_progress : c->h_task;
}

static const char *call_key(const struct mb_call *c, enum which w)
{
	return w == BY_ID ? c->key : w == BY_PROGRESS ? c->progress : c->task_id;
}

static struct mb_call *omap_get(const struct omap *m, enum which w, enum mb_dir dir,
				const char *key)
{
	if (!m->n || !key)
		return NULL;
	uint64_t h = hash_key(dir, key);
	for (size_t i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		struct mb_call *c = m->s[i];
		if (!c)
			return NULL;
		if (c != TOMB && call_hash(c, w) == h && c->dir == dir &&
		    strcmp(call_key(c, w), key) == 0)
			return c;
	}
}

static void omap_insert(struct mb_call **s, size_t cap, enum which w, struct mb_call *c)
{
	size_t i = call_hash(c, w) & (cap - 1);
	while (s[i] && s[i] != TOMB)
		i = (i + 1) & (cap - 1);
	s[i] = c;
}

static int omap_put(struct omap *m, enum which w, struct mb_call *c)
{
	if ((m->used + 1) * 2 > m->cap) {
		size_t cap = m->cap ? m->cap : 64;
		while ((m->n + 1) * 4 > cap)
			cap *= 2;
		struct mb_call **s = calloc(cap, sizeof(*s));
		if (!s)
			return -ENOMEM;
		for (size_t i = 0; i < m->cap; i++)
			if (m->s[i] && m->s[i] != TOMB)
				omap_insert(s, cap, w, m->s[i]);
		free(m->s);
		m->s = s;
		m->cap = cap;
		m->used = m->n;
	}
	size_t i = call_hash(c, w) & (m->cap - 1);
	while (m->s[i] && m->s[i] != TOMB)
		i = (i + 1) & (m->cap - 1);
	if (!m->s[i])
		m->used++;
	m->s[i] = c;
	m->n++;
	return 0;
}

static void omap_del(struct omap *m, enum which w, const struct mb_call *c)
{
	if (!m->n)
		return;
	for (size_t i = call_hash(c, w) & (m->cap - 1); m->s[i]; i = (i + 1) & (m->cap - 1))
		if (m->s[i] == c) {
			/* A tombstone keeps later entries of the probe chain
			 * reachable; the next grow drops them. */
			m->s[i] = TOMB;
			m->n--;
			return;
		}
}

/* ---- the table ---- */

/* A request answered "input_required", waiting for the client's retry. */
struct continuation {
	char *state; /* requestState, or NULL */
	char *method, *tool;
	uint64_t logical;
	unsigned round;
};

#define MAX_CONTINUATIONS 256

struct mb_inflight {
	struct mb_call *head, *tail;
	size_t n, nexpired, ndir[2];
	struct omap by_id, by_progress, by_task;
	uint64_t next_logical;
	uint64_t timeout_ns;
	struct mb_call *spare; /* recycled calls, linked by next */
	size_t nspare;
	struct continuation cont[MAX_CONTINUATIONS];
	size_t ncont;
	void (*leave)(void *ud, struct mb_call *c);
	void *leave_ud;
};

int mb_inflight_new(struct mb_inflight **ret)
{
	struct mb_inflight *t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	*ret = t;
	return 0;
}

void mb_inflight_set_timeout(struct mb_inflight *t, uint64_t timeout_ns)
{
	t->timeout_ns = timeout_ns;
}

static void grants_free(struct mb_call *c)
{
	if (c->grants) {
		mb_callgrants_free(c->grants);
		free(c->grants);
	}
	cJSON_Delete(c->denials);
	c->denials = NULL;
}

static void call_free(struct mb_call *c)
{
	grants_free(c);
	cJSON_Delete(c->args_node);
	free(c->task_mem);
	free(c->mem);
	free(c);
}

/* Give c back: to the spares, with its string block, or to the heap. */
static void call_release(struct mb_inflight *t, struct mb_call *c)
{
	if (t->nspare >= SPARE_MAX || c->mem_cap > SPARE_MEM_MAX) {
		call_free(c);
		return;
	}
	grants_free(c);
	cJSON_Delete(c->args_node);
	free(c->task_mem);
	char *mem = c->mem;
	size_t cap = c->mem_cap;
	*c = (struct mb_call){ .mem = mem, .mem_cap = cap, .next = t->spare };
	t->spare = c;
	t->nspare++;
}

static struct mb_call *call_get(struct mb_inflight *t, size_t mem_size)
{
	struct mb_call *c = t->spare;
	if (c) {
		t->spare = c->next;
		t->nspare--;
		c->next = NULL;
	} else {
		c = calloc(1, sizeof(*c));
		if (!c)
			return NULL;
	}
	if (c->mem_cap < mem_size) {
		size_t cap = MB_MAX(mem_size, (size_t)128);
		char *p = malloc(cap);
		if (!p) {
			call_free(c);
			return NULL;
		}
		free(c->mem);
		c->mem = p;
		c->mem_cap = cap;
	}
	return c;
}

static void cont_free(struct continuation *k)
{
	free(k->state);
	free(k->method);
	free(k->tool);
}

void mb_inflight_set_leave_hook(struct mb_inflight *t, void (*fn)(void *ud, struct mb_call *c),
				void *ud)
{
	t->leave = fn;
	t->leave_ud = ud;
}

void mb_inflight_free(struct mb_inflight *t)
{
	if (!t)
		return;
	for (struct mb_call *c = t->head, *n; c; c = n) {
		n = c->next;
		if (t->leave)
			t->leave(t->leave_ud, c);
		call_free(c);
	}
	for (struct mb_call *c = t->spare, *n; c; c = n) {
		n = c->next;
		call_free(c);
	}
	free(t->by_id.s);
	free(t->by_progress.s);
	free(t->by_task.s);
	for (size_t i = 0; i < t->ncont; i++)
		cont_free(&t->cont[i]);
	free(t);
}

const cJSON *mb_call_arguments(struct mb_call *c)
{
	if (!c->args_node && c->args_text)
		c->args_node = cJSON_ParseWithLength(c->args_text, c->args_len);
	return c->args_node;
}

struct mb_call *mb_inflight_find(const struct mb_inflight *t, enum mb_dir dir, const char *key)
{
	return omap_get(&t->by_id, BY_ID, dir, key);
}

void mb_inflight_remove(struct mb_inflight *t, struct mb_call *c)
{
	omap_del(&t->by_id, BY_ID, c);
	if (c->progress)
		omap_del(&t->by_progress, BY_PROGRESS, c);
	if (c->task_id)
		omap_del(&t->by_task, BY_TASK, c);
	if (c->prev)
		c->prev->next = c->next;
	else
		t->head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		t->tail = c->prev;
	t->n--;
	t->ndir[c->dir]--;
	if (c->state == MB_CALL_EXPIRED)
		t->nexpired--;
	if (t->leave)
		t->leave(t->leave_ud, c);
	call_release(t, c);
}

/* Find the continuation a retry belongs to: by requestState when it carries
 * one, else the latest one for the same method and tool. */
static bool take_continuation(struct mb_inflight *t, struct mb_jr_msg *m, const char *method,
			      const char *tool, uint64_t *logical, unsigned *round)
{
	if (!t->ncont)
		return false;
	const char *state = mb_jr_param_str(m, MB_P_REQUEST_STATE);
	bool has_responses = mb_span_is(m->text, m->p[MB_P_INPUT_RESPONSES], '{');
	if (!state && !has_responses)
		return false;
	for (size_t i = t->ncont; i-- > 0;) {
		struct continuation *k = &t->cont[i];
		bool match = state ? mb_streq(k->state, state)
				   : (!k->state && mb_streq(k->method, method) &&
				      (k->tool == tool || mb_streq(k->tool, tool)));
		if (!match)
			continue;
		*logical = k->logical;
		*round = k->round + 1;
		cont_free(k);
		memmove(k, k + 1, (t->ncont - i - 1) * sizeof(*k));
		t->ncont--;
		return true;
	}
	return false;
}

uint64_t mb_json_span_ms(const char *text, struct mb_span v)
{
	char buf[64];
	if (!v.len || v.len >= sizeof(buf) ||
	    !(text[v.off] == '-' || (text[v.off] >= '0' && text[v.off] <= '9')))
		return 0;
	memcpy(buf, text + v.off, v.len);
	buf[v.len] = '\0';
	double ms = strtod(buf, NULL);
	if (!(ms >= 0))
		return 0;
	/* 0 asks for no time at all: the shortest, not "none". About 31
	 * years caps what a double holds exactly. */
	return ms < 1 ? 1 : ms > 1e12 ? (uint64_t)1e12 : (uint64_t)ms;
}

/* params.task of a tools/call: whether it is there (an object), and its
 * ttl in milliseconds (0 when absent, null or not a whole number). */
static bool asked_task(struct mb_jr_msg *m, uint64_t *ttl_ms)
{
	*ttl_ms = 0;
	if (!mb_span_is(m->text, m->p[MB_P_TASK], '{'))
		return false;
	static const char *const ttl_key[] = { "ttl" };
	struct mb_span v;
	if (mb_jr_members(m, m->p[MB_P_TASK], ttl_key, 1, &v))
		*ttl_ms = mb_json_span_ms(m->text, v);
	return true;
}

/* Copy n bytes of s into the block at *p, NUL-terminated; returns the copy. */
static const char *put(char **p, const char *s, size_t n)
{
	char *d = *p;
	memcpy(d, s, n);
	d[n] = '\0';
	*p += n + 1;
	return d;
}

int mb_inflight_add(struct mb_inflight *t, enum mb_dir dir, struct mb_jr_msg *m, uint64_t now_ns,
		    struct mb_call **ret)
{
	if (!m->id.key || !m->method)
		return -EINVAL;
	struct mb_call *old = mb_inflight_find(t, dir, m->id.key);
	if (old) {
		if (old->state != MB_CALL_CANCELLED && old->state != MB_CALL_EXPIRED)
			return -EEXIST;
		mb_inflight_remove(t, old);
	}
	const char *id_raw = m->id.raw ? m->id.raw : "null";
	size_t id_len = m->id.raw ? m->id.raw_len : 4;
	const char *tool = NULL, *about = NULL, *progress = NULL;
	struct mb_span args = { 0, 0 };
	bool task = false;
	uint64_t task_ttl = 0;
	if (strcmp(m->method, "tools/call") == 0) {
		tool = mb_jr_param_str(m, MB_P_NAME);
		args = m->p[MB_P_ARGUMENTS];
		task = dir == MB_DIR_CLIENT && asked_task(m, &task_ttl);
	} else if (dir == MB_DIR_CLIENT && mb_span_is(m->text, m->params, '{')) {
		args = m->params;
	}
	if (m->p[MB_P_TASK_ID].len && strncmp(m->method, "tasks/", 6) == 0)
		about = mb_jr_param_str(m, MB_P_TASK_ID);
	if (mb_span_is(m->text, m->p[MB_P_META], '{')) {
		static const char *const tok_key[] = { "progressToken" };
		struct mb_span tok;
		if (mb_jr_members(m, m->p[MB_P_META], tok_key, 1, &tok))
			progress = mb_jr_key(m, tok);
	}
	size_t nkey = strlen(m->id.key), nmethod = strlen(m->method);
	size_t ntool = tool ? strlen(tool) : 0, nabout = about ? strlen(about) : 0;
	size_t nprog = progress ? strlen(progress) : 0;
	size_t size = nkey + 1 + id_len + 1 + nmethod + 1 + (tool ? ntool + 1 : 0) +
		      (args.len ? args.len + 1 : 0) + (about ? nabout + 1 : 0) +
		      (progress ? nprog + 1 : 0);
	struct mb_call *c = call_get(t, size);
	if (!c)
		return -ENOMEM;
	char *p = c->mem;
	c->dir = dir;
	c->state = MB_CALL_PENDING;
	c->started_ns = now_ns;
	c->deadline_ns = t->timeout_ns ? now_ns + t->timeout_ns : 0;
	c->task_asked = task;
	c->task_ttl_ms = task_ttl;
	c->key = put(&p, m->id.key, nkey);
	c->id_raw = put(&p, id_raw, id_len);
	c->method = put(&p, m->method, nmethod);
	c->tool = tool ? put(&p, tool, ntool) : NULL;
	if (args.len) {
		c->args_text = put(&p, m->text + args.off, args.len);
		c->args_len = args.len;
	}
	c->about_task = about ? put(&p, about, nabout) : NULL;
	c->progress = progress ? put(&p, progress, nprog) : NULL;
	c->h_id = hash_key(dir, c->key);
	if (omap_put(&t->by_id, BY_ID, c) < 0) {
		call_release(t, c);
		return -ENOMEM;
	}
	if (c->progress) {
		c->h_progress = hash_key(dir, c->progress);
		/* A token already in use (a client bug) maps to the first call. */
		if (omap_get(&t->by_progress, BY_PROGRESS, dir, c->progress) ||
		    omap_put(&t->by_progress, BY_PROGRESS, c) < 0)
			c->progress = NULL;
	}
	if (!(dir == MB_DIR_CLIENT &&
	      take_continuation(t, m, c->method, c->tool, &c->logical, &c->round)))
		c->logical = ++t->next_logical;
	c->prev = t->tail;
	if (t->tail)
		t->tail->next = c;
	else
		t->head = c;
	t->tail = c;
	t->n++;
	t->ndir[dir]++;
	if (ret)
		*ret = c;
	return 0;
}

struct mb_call *mb_inflight_cancel(struct mb_inflight *t, enum mb_dir dir, const char *key,
				   uint64_t deadline_ns)
{
	struct mb_call *c = mb_inflight_find(t, dir, key);
	if (!c)
		return NULL;
	/* A task's call ends with the task: tasks/cancel, not this. An
	 * expired call's window is already closed. */
	if (c->state == MB_CALL_PENDING) {
		c->state = MB_CALL_CANCELLED;
		c->deadline_ns = deadline_ns;
	}
	return c;
}

struct mb_call *mb_inflight_by_progress_key(const struct mb_inflight *t, enum mb_dir dir,
					    const char *key)
{
	return omap_get(&t->by_progress, BY_PROGRESS, dir, key);
}

struct mb_call *mb_inflight_by_progress(const struct mb_inflight *t, enum mb_dir dir,
					const cJSON *token)
{
	_cleanup_free_ char *key = mb_jr_id_key(token);
	return mb_inflight_by_progress_key(t, dir, key);
}

void mb_inflight_touch(struct mb_inflight *t, struct mb_call *c, uint64_t now_ns)
{
	if ((c->state == MB_CALL_PENDING || c->state == MB_CALL_TASK) && c->deadline_ns &&
	    t->timeout_ns)
		c->deadline_ns = now_ns + t->timeout_ns;
}

int mb_inflight_task_started(struct mb_inflight *t, struct mb_call *c, const char *task_id,
			     uint64_t ttl_ms, uint64_t now_ns)
{
	char *id = strdup(task_id);
	if (!id)
		return -ENOMEM;
	if (c->task_id)
		omap_del(&t->by_task, BY_TASK, c);
	free(c->task_mem);
	c->task_mem = id;
	c->task_id = id;
	c->h_task = hash_key(c->dir, id);
	c->state = MB_CALL_TASK;
	/* The task's own clock: from its creation, and at most its ttl. */
	c->deadline_ns = t->timeout_ns ? now_ns + t->timeout_ns : 0;
	c->ttl_end_ns = ttl_ms ? now_ns + ttl_ms * 1000000u : 0;
	if (omap_put(&t->by_task, BY_TASK, c) < 0) {
		c->task_id = NULL;
		return -ENOMEM;
	}
	return 0;
}

struct mb_call *mb_inflight_by_task(const struct mb_inflight *t, enum mb_dir dir,
				    const char *task_id)
{
	return omap_get(&t->by_task, BY_TASK, dir, task_id);
}

bool mb_inflight_task_ended(struct mb_inflight *t, enum mb_dir dir, const char *task_id)
{
	struct mb_call *c = mb_inflight_by_task(t, dir, task_id);
	if (!c)
		return false;
	mb_inflight_remove(t, c);
	return true;
}

static char *strdup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

int mb_inflight_input_required(struct mb_inflight *t, const struct mb_call *c,
			       const char *request_state)
{
	if (t->ncont == MAX_CONTINUATIONS) {
		/* The oldest retry never came: forget it. */
		cont_free(&t->cont[0]);
		memmove(t->cont, t->cont + 1, (t->ncont - 1) * sizeof(t->cont[0]));
		t->ncont--;
	}
	struct continuation *k = &t->cont[t->ncont];
	*k = (struct continuation){
		.state = strdup_or_null(request_state),
		.method = strdup(c->method),
		.tool = strdup_or_null(c->tool),
		.logical = c->logical,
		.round = c->round,
	};
	if ((request_state && !k->state) || !k->method || (c->tool && !k->tool)) {
		cont_free(k);
		return -ENOMEM;
	}
	t->ncont++;
	return 0;
}

/* When c's window or wait ends: the earlier of its deadline and its task's
 * time to live (0: never). */
static uint64_t call_end(const struct mb_call *c)
{
	if (c->state == MB_CALL_EXPIRED)
		return 0;
	uint64_t end = c->deadline_ns;
	if (c->state == MB_CALL_TASK && c->ttl_end_ns && (!end || c->ttl_end_ns < end))
		end = c->ttl_end_ns;
	return end;
}

uint64_t mb_inflight_expire(struct mb_inflight *t, uint64_t now_ns,
			    void (*expired)(void *ud, struct mb_call *c), void *ud)
{
	uint64_t next = 0;
	for (struct mb_call *c = t->head, *n; c; c = n) {
		n = c->next;
		uint64_t end = call_end(c);
		if (!end)
			continue;
		if (end > now_ns) {
			if (!next || end < next)
				next = end;
			continue;
		}
		if (c->state == MB_CALL_CANCELLED) {
			mb_inflight_remove(t, c);
			continue;
		}
		if (expired)
			expired(ud, c);
		if (c->dir == MB_DIR_SERVER) {
			/* Answered by the caller: nothing is left to wait for. */
			mb_inflight_remove(t, c);
			continue;
		}
		c->state = MB_CALL_EXPIRED;
		t->nexpired++;
	}
	/* Forget the oldest expired calls beyond the bound. */
	for (struct mb_call *c = t->head, *n; c && t->nexpired > EXPIRED_MAX; c = n) {
		n = c->next;
		if (c->state == MB_CALL_EXPIRED)
			mb_inflight_remove(t, c);
	}
	return next;
}

size_t mb_inflight_count(const struct mb_inflight *t)
{
	return t->n;
}

size_t mb_inflight_count_dir(const struct mb_inflight *t, enum mb_dir dir)
{
	return t->ndir[dir];
}

struct mb_call *mb_inflight_first(const struct mb_inflight *t)
{
	return t->head;
}
