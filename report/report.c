/* SPDX-License-Identifier: Apache-2.0 */
/* The reporter: builds each Reports v1 line, chains it to the session's
 * previous line, and hands it to the destination in one piece.
 *
 * Serialisation (the bytes that the chain hashes): a cJSON object built in a
 * fixed order -- v, time, event, mode, profile, session, seq, prev, then the
 * caller's fields in the caller's order -- printed by cJSON_PrintUnformatted
 * (no whitespace; control characters escaped, so a line never holds a raw
 * newline). Strings that are not valid UTF-8 (a path from the kernel may be
 * any bytes) have each invalid byte replaced by U+FFFD before printing, so
 * every line is valid UTF-8 JSON. The chain does not depend on a canonical
 * form: prev is the hash of the previous line's bytes exactly as written. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>

#include "common/utf8.h"
#include "report/report-fields.h"
#include "report/report.h"
#include "report/report-sign.h"
#include "report/report-sink.h"

struct mb_reporter {
	char *dest;
	char *profile;
	enum mb_mode mode;
	int fd;                       /* file or stderr; -1 for syslog */
	bool own_fd;
	struct mb_report_syslog *syslog;
	bool broken;                  /* a line may have been cut: no more lines */
	uint64_t seq;
	char session[33];
	char prev[65];
	char *principal;              /* NULL, or every line says whose session it is */
	/* Signed checkpoints (report-sign.h): every `every` lines and at
	 * mb_reporter_checkpoint(); since counts the lines not yet signed. */
	bool signing;
	unsigned every, since;
	struct mb_report_key key;
	off_t reserved; /* the file's end up to which fallocate(2) made room */
};

#define RESERVE_AHEAD (64 * 1024)

/* The contract's spelling; kept here so the reporter needs nothing of
 * libpolicy but the enum. */
static const char *mode_name(enum mb_mode m)
{
	return m == MB_MODE_AUDIT ? "audit" : "enforce";
}

static int new_session(char out[static 33], struct mb_error *err)
{
	uint8_t raw[16];
	size_t got = 0;
	while (got < sizeof(raw)) {
		ssize_t n = getrandom(raw + got, sizeof(raw) - got, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return mb_error_set(err, mb_neg_errno(), "getrandom: %s", strerror(errno));
		}
		got += (size_t)n;
	}
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < sizeof(raw); i++) {
		out[2 * i] = hex[raw[i] >> 4];
		out[2 * i + 1] = hex[raw[i] & 15];
	}
	out[32] = '\0';
	return 0;
}

int mb_report_random_id(char out[static 33])
{
	return new_session(out, NULL);
}

int mb_reporter_open(const char *dest, const char *profile_name, enum mb_mode mode,
		     struct mb_reporter **ret, struct mb_error *err)
{
	if (!dest)
		dest = "-";
	struct mb_reporter *r = calloc(1, sizeof(*r));
	if (!r)
		return mb_error_set(err, -ENOMEM, "out of memory");
	r->fd = -1;
	r->mode = mode;
	r->dest = strdup(dest);
	r->profile = strdup(profile_name ? profile_name : "");
	memcpy(r->prev, mb_report_chain_start, sizeof(r->prev));
	int e = 0;
	if (!r->dest || !r->profile)
		e = mb_error_set(err, -ENOMEM, "out of memory");
	if (e == 0)
		e = new_session(r->session, err);
	if (e == 0) {
		if (strcmp(dest, "-") == 0) {
			r->fd = STDERR_FILENO;
		} else if (strcmp(dest, "syslog") == 0 || strncmp(dest, "syslog:", 7) == 0) {
			const char *path = dest[6] == ':' ? dest + 7 : NULL;
			if (path && !*path)
				e = mb_error_set(err, -EINVAL,
						 "--report syslog:PATH: the socket path is empty");
			else
				e = mb_report_syslog_open(path, &r->syslog, err);
		} else {
			/* O_APPEND: each write lands at the end even with other
			 * writers (another membrane-run, logrotate's copytruncate). */
			r->fd = open(dest, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0600);
			if (r->fd < 0)
				e = mb_error_set(err, mb_neg_errno(), "cannot open report file %s: %s",
						 dest, strerror(errno));
			else
				r->own_fd = true;
		}
	}
	if (e < 0) {
		mb_reporter_close(r);
		return e;
	}
	*ret = r;
	return 0;
}

void mb_reporter_close(struct mb_reporter *r)
{
	if (!r)
		return;
	if (r->own_fd)
		mb_close(r->fd);
	mb_report_key_wipe(&r->key);
	mb_report_syslog_close(r->syslog);
	free(r->dest);
	free(r->profile);
	free(r->principal);
	free(r);
}

int mb_reporter_set_session(struct mb_reporter *r, const char *session)
{
	if (r->seq != 0 || strlen(session) != 32 || strspn(session, "0123456789abcdef") != 32)
		return -EINVAL;
	memcpy(r->session, session, sizeof(r->session));
	return 0;
}

int mb_reporter_set_principal(struct mb_reporter *r, const char *principal)
{
	char *p = strdup(principal);
	if (!p)
		return -ENOMEM;
	free(r->principal);
	r->principal = p;
	return 0;
}

const char *mb_reporter_session(const struct mb_reporter *r)
{
	return r->session;
}

const char *mb_reporter_dest(const struct mb_reporter *r)
{
	return r->dest;
}

static void format_time(char out[static 32])
{
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, 32 - n, ".%06ldZ", ts.tv_nsec / 1000);
}

/* line (len bytes, NUL-terminated, malloc'd with room for two more) with
 * every byte that is not part of valid UTF-8 turned into U+FFFD, in a new
 * buffer if there are any. Done on the printed line rather than on its
 * strings: cJSON copies bytes of 0x80 and above as they are and escapes
 * only ASCII, and no escape can complete or break a UTF-8 sequence, so the
 * bytes are those of sanitised strings printed, at one pass over the line
 * instead of a copy of the caller's tree. */
static int fix_utf8(char **line, size_t *len)
{
	const unsigned char *p = (const unsigned char *)*line;
	size_t bad = 0;
	for (size_t i = 0; i < *len;) {
		size_t n = p[i] < 0x80 ? 1 : mb_utf8_seq(p + i);
		bad += n == 0;
		i += n ? n : 1;
	}
	if (!bad)
		return 0;
	char *out = malloc(*len + 2 * bad + 2), *o = out;
	if (!out)
		return -ENOMEM;
	for (size_t i = 0; i < *len;) {
		size_t n = p[i] < 0x80 ? 1 : mb_utf8_seq(p + i);
		if (n) {
			memcpy(o, p + i, n);
			o += n;
			i += n;
		} else {
			memcpy(o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
		}
	}
	*o = '\0';
	free(*line);
	*line = out;
	*len = (size_t)(o - out);
	return 0;
}

static bool is_common(const char *name)
{
	for (size_t i = 0; i < mb_report_common_fields_n; i++)
		if (strcmp(name, mb_report_common_fields[i]) == 0)
			return true;
	return false;
}

static void cjson_deletep(cJSON **p)
{
	cJSON_Delete(*p);
}

/* Build the line (without its newline) as a malloc'd string with one
 * spare byte. */
static int build_line(struct mb_reporter *r, const char *event, const cJSON *fields,
		      char **ret)
{
	if (fields) {
		if (!cJSON_IsObject(fields))
			return -EINVAL;
		/* A caller's field may not shadow a common one: seq, prev and
		 * session are what verify trusts. */
		for (const cJSON *f = fields->child; f; f = f->next)
			if (!f->string || is_common(f->string))
				return -EINVAL;
	}
	char now[32];
	format_time(now);
	_cleanup_(cjson_deletep) cJSON *o = cJSON_CreateObject();
	if (!o)
		return -ENOMEM;
	bool okay = cJSON_AddNumberToObject(o, "v", 1) &&
		    cJSON_AddStringToObject(o, "time", now) &&
		    cJSON_AddStringToObject(o, "event", event) &&
		    cJSON_AddStringToObject(o, "mode", mode_name(r->mode)) &&
		    cJSON_AddStringToObject(o, "profile", r->profile) &&
		    cJSON_AddStringToObject(o, "session", r->session) &&
		    cJSON_AddNumberToObject(o, "seq", (double)r->seq) &&
		    cJSON_AddStringToObject(o, "prev", r->prev) &&
		    (!r->principal || cJSON_AddStringToObject(o, "principal", r->principal));
	if (!okay)
		return -ENOMEM;
	/* The common fields, then the caller's, printed apart and joined: the
	 * bytes cJSON would print for one object holding both, without a
	 * copy of the caller's tree. */
	_cleanup_free_ char *head = cJSON_PrintUnformatted(o);
	_cleanup_free_ char *tail = fields && fields->child ? cJSON_PrintUnformatted(fields) : NULL;
	if (!head || (fields && fields->child && !tail))
		return -ENOMEM;
	size_t hl = strlen(head) - 1, tl = tail ? strlen(tail) - 2 : 0; /* without their braces */
	size_t len = hl + (tail ? 1 + tl : 0) + 1;
	/* Our own buffer, with room for the newline that goes in the same
	 * write as the line. */
	char *line = malloc(len + 2);
	if (!line)
		return -ENOMEM;
	memcpy(line, head, hl);
	if (tail) {
		line[hl] = ',';
		memcpy(line + hl + 1, tail + 1, tl);
	}
	line[len - 1] = '}';
	line[len] = '\0';
	if (fix_utf8(&line, &len) < 0) {
		free(line);
		return -ENOMEM;
	}
	*ret = line;
	return 0;
}

/* Room for the whole line at the end of a regular file before any of it is
 * written: on a full filesystem write(2) stops at a block boundary and the
 * file would end in a partial line (seen on a full tmpfs). fallocate(2)
 * with KEEP_SIZE fails with ENOSPC instead, having written nothing. Best
 * effort: another O_APPEND writer may use the room first (then the file's
 * end passes what we reserved, and room is made again), and a filesystem
 * without fallocate (EOPNOTSUPP) or a pipe is written to as before. */
static int reserve(struct mb_reporter *r, size_t len)
{
	struct stat st;
	if (fstat(r->fd, &st) < 0 || !S_ISREG(st.st_mode))
		return 0;
	/* Room is taken RESERVE_AHEAD at a time (a call line per request
	 * made fallocate(2) a cost of every call), and exactly when that is
	 * more than the filesystem has left. */
	if (st.st_size + (off_t)len <= r->reserved)
		return 0;
	if (fallocate(r->fd, FALLOC_FL_KEEP_SIZE, st.st_size, (off_t)(len + RESERVE_AHEAD)) == 0) {
		r->reserved = st.st_size + (off_t)(len + RESERVE_AHEAD);
		return 0;
	}
	if (errno == ENOSPC || errno == EDQUOT || errno == EFBIG) {
		if (fallocate(r->fd, FALLOC_FL_KEEP_SIZE, st.st_size, (off_t)len) == 0) {
			r->reserved = st.st_size + (off_t)len;
			return 0;
		}
		if (errno == ENOSPC || errno == EDQUOT || errno == EFBIG)
			return mb_neg_errno();
	}
	return 0;
}

/* One write(2) of the whole line. Nothing written yet is safe to retry
 * (EINTR, EAGAIN on a non-blocking stderr); a short write is not: the
 * bytes already in the file cannot be taken back without racing other
 * writers, so the reporter reports -EIO and stops for good. */
static int write_line(struct mb_reporter *r, const char *buf, size_t len)
{
	int e = reserve(r, len);
	if (e < 0)
		return e;
	for (;;) {
		ssize_t n = write(r->fd, buf, len);
		if (n == (ssize_t)len)
			return 0;
		if (n >= 0) {
			r->broken = true;
			return -EIO;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN) {
			struct pollfd p = { .fd = r->fd, .events = POLLOUT };
			if (poll(&p, 1, -1) < 0 && errno != EINTR)
				return mb_neg_errno();
			continue;
		}
		return mb_neg_errno();
	}
}

static int emit_line(struct mb_reporter *r, const char *event, const cJSON *fields)
{
	if (r->broken)
		return -EIO;
	_cleanup_free_ char *json = NULL;
	int e = build_line(r, event, fields, &json);
	if (e < 0)
		return e;
	size_t len = strlen(json);
	/* The next line's prev, before this one goes out: a chain that
	 * cannot be carried on stops here, with nothing written. */
	char next[MB_REPORT_HASH_HEX];
	e = mb_report_chain_link(json, len, next);
	if (e < 0)
		return e;
	if (r->syslog) {
		e = mb_report_syslog_send(r->syslog, event, json, len, fields, r->profile,
					  r->session, r->seq);
	} else {
		/* The newline goes in the same write: the line is one piece. */
		json[len] = '\n';
		e = write_line(r, json, len + 1);
		json[len] = '\0';
	}
	if (e < 0)
		return e;
	/* The chain moves only once the line is out: a line that was never
	 * written leaves no gap. */
	memcpy(r->prev, next, sizeof(next));
	r->seq++;
	return 0;
}

/* A checkpoint line: its prev is the head it signs, and its own seq binds
 * the signature to its place (report-sign.h). */
static int write_checkpoint(struct mb_reporter *r)
{
	char text[256], sig[MB_REPORT_SIG_HEX];
	size_t n = mb_report_checkpoint_text(text, sizeof(text), r->session, r->seq, r->prev);
	mb_report_sign(&r->key, text, n, sig);
	cJSON *o = cJSON_CreateObject();
	if (!o || !cJSON_AddStringToObject(o, "head", r->prev) ||
	    !cJSON_AddStringToObject(o, "sig", sig) || !cJSON_AddStringToObject(o, "key_id", r->key.id)) {
		cJSON_Delete(o);
		return -ENOMEM;
	}
	int e = emit_line(r, "checkpoint", o);
	cJSON_Delete(o);
	if (e == 0)
		r->since = 0;
	return e;
}

int mb_reporter_emit(struct mb_reporter *r, const char *event, const cJSON *fields)
{
	int e = emit_line(r, event, fields);
	if (e < 0)
		return e;
	/* The line is out; a checkpoint that cannot follow it fails the
	 * emit all the same, so that the caller stops the server. */
	if (r->signing && ++r->since >= r->every)
		return write_checkpoint(r);
	return 0;
}

void mb_reporter_set_signer(struct mb_reporter *r, const struct mb_report_key *key,
			    unsigned every)
{
	r->key = *key;
	r->signing = key->has_priv;
	r->every = every ? every : MB_REPORT_CHECKPOINT_EVERY;
	r->since = 0;
}

int mb_reporter_checkpoint(struct mb_reporter *r)
{
	if (!r->signing || r->since == 0)
		return 0;
	return write_checkpoint(r);
}
