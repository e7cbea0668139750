/* SPDX-License-Identifier: Apache-2.0 */
/* The server's credentials on the performing thread: see notify-ident.h. */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/macros.h"
#include "supervisor/notify/notify-ident.h"

/* The supervisor's own credentials, saved the first time the thread leaves
 * them, and the identity the thread is in now (NULL: its own). */
static _Thread_local struct {
	bool saved;
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid;
	int ngroups;
	gid_t groups[MB_IDENT_MAX_GROUPS];
	struct __user_cap_data_struct caps[2];
	const struct mb_ident *current;
} self;

static int field_ids(const char *s, const char *key, unsigned long v[4])
{
	const char *p = strstr(s, key);
	if (!p)
		return -EIO;
	p += strlen(key);
	for (int i = 0; i < 4; i++) {
		char *end;
		v[i] = strtoul(p, &end, 10);
		if (end == p)
			return -EIO;
		p = end;
	}
	return 0;
}

static int parse_status(const char *s, struct mb_ident *id)
{
	unsigned long u[4], g[4];
	if (field_ids(s, "\nUid:", u) < 0 || field_ids(s, "\nGid:", g) < 0)
		return -EIO;
	id->uid = (uid_t)u[1];
	id->gid = (gid_t)g[1];
	id->ngroups = 0;
	const char *p = strstr(s, "\nGroups:");
	if (p) {
		p += strlen("\nGroups:");
		for (;;) {
			char *end;
			unsigned long v = strtoul(p, &end, 10);
			if (end == p)
				break;
			if (id->ngroups == MB_IDENT_MAX_GROUPS) {
				id->ngroups = -1;
				break;
			}
			id->groups[id->ngroups++] = (gid_t)v;
			p = end;
		}
	}
	p = strstr(s, "\nCapEff:");
	id->cap_eff = p ? strtoull(p + strlen("\nCapEff:"), NULL, 16) : 0;
	p = strstr(s, "\nUmask:");
	id->umask = p ? (mode_t)strtoul(p + strlen("\nUmask:"), NULL, 8) : 022;
	return 0;
}

int mb_ident_read(pid_t pid, struct mb_ident *ret)
{
	char path[48], buf[4096];
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t len = read(fd, buf, sizeof(buf) - 1);
	int e = errno;
	mb_close(fd);
	if (len <= 0)
		return len < 0 ? -e : -EIO;
	buf[len] = '\0';
	struct mb_ident id = { 0 };
	int r = parse_status(buf, &id);
	if (r < 0)
		return r;
	id.known = true;
	*ret = id;
	return 0;
}

static int save_self(void)
{
	if (self.saved)
		return 0;
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	if (getresuid(&self.ruid, &self.euid, &self.suid) < 0 ||
	    getresgid(&self.rgid, &self.egid, &self.sgid) < 0 ||
	    syscall(SYS_capget, &h, self.caps) < 0)
		return -errno;
	int n = getgroups(MB_IDENT_MAX_GROUPS, self.groups);
	if (n < 0)
		return -errno;
	self.ngroups = n;
	self.saved = true;
	return 0;
}

static bool privileged(void)
{
	/* CAP_SETUID and CAP_SETGID, effective: what changing ids needs. */
	return (self.caps[0].effective & (1u << CAP_SETUID)) &&
	       (self.caps[0].effective & (1u << CAP_SETGID));
}

static int set_caps_eff(uint64_t eff)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];
	memcpy(d, self.caps, sizeof(d));
	d[0].effective = (uint32_t)eff & d[0].permitted;
	d[1].effective = (uint32_t)(eff >> 32) & d[1].permitted;
	return syscall(SYS_capset, &h, d) < 0 ? -errno : 0;
}

static uint64_t own_eff(void)
{
	return (uint64_t)self.caps[0].effective | (uint64_t)self.caps[1].effective << 32;
}

static bool same_groups(const struct mb_ident *id)
{
	if (id->ngroups != self.ngroups)
		return false;
	for (int i = 0; i < id->ngroups; i++)
		if (id->groups[i] != self.groups[i])
			return false;
	return true;
}

int mb_ident_server(const struct mb_ident *id)
{
	if (self.current == id)
		return 0;
	int r = save_self();
	if (r < 0)
		return r;
	if (!id->known || id->ngroups < 0)
		return -EINVAL;
	if (!privileged() || (id->uid == self.euid && id->gid == self.egid && same_groups(id) &&
			      id->cap_eff == own_eff())) {
		/* The unprivileged launch (or a test child that is the
		 * supervisor's twin): already the server's identity. */
		self.current = id;
		return 0;
	}
	/* From here on, going back undoes whatever was done. */
	self.current = id;
	/* Groups and gids first, while CAP_SETGID is still effective; the
	 * saved ids stay the supervisor's: the way back. */
	if (syscall(SYS_setgroups, (size_t)id->ngroups, id->groups) < 0)
		goto fail;
	if (id->uid != self.euid || id->gid != self.egid) {
		if (syscall(SYS_setresgid, id->gid, id->gid, self.sgid) < 0 ||
		    syscall(SYS_setresuid, id->uid, id->uid, self.suid) < 0)
			goto fail;
		/* euid left 0: the effective set is empty already. */
		return 0;
	}
	if (set_caps_eff(id->cap_eff) < 0)
		goto fail;
	return 0;
fail:
	r = -errno;
	mb_ident_supervisor();
	return r;
}

void mb_ident_supervisor(void)
{
	const struct mb_ident *id = self.current;
	if (!id)
		return;
	self.current = NULL;
	if (!privileged())
		return;
	/* Every step can only fail for a lack of privilege, which the saved
	 * ids (0) and the permitted set restore first. */
	if (id->uid != self.euid || id->gid != self.egid) {
		(void)syscall(SYS_setresuid, self.ruid, self.euid, self.suid);
		(void)syscall(SYS_setresgid, self.rgid, self.egid, self.sgid);
	}
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	(void)syscall(SYS_capset, &h, self.caps);
	(void)syscall(SYS_setgroups, (size_t)self.ngroups, self.groups);
}

struct mb_ident_scope mb_ident_privileged(void)
{
	struct mb_ident_scope s = { .was = self.current };
	mb_ident_supervisor();
	return s;
}

void mb_ident_restore(struct mb_ident_scope *s)
{
	if (s->was)
		(void)mb_ident_server(s->was);
	s->was = NULL;
}
