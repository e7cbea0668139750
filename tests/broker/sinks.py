#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Sinks on the host's loopback for tests/broker/kernel-wall.sh: what
reached the host is what they log, one line per datagram or connection.

    sinks.py DIR

Binds 127.0.0.1: a UDP sink A (granted to the client), a UDP sink U (not
granted), a TCP sink T (granted), a TCP sink F (not granted), and picks a
UDP port P that nothing binds (the client's binds must not take it).
Writes "A U T F P" to DIR/ports, appends what each receives to DIR/A.log,
DIR/U.log, DIR/T.log, DIR/F.log, and runs until killed.
"""
import os
import select
import socket
import sys

d = sys.argv[1]


def udp():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    s.bind(("127.0.0.1", 0))
    return s


def tcp():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(64)
    return s


a, u, t, f = udp(), udp(), tcp(), tcp()
p = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
p.bind(("0.0.0.0", 0))
free = p.getsockname()[1]
p.close()
names = {a: "A", u: "U", t: "T", f: "F"}
logs = {n: open(os.path.join(d, n + ".log"), "a", buffering=1) for n in names.values()}
ports = [s.getsockname()[1] for s in (a, u, t, f)] + [free]
with open(os.path.join(d, "ports.tmp"), "w") as out:
    out.write(" ".join(map(str, ports)) + "\n")
os.rename(os.path.join(d, "ports.tmp"), os.path.join(d, "ports"))
conns = {}
while True:
    r, _, _ = select.select([a, u, t, f] + list(conns), [], [])
    for s in r:
        if s in (a, u):
            data = s.recv(65536)
            logs[names[s]].write(data.decode(errors="replace").replace("\n", " ") + "\n")
        elif s in (t, f):
            c, _ = s.accept()
            conns[c] = names[s]
            logs[names[s]].write("connection\n")
        else:
            data = s.recv(65536)
            if data:
                logs[conns[s]].write(data.decode(errors="replace").replace("\n", " ") + "\n")
            else:
                del conns[s]
                s.close()
