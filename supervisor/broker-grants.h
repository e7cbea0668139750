/* The broker's hooks (broker.h) as membrane-run answers them until the
 * correlator does (issue 5): the grants in force for a network operation
 * are runtime's endpoints and those of every client request in flight (a
 * tools/call's tool, another method's entry under requests:); endpoints
 * hold no placeholders, so no call's arguments are needed. The static
 * union (every scope of the profile) answers MB_NET_GRANTED_STATIC, which
 * audit mode lets through. Reports are "violation" lines of Reports v1
 * with the requests in flight. */
#pragma once

#include <cjson/cJSON.h>

#include "policy/profile.h"
#include "supervisor/broker.h"
#include "supervisor/inflight.h"

struct mb_broker_grants {
	const struct mb_profile *profile;
	const struct mb_inflight *inflight; /* NULL: nothing in flight */
	/* One report line (fields not consumed): 0 or -errno. */
	int (*report)(void *ud, const char *event, const cJSON *fields);
	void *report_ud;
	char exe[4096];
};

enum mb_net_grant mb_broker_grants_granted(void *ud, const struct mb_notified_op *op, enum mb_op o,
					   const struct mb_addr *a);
int mb_broker_grants_report(void *ud, const struct mb_notified_op *op, enum mb_op o,
			    const struct mb_addr *a, const struct mb_net_outcome *out);
