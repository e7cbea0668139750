#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A small web for the fetch server's learn test: serves DIR on a free port
of 127.0.0.1, written to PORTFILE once listening; /away answers 302 to
REDIRECT (a second server's page: the server follows it, which no argument
named). Stops on SIGTERM.
    python3 http-world.py DIR PORTFILE [REDIRECT]"""
import functools
import http.server
import sys

root, portfile = sys.argv[1], sys.argv[2]
redirect = sys.argv[3] if len(sys.argv) > 3 else None


class Handler(http.server.SimpleHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/away" and redirect:
            self.send_response(302)
            self.send_header("Location", redirect)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        super().do_GET()

    def log_message(self, *args):
        pass


server = http.server.HTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=root))
with open(portfile + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os  # noqa: E402

os.rename(portfile + ".tmp", portfile)
server.serve_forever()
