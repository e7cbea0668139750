/* SPDX-License-Identifier: Apache-2.0 */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>

#include "common/nettle-dl.h"

#define STR_(x) #x
#define STR(x) STR_(x) /* nettle's names are macros: the symbols' own names */

static struct mb_nettle fns;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static char missing[256]; /* what could not be had, or "" */

/* Sets *slot from h, or says which symbol is missing. */
static void sym(void *h, void **slot, const char *name)
{
	if (!missing[0] && !(*slot = dlsym(h, name)))
		snprintf(missing, sizeof(missing), "%s in %s", name, MB_NETTLE_SONAME);
}

static void open_nettle(void)
{
	void *h = dlopen(MB_NETTLE_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		const char *e = dlerror();
		snprintf(missing, sizeof(missing), "%s (%s: install libnettle8)", MB_NETTLE_SONAME,
			 e ? e : "not found");
		return;
	}
	sym(h, (void **)&fns.sha256_init, STR(sha256_init));
	sym(h, (void **)&fns.sha256_update, STR(sha256_update));
	sym(h, (void **)&fns.sha256_digest, STR(sha256_digest));
	sym(h, (void **)&fns.base64_decode_init, STR(base64_decode_init));
	sym(h, (void **)&fns.base64_decode_update, STR(base64_decode_update));
	sym(h, (void **)&fns.base64_decode_final, STR(base64_decode_final));
}

int mb_nettle_load(void)
{
	pthread_once(&once, open_nettle);
	return missing[0] ? -ELIBACC : 0;
}

const char *mb_nettle_error(void)
{
	return missing;
}

const struct mb_nettle *mb_nettle(void)
{
	return mb_nettle_load() < 0 ? NULL : &fns;
}
