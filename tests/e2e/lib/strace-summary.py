#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Summarise what a traced MCP server touched, per step of a scripted session.

    strace -f -ttt -yy -e trace=%file,%network,execve -o TRACE SERVER...
    node lib/run-script.mjs SCRIPT.json -- strace ... > MARKS
    lib/strace-summary.py TRACE MARKS [--probes] [--prefix NAME=DIR]...

Each traced call is put in the step whose MARK window holds its timestamp
("between steps" otherwise) and classified the way membrane's profile
language sees it: read, write, exec, connect, bind, or meta (stat, access,
readlink: no grant needed by Landlock or the correlator as designed). Calls
that failed with ENOENT are probes (counted; listed with --probes).
--prefix replaces a directory by a name in the output (the package's
node_modules, the served root), so that traces from different machines compare.
"""
import re
import sys
from collections import OrderedDict, defaultdict

CALL = re.compile(r'^(\d+)\s+(\d+\.\d+)\s+(.*)$')
SYSCALL = re.compile(r'^(\w+)\((.*)\)\s+=\s+(-?\d+|\?|0x[0-9a-f]+)(.*)$')
STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')
FDPATH = re.compile(r'^(-?\d+|AT_FDCWD)(?:<([^>]*)>)?$')

WRITE_CALLS = {"mkdir", "mkdirat", "rename", "renameat", "renameat2", "unlink", "unlinkat",
               "rmdir", "chmod", "fchmodat", "fchmodat2", "link", "linkat", "symlink", "symlinkat",
               "utimensat", "utime", "utimes", "truncate", "chown", "fchownat", "lchown", "mknod",
               "mknodat", "creat"}
META_CALLS = {"stat", "lstat", "newfstatat", "statx", "access", "faccessat", "faccessat2",
              "readlink", "readlinkat", "statfs", "getcwd", "chdir", "fstatfs", "inotify_add_watch",
              "getxattr", "lgetxattr", "listxattr", "llistxattr"}
NET_CALLS = {"connect", "bind", "sendto", "sendmsg", "listen", "accept", "accept4"}
QUIET_NET = {"socket", "socketpair", "getsockname", "getpeername", "getsockopt", "setsockopt",
             "recvfrom", "recvmsg", "shutdown"}


def split_args(s):
    """Top-level comma split that respects quotes, braces and brackets."""
    out, depth, cur, q, esc = [], 0, [], False, False
    for ch in s:
        if q:
            cur.append(ch)
            if esc:
                esc = False
            elif ch == '\\':
                esc = True
            elif ch == '"':
                q = False
            continue
        if ch == '"':
            q = True
        elif ch in '{[(':
            depth += 1
        elif ch in '}])':
            depth -= 1
        elif ch == ',' and depth == 0:
            out.append(''.join(cur).strip())
            cur = []
            continue
        cur.append(ch)
    if cur:
        out.append(''.join(cur).strip())
    return out


def unquote(a):
    m = STRING.search(a)
    return m.group(1) if m else None


def join(dirfd, rel):
    if rel is None:
        return None
    if rel.startswith('/'):
        return rel
    m = FDPATH.match(dirfd)
    base = m.group(2) if m and m.group(2) else ('$CWD' if dirfd == 'AT_FDCWD' else f'fd{dirfd}')
    if rel == '':
        return base
    return base.rstrip('/') + '/' + rel


def classify(name, args, ret, rest):
    """-> list of (op, target)"""
    a = split_args(args)
    if name == 'execve':
        return [('exec', unquote(a[0]))]
    if name in ('open', 'openat', 'openat2'):
        if name == 'open':
            path, flags = unquote(a[0]), a[1] if len(a) > 1 else ''
        else:
            path, flags = join(a[0], unquote(a[1])), a[2] if len(a) > 2 else ''
        w = any(f in flags for f in ('O_WRONLY', 'O_RDWR', 'O_CREAT', 'O_TRUNC', 'O_APPEND'))
        op = 'write' if w else ('list' if 'O_DIRECTORY' in flags else 'read')
        return [(op, path)]
    if name in WRITE_CALLS:
        if name in ('rename', 'link', 'symlink'):
            return [('write', unquote(a[0])), ('write', unquote(a[1]))]
        if name in ('renameat', 'renameat2', 'linkat'):
            return [('write', join(a[0], unquote(a[1]))), ('write', join(a[2], unquote(a[3])))]
        if name == 'symlinkat':
            return [('write', join(a[1], unquote(a[2])))]
        if name.endswith('at') or name in ('fchmodat2', 'utimensat'):
            return [('write', join(a[0], unquote(a[1])))]
        return [('write', unquote(a[0]))]
    if name in META_CALLS:
        if name in ('newfstatat', 'statx', 'faccessat', 'faccessat2', 'readlinkat'):
            return [('meta', join(a[0], unquote(a[1])))]
        if name == 'inotify_add_watch':
            return [('meta', unquote(a[1]))]
        return [('meta', unquote(a[0]) if a else None)]
    if name in NET_CALLS:
        if name in ('connect', 'bind', 'sendto'):
            addr = a[1] if name != 'sendto' else (a[4] if len(a) > 4 else 'NULL')
            if addr == 'NULL':
                return []
            fam = re.search(r'sa_family=(\w+)', addr)
            fam = fam.group(1) if fam else '?'
            if fam in ('AF_INET', 'AF_INET6'):
                port = re.search(r'sin6?_port=htons\((\d+)\)', addr)
                ip = re.search(r'inet_addr\("([^"]+)"\)|inet_pton\(AF_INET6, "([^"]+)"', addr)
                ipv = (ip.group(1) or f'[{ip.group(2)}]') if ip else '?'
                return [('connect' if name != 'bind' else 'bind', f'{ipv}:{port.group(1) if port else "?"}')]
            if fam == 'AF_UNIX':
                p = re.search(r'sun_path=(@?"[^"]*")', addr)
                return [('connect' if name != 'bind' else 'bind', f'unix:{p.group(1) if p else "?"}')]
            if fam == 'AF_NETLINK':
                return [('netlink', name)]
            return [(name, fam)]
        return [(name, '')]
    if name in QUIET_NET:
        return []
    return [('other:' + name, '')]


def load_marks(path):
    marks = []
    stack = {}
    for line in open(path):
        if not line.startswith('MARK '):
            continue
        _, t, what, label = line.rstrip('\n').split(' ', 3)
        t = int(t) / 1e6
        if what == 'begin':
            stack[label] = t
        else:
            marks.append((stack.pop(label), t, label))
    return marks


def main():
    args = sys.argv[1:]
    probes = '--probes' in args
    args = [a for a in args if a != '--probes']
    prefixes = []
    while '--prefix' in args:
        i = args.index('--prefix')
        name, d = args[i + 1].split('=', 1)
        prefixes.append((d.rstrip('/'), name))
        del args[i:i + 2]
    trace, markfile = args[0], args[1]
    marks = load_marks(markfile)
    order = [m[2] for m in marks] + ['between steps']
    seen = defaultdict(OrderedDict)
    nprobes = defaultdict(int)
    pending = {}

    def label_for(t):
        for b, e, lab in marks:
            if b - 0.002 <= t <= e + 0.002:
                return lab
        return 'between steps'

    def shorten(p):
        if p is None:
            return '?'
        for d, name in prefixes:
            if p == d or p.startswith(d + '/'):
                return name + p[len(d):]
        return p

    for line in open(trace):
        m = CALL.match(line.rstrip('\n'))
        if not m:
            continue
        pid, t, body = m.group(1), float(m.group(2)), m.group(3)
        if body.endswith('<unfinished ...>'):
            pending[pid] = (t, body[:-len('<unfinished ...>')].rstrip())
            continue
        r = re.match(r'^<\.\.\. (\w+) resumed>(.*)$', body)
        if r:
            if pid not in pending:
                continue
            t0, head = pending.pop(pid)
            body = head + r.group(2)
            t = t0
        if body.startswith('+++') or body.startswith('---'):
            continue
        s = SYSCALL.match(body)
        if not s:
            continue
        name, argstr, ret, rest = s.groups()
        err = re.search(r'\b(E[A-Z]+)\b', rest) if ret.startswith('-') else None
        err = err.group(1) if err else None
        for op, target in classify(name, argstr, ret, rest):
            lab = label_for(t)
            if err == 'ENOENT' and not probes:
                nprobes[lab] += 1
                continue
            key = f'{op:8} {shorten(target)}' + (f'  [{err}]' if err else '')
            seen[lab][key] = seen[lab].get(key, 0) + 1

    for lab in order:
        if lab not in seen and lab not in nprobes:
            continue
        print(f'== {lab}' + (f'  ({nprobes[lab]} ENOENT probes)' if nprobes[lab] else ''))
        for key, n in seen[lab].items():
            print(f'   {key}' + (f'  x{n}' if n > 1 else ''))


if __name__ == '__main__':
    main()
