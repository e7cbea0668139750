/* SPDX-License-Identifier: Apache-2.0 */
/* How long one matcher query takes: ns per mb_callgrants_allows_path for the
 * grants a Node server runs with (runtime + one write_file call), over
 * targets that hit early, hit late, hit a glob, and miss everything (the
 * worst case: every pattern is tried). Also ns per mb_callgrants_build, the
 * once-per-call cost. Prints the figures; make check never runs it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "policy/call-grants.h"

/* What profiles/runtimes/node.yml plus filesystem.yml grant to read, in
 * spirit: libraries, certificates, the few /etc files Node opens, /proc and
 * cgroup limits, the served root, and a couple of globs. */
static const char *const runtime_read[] = {
	"/usr/lib",
	"/usr/share/nodejs",
	"/usr/local/lib/node_modules",
	"/lib/x86_64-linux-gnu",
	"/etc/ld.so.cache",
	"/etc/ssl",
	"/etc/ca-certificates",
	"/etc/hosts",
	"/etc/resolv.conf",
	"/etc/localtime",
	"/proc/self",
	"/sys/fs/cgroup/*.max",
	"/sys/devices/system/cpu",
	"/usr/share/zoneinfo",
	"/tmp/node-compile-cache-*",
	"/srv/mcp",
};
static const char *const tool_write[] = { "{path}", "{path}.*.tmp", "/tmp" };

static const char *const targets[] = {
	"/usr/lib/node_modules/@modelcontextprotocol/server-filesystem/dist/index.js",
	"/etc/ssl/certs/ca-certificates.crt",
	"/proc/self/maps",
	"/sys/fs/cgroup/memory.max",
	"/srv/mcp/notes/2026/todo.md",
	"/root/.ssh/id_rsa",
	"/home/user/.config/gh/hosts.yml",
	"/srv/mcp2/secret",
};
static const char *const write_targets[] = {
	"/srv/mcp/notes/todo.md",
	"/srv/mcp/notes/todo.md.9f86d081884c7d65.tmp",
	"/srv/mcp/notes/other.md",
	"/etc/passwd",
};

static void add(struct mb_grants *g, enum mb_op op, const char *text)
{
	struct mb_path_pattern *pp = mb_vec_new(&g->path[op]);
	if (!pp || !(pp->text = strdup(text)))
		exit(1);
	pp->has_placeholder = strchr(text, '{') != NULL;
	pp->has_glob = strchr(text, '*') != NULL;
}

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static volatile unsigned sink;

/* The best of ROUNDS runs: the machine is shared, and the least disturbed
 * run is the one that measures the code. */
#define ROUNDS 7

static double per_query(const struct mb_callgrants *cg, enum mb_op op, const char *path, long n)
{
	double best = 0;
	for (int r = 0; r < ROUNDS; r++) {
		unsigned hits = 0;
		double t0 = now_ns();
		for (long i = 0; i < n; i++)
			hits += mb_callgrants_allows_path(cg, op, path, NULL);
		double t = (now_ns() - t0) / (double)n;
		sink += hits;
		if (r == 0 || t < best)
			best = t;
	}
	return best;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 500000;
	struct mb_grants g = { 0 };
	for (size_t i = 0; i < sizeof(runtime_read) / sizeof(*runtime_read); i++)
		add(&g, MB_OP_READ, runtime_read[i]);
	for (size_t i = 0; i < sizeof(tool_write) / sizeof(*tool_write); i++)
		add(&g, MB_OP_WRITE, tool_write[i]);
	cJSON *args = cJSON_Parse("{\"path\":\"/srv/mcp/notes/todo.md\",\"content\":\"hello\"}");
	struct mb_callgrants cg;
	if (!args || mb_callgrants_build(&g, args, "/srv/mcp", &cg) < 0)
		return 1;

	printf("read grants: %zu patterns; write grants: %zu patterns; "
	       "best of %d runs of %ld queries per target\n",
	       cg.path[MB_OP_READ].n, cg.path[MB_OP_WRITE].n, ROUNDS, n);
	double sum = 0;
	size_t count = 0;
	for (size_t i = 0; i < sizeof(targets) / sizeof(*targets); i++, count++) {
		double ns = per_query(&cg, MB_OP_READ, targets[i], n);
		bool a = mb_callgrants_allows_path(&cg, MB_OP_READ, targets[i], NULL);
		printf("  read  %-7s %6.1f ns  %s\n", a ? "allowed" : "denied", ns, targets[i]);
		sum += ns;
	}
	for (size_t i = 0; i < sizeof(write_targets) / sizeof(*write_targets); i++, count++) {
		double ns = per_query(&cg, MB_OP_WRITE, write_targets[i], n);
		bool a = mb_callgrants_allows_path(&cg, MB_OP_WRITE, write_targets[i], NULL);
		printf("  write %-7s %6.1f ns  %s\n", a ? "allowed" : "denied", ns, write_targets[i]);
		sum += ns;
	}
	printf("mean: %.1f ns per mb_callgrants_allows_path query\n", sum / (double)count);

	long nb = n / 20 > 0 ? n / 20 : 1;
	double t0 = now_ns();
	for (long i = 0; i < nb; i++) {
		struct mb_callgrants c2;
		if (mb_callgrants_build(&g, args, "/srv/mcp", &c2) < 0)
			return 1;
		sink += (unsigned)c2.path[MB_OP_WRITE].n;
		mb_callgrants_free(&c2);
	}
	printf("build: %.0f ns per mb_callgrants_build (%zu patterns)\n", (now_ns() - t0) / (double)nb,
	       cg.path[MB_OP_READ].n + cg.path[MB_OP_WRITE].n);

	mb_callgrants_free(&cg);
	cJSON_Delete(args);
	for (int op = 0; op < MB_PATH_OPS; op++) {
		mb_vec_foreach(pp, &g.path[op])
			free(pp->text);
		mb_vec_free(&g.path[op]);
	}
	return 0;
}
