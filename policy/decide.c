/* SPDX-License-Identifier: Apache-2.0 */
/* The decision rule of policy/decide.h. */
#include <string.h>

#include "policy/decide.h"
#include "policy/match.h"

const char *mb_decision_rule_name(enum mb_decision_rule r)
{
	switch (r) {
	case MB_RULE_NONE: return "denied";
	case MB_RULE_GRANT: return "granted";
	case MB_RULE_LIST_ANCESTOR: return "listing of an ancestor of a granted path";
	case MB_RULE_MKDIR_ANCESTOR: return "creation of a missing ancestor of a write-granted path";
	case MB_RULE_LIST_GRANT: return "a directory opened itself, granted by list";
	case MB_RULE_RDWR: return "the read half of a read-write open, covered by a write grant";
	}
	return "?";
}

static bool within_arguments(const struct mb_profile *p, const char *path)
{
	for (size_t i = 0; p && i < p->within.n; i++)
		if (mb_path_match(p->within.v[i].text, path))
			return true;
	return false;
}

/* A pattern of cg for op that path is a proper ancestor of. */
static const struct mb_cpattern *ancestor_of(const struct mb_callgrants *cg, enum mb_op op,
					     const char *path)
{
	if (!cg)
		return NULL;
	mb_vec_foreach(cp, &cg->path[op]) {
		if (mb_path_match_ancestor(cp->text, path))
			return cp;
	}
	return NULL;
}

static bool found(struct mb_decision *d, enum mb_decision_rule rule, bool by_runtime,
		  enum mb_op op, const struct mb_cpattern *cp)
{
	*d = (struct mb_decision){ .rule = rule, .by_runtime = by_runtime, .op = op, .pattern = cp };
	return true;
}

bool mb_decide_path(const struct mb_callgrants *runtime, const struct mb_callgrants *call,
		    const struct mb_profile *p, enum mb_op op, enum mb_access access,
		    const char *path, struct mb_decision *ret)
{
	struct mb_decision dummy;
	struct mb_decision *d = ret ? ret : &dummy;
	*d = (struct mb_decision){ .rule = MB_RULE_NONE };
	if ((unsigned)op >= MB_PATH_OPS || !path || path[0] != '/')
		return false;

	const struct mb_cpattern *cp = NULL;
	if (mb_callgrants_allows_path(runtime, op, path, &cp))
		return found(d, MB_RULE_GRANT, true, op, cp);
	if (mb_callgrants_allows_path(call, op, path, &cp))
		return found(d, MB_RULE_GRANT, false, op, cp);

	if (op == MB_OP_READ && access != MB_ACCESS_RDWR) {
		if (mb_callgrants_allows_list(runtime, path, &cp))
			return found(d, MB_RULE_LIST_GRANT, true, op, cp);
		if (mb_callgrants_allows_list(call, path, &cp))
			return found(d, MB_RULE_LIST_GRANT, false, op, cp);
	}
	if (op == MB_OP_READ && access == MB_ACCESS_RDWR) {
		/* Opening a file to read and write it is writing it: what a
		 * write grant allows (the static layer grants read_file with
		 * write for this). */
		if (mb_callgrants_allows_path(runtime, MB_OP_WRITE, path, &cp))
			return found(d, MB_RULE_RDWR, true, MB_OP_WRITE, cp);
		if (mb_callgrants_allows_path(call, MB_OP_WRITE, path, &cp))
			return found(d, MB_RULE_RDWR, false, MB_OP_WRITE, cp);
	}

	bool list = access == MB_ACCESS_LIST && op == MB_OP_READ;
	bool make_dir = access == MB_ACCESS_MKDIR && op == MB_OP_WRITE;
	if ((!list && !make_dir) || !within_arguments(p, path))
		return false;
	enum mb_decision_rule rule = list ? MB_RULE_LIST_ANCESTOR : MB_RULE_MKDIR_ANCESTOR;
	if ((cp = ancestor_of(runtime, MB_OP_WRITE, path)))
		return found(d, rule, true, MB_OP_WRITE, cp);
	if ((cp = ancestor_of(call, MB_OP_WRITE, path)))
		return found(d, rule, false, MB_OP_WRITE, cp);
	if (!list)
		return false;
	if ((cp = ancestor_of(runtime, MB_OP_READ, path)))
		return found(d, rule, true, MB_OP_READ, cp);
	if ((cp = ancestor_of(call, MB_OP_READ, path)))
		return found(d, rule, false, MB_OP_READ, cp);
	return false;
}

bool mb_decide_addr(const struct mb_callgrants *runtime, const struct mb_callgrants *call,
		    enum mb_op op, const struct mb_addr *a, struct mb_decision *ret)
{
	struct mb_decision dummy;
	struct mb_decision *d = ret ? ret : &dummy;
	*d = (struct mb_decision){ .rule = MB_RULE_NONE };
	const struct mb_endpoint *ep = NULL;
	bool by_runtime = true;
	if (!mb_callgrants_allows_addr(runtime, op, a, &ep)) {
		by_runtime = false;
		if (!mb_callgrants_allows_addr(call, op, a, &ep))
			return false;
	}
	*d = (struct mb_decision){ .rule = MB_RULE_GRANT, .by_runtime = by_runtime, .op = op,
				   .endpoint = ep };
	return true;
}

bool mb_decide_name(const struct mb_callgrants *runtime, const struct mb_callgrants *call,
		    enum mb_op op, const char *name, uint16_t port, uint8_t proto,
		    struct mb_decision *ret)
{
	struct mb_decision dummy;
	struct mb_decision *d = ret ? ret : &dummy;
	*d = (struct mb_decision){ .rule = MB_RULE_NONE };
	const struct mb_endpoint *ep = NULL;
	bool by_runtime = true;
	if (!mb_callgrants_allows_name(runtime, op, name, port, proto, &ep)) {
		by_runtime = false;
		if (!mb_callgrants_allows_name(call, op, name, port, proto, &ep))
			return false;
	}
	*d = (struct mb_decision){ .rule = MB_RULE_GRANT, .by_runtime = by_runtime, .op = op,
				   .endpoint = ep };
	return true;
}
