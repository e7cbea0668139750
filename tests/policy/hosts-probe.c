/* Host names resolved at load, against a known /etc/hosts: run by
 * kernel-hosts.sh inside a user+mount namespace where its own hosts file
 * is bound over /etc/hosts (this machine's lacks "::1 localhost"). */
#include "tests/policy/profile-test.h"

static const struct mb_endpoint *find(const mb_endpoint_vec *v, const char *text,
				      const char *addr)
{
	uint8_t want[16] = { 0 };
	int family = strchr(addr, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(family, addr, want) != 1)
		abort();
	for (size_t i = 0; i < v->n; i++)
		if (mb_streq(v->v[i].text, text) && v->v[i].family == family &&
		    memcmp(v->v[i].addr, want, 16) == 0)
			return &v->v[i];
	return NULL;
}

int main(void)
{
	if (!getenv("MB_HOSTS_FIXTURE")) {
		fprintf(stderr, "run me through tests/policy/kernel-hosts.sh\n");
		return 2;
	}
	static const char text[] =
		"version: 1\nname: hosts\nruntime:\n"
		"  connect: [\"localhost:80\", \"dual.membrane.test:443-444\"]\n"
		"  bind: [\"localhost:*\"]\n";
	struct mb_load_opts o = { .resolve_hosts = true };
	struct mb_profile *p = NULL;
	struct mb_error err = { 0 };
	int r = mb_profile_load_buffer("hosts.yml", text, strlen(text), &o, &p, &err);
	if (!ok(r == 0, "hosts.yml loads")) {
		diag("%s", err.msg);
		return done_testing();
	}
	const mb_endpoint_vec *c = &p->runtime.net[0], *b = &p->runtime.net[1];
	is_int(c->n, 4, "connect: 2 addresses of localhost, 2 distinct ones of dual");
	is_endpoint(find(c, "localhost:80", "127.0.0.1"), "localhost:80", "127.0.0.1", 32, 80, 80);
	is_endpoint(find(c, "localhost:80", "::1"), "localhost:80", "::1", 128, 80, 80);
	/* 10.1.2.3 and ::ffff:10.1.2.3 are one address: kept once, as v4. */
	is_endpoint(find(c, "dual.membrane.test:443-444", "10.1.2.3"), "dual.membrane.test:443-444",
		    "10.1.2.3", 32, 443, 444);
	is_endpoint(find(c, "dual.membrane.test:443-444", "fd00::7"), "dual.membrane.test:443-444",
		    "fd00::7", 128, 443, 444);
	if (c->n == 4)
		ok(c->v[0].text == c->v[1].text && c->v[2].text == c->v[3].text &&
			   c->v[1].text != c->v[2].text,
		   "the endpoints of one host share its text and sit side by side");
	is_int(b->n, 2, "bind localhost:* gives two endpoints");
	if (b->n == 2)
		ok(b->v[0].port_lo == 1 && b->v[0].port_hi == 65535 && b->v[0].pos.line == 5 &&
			   b->v[0].pos.column == 10,
		   "bind: all ports, at 5:10");
	mb_profile_free(p);

	static const char absent[] =
		"version: 1\nname: h\nruntime: { connect: [\"absent.membrane.test:1\"] }\n";
	p = NULL;
	r = mb_profile_load_buffer("hosts.yml", absent, strlen(absent), &o, &p, &err);
	static const char want[] = "hosts.yml:3:22: cannot resolve host 'absent.membrane.test': ";
	ok(r < 0 && !p && strncmp(err.msg, want, strlen(want)) == 0,
	   "a name /etc/hosts lacks: cannot resolve (%s)", err.msg);
	return done_testing();
}
