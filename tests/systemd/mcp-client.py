#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Speak MCP over a unix socket as a client would over a server's stdio:
initialize, initialized, tools/list, tools/call echo. Prints every answer
received (one JSON object per line) and exits 0 once the call's answer came,
1 if the connection ended or 30 s passed first. With "hold", it stays
connected after that until the server side ends the connection (exit 0).

  mcp-client.py SOCKET TEXT [hold]"""
import json
import socket
import sys

path, text = sys.argv[1], sys.argv[2]
hold = len(sys.argv) > 3 and sys.argv[3] == "hold"
answered = False
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(30)
s.connect(path)
msgs = [
    {"jsonrpc": "2.0", "id": 1, "method": "initialize",
     "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                "clientInfo": {"name": "membrane-test", "version": "1"}}},
    {"jsonrpc": "2.0", "method": "notifications/initialized"},
    {"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
    {"jsonrpc": "2.0", "id": 3, "method": "tools/call",
     "params": {"name": "echo", "arguments": {"text": text}}},
]
s.sendall("".join(json.dumps(m) + "\n" for m in msgs).encode())
buf = b""
try:
    while True:
        chunk = s.recv(65536)
        if not chunk:
            sys.exit(0 if answered else 1)
        buf += chunk
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            print(line.decode(), flush=True)
            if json.loads(line).get("id") == 3:
                answered = True
                if not hold:
                    sys.exit(0)
except socket.timeout:
    sys.exit(1)
