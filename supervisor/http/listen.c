/* SPDX-License-Identifier: Apache-2.0 */
/* Opening the listeners of --listen (listen.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "supervisor/http/listen.h"

#define BACKLOG 128

int mb_listen_split(const char *addr, char *host, size_t hostsz, char *port, size_t portsz)
{
	const char *h = addr, *colon;
	size_t hl;
	if (addr[0] == '[') {
		const char *close = strchr(addr, ']');
		if (!close || close[1] != ':')
			return -EINVAL;
		h = addr + 1;
		hl = (size_t)(close - h);
		colon = close + 1;
	} else {
		colon = strrchr(addr, ':');
		if (!colon || memchr(addr, ':', (size_t)(colon - addr)))
			return -EINVAL;
		hl = (size_t)(colon - addr);
	}
	size_t pl = strlen(colon + 1);
	if (hl == 0 || hl >= hostsz || pl == 0 || pl >= portsz ||
	    strspn(colon + 1, "0123456789") != pl)
		return -EINVAL;
	memcpy(host, h, hl);
	host[hl] = '\0';
	memcpy(port, colon + 1, pl + 1);
	return 0;
}

static bool sa_loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127;
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
		return IN6_IS_ADDR_LOOPBACK(a) ||
		       (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
	}
	return false;
}

static bool sa_any(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return ((const struct sockaddr_in *)sa)->sin_addr.s_addr == htonl(INADDR_ANY);
	if (sa->sa_family == AF_INET6)
		return IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *)sa)->sin6_addr);
	return false;
}

static int add_origin(struct mb_listener *l, bool v6, const char *host, unsigned port)
{
	char buf[300];
	snprintf(buf, sizeof(buf), v6 ? "//[%s]:%u" : "//%s:%u", host, port);
	char *s = strdup(buf);
	if (!s || mb_vec_push(&l->origins, s) < 0) {
		free(s);
		return -ENOMEM;
	}
	return 0;
}

/* Who may send an Origin by default: the address bound, and the loopback
 * names when the listener answers on loopback. */
static int own_origins(struct mb_listener *l, const struct sockaddr *sa)
{
	char ip[INET6_ADDRSTRLEN] = "";
	unsigned port;
	if (sa->sa_family == AF_INET) {
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, ip, sizeof(ip));
		port = ntohs(((const struct sockaddr_in *)sa)->sin_port);
	} else {
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, ip, sizeof(ip));
		port = ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
	}
	l->port = port;
	l->loopback = sa_loopback(sa);
	int r = 0;
	if (!sa_any(sa))
		r = add_origin(l, sa->sa_family == AF_INET6, ip, port);
	if (r == 0 && (l->loopback || sa_any(sa))) {
		r = add_origin(l, false, "localhost", port);
		if (r == 0)
			r = add_origin(l, false, "127.0.0.1", port);
		if (r == 0)
			r = add_origin(l, true, "::1", port);
	}
	if (r == 0) {
		char name[320];
		if (sa->sa_family == AF_INET6)
			snprintf(name, sizeof(name), "[%s]:%u", ip, port);
		else
			snprintf(name, sizeof(name), "%s:%u", ip, port);
		l->name = strdup(name);
		if (!l->name)
			r = -ENOMEM;
	}
	return r;
}

/* A listener for a socket we hold: its kind and its origins. */
static int describe(struct mb_listener *l, const char *label, struct mb_error *err)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	if (getsockname(l->fd, (struct sockaddr *)&ss, &sl) < 0)
		return mb_error_set(err, mb_neg_errno(), "--listen %s: getsockname: %s", label,
				    strerror(errno));
	if (ss.ss_family == AF_UNIX) {
		l->unix_socket = true;
		/* Only local processes connect; a browser cannot name a unix
		 * socket, so no Origin is the listener's own. */
		l->name = strdup(label);
		return l->name ? 0 : -ENOMEM;
	}
	if (ss.ss_family != AF_INET && ss.ss_family != AF_INET6)
		return mb_error_set(err, -EAFNOSUPPORT,
				    "--listen %s: not a TCP or unix stream socket", label);
	int r = own_origins(l, (struct sockaddr *)&ss);
	return r < 0 ? mb_error_set(err, r, "out of memory") : 0;
}

static int push(mb_listener_vec *v, int fd, const char *label, struct mb_error *err)
{
	struct mb_listener *l = mb_vec_new(v);
	if (!l) {
		close(fd);
		return mb_error_set(err, -ENOMEM, "out of memory");
	}
	l->fd = fd;
	return describe(l, label, err);
}

static int open_tcp(const char *addr, mb_listener_vec *v, struct mb_error *err)
{
	char host[256], port[16];
	if (mb_listen_split(addr, host, sizeof(host), port, sizeof(port)) < 0)
		return mb_error_set(err, -EINVAL,
				    "--listen %s: expected host:port, [v6]:port, a unix socket path (with a /), or systemd[:NAME]",
				    addr);
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE | AI_NUMERICSERV };
	struct addrinfo *ai = NULL;
	int g = getaddrinfo(strcmp(host, "*") == 0 ? NULL : host, port, &hints, &ai);
	if (g != 0)
		return mb_error_set(err, -EADDRNOTAVAIL, "--listen %s: %s: name the address to bind",
				    addr, gai_strerror(g));
	int r = -EADDRNOTAVAIL, fd = -1;
	char why[128] = "no address";
	for (struct addrinfo *a = ai; a; a = a->ai_next) {
		fd = socket(a->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (fd < 0)
			continue;
		int one = 1;
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (a->ai_family == AF_INET6)
			(void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
		if (bind(fd, a->ai_addr, a->ai_addrlen) == 0 && listen(fd, BACKLOG) == 0) {
			r = 0;
			break;
		}
		r = mb_neg_errno();
		snprintf(why, sizeof(why), "%s", strerror(errno));
		fd = mb_close(fd);
	}
	freeaddrinfo(ai);
	if (r < 0)
		return mb_error_set(err, r, "--listen %s: cannot bind: %s (is the port in use, or below 1024 without root?)",
				    addr, why);
	return push(v, fd, addr, err);
}

static int open_unix(const char *path, mb_listener_vec *v, struct mb_error *err)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(sun.sun_path))
		return mb_error_set(err, -ENAMETOOLONG, "--listen %s: a unix socket path is at most %zu bytes",
				    path, sizeof(sun.sun_path) - 1);
	strcpy(sun.sun_path, path);
	/* A socket left by an earlier run is replaced; anything else is not
	 * ours to remove. */
	struct stat st;
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return mb_error_set(err, -EEXIST, "--listen %s: exists and is not a socket: remove it or name another path",
					    path);
		(void)unlink(path);
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return mb_error_set(err, mb_neg_errno(), "--listen %s: socket: %s", path, strerror(errno));
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 || listen(fd, BACKLOG) < 0) {
		int e = mb_neg_errno();
		close(fd);
		return mb_error_set(err, e, "--listen %s: cannot bind: %s (is its directory writable?)",
				    path, strerror(-e));
	}
	return push(v, fd, path, err);
}

/* sd_listen_fds(3) by hand: fds 3.. for this pid, named by LISTEN_FDNAMES. */
static int open_systemd(const char *name, mb_listener_vec *v, struct mb_error *err)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	if (!pid || !fds || strtol(pid, NULL, 10) != getpid())
		return mb_error_set(err, -ENOENT,
				    "--listen systemd%s%s: no sockets were passed (start it from a .socket unit, see membrane-run(1))",
				    name ? ":" : "", name ? name : "");
	long n = strtol(fds, NULL, 10);
	const char *names = getenv("LISTEN_FDNAMES");
	int found = 0;
	for (long i = 0; i < n && i < 64; i++) {
		char nm[256] = "unknown";
		if (names) {
			const char *p = names;
			for (long k = 0; k < i && p; k++) {
				p = strchr(p, ':');
				if (p)
					p++;
			}
			if (p) {
				size_t l = strcspn(p, ":");
				snprintf(nm, sizeof(nm), "%.*s", (int)MB_MIN(l, 255u), p);
			}
		}
		if (name && strcmp(name, nm) != 0)
			continue;
		int fd = (int)(3 + i);
		int fl = fcntl(fd, F_GETFD);
		if (fl < 0)
			continue;
		(void)fcntl(fd, F_SETFD, fl | FD_CLOEXEC);
		(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
		char label[300];
		snprintf(label, sizeof(label), "systemd:%s", nm);
		int r = push(v, fd, label, err);
		if (r < 0)
			return r;
		found++;
	}
	if (!found)
		return mb_error_set(err, -ENOENT, "--listen systemd:%s: no socket of that name was passed (FileDescriptorName= in the .socket unit)",
				    name ? name : "");
	return 0;
}

int mb_listeners_open(const char *const *addrs, size_t n, mb_listener_vec *ret,
		      struct mb_error *err)
{
	mb_listener_vec v = { 0 };
	int r = 0;
	bool systemd = false;
	for (size_t i = 0; i < n && r == 0; i++) {
		const char *a = addrs[i];
		if (strcmp(a, "systemd") == 0 || strncmp(a, "systemd:", 8) == 0) {
			r = open_systemd(a[7] ? a + 8 : NULL, &v, err);
			systemd = true;
		} else if (strchr(a, '/')) {
			r = open_unix(a, &v, err);
		} else {
			r = open_tcp(a, &v, err);
		}
	}
	if (systemd) {
		/* Not for the sessions' children. */
		unsetenv("LISTEN_PID");
		unsetenv("LISTEN_FDS");
		unsetenv("LISTEN_FDNAMES");
	}
	if (r < 0) {
		mb_listeners_close(&v);
		return r;
	}
	*ret = v;
	return 0;
}

void mb_listeners_close(mb_listener_vec *v)
{
	mb_vec_foreach(l, v) {
		mb_close(l->fd);
		free(l->name);
		mb_vec_foreach(o, &l->origins)
			free(*o);
		mb_vec_free(&l->origins);
	}
	mb_vec_free(v);
}
