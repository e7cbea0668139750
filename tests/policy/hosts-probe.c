/* SPDX-License-Identifier: Apache-2.0 */
/* Names are never resolved when a profile is loaded: run by
 * kernel-hosts.sh inside a user, mount and network namespace whose
 * /etc/resolv.conf names 127.0.0.1, where this probe itself listens on
 * UDP port 53 and counts every question, and whose /etc/hosts names
 * dual.membrane.test. Profiles full of names load, compile into a plan
 * and lint without one question asked or one hosts line read into a
 * grant; a lookup made on purpose shows the counter counts. */
#include <errno.h>
#include <netdb.h>
#include <unistd.h>

#include "policy/lint.h"
#include "policy/plan.h"
#include "tests/policy/profile-test.h"

static int questions(int s)
{
	char buf[512];
	int n = 0;
	while (recv(s, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		n++;
	return n;
}

int main(void)
{
	if (!getenv("MB_HOSTS_FIXTURE")) {
		fprintf(stderr, "run me through tests/policy/kernel-hosts.sh\n");
		return 2;
	}
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(53),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	if (!ok(s >= 0 && bind(s, (struct sockaddr *)&sin, sizeof(sin)) == 0,
		"a counting nameserver on 127.0.0.1:53 (%s)", strerror(errno)))
		return done_testing();

	static const char text[] =
		"version: 1\nname: hosts\nruntime:\n"
		"  connect: [\"localhost:80\", \"dual.membrane.test:443-444\", \"*.example.org:443\",\n"
		"            \"absent.membrane.test:1\"]\n"
		"  bind: [\"localhost:*\"]\n"
		"private_names: [dual.membrane.test]\n"
		"tests:\n"
		"  - idle: true\n"
		"    allow: [connect dual.membrane.test:443, connect api.example.org:443]\n"
		"    deny: [connect example.org:443, connect 10.1.2.3:443]\n";
	struct mb_load_opts o = { 0 };
	struct mb_profile *p = NULL;
	struct mb_error err = { 0 };
	int r = mb_profile_load_buffer("hosts.yml", text, strlen(text), &o, &p, &err);
	if (!ok(r == 0, "a profile of names loads with a nameserver that answers nothing")) {
		diag("%s", err.msg);
		return done_testing();
	}
	const mb_endpoint_vec *c = &p->runtime.net[0];
	is_int(c->n, 4, "connect: one endpoint per name, none per address");
	bool names = c->n == 4;
	for (size_t i = 0; i < c->n; i++)
		names &= c->v[i].name != NULL && c->v[i].family == 0;
	ok(names, "every endpoint is a name: /etc/hosts' 10.1.2.3 granted nothing");
	const struct mb_expect *e = &p->tests.v[0].allow.v[0];
	ok(e->addrs.n == 1 && mb_streq(e->addrs.v[0].name, "dual.membrane.test"),
	   "a test's HOST:PORT target is the name");

	struct mb_plan *plan = NULL;
	char *env[] = { NULL };
	ok(mb_plan_compile(p, env, &plan, &err) == 0, "the plan compiles (%s)", err.msg);
	mb_lint_vec lints = { 0 };
	struct mb_lint_opts lo = { 0 };
	ok(mb_lint(p, &lo, &lints) == 0, "the linter runs");
	mb_lint_free(&lints);
	mb_plan_free(plan);
	mb_profile_free(p);
	is_int(questions(s), 0, "loading, planning and linting asked the nameserver nothing");

	/* The counter counts: a lookup the probe makes on purpose. */
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_family = AF_INET }, *res = NULL;
	r = getaddrinfo("absent.membrane.test", NULL, &hints, &res);
	if (r == 0)
		freeaddrinfo(res);
	ok(questions(s) > 0, "a getaddrinfo of a name /etc/hosts lacks reaches the counter");
	r = getaddrinfo("dual.membrane.test", NULL, &hints, &res);
	ok(r == 0, "the namespace's /etc/hosts is in force (dual.membrane.test resolves)");
	if (r == 0)
		freeaddrinfo(res);
	return done_testing();
}
