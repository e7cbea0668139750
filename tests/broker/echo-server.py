#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Echo servers on the host's loopback for tests/broker/kernel-best-effort.sh:
a TCP echo (TCP4), a UDP echo (UDP4), each answering "host:" + what came;
and a TCP listener (SECRET) that logs every connection to LOGFILE and
answers nothing. Writes "TCP4 UDP4 SECRET" to PORTFILE; runs until killed.

    echo-server.py PORTFILE LOGFILE
"""
import os
import select
import socket
import sys

portfile, logfile = sys.argv[1], sys.argv[2]
def tcp():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(16)
    return s
echo, secret = tcp(), tcp()
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp.bind(("127.0.0.1", 0))
ports = [s.getsockname()[1] for s in (echo, udp, secret)]
with open(portfile + ".tmp", "w") as f:
    f.write(" ".join(map(str, ports)) + "\n")
os.rename(portfile + ".tmp", portfile)
log = open(logfile, "a", buffering=1)
conns = []
while True:
    r, _, _ = select.select([echo, secret, udp] + conns, [], [])
    for s in r:
        if s is echo:
            conns.append(echo.accept()[0])
        elif s is secret:
            c, peer = secret.accept()
            log.write(f"secret connection from {peer}\n")
            c.close()
        elif s is udp:
            data, peer = udp.recvfrom(4096)
            udp.sendto(b"host:" + data, peer)
        else:
            data = s.recv(4096)
            if data:
                s.sendall(b"host:" + data)
            else:
                conns.remove(s)
                s.close()
