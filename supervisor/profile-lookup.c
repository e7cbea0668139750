/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/strbuf.h"
#include "supervisor/profile-lookup.h"

static char user_dir[4096];

/* Is this membrane-run the one of its build tree (not installed)? Then the
 * source tree's profiles are the shipped ones: --profile NAME and
 * include: [node] work before make install. */
static bool from_build_tree(void)
{
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return false;
	exe[n] = '\0';
	char *slash = strrchr(exe, '/');
	if (!slash)
		return false;
	*slash = '\0';
	/* The binary sits at the top of the build tree (libtool does not wrap
	 * it), or a test program beneath it. */
	size_t bl = strlen(MB_BUILD_DIR);
	return strncmp(exe, MB_BUILD_DIR, bl) == 0 && (exe[bl] == '\0' || exe[bl] == '/');
}

const char *const *mb_profile_dirs(void)
{
	static const char *dirs[5];
	size_t n = 0;
	const char *xdg = getenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	user_dir[0] = '\0';
	if (xdg && xdg[0] == '/')
		snprintf(user_dir, sizeof(user_dir), "%s/membrane/profiles", xdg);
	else if (home && home[0] == '/')
		snprintf(user_dir, sizeof(user_dir), "%s/.config/membrane/profiles", home);
	/* A directory we cannot enter (HOME=/root for another user) holds
	 * nothing for us: searching it would only fail. */
	if (user_dir[0] && access(user_dir, X_OK) == 0)
		dirs[n++] = user_dir;
	dirs[n++] = MB_SYSCONF_PROFILES_DIR;
	dirs[n++] = MB_PROFILES_DIR;
	if (from_build_tree())
		dirs[n++] = MB_SOURCE_PROFILES_DIR;
	dirs[n] = NULL;
	return dirs;
}

static bool is_file(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

int mb_profile_lookup(const char *arg, char **ret, struct mb_error *err)
{
	if (strchr(arg, '/') || is_file(arg)) {
		*ret = strdup(arg);
		return *ret ? 0 : -ENOMEM;
	}
	struct mb_strbuf tried = { 0 };
	for (const char *const *d = mb_profile_dirs(); *d; d++) {
		char path[4096];
		if ((size_t)snprintf(path, sizeof(path), "%s/%s.yml", *d, arg) >= sizeof(path))
			continue;
		if (is_file(path)) {
			mb_strbuf_free(&tried);
			*ret = strdup(path);
			return *ret ? 0 : -ENOMEM;
		}
		mb_strbuf_printf(&tried, "%s%s", tried.len ? ", " : "", *d);
	}
	mb_error_set(err, -ENOENT, "profile '%s' not found: no %s.yml in %s (give a path, or install it there)",
		     arg, arg, tried.s ? tried.s : "");
	mb_strbuf_free(&tried);
	return -ENOENT;
}
