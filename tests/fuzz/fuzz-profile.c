/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: mb_profile_load_buffer() on any input must return a
 * profile or one error line, never crash, leak or hand back half a profile.
 * Leading "#set NAME=VALUE" lines (YAML comments) become --set values, so
 * variables and their command-line checks are fuzzed too. Existence checks
 * and host resolution are off; fragments come only from the good fixtures'
 * runtimes/ (MB_FUZZ_INCLUDE_DIR), so no input reaches another file. */
#include <stdint.h>
#include <string.h>

#include "policy/profile.h"

#define MAX_SETS 4

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(bool cond)
{
	if (!cond)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char sets_buf[MAX_SETS][128];
	const char *sets[MAX_SETS + 1] = { 0 };
	size_t nsets = 0, off = 0;
	while (nsets < MAX_SETS && size - off > 5 && memcmp(data + off, "#set ", 5) == 0) {
		const uint8_t *nl = memchr(data + off, '\n', size - off);
		size_t len = (nl ? (size_t)(nl - data) : size) - off - 5;
		if (len >= sizeof(sets_buf[0]) || memchr(data + off + 5, '\0', len))
			break;
		memcpy(sets_buf[nsets], data + off + 5, len);
		sets_buf[nsets][len] = '\0';
		sets[nsets] = sets_buf[nsets];
		nsets++;
		off = nl ? (size_t)(nl - data) + 1 : size;
	}

	static const char *const include_dirs[] = { MB_FUZZ_INCLUDE_DIR, NULL };
	struct mb_load_opts o = {
		.sets = nsets ? sets : NULL,
		.include_dirs = include_dirs,
	};
	struct mb_profile *p = NULL;
	struct mb_error err = { 0 };
	int r = mb_profile_load_buffer("fuzz.yml", (const char *)data, size, &o, &p, &err);
	if (r < 0) {
		check(p == NULL);
		check(err.code == r);
		check(err.msg[0] != '\0' && !strchr(err.msg, '\n'));
		return 0;
	}
	check(r == 0 && p && p->version == 1 && p->name && p->files.n >= 1);
	mb_profile_free(p);
	return 0;
}
