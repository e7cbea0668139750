/* SPDX-License-Identifier: Apache-2.0 */
/* The guard's parts beside the correlator, below the notifier: the calls
 * whose processes outlive them (supervisor/guard/linger.h) over a modelled
 * process tree, what is done with a denial (supervisor/guard/denials.h:
 * quiet, the call's list, the stderr line), and the tool result that
 * carries them back (supervisor/inspect/denials.h). */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#include "common/loop.h"
#include "supervisor/guard/denials.h"
#include "supervisor/guard/linger.h"
#include "supervisor/inspect/denials.h"
#include "supervisor/inspect/jsonrpc.h"
#include "tests/tap.h"

/* The modelled processes: pid, parent, start time, and for a thread its
 * process (0: a process itself); pid 0 ends the table. */
static struct proc {
	int pid, ppid;
	unsigned long long start;
	int tgid;
} procs[16];

static int fake_stat(int pid, int *ppid, unsigned long long *start)
{
	for (struct proc *p = procs; p->pid; p++)
		if (p->pid == pid) {
			*ppid = p->ppid;
			*start = p->start;
			return 0;
		}
	return -ENOENT;
}

static int fake_tgid(int tid, int *tgid)
{
	for (struct proc *p = procs; p->pid; p++)
		if (p->pid == tid) {
			*tgid = p->tgid ? p->tgid : p->pid;
			return 0;
		}
	return -ENOENT;
}

/* Does text match the extended regular expression re? */
static bool like(const char *text, const char *re, const char *what)
{
	regex_t rx;
	bool m = regcomp(&rx, re, REG_EXTENDED | REG_NOSUB) == 0 && text && regexec(&rx, text, 0, NULL, 0) == 0;
	regfree(&rx);
	if (!ok(m, "%s", what))
		diag("got '%s', want a match of /%s/", text ? text : "(null)", re);
	return m;
}

static struct mb_profile *load(const char *text)
{
	struct mb_load_opts o = { 0 };
	struct mb_error err = { 0 };
	struct mb_profile *p = NULL;
	if (mb_profile_load_buffer("guard.yml", text, strlen(text), &o, &p, &err) < 0)
		diag("load: %s", err.msg);
	return p;
}

static struct mb_call *call(struct mb_inflight *t, const char *text)
{
	struct mb_jr_frame jf;
	mb_jr_parse(text, strlen(text), &jf);
	struct mb_call *c = NULL;
	if (jf.fault != MB_JR_FAULT_NONE || mb_inflight_add(t, MB_DIR_CLIENT, &jf.msgs[0], 0, &c) < 0)
		abort();
	mb_jr_frame_free(&jf);
	return c;
}

static const struct mb_watch_syscall *sc(int nr)
{
	const struct mb_watch_syscall *s = mb_watch_lookup(nr);
	if (!s)
		abort();
	return s;
}

static struct mb_notified_op op_of(int nr, int pid)
{
	return (struct mb_notified_op){ .sc = sc(nr), .pid = (uint32_t)pid, .n = 1 };
}

static void test_linger(void)
{
	mb_linger_proc_stat = fake_stat;
	mb_linger_proc_tgid = fake_tgid;
	struct mb_profile *p = load("version: 1\nname: g\narguments: { within: [/srv] }\n"
				    "tools:\n"
				    "  start: { read: [\"{dir}\"], exec: [/usr/bin/bash], outlive: 2s }\n"
				    "  quick: { read: [\"{dir}\"] }\n");
	struct mb_linger *lg = NULL;
	struct mb_inflight *t = NULL;
	if (!ok(p && mb_linger_new(p, "/", &lg) == 0 && mb_inflight_new(&t) == 0, "a linger")) {
		mb_profile_free(p);
		return;
	}
	/* 10 is the server; 20 the bash start's call runs; 30 the program
	 * bash starts after the call returned; 40 a process of quick's. */
	procs[0] = (struct proc){ 10, 1, 100, 0 };
	procs[1] = (struct proc){ 20, 10, 200, 0 };
	uint64_t now = mb_now_ns();
	struct mb_call *c = call(t, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"start\",\"arguments\":{\"dir\":\"/srv/work\"}}}");
	struct mb_notified_op rd = op_of(SYS_openat, 10);
	mb_linger_note(lg, &rd, t, now);
	is_int((int)mb_linger_count(lg), 0, "the server's own operations take nothing");
	struct mb_notified_op ex = op_of(SYS_execve, 20);
	mb_linger_note(lg, &ex, t, now);
	is_int((int)mb_linger_count(lg), 1, "a process that execs during the call takes its grants");
	mb_inflight_remove(t, c);
	ok(mb_linger_allows(lg, &(struct mb_notified_op){ .sc = sc(SYS_openat), .pid = 20 }, MB_OP_READ,
			    MB_ACCESS_OPEN, "/srv/work/notes.txt"),
	   "... and keeps them once the call returned");
	ok(!mb_linger_allows(lg, &(struct mb_notified_op){ .sc = sc(SYS_openat), .pid = 20 }, MB_OP_READ,
			     MB_ACCESS_OPEN, "/srv/other"),
	   "... no more than them");
	ok(!mb_linger_allows(lg, &(struct mb_notified_op){ .sc = sc(SYS_openat), .pid = 10 }, MB_OP_READ,
			     MB_ACCESS_OPEN, "/srv/work/notes.txt"),
	   "the server itself does not");
	procs[2] = (struct proc){ 30, 20, 300, 0 };
	ok(mb_linger_allows(lg, &(struct mb_notified_op){ .sc = sc(SYS_openat), .pid = 30 }, MB_OP_READ,
			    MB_ACCESS_OPEN, "/srv/work/notes.txt"),
	   "a process it starts does too");
	/* A thread of 20's: its parent is 20's, the server (rg's walkers). */
	procs[3] = (struct proc){ 21, 10, 210, 20 };
	ok(mb_linger_allows(lg, &(struct mb_notified_op){ .sc = sc(SYS_openat), .pid = 21 }, MB_OP_READ,
			    MB_ACCESS_OPEN, "/srv/work/notes.txt"),
	   "a thread of the call's process does too");
	procs[3] = (struct proc){ 0 };
	procs[1] = (struct proc){ 0 }; /* bash exits: 30 is known by itself */
	procs[1] = procs[2];
	procs[2] = (struct proc){ 0 };
	procs[1].ppid = 1;
	ok(mb_linger_allows(lg, &(struct mb_notified_op){ .sc = sc(SYS_openat), .pid = 30 }, MB_OP_READ,
			    MB_ACCESS_OPEN, "/srv/work/notes.txt"),
	   "... after its parent exited");
	procs[1].start = 301; /* 30 exits, its pid reused */
	ok(!mb_linger_allows(lg, &(struct mb_notified_op){ .sc = sc(SYS_openat), .pid = 30 }, MB_OP_READ,
			     MB_ACCESS_OPEN, "/srv/work/notes.txt"),
	   "a pid reused is another process: nothing");
	/* A call of a tool without outlive: nothing is kept. */
	procs[1] = (struct proc){ 40, 10, 400, 0 };
	c = call(t, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"quick\",\"arguments\":{\"dir\":\"/srv/q\"}}}");
	struct mb_notified_op ex2 = op_of(SYS_execve, 40);
	mb_linger_note(lg, &ex2, t, now);
	mb_inflight_remove(t, c);
	ok(!mb_linger_allows(lg, &(struct mb_notified_op){ .sc = sc(SYS_openat), .pid = 40 }, MB_OP_READ,
			     MB_ACCESS_OPEN, "/srv/q/x"),
	   "no outlive: a process keeps nothing of its call");
	/* The bound: past outlive, nothing. */
	procs[1] = (struct proc){ 50, 10, 500, 0 };
	c = call(t, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"start\",\"arguments\":{\"dir\":\"/srv/w\"}}}");
	struct mb_notified_op ex3 = op_of(SYS_execve, 50);
	mb_linger_note(lg, &ex3, t, now - 3000000000ull);
	mb_inflight_remove(t, c);
	ok(!mb_linger_allows(lg, &(struct mb_notified_op){ .sc = sc(SYS_openat), .pid = 50 }, MB_OP_READ,
			     MB_ACCESS_OPEN, "/srv/w/x"),
	   "past its outlive (2 s), a process keeps nothing");
	mb_linger_free(lg);
	mb_inflight_free(t);
	mb_profile_free(p);
}

static void test_denials(void)
{
	struct mb_profile *p = load("version: 1\nname: g\n"
				    "quiet: { read: [\"/usr/share/locale\"], write: [/dev/tty], connect: [\"0.0.0.0/0:53\", \"telemetry.example.test:*\", \"*.updates.example.test:443\"] }\n"
				    "tools:\n  read_file: { read: [/srv] }\n");
	struct mb_inflight *t = NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *err = open_memstream(&buf, &len);
	struct mb_denial_log *d = NULL;
	if (!ok(p && err && mb_inflight_new(&t) == 0 && mb_denials_new(p, err, &d) == 0, "a denial log"))
		return;
	mb_denials_attach(d, t);
	struct mb_call *c = call(t, "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"read_file\",\"arguments\":{\"path\":\"/etc/hostname\"}}}");
	cJSON *f = cJSON_Parse("{\"op\":\"read\",\"target\":\"/etc/hostname\",\"decision\":\"denied\","
			       "\"reason\":\"not granted to read_file\","
			       "\"requests\":[{\"id\":7,\"method\":\"tools/call\",\"tool\":\"read_file\"}]}");
	ok(!mb_denials_seen(d, "violation", f), "a denial is reported");
	ok(c->denials && cJSON_GetArraySize(c->denials) == 1, "... and kept on its call");
	char *kept = c->denials ? cJSON_PrintUnformatted(c->denials) : NULL;
	is_str(kept, "[{\"op\":\"read\",\"target\":\"/etc/hostname\",\"reason\":\"not granted to read_file\","
		     "\"grant\":\"tools.read_file.read: [\\\"/etc/hostname\\\"]\"}]",
	       "... what, why, and the grant that would allow it");
	free(kept);
	fflush(err);
	is_str(buf, "membrane-run: denied read /etc/hostname during read_file; to allow it: tools.read_file.read: [\"/etc/hostname\"]\n",
	       "one line on stderr");
	cJSON_AddNumberToObject(f, "count", 4);
	ok(!mb_denials_seen(d, "violation", f) && cJSON_GetArraySize(c->denials) == 1,
	   "a count line of repeats is neither kept again nor said");
	cJSON_Delete(f);
	f = cJSON_Parse("{\"op\":\"read\",\"target\":\"/usr/share/locale/de/x.mo\",\"decision\":\"denied\",\"requests\":[]}");
	ok(mb_denials_seen(d, "violation", f), "quiet: not written");
	cJSON_Delete(f);
	f = cJSON_Parse("{\"op\":\"read\",\"target\":\"/dev/tty\",\"decision\":\"denied\",\"requests\":[]}");
	ok(mb_denials_seen(d, "violation", f), "a quiet write covers the read half of a read-write open");
	cJSON_AddNumberToObject(f, "count", 3);
	mb_denials_seen(d, "violation", f);
	cJSON_Delete(f);
	f = cJSON_Parse("{\"op\":\"connect\",\"target\":\"10.255.255.53:53\",\"decision\":\"denied\",\"requests\":[]}");
	ok(mb_denials_seen(d, "violation", f), "a quiet connect, by address and port");
	cJSON_Delete(f);
	is_int((int)mb_denials_quiet(d), 6, "counted: 1 + 1 + 3 repeats + 1");
	f = cJSON_Parse("{\"op\":\"read\",\"target\":\"/etc/passwd\",\"decision\":\"allowed\",\"requests\":[]}");
	ok(!mb_denials_seen(d, "violation", f) && cJSON_GetArraySize(c->denials) == 1,
	   "audit mode's allowed lines are no denials");
	cJSON_Delete(f);
	char *h = mb_denials_grant_hint(NULL, "write", "/tmp/x");
	is_str(h, "runtime.write: [\"/tmp/x\"]", "idle: runtime's grant");
	free(h);
	cJSON *rq = cJSON_Parse("[{\"method\":\"resources/read\"},{\"tool\":\"x\"}]");
	h = mb_denials_grant_hint(rq, "read", "/a");
	is_str(h, "requests.resources/read.read: [\"/a\"] (or another request in flight)", "a request's");
	free(h);
	cJSON_Delete(rq);
	/* By name where names decide. */
	bool none;
	f = cJSON_Parse("{\"op\":\"connect\",\"target\":\"127.0.0.10:8443\",\"name\":\"api.example.test\",\"requests\":[{\"tool\":\"plain\"}]}");
	h = mb_denials_hint(f, &none);
	is_str(h, "tools.plain.connect: [\"api.example.test:8443\"]",
	       "a connect to an address answered for a name: the name and the port");
	free(h);
	cJSON_Delete(f);
	f = cJSON_Parse("{\"op\":\"resolve\",\"target\":\"api.example.test\",\"reason\":\"not granted to plain\",\"requests\":[{\"tool\":\"plain\"}]}");
	h = mb_denials_hint(f, &none);
	is_str(h, "tools.plain.connect: [\"api.example.test:PORT\"]", "a name not granted: connect to it");
	free(h);
	cJSON_Delete(f);
	f = cJSON_Parse("{\"op\":\"resolve\",\"target\":\"flip.example.test\",\"reason\":\"answered with 127.0.0.1, a loopback address: refused as DNS rebinding (list...)\",\"requests\":[]}");
	h = mb_denials_hint(f, &none);
	is_str(h, "private_names: [\"flip.example.test\"]", "a rebinding answer: private_names");
	free(h);
	cJSON_Delete(f);
	f = cJSON_Parse("{\"op\":\"resolve\",\"target\":\"api.example.test\",\"reason\":\"a question of type TXT: only A and AAAA are answered\",\"requests\":[]}");
	h = mb_denials_hint(f, &none);
	ok(!h && none, "a TXT question: no grant allows it");
	cJSON_Delete(f);
	f = cJSON_Parse("{\"op\":\"connect\",\"target\":\"10.0.0.1:443\",\"requests\":[]}");
	h = mb_denials_hint(f, &none);
	is_str(h, "runtime.connect: [\"10.0.0.1:443\"]", "an address no name was answered with: the address");
	free(h);
	cJSON_Delete(f);

	/* The result carries them back, every byte of the server's kept. */
	const char *resp = "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"content\":[{\"type\":\"text\",\"text\":\"EACCES\"}],\"isError\":true,\"n\":1.50}}";
	struct mb_jr_frame jf;
	mb_jr_parse(resp, strlen(resp), &jf);
	struct mb_strbuf out = { 0 };
	ok(mb_denials_annotate(p, resp, &jf.msgs[0], c, &out), "a result is annotated");
	like(out.s, "^\\{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":\\{\"_meta\":\\{\"membrane/denials\":\\[\\{\"op\":\"read\",\"target\":\"/etc/hostname\"",
	     "... in its _meta");
	like(out.s, "\"isError\":true,\"n\":1.50\\}\\}$", "... the rest as the server wrote it");
	ok(!strstr(out.s, "membrane denied"), "no note unless the profile asks");
	cJSON *parsed = cJSON_Parse(out.s);
	ok(parsed != NULL, "... and it is JSON");
	cJSON_Delete(parsed);
	mb_strbuf_free(&out);
	mb_jr_frame_free(&jf);
	p->denials = MB_DENIALS_NOTE;
	const char *resp2 = "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"_meta\":{\"x\":1},\"content\":[]}}";
	mb_jr_parse(resp2, strlen(resp2), &jf);
	ok(mb_denials_annotate(p, resp2, &jf.msgs[0], c, &out), "denials: note");
	like(out.s, "\"_meta\":\\{\"membrane/denials\":\\[.*\\],\"x\":1\\}", "... beside the server's own _meta");
	like(out.s, "\"content\":\\[\\{\"type\":\"text\",\"text\":\"membrane denied 1 operation during this call",
	     "... and a text note in the content");
	parsed = cJSON_Parse(out.s);
	ok(parsed != NULL, "... JSON");
	cJSON_Delete(parsed);
	mb_strbuf_free(&out);
	mb_jr_frame_free(&jf);
	const char *resp3 = "{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"_meta\":{\"membrane/denials\":[]},\"content\":[]}}";
	mb_jr_parse(resp3, strlen(resp3), &jf);
	p->denials = MB_DENIALS_META;
	ok(!mb_denials_annotate(p, resp3, &jf.msgs[0], c, &out), "a server's own membrane/denials is left alone");
	mb_strbuf_free(&out);
	mb_jr_frame_free(&jf);

	/* Names in quiet: idle, no call keeps these. */
	mb_denials_attach(d, NULL);
	uint64_t quiet_before = mb_denials_quiet(d);
	f = cJSON_Parse("{\"op\":\"resolve\",\"target\":\"telemetry.example.test\",\"decision\":\"denied\",\"requests\":[]}");
	ok(mb_denials_seen(d, "violation", f), "a quiet name: its refused question is quiet");
	cJSON_Delete(f);
	f = cJSON_Parse("{\"op\":\"resolve\",\"target\":\"a.updates.example.test\",\"decision\":\"denied\",\"requests\":[]}");
	ok(mb_denials_seen(d, "violation", f), "... a quiet wildcard, whatever its port");
	cJSON_Delete(f);
	f = cJSON_Parse("{\"op\":\"resolve\",\"target\":\"updates.example.test\",\"decision\":\"denied\",\"requests\":[]}");
	ok(!mb_denials_seen(d, "violation", f), "... not its apex");
	cJSON_Delete(f);
	f = cJSON_Parse("{\"op\":\"resolve\",\"target\":\"api.example.test\",\"decision\":\"denied\",\"requests\":[]}");
	ok(!mb_denials_seen(d, "violation", f), "a name no quiet names: reported");
	cJSON_Delete(f);
	is_int((int)(mb_denials_quiet(d) - quiet_before), 2, "... the two quiet ones counted");
	mb_denials_free(d);
	fclose(err);
	free(buf);
	mb_inflight_free(t);
	mb_profile_free(p);
}

int main(void)
{
	test_linger();
	test_denials();
	return done_testing();
}
