#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Scripted-client tests of the relay over real pipes (TAP).

The command under test is tests/inspect/relay-harness (the relay without
the sandbox) by default, or with RELAY_MEMBRANE=1 membrane-run itself, under
tests/fixtures/inspector.yml (the same profile as the harness's), sandbox
and all: the harness's options are then translated (milliseconds to
seconds, --pin-strict to a copy of the profile with pin: strict). The server
is tests/fixtures/mcp-fixture-server.py. Every assertion is on bytes
received, report lines or exit statuses; none on timing.
"""
import json
import os
import select
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse

TOP_SRCDIR = os.environ.get("top_srcdir", ".")
TOP_BUILDDIR = os.environ.get("top_builddir", ".")
FIXTURE = os.path.join(TOP_SRCDIR, "tests/fixtures/mcp-fixture-server.py")
MEMBRANE = os.environ.get("RELAY_MEMBRANE") == "1"
if MEMBRANE:
    RELAY = [os.environ.get("MEMBRANE_RUN") or os.path.join(TOP_BUILDDIR, "membrane-run")]
else:
    RELAY = shlex.split(os.environ.get("RELAY_CMD") or
                        os.path.join(TOP_BUILDDIR, "tests/inspect/relay-harness"))
PROFILE = os.path.join(TOP_SRCDIR, "tests/fixtures/inspector.yml")
# Inside the sandbox, the system's python (the profile grants /usr).
PYTHON = "/usr/bin/python3" if MEMBRANE else sys.executable
# The directories this run makes, removed at the end unless a test failed.
SCRATCH = []
# arguments.within. The harness's profile (helpers.h) names /srv/mcp, a
# string the inspector matches arguments against and never opens. membrane-
# run refuses to grant a path that does not exist, so under it the profile's
# WITHIN is a directory of the test's own, made here.
if MEMBRANE:
    WITHIN = os.path.realpath(tempfile.mkdtemp(prefix="mb-relay-within-"))
    os.chmod(WITHIN, 0o755)
    SCRATCH.append(WITHIN)
else:
    WITHIN = "/srv/mcp"
WITHIN_URI = "file://" + urllib.parse.quote(WITHIN)


def relay_args(args, tmpdir):
    """The harness's options, for membrane-run when it is under test."""
    if not MEMBRANE:
        return list(args)
    out, profile = [], PROFILE
    it = iter(args)
    for a in it:
        if a in ("--grace", "--call-timeout"):
            out += [a, "%g" % (int(next(it)) / 1000.0)]
        elif a == "--pin-strict":
            profile = os.path.join(tmpdir, "strict.yml")
            with open(PROFILE) as src, open(profile, "w") as dst:
                dst.write(src.read() + "pin: strict\n")
        elif a == "--audit":
            out += ["--mode", "audit"]
        else:
            out.append(a)
    fixtures = os.path.join(os.path.abspath(TOP_SRCDIR), "tests/fixtures")
    return ["--profile", profile, "--set", "FIXTURES=" + fixtures,
            "--set", "TMP=" + tmpdir, "--set", "WITHIN=" + WITHIN] + out

n = 0
failed = 0


def ok(cond, desc, diag=None):
    global n, failed
    n += 1
    print("%s %d - %s" % ("ok" if cond else "not ok", n, desc))
    if not cond:
        failed += 1
        if diag is not None:
            for line in str(diag).splitlines()[:20]:
                print("#   " + line)
    sys.stdout.flush()
    return cond


def is_(got, want, desc):
    return ok(got == want, desc, "got  %r\nwant %r" % (got, want))


TIMEOUT = 20.0  # a hang fails the test instead of blocking the suite


class Session:
    def __init__(self, args=(), env=None):
        self.dir = tempfile.mkdtemp(prefix="mb-relay-")
        SCRATCH.append(self.dir)
        self.report_path = os.path.join(self.dir, "report.jsonl")
        self.rec_in = os.path.join(self.dir, "server-in")
        self.rec_out = os.path.join(self.dir, "server-out")
        e = dict(os.environ)
        e["FIXTURE_RECORD_IN"] = self.rec_in
        e["FIXTURE_RECORD_OUT"] = self.rec_out
        e.update(env or {})
        os.chmod(self.dir, 0o755)
        cmd = RELAY + ["--report", self.report_path] + relay_args(args, self.dir) + \
            ["--", PYTHON, os.path.abspath(FIXTURE)]
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, env=e)
        self.buf = b""
        self.next_id = 1

    def send_raw(self, data):
        self.p.stdin.write(data)
        self.p.stdin.flush()

    def send(self, obj):
        self.send_raw(json.dumps(obj).encode() + b"\n")

    def request(self, method, params=None, id=None):
        if id is None:
            id = self.next_id
            self.next_id += 1
        m = {"jsonrpc": "2.0", "id": id, "method": method}
        if params is not None:
            m["params"] = params
        self.send(m)
        return id

    def line(self, timeout=TIMEOUT):
        """The next raw line from the relay's stdout, or None."""
        end = time.monotonic() + timeout
        fd = self.p.stdout.fileno()
        while b"\n" not in self.buf:
            left = end - time.monotonic()
            if left <= 0:
                return None
            r, _, _ = select.select([fd], [], [], left)
            if not r:
                return None
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                return None
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line + b"\n"

    def msg(self, timeout=TIMEOUT):
        line = self.line(timeout)
        return json.loads(line) if line else None

    def reply(self, id):
        """Messages until the response with this id; others are kept."""
        while True:
            m = self.msg()
            if m is None or m.get("id") == id and ("result" in m or "error" in m):
                return m

    def call(self, name, args, id=None):
        return self.reply(self.request("tools/call", {"name": name, "arguments": args}, id))

    def ping_works(self, desc):
        rid = self.request("ping")
        r = self.reply(rid)
        ok(r is not None and r.get("result") == {}, desc, r)

    def close(self, timeout=TIMEOUT):
        try:
            if self.p.stdin:
                self.p.stdin.close()
        except BrokenPipeError:
            pass
        self.p.stdin = None
        rest = self.buf
        try:
            out, err = self.p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            out, err = self.p.communicate()
        self.rest = rest + out
        self.stderr = err
        return self.p.returncode

    def reports(self, event=None):
        try:
            with open(self.report_path) as f:
                lines = [json.loads(l) for l in f if l.strip()]
        except FileNotFoundError:
            return []
        return [r for r in lines if event is None or r.get("event") == event]

    def server_received(self):
        try:
            with open(self.rec_in, "rb") as f:
                return f.read()
        except FileNotFoundError:
            return b""

    def server_sent(self):
        try:
            with open(self.rec_out, "rb") as f:
                return f.read()
        except FileNotFoundError:
            return b""


def status_kib(pid, field):
    """A size from /proc/PID/status (VmRSS, VmHWM), in KiB, or -1."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return -1


def rss_kib(pid):
    return status_kib(pid, "VmRSS")


def rss_peak_kib(pid):
    return status_kib(pid, "VmHWM")


def test_passthrough():
    s = Session()
    odd = b'{ "jsonrpc" : "2.0", "id" : "a\\u00e9", "method" : "initialize", ' \
          b'"params" : {"protocolVersion":"2025-06-18","n":1.50e3,"s":"caf\xc3\xa9"}}\r\n'
    s.send_raw(odd)
    r = s.line()
    ok(r is not None and b'"instructions":"A fixture server."' in r, "initialize answered")
    s.send_raw(b'{"jsonrpc":"2.0","method":"notifications/initialized"}\n')
    rid = s.request("tools/call", {"name": "echo", "arguments": {"text": "h\u00e9llo \\ \" \u2028"}})
    r2 = s.line()
    s.ping_works("ping after pass-through")
    s.close()
    recv = s.server_received()
    ok(recv.startswith(odd), "client -> server: byte for byte (CRLF, spacing, escapes, numbers)",
       recv[:200])
    sent = s.server_sent().split(b"\n")
    ok(r == sent[0] + b"\n", "server -> client: byte for byte", (r, sent[0]))
    ok(r2 == sent[1] + b"\n", "tools/call result byte for byte")


def test_filtering_and_refusals():
    s = Session()
    r = s.reply(s.request("tools/list"))
    names = [t["name"] for t in r["result"]["tools"]]
    is_(names, ["echo", "read_text_file"], "page 1: undeclared tool hidden")
    is_(r["result"].get("nextCursor"), "page-2", "page 1: nextCursor untouched")
    r = s.reply(s.request("tools/list", {"cursor": "page-2"}))
    names = [t["name"] for t in r["result"]["tools"]]
    is_(names, ["move_file"], "page 2: undeclared tool hidden")
    r = s.call("secret_tool", {})
    res = r.get("result", {})
    ok(res.get("isError") is True and "membrane refused" in res["content"][0]["text"],
       "undeclared tool: CallToolResult isError from membrane", r)
    r = s.call("read_text_file", {"path": "/etc/passwd"})
    res = r.get("result", {})
    ok(res.get("isError") is True and "arguments.within" in res["content"][0]["text"],
       "path outside arguments.within: refused", r)
    inside = WITHIN + "/notes.txt"
    r = s.call("read_text_file", {"path": inside})
    is_(r.get("result", {}).get("content", [{}])[0].get("text"), inside,
        "path inside arguments.within: answered by the server")
    s.close()
    refused = s.reports("refused")
    is_(len(refused), 2, "two refusals reported")
    recv = s.server_received()
    ok(b"secret_tool" not in recv and b"/etc/passwd" not in recv,
       "refused calls never reached the server")


def test_rug_pull(strict):
    s = Session(["--pin-strict"] if strict else [])
    s.reply(s.request("tools/list"))
    s.reply(s.request("tools/list", {"cursor": "page-2"}))
    s.call("echo", {"text": "!rugpull"})
    s.reply(s.request("tools/list"))
    r = s.reply(s.request("tools/list", {"cursor": "page-2"}))
    names = [t["name"] for t in r["result"]["tools"]]
    ok("list_allowed_directories" in names, "the new declared tool is listed")
    r = s.call("echo", {"text": "after"})
    if strict:
        ok(r["result"].get("isError") is True and "pin: strict" in r["result"]["content"][0]["text"],
           "pin: strict: the changed tool's call is refused", r)
    else:
        is_(r["result"]["content"][0]["text"], "after", "pin: report: the changed tool still answers")
    s.close()
    v = s.reports("violation")
    changed = {x["target"]: x["changed"] for x in v if x.get("op") == "tool-changed"}
    is_(changed.get("echo"), ["description"], "rug pull reported: echo's description changed")
    is_(changed.get("list_allowed_directories"), ["added"], "rug pull reported: a tool added")


def test_server_death():
    s = Session()
    a = s.request("tools/call", {"name": "echo", "arguments": {"text": "!silent"}})
    b = s.request("tools/call", {"name": "echo", "arguments": {"text": "!die 3"}})
    ra, rb = s.reply(a), None
    got = {}
    for m in [ra, s.msg()]:
        if m:
            got[m.get("id")] = m
    ok(a in got and b in got and all("error" in m for m in got.values()),
       "both requests in flight answered with an error when the server died", got)
    status = s.close()
    is_(status, 3, "membrane exits with the server's status")
    s = Session()
    s.request("tools/call", {"name": "echo", "arguments": {"text": "!kill"}})
    m = s.msg()
    ok(m is not None and "error" in m, "in-flight call answered after SIGKILL", m)
    is_(s.close(), 128 + 9, "killed by signal 9: exit 137")


def test_bad_input_client():
    s = Session(["--max-message", "4096"])
    cases = [
        (b"this is not json\n", -32700, "invalid JSON"),
        (b'{"jsonrpc":"2.0","id":1,"method":"p\xffing"}\n', -32700, "invalid UTF-8"),
        (b'{"jsonrpc":"2.0","id":1,"method":"pi\x00ng"}\n', -32700, "NUL byte"),
        (b"[" * 1000 + b"]" * 1000 + b"\n", -32700, "too-deep nesting"),
        (b'{"id":1,"method":"ping"}\n', -32600, "no jsonrpc"),
        (b'{"jsonrpc":"1.0","id":1,"method":"ping"}\n', -32600, "wrong version"),
        (b'{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}\n', -32600, "id of object type"),
        (b"\n", -32700, "empty line"),
        (b"[]\n", -32600, "empty batch"),
        (b'{"jsonrpc":"2.0","id":"x","method":"ping","params":{"p":"' + b"y" * 10000 + b'"}}\n',
         -32600, "over-long line"),
    ]
    for data, code, what in cases:
        s.send_raw(data)
        m = s.msg()
        ok(m is not None and m.get("error", {}).get("code") == code,
           "%s: client gets JSON-RPC error %d" % (what, code), m)
        s.ping_works("%s: the stream keeps working" % what)
    # a response to an unknown id: reported, dropped, nothing answered
    s.send_raw(b'{"jsonrpc":"2.0","id":4242,"result":{}}\n')
    s.ping_works("response to unknown id: the stream keeps working")
    # duplicate id in flight
    s.request("tools/call", {"name": "echo", "arguments": {"text": "!silent"}}, id="dup")
    s.request("ping", id="dup")
    m = s.msg()
    ok(m is not None and m.get("id") == "dup" and m.get("error", {}).get("code") == -32600,
       "duplicate id in flight: invalid request error", m)
    s.ping_works("duplicate id: the stream keeps working")
    # a batch mixing garbage
    s.send_raw(b'[{"jsonrpc":"2.0","id":"b1","method":"ping"}, 7, '
               b'{"jsonrpc":"2.0","id":"b2","method":"tools/call","params":{"name":"secret_tool"}}]\n')
    got = {}
    for _ in range(3):
        m = s.msg()
        if m is None:
            break
        for x in (m if isinstance(m, list) else [m]):
            got[x.get("id")] = x
    ok("b1" in got and "result" in got["b1"], "batch: the valid element answered by the server", got)
    ok(None in got and "error" in got[None], "batch: the garbage element answered with an error", got)
    ok("b2" in got and got["b2"].get("result", {}).get("isError") is True,
       "batch: the refused element answered by membrane", got)
    s.ping_works("batch mixing garbage: the stream keeps working")
    # partial line at EOF
    s.send_raw(b'{"jsonrpc":"2.0","id":"last","method":"ping"}')
    s.p.stdin.close()
    s.p.stdin = None
    m = s.reply("last")
    ok(m is not None and m.get("result") == {}, "partial line at EOF: delivered and answered", m)
    s.close()
    errors = s.reports("error")
    ok(len([e for e in errors if e.get("side") == "client"]) >= 12,
       "every client-side bad input reported (%d)" % len(errors))
    recv = s.server_received()
    ok(b"not json" not in recv and b"\x00" not in recv and b"\xff" not in recv and b"yyyy" not in recv,
       "no client garbage reached the server")


def test_bad_input_server():
    s = Session(["--max-message", "4096"])
    r = s.call("echo", {"text": "!garbage"})
    is_(r["result"]["content"][0]["text"], "!garbage", "server printed garbage: the answer still arrives")
    r = s.request("tools/call", {"name": "echo", "arguments": {"text": "!unknown-id"}})
    s.ping_works("server answered an unknown id: the stream keeps working")
    big = s.request("tools/call", {"name": "echo", "arguments": {"text": "!big 10000"}})
    s.ping_works("server line over --max-message: the stream keeps working")
    s.close()
    errs = [e for e in s.reports("error") if e.get("side") == "server"]
    reasons = " | ".join(e.get("reason", "") for e in errs)
    ok(any("not valid JSON" in e["reason"] for e in errs), "non-JSON line reported", reasons)
    ok(any("unknown id" in e["reason"] for e in errs), "response to unknown id reported", reasons)
    ok(any("over the limit" in e["reason"] for e in errs), "over-long line reported", reasons)
    ok(b"this is not JSON" not in s.rest, "the garbage line never reached the client")
    ok(b"987654" not in s.rest, "the unknown-id answer never reached the client")


def test_call_timeout():
    # A call answered long after --call-timeout: its window closes (an
    # "error" report names it) and the client still gets the answer.
    s = Session(["--call-timeout", "200"])
    rid = s.request("tools/call", {"name": "echo", "arguments": {"text": "!late 3"}})
    r = s.reply(rid)
    is_((r or {}).get("result", {}).get("content", [{}])[0].get("text"), "!late 3",
        "the late answer still reaches the client")
    s.ping_works("the session goes on")
    s.close()
    errs = s.reports("error")
    late = [e for e in errs if "call-timeout" in e.get("reason", "")]
    ok(len(late) == 1 and late[0].get("request", {}).get("id") == rid and
       late[0]["request"].get("tool") == "echo" and
       late[0]["request"].get("arguments") == {"text": "!late 3"},
       "the expiry is reported once, naming the request", errs)
    ok(not any("unknown id" in e.get("reason", "") for e in errs),
       "the late answer is not taken for an answer to an unknown id", errs)
    # Progress keeps the window open: no expiry while it comes.
    s = Session(["--call-timeout", "3000"])
    rid = s.request("tools/call", {"name": "echo", "arguments": {"text": "!progress 5 0.2"},
                                   "_meta": {"progressToken": "tok-1"}})
    r = s.reply(rid)
    ok(r is not None and "result" in r, "a call with progress answered", r)
    s.close()
    ok(not any("call-timeout" in e.get("reason", "") for e in s.reports("error")),
       "no expiry for a call that reports progress", s.reports("error"))
    # A server that dies after the window closed: the client still gets an
    # error for its request.
    s = Session(["--call-timeout", "200"])
    a = s.request("tools/call", {"name": "echo", "arguments": {"text": "!silent"}})
    time.sleep(1.0)  # past the timeout: the call expires (no assertion on when)
    s.request("tools/call", {"name": "echo", "arguments": {"text": "!die 4"}})
    got = {}
    for _ in range(2):
        m = s.msg()
        if m:
            got[m.get("id")] = m
    ok(a in got and "error" in got[a], "an expired request is answered when the server dies", got)
    is_(s.close(), 4, "exit status of the server")


def roots_answer(s, roots):
    """Wait for the server's roots/list (forwarded), answer it; returns it."""
    while True:
        m = s.msg()
        if m is None or m.get("method") == "roots/list":
            break
    if m is not None:
        s.send({"jsonrpc": "2.0", "id": m["id"],
                "result": {"roots": [{"uri": u} for u in roots]}})
    return m


def test_roots():
    s = Session()
    rid = s.request("tools/call", {"name": "echo", "arguments": {"text": "!roots"}})
    req = roots_answer(s, [WITHIN_URI, "file:///home/u/other"])
    ok(req is not None, "the server's roots/list reaches the client")
    s.reply(rid)
    s.send({"jsonrpc": "2.0", "method": "notifications/roots/list_changed"})
    rid = s.request("tools/call", {"name": "echo", "arguments": {"text": "!roots"}})
    roots_answer(s, [WITHIN_URI, "file:///home/u/other", "file:///tmp/x%20y"])
    s.reply(rid)
    rid = s.request("tools/call", {"name": "echo", "arguments": {"text": "!roots"}})
    roots_answer(s, ["file:///opt/p"])
    s.reply(rid)
    s.ping_works("the session goes on")
    s.close()
    errs = [e for e in s.reports("error") if e.get("side") == "client"]
    roots = [e.get("root") for e in errs if "root" in e]
    within = [e.get("within") for e in errs if "within" in e]
    is_(roots, ["file:///home/u/other", "file:///tmp/x%20y", "file:///opt/p"],
        "each root outside arguments.within reported once")
    is_(within, [WITHIN], "a within entry beneath none of the roots reported once")
    ok(all("arguments.within" in e.get("reason", "") for e in errs), "the reasons say why", errs)
    recv = s.server_received()
    ok(recv.count(b'"roots"') == 3, "every roots answer reached the server", recv[-300:])


def test_stderr():
    s = Session()
    s.call("echo", {"text": "!stderr"})
    s.close()
    err = s.stderr.decode(errors="replace")
    ok("[server] first line\n[server] second line\n[server] no newline" in err,
       "server stderr relayed, each line prefixed", err)


def test_stderr_forge():
    # Reports on the shared stderr: a partial line of the server must not
    # glue to a report line, nor can the server's next line pass for a
    # report at a line start; terminal controls are shown, not obeyed.
    s = Session(["--report", "-"])
    r = s.call("echo", {"text": "!forge"})
    ok(r is not None and "result" in r, "the forging call is answered", r)
    s.close()
    err = s.stderr
    lines = err.split(b"\n")
    reports = [l for l in lines if l.startswith(b"{")]
    ok(not any(b"FORGED" in l for l in reports), "no forged line starts a line", err[-600:])
    ok(any(b'"event":"error"' in l and json.loads(l).get("side") == "server" for l in reports),
       "the real report line is whole, at a line start", err[-600:])
    forged = [l for l in lines if b"FORGED" in l]
    ok(len(forged) == 1 and forged[0].startswith(b"[server] partial-"),
       "the server's partial line was ended by its own next bytes, prefixed", forged)
    ok(b"\r" not in err and b"\x1b" not in err and b"\xc2\x9b" not in err,
       "no carriage return, escape or C1 control reaches the terminal", err[-300:])
    ok(forged and b"\\x0d\\x1b[2K{" in forged[0] and b"\\x1b[8m\\xc2\\x9b" in forged[0],
       "they are shown as \\xNN", forged)
    ok(all(l.startswith(b"[server] ") or l.startswith(b"{") or l == b"" for l in lines),
       "every line is either the server's, prefixed, or a report", err[-600:])
    # A line longer than the bound (4096 bytes) is cut into prefixed lines.
    s = Session()
    s.call("echo", {"text": "!stderr-long 10000"})
    s.close()
    lines = [l for l in s.stderr.split(b"\n") if l.startswith(b"[server] y")]
    is_([len(l) - len(b"[server] ") for l in lines], [4096, 4096, 1808],
        "a 10000-byte line held no longer than 4096 bytes at a time, each piece prefixed")


def test_s2c_flood():
    # The server asks the client 300000 times and the client never answers:
    # past the cap membrane answers the server itself, and its memory stays
    # bounded (VmRSS, no timing).
    s = Session()
    s.ping_works("server up")
    before = rss_kib(s.p.pid)
    rid = s.request("tools/call", {"name": "echo", "arguments": {"text": "!flood 300000"}})
    r = s.reply(rid)
    ok(r is not None and "result" in r, "the flooding call is answered", r)
    s.ping_works("the session goes on")
    after = rss_kib(s.p.pid)
    ok(0 < before and after - before < 16 * 1024,
       "membrane's RSS stayed bounded under 300000 unanswered requests (%d -> %d KiB)" % (before, after))
    s.close()
    caps = [e for e in s.reports("error") if "await the client" in e.get("reason", "")]
    is_(len(caps), 1, "the cap is reported once")
    recv = s.server_received()
    ok(b"-31002" in recv, "the server was answered with error -31002", recv[-300:])


def test_shutdown():
    s = Session(["--grace", "200"], {"FIXTURE_IGNORE_EOF": "1"})
    s.ping_works("server up")
    is_(s.close(), 128 + signal.SIGTERM, "server ignoring EOF: SIGTERM after the grace (exit 143)")
    s = Session(["--grace", "200"], {"FIXTURE_IGNORE_EOF": "1", "FIXTURE_IGNORE_TERM": "1"})
    s.ping_works("server up")
    is_(s.close(), 128 + signal.SIGKILL, "server ignoring EOF and SIGTERM: SIGKILL (exit 137)")
    s = Session()
    s.ping_works("server up")
    is_(s.close(), 0, "server exiting at EOF: status 0")
    s = Session(["--grace", "10000"], {"FIXTURE_IGNORE_EOF": "1"})
    s.ping_works("server up")
    s.p.send_signal(signal.SIGTERM)
    is_(s.close(), 128 + signal.SIGTERM, "SIGTERM to membrane is forwarded to the server")


def test_backpressure():
    s = Session()
    ids = [s.request("tools/call", {"name": "echo", "arguments": {"text": "!big 100000"}})
           for _ in range(300)]
    time.sleep(1.0)  # let the server fill every pipe while nobody reads
    peak_while_blocked = rss_peak_kib(s.p.pid)
    got = []
    while len(got) < len(ids):
        m = s.msg()
        if m is None:
            break
        got.append(m.get("id"))
    is_(got, ids, "30 MB through a client that did not read: every answer, in order")
    ok(0 < peak_while_blocked < 32 * 1024,
       "membrane's peak RSS stayed bounded (%d KiB)" % peak_while_blocked)
    s.close()


def main():
    tests = [test_passthrough, test_filtering_and_refusals,
             lambda: test_rug_pull(False), lambda: test_rug_pull(True),
             test_server_death, test_bad_input_client, test_bad_input_server,
             test_stderr, test_stderr_forge, test_s2c_flood, test_shutdown, test_backpressure, test_call_timeout, test_roots]
    for t in tests:
        try:
            t()
        except Exception as e:  # a crash is a failure, not a skip
            ok(False, "%s raised %r" % (getattr(t, "__name__", "test"), e))
    print("1..%d" % n)
    if failed:
        print("# kept for a look: " + " ".join(SCRATCH))
    else:
        for d in SCRATCH:
            shutil.rmtree(d, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
