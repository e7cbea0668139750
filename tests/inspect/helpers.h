/* SPDX-License-Identifier: Apache-2.0 */
/* Shared by the inspector's unit tests: a profile built by hand (the loader
 * is tested elsewhere) and an inspector whose io lands in memory. */
#pragma once

#include <string.h>

#include "common/strbuf.h"
#include "policy/profile.h"
#include "supervisor/inspect/framer.h"
#include "supervisor/inspect/inspector.h"
#include "tests/tap.h"

static inline void grant_path(struct mb_grants *g, enum mb_op op, const char *text)
{
	struct mb_path_pattern *pp = mb_vec_new(&g->path[op]);
	pp->text = strdup(text);
	pp->has_placeholder = strchr(text, '{') != NULL;
	pp->has_glob = strchr(text, '*') != NULL;
}

static inline struct mb_tool *add_tool(struct mb_profile *p, const char *name)
{
	struct mb_tool *t = mb_vec_new(&p->tools);
	t->name = strdup(name);
	return t;
}

/* The filesystem example of docs/design.md "Profile language v1", within /srv/mcp. */
static inline struct mb_profile *test_profile(void)
{
	struct mb_profile *p = calloc(1, sizeof(*p));
	p->version = 1;
	p->name = strdup("test");
	p->unlisted_tools = MB_UNLISTED_DENY;
	struct mb_path_pattern *w = mb_vec_new(&p->within);
	w->text = strdup("/srv/mcp");
	struct mb_tool *t = add_tool(p, "read_text_file");
	grant_path(&t->grants, MB_OP_READ, "{path}");
	t = add_tool(p, "read_multiple_files");
	grant_path(&t->grants, MB_OP_READ, "{paths[]}");
	t = add_tool(p, "move_file");
	grant_path(&t->grants, MB_OP_READ, "{source}");
	grant_path(&t->grants, MB_OP_WRITE, "{source}");
	grant_path(&t->grants, MB_OP_WRITE, "{destination}");
	t = add_tool(p, "echo");
	(void)t;
	t = add_tool(p, "list_allowed_directories");
	char *r = strdup("password");
	mb_vec_push(&p->redact, r);
	return p;
}

/* An inspector whose output goes to two buffers and a list of reports. */
struct rig {
	struct mb_profile *p;
	struct mb_inspector *ins;
	struct mb_strbuf to_client, to_server;
	cJSON *reports; /* array of {"event":..., ...fields} */
	struct mb_framer fc, fs;
};

static int rig_send(void *ud, enum mb_side to, const char *buf, size_t n)
{
	struct rig *r = ud;
	mb_strbuf_append(to == MB_SIDE_CLIENT ? &r->to_client : &r->to_server, buf, n);
	return 0;
}

static int rig_report(void *ud, const char *event, const cJSON *fields)
{
	struct rig *r = ud;
	/* Through text, as the reporter writes it (raw ids included). */
	char *text = cJSON_PrintUnformatted(fields);
	cJSON *o = text ? cJSON_Parse(text) : NULL;
	free(text);
	if (!o)
		abort();
	cJSON_AddStringToObject(o, "event", event);
	cJSON_AddItemToArray(r->reports, o);
	return 0;
}

/* envp: the server's environment, as the scanners see it (may be NULL). */
static inline void rig_init_env(struct rig *r, struct mb_profile *p, const char *cwd,
				char *const *envp)
{
	memset(r, 0, sizeof(*r));
	r->p = p;
	r->reports = cJSON_CreateArray();
	struct mb_inspector_config cfg = { .profile = p, .cwd = cwd, .max_message = 1 << 20,
					   .envp = envp };
	struct mb_inspector_io io = { rig_send, rig_report, r, NULL };
	if (mb_inspector_new(&cfg, &io, &r->ins) < 0)
		abort();
	mb_framer_init(&r->fc, 1 << 20);
	mb_framer_init(&r->fs, 1 << 20);
}

static inline void rig_init(struct rig *r, struct mb_profile *p, const char *cwd)
{
	rig_init_env(r, p, cwd, NULL);
}

static inline void rig_clear(struct rig *r)
{
	mb_strbuf_reset(&r->to_client);
	mb_strbuf_reset(&r->to_server);
	cJSON_Delete(r->reports);
	r->reports = cJSON_CreateArray();
}

static inline void rig_free(struct rig *r)
{
	mb_inspector_free(r->ins);
	mb_strbuf_free(&r->to_client);
	mb_strbuf_free(&r->to_server);
	cJSON_Delete(r->reports);
	mb_framer_free(&r->fc);
	mb_framer_free(&r->fs);
	mb_profile_free(r->p);
}

static void rig_client_frame(void *ud, const struct mb_frame *f)
{
	mb_inspector_client_frame(((struct rig *)ud)->ins, f);
}

static void rig_server_frame(void *ud, const struct mb_frame *f)
{
	mb_inspector_server_frame(((struct rig *)ud)->ins, f);
}

/* Bytes from the client / the server, as the framer would see them. */
static inline void from_client(struct rig *r, const char *s)
{
	mb_framer_feed(&r->fc, s, strlen(s), false, rig_client_frame, r);
}

static inline void from_server(struct rig *r, const char *s)
{
	mb_framer_feed(&r->fs, s, strlen(s), false, rig_server_frame, r);
}

static inline const char *out_client(struct rig *r)
{
	return r->to_client.s ? r->to_client.s : "";
}

static inline const char *out_server(struct rig *r)
{
	return r->to_server.s ? r->to_server.s : "";
}

static inline int n_reports(struct rig *r, const char *event)
{
	int n = 0;
	cJSON *o;
	cJSON_ArrayForEach(o, r->reports)
		if (!event || strcmp(cJSON_GetObjectItem(o, "event")->valuestring, event) == 0)
			n++;
	return n;
}

/* The last report of that event, or NULL. */
static inline cJSON *last_report(struct rig *r, const char *event)
{
	cJSON *o, *last = NULL;
	cJSON_ArrayForEach(o, r->reports)
		if (strcmp(cJSON_GetObjectItem(o, "event")->valuestring, event) == 0)
			last = o;
	return last;
}

/* Does the last report of that event give a reason containing needle? */
static inline bool last_reason_has(struct rig *r, const char *event, const char *needle)
{
	cJSON *o = last_report(r, event);
	const cJSON *why = o ? cJSON_GetObjectItem(o, "reason") : NULL;
	return cJSON_IsString(why) && strstr(why->valuestring, needle);
}

/* Parse the single line the client received (for checking replies). */
static inline cJSON *client_reply(struct rig *r)
{
	return cJSON_Parse(out_client(r));
}
