#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The test world's nameserver: the host's resolver in the tests of names
(tests/broker/kernel-names.sh, tests/e2e/e2e-names.sh), run where a
private mount namespace's /etc/resolv.conf names it. It answers UDP and TCP
on ADDR port 53 from a zone file and logs every question it hears, so that
a test can tell what reached the host's DNS (a name membrane refused never
does).

    test-dns.py ADDR ZONE LOG READYFILE

ZONE holds one record per line, NAME TYPE VALUE [TTL]:
    api.test.   A      127.0.0.10          answered as is
    rr.test.    A      127.0.0.11,127.0.0.12
                                           round robin: one address per
                                           question, the next one each time
    www.test.   CNAME  api.test.           a chain, answered with the
                                           target's records after it
    v6.test.    AAAA   ::1
    flip.test.  A      93.184.216.34/127.0.0.1
                                           a rebinding answer: the first
                                           question gets the first address,
                                           every later one the second
A name without a record of the type asked is NODATA if the name is known,
NXDOMAIN otherwise. Every TTL is 1 second unless the line gives one. A
question for reset.control (the test's own, never logged) starts every
round robin and rebinding afresh.
"""
import os
import socket
import socketserver
import struct
import sys
import threading

addr, zonefile, logfile, ready = sys.argv[1:5]
zone = {}   # (name, type) -> [values], ttl
turn = {}   # (name, type) -> questions answered
for line in open(zonefile):
    f = line.split()
    if not f or f[0].startswith("#"):
        continue
    name, rtype, value = f[0].lower().rstrip("."), f[1].upper(), f[2]
    ttl = int(f[3]) if len(f) > 3 else 1
    zone[(name, rtype)] = (value, ttl)
log = open(logfile, "a", buffering=1)
lock = threading.Lock()
TYPES = {1: "A", 5: "CNAME", 28: "AAAA"}


def encode(name):
    out = b""
    for label in name.rstrip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def rdata(rtype, value):
    if rtype == "A":
        return socket.inet_pton(socket.AF_INET, value)
    if rtype == "AAAA":
        return socket.inet_pton(socket.AF_INET6, value)
    return encode(value)


def pick(name, rtype, value):
    """The addresses this question gets: round robin, or a flip."""
    with lock:
        n = turn.get((name, rtype), 0)
        turn[(name, rtype)] = n + 1
    if "/" in value:
        first, then = value.split("/")
        return [first if n == 0 else then]
    values = value.split(",")
    return [values[n % len(values)]] if len(values) > 1 else values


def answer(q):
    if len(q) < 12:
        return None
    qid, flags, qd = struct.unpack("!HHH", q[:6])
    i, labels = 12, []
    while i < len(q) and q[i]:
        labels.append(q[i + 1:i + 1 + q[i]].decode("ascii", "replace"))
        i += 1 + q[i]
    if i + 5 > len(q):
        return None
    qtype = struct.unpack("!H", q[i + 1:i + 3])[0]
    question = q[12:i + 5]
    name = ".".join(labels).lower()
    if name == "reset.control":  # the test's own: the world starts afresh
        with lock:
            turn.clear()
        return struct.pack("!HHHHHH", qid, 0x8183, 1, 0, 0, 0) + question
    log.write(f"{name} {TYPES.get(qtype, qtype)}\n")
    records, rcode, owner = [], 0, name
    want = TYPES.get(qtype)
    for _ in range(8):  # follow a CNAME chain
        if (owner, "CNAME") in zone and want != "CNAME":
            target, ttl = zone[(owner, "CNAME")]
            records.append((owner, "CNAME", target.rstrip(".").lower(), ttl))
            owner = target.rstrip(".").lower()
            continue
        if want and (owner, want) in zone:
            value, ttl = zone[(owner, want)]
            for v in pick(owner, want, value):
                records.append((owner, want, v, ttl))
        elif not any(k[0] == owner for k in zone):
            rcode = 3
        break
    body = b""
    for rname, rtype, value, ttl in records:
        data = rdata(rtype, value)
        code = {"A": 1, "CNAME": 5, "AAAA": 28}[rtype]
        body += encode(rname) + struct.pack("!HHIH", code, 1, ttl, len(data)) + data
    head = struct.pack("!HHHHHH", qid, 0x8180 | (flags & 0x0100) | rcode, 1, len(records), 0, 0)
    return head + question + body


class TCP(socketserver.BaseRequestHandler):
    def handle(self):
        while True:
            head = self.request.recv(2)
            if len(head) < 2:
                return
            n = struct.unpack("!H", head)[0]
            data = b""
            while len(data) < n:
                more = self.request.recv(n - len(data))
                if not more:
                    return
                data += more
            out = answer(data)
            if out:
                self.request.sendall(struct.pack("!H", len(out)) + out)


socketserver.ThreadingTCPServer.allow_reuse_address = True
tcp = socketserver.ThreadingTCPServer((addr, 53), TCP)
threading.Thread(target=tcp.serve_forever, daemon=True).start()
# UDP in this thread, one datagram after the other: a thread a question
# would cost more than the answer (bench/names.sh times lookups through it).
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp.bind((addr, 53))
with open(ready + ".tmp", "w") as f:
    f.write(f"{os.getpid()}\n")
os.rename(ready + ".tmp", ready)
while True:
    data, peer = udp.recvfrom(4096)
    out = answer(data)
    if out:
        udp.sendto(out, peer)
