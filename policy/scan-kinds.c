/* SPDX-License-Identifier: Apache-2.0 */
/* The kinds of policy/scan-kinds.h: names, classes, groups. */
#include <errno.h>
#include <string.h>

#include "common/macros.h"
#include "policy/scan-kinds.h"

#define WHERE_CONTRACT MB_SCAN_IN_CONTRACT
#define WHERE_ANSWERS MB_SCAN_IN_ANSWERS
#define WHERE_BOTH (MB_SCAN_IN_CONTRACT | MB_SCAN_IN_ANSWERS)

static const struct {
	const char *name, *desc;
	enum mb_scan_class cls;
	unsigned where;
} kinds[MB_SCAN_KIND_COUNT] = {
#define X(id, name, cls, where, desc) \
	[MB_SCAN_##id] = { name, desc, MB_SCAN_CLASS_##cls, WHERE_##where },
	MB_SCAN_KINDS(X)
#undef X
};

const char *mb_scan_kind_name(enum mb_scan_kind k)
{
	return (unsigned)k < MB_SCAN_KIND_COUNT ? kinds[k].name : "?";
}

const char *mb_scan_kind_desc(enum mb_scan_kind k)
{
	return (unsigned)k < MB_SCAN_KIND_COUNT ? kinds[k].desc : "?";
}

enum mb_scan_class mb_scan_kind_class(enum mb_scan_kind k)
{
	return kinds[k].cls;
}

unsigned mb_scan_kind_where(enum mb_scan_kind k)
{
	return kinds[k].where;
}

int mb_scan_kind_from_name(const char *name, enum mb_scan_kind *ret)
{
	for (unsigned k = 0; k < MB_SCAN_KIND_COUNT; k++)
		if (strcmp(kinds[k].name, name) == 0) {
			*ret = (enum mb_scan_kind)k;
			return 0;
		}
	return -EINVAL;
}

int mb_scan_group_has(const char *group, enum mb_scan_kind k, bool *ret)
{
	static const struct {
		const char *name;
		int cls; /* -1: every class */
	} groups[] = {
		{ "all", -1 },
		{ "hidden", MB_SCAN_CLASS_HIDDEN },
		{ "markup", MB_SCAN_CLASS_MARKUP },
		{ "instructions", MB_SCAN_CLASS_PHRASE },
		{ "secrets", MB_SCAN_CLASS_SECRET },
	};
	for (size_t i = 0; i < ARRAY_SIZE(groups); i++)
		if (strcmp(groups[i].name, group) == 0) {
			*ret = groups[i].cls < 0 || (int)kinds[k].cls == groups[i].cls;
			return 0;
		}
	return -EINVAL;
}

const char *mb_scan_action_name(enum mb_scan_action a)
{
	static const char *const names[] = {
		[MB_SCAN_REPORT] = "report", [MB_SCAN_STRIP] = "strip", [MB_SCAN_HIDE] = "hide",
		[MB_SCAN_REDACT] = "redact", [MB_SCAN_REFUSE] = "refuse",
	};
	return (unsigned)a < ARRAY_SIZE(names) ? names[a] : "?";
}
