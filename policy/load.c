/* Placeholder until the profile loader lands (issue 2, in progress). */
#include "policy/profile.h"

int mb_profile_load(const char *path, const struct mb_load_opts *opts, struct mb_profile **ret,
		    struct mb_error *err)
{
	return mb_error_set(err, -ENOSYS, "%s: the profile loader is not built yet", path);
}
