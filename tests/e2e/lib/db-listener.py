#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The exfiltration target of tests/e2e/e2e-db-exfil.sh: a TCP listener and a
UDP socket on 127.0.0.1, on the same port, that log every connection and
every byte they receive. Writes the port to PORTFILE once listening; runs
until killed.

    db-listener.py PORTFILE LOGFILE
"""
import select
import socket
import sys

portfile, logfile = sys.argv[1], sys.argv[2]
tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
tcp.bind(("127.0.0.1", 0))
tcp.listen(16)
port = tcp.getsockname()[1]
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp.bind(("127.0.0.1", port))
log = open(logfile, "a", buffering=1)
with open(portfile + ".tmp", "w") as f:
    f.write(f"{port}\n")
import os
os.rename(portfile + ".tmp", portfile)
conns = []
while True:
    r, _, _ = select.select([tcp, udp] + conns, [], [])
    for s in r:
        if s is tcp:
            c, peer = tcp.accept()
            log.write(f"tcp connection from {peer}\n")
            conns.append(c)
        elif s is udp:
            data, peer = udp.recvfrom(65536)
            log.write(f"udp {data!r} from {peer}\n")
        else:
            data = s.recv(65536)
            if data:
                log.write(f"tcp {data!r}\n")
            else:
                conns.remove(s)
                s.close()
