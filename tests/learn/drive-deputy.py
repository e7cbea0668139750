#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A learning session of the deputy (tests/notify/deputy) for
tests/learn/e2e-deputy.sh: the legitimate calls of its tools, then its side
actions where no argument names the target, and an act while idle. Prints
what came back as one JSON object.

  drive-deputy.py --root DIR --secret FILE -- COMMAND [ARG]...
  drive-deputy.py --root DIR --signal INT -- COMMAND [ARG]...
      one legitimate read, then the signal to COMMAND (membrane-run) while
      the client still holds its end open; prints the read and the status

  read {path, token, note}      the file named (legitimate); token and a
                                300-byte note are never to be written down
  read {path} + exec shell      runs /bin/sh: no argument names it
  read {path} + exec memfd      runs itself from a memory file
  read {path, also: SECRET}     SECRET lies in a secret store ($HOME/.ssh)
  write {path, content}         its own job
  arm {path: ROOT/b.txt}, wait  ROOT/b.txt is read while nothing is in flight
"""
import importlib.util
import json
import os
import signal
import sys
import time

# tests/notify/deputy-drive.py: a file name with a hyphen, loaded by path.
_spec = importlib.util.spec_from_file_location(
    "deputy_drive", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "notify", "deputy-drive.py"))
_drive = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_drive)
Session = _drive.Session


def main():
    argv = sys.argv[1:]
    opts = {}
    i = 0
    while argv[i] != "--":
        opts[argv[i][2:]] = argv[i + 1]
        i += 2
    s = Session(argv[i + 1:])
    s.start()
    root = opts["root"]
    a, b = root + "/a.txt", root + "/b.txt"
    if "signal" in opts:
        out = {"legit": s.call("read", {"path": a})}
        os.kill(s.p.pid, getattr(signal, "SIG" + opts["signal"]))
        out["exit"] = s.p.wait(timeout=30)
        print(json.dumps(out))
        return
    out = {
        # A secret-looking argument and a long one: neither value may
        # reach the draft.
        "legit": s.call("read", {"path": a, "token": "s3cr3t-token-value", "note": "x" * 300}),
        "shell": s.call("read", {"path": a, "exec": "shell"}),
        "memfd": s.call("read", {"path": a, "exec": "memfd"}),
        "secret": s.call("read", {"path": a, "also": opts["secret"]}),
        "write": s.call("write", {"path": root + "/w.txt", "content": "written\n"}),
        "arm": s.call("arm", {"ms": 200, "path": b}),
    }
    time.sleep(1.0)
    out["status"] = s.call("status")
    out["exit"] = s.close()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
