/* SPDX-License-Identifier: Apache-2.0 */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>

#include "common/nettle-dl.h"

#define STR_(x) #x
#define STR(x) STR_(x) /* nettle's names are macros: the symbols' own names */

/* One library, opened once: its handle's symbols go to the caller's
 * table, and what could not be had is said in missing ("" when all was). */
struct lib {
	const char *soname, *package;
	pthread_once_t once;
	char missing[256];
};

static void *lib_open(struct lib *l)
{
	void *h = dlopen(l->soname, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		const char *e = dlerror();
		snprintf(l->missing, sizeof(l->missing), "%s (%s: install %s)", l->soname,
			 e ? e : "not found", l->package);
	}
	return h;
}

/* Sets *slot from h, or says which symbol is missing (the first one). */
static void lib_sym(struct lib *l, void *h, void **slot, const char *name)
{
	if (!l->missing[0] && !(*slot = dlsym(h, name)))
		snprintf(l->missing, sizeof(l->missing), "%s in %s", name, l->soname);
}

static struct mb_nettle nettle_fns;
static struct lib nettle = { MB_NETTLE_SONAME, "libnettle8", PTHREAD_ONCE_INIT, "" };

static void open_nettle(void)
{
	void *h = lib_open(&nettle);
	if (!h)
		return;
	lib_sym(&nettle, h, (void **)&nettle_fns.sha256_init, STR(sha256_init));
	lib_sym(&nettle, h, (void **)&nettle_fns.sha256_update, STR(sha256_update));
	lib_sym(&nettle, h, (void **)&nettle_fns.sha256_digest, STR(sha256_digest));
	lib_sym(&nettle, h, (void **)&nettle_fns.base64_decode_init, STR(base64_decode_init));
	lib_sym(&nettle, h, (void **)&nettle_fns.base64_decode_update, STR(base64_decode_update));
	lib_sym(&nettle, h, (void **)&nettle_fns.base64_decode_final, STR(base64_decode_final));
}

int mb_nettle_load(void)
{
	pthread_once(&nettle.once, open_nettle);
	return nettle.missing[0] ? -ELIBACC : 0;
}

const char *mb_nettle_error(void)
{
	return nettle.missing;
}

const struct mb_nettle *mb_nettle(void)
{
	return mb_nettle_load() < 0 ? NULL : &nettle_fns;
}

static struct mb_hogweed hogweed_fns;
static struct lib hogweed = { MB_HOGWEED_SONAME, "libhogweed6", PTHREAD_ONCE_INIT, "" };

static void open_hogweed(void)
{
	void *h = lib_open(&hogweed);
	if (!h)
		return;
	lib_sym(&hogweed, h, (void **)&hogweed_fns.public_key, STR(ed25519_sha512_public_key));
	lib_sym(&hogweed, h, (void **)&hogweed_fns.sign, STR(ed25519_sha512_sign));
	lib_sym(&hogweed, h, (void **)&hogweed_fns.verify, STR(ed25519_sha512_verify));
}

const struct mb_hogweed *mb_hogweed(void)
{
	pthread_once(&hogweed.once, open_hogweed);
	return hogweed.missing[0] ? NULL : &hogweed_fns;
}

const char *mb_hogweed_error(void)
{
	return hogweed.missing;
}
