/* SPDX-License-Identifier: Apache-2.0 */
/* Ed25519 keys and checkpoint signatures (report/report-sign.h), with
 * nettle's ed25519_sha512. The key formats are parsed by their fixed DER
 * prefixes: an Ed25519 PKCS#8 or SPKI structure has exactly one shape
 * (RFC 8410), so a prefix compare is a complete parse, and anything else is
 * refused rather than guessed at.
 *
 * Ed25519 is in hogweed, opened with dlopen when a key is first loaded
 * (common/nettle-dl.h). Every key comes from mb_report_key_load, which fails
 * when hogweed cannot be loaded, so signing and verifying always have it. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "common/macros.h"
#include "common/nettle-dl.h"
#include "common/sha256.h"
#include "report/report-sign.h"

#define KEY_FILE_MAX 16384

/* RFC 8410: OneAsymmetricKey v1 (48 bytes) or v2 with the public key
 * (83 bytes) share everything after the outer SEQUENCE's header up to the
 * seed, but the version. */
static const uint8_t pkcs8_v1[] = { 0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06,
				    0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20 };
static const uint8_t pkcs8_v2[] = { 0x30, 0x51, 0x02, 0x01, 0x01, 0x30, 0x05, 0x06,
				    0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20 };
static const uint8_t spki[] = { 0x30, 0x2a, 0x30, 0x05, 0x06, 0x03,
				0x2b, 0x65, 0x70, 0x03, 0x21, 0x00 };

static void to_hex(const uint8_t *b, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[b[i] >> 4];
		out[2 * i + 1] = hex[b[i] & 15];
	}
	out[2 * n] = '\0';
}

static int from_hex(const char *s, size_t n, uint8_t *out)
{
	for (size_t i = 0; i < n; i++) {
		int v = 0;
		for (int j = 0; j < 2; j++) {
			int d = mb_hexval(s[2 * i + j]);
			if (d < 0)
				return -EINVAL;
			v = v * 16 + d;
		}
		out[i] = (uint8_t)v;
	}
	return 0;
}

static int set_id(struct mb_report_key *k)
{
	char h[65];
	int r = mb_sha256_hex(k->pub, sizeof(k->pub), h);
	if (r < 0)
		return r;
	memcpy(k->id, h, 16);
	k->id[16] = '\0';
	return 0;
}

/* The PEM block labelled label, decoded into der. Returns its length or
 * -EINVAL. */
static ssize_t pem_block(const char *text, const char *label, uint8_t *der, size_t size)
{
	char begin[64], end[64];
	snprintf(begin, sizeof(begin), "-----BEGIN %s-----", label);
	snprintf(end, sizeof(end), "-----END %s-----", label);
	const char *b = strstr(text, begin), *e;
	if (!b)
		return -ENOENT;
	b += strlen(begin);
	if (!(e = strstr(b, end)))
		return -EINVAL;
	size_t len = (size_t)(e - b);
	if (BASE64_DECODE_LENGTH(len) > size)
		return -EINVAL;
	const struct mb_nettle *nt = mb_nettle();
	if (!nt)
		return -ELIBACC;
	struct base64_decode_ctx ctx;
	size_t out = 0;
	nt->base64_decode_init(&ctx);
	if (!nt->base64_decode_update(&ctx, &out, der, len, b) || !nt->base64_decode_final(&ctx))
		return -EINVAL;
	return (ssize_t)out;
}

static int parse_key(const char *text, bool want_private, struct mb_report_key *k,
		     const char **why)
{
	uint8_t der[256];
	ssize_t n = pem_block(text, "PRIVATE KEY", der, sizeof(der));
	if (n >= 0) {
		if (!((n == 48 && memcmp(der, pkcs8_v1, sizeof(pkcs8_v1)) == 0) ||
		      (n == 83 && memcmp(der, pkcs8_v2, sizeof(pkcs8_v2)) == 0)))
			return *why = "not an Ed25519 private key", -EINVAL;
		memcpy(k->priv, der + 16, 32);
		k->has_priv = true;
		explicit_bzero(der, sizeof(der));
		mb_hogweed()->public_key(k->pub, k->priv);
		return 0;
	}
	if (n == -ELIBACC)
		return *why = mb_nettle_error(), -ELIBACC;
	if (n != -ENOENT)
		return *why = "a PEM block that does not decode", -EINVAL;
	n = pem_block(text, "PUBLIC KEY", der, sizeof(der));
	if (n >= 0) {
		if (want_private)
			return *why = "a public key, where the private key is needed to sign", -EINVAL;
		if (n != 44 || memcmp(der, spki, sizeof(spki)) != 0)
			return *why = "not an Ed25519 public key", -EINVAL;
		memcpy(k->pub, der + 12, 32);
		return 0;
	}
	if (n == -ELIBACC)
		return *why = mb_nettle_error(), -ELIBACC;
	if (n != -ENOENT)
		return *why = "a PEM block that does not decode", -EINVAL;
	/* 64 hex digits, whitespace around them ignored. */
	const char *s = text + strspn(text, " \t\r\n");
	size_t len = strcspn(s, " \t\r\n");
	if (len != 64 || s[len + strspn(s + len, " \t\r\n")] != '\0')
		return *why = "neither PEM (openssl genpkey -algorithm ed25519) nor 64 hex digits",
		       -EINVAL;
	if (from_hex(s, 32, want_private ? k->priv : k->pub) < 0)
		return *why = "not hexadecimal", -EINVAL;
	if (want_private) {
		k->has_priv = true;
		mb_hogweed()->public_key(k->pub, k->priv);
	}
	return 0;
}

int mb_report_key_load(const char *spec, bool want_private, struct mb_report_key *ret,
		       struct mb_error *err)
{
	char path[4096];
	const char *what = want_private ? "--sign-key" : "--key";
	if (!mb_hogweed())
		return mb_error_set(err, -ELIBACC,
				    "%s: Ed25519 needs nettle's hogweed, and cannot load %s", what,
				    mb_hogweed_error());
	if (strncmp(spec, "credential:", 11) == 0) {
		const char *dir = getenv("CREDENTIALS_DIRECTORY");
		if (!dir || !*dir)
			return mb_error_set(err, -ENOENT,
					    "%s %s: $CREDENTIALS_DIRECTORY is not set (systemd sets it "
					    "for a service with LoadCredential=%s:PATH)",
					    what, spec, spec + 11);
		if (!spec[11] || strchr(spec + 11, '/'))
			return mb_error_set(err, -EINVAL, "%s %s: a credential is named by one file name",
					    what, spec);
		snprintf(path, sizeof(path), "%s/%s", dir, spec + 11);
	} else {
		snprintf(path, sizeof(path), "%s", spec);
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return mb_error_set(err, mb_neg_errno(), "%s %s: %s (give the key's file%s)", what,
				    path, strerror(errno),
				    want_private ? "; make one with openssl genpkey -algorithm ed25519"
						 : "");
	char buf[KEY_FILE_MAX + 1];
	ssize_t n = read(fd, buf, sizeof(buf));
	int e = n < 0 ? mb_neg_errno() : 0;
	mb_close(fd);
	if (e < 0 || n > KEY_FILE_MAX) {
		explicit_bzero(buf, sizeof(buf));
		return mb_error_set(err, e < 0 ? e : -EFBIG, "%s %s: %s", what, path,
				    e < 0 ? strerror(-e) : "too large for a key");
	}
	buf[n] = '\0';
	struct mb_report_key k = { 0 };
	const char *why = NULL;
	int r = parse_key(buf, want_private, &k, &why);
	explicit_bzero(buf, sizeof(buf));
	if (r < 0) {
		explicit_bzero(&k, sizeof(k));
		return mb_error_set(err, r, "%s %s: %s", what, path, why);
	}
	r = set_id(&k);
	if (r < 0) {
		explicit_bzero(&k, sizeof(k));
		return mb_error_set(err, r, "%s %s: its key id: cannot load %s", what, path,
				    mb_nettle_error());
	}
	*ret = k;
	explicit_bzero(&k, sizeof(k));
	return 0;
}

void mb_report_key_wipe(struct mb_report_key *k)
{
	explicit_bzero(k->priv, sizeof(k->priv));
	k->has_priv = false;
}

size_t mb_report_checkpoint_text(char *buf, size_t size, const char *session, uint64_t seq,
				 const char *head)
{
	int n = snprintf(buf, size, "membrane-checkpoint/1 %s %llu %s", session,
			 (unsigned long long)seq, head);
	return n < 0 ? 0 : MB_MIN((size_t)n, size - 1);
}

void mb_report_sign(const struct mb_report_key *k, const char *msg, size_t len,
		    char sig[MB_REPORT_SIG_HEX])
{
	uint8_t s[ED25519_SIGNATURE_SIZE];
	mb_hogweed()->sign(k->pub, k->priv, len, (const uint8_t *)msg, s);
	to_hex(s, sizeof(s), sig);
}

bool mb_report_sig_valid(const struct mb_report_key *k, const char *msg, size_t len,
			 const char *sig_hex)
{
	uint8_t s[ED25519_SIGNATURE_SIZE];
	if (!sig_hex || strlen(sig_hex) != 2 * sizeof(s) || from_hex(sig_hex, sizeof(s), s) < 0)
		return false;
	return mb_hogweed()->verify(k->pub, len, (const uint8_t *)msg, s) == 1;
}
