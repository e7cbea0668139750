/* Placeholder until the plan compiler lands (issue 2, in progress). */
#include "policy/plan.h"

int mb_plan_compile(const struct mb_profile *p, char *const *envp, struct mb_plan **ret,
		    struct mb_error *err)
{
	return mb_error_set(err, -ENOSYS, "the plan compiler is not built yet");
}

void mb_plan_free(struct mb_plan *plan)
{
}
