/* SPDX-License-Identifier: Apache-2.0 */
/* The contract scanner against two corpora (tests/fixtures/scan/), through
 * the inspector with a profile that sets nothing (but unlisted_tools: allow,
 * since what the inspector hides is not scanned):
 *  - poisoned.jsonl: descriptions written for membrane, each modelled on a
 *    published tool-poisoning example (its modelled_on says which) or a
 *    rewording of one; half carry their invisible characters raw, half as
 *    \u escapes. Every one must be found, with every kind it expects.
 *  - clean/: what four real servers (tests/e2e's pinned server-everything,
 *    server-filesystem, server-memory, server-postgres) say to the model,
 *    dumped by tests/e2e/lib/dump-contract.mjs. None may be flagged.
 * Each entry is its own session, spliced into a JSON-RPC message from the
 * corpus's own bytes (json-text.h spans), so escapes reach the scanner as
 * written. The rates are printed for the record. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "supervisor/inspect/json-text.h"

#define J "\"jsonrpc\":\"2.0\""

/* Every tool reaches the client (and so the scanner): unlisted_tools
 * allow. */
static struct mb_profile *profile(void)
{
	struct mb_profile *p = test_profile();
	p->unlisted_tools = MB_UNLISTED_ALLOW;
	return p;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	struct mb_strbuf b = { 0 };
	char buf[65536];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		mb_strbuf_append(&b, buf, n);
	fclose(f);
	*len = b.len;
	return mb_strbuf_take(&b);
}

/* Send request method, and the server's answer: {"result": RESULT} with
 * RESULT the text given. */
static void exchange(struct rig *r, int id, const char *method, const char *result, size_t len)
{
	struct mb_strbuf b = { 0 };
	mb_strbuf_printf(&b, "{" J ",\"id\":%d,\"method\":\"%s\",\"params\":{}}\n", id, method);
	from_client(r, b.s);
	mb_strbuf_reset(&b);
	mb_strbuf_printf(&b, "{" J ",\"id\":%d,\"result\":", id);
	mb_strbuf_append(&b, result, len);
	mb_strbuf_puts(&b, "}\n");
	from_server(r, b.s);
	mb_strbuf_free(&b);
}

static bool reported_kind(struct rig *r, const char *kind)
{
	cJSON *o;
	cJSON_ArrayForEach(o, r->reports) {
		const cJSON *k = cJSON_GetObjectItem(o, "kind");
		if (cJSON_IsString(k) && strcmp(k->valuestring, kind) == 0)
			return true;
	}
	return false;
}

static void poisoned(const char *dir)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/poisoned.jsonl", dir);
	size_t len;
	char *all = slurp(path, &len);
	if (!ok(all != NULL, "read %s", path))
		return;
	int entries = 0, found = 0, kinds = 0, kinds_found = 0;
	for (char *line = all, *nl; line < all + len; line = nl + 1) {
		nl = memchr(line, '\n', (size_t)(all + len - line));
		if (!nl)
			nl = all + len;
		size_t n = (size_t)(nl - line);
		if (!n)
			continue;
		struct mb_span root = mb_json_trim(line, n), v;
		cJSON *e = cJSON_ParseWithLength(line, n);
		const char *name = cJSON_GetObjectItem(e, "name")->valuestring;
		struct rig r;
		rig_init(&r, profile(), "/srv/mcp");
		struct mb_strbuf res = { 0 };
		static const struct {
			const char *member, *method, *pre, *post;
		} forms[] = {
			{ "tool", "tools/list", "{\"tools\":[", "]}" },
			{ "prompt", "prompts/list", "{\"prompts\":[", "]}" },
			{ "resource", "resources/list", "{\"resources\":[", "]}" },
			{ "instructions", "initialize", "{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"instructions\":", "}" },
			{ "serverInfo", "initialize", "{\"protocolVersion\":\"2025-06-18\",\"capabilities\":{},\"serverInfo\":", "}" },
		};
		for (size_t k = 0; k < ARRAY_SIZE(forms); k++)
			if (mb_json_member(line, root, forms[k].member, &v)) {
				mb_strbuf_puts(&res, forms[k].pre);
				mb_strbuf_append(&res, line + v.off, v.len);
				mb_strbuf_puts(&res, forms[k].post);
				exchange(&r, 1, forms[k].method, res.s, res.len);
			}
		entries++;
		if (n_reports(&r, "error"))
			diag("%s: an error report: the entry did not reach the scanner", name);
		bool any = n_reports(&r, "poisoning") > 0 && !n_reports(&r, "error"), all_kinds = true;
		found += any;
		const cJSON *k;
		cJSON_ArrayForEach(k, cJSON_GetObjectItem(e, "expect")) {
			kinds++;
			bool got = reported_kind(&r, k->valuestring);
			kinds_found += got;
			all_kinds &= got;
			if (!got)
				diag("%s: %s not found", name, k->valuestring);
		}
		ok(any && all_kinds, "poisoned %s: found (%d findings), every kind expected", name,
		   n_reports(&r, "poisoning"));
		mb_strbuf_free(&res);
		rig_free(&r);
		cJSON_Delete(e);
	}
	free(all);
	diag("poisoned corpus: %d entries, %d found (%.1f%%); %d expected kinds, %d found", entries, found,
	     entries ? 100.0 * found / entries : 0, kinds, kinds_found);
}

static int elements, strings;

static void count_strings(const cJSON *n)
{
	for (const cJSON *c = n->child; c; c = c->next) {
		strings += cJSON_IsString(c);
		count_strings(c);
	}
}

static void clean(const char *dir)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/clean", dir);
	DIR *d = opendir(path);
	if (!ok(d != NULL, "open %s", path))
		return;
	int servers = 0, flagged = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (!strstr(de->d_name, ".json"))
			continue;
		char file[8192];
		snprintf(file, sizeof(file), "%s/%s", path, de->d_name);
		size_t len;
		char *text = slurp(file, &len);
		struct mb_span root = mb_json_trim(text, len), v;
		struct rig r;
		rig_init(&r, profile(), "/srv/mcp");
		static const char *const lists[] = { "initialize", "tools/list", "prompts/list",
						     "resources/list", "resources/templates/list" };
		int id = 1;
		for (size_t k = 0; k < ARRAY_SIZE(lists); k++)
			if (mb_json_member(text, root, lists[k], &v)) {
				/* The files are pretty-printed: one line each. */
				cJSON *t = cJSON_ParseWithLength(text + v.off, v.len);
				char *line = cJSON_PrintUnformatted(t);
				exchange(&r, id++, lists[k], line, strlen(line));
				ok(strstr(out_client(&r), line) != NULL, "clean %s: %s reaches the client as sent",
				   de->d_name, lists[k]);
				mb_strbuf_reset(&r.to_client);
				const cJSON *arr = t->child;
				elements += k == 0 ? 1 : cJSON_GetArraySize(arr);
				count_strings(t);
				free(line);
				cJSON_Delete(t);
			}
		servers++;
		is_int(n_reports(&r, "error"), 0, "clean %s: no error", de->d_name);
		int n = n_reports(&r, "poisoning");
		flagged += n;
		ok(n == 0, "clean %s: nothing flagged", de->d_name);
		if (n) {
			char *s = cJSON_PrintUnformatted(r.reports);
			diag("%s", s);
			free(s);
		}
		rig_free(&r);
		free(text);
	}
	closedir(d);
	diag("clean corpus: %d servers, %d contract elements, %d strings; %d findings "
	     "(false-positive rate %.1f%% of elements)",
	     servers, elements, strings, flagged, elements ? 100.0 * flagged / elements : 0);
}

int main(void)
{
	const char *top = getenv("top_srcdir");
	char dir[2048];
	snprintf(dir, sizeof(dir), "%s/tests/fixtures/scan", top ? top : ".");
	poisoned(dir);
	clean(dir);
	return done_testing();
}
