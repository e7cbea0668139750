#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A nameserver for tests/broker/kernel-dns.sh: answers every A query on
UDP 127.0.0.1:<any port> with 192.0.2.7 (TEST-NET-1), logs each question.
Writes the port to PORTFILE once bound; runs until killed.

    fake-dns.py PORTFILE LOGFILE
"""
import os
import socket
import struct
import sys

portfile, logfile = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
with open(portfile + ".tmp", "w") as f:
    f.write(f"{s.getsockname()[1]}\n")
os.rename(portfile + ".tmp", portfile)
log = open(logfile, "a", buffering=1)
while True:
    q, peer = s.recvfrom(4096)
    if len(q) < 12:
        continue
    qid, flags, qd = struct.unpack("!HHH", q[:6])
    # the question: labels up to a zero byte, then type and class
    i, labels = 12, []
    while i < len(q) and q[i]:
        labels.append(q[i + 1:i + 1 + q[i]].decode("ascii", "replace"))
        i += 1 + q[i]
    qtype = struct.unpack("!H", q[i + 1:i + 3])[0] if i + 3 <= len(q) else 0
    question = q[12:i + 5]
    log.write(f"{'.'.join(labels)} type {qtype}\n")
    answers = b""
    if qtype == 1:
        answers = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + socket.inet_aton("192.0.2.7")
    head = struct.pack("!HHHHHH", qid, 0x8180, 1, 1 if answers else 0, 0, 0)
    s.sendto(head + question + answers, peer)
