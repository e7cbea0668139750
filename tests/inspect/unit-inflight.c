/* SPDX-License-Identifier: Apache-2.0 */
/* The in-flight table: (direction, id) keys, cancel + grace, progress
 * tokens, tasks, input_required retries, iteration. */
#include <errno.h>

#include "supervisor/inspect/inflight.h"
#include "tests/tap.h"

static struct mb_jr_frame fr;

static struct mb_jr_msg *msg(const char *s)
{
	mb_jr_frame_free(&fr);
	mb_jr_parse(s, strlen(s), &fr);
	if (fr.fault || fr.msgs[0].kind != MB_JR_REQUEST)
		abort();
	return &fr.msgs[0];
}

static void expired_cb(void *ud, struct mb_call *c)
{
	(void)c;
	(*(int *)ud)++;
}

static cJSON *jid(const char *s)
{
	return cJSON_Parse(s);
}

int main(void)
{
	struct mb_inflight *t;
	if (mb_inflight_new(&t) < 0)
		return 1;
	struct mb_call *c1, *c2, *c3;
	is_int(mb_inflight_add(t, MB_DIR_CLIENT, msg("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"x\":1},\"_meta\":{\"progressToken\":\"p1\"}}}"), 0, &c1), 0, "client request 1");
	is_int(mb_inflight_add(t, MB_DIR_CLIENT, msg("{\"jsonrpc\":\"2.0\",\"id\":\"1\",\"method\":\"ping\"}"), 0, &c2), 0, "client request \"1\": another id");
	is_int(mb_inflight_add(t, MB_DIR_SERVER, msg("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"roots/list\"}"), 0, &c3), 0, "server request 1: another direction");
	is_int(mb_inflight_add(t, MB_DIR_CLIENT, msg("{\"jsonrpc\":\"2.0\",\"id\":1.0,\"method\":\"ping\"}"), 0, NULL), -EEXIST, "1.0 while 1 is pending: duplicate");
	is_int(mb_inflight_count(t), 3, "three in flight");
	is_str(c1->tool, "echo", "tool recorded");
	ok(c1->args_text && !strcmp(c1->args_text, "{\"x\":1}"), "arguments kept as sent");
	ok(cJSON_IsObject(mb_call_arguments(c1)), "arguments parsed on demand");
	ok(cJSON_IsNumber(cJSON_GetObjectItem(mb_call_arguments(c1), "x")), "... with their members");
	is_str(c1->progress, "sp1", "progress token key");
	is_str(c1->id_raw, "1", "raw id");
	is_str(c2->id_raw, "\"1\"", "raw string id");

	cJSON *tok = jid("\"p1\"");
	ok(mb_inflight_by_progress(t, MB_DIR_CLIENT, tok) == c1, "progress token maps to its call");
	cJSON_Delete(tok);

	/* iteration, in order */
	{
		const char *order[3];
		int n = 0;
		for (struct mb_call *c = mb_inflight_first(t); c; c = mb_inflight_next(c))
			order[n++] = c->method;
		ok(n == 3 && !strcmp(order[0], "tools/call") && !strcmp(order[1], "ping") && !strcmp(order[2], "roots/list"),
		   "iteration in sending order");
	}

	/* cancel + grace */
	ok(mb_inflight_cancel(t, MB_DIR_CLIENT, "n1", 1000) == c1, "cancel finds (client, 1)");
	is_int(c1->state, MB_CALL_CANCELLED, "marked cancelled");
	is_int(mb_inflight_expire(t, 999, NULL, NULL), 1000, "still there before its deadline");
	is_int(mb_inflight_count(t), 3, "three still");
	is_int(mb_inflight_add(t, MB_DIR_CLIENT, msg("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}"), 0, &c1), 0,
	       "a cancelled id may be reused");
	is_int(mb_inflight_count(t), 3, "the cancelled one was replaced");
	ok(mb_inflight_cancel(t, MB_DIR_CLIENT, "n1", 1000) == c1, "cancel again");
	mb_inflight_expire(t, 1000, NULL, NULL);
	is_int(mb_inflight_count(t), 2, "gone after the grace");
	ok(!mb_inflight_find(t, MB_DIR_CLIENT, "n1"), "(client, 1) gone");
	ok(mb_inflight_find(t, MB_DIR_SERVER, "n1") == c3, "(server, 1) still there");

	/* tasks */
	struct mb_call *tc;
	mb_inflight_add(t, MB_DIR_CLIENT, msg("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":{\"name\":\"slow\",\"task\":{\"ttl\":1000}}}"), 0, &tc);
	ok(tc->task_asked && tc->task_ttl_ms == 1000, "params.task and its ttl recorded");
	is_int(mb_inflight_task_started(t, tc, "task-9", 1000, 0), 0, "task started");
	ok(mb_inflight_by_task(t, MB_DIR_CLIENT, "task-9") == tc, "found by task id");
	ok(mb_inflight_find(t, MB_DIR_CLIENT, "n5") == tc, "still in flight by id");
	ok(mb_inflight_task_ended(t, MB_DIR_CLIENT, "task-9"), "task ended");
	ok(!mb_inflight_find(t, MB_DIR_CLIENT, "n5"), "call left with its task");
	ok(!mb_inflight_task_ended(t, MB_DIR_CLIENT, "task-9"), "ending twice: nothing");

	/* input_required: the retry joins the logical call */
	struct mb_call *r1, *r2, *r3;
	mb_inflight_add(t, MB_DIR_CLIENT, msg("{\"jsonrpc\":\"2.0\",\"id\":10,\"method\":\"tools/call\",\"params\":{\"name\":\"book\"}}"), 0, &r1);
	uint64_t logical = r1->logical;
	mb_inflight_input_required(t, r1, "st-1");
	mb_inflight_remove(t, r1);
	mb_inflight_add(t, MB_DIR_CLIENT, msg("{\"jsonrpc\":\"2.0\",\"id\":11,\"method\":\"tools/call\",\"params\":{\"name\":\"other\"}}"), 0, &r3);
	ok(r3->logical != logical, "an unrelated call is another logical call");
	mb_inflight_add(t, MB_DIR_CLIENT, msg("{\"jsonrpc\":\"2.0\",\"id\":12,\"method\":\"tools/call\",\"params\":{\"name\":\"book\",\"requestState\":\"st-1\",\"inputResponses\":{\"a\":{}}}}"), 0, &r2);
	is_int(r2->logical, logical, "retry under a new id: same logical call");
	is_int(r2->round, 1, "round 1");
	/* without requestState: matched by method and tool */
	mb_inflight_input_required(t, r2, NULL);
	mb_inflight_remove(t, r2);
	mb_inflight_add(t, MB_DIR_CLIENT, msg("{\"jsonrpc\":\"2.0\",\"id\":13,\"method\":\"tools/call\",\"params\":{\"name\":\"book\",\"inputResponses\":{\"a\":{}}}}"), 0, &r2);
	is_int(r2->logical, logical, "second retry (no requestState): same logical call");
	is_int(r2->round, 2, "round 2");

	mb_inflight_free(t);

	/* The hard timeout: a client request with no response or progress
	 * expires; its entry stays for the late response. */
	{
		if (mb_inflight_new(&t) < 0)
			return 1;
		mb_inflight_set_timeout(t, 100);
		struct mb_call *a, *b, *s;
		mb_inflight_add(t, MB_DIR_CLIENT, msg("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"slow\",\"_meta\":{\"progressToken\":7}}}"), 1000, &a);
		mb_inflight_add(t, MB_DIR_CLIENT, msg("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"hang\"}}"), 1000, &b);
		mb_inflight_add(t, MB_DIR_SERVER, msg("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"elicitation/create\"}"), 1000, &s);
		is_int(a->deadline_ns, 1100, "client request: deadline = start + timeout");
		is_int(s->deadline_ns, 1100, "server request: the same timeout");
		is_int(mb_inflight_count_dir(t, MB_DIR_SERVER), 1, "one server request");
		is_int(mb_inflight_count_dir(t, MB_DIR_CLIENT), 2, "two client requests");
		ok(mb_inflight_by_progress_key(t, MB_DIR_CLIENT, "n7") == a, "found by its numeric token");
		mb_inflight_touch(t, a, 1050);
		is_int(a->deadline_ns, 1150, "progress moves the deadline");
		int seen = 0;
		struct mb_call *which = NULL;
		is_int(mb_inflight_expire(t, 1100, expired_cb, &seen), 1150, "next deadline: the touched call's");
		is_int(seen, 2, "one call and the server's request expired");
		is_int(b->state, MB_CALL_EXPIRED, "the one without progress");
		ok(!mb_call_window_open(b), "its window is closed");
		ok(mb_call_window_open(a), "the touched one's is open");
		ok(!mb_inflight_find(t, MB_DIR_SERVER, "n1"), "the server's request left the table");
		is_int(mb_inflight_count_dir(t, MB_DIR_SERVER), 0, "no server request counted");
		ok(mb_inflight_find(t, MB_DIR_CLIENT, "n2") == b, "still found by id (its late response)");
		is_int(mb_inflight_add(t, MB_DIR_CLIENT, msg("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"}"), 1200, &which), 0,
		       "an expired id may be reused");
		is_int(which->state, MB_CALL_PENDING, "the reuse is pending");
		mb_inflight_expire(t, 1149, expired_cb, &seen);
		is_int(seen, 2, "nothing more before the deadline");
		mb_inflight_free(t);
	}
	/* Tasks have a clock too: the timeout without a sign of life, and
	 * their time to live, signs of life or not. */
	{
		if (mb_inflight_new(&t) < 0)
			return 1;
		mb_inflight_set_timeout(t, 100);
		struct mb_call *a, *b, *u;
		mb_inflight_add(t, MB_DIR_CLIENT, msg("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"slow\",\"task\":{}}}"), 0, &a);
		mb_inflight_add(t, MB_DIR_CLIENT, msg("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"slow\",\"task\":{\"ttl\":0.5}}}"), 0, &b);
		mb_inflight_add(t, MB_DIR_CLIENT, msg("{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"slow\",\"task\":null}}"), 0, &u);
		ok(a->task_asked && a->task_ttl_ms == 0, "params.task {}: asked, no ttl");
		ok(b->task_asked && b->task_ttl_ms == 1, "a ttl under 1 ms is 1 ms, not none");
		ok(!u->task_asked, "params.task null: not asked");
		mb_inflight_task_started(t, a, "A", 0, 1000);
		is_int(a->deadline_ns, 1100, "a task's timeout starts at its creation");
		int seen = 0;
		mb_inflight_touch(t, a, 1090);
		mb_inflight_expire(t, 1100, expired_cb, &seen);
		is_int(a->state, MB_CALL_TASK, "a sign of life keeps a task open");
		mb_inflight_expire(t, 1190, expired_cb, &seen);
		is_int(a->state, MB_CALL_EXPIRED, "... until the timeout passes without one");
		ok(mb_inflight_by_task(t, MB_DIR_CLIENT, "A") == a, "the expired task is still known by id");
		/* Without a timeout (--call-timeout 0) the time to live still
		 * holds, touched or not. */
		mb_inflight_set_timeout(t, 0);
		mb_inflight_remove(t, b);
		mb_inflight_add(t, MB_DIR_CLIENT, msg("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"slow\",\"task\":{\"ttl\":150}}}"), 0, &b);
		mb_inflight_task_started(t, b, "B", 150, 1000);
		is_int(b->ttl_end_ns, 1000 + 150 * 1000000ull, "its time to live ends from its creation");
		mb_inflight_touch(t, b, 2000);
		mb_inflight_expire(t, 1000 + 150 * 1000000ull - 1, expired_cb, &seen);
		is_int(b->state, MB_CALL_TASK, "no timeout: open before its time to live ends");
		mb_inflight_expire(t, 1000 + 150 * 1000000ull, expired_cb, &seen);
		is_int(b->state, MB_CALL_EXPIRED, "closed when it ends, signs of life or not");
		ok(mb_inflight_task_ended(t, MB_DIR_CLIENT, "B"), "an expired task's end is still recognised");
		mb_inflight_free(t);
	}
	/* Many calls: the table grows, ids stay found, removal keeps the rest. */
	{
		if (mb_inflight_new(&t) < 0)
			return 1;
		char line[128];
		int bad = 0;
		for (int i = 0; i < 5000; i++) {
			snprintf(line, sizeof(line), "{\"jsonrpc\":\"2.0\",\"id\":\"r%d\",\"method\":\"ping\"}", i);
			if (mb_inflight_add(t, MB_DIR_CLIENT, msg(line), 0, NULL) < 0)
				bad++;
		}
		for (int i = 0; i < 5000; i += 2) {
			snprintf(line, sizeof(line), "sr%d", i);
			struct mb_call *c = mb_inflight_find(t, MB_DIR_CLIENT, line);
			if (!c)
				bad++;
			else
				mb_inflight_remove(t, c);
		}
		for (int i = 0; i < 5000; i++) {
			snprintf(line, sizeof(line), "sr%d", i);
			if ((mb_inflight_find(t, MB_DIR_CLIENT, line) != NULL) != (i % 2 == 1))
				bad++;
		}
		is_int(bad, 0, "5000 calls: added, half removed, the rest found");
		is_int(mb_inflight_count(t), 2500, "2500 left");
		mb_inflight_free(t);
	}
	mb_jr_frame_free(&fr);
	return done_testing();
}
