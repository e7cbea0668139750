/* SPDX-License-Identifier: Apache-2.0 */
/* Without libFuzzer: run a fuzz target over its seed corpus once, as a TAP
 * test, so that every input ever saved (seeds and past crashes) stays a
 * regression test in an ordinary make check. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/tap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int byname(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* MB_FUZZ_CORPUS: the corpus directory, relative to $top_srcdir. */
int main(void)
{
	const char *top = getenv("top_srcdir");
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s/%s", top ? top : ".", MB_FUZZ_CORPUS);
	struct dirent **names;
	int n = scandir(dir, &names, NULL, byname);
	if (!ok(n > 0, "corpus %s is not empty", dir))
		return done_testing();
	for (int i = 0; i < n; i++) {
		char path[8192];
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]->d_name);
		FILE *f = names[i]->d_name[0] == '.' ? NULL : fopen(path, "rb");
		if (f) {
			static uint8_t buf[1 << 20];
			size_t len = fread(buf, 1, sizeof(buf), f);
			fclose(f);
			/* A crash or a trap ends the run: the plan is never
			 * printed and the test fails. */
			LLVMFuzzerTestOneInput(buf, len);
			ok(true, "%s", names[i]->d_name);
		}
		free(names[i]);
	}
	free(names);
	return done_testing();
}
