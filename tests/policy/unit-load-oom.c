/* SPDX-License-Identifier: Apache-2.0 */
/* Every allocation of a load fails in turn: the loader must return -ENOMEM
 * (never crash, never hand back a profile) and free everything it took. The
 * allocator is replaced (glibc allows it and routes its own strdup,
 * asprintf... through it); it counts live blocks, so a leak on any of these
 * error paths shows as a count that does not return to where it was. */
#include <errno.h>

#include "tests/policy/profile-test.h"

#if defined(__SANITIZE_ADDRESS__)
#define MB_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MB_SANITIZED 1
#endif
#endif

#ifndef MB_SANITIZED
extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t n);
extern void __libc_free(void *p);

static long fail_at = -1, calls, live;

static bool injected(void)
{
	if (fail_at < 0 || ++calls != fail_at)
		return false;
	errno = ENOMEM;
	return true;
}

void *malloc(size_t n)
{
	if (injected())
		return NULL;
	void *p = __libc_malloc(n);
	live += p != NULL;
	return p;
}

void *calloc(size_t n, size_t size)
{
	if (injected())
		return NULL;
	void *p = __libc_calloc(n, size);
	live += p != NULL;
	return p;
}

void *realloc(void *p, size_t n)
{
	if (injected())
		return NULL;
	void *q = __libc_realloc(p, n);
	if (!p && q)
		live++;
	else if (p && !q && n == 0)
		live--;
	return q;
}

void free(void *p)
{
	if (p)
		live--;
	__libc_free(p);
}

struct run {
	int r;
	bool got_profile;
	long allocations;
};

static struct run load(const char *path, const char *const *sets, long fail)
{
	struct mb_load_opts o = { .sets = sets, .check_existence = true };
	struct mb_profile *p = NULL;
	struct mb_error err = { 0 };
	calls = 0;
	fail_at = fail;
	int r = mb_profile_load(path, &o, &p, &err);
	fail_at = -1;
	struct run out = { .r = r, .got_profile = p != NULL, .allocations = calls };
	mb_profile_free(p);
	return out;
}

/* Load rel with each allocation failing in turn. want: what a load without
 * failures returns (0, or the error of a broken profile). */
static void exhaust(const char *rel, const char *const *sets, int want)
{
	char *path = fixture(rel);
	long before = live;
	fail_at = 0; /* count, fail nothing */
	struct run clean = load(path, sets, 0);
	ok(clean.r == want && live == before, "%s: %d without failures, nothing left", rel, want);
	long bad = 0, leaks = 0, profiles = 0;
	for (long n = 1; n <= clean.allocations; n++) {
		before = live;
		struct run run = load(path, sets, n);
		/* A failure may land in a clean-up or a message, after the
		 * verdict: then the verdict stands. */
		if (run.r != -ENOMEM && run.r != want)
			bad++;
		if (run.got_profile && run.r < 0)
			profiles++;
		if (live != before)
			leaks++;
	}
	ok(bad == 0, "%s: each of %ld failed allocations gives -ENOMEM (%ld did not)", rel,
	   clean.allocations, bad);
	ok(profiles == 0, "%s: no partial profile handed back", rel);
	ok(leaks == 0, "%s: nothing leaked on any of them (%ld leaked)", rel, leaks);
	ok(clean.allocations > 20, "%s: %ld allocations exercised", rel, clean.allocations);
	free(path);
}

int main(void)
{
	const char *const vars_sets[] = { "ROOT=/usr", "ONLY_SET=x", NULL };
	const char *const unknown_set[] = { "ROOTT=/srv", NULL };
	printf("# warming stdio up\n"); /* its buffer is allocated once, here */
	exhaust("good/full.yml", NULL, 0);
	exhaust("good/vars.yml", vars_sets, 0);
	exhaust("bad/var-cycle.yml", NULL, -EINVAL);
	exhaust("bad/include-cycle.yml", NULL, -ELOOP);
	exhaust("bad/include-fragment-var.yml", NULL, -EINVAL);
	exhaust("bad/duplicate-env-fragment.yml", NULL, -EINVAL);
	exhaust("bad/unknown-key.yml", NULL, -EINVAL);
	exhaust("bad/placeholder-kind.yml", NULL, -EINVAL);
	exhaust("bad/set-unknown.yml", unknown_set, -EINVAL);
	exhaust("bad/syntax-flow.yml", NULL, -EINVAL);
	exhaust("bad/include-unknown.yml", NULL, -ENOENT);
	exhaust("bad/undefined-var.yml", NULL, -EINVAL);
	exhaust("bad/duplicate-tool.yml", NULL, -EINVAL);
	exhaust("bad/endpoint-host-bits-v6.yml", NULL, -EINVAL);
	exhaust("good/tests.yml", NULL, 0);
	exhaust("bad/tests-arguments-duplicate.yml", NULL, -EINVAL);
	exhaust("bad/tests-target-cidr.yml", NULL, -EINVAL);
	return done_testing();
}
#else
int main(void)
{
	/* The sanitizers own malloc in this build: the fuzzer and the
	 * sanitized run of the other tests cover leaks here. */
	printf("1..0 # SKIP allocation failures need glibc's allocator, not a sanitizer's\n");
	return 0;
}
#endif
