/* SPDX-License-Identifier: Apache-2.0 */
/* The profile loader on good profiles: every key, fragments, variables and
 * --set, endpoint forms, sizes, users, and the options that keep a buffer
 * off the filesystem. Each value is checked field by field. */
#include <netdb.h>
#include <pwd.h>

#include "tests/policy/profile-test.h"

static struct mb_profile *load(const char *rel, const char *const *sets, struct mb_error *err)
{
	char *path = fixture(rel);
	struct mb_load_opts o = { .sets = sets, .check_existence = true };
	struct mb_profile *p = NULL;
	int r = mb_profile_load(path, &o, &p, err);
	free(path);
	if (r < 0) {
		diag("load %s: %s", rel, err->msg);
		return NULL;
	}
	return p;
}

static struct mb_profile *load_buf(const char *text, const struct mb_load_opts *o,
				   struct mb_error *err)
{
	struct mb_profile *p = NULL;
	int r = mb_profile_load_buffer("buffer.yml", text, strlen(text), o, &p, err);
	return r < 0 ? NULL : p;
}

static void test_full(void)
{
	struct mb_error err = { 0 };
	struct mb_profile *p = load("good/full.yml", NULL, &err);
	if (!ok(p != NULL, "good/full.yml loads"))
		return;
	char *main = fixture("good/full.yml"), *base = fixture("good/runtimes/base.yml");
	char *nested = fixture("good/runtimes/nested.yml"), *more = fixture("good/extra/more.yml");

	/* files: main first, then fragments depth-first; nested.yml, reached
	 * twice, is read once. */
	is_int(p->files.n, 4, "four files read");
	if (p->files.n == 4) {
		is_str(p->files.v[0], main, "files[0] is the profile");
		is_str(p->files.v[1], base, "files[1] is runtimes/base.yml");
		is_str(p->files.v[2], nested, "files[2] is runtimes/nested.yml (sibling of base)");
		is_str(p->files.v[3], more, "files[3] is extra/more.yml (a path)");
	}

	is_int(p->version, 1, "version");
	is_str(p->name, "full-profile.v1", "name");
	is_str(p->description, "Every key of profile language v1", "description");
	is_int(p->mode, MB_MODE_AUDIT, "mode audit");
	is_int(p->network, MB_NET_BROKERED, "network brokered");
	is_int(p->unlisted_tools, MB_UNLISTED_ALLOW, "unlisted_tools allow");
	is_int(p->pin, MB_PIN_STRICT, "pin strict");
	is_int(p->concurrency, MB_CONCURRENCY_SERIAL, "concurrency serial");
	is_int(p->require_landlock, 4, "require_landlock 4");
	ok(p->user.set && p->user.uid == 1234 && p->user.gid == 5678, "user 1234:5678");
	ok(p->scan.contract[MB_SCAN_UNICODE_TAGS] == MB_SCAN_STRIP &&
		   p->scan.contract[MB_SCAN_ANSI] == MB_SCAN_STRIP &&
		   p->scan.contract[MB_SCAN_DIRECTIVE_TAG] == MB_SCAN_HIDE &&
		   p->scan.contract[MB_SCAN_OVERRIDE] == MB_SCAN_REPORT,
	   "scan.contract: hidden strip, directive-tag hide, the rest report");
	ok(p->scan.answers[MB_SCAN_PRIVATE_KEY] == MB_SCAN_REFUSE &&
		   p->scan.answers[MB_SCAN_JWT] == MB_SCAN_REDACT &&
		   p->scan.answers[MB_SCAN_ENV_SECRET] == MB_SCAN_REDACT &&
		   p->scan.answers[MB_SCAN_ZERO_WIDTH] == MB_SCAN_REPORT,
	   "scan.answers: private-key refuse (alone beats its group, written after it), secrets redact");
	ok(p->scan.env.n == 1 && strcmp(p->scan.env.v[0], "API_TOKEN") == 0, "scan.env");
	ok(p->user.pos.file == p->files.v[0] && p->user.pos.line == 50 && p->user.pos.column == 7,
	   "user position 50:7, file from the table");
	is_int(p->require, MB_REQUIRE_NAMESPACES | MB_REQUIRE_LANDLOCK, "require namespaces, landlock");
	ok(p->require_pos.file == p->files.v[0] && p->require_pos.line == 55 && p->require_pos.column == 10,
	   "require position 55:10");

	/* The record's keys (issue 16). */
	is_int(p->record, MB_RECORD_ALL, "record: all");
	const struct mb_budget *sb = &p->session_budget;
	ok(sb->set == (1u << MB_BUDGET_CALLS_PER_MINUTE | 1u << MB_BUDGET_IN_FLIGHT |
		       1u << MB_BUDGET_BYTES_RETURNED | 1u << MB_BUDGET_CONNECTS) &&
		   sb->limit[MB_BUDGET_CALLS_PER_MINUTE] == 120 && sb->limit[MB_BUDGET_IN_FLIGHT] == 8 &&
		   sb->limit[MB_BUDGET_BYTES_RETURNED] == 10u << 20 && sb->limit[MB_BUDGET_CONNECTS] == 0,
	   "budgets.session: four limits, connects 0 among them");
	const struct mb_budget *fb = mb_profile_tool_budget(p, "fetch");
	ok(p->tool_budgets.n == 1 && fb &&
		   fb->set == (1u << MB_BUDGET_CONNECTS | 1u << MB_BUDGET_FILES_WRITTEN) &&
		   fb->limit[MB_BUDGET_CONNECTS] == 5 && fb->limit[MB_BUDGET_FILES_WRITTEN] == 2,
	   "budgets.tools.fetch: connects 5, files_written 2");
	ok(mb_streq(p->anomaly.baseline, "/usr/baseline.json") && p->anomaly.factor == 2.5 &&
		   p->anomaly.action == MB_ANOMALY_REFUSE,
	   "anomaly: baseline expanded, factor 2.5, action refuse");
	ok(p->decoys.n == 2 && mb_streq(p->decoys.v[0].path, "/tmp/scratch/.env") &&
		   mb_streq(p->decoys.v[1].path, "/run/decoy-8080/id_rsa") &&
		   p->decoys.v[1].pos.line == 64 && p->decoy_touch == MB_DECOY_STOP,
	   "decoys: two files, the second expanded at line 64, on_touch stop");

	/* vars: the profile's ROOT wins over base.yml's; fragments add theirs. */
	is_int(p->vars.n, 5, "five variables");
	if (p->vars.n == 5) {
		const struct mb_var *v = p->vars.v;
		ok(mb_streq(v[0].name, "ROOT") && mb_streq(v[0].value, "/usr") &&
			   v[0].pos.file == p->files.v[0] && v[0].pos.line == 9 &&
			   v[0].pos.column == 3 && !v[0].from_command_line,
		   "ROOT=/usr from the profile at 9:3, not from base.yml");
		ok(mb_streq(v[1].name, "SHARE") && mb_streq(v[1].value, "/usr/share"),
		   "SHARE expands ${ROOT}");
		ok(mb_streq(v[2].name, "PORT") && mb_streq(v[2].value, "8080"), "PORT");
		ok(mb_streq(v[3].name, "BASE_LIB") && mb_streq(v[3].value, "/lib") &&
			   v[3].pos.file == p->files.v[1],
		   "BASE_LIB from base.yml");
		ok(mb_streq(v[4].name, "EXTRA") && mb_streq(v[4].value, "/usr/bin/env") &&
			   v[4].pos.file == p->files.v[3],
		   "EXTRA from extra/more.yml");
	}

	/* runtime: the profile's grants, then each fragment's. */
	const mb_pattern_vec *rd = &p->runtime.path[MB_OP_READ];
	is_int(rd->n, 7, "seven runtime reads");
	if (rd->n == 7) {
		is_pattern(&rd->v[0], "/etc", false, false, false, main, 13, 10);
		is_pattern(&rd->v[1], "/usr/share", false, false, false, main, 13, 16);
		is_pattern(&rd->v[2], "/nonexistent/membrane-optional", true, false, false, main, 13, 28);
		is_pattern(&rd->v[3], "/etc/*.conf", false, false, true, main, 13, 63);
		is_pattern(&rd->v[4], "/lib", false, false, false, base, 6, 10);
		is_pattern(&rd->v[5], "/usr/lib", false, false, false, base, 6, 25);
		is_pattern(&rd->v[6], "/etc/hosts", false, false, false, nested, 3, 10);
	}
	const mb_pattern_vec *wr = &p->runtime.path[MB_OP_WRITE];
	is_int(wr->n, 2, "two runtime writes");
	if (wr->n == 2) {
		is_pattern(&wr->v[0], "/tmp", false, false, false, main, 14, 11);
		is_pattern(&wr->v[1], "/tmp/membrane/x", true, false, false, main, 14, 17);
	}
	const mb_pattern_vec *ex = &p->runtime.path[MB_OP_EXEC];
	is_int(ex->n, 2, "two runtime execs");
	if (ex->n == 2) {
		is_pattern(&ex->v[0], "/bin/sh", false, false, false, main, 15, 10);
		is_pattern(&ex->v[1], "/usr/bin/env", false, false, false, more, 5, 10);
	}

	const mb_endpoint_vec *co = &p->runtime.net[MB_NET_OP_INDEX(MB_OP_CONNECT)];
	is_int(co->n, 7, "seven connect endpoints");
	if (co->n == 7) {
		is_endpoint(&co->v[0], "127.0.0.1:8080", "127.0.0.1", 32, 8080, 8080);
		ok(co->v[0].pos.line == 17 && co->v[0].pos.column == 7, "first endpoint at 17:7");
		is_endpoint(&co->v[1], "10.0.0.0/8:1-1024", "10.0.0.0", 8, 1, 1024);
		is_endpoint(&co->v[2], "[::1]:*", "::1", 128, 1, 65535);
		is_endpoint(&co->v[3], "[fd00::]/8:443", "fd00::", 8, 443, 443);
		is_endpoint(&co->v[4], "[fd00::/8]:443", "fd00::", 8, 443, 443);
		is_endpoint(&co->v[5], "[::ffff:192.0.2.1]:53", "192.0.2.1", 32, 53, 53);
		is_endpoint(&co->v[6], "0.0.0.0/0:*", "0.0.0.0", 0, 1, 65535);
	}
	const mb_endpoint_vec *bi = &p->runtime.net[MB_NET_OP_INDEX(MB_OP_BIND)];
	is_int(bi->n, 1, "one bind endpoint");
	if (bi->n == 1)
		is_endpoint(&bi->v[0], "127.0.0.1:9000-9010", "127.0.0.1", 32, 9000, 9010);

	is_int(p->env.n, 4, "four env entries");
	if (p->env.n == 4) {
		ok(mb_streq(p->env.v[0].name, "PATH") && !p->env.v[0].value, "PATH passes through");
		ok(mb_streq(p->env.v[1].name, "HOME") && mb_streq(p->env.v[1].value, "/usr/home"),
		   "HOME=${ROOT}/home expanded");
		ok(mb_streq(p->env.v[2].name, "EMPTY") && mb_streq(p->env.v[2].value, ""),
		   "EMPTY= sets an empty value");
		ok(mb_streq(p->env.v[3].name, "LANG") && !p->env.v[3].value &&
			   p->env.v[3].pos.file == p->files.v[1],
		   "LANG from base.yml");
	}
	is_int(p->tmpfs.n, 2, "two tmpfs");
	if (p->tmpfs.n == 2) {
		is_pattern(&p->tmpfs.v[0], "/tmp/scratch", false, false, false, main, 26, 11);
		is_pattern(&p->tmpfs.v[1], "/run/membrane-8080", false, false, false, main, 26, 25);
	}
	is_int(p->within.n, 2, "two arguments.within");
	if (p->within.n == 2) {
		is_pattern(&p->within.v[0], "/usr", false, false, false, main, 30, 12);
		is_pattern(&p->within.v[1], "/tmp", false, false, false, main, 30, 23);
	}

	is_int(p->tools.n, 9, "nine tools");
	const struct mb_tool *t = mb_profile_tool(p, "read_text_file");
	if (ok(t != NULL, "read_text_file")) {
		ok(t->pos.line == 32 && t->pos.column == 3, "read_text_file at 32:3");
		is_int(t->grants.path[MB_OP_READ].n, 1, "read_text_file: one read");
		is_pattern(t->grants.path[MB_OP_READ].v, "{path}", false, true, false, main, 32, 28);
	}
	t = mb_profile_tool(p, "read_multiple_files");
	if (ok(t != NULL, "read_multiple_files") && t->grants.path[MB_OP_READ].n == 1)
		is_pattern(t->grants.path[MB_OP_READ].v, "{paths[]}", false, true, false, main, 34, 12);
	t = mb_profile_tool(p, "write_file");
	if (ok(t != NULL, "write_file") && ok(t->grants.path[MB_OP_WRITE].n == 2, "two writes")) {
		is_pattern(&t->grants.path[MB_OP_WRITE].v[0], "{path}", false, true, false, NULL, 0, 0);
		is_pattern(&t->grants.path[MB_OP_WRITE].v[1], "{path}.*.tmp", false, true, true, NULL,
			   0, 0);
	}
	t = mb_profile_tool(p, "move_file");
	if (ok(t != NULL, "move_file")) {
		is_int(t->grants.path[MB_OP_READ].n, 1, "move_file: one read");
		is_int(t->grants.path[MB_OP_WRITE].n, 2, "move_file: two writes");
		if (t->grants.path[MB_OP_WRITE].n == 2)
			is_str(t->grants.path[MB_OP_WRITE].v[1].text, "{destination}",
			       "move_file writes {destination}");
	}
	const char *empty[] = { "list_allowed_directories", "noop" };
	for (size_t i = 0; i < 2; i++) {
		t = mb_profile_tool(p, empty[i]);
		ok(t && !t->grants.path[0].n && !t->grants.path[1].n && !t->grants.path[2].n &&
			   !t->grants.net[0].n && !t->grants.net[1].n,
		   "%s: nothing beyond runtime", empty[i]);
	}
	t = mb_profile_tool(p, "fetch");
	if (ok(t != NULL, "fetch")) {
		ok(t->grants.net[0].n >= 1, "fetch: localhost resolved");
		for (size_t i = 0; i < t->grants.net[0].n; i++) {
			const struct mb_endpoint *ep = &t->grants.net[0].v[i];
			ok(ep->port_lo == 8080 && ep->port_hi == 8080 &&
				   mb_streq(ep->text, "localhost:8080") && ep->text == t->grants.net[0].v[0].text,
			   "fetch: an address of localhost:8080, sharing its text");
		}
		is_int(t->grants.net[1].n, 0, "fetch: bind: [] is empty");
	}
	t = mb_profile_tool(p, "escaped");
	if (ok(t != NULL, "escaped") && t->grants.path[MB_OP_READ].n == 1)
		is_pattern(t->grants.path[MB_OP_READ].v, "{name-with-dash}/a\\*b", false, true, false,
			   NULL, 0, 0);
	t = mb_profile_tool(p, "run");
	if (ok(t != NULL, "run") && t->grants.path[MB_OP_EXEC].n == 1)
		is_pattern(t->grants.path[MB_OP_EXEC].v, "/usr/bin/{tool}", false, true, false, NULL, 0,
			   0);
	ok(mb_profile_tool(p, "resources/read") == NULL, "a request is not a tool");

	is_int(p->requests.n, 2, "two requests");
	t = mb_profile_request(p, "resources/read");
	if (ok(t != NULL, "resources/read") && t->grants.path[MB_OP_READ].n == 1)
		is_pattern(t->grants.path[MB_OP_READ].v, "/usr/share/{uri}", false, true, false, main,
			   43, 28);
	ok(mb_profile_request(p, "prompts/get") != NULL, "prompts/get");

	ok(p->limits.memory == 512ull << 20 && p->limits.tasks == 64 && p->limits.files == 1024,
	   "limits 512M, 64, 1024");
	ok(p->limits.memory_pos.line == 45 && p->limits.memory_pos.column == 19 &&
		   p->limits.tasks_pos.column == 32 && p->limits.files_pos.column == 43,
	   "limit positions 45:19, 45:32, 45:43");
	is_int(p->quiet.path[MB_OP_READ].n, 2, "quiet: two reads, one of a path that exists nowhere");
	if (p->quiet.path[MB_OP_READ].n == 2)
		is_pattern(&p->quiet.path[MB_OP_READ].v[1], "/nonexistent/*.mo", false, false, true, NULL,
			   0, 0);
	ok(p->quiet.net[0].n == 1 && p->quiet.net[0].v[0].port_lo == 53, "quiet: a connect");
	ok(p->quiet_pos.line == 56, "quiet's position");
	is_int(p->denials, MB_DENIALS_NOTE, "denials: note");
	is_int(p->redact.n, 2, "two redactions");
	ok(mb_profile_redacts(p, "password") && mb_profile_redacts(p, "token") &&
		   !mb_profile_redacts(p, "path"),
	   "redact password and token only");

	free(main);
	free(base);
	free(nested);
	free(more);
	mb_profile_free(p);
}

static void test_vars(void)
{
	struct mb_error err = { 0 };
	const char *sets[] = { "ROOT=/usr", "ONLY_SET=v=w", "PREFIX=/", "ROOT=/etc", NULL };
	struct mb_profile *p = load("good/vars.yml", sets, &err);
	if (!ok(p != NULL, "vars.yml loads with --set"))
		return;
	const mb_pattern_vec *rd = &p->runtime.path[MB_OP_READ];
	is_int(rd->n, 5, "five reads");
	if (rd->n == 5) {
		is_pattern(&rd->v[0], "/etc", false, false, false, NULL, 0, 0);
		is_pattern(&rd->v[1], "/etc/sub", true, false, false, NULL, 0, 0);
		is_pattern(&rd->v[2], "/etc", false, false, false, NULL, 0, 0);
		is_pattern(&rd->v[3], "/usr", false, false, false, NULL, 0, 0);
		is_pattern(&rd->v[4], "/$ROOT/x$", true, false, false, NULL, 0, 0);
	}
	ok(p->env.n == 1 && mb_streq(p->env.v[0].value, "v=w"), "ONLY_SET from --set, literal");
	is_int(p->vars.n, 4, "four variables");
	if (p->vars.n == 4) {
		ok(mb_streq(p->vars.v[0].value, "/etc") && p->vars.v[0].from_command_line &&
			   p->vars.v[0].pos.line == 5,
		   "ROOT: the last --set wins, declared at 5:3");
		ok(mb_streq(p->vars.v[1].value, "/etc/sub") && !p->vars.v[1].from_command_line,
		   "SUB follows ROOT");
		ok(mb_streq(p->vars.v[2].name, "ONLY_SET") && p->vars.v[2].from_command_line &&
			   mb_streq(p->vars.v[2].pos.file, "command line"),
		   "ONLY_SET: only on the command line");
	}
	mb_profile_free(p);

	const char *unset[] = { "ROOT=/usr", NULL };
	p = load("good/vars.yml", unset, &err);
	ok(p == NULL, "vars.yml without ONLY_SET fails");
	mb_profile_free(p);
}

static void test_minimal(void)
{
	struct mb_error err = { 0 };
	struct mb_profile *p = load("good/minimal.yml", NULL, &err);
	if (!ok(p != NULL, "minimal.yml loads"))
		return;
	ok(p->mode == MB_MODE_ENFORCE && p->network == MB_NET_NONE &&
		   p->unlisted_tools == MB_UNLISTED_DENY && p->pin == MB_PIN_REPORT &&
		   p->concurrency == MB_CONCURRENCY_PARALLEL && p->require_landlock == 0 &&
		   p->require == 0 &&
		   !p->user.set && !p->description,
	   "defaults: enforce, none, deny, report, parallel, best-effort Landlock, no user");
	ok(p->limits.memory == 0 && p->limits.tasks == 0 && p->limits.files == 0, "no limits");
	ok(!p->tools.n && !p->requests.n && !p->vars.n && !p->env.n && !p->redact.n &&
		   p->files.n == 1,
	   "nothing else");
	mb_profile_free(p);
}

/* Names are never resolved at load: each is one endpoint holding the name,
 * normalised (lower case, no trailing dot), a wildcard without its "*.". */
static void test_names(void)
{
	struct mb_error err = { 0 };
	struct mb_load_opts o = { 0 };
	struct mb_profile *p = load_buf(
		"version: 1\nname: l\nruntime: { connect: [\"localhost:80\", \"API.Example.ORG.:443\",\n"
		"  \"*.slack.com:443\", \"tcp:xn--bcher-kva.example:8000-8099\", \"no-such-host.invalid:1\"] }\n"
		"private_names: [db.internal, \"*.Test\", \"${NAME:-x.example}\"]\n",
		&o, &err);
	if (!ok(p != NULL, "names load offline (%s)", err.msg))
		return;
	const mb_endpoint_vec *v = &p->runtime.net[0];
	is_int(v->n, 5, "one endpoint per name, none resolved");
	if (v->n == 5) {
		ok(mb_streq(v->v[0].name, "localhost") && !v->v[0].wildcard && v->v[0].family == 0 &&
			   v->v[0].port_lo == 80,
		   "localhost:80 is the name localhost");
		ok(mb_streq(v->v[1].name, "api.example.org") && mb_streq(v->v[1].text, "API.Example.ORG.:443"),
		   "case folded, the trailing dot dropped, the text kept as written");
		ok(mb_streq(v->v[2].name, "slack.com") && v->v[2].wildcard, "*.slack.com: a wildcard");
		ok(mb_streq(v->v[3].name, "xn--bcher-kva.example") && v->v[3].protos == MB_PROTO_TCP &&
			   v->v[3].port_lo == 8000 && v->v[3].port_hi == 8099,
		   "an IDN in its ASCII form, a protocol and a range");
		ok(mb_streq(v->v[4].name, "no-such-host.invalid"), "a name that exists nowhere loads");
	}
	const mb_name_vec *pn = &p->private_names;
	is_int(pn->n, 3, "private_names: three names");
	if (pn->n == 3)
		ok(mb_streq(pn->v[0].name, "db.internal") && !pn->v[0].wildcard &&
			   mb_streq(pn->v[1].name, "test") && pn->v[1].wildcard &&
			   mb_streq(pn->v[2].name, "x.example") && pn->v[2].pos.line == 5,
		   "private_names: a name, a wildcard folded, a variable expanded");
	mb_profile_free(p);
}

/* tcp: and udp: before an endpoint grant one protocol; neither grants both
 * (protos 0), and a test's target takes the same prefix. */
static void test_protocols(void)
{
	struct mb_error err = { 0 };
	struct mb_load_opts o = { 0 };
	struct mb_profile *p = load_buf(
		"version: 1\nname: p\nruntime:\n"
		"  connect: [\"tcp:127.0.0.1:5432\", \"udp:[::1]:53\", \"10.0.0.0/8:1-1024\",\n"
		"            \"udp:localhost:53\"]\n"
		"  bind: [\"udp:0.0.0.0:5353\"]\n"
		"tests:\n"
		"  - { idle: true, allow: [\"connect tcp:127.0.0.1:5432\"] }\n",
		&o, &err);
	if (!ok(p != NULL, "tcp: and udp: endpoints load (%s)", err.msg))
		return;
	const mb_endpoint_vec *co = &p->runtime.net[MB_NET_OP_INDEX(MB_OP_CONNECT)];
	is_int(co->n, 4, "four connect endpoints (a host name is one, never resolved)");
	if (co->n == 4) {
		is_endpoint(&co->v[0], "tcp:127.0.0.1:5432", "127.0.0.1", 32, 5432, 5432);
		is_int(co->v[0].protos, MB_PROTO_TCP, "tcp: grants TCP only");
		ok(co->v[0].pos.line == 4 && co->v[0].pos.column == 13,
		   "tcp:127.0.0.1:5432 at 4:13 (got %u:%u)", co->v[0].pos.line, co->v[0].pos.column);
		is_endpoint(&co->v[1], "udp:[::1]:53", "::1", 128, 53, 53);
		is_int(co->v[1].protos, MB_PROTO_UDP, "udp: grants UDP only");
		is_endpoint(&co->v[2], "10.0.0.0/8:1-1024", "10.0.0.0", 8, 1, 1024);
		is_int(co->v[2].protos, 0, "no protocol: both");
		ok(mb_streq(co->v[3].name, "localhost") && co->v[3].protos == MB_PROTO_UDP,
		   "udp:localhost:53: the name, UDP only");
	}
	const mb_endpoint_vec *bi = &p->runtime.net[MB_NET_OP_INDEX(MB_OP_BIND)];
	if (ok(bi->n == 1, "one bind endpoint"))
		is_int(bi->v[0].protos, MB_PROTO_UDP, "a udp: bind");

	if (ok(p->tests.n == 1 && p->tests.v[0].allow.n == 1, "one test, one expectation")) {
		const mb_endpoint_vec *t = &p->tests.v[0].allow.v[0].addrs;
		ok(t->n == 1 && t->v[0].protos == MB_PROTO_TCP && t->v[0].port_lo == 5432,
		   "a test's target takes tcp:");
	}
	mb_profile_free(p);
}

static void test_sizes(void)
{
	static const struct {
		const char *text;
		uint64_t bytes;
	} good[] = {
		{ "1", 1 },
		{ "4096", 4096 },
		{ "1K", 1024 },
		{ "1KiB", 1024 },
		{ "512M", 512ull << 20 },
		{ "512MiB", 512ull << 20 },
		{ "2G", 2ull << 30 },
		{ "2GiB", 2ull << 30 },
		{ "3T", 3ull << 40 },
		{ "3TiB", 3ull << 40 },
		{ "16777215T", 16777215ull << 40 },
		{ "18446744073709551615", UINT64_MAX },
	};
	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		char text[128];
		snprintf(text, sizeof(text), "version: 1\nname: s\nlimits: { memory: \"%s\" }\n",
			 good[i].text);
		struct mb_error err = { 0 };
		struct mb_load_opts o = { 0 };
		struct mb_profile *p = load_buf(text, &o, &err);
		ok(p && p->limits.memory == good[i].bytes, "memory %s = %" PRIu64, good[i].text,
		   good[i].bytes);
		mb_profile_free(p);
	}
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{ "16777216T", "memory limit '16777216T' is too large (write at most 16777215T)" },
		{ "18446744073709551616",
		  "memory limit '18446744073709551616' is too large (write at most 16777215T)" },
		{ "1.5G", "bad size '1.5G' (write bytes, or a number with K, M, G or T: 512M)" },
		{ "1k", "bad size '1k' (write bytes, or a number with K, M, G or T: 512M)" },
		{ "1 K", "bad size '1 K' (write bytes, or a number with K, M, G or T: 512M)" },
		{ "1KB", "bad size '1KB' (write bytes, or a number with K, M, G or T: 512M)" },
		{ "01M", "bad size '01M' (write bytes, or a number with K, M, G or T: 512M)" },
		{ "-1", "bad size '-1' (write bytes, or a number with K, M, G or T: 512M)" },
		{ "+1", "bad size '+1' (write bytes, or a number with K, M, G or T: 512M)" },
		{ "M", "bad size 'M' (write bytes, or a number with K, M, G or T: 512M)" },
		{ "0x10", "bad size '0x10' (write bytes, or a number with K, M, G or T: 512M)" },
		{ "0K", "bad memory limit '0K' (write a size above 0, such as 512M, or remove the limit)" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char text[128], want[256];
		snprintf(text, sizeof(text), "version: 1\nname: s\nlimits: { memory: \"%s\" }\n",
			 bad[i].text);
		snprintf(want, sizeof(want), "buffer.yml:3:19: %s", bad[i].msg);
		struct mb_error err = { 0 };
		struct mb_load_opts o = { 0 };
		struct mb_profile *p = load_buf(text, &o, &err);
		ok(!p, "memory %s is refused", bad[i].text);
		is_str(err.msg, want, "memory %s: message", bad[i].text);
		mb_profile_free(p);
	}
	struct mb_error err = { 0 };
	struct mb_load_opts o = { 0 };
	struct mb_profile *p = load_buf(
		"version: 1\nname: s\nlimits: { tasks: 18446744073709551615, files: 1 }\n", &o, &err);
	ok(p && p->limits.tasks == UINT64_MAX && p->limits.files == 1, "tasks and files: any positive integer");
	mb_profile_free(p);
	p = load_buf("version: 1\nname: s\nlimits: { tasks: 18446744073709551616 }\n", &o, &err);
	is_str(err.msg,
	       "buffer.yml:3:18: tasks limit '18446744073709551616' is too large (write at most 18446744073709551615)",
	       "tasks overflow");
	mb_profile_free(p);
	p = load_buf("version: 1\nname: s\nlimits: { files: 1K }\n", &o, &err);
	is_str(err.msg,
	       "buffer.yml:3:18: bad files limit '1K' (write a whole number above 0, or remove the limit)",
	       "files takes no suffix");
	mb_profile_free(p);
}

static void test_users(void)
{
	struct passwd *pw = getpwnam("nobody");
	struct mb_load_opts o = { 0 };
	struct mb_error err = { 0 };
	struct mb_profile *p = load_buf("version: 1\nname: u\nuser: nobody\n", &o, &err);
	ok(pw && p && p->user.set && p->user.uid == pw->pw_uid && p->user.gid == pw->pw_gid,
	   "user nobody: its uid and gid from the password database");
	mb_profile_free(p);
	p = load_buf("version: 1\nname: u\nuser: 1234\n", &o, &err);
	ok(p && p->user.uid == 1234 && p->user.gid == 1234, "user 1234: gid 1234 too");
	mb_profile_free(p);
	p = load_buf("version: 1\nname: u\nuser: \"0:0\"\n", &o, &err);
	ok(p && p->user.set && p->user.uid == 0 && p->user.gid == 0, "user 0:0");
	mb_profile_free(p);
	p = load_buf("version: 1\nname: u\nuser: 4294967295\n", &o, &err);
	is_str(err.msg, "buffer.yml:3:7: bad user '4294967295' (write a user name, UID or UID:GID)",
	       "uid -1 is refused");
	mb_profile_free(p);
}

/* A buffer touches the filesystem only as the options say. */
static void test_buffer_options(void)
{
	struct mb_load_opts o = { 0 };
	struct mb_error err = { 0 };
	const char *text = "version: 1\nname: b\nruntime:\n  read: [/nonexistent/membrane]\n"
			   "  connect: [\"localhost:80\", \"example.invalid:1\"]\n";
	struct mb_profile *p = load_buf(text, &o, &err);
	ok(p && p->runtime.path[0].n == 1 && p->runtime.net[0].n == 2,
	   "no existence check, host names kept as names");
	mb_profile_free(p);
	p = load_buf("version: 1\nname: b\nruntime: { connect: [\"bad host:1\"] }\n", &o, &err);
	is_str(err.msg,
	       "buffer.yml:3:22: bad endpoint 'bad host:1': bad host name 'bad host' (letters, digits, '-' and '_' in labels joined by '.')",
	       "host names are checked");
	mb_profile_free(p);

	p = load_buf("version: 1\nname: b\ninclude: [nested]\n", &o, &err);
	is_str(err.msg,
	       "buffer.yml:3:11: unknown include 'nested': a profile read from memory has no directory to look in (give include directories)",
	       "a buffer without include directories includes nothing");
	mb_profile_free(p);
	p = load_buf("version: 1\nname: b\ninclude: [runtimes/nested.yml]\n", &o, &err);
	is_str(err.msg,
	       "buffer.yml:3:11: include 'runtimes/nested.yml': a profile read from memory has no directory to find a path from (name the fragment instead)",
	       "a buffer cannot include a path");
	mb_profile_free(p);

	char *good = fixture("good");
	const char *dirs[] = { "/nonexistent/membrane", good, NULL };
	o.include_dirs = dirs;
	p = load_buf("version: 1\nname: b\ninclude: [nested]\n", &o, &err);
	char *nested = fixture("good/runtimes/nested.yml");
	ok(p && p->files.n == 2 && mb_streq(p->files.v[0], "buffer.yml") &&
		   mb_streq(p->files.v[1], nested) && p->runtime.path[0].n == 1,
	   "include directories are searched in order");
	mb_profile_free(p);
	free(nested);
	free(good);
}

static void test_files(void)
{
	struct mb_error err = { 0 };
	struct mb_profile *p = NULL;
	int r = mb_profile_load("/nonexistent/membrane.yml", NULL, &p, &err);
	ok(r == -ENOENT && !p, "a missing profile: -ENOENT");
	is_str(err.msg,
	       "/nonexistent/membrane.yml: cannot read the profile: No such file or directory (check the path)",
	       "a missing profile: message");
	char *dir = fixture("good");
	r = mb_profile_load(dir, NULL, &p, &err);
	ok(r == -EISDIR && !p, "a directory: -EISDIR");
	free(dir);
	r = mb_profile_load("/dev/null", NULL, &p, &err);
	is_str(err.msg, "/dev/null: cannot read the profile: not a regular file (check the path)",
	       "a device is not a profile");
}

/* A request's placeholders name its params: those MCP gives it, those any
 * request may carry, or anything for a method MCP does not define. */
static void test_request_params(void)
{
	static const char *const good[] = {
		"resources/read: { read: [\"/srv/{uri}\"] }",
		"prompts/get: { read: [\"/srv/prompts/{name}\"] }",
		"completion/complete: { read: [\"/srv/{ref}\"] }",
		"resources/read: { read: [\"/srv/{requestState}\"] }",
		"x-vendor/export: { write: [\"/srv/out/{dest}\"] }",
	};
	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		char text[256];
		snprintf(text, sizeof(text), "version: 1\nname: rq\nrequests:\n  %s\n", good[i]);
		struct mb_error err = { 0 };
		struct mb_profile *p = load_buf(text, NULL, &err);
		if (!ok(p != NULL, "request grant loads: %s", good[i]))
			diag("%s", err.msg);
		mb_profile_free(p);
	}
	struct mb_error err = { 0 };
	struct mb_profile *p =
		load_buf("version: 1\nname: rq\nrequests:\n  ping: { read: [\"/srv/{x}\"] }\n", NULL, &err);
	ok(p == NULL, "ping has no params to fill a placeholder");
	is_str(err.msg,
	       "buffer.yml:4:18: ping has no param 'x': nothing can fill {x} (a request's placeholders name its params; ping takes _meta task inputResponses requestState)",
	       "the error names the params ping takes");
	mb_profile_free(p);
}

/* Issue 14's language: placeholder options, list, outlive. */
static void test_issue14(void)
{
	static const char text[] =
		"version: 1\nname: i14\nvars: { REPO: /srv/repo }\n"
		"arguments: { within: [/srv] }\n"
		"runtime: { list: [/srv/db] }\n"
		"tools:\n"
		"  status: { read: [\"{path:-${REPO}}\", \"{path:-${REPO}}/.git\"] }\n"
		"  read_file: { read: [\"{path:uri}\", \"{other:uri:-/srv/x}\"] }\n"
		"  save: { write: [\"/srv/{name:-draft}.txt\"], list: [\"{dir}\"] }\n"
		"  start: { exec: [/usr/bin/bash], outlive: 90s }\n"
		"  long: { outlive: 1h }\n"
		"  short: { outlive: 30 }\n";
	struct mb_load_opts o = { 0 };
	struct mb_error err = { 0 };
	struct mb_profile *p = load_buf(text, &o, &err);
	if (!ok(p != NULL, "issue 14's forms load")) {
		diag("%s", err.msg);
		return;
	}
	is_int(p->runtime.list.n, 1, "runtime: a list grant");
	const struct mb_tool *t = mb_profile_tool(p, "status");
	if (ok(t && t->grants.path[MB_OP_READ].n == 2, "status: two reads")) {
		const struct mb_path_pattern *pp = &t->grants.path[MB_OP_READ].v[0];
		is_str(pp->text, "{path}", "{path:-${REPO}}: the text keeps {path}");
		ok(pp->has_placeholder && pp->ph.n == 1 && mb_streq(pp->ph.v[0].name, "path") &&
			   mb_streq(pp->ph.v[0].dflt, "/srv/repo") && !pp->ph.v[0].uri,
		   "... the default, expanded, kept apart");
		is_str(t->grants.path[MB_OP_READ].v[1].text, "{path}/.git", "{path:-${REPO}}/.git");
	}
	t = mb_profile_tool(p, "read_file");
	if (ok(t && t->grants.path[MB_OP_READ].n == 2, "read_file: two reads")) {
		const struct mb_path_pattern *pp = &t->grants.path[MB_OP_READ].v[0];
		ok(pp->ph.n == 1 && pp->ph.v[0].uri && !pp->ph.v[0].dflt, "{path:uri}: takes URIs");
		pp = &t->grants.path[MB_OP_READ].v[1];
		ok(pp->ph.n == 1 && pp->ph.v[0].uri && mb_streq(pp->ph.v[0].dflt, "/srv/x"),
		   "{other:uri:-/srv/x}: both");
	}
	t = mb_profile_tool(p, "save");
	if (ok(t && t->grants.path[MB_OP_WRITE].n == 1 && t->grants.list.n == 1, "save: a write, a list")) {
		const struct mb_path_pattern *pp = &t->grants.path[MB_OP_WRITE].v[0];
		ok(mb_streq(pp->text, "/srv/{name}.txt") && pp->ph.n == 1 && mb_streq(pp->ph.v[0].dflt, "draft"),
		   "a default within one name");
		is_str(t->grants.list.v[0].text, "{dir}", "list takes placeholders");
	}
	t = mb_profile_tool(p, "start");
	ok(t && t->outlive_ms == 90000 && t->outlive_pos.line == 10, "outlive: 90s");
	t = mb_profile_tool(p, "long");
	ok(t && t->outlive_ms == MB_OUTLIVE_MAX_MS, "outlive: 1h, the most");
	t = mb_profile_tool(p, "short");
	ok(t && t->outlive_ms == 30000, "outlive: 30 is seconds");
	ok(mb_profile_tool(p, "status")->outlive_ms == 0, "no outlive: 0");
	mb_profile_free(p);
}

int main(void)
{
	test_full();
	test_vars();
	test_minimal();
	test_names();
	test_protocols();
	test_sizes();
	test_users();
	test_buffer_options();
	test_files();
	test_request_params();
	test_issue14();
	return done_testing();
}
