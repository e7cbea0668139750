#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Run a command as a child subreaper and report what it leaves behind.

    reaper.py LEFTOVERS-FILE [--grace SECONDS] -- COMMAND [ARG]...

Every process COMMAND starts, at any depth, is re-parented to this one when
its own parent dies (PR_SET_CHILD_SUBREAPER), including a sandbox's init in
its own pid namespace. Once COMMAND has exited, the processes still alive
are given SECONDS (default 10) to exit on their own (a membrane-run that
was just sent SIGTERM by the client, finishing its exit report); those
still alive then are left-overs: their command lines go to stderr, their
number to LEFTOVERS-FILE, and they are killed. The exit status is
COMMAND's (128+N if killed by signal N).
"""
import ctypes
import os
import signal
import sys
import time

PR_SET_CHILD_SUBREAPER = 36


def children():
    pids = []
    me = os.getpid()
    for task in os.listdir(f"/proc/{me}/task"):
        try:
            with open(f"/proc/{me}/task/{task}/children") as f:
                pids += [int(p) for p in f.read().split()]
        except FileNotFoundError:
            pass
    return pids


def cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return "?"


def reap():
    """Collect every exited child; return the statuses by pid."""
    done = {}
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return done
        if pid == 0:
            return done
        done[pid] = status


def main():
    args = sys.argv[1:]
    if len(args) < 3 or "--" not in args:
        sys.exit(__doc__)
    out = args[0]
    grace = 10.0
    if args[1] == "--grace":
        grace = float(args[2])
    cmd = args[args.index("--") + 1:]

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        sys.exit(f"reaper: prctl(PR_SET_CHILD_SUBREAPER): {os.strerror(ctypes.get_errno())}")
    # SIGCHLD is waited for, never handled: block it before the first fork.
    signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGCHLD])
    pid = os.fork()
    if pid == 0:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGCHLD])
        try:
            os.execvp(cmd[0], cmd)
        except OSError as e:
            print(f"reaper: {cmd[0]}: {e.strerror}", file=sys.stderr)
            os._exit(127)
    # Forward the signals a test harness sends, so that COMMAND cleans up.
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda s, f: os.kill(pid, s))

    status = None
    deadline = None
    while True:
        done = reap()
        if pid in done:
            status = done[pid]
            deadline = time.monotonic() + grace
        if status is not None:
            live = children()
            if not live:
                break
            left = deadline - time.monotonic()
            if left <= 0:
                for p in live:
                    print(f"reaper: left behind: pid {p}: {cmdline(p)}", file=sys.stderr)
                with open(out, "w") as f:
                    f.write(f"{len(live)}\n")
                for p in live:
                    try:
                        os.kill(p, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                for p in live:
                    try:
                        os.waitpid(p, 0)
                    except ChildProcessError:
                        pass
                sys.exit(code(status))
            signal.sigtimedwait([signal.SIGCHLD], left)
        else:
            signal.sigtimedwait([signal.SIGCHLD], 3600)
    with open(out, "w") as f:
        f.write("0\n")
    sys.exit(code(status))


def code(status):
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.WEXITSTATUS(status)


if __name__ == "__main__":
    main()
