#include <stdlib.h>
#include <string.h>

#include "common/macros.h"
#include "common/strbuf.h"
#include "supervisor/inflight.h"

/* A small chained hash from string keys to calls. */
struct hnode {
	const char *key; /* owned by the call */
	struct mb_call *call;
	struct hnode *next;
};

struct hmap {
	struct hnode **b;
	size_t nb, n;
};

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static int hmap_grow(struct hmap *m)
{
	size_t nb = m->nb ? m->nb * 2 : 64;
	struct hnode **b = calloc(nb, sizeof(*b));
	if (!b)
		return -ENOMEM;
	for (size_t i = 0; i < m->nb; i++)
		for (struct hnode *x = m->b[i], *nx; x; x = nx) {
			nx = x->next;
			size_t j = hash(x->key) & (nb - 1);
			x->next = b[j];
			b[j] = x;
		}
	free(m->b);
	m->b = b;
	m->nb = nb;
	return 0;
}

static int hmap_put(struct hmap *m, const char *key, struct mb_call *c)
{
	if (m->n >= m->nb * 2 && hmap_grow(m) < 0 && !m->nb)
		return -ENOMEM;
	struct hnode *x = malloc(sizeof(*x));
	if (!x)
		return -ENOMEM;
	size_t j = hash(key) & (m->nb - 1);
	*x = (struct hnode){ key, c, m->b[j] };
	m->b[j] = x;
	m->n++;
	return 0;
}

static struct mb_call *hmap_get(const struct hmap *m, const char *key)
{
	if (!m->nb)
		return NULL;
	for (struct hnode *x = m->b[hash(key) & (m->nb - 1)]; x; x = x->next)
		if (strcmp(x->key, key) == 0)
			return x->call;
	return NULL;
}

static void hmap_del(struct hmap *m, const char *key, const struct mb_call *c)
{
	if (!m->nb)
		return;
	for (struct hnode **p = &m->b[hash(key) & (m->nb - 1)]; *p; p = &(*p)->next)
		if ((*p)->call == c && strcmp((*p)->key, key) == 0) {
			struct hnode *x = *p;
			*p = x->next;
			free(x);
			m->n--;
			return;
		}
}

static void hmap_free(struct hmap *m)
{
	for (size_t i = 0; i < m->nb; i++)
		for (struct hnode *x = m->b[i], *nx; x; x = nx) {
			nx = x->next;
			free(x);
		}
	free(m->b);
	*m = (struct hmap){ 0 };
}

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
	size_t n;
	struct hmap by_id, by_progress, by_task;
	uint64_t next_logical;
	struct continuation cont[MAX_CONTINUATIONS];
	size_t ncont;
};

int mb_inflight_new(struct mb_inflight **ret)
{
	struct mb_inflight *t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	*ret = t;
	return 0;
}

static void call_free(struct mb_call *c)
{
	free(c->key);
	free(c->id_raw);
	free(c->method);
	free(c->tool);
	cJSON_Delete(c->arguments);
	cJSON_Delete(c->params);
	if (c->grants) {
		mb_callgrants_free(c->grants);
		free(c->grants);
	}
	free(c->progress);
	free(c->task_id);
	free(c->about_task);
	free(c->hkey);
	free(c->pkey);
	free(c->tkey);
	free(c);
}

static void cont_free(struct continuation *k)
{
	free(k->state);
	free(k->method);
	free(k->tool);
}

void mb_inflight_free(struct mb_inflight *t)
{
	if (!t)
		return;
	for (struct mb_call *c = t->head, *n; c; c = n) {
		n = c->next;
		call_free(c);
	}
	hmap_free(&t->by_id);
	hmap_free(&t->by_progress);
	hmap_free(&t->by_task);
	for (size_t i = 0; i < t->ncont; i++)
		cont_free(&t->cont[i]);
	free(t);
}

static char *dkey(enum mb_dir dir, const char *key)
{
	size_t n = strlen(key);
	char *s = malloc(n + 2);
	if (!s)
		return NULL;
	s[0] = dir == MB_DIR_CLIENT ? 'C' : 'S';
	memcpy(s + 1, key, n + 1);
	return s;
}

struct mb_call *mb_inflight_find(const struct mb_inflight *t, enum mb_dir dir, const char *key)
{
	if (!key)
		return NULL;
	_cleanup_free_ char *k = dkey(dir, key);
	return k ? hmap_get(&t->by_id, k) : NULL;
}

void mb_inflight_remove(struct mb_inflight *t, struct mb_call *c)
{
	hmap_del(&t->by_id, c->hkey, c);
	if (c->pkey)
		hmap_del(&t->by_progress, c->pkey, c);
	if (c->tkey)
		hmap_del(&t->by_task, c->tkey, c);
	if (c->prev)
		c->prev->next = c->next;
	else
		t->head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		t->tail = c->prev;
	t->n--;
	call_free(c);
}

static char *strdup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* Find the continuation a retry belongs to: by requestState when it carries
 * one, else the latest one for the same method and tool. */
static bool take_continuation(struct mb_inflight *t, const char *method, const char *tool,
			      const cJSON *params, uint64_t *logical, unsigned *round)
{
	const char *state = mb_json_get_string(params, "requestState");
	bool has_responses = mb_json_get_object(params, "inputResponses") != NULL;
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

int mb_inflight_add(struct mb_inflight *t, enum mb_dir dir, const struct mb_jr_msg *m,
		    uint64_t now_ns, struct mb_call **ret)
{
	if (!m->id.key || !m->method)
		return -EINVAL;
	struct mb_call *old = mb_inflight_find(t, dir, m->id.key);
	if (old) {
		if (old->state != MB_CALL_CANCELLED)
			return -EEXIST;
		mb_inflight_remove(t, old);
	}
	struct mb_call *c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->dir = dir;
	c->started_ns = now_ns;
	c->key = strdup(m->id.key);
	c->id_raw = m->id.raw ? strndup(m->id.raw, m->id.raw_len) : strdup("null");
	c->method = strdup(m->method);
	c->hkey = dkey(dir, m->id.key);
	bool oom = !c->key || !c->id_raw || !c->method || !c->hkey;
	const cJSON *params = m->params;
	if (strcmp(m->method, "tools/call") == 0) {
		c->tool = strdup_or_null(mb_json_get_string(params, "name"));
		const cJSON *args = cJSON_GetObjectItemCaseSensitive(params, "arguments");
		if (args) {
			c->arguments = cJSON_Duplicate(args, 1);
			oom |= !c->arguments;
		}
	} else if (dir == MB_DIR_CLIENT && params) {
		c->params = cJSON_Duplicate(params, 1);
		oom |= !c->params;
	}
	const char *about = mb_json_get_string(params, "taskId");
	if (about && strncmp(m->method, "tasks/", 6) == 0) {
		c->about_task = strdup(about);
		oom |= !c->about_task;
	}
	const cJSON *meta = mb_json_get_object(params, "_meta");
	const cJSON *token = cJSON_GetObjectItemCaseSensitive(meta, "progressToken");
	if (token && (cJSON_IsString(token) || cJSON_IsNumber(token))) {
		c->progress = mb_jr_id_key(token);
		c->pkey = c->progress ? dkey(dir, c->progress) : NULL;
		oom |= !c->pkey;
	}
	if (oom || hmap_put(&t->by_id, c->hkey, c) < 0) {
		call_free(c);
		return -ENOMEM;
	}
	if (c->pkey && hmap_put(&t->by_progress, c->pkey, c) < 0) {
		free(c->pkey);
		c->pkey = NULL;
	}
	if (!(dir == MB_DIR_CLIENT &&
	      take_continuation(t, c->method, c->tool, params, &c->logical, &c->round)))
		c->logical = ++t->next_logical;
	c->prev = t->tail;
	if (t->tail)
		t->tail->next = c;
	else
		t->head = c;
	t->tail = c;
	t->n++;
	if (ret)
		*ret = c;
	return 0;
}

struct mb_call *mb_inflight_cancel(struct mb_inflight *t, enum mb_dir dir,
				   const cJSON *request_id, uint64_t deadline_ns)
{
	_cleanup_free_ char *key = mb_jr_id_key(request_id);
	struct mb_call *c = mb_inflight_find(t, dir, key);
	if (!c)
		return NULL;
	/* A task's call ends with the task: tasks/cancel, not this. */
	if (c->state == MB_CALL_PENDING) {
		c->state = MB_CALL_CANCELLED;
		c->deadline_ns = deadline_ns;
	}
	return c;
}

struct mb_call *mb_inflight_by_progress(const struct mb_inflight *t, enum mb_dir dir,
					const cJSON *token)
{
	_cleanup_free_ char *key = mb_jr_id_key(token);
	if (!key)
		return NULL;
	_cleanup_free_ char *k = dkey(dir, key);
	return k ? hmap_get(&t->by_progress, k) : NULL;
}

int mb_inflight_task_started(struct mb_inflight *t, struct mb_call *c, const char *task_id)
{
	char *id = strdup(task_id);
	char *tk = dkey(c->dir, task_id);
	if (!id || !tk) {
		free(id);
		free(tk);
		return -ENOMEM;
	}
	if (c->tkey)
		hmap_del(&t->by_task, c->tkey, c);
	free(c->task_id);
	free(c->tkey);
	c->task_id = id;
	c->tkey = tk;
	c->state = MB_CALL_TASK;
	if (hmap_put(&t->by_task, c->tkey, c) < 0) {
		free(c->tkey);
		c->tkey = NULL;
		return -ENOMEM;
	}
	return 0;
}

struct mb_call *mb_inflight_by_task(const struct mb_inflight *t, enum mb_dir dir,
				    const char *task_id)
{
	if (!task_id)
		return NULL;
	_cleanup_free_ char *k = dkey(dir, task_id);
	return k ? hmap_get(&t->by_task, k) : NULL;
}

bool mb_inflight_task_ended(struct mb_inflight *t, enum mb_dir dir, const char *task_id)
{
	struct mb_call *c = mb_inflight_by_task(t, dir, task_id);
	if (!c)
		return false;
	mb_inflight_remove(t, c);
	return true;
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

uint64_t mb_inflight_expire(struct mb_inflight *t, uint64_t now_ns)
{
	uint64_t next = 0;
	for (struct mb_call *c = t->head, *n; c; c = n) {
		n = c->next;
		if (c->state != MB_CALL_CANCELLED)
			continue;
		if (c->deadline_ns <= now_ns)
			mb_inflight_remove(t, c);
		else if (!next || c->deadline_ns < next)
			next = c->deadline_ns;
	}
	return next;
}

size_t mb_inflight_count(const struct mb_inflight *t)
{
	return t->n;
}

struct mb_call *mb_inflight_first(const struct mb_inflight *t)
{
	return t->head;
}
