/* SPDX-License-Identifier: Apache-2.0 */
/* What kind of address an IP address is, for the guards around names
 * (docs/design.md "Names"): an answer for a name that holds a loopback,
 * private, link-local, CGNAT or otherwise special address is refused
 * unless the profile's private_names lists the name (a public name that
 * answers 127.0.0.1 or 10.0.0.5 is DNS rebinding, or SSRF into the
 * local network), and a cloud metadata address is never reached through
 * a name, only through a grant of the address itself. Pure: the
 * supervisor's resolver, its broker and --lint share it. */
#pragma once

#include <stdbool.h>

#include "policy/match.h"

enum mb_addr_class {
	MB_CLASS_PUBLIC,
	MB_CLASS_LOOPBACK,    /* 127.0.0.0/8, ::1 */
	MB_CLASS_PRIVATE,     /* 10/8, 172.16/12, 192.168/16, fc00::/7, fec0::/10 */
	MB_CLASS_LINK_LOCAL,  /* 169.254/16, fe80::/10 */
	MB_CLASS_CGNAT,       /* 100.64.0.0/10 (RFC 6598) */
	MB_CLASS_SPECIAL,     /* unspecified (0/8, ::), multicast (224/4,
				ff00::/8), reserved (240/4, broadcast) */
	MB_CLASS_METADATA,    /* a cloud metadata service (mb_addr_metadata) */
};

/* The class of a (its port and protocol ignored). An IPv4 address inside
 * ::ffff:0:0/96 or the NAT64 prefix 64:ff9b::/96 is classed as the IPv4
 * address it carries: through NAT64, 64:ff9b::a9fe:a9fe is the metadata
 * service. */
enum mb_addr_class mb_addr_classify(const struct mb_addr *a);

/* "public", "loopback", "private", "link-local", "CGNAT", "special",
 * "cloud metadata". */
const char *mb_addr_class_name(enum mb_addr_class c);

/* The cloud metadata services, as text, NULL-terminated: AWS, GCP,
 * Azure, Oracle, DigitalOcean (169.254.169.254, and AWS's fd00:ec2::254),
 * AWS ECS task credentials (169.254.170.2), Alibaba (100.100.100.200),
 * Azure's wire server (168.63.129.16). */
extern const char *const mb_metadata_addrs[];
