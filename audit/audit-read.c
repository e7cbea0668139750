/* SPDX-License-Identifier: Apache-2.0 */
/* Reading reports: a line reader in bounded memory, the parse of one line
 * into an audit_event, and the walk over every input that the commands
 * share. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>

#include "common/utf8.h"
#include "audit/audit.h"

struct audit_reader {
	int fd;
	bool own_fd;
	char *name;
	char *buf; /* AUDIT_MAX_LINE bytes of line, + 1 for the NUL */
	size_t start, end, scanned;
	uint64_t lineno;
	bool eof;
	bool skipping; /* the rest of an over-long line, already reported */
};

int audit_reader_open(const char *name, struct audit_reader **ret)
{
	struct audit_reader *r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->buf = malloc(AUDIT_MAX_LINE + 1);
	r->name = strdup(strcmp(name, "-") == 0 ? "(stdin)" : name);
	if (!r->buf || !r->name) {
		audit_reader_close(r);
		return -ENOMEM;
	}
	if (strcmp(name, "-") == 0) {
		r->fd = STDIN_FILENO;
	} else {
		r->fd = open(name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (r->fd < 0) {
			int e = mb_neg_errno();
			audit_reader_close(r);
			return e;
		}
		r->own_fd = true;
		/* Read once from start to end: let the kernel read ahead. */
		(void)posix_fadvise(r->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	}
	*ret = r;
	return 0;
}

void audit_reader_close(struct audit_reader *r)
{
	if (!r)
		return;
	if (r->own_fd)
		mb_close(r->fd);
	free(r->buf);
	free(r->name);
	free(r);
}

uint64_t audit_reader_lineno(const struct audit_reader *r)
{
	return r->lineno;
}

const char *audit_reader_name(const struct audit_reader *r)
{
	return r->name;
}

static int fill(struct audit_reader *r)
{
	if (r->start > 0) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->scanned -= r->start;
		r->start = 0;
	}
	for (;;) {
		ssize_t n = read(r->fd, r->buf + r->end, AUDIT_MAX_LINE - r->end);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return mb_neg_errno();
		if (n == 0)
			r->eof = true;
		r->end += (size_t)n;
		return 0;
	}
}

int audit_reader_next(struct audit_reader *r, char **line, size_t *len, bool *complete)
{
	for (;;) {
		char *nl = memchr(r->buf + r->scanned, '\n', r->end - r->scanned);
		if (nl) {
			size_t at = (size_t)(nl - r->buf), from = r->start;
			r->start = r->scanned = at + 1;
			if (r->skipping) {
				r->skipping = false;
				continue;
			}
			*nl = '\0';
			*line = r->buf + from;
			*len = at - from;
			*complete = true;
			r->lineno++;
			return 1;
		}
		r->scanned = r->end;
		if (r->skipping) {
			/* Nothing of an over-long line is kept. */
			r->start = r->end = r->scanned = 0;
		} else if (r->end - r->start >= AUDIT_MAX_LINE) {
			r->buf[r->end] = '\0';
			*line = r->buf + r->start;
			*len = r->end - r->start;
			*complete = false;
			r->lineno++;
			r->skipping = true;
			r->start = r->scanned = r->end;
			return 1;
		}
		if (r->eof) {
			if (r->skipping || r->end == r->start) {
				r->skipping = false;
				return 0;
			}
			r->buf[r->end] = '\0';
			*line = r->buf + r->start;
			*len = r->end - r->start;
			*complete = false;
			r->lineno++;
			r->start = r->scanned = r->end;
			return 1;
		}
		int e = fill(r);
		if (e < 0)
			return e;
	}
}

static bool is_hex(const char *s, size_t n)
{
	if (strlen(s) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* A JSON number that is a whole number from min to 2^53. */
static bool json_uint(const cJSON *v, uint64_t min, uint64_t *out)
{
	if (!cJSON_IsNumber(v) || v->valuedouble < (double)min ||
	    v->valuedouble > 9007199254740992.0 || v->valuedouble != (double)(uint64_t)v->valuedouble)
		return false;
	*out = (uint64_t)v->valuedouble;
	return true;
}

static const char *str_member(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void add_tool(struct audit_event *ev, const cJSON *req)
{
	const char *t = str_member(req, "tool");
	if (!t)
		return;
	for (size_t i = 0; i < ev->ntools; i++)
		if (strcmp(ev->tools[i], t) == 0)
			return;
	if (ev->ntools < AUDIT_MAX_TOOLS)
		ev->tools[ev->ntools++] = t;
}

int audit_event_parse(char *line, size_t len, struct audit_event *ev, const char **why)
{
	*ev = (struct audit_event){ .line = line, .len = len };
	if (len == 0)
		return *why = "empty line", -EINVAL;
	if (memchr(line, '\0', len))
		return *why = "NUL byte in the line", -EINVAL;
	if (!mb_utf8_valid(line, len))
		return *why = "not valid UTF-8", -EINVAL;
	/* The reporter writes a line as one compact object, nothing before or
	 * after it: anything else (whitespace, a carriage return, the server's
	 * stderr glued to it) is not wholly a report, and a line that only
	 * contains one must not be read as one. */
	static const char prefix[] = "[server] ";
	if (len >= sizeof(prefix) - 1 && memcmp(line, prefix, sizeof(prefix) - 1) == 0)
		return *why = "the server's stderr relayed by membrane-run, not a report", -EINVAL;
	if (line[0] != '{' || line[len - 1] != '}')
		return *why = "not wholly a report (bytes before or after the JSON object)", -EINVAL;
	const char *end = NULL;
	cJSON *o = cJSON_ParseWithOpts(line, &end, true);
	if (!o)
		return *why = "not valid JSON (cut short or edited?)", -EINVAL;
	ev->json = o;
	if (!cJSON_IsObject(o))
		return audit_event_clear(ev), *why = "not a JSON object", -EINVAL;
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, "v");
	if (!cJSON_IsNumber(v) || v->valuedouble != 1)
		return audit_event_clear(ev), *why = "no \"v\":1 (not a Reports v1 line)", -EINVAL;
	ev->time = str_member(o, "time");
	if (!ev->time || audit_parse_rfc3339(ev->time, &ev->time_us) < 0)
		return audit_event_clear(ev), *why = "no valid \"time\"", -EINVAL;
	ev->event = str_member(o, "event");
	ev->mode = str_member(o, "mode");
	ev->profile = str_member(o, "profile");
	if (!ev->event || !*ev->event || !ev->mode || !ev->profile)
		return audit_event_clear(ev), *why = "no \"event\", \"mode\" or \"profile\"", -EINVAL;
	ev->session = str_member(o, "session");
	if (!ev->session || !is_hex(ev->session, 32))
		return audit_event_clear(ev), *why = "no valid \"session\" (32 hex digits)", -EINVAL;
	const cJSON *seq = cJSON_GetObjectItemCaseSensitive(o, "seq");
	if (!json_uint(seq, 0, &ev->seq))
		return audit_event_clear(ev), *why = "no valid \"seq\"", -EINVAL;
	const cJSON *count = cJSON_GetObjectItemCaseSensitive(o, "count");
	ev->count = 1;
	if (count && !json_uint(count, 1, &ev->count))
		return audit_event_clear(ev), *why = "\"count\" is not a whole number >= 1", -EINVAL;
	ev->prev = str_member(o, "prev");
	if (!ev->prev || !is_hex(ev->prev, 64))
		return audit_event_clear(ev), *why = "no valid \"prev\" (64 hex digits)", -EINVAL;

	ev->op = str_member(o, "op");
	ev->decision = str_member(o, "decision");
	ev->target = str_member(o, "target");
	ev->reason = str_member(o, "reason");
	ev->syscall = str_member(o, "syscall");
	ev->kind = str_member(o, "kind");
	ev->outcome = str_member(o, "outcome");
	const cJSON *reqs = cJSON_GetObjectItemCaseSensitive(o, "requests");
	if (cJSON_IsArray(reqs)) {
		ev->has_requests = true;
		const cJSON *r;
		cJSON_ArrayForEach(r, reqs)
			add_tool(ev, r);
	}
	const cJSON *req = cJSON_GetObjectItemCaseSensitive(o, "request");
	if (cJSON_IsObject(req)) {
		ev->has_requests = true;
		add_tool(ev, req);
		ev->method = str_member(req, "method");
	}
	(void)end;
	return 0;
}

void audit_event_clear(struct audit_event *ev)
{
	cJSON_Delete(ev->json);
	ev->json = NULL;
}

static void malformed(struct audit_walk *w, void *ud, size_t fileidx, const char *file,
		      uint64_t lineno, const char *why)
{
	w->malformed++;
	fprintf(stderr, "membrane-audit: %s:%llu: malformed line skipped: %s\n", file,
		(unsigned long long)lineno, why);
	if (w->on_malformed)
		w->on_malformed(ud, fileidx, file, lineno, why);
}

int audit_walk(const struct audit_input *in, struct audit_walk *w,
	       void (*fn)(void *ud, const struct audit_event *ev), void *ud)
{
	static char *const stdin_only[] = { "-" };
	char *const *files = in->nfiles ? in->files : stdin_only;
	size_t nfiles = in->nfiles ? in->nfiles : 1;
	int status = 0;
	for (size_t i = 0; i < nfiles; i++) {
		_cleanup_(audit_reader_closep) struct audit_reader *r = NULL;
		int e = audit_reader_open(files[i], &r);
		if (e < 0) {
			fprintf(stderr, "membrane-audit: cannot open %s: %s\n", files[i], strerror(-e));
			status = AUDIT_EXIT_USAGE;
			continue;
		}
		const char *name = audit_reader_name(r);
		char *line;
		size_t len;
		bool complete;
		while ((e = audit_reader_next(r, &line, &len, &complete)) > 0) {
			uint64_t lineno = audit_reader_lineno(r);
			w->lines++;
			if (!complete) {
				malformed(w, ud, i, name, lineno,
					  len >= AUDIT_MAX_LINE
						  ? "longer than 1 MiB"
						  : "cut short: no newline at the end of the file");
				continue;
			}
			struct audit_event ev;
			const char *why = NULL;
			if (audit_event_parse(line, len, &ev, &why) < 0) {
				malformed(w, ud, i, name, lineno, why);
				continue;
			}
			ev.file = name;
			ev.fileidx = i;
			ev.lineno = lineno;
			w->events++;
			if (!w->filtered || audit_filter_match(&in->filter, &ev))
				fn(ud, &ev);
			audit_event_clear(&ev);
		}
		if (e < 0) {
			fprintf(stderr, "membrane-audit: %s:%llu: read error: %s\n", name,
				(unsigned long long)audit_reader_lineno(r), strerror(-e));
			status = AUDIT_EXIT_USAGE;
		}
	}
	return status;
}

int audit_done(int status, const struct audit_walk *w, bool oom, const char *what)
{
	if (oom) {
		fputs("membrane-audit: out of memory\n", stderr);
		return AUDIT_EXIT_USAGE;
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "membrane-audit: writing %s: %s\n", what, strerror(errno));
		return AUDIT_EXIT_USAGE;
	}
	if (status)
		return status;
	return w->malformed ? AUDIT_EXIT_MALFORMED : AUDIT_EXIT_OK;
}

int audit_put_json(cJSON *o, bool okay, bool pretty)
{
	char *text = !okay ? NULL : pretty ? cJSON_Print(o) : cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (!text)
		return -ENOMEM;
	puts(text);
	cJSON_free(text);
	return 0;
}
