/* SPDX-License-Identifier: Apache-2.0 */
/* The inspector's CPU cost per message, without pipes or syscalls: N
 * tools/call round trips (the request through the client framer and the
 * inspector, the echo server's answer back through the server side), fed
 * from memory. Prints ns per round trip; run it under
 *   valgrind --tool=callgrind bench/inspect-cost -n 20000
 * for an instruction count that does not depend on how busy the machine is
 * (membrane-run's relay itself cannot run under valgrind 3.19: pidfd_open).
 *   inspect-cost [-n N] [-a ARGBYTES] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "policy/profile.h"
#include "supervisor/inspect/framer.h"
#include "supervisor/inspect/inspector.h"

static size_t sent_bytes;

static int io_send(void *ud, enum mb_side to, const char *buf, size_t n)
{
	(void)ud, (void)to, (void)buf;
	sent_bytes += n;
	return 0;
}

static int io_report(void *ud, const char *event, const cJSON *fields)
{
	(void)ud, (void)event, (void)fields;
	return 0;
}

static void client_frame(void *ud, const struct mb_frame *f)
{
	mb_inspector_client_frame(ud, f);
}

static void server_frame(void *ud, const struct mb_frame *f)
{
	mb_inspector_server_frame(ud, f);
}

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	long n = 100000, argbytes = 8;
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "-n"))
			n = atol(argv[i + 1]);
		else if (!strcmp(argv[i], "-a"))
			argbytes = atol(argv[i + 1]);
	}
	struct mb_profile *p = calloc(1, sizeof(*p));
	struct mb_tool *t = p ? mb_vec_new(&p->tools) : NULL;
	if (!t)
		return 1;
	p->version = 1;
	p->unlisted_tools = MB_UNLISTED_DENY;
	t->name = strdup("echo");
	char *text = malloc((size_t)argbytes + 1);
	if (!text)
		return 1;
	memset(text, 'x', (size_t)argbytes);
	text[argbytes] = 0;

	struct mb_inspector *ins;
	struct mb_inspector_config cfg = { .profile = p, .cwd = "/", .max_message = 16u << 20 };
	struct mb_inspector_io io = { io_send, io_report, NULL, NULL };
	if (mb_inspector_new(&cfg, &io, &ins) < 0)
		return 1;
	struct mb_framer fc, fs;
	mb_framer_init(&fc, 16u << 20);
	mb_framer_init(&fs, 16u << 20);
	size_t cap = (size_t)argbytes + 256;
	char *req = malloc(cap), *resp = malloc(cap);
	if (!req || !resp)
		return 1;
	double t0 = now_ns();
	for (long id = 1; id <= n; id++) {
		int k = snprintf(req, cap,
				 "{\"jsonrpc\":\"2.0\",\"id\":%ld,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\"%s\"}}}\n",
				 id, text);
		mb_framer_feed(&fc, req, (size_t)k, false, client_frame, ins);
		k = snprintf(resp, cap,
			     "{\"jsonrpc\":\"2.0\",\"id\":%ld,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"%s\"}]}}\n",
			     id, text);
		mb_framer_feed(&fs, resp, (size_t)k, false, server_frame, ins);
	}
	double dt = now_ns() - t0;
	const struct mb_inspector_stats *st = mb_inspector_stats(ins);
	/* Every message forwarded, nothing left in flight: the path measured
	 * is the pass-through one. */
	int ok = st->forwarded == (uint64_t)(2 * n) && !mb_inflight_count(mb_inspector_inflight(ins));
	printf("round_trips=%ld ns_per_round_trip=%.0f forwarded=%llu sent_bytes=%zu%s\n", n,
	       dt / (double)n, (unsigned long long)st->forwarded, sent_bytes, ok ? "" : " UNEXPECTED");
	mb_framer_free(&fc);
	mb_framer_free(&fs);
	mb_inspector_free(ins);
	free(req);
	free(resp);
	free(text);
	mb_profile_free(p);
	return ok ? 0 : 1;
}
