/* SPDX-License-Identifier: Apache-2.0 */
/* Address classes (policy/addr-class.h). */
#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

#include "common/macros.h"
#include "policy/addr-class.h"

const char *const mb_metadata_addrs[] = {
	"169.254.169.254", "fd00:ec2::254", "169.254.170.2", "100.100.100.200", "168.63.129.16",
	NULL,
};

/* The address as IPv4 when it is one or carries one (mapped, NAT64). */
static bool as_v4(const struct mb_addr *a, uint8_t v4[4])
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };
	static const uint8_t nat64[12] = { 0x00, 0x64, 0xff, 0x9b };
	if (a->family == AF_INET) {
		memcpy(v4, a->addr, 4);
		return true;
	}
	if (memcmp(a->addr, mapped, 12) == 0 || memcmp(a->addr, nat64, 12) == 0) {
		memcpy(v4, a->addr + 12, 4);
		return true;
	}
	return false;
}

static bool is_metadata(int family, const uint8_t *addr)
{
	for (size_t i = 0; mb_metadata_addrs[i]; i++) {
		uint8_t m[16];
		const char *s = mb_metadata_addrs[i];
		int f = strchr(s, ':') ? AF_INET6 : AF_INET;
		if (f == family && inet_pton(f, s, m) == 1 &&
		    memcmp(m, addr, f == AF_INET ? 4 : 16) == 0)
			return true;
	}
	return false;
}

static enum mb_addr_class classify_v4(const uint8_t b[4])
{
	if (is_metadata(AF_INET, b))
		return MB_CLASS_METADATA;
	if (b[0] == 127)
		return MB_CLASS_LOOPBACK;
	if (b[0] == 10 || (b[0] == 172 && (b[1] & 0xf0) == 16) || (b[0] == 192 && b[1] == 168))
		return MB_CLASS_PRIVATE;
	if (b[0] == 169 && b[1] == 254)
		return MB_CLASS_LINK_LOCAL;
	if (b[0] == 100 && (b[1] & 0xc0) == 64)
		return MB_CLASS_CGNAT;
	if (b[0] == 0 || b[0] >= 224)
		return MB_CLASS_SPECIAL;
	return MB_CLASS_PUBLIC;
}

enum mb_addr_class mb_addr_classify(const struct mb_addr *a)
{
	uint8_t v4[4];
	if (as_v4(a, v4))
		return classify_v4(v4);
	const uint8_t *b = a->addr;
	static const uint8_t zero[16], one[16] = { [15] = 1 };
	if (is_metadata(AF_INET6, b))
		return MB_CLASS_METADATA;
	if (memcmp(b, one, 16) == 0)
		return MB_CLASS_LOOPBACK;
	if (memcmp(b, zero, 16) == 0 || b[0] == 0xff)
		return MB_CLASS_SPECIAL;
	if ((b[0] & 0xfe) == 0xfc || (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0))
		return MB_CLASS_PRIVATE;
	if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
		return MB_CLASS_LINK_LOCAL;
	return MB_CLASS_PUBLIC;
}

const char *mb_addr_class_name(enum mb_addr_class c)
{
	static const char *const names[] = {
		[MB_CLASS_PUBLIC] = "public",         [MB_CLASS_LOOPBACK] = "loopback",
		[MB_CLASS_PRIVATE] = "private",       [MB_CLASS_LINK_LOCAL] = "link-local",
		[MB_CLASS_CGNAT] = "CGNAT",           [MB_CLASS_SPECIAL] = "special",
		[MB_CLASS_METADATA] = "cloud metadata",
	};
	return (unsigned)c < ARRAY_SIZE(names) ? names[c] : "?";
}
