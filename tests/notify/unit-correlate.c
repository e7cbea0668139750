/* SPDX-License-Identifier: Apache-2.0 */
/* The correlator below the notifier: decoded operations made up here,
 * requests put in a real in-flight table, reports caught in memory. What is
 * allowed, what is answered, what is reported (every field), the repeats,
 * the probes, audit mode, and that an allowed operation allocates nothing
 * (malloc is counted: this program interposes it). */
#include <arpa/inet.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "supervisor/notify/correlate.h"
#include "supervisor/inspect/jsonrpc.h"
#include "tests/tap.h"

/* ---- counting malloc ---- */

static unsigned long allocs;

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MB_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define MB_ASAN 1
#endif

#ifdef MB_ASAN
/* AddressSanitizer owns malloc: count through its hooks instead. */
/* From <sanitizer/allocator_interface.h>, which not every compiler ships. */
int __sanitizer_install_malloc_and_free_hooks(void (*malloc_hook)(const volatile void *, size_t),
					       void (*free_hook)(const volatile void *));
static void on_malloc(const volatile void *p, size_t n)
{
	(void)p;
	(void)n;
	allocs++;
}
static void on_free(const volatile void *p)
{
	(void)p;
}
static void count_mallocs(void)
{
	__sanitizer_install_malloc_and_free_hooks(on_malloc, on_free);
}
#else
/* This program's own malloc, which the whole process then calls. */
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);

void *malloc(size_t n)
{
	allocs++;
	return __libc_malloc(n);
}
void *calloc(size_t a, size_t b)
{
	allocs++;
	return __libc_calloc(a, b);
}
void *realloc(void *p, size_t n)
{
	allocs++;
	return __libc_realloc(p, n);
}
void free(void *p)
{
	__libc_free(p);
}
static void count_mallocs(void)
{
}
#endif

/* ---- reports caught ---- */

static cJSON *lines; /* every report's fields, in order */

static int catch_report(void *ud, const char *event, const cJSON *fields)
{
	(void)ud;
	cJSON *c = cJSON_Duplicate(fields, 1);
	cJSON_AddStringToObject(c, "event", event);
	cJSON_AddItemToArray(lines, c);
	return 0;
}

static int nlines(void)
{
	return cJSON_GetArraySize(lines);
}

static cJSON *line(int i)
{
	return cJSON_GetArrayItem(lines, i < 0 ? nlines() + i : i);
}

static const char *field(int i, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(line(i), name);
	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static char *json(const cJSON *v)
{
	static char *last;
	free(last);
	last = v ? cJSON_PrintUnformatted(v) : NULL;
	return last;
}

/* ---- operations made up ---- */

static const struct mb_watch_syscall *sc_of(int nr)
{
	const struct mb_watch_syscall *sc = mb_watch_lookup(nr);
	if (!sc)
		abort();
	return sc;
}

static struct mb_notified_op path_op(int nr, uint64_t flags, unsigned ops, const char *path,
				     enum mb_presence presence)
{
	struct mb_notified_op op = { .id = 1, .pid = getpid(), .sc = sc_of(nr), .open_flags = flags, .n = 1 };
	op.t[0] = (struct mb_notified_target){ .kind = MB_TARGET_PATH, .presence = presence,
					       .ops = ops, .path = path };
	return op;
}

#define R (1u << MB_OP_READ)
#define W (1u << MB_OP_WRITE)
#define X (1u << MB_OP_EXEC)

static struct mb_notified_op open_read(const char *path)
{
	return path_op(SYS_openat, O_RDONLY, R, path, MB_PRESENT);
}

static struct mb_notified_op connect_op(const char *ip, uint16_t port)
{
	struct mb_notified_op op = { .id = 1, .pid = getpid(), .sc = sc_of(SYS_connect), .n = 1 };
	uint8_t a[4];
	inet_pton(AF_INET, ip, a);
	op.t[0] = (struct mb_notified_target){ .kind = MB_TARGET_INET, .presence = MB_PRESENT,
					       .ops = 1u << MB_OP_CONNECT, .family = AF_INET };
	mb_addr_set_v4(&op.t[0].addr, a, port);
	return op;
}

static enum mb_verdict verdict(struct mb_correlator *c, struct mb_notified_op op)
{
	return mb_correlate(&op, c).verdict;
}

/* ---- requests in flight ---- */

static struct mb_call *add_request(struct mb_inflight *t, const char *text)
{
	struct mb_jr_frame jf;
	mb_jr_parse(text, strlen(text), &jf);
	struct mb_call *c = NULL;
	if (jf.fault != MB_JR_FAULT_NONE || mb_inflight_add(t, MB_DIR_CLIENT, &jf.msgs[0], 0, &c) < 0)
		abort();
	mb_jr_frame_free(&jf);
	return c;
}

static const char profile_text[] =
	"version: 1\n"
	"name: t\n"
	"runtime:\n"
	"  read: [/usr/lib, /srv/code]\n"
	"  exec: [/usr/bin/node]\n"
	"  tmpfs: [/tmp]\n"
	"  connect: [\"10.0.0.1:443\"]\n"
	"network: none\n"
	"arguments:\n"
	"  within: [/srv/root]\n"
	"tools:\n"
	"  read_text_file: { read: [\"{path}\"] }\n"
	"  write_file: { write: [\"{path}\", \"{path}.*.tmp\"] }\n"
	"  fetch: { connect: [\"10.0.0.2:80\"] }\n"
	"  nothing: {}\n"
	"requests:\n"
	"  resources/read: { read: [/srv/root/res] }\n"
	"redact: [token]\n";

static struct mb_profile *load(const char *text)
{
	struct mb_load_opts o = { 0 };
	struct mb_error err = { 0 };
	struct mb_profile *p = NULL;
	if (mb_profile_load_buffer("t.yml", text, strlen(text), &o, &p, &err) < 0) {
		printf("# %s\n", err.msg);
		abort();
	}
	return p;
}

static struct mb_correlator *correlator(const struct mb_profile *p, bool probes)
{
	struct mb_correlator_config cfg = {
		.profile = p, .cwd = "/srv/root", .home = "/home/alice", .report_probes = probes,
		.report = catch_report,
	};
	struct mb_error err = { 0 };
	struct mb_correlator *c = NULL;
	if (mb_correlator_new(&cfg, &c, &err) < 0) {
		printf("# %s\n", err.msg);
		abort();
	}
	return c;
}

static int before_outside;

int main(void)
{
	count_mallocs();
	lines = cJSON_CreateArray();
	struct mb_profile *p = load(profile_text);
	struct mb_inflight *t;
	if (mb_inflight_new(&t) < 0)
		return 99;
	struct mb_correlator *c = correlator(p, false);
	mb_correlator_attach(c, t, NULL);

	/* Idle: runtime and the sandbox's own paths. */
	is_int(verdict(c, open_read("/usr/lib/x86_64-linux-gnu/libc.so.6")), MB_VERDICT_ALLOW, "idle: runtime read allowed");
	is_int(verdict(c, path_op(SYS_execve, 0, X, "/usr/bin/node", MB_PRESENT)), MB_VERDICT_ALLOW, "idle: runtime exec allowed");
	is_int(verdict(c, open_read("/proc/7/maps")), MB_VERDICT_ALLOW, "idle: the sandbox's /proc is read");
	is_int(verdict(c, path_op(SYS_openat, O_WRONLY, W, "/dev/null", MB_PRESENT)), MB_VERDICT_ALLOW, "idle: /dev/null is written");
	is_int(verdict(c, path_op(SYS_openat, O_WRONLY | O_CREAT, W, "/tmp/x", MB_PRESENT_NEW)), MB_VERDICT_ALLOW, "idle: the tmpfs is written");
	is_int(verdict(c, path_op(SYS_openat, O_WRONLY, W, "/dev/sda", MB_PRESENT_HOST)), MB_VERDICT_DENY, "idle: another device is not");
	is_int(verdict(c, connect_op("10.0.0.1", 443)), MB_VERDICT_ALLOW, "idle: runtime connect allowed");
	is_int(nlines(), 1, "idle: one report so far");

	cJSON_DeleteItemFromArray(lines, 0);
	struct mb_notified_op rop = open_read("/srv/root/notes.txt");
	struct mb_answer a = mb_correlate(&rop, c);
	is_int(a.verdict, MB_VERDICT_DENY, "idle: a read in ROOT is denied");
	is_int(a.error, 0, "... with the notifier's default errno (EACCES here)");
	is_int(nlines(), 1, "... and reported");
	is_str(field(0, "event"), "violation", "report: event violation");
	is_str(field(0, "op"), "read", "report: op");
	is_str(field(0, "syscall"), "openat", "report: syscall");
	is_str(field(0, "target"), "/srv/root/notes.txt", "report: target");
	is_str(field(0, "presence"), "sandbox", "report: presence");
	is_str(field(0, "decision"), "denied", "report: decision");
	is_str(field(0, "reason"), "not granted at runtime (idle)", "report: reason");
	is_str(field(0, "attribution"), "idle", "report: attribution");
	is_str(json(cJSON_GetObjectItem(line(0), "requests")), "[]", "report: requests empty");
	ok(cJSON_IsNumber(cJSON_GetObjectItem(line(0), "pid")) &&
	   cJSON_GetObjectItem(line(0), "pid")->valueint == getpid(), "report: pid");
	char exe[4096];
	ssize_t el = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[el > 0 ? el : 0] = '\0';
	is_str(field(0, "exe"), exe, "report: exe");
	ok(!cJSON_GetObjectItem(line(0), "count"), "report: no count on a first line");

	/* Absent from the sandbox: the host is never looked at. Under a host
	 * secret store (the fixed list, from $HOME at start): a violation,
	 * ENOENT, presence outside; anywhere else: a probe. */
	is_int(verdict(c, open_read("/root/.ssh/id_rsa") /* present in the sandbox */), MB_VERDICT_DENY, "a present file outside every grant: denied");
	struct mb_notified_op hop = path_op(SYS_openat, O_RDONLY, R, "/root/.aws/credentials", MB_PRESENT_NONE);
	struct mb_answer ha = mb_correlate(&hop, c);
	is_int(ha.verdict, MB_VERDICT_DENY, "a host secret store the sandbox lacks: denied");
	is_int(ha.error, ENOENT, "... ENOENT, so that the server learns nothing of the host");
	is_str(field(-1, "presence"), "outside", "... reported with presence outside");
	ok(strstr(field(-1, "reason"), "host secret store") != NULL, "... and the reason says so");
	hop = path_op(SYS_openat, O_RDONLY, R, "/home/alice/.ssh/id_ed25519", MB_PRESENT_NONE);
	is_int(verdict(c, hop), MB_VERDICT_DENY, "... $HOME's own store too");
	before_outside = nlines();
	is_int(verdict(c, path_op(SYS_openat, O_RDONLY, R, "/etc/passwd", MB_PRESENT_NONE)), MB_VERDICT_PROBE,
	       "any other path the sandbox lacks: a probe, whatever the host holds");
	is_int(nlines(), before_outside, "... not reported");

	/* An argument the notifier could not read: never allowed, in any
	 * mode, EFAULT, reported with the reason. */
	struct mb_notified_op uop = path_op(SYS_openat, O_RDONLY, R, "/usr/lib/x86_64-linux-gnu/libc.so.6", MB_PRESENT);
	uop.t[0] = (struct mb_notified_target){ .kind = MB_TARGET_UNREADABLE, .presence = MB_PRESENT,
						.ops = R, .resolve_error = -EFAULT };
	ok(!mb_correlate_allows(&uop, c), "unreadable: the pure twin does not allow it");
	struct mb_answer ua = mb_correlate(&uop, c);
	is_int(ua.verdict, MB_VERDICT_DENY, "unreadable: denied");
	is_int(ua.error, EFAULT, "... EFAULT");
	ok(strstr(field(-1, "reason"), "argument unreadable by the supervisor") != NULL,
	   "... reported: argument unreadable by the supervisor");
	ok(mb_correlate_allows(&rop, c) == false && mb_correlate_allows(&(struct mb_notified_op){ 0 }, c),
	   "the pure twin: what decide denies, it does not allow; nothing to decide, it allows");

	/* Probes: the kernel answers; reported only with report_probes. */
	int before = nlines();
	(void)before_outside;
	is_int(verdict(c, path_op(SYS_openat, O_RDONLY, R, "/srv/root/nowhere", MB_PRESENT_NONE)), MB_VERDICT_PROBE, "a probe: the kernel's own answer");
	is_int(nlines(), before, "... not reported");
	is_int(mb_correlator_stats(c)->probes, 2, "... counted as a probe (with /etc/passwd above)");

	/* A tool call in flight: its {path}, not another. */
	struct mb_call *read1 = add_request(t, "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"read_text_file\",\"arguments\":{\"path\":\"notes.txt\",\"token\":\"s3cret\"}}}");
	is_int(verdict(c, open_read("/srv/root/notes.txt")), MB_VERDICT_ALLOW, "read_text_file: its path (relative, against cwd) allowed");
	ok(read1->grants_built && read1->grants, "... its grants were built and cached on the call");
	is_int(verdict(c, open_read("/srv/root/other.txt")), MB_VERDICT_DENY, "read_text_file: another file in ROOT denied");
	is_str(field(-1, "reason"), "not granted to read_text_file", "... reason names the tool");
	is_str(field(-1, "attribution"), "single", "... attribution single");
	is_str(json(cJSON_GetObjectItem(line(-1), "requests")),
	       "[{\"id\":7,\"method\":\"tools/call\",\"tool\":\"read_text_file\",\"arguments\":{\"path\":\"notes.txt\",\"token\":\"***\"}}]",
	       "... requests: id, method, tool, arguments redacted");
	is_int(verdict(c, path_op(SYS_openat, O_WRONLY | O_TRUNC, W, "/srv/root/notes.txt", MB_PRESENT)), MB_VERDICT_DENY, "read_text_file: writing its path denied");
	is_str(field(-1, "op"), "write", "... op write");
	is_int(verdict(c, path_op(SYS_openat, O_RDWR, R | W, "/srv/root/notes.txt", MB_PRESENT)), MB_VERDICT_DENY, "O_RDWR: read allowed, write not: denied");
	is_str(field(-1, "op"), "write", "... the op reported is the one not granted");

	/* Listing an ancestor within arguments.within: with O_DIRECTORY only. */
	is_int(verdict(c, path_op(SYS_openat, O_RDONLY | O_DIRECTORY, R, "/srv/root", MB_PRESENT)), MB_VERDICT_ALLOW, "listing ROOT, an ancestor of the granted path: allowed");
	is_int(verdict(c, path_op(SYS_openat, O_RDONLY, R, "/srv/root", MB_PRESENT)), MB_VERDICT_DENY, "opening ROOT without O_DIRECTORY: denied");
	is_int(verdict(c, path_op(SYS_openat, O_RDONLY | O_DIRECTORY, R, "/srv", MB_PRESENT)), MB_VERDICT_DENY, "listing above arguments.within: denied");

	/* Two calls: allowed if either grants; both named. */
	char long_value[301], msg[1024];
	memset(long_value, 'x', 300);
	long_value[300] = '\0';
	snprintf(msg, sizeof(msg),
		 "{\"jsonrpc\":\"2.0\",\"id\":\"w\",\"method\":\"tools/call\",\"params\":{\"name\":"
		 "\"write_file\",\"arguments\":{\"path\":\"/srv/root/new/out.md\",\"content\":\"%s\"}}}",
		 long_value);
	add_request(t, msg);
	is_int(verdict(c, path_op(SYS_openat, O_WRONLY | O_CREAT, W, "/srv/root/new/out.md.0a1b.tmp", MB_PRESENT_NEW)), MB_VERDICT_ALLOW, "two calls: write_file's temporary sibling allowed");
	is_int(verdict(c, open_read("/srv/root/notes.txt")), MB_VERDICT_ALLOW, "two calls: read_text_file's path still allowed");
	is_int(verdict(c, path_op(SYS_mkdirat, 0, W, "/srv/root/new", MB_PRESENT_NEW)), MB_VERDICT_ALLOW, "two calls: mkdir of a missing ancestor of write_file's path allowed");
	is_int(verdict(c, open_read("/srv/root/secret")), MB_VERDICT_DENY, "two calls: what neither grants is denied");
	is_str(field(-1, "reason"), "not granted to any request in flight (read_text_file, write_file)", "... reason names both");
	is_str(field(-1, "attribution"), "parallel", "... attribution parallel");
	const cJSON *reqs = cJSON_GetObjectItem(line(-1), "requests");
	is_int(cJSON_GetArraySize(reqs), 2, "... requests names both");
	const char *content = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetArrayItem(reqs, 1), "arguments"), "content")->valuestring;
	ok(strlen(content) < 300 && strstr(content, "[cut: 300 bytes in all]"), "... a long argument is cut and marked");
	if (strlen(content) >= 300 || !strstr(content, "[cut: 300 bytes in all]"))
		diag("content: %s", content);

	/* Repeats: identical within a second is counted, not written. */
	before = nlines();
	uint64_t collapsed = mb_correlator_stats(c)->collapsed;
	for (int i = 0; i < 3; i++)
		verdict(c, open_read("/srv/root/secret"));
	is_int(nlines(), before, "three identical repeats: no new line yet");
	is_int(mb_correlator_stats(c)->collapsed - collapsed, 3, "... three collapsed");
	verdict(c, path_op(SYS_open, O_RDONLY, R, "/srv/root/secret", MB_PRESENT));
	is_int(nlines(), before + 1, "the same target through another syscall: a line of its own");

	/* Other methods: profile.requests grants, from params. */
	struct mb_call *res = add_request(t, "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"resources/read\",\"params\":{\"uri\":\"file:///srv/root/res\"}}");
	is_int(verdict(c, open_read("/srv/root/res/a")), MB_VERDICT_ALLOW, "resources/read: its grant allows");
	ok(res->grants != NULL, "... built from profile.requests");
	verdict(c, open_read("/srv/root/secret"));
	is_str(json(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(line(-1), "requests"), 2), "arguments")),
	       "{\"uri\":\"file:///srv/root/res\"}", "... reported with its params as arguments");
	ok(strstr(field(-1, "reason"), "resources/read") != NULL, "... and named by its method");
	add_request(t, "{\"jsonrpc\":\"2.0\",\"id\":10,\"method\":\"ping\"}");

	/* Nothing allocated per allowed operation (the grants are built). */
	struct mb_notified_op ops[] = {
		open_read("/usr/lib/x86_64-linux-gnu/libm.so.6"),
		open_read("/srv/root/notes.txt"),
		path_op(SYS_openat, O_WRONLY | O_CREAT, W, "/srv/root/new/out.md.ffff.tmp", MB_PRESENT_NEW),
		path_op(SYS_openat, O_RDONLY | O_DIRECTORY, R, "/srv/root", MB_PRESENT),
		connect_op("10.0.0.1", 443),
	};
	verdict(c, ops[0]); /* ping's (empty) grants built */
	unsigned long a0 = allocs;
	bool all = true;
	for (int i = 0; i < 1000; i++)
		for (size_t k = 0; k < sizeof(ops) / sizeof(ops[0]); k++)
			all &= verdict(c, ops[k]) == MB_VERDICT_ALLOW;
	ok(all, "5000 allowed operations with four requests in flight");
	is_int(allocs - a0, 0, "... allocated nothing");
	a0 = allocs;
	verdict(c, open_read("/srv/root/counted"));
	ok(allocs > a0, "(the count works: a violation's report allocates)");

	/* Network. */
	is_int(verdict(c, connect_op("10.0.0.2", 80)), MB_VERDICT_DENY, "connect granted to fetch, not in flight: denied");
	is_str(field(-1, "op"), "connect", "... op connect");
	is_str(field(-1, "target"), "10.0.0.2:80", "... target ip:port");
	struct mb_call *fetch = add_request(t, "{\"jsonrpc\":\"2.0\",\"id\":11,\"method\":\"tools/call\",\"params\":{\"name\":\"fetch\",\"arguments\":{}}}");
	struct mb_notified_op cop = connect_op("10.0.0.2", 80);
	is_int(mb_correlate_addr(c, &cop, &cop.t[0]).verdict, MB_VERDICT_ALLOW, "mb_correlate_addr: allowed while fetch is in flight");
	mb_inflight_remove(t, fetch);
	uint64_t violations = mb_correlator_stats(c)->violations;
	collapsed = mb_correlator_stats(c)->collapsed;
	is_int(mb_correlate_addr(c, &cop, &cop.t[0]).verdict, MB_VERDICT_DENY, "mb_correlate_addr: denied once it is not");
	is_int(mb_correlator_stats(c)->violations - violations, 1, "... a violation");
	is_int(mb_correlator_stats(c)->collapsed - collapsed, 1,
	       "... identical to the one before fetch was in flight (same requests): counted, not written");
	/* The broker's hooks. */
	struct mb_addr a2 = cop.t[0].addr, a1 = connect_op("10.0.0.1", 443).t[0].addr,
		       a9 = connect_op("10.9.9.9", 80).t[0].addr;
	ok(mb_correlator_addr_in_force(c, MB_OP_CONNECT, &a1), "broker: runtime's endpoint is in force");
	ok(!mb_correlator_addr_in_force(c, MB_OP_CONNECT, &a2), "broker: fetch's is not, fetch not in flight");
	ok(mb_correlator_addr_in_union(c, MB_OP_CONNECT, &a2), "broker: ... but it is in the static union");
	ok(!mb_correlator_addr_in_union(c, MB_OP_CONNECT, &a9), "broker: another address is in neither");
	ok(!mb_correlator_addr_in_union(c, MB_OP_BIND, &a1), "broker: a connect grant is no bind grant");
	is_int(mb_correlator_report_addr(c, &cop, MB_OP_CONNECT, &a9, MB_PRESENT_HOST, false,
					 "not granted; the host listens there"), 0, "broker: report written");
	is_str(field(-1, "presence"), "host", "... the target exists on the host only");
	is_str(field(-1, "reason"),
	       "not granted to any request in flight (read_text_file, write_file, resources/read, ping); the host listens there",
	       "... its reason names the requests, the broker's rest follows");
	is_str(field(-1, "target"), "10.9.9.9:80", "... the address");
	is_str(field(-1, "op"), "connect", "... the op");
	mb_correlator_report_addr(c, &cop, MB_OP_BIND, &a9, MB_PRESENT, true, "sendmmsg is not brokered");
	is_str(field(-1, "presence"), "sandbox", "... or where the sandbox sees it");
	is_str(field(-1, "reason"), "sendmmsg is not brokered", "... another reason is written as is");
	is_str(field(-1, "decision"), "allowed", "... with the decision given");

	struct mb_notified_op ab = { .id = 1, .pid = getpid(), .sc = sc_of(SYS_connect), .n = 1,
				     .t = { { .kind = MB_TARGET_UNIX_ABSTRACT, .ops = 1u << MB_OP_CONNECT, .path = "@x" } } };
	is_int(verdict(c, ab), MB_VERDICT_ALLOW, "an abstract unix socket in the sandbox's own network: allowed");

	/* memfd and deleted files. */
	struct mb_notified_op mf = { .id = 1, .pid = getpid(), .sc = sc_of(SYS_execveat), .n = 1,
				     .t = { { .kind = MB_TARGET_MEMFD, .ops = X, .path = "memfd:payload" } } };
	is_int(verdict(c, mf), MB_VERDICT_DENY, "exec of a memfd: denied");
	is_str(field(-1, "reason"), "exec of an anonymous memory file (memfd): never granted", "... reason");
	is_str(field(-1, "target"), "memfd:payload", "... target");
	mf.sc = sc_of(SYS_openat);
	mf.t[0].ops = R;
	is_int(verdict(c, mf), MB_VERDICT_ALLOW, "reading a memfd: the server's own memory");
	struct mb_notified_op del = { .id = 1, .pid = getpid(), .sc = sc_of(SYS_execve), .n = 1,
				      .t = { { .kind = MB_TARGET_DELETED, .ops = X, .path = "/usr/bin/node" } } };
	is_int(verdict(c, del), MB_VERDICT_DENY, "exec of a deleted file: denied, granted name or not");

	/* rename: the second target decides. */
	struct mb_notified_op rn = { .id = 1, .pid = getpid(), .sc = sc_of(SYS_renameat2), .n = 2,
				     .t = { { .kind = MB_TARGET_PATH, .presence = MB_PRESENT, .ops = W, .path = "/tmp/a" },
					    { .kind = MB_TARGET_PATH, .presence = MB_PRESENT_NEW, .ops = W, .path = "/usr/lib/evil.so" } } };
	is_int(verdict(c, rn), MB_VERDICT_DENY, "rename from the tmpfs into /usr/lib: denied");
	is_str(field(-1, "target"), "/usr/lib/evil.so", "... the target not granted is reported");

	/* Flush: the pending count is written, never lost. */
	before = nlines();
	mb_correlator_attach(c, NULL, NULL);
	is_int(mb_correlator_flush(c), 0, "flush: no report error");
	ok(nlines() > before, "flush wrote the pending counts");
	bool found = false;
	for (int i = before; i < nlines(); i++) {
		const cJSON *n = cJSON_GetObjectItem(line(i), "count");
		if (n && n->valueint == 3 && mb_streq(field(i, "target"), "/srv/root/secret") &&
		    mb_streq(field(i, "syscall"), "openat"))
			found = true;
	}
	ok(found, "... among them the three repeats of the secret read, with count 3");
	before = nlines();
	mb_correlator_flush(c);
	is_int(nlines(), before, "a second flush writes nothing");
	mb_correlator_free(c);

	/* A full table of pending repeats: the oldest count goes out early. */
	c = correlator(p, false);
	cJSON_Delete(lines);
	lines = cJSON_CreateArray();
	verdict(c, open_read("/srv/root/r0"));
	verdict(c, open_read("/srv/root/r0"));
	char names[40][32];
	for (int i = 1; i <= 32; i++) {
		snprintf(names[i], sizeof(names[i]), "/srv/root/r%d", i);
		verdict(c, open_read(names[i]));
	}
	bool early = false;
	for (int i = 0; i < nlines(); i++)
		early |= mb_streq(field(i, "target"), "/srv/root/r0") && cJSON_GetObjectItem(line(i), "count");
	ok(early, "33 distinct violations: the oldest one's count is written before a flush");
	is_int(nlines(), 34, "... 33 first lines and one count line");
	mb_correlator_flush(c);
	mb_correlator_free(c);

	/* The second ends: the next identical one is a new line. */
	c = correlator(p, false);
	cJSON_Delete(lines);
	lines = cJSON_CreateArray();
	verdict(c, open_read("/srv/root/s"));
	verdict(c, open_read("/srv/root/s"));
	usleep(1100 * 1000);
	verdict(c, open_read("/srv/root/s"));
	is_int(nlines(), 3, "after the second: the count line, then a new first line");
	ok(cJSON_GetObjectItem(line(1), "count") && cJSON_GetObjectItem(line(1), "count")->valueint == 1,
	   "... the count line counts the one repeat");
	ok(!cJSON_GetObjectItem(line(2), "count"), "... the new line has no count");
	mb_correlator_flush(c);
	mb_correlator_free(c);

	/* report_probes; audit mode. */
	c = correlator(p, true);
	cJSON_Delete(lines);
	lines = cJSON_CreateArray();
	is_int(verdict(c, path_op(SYS_openat, O_RDONLY, R, "/srv/root/nowhere", MB_PRESENT_NONE)), MB_VERDICT_PROBE, "report_probes: still the kernel's answer");
	is_int(nlines(), 1, "... and reported");
	ok(cJSON_IsTrue(cJSON_GetObjectItem(line(0), "probe")), "... marked probe");
	is_str(field(0, "presence"), "nowhere", "... presence nowhere");
	mb_correlator_free(c);
	p->mode = MB_MODE_AUDIT;
	c = correlator(p, false);
	cJSON_Delete(lines);
	lines = cJSON_CreateArray();
	is_int(verdict(c, open_read("/srv/root/secret")), MB_VERDICT_ALLOW, "audit: allowed");
	is_str(field(0, "decision"), "allowed", "... reported, decision allowed");
	ok(!mb_correlate_allows(&rop, c), "audit: the pure twin still says no (the full way reports)");
	struct mb_answer aua = mb_correlate(&uop, c);
	ok(aua.verdict == MB_VERDICT_DENY && aua.error == EFAULT,
	   "audit: an unreadable argument is still denied EFAULT");
	is_str(field(-1, "decision"), "denied", "... and reported denied");
	mb_correlator_free(c);
	p->mode = MB_MODE_ENFORCE;
	p->network = MB_NET_HOST;
	c = correlator(p, false);
	is_int(verdict(c, ab), MB_VERDICT_DENY, "network: host: an abstract unix socket of the host: denied");
	struct mb_notified_op abb = { .id = 1, .pid = getpid(), .sc = sc_of(SYS_bind), .n = 1,
				      .t = { { .kind = MB_TARGET_UNIX_ABSTRACT, .ops = 1u << MB_OP_BIND, .path = "@squat" } } };
	is_int(verdict(c, abb), MB_VERDICT_DENY, "network: host: binding an abstract name of the host: denied");
	is_str(field(-1, "op"), "bind", "... reported as a bind");
	is_str(field(-1, "target"), "@squat", "... of that name");
	mb_correlator_free(c);

	mb_inflight_free(t);
	mb_profile_free(p);
	cJSON_Delete(lines);
	return done_testing();
}
