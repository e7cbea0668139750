/* SPDX-License-Identifier: Apache-2.0 */
/* Baselines (membrane-audit baseline, man/membrane-audit.1 BASELINES):
 * what each tool did in past sessions, read back at start, and the test
 * that a session departs from it. The numbers are the baseline's largest
 * (max); a value departs when it is above factor times that, so a tool
 * that never connected departs at its first connect. */
#pragma once

#include <stdint.h>

#include "common/error.h"

enum mb_anomaly_metric {
	MB_METRIC_PER_MINUTE,  /* calls started within 60 seconds */
	MB_METRIC_PER_SESSION, /* calls in the session */
	MB_METRIC_BYTES_IN,    /* one call's: the request */
	MB_METRIC_BYTES_OUT,   /* ... the answer */
	MB_METRIC_READ,        /* ... reads it did */
	MB_METRIC_WRITE,
	MB_METRIC_EXEC,
	MB_METRIC_CONNECT,
	MB_METRIC_UNSEEN,      /* a tool the baseline never saw */
	MB_METRIC_COUNT_,
};

const char *mb_anomaly_metric_name(enum mb_anomaly_metric m);

struct mb_baseline_tool {
	char *name;
	double max[MB_METRIC_COUNT_]; /* the baseline's largest of each (not UNSEEN) */
};

struct mb_baseline {
	struct mb_baseline_tool *tools;
	size_t n;
	uint64_t sessions, calls;
};

/* Read a baseline file. Returns 0, or -errno with err naming the file and
 * what is wrong with it. */
int mb_baseline_load(const char *path, struct mb_baseline **ret, struct mb_error *err);
/* The same from memory (tests). */
int mb_baseline_parse(const char *name, const char *text, size_t len, struct mb_baseline **ret,
		      struct mb_error *err);
const struct mb_baseline_tool *mb_baseline_tool(const struct mb_baseline *b, const char *name);
void mb_baseline_free(struct mb_baseline *b);
