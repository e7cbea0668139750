/* SPDX-License-Identifier: Apache-2.0 */
/* getaddrinfo(NAME, AF_UNSPEC) N times, for bench/names.sh: bare and in a
 * sandbox whose resolver is membrane-run. A NAME holding %d asks a name of
 * its own each time (n0..., none answered before). Prints the median, p90
 * and p99 in microseconds on stderr, and the first answer (so a run that
 * resolved nothing shows). Runs under membrane-run as a plain command: no
 * MCP. */
#include <arpa/inet.h>
#include <netdb.h>
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: names-lookup NAME N\n");
		return 2;
	}
	int n = atoi(argv[2]);
	double *us = calloc((size_t)n, sizeof(*us));
	char first[64] = "none";
	for (int i = 0; i < n && us; i++) {
		struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res = NULL;
		struct timespec t0, t1;
		char name[256];
		if (strstr(argv[1], "%d"))
			snprintf(name, sizeof(name), argv[1], i);
		else
			snprintf(name, sizeof(name), "%s", argv[1]);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		int r = getaddrinfo(name, NULL, &hints, &res);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		us[i] = (double)(t1.tv_sec - t0.tv_sec) * 1e6 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e3;
		if (r != 0) {
			fprintf(stderr, "names-lookup: %s: %s\n", name, gai_strerror(r));
			return 1;
		}
		if (i == 0) {
			const void *a = res->ai_family == AF_INET
						? (const void *)&((struct sockaddr_in *)res->ai_addr)->sin_addr
						: (const void *)&((struct sockaddr_in6 *)res->ai_addr)->sin6_addr;
			inet_ntop(res->ai_family, a, first, sizeof(first));
		}
		freeaddrinfo(res);
	}
	if (!us)
		return 1;
	qsort(us, (size_t)n, sizeof(*us), cmp);
	/* stderr: under membrane-run stdout is the MCP channel */
	fprintf(stderr, "%.1f %.1f %.1f %s\n", us[n / 2], us[n * 9 / 10], us[n * 99 / 100], first);
	return 0;
}
