/* SPDX-License-Identifier: Apache-2.0 */
/* Prints the key table (policy/profile-keys.h) for unit-profile-keys.sh, one
 * key a line, its columns separated by tabs: NAME PASS WHERE READER SUB
 * DRAFT MAN, where SUB is the keys its value takes, separated by spaces ("-":
 * none), and DRAFT "SECTION WRITER" or "never: WHY". */
#include <stdio.h>

#include "policy/load/load-internal.h"

#define DRAFT(section, writer) #section " " #writer
#define NO_DRAFT(why) "never: " why

static void print_names(const struct ld_names *sub)
{
	for (size_t i = 0; sub && i < sub->n; i++)
		printf("%s%s", i ? " " : "", sub->v[i]);
	if (!sub || !sub->n)
		putchar('-');
}

int main(void)
{
#define X(id, name, pass, where, read, sub, draft, man)           \
	printf("%s\t%s\t%s\t%s\t", name, #pass, #where, #read); \
	print_names(sub);                                       \
	printf("\t%s\t%s\n", draft, man);
	MB_PROFILE_KEYS(X)
#undef X
	return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
}
