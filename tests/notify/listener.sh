# SPDX-License-Identifier: Apache-2.0
# The deputy tests' listener (source it): a TCP socket on 127.0.0.1 that
# writes one line per connection to FILE, what it received first (100
# bytes at most). start_listener FILE DIR sets PORT and LISTENER_PID; the
# caller kills LISTENER_PID when done.
start_listener() {
	python3 -c '
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(16)
print(s.getsockname()[1], flush=True)
while True:
    c, _ = s.accept()
    c.settimeout(5)
    try:
        d = c.recv(100)
    except OSError:
        d = b"(nothing)"
    with open(sys.argv[1], "a") as f:
        f.write(repr(d) + "\n")
    c.close()
' "$1" >"$2/port" &
	LISTENER_PID=$!
	for _ in $(seq 100); do [ -s "$2/port" ] && break; sleep 0.05; done
	PORT=$(cat "$2/port")
}
