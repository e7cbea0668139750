/* SPDX-License-Identifier: Apache-2.0 */
/* Signed checkpoints (report/report-sign.h): keys in each format read to
 * the same key (RFC 8032's first test vector, whose signature of the empty
 * message is checked too), one-line errors for what is not a key, systemd's
 * credentials, and the reporter's checkpoint lines: every N lines and at
 * the end, each signing its own prev at its own place. */
#include <fcntl.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "common/sha256.h"
#include "report/report.h"
#include "report/report-sign.h"
#include "tests/tap.h"

static char dir[] = "/tmp/test-report-sign.XXXXXX";

#define SEED "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"
#define PUB "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
#define SIG_EMPTY                                                                          \
	"e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc6" \
	"1e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
#define KEY_ID "21fe31dfa154a261"
#define PEM_PRIV                                                                           \
	"-----BEGIN PRIVATE KEY-----\n"                                                    \
	"MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n"                 \
	"-----END PRIVATE KEY-----\n"
#define PEM_PUB                                                                            \
	"-----BEGIN PUBLIC KEY-----\n"                                                     \
	"MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n"                     \
	"-----END PUBLIC KEY-----\n"

static const char *put(const char *name, const char *text)
{
	static char path[256];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		abort();
	return path;
}

static void pub_hex(const struct mb_report_key *k, char out[65])
{
	for (int i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", k->pub[i]);
}

static void test_formats(void)
{
	static const struct {
		const char *name, *text;
		bool priv;
	} keys[] = {
		{ "priv.pem", PEM_PRIV, true },
		{ "priv.hex", SEED "\n", true },
		{ "pub.pem", PEM_PUB, false },
		{ "pub.hex", "  " PUB "  \n", false },
		{ "priv-as-pub.pem", PEM_PRIV, false },
	};
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		struct mb_report_key k;
		struct mb_error err = { 0 };
		char hex[65];
		int r = mb_report_key_load(put(keys[i].name, keys[i].text), keys[i].priv, &k, &err);
		if (!ok(r == 0, "%s reads (%s)", keys[i].name, err.msg))
			continue;
		pub_hex(&k, hex);
		is_str(hex, PUB, "%s: the public key of RFC 8032's first vector", keys[i].name);
		is_str(k.id, KEY_ID, "%s: key_id is the start of the public key's SHA-256",
		       keys[i].name);
		if (keys[i].priv) {
			char sig[MB_REPORT_SIG_HEX];
			mb_report_sign(&k, "", 0, sig);
			is_str(sig, SIG_EMPTY, "%s: signs the empty message as RFC 8032 says",
			       keys[i].name);
		}
		ok(mb_report_sig_valid(&k, "", 0, SIG_EMPTY), "%s: verifies RFC 8032's signature",
		   keys[i].name);
		ok(!mb_report_sig_valid(&k, "x", 1, SIG_EMPTY), "%s: not for another message",
		   keys[i].name);
	}
}

static void test_errors(void)
{
	static const struct {
		const char *name, *text;
		bool priv;
		const char *want;
	} bad[] = {
		{ "pub-to-sign.pem", PEM_PUB, true,
		  "a public key, where the private key is needed to sign" },
		{ "rsa.pem", "-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----\n", true,
		  "not an Ed25519 private key" },
		{ "junk.txt", "hello\n", true,
		  "neither PEM (openssl genpkey -algorithm ed25519) nor 64 hex digits" },
		{ "short.hex", "abcd\n", false,
		  "neither PEM (openssl genpkey -algorithm ed25519) nor 64 hex digits" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct mb_report_key k;
		struct mb_error err = { 0 };
		const char *path = put(bad[i].name, bad[i].text);
		char want[512];
		snprintf(want, sizeof(want), "%s %s: %s", bad[i].priv ? "--sign-key" : "--key", path,
			 bad[i].want);
		ok(mb_report_key_load(path, bad[i].priv, &k, &err) == -EINVAL, "%s is refused",
		   bad[i].name);
		is_str(err.msg, want, "%s: one line naming the file", bad[i].name);
	}
	struct mb_report_key k;
	struct mb_error err = { 0 };
	char missing[256];
	snprintf(missing, sizeof(missing), "%s/none.pem", dir);
	ok(mb_report_key_load(missing, true, &k, &err) == -ENOENT && strstr(err.msg, "openssl genpkey"),
	   "a missing key says how to make one (%s)", err.msg);
}

static void test_credential(void)
{
	struct mb_report_key k;
	struct mb_error err = { 0 };
	unsetenv("CREDENTIALS_DIRECTORY");
	ok(mb_report_key_load("credential:sign", true, &k, &err) == -ENOENT &&
		   strstr(err.msg, "LoadCredential=sign:PATH"),
	   "credential: without $CREDENTIALS_DIRECTORY names LoadCredential (%s)", err.msg);
	put("sign", PEM_PRIV);
	setenv("CREDENTIALS_DIRECTORY", dir, 1);
	ok(mb_report_key_load("credential:sign", true, &k, &err) == 0 && strcmp(k.id, KEY_ID) == 0,
	   "credential:sign reads $CREDENTIALS_DIRECTORY/sign");
	ok(mb_report_key_load("credential:../sign", true, &k, &err) == -EINVAL,
	   "a credential is one file name (%s)", err.msg);
	unsetenv("CREDENTIALS_DIRECTORY");
}

static void test_checkpoints(void)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/r.jsonl", dir);
	struct mb_reporter *r = NULL;
	struct mb_error err = { 0 };
	struct mb_report_key k;
	if (mb_reporter_open(path, "p", MB_MODE_ENFORCE, &r, &err) < 0 ||
	    mb_report_key_load(put("k.pem", PEM_PRIV), true, &k, &err) < 0)
		abort(); /* set-up: nothing to test without it */
	mb_reporter_set_signer(r, &k, 3);
	is_int(mb_reporter_checkpoint(r), 0, "nothing to sign yet: no checkpoint");
	for (int i = 0; i < 7; i++)
		if (mb_reporter_emit(r, "call", NULL) < 0)
			abort();
	is_int(mb_reporter_checkpoint(r), 0, "the last line is signed at the end");
	is_int(mb_reporter_checkpoint(r), 0, "... once");
	mb_reporter_close(r);
	FILE *f = fopen(path, "r");
	char line[4096], prev_hash[65] = "", want_events[] = "cccCcccCcC";
	int n = 0, good = 0;
	k.has_priv = false;
	while (f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		cJSON *o = cJSON_Parse(line);
		const char *ev = cJSON_GetStringValue(cJSON_GetObjectItem(o, "event"));
		bool cp = ev && strcmp(ev, "checkpoint") == 0;
		if (n < 10 && cp == (want_events[n] == 'C') && cp) {
			const char *head = cJSON_GetStringValue(cJSON_GetObjectItem(o, "head"));
			const char *prev = cJSON_GetStringValue(cJSON_GetObjectItem(o, "prev"));
			const char *sid = cJSON_GetStringValue(cJSON_GetObjectItem(o, "session"));
			char text[256];
			size_t len = mb_report_checkpoint_text(
				text, sizeof(text), sid,
				(uint64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(o, "seq")), head);
			good += head && prev && strcmp(head, prev) == 0 && strcmp(head, prev_hash) == 0 &&
				mb_report_sig_valid(&k, text, len,
						    cJSON_GetStringValue(cJSON_GetObjectItem(o, "sig"))) &&
				strcmp(cJSON_GetStringValue(cJSON_GetObjectItem(o, "key_id")), KEY_ID) == 0;
		} else if (n < 10 && cp == (want_events[n] == 'C')) {
			good++;
		}
		char h[65];
		mb_sha256_hex(line, strlen(line), h);
		memcpy(prev_hash, h, sizeof(h));
		cJSON_Delete(o);
		n++;
	}
	if (f)
		fclose(f);
	is_int(n, 10, "7 lines and 3 checkpoints: after lines 3 and 6, and at the end");
	is_int(good, 10, "each checkpoint where it belongs, signing its prev (the previous line's "
			"hash) at its seq with the key");
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_formats();
	test_errors();
	test_credential();
	test_checkpoints();
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		diag("could not remove %s", dir);
	return done_testing();
}
