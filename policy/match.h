/* The matcher: does a set of grants allow op X on target Y? It is on the
 * notification hot path, so queries never allocate: targets are normalised
 * into caller buffers and patterns are matched in place.
 *
 * Pattern syntax (after placeholders are filled): an absolute path whose
 * components may hold '*' (any run of bytes except '/', within that component
 * only); '\' makes the next byte literal, so argument values that contain '*'
 * or '\' are escaped when substituted. A pattern grants the path it names and
 * everything beneath it. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy/profile.h"

/* Lexical normalisation of an absolute path: duplicate slashes folded, "."
 * dropped, ".." pops a component (never above "/"), no trailing slash except
 * for "/" itself. out may alias in; outsz >= strlen(in) + 1 always suffices.
 * Returns the length, -EINVAL for a path that is not absolute, or
 * -ENAMETOOLONG if outsz is too small. */
int mb_path_normalize(const char *in, char *out, size_t outsz);

/* Does pattern (normalised, may hold globs and escapes) grant path (normalised,
 * literal)? */
bool mb_path_match(const char *pattern, const char *path);

/* Is path equal to or beneath dir (both normalised, literal)? Component-aware:
 * /srv/mcp2 is not beneath /srv/mcp. */
bool mb_path_within(const char *path, const char *dir);

/* A concrete network target: IPv4-mapped IPv6 addresses are folded to IPv4 by
 * mb_addr_set_*() so that ::ffff:10.0.0.1 is matched as 10.0.0.1. */
struct mb_addr {
	int family; /* AF_INET or AF_INET6 */
	uint8_t addr[16];
	uint16_t port;
};

/* Fill from a raw address in network byte order. */
void mb_addr_set_v4(struct mb_addr *a, const uint8_t ip[4], uint16_t port);
void mb_addr_set_v6(struct mb_addr *a, const uint8_t ip[16], uint16_t port);
/* "1.2.3.4:80" or "[::1]:80" into buf (at least 64 bytes). */
const char *mb_addr_format(const struct mb_addr *a, char *buf, size_t bufsz);

bool mb_endpoint_match(const struct mb_endpoint *ep, const struct mb_addr *a);
