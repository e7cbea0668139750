/* SPDX-License-Identifier: Apache-2.0 */
/* Decoys in the plan (policy/decoy.h): where each may go, its token and
 * what it holds. The token is the only random part of a plan: a run's
 * decoys must not be recognisable from another run's. */
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "common/strbuf.h"
#include "policy/decoy.h"
#include "policy/path.h"
#include "policy/plan.h"

static int new_token(char out[MB_CANARY_HEX])
{
	uint8_t raw[20];
	size_t got = 0;
	while (got < sizeof(raw)) {
		ssize_t n = getrandom(raw + got, sizeof(raw) - got, 0);
		if (n < 0 && errno != EINTR)
			return mb_neg_errno();
		got += n > 0 ? (size_t)n : 0;
	}
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < sizeof(raw); i++) {
		out[2 * i] = hex[raw[i] >> 4];
		out[2 * i + 1] = hex[raw[i] & 15];
	}
	out[40] = '\0';
	return 0;
}

/* What a file of this name would hold, with the token where the secret
 * is. */
static void content(struct mb_strbuf *b, const char *path, const char *token)
{
	const char *base = strrchr(path, '/') + 1;
	size_t len = strlen(base);
	if (strncmp(base, "id_", 3) == 0 || (len > 4 && strcmp(base + len - 4, ".pem") == 0) ||
	    (len > 4 && strcmp(base + len - 4, ".key") == 0)) {
		mb_strbuf_printf(b,
				 "-----BEGIN OPENSSH PRIVATE KEY-----\n"
				 "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n"
				 "QyNTUxOQAAACB%sAAAAJhzZWNyZXQ=\n"
				 "-----END OPENSSH PRIVATE KEY-----\n",
				 token);
	} else if (strcmp(base, "credentials") == 0) {
		char id[17];
		for (size_t i = 0; i < 16; i++)
			id[i] = (char)(token[i] >= 'a' ? token[i] - 'a' + 'A' : token[i]);
		id[16] = '\0';
		mb_strbuf_printf(b,
				 "[default]\naws_access_key_id = AKIA%s\naws_secret_access_key = %s\n"
				 "region = us-east-1\n",
				 id, token);
	} else {
		mb_strbuf_printf(b,
				 "API_KEY=%s\nDATABASE_URL=postgres://admin:%s@db.internal:5432/prod\n",
				 token, token);
	}
}

/* Refuse a decoy under a host path (a bind: it would be written there; a
 * symlink: it would lead there), on the sandbox's own /proc or /dev, or
 * over a mount. */
static int check_place(const struct mb_plan *plan, const struct mb_decoy_file *d,
		       struct mb_error *err)
{
	const struct mb_mount *near = NULL, *bad = NULL;
	const char *why = NULL;
	mb_vec_foreach(m, &plan->mounts) {
		if (m->missing)
			continue;
		if (mb_path_within(m->path, d->path)) {
			bad = m;
			why = "it would hide what the sandbox mounts there";
			break;
		}
		if (!mb_path_within(d->path, m->path))
			continue;
		if (m->kind == MB_MOUNT_SYMLINK) {
			bad = m;
			why = "that is a symbolic link on the host, which would lead the decoy there";
			break;
		}
		near = m; /* parents come first: the last is the nearest */
	}
	if (!bad && near && near->kind != MB_MOUNT_TMPFS) {
		bad = near;
		why = near->kind == MB_MOUNT_BIND_RO || near->kind == MB_MOUNT_BIND_RW
			      ? "the sandbox shows that directory from the host, and a decoy there "
				"would be written into the host's"
			      : "that is the sandbox's own /proc or /dev";
	}
	if (!bad)
		return 0;
	return mb_error_at(err, -EINVAL, d->pos.file, d->pos.line, d->pos.column,
			   "decoy %s lies at or under %s: %s (put decoys where the sandbox has no "
			   "host path: under a runtime.tmpfs entry, or a directory no grant names)",
			   d->path, bad->path, why);
}

int mb_plan_decoys(struct mb_plan *plan, struct mb_error *err)
{
	mb_vec_foreach(d, &plan->profile->decoys) {
		int r = check_place(plan, d, err);
		if (r < 0)
			return r;
		struct mb_decoy *dc = mb_vec_new(&plan->decoys);
		if (!dc || !(dc->path = strdup(d->path)))
			return mb_error_set(err, -ENOMEM, "out of memory while planning decoys");
		dc->pos = d->pos;
		if ((r = new_token(dc->token)) < 0)
			return mb_error_set(err, r, "getrandom for a decoy's canary: %s", strerror(-r));
		struct mb_strbuf b = { 0 };
		content(&b, dc->path, dc->token);
		if (mb_strbuf_failed(&b))
			return mb_error_set(err, -ENOMEM, "out of memory while planning decoys");
		dc->len = b.len;
		dc->content = mb_strbuf_take(&b);
		struct mb_fs_rule *f = mb_vec_new(&plan->fs_rules);
		if (!f || !(f->path = strdup(dc->path)))
			return mb_error_set(err, -ENOMEM, "out of memory while planning decoys");
		f->ops = 1u << MB_OP_READ;
		f->pos = d->pos;
	}
	return 0;
}

void mb_decoys_free(struct mb_plan *plan)
{
	mb_vec_foreach(d, &plan->decoys) {
		free(d->path);
		if (d->content)
			explicit_bzero(d->content, d->len);
		free(d->content);
	}
	mb_vec_free(&plan->decoys);
}
