/* SPDX-License-Identifier: Apache-2.0 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/which.h"

static bool executable_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

bool mb_which(const char *cmd, char *out, size_t outsz)
{
	const char *path = getenv("PATH");
	return mb_which_in(path ? path : "/usr/bin:/bin", cmd, out, outsz);
}

bool mb_which_in(const char *path, const char *cmd, char *out, size_t outsz)
{
	if (strchr(cmd, '/'))
		return snprintf(out, outsz, "%s", cmd) < (int)outsz && executable_file(out);
	for (const char *p = path; *p;) {
		size_t n = strcspn(p, ":");
		if (n && p[0] == '/' && snprintf(out, outsz, "%.*s/%s", (int)n, p, cmd) < (int)outsz &&
		    executable_file(out))
			return true;
		p += n + (p[n] == ':');
	}
	return false;
}
