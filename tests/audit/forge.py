#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Forge a report the way an attacker who can rewrite the file would, for
membrane-audit verify's tests: edit one line, compute the session's chain
again from there, and sign every checkpoint again with KEY (openssl
pkeyutl, Ed25519), so that the chain is consistent and every signature is
valid -- for KEY's public key, not for the real one.

  forge.py IN OUT KEY SESSION SEQ FIELD VALUE
      set FIELD of SESSION's line with seq SEQ

With KEEP_KEY_ID=1 in the environment the checkpoints keep the key_id they
had, as a forger who hopes nobody compares keys would."""
import hashlib
import json
import os
import subprocess
import sys
import tempfile

src, dst, key, session, seq, field, value = sys.argv[1:8]
seq = int(seq)
lines = [l.rstrip("\n") for l in open(src, encoding="utf-8")]
prev = None
out = []


def sign(text):
    with tempfile.NamedTemporaryFile() as m:
        m.write(text.encode())
        m.flush()
        sig = subprocess.run(["openssl", "pkeyutl", "-sign", "-rawin", "-inkey", key, "-in", m.name],
                             check=True, capture_output=True).stdout
    return sig.hex()


key_id = hashlib.sha256(bytes.fromhex(subprocess.run(
    ["sh", "-c", f"openssl pkey -in {key} -pubout -outform DER | tail -c 32 | od -An -tx1 | tr -d ' \\n'"],
    check=True, capture_output=True, text=True).stdout)).hexdigest()[:16]
for l in lines:
    o = json.loads(l)
    if o["session"] == session and o["seq"] >= seq:
        if o["seq"] == seq:
            o[field] = value
        else:
            o["prev"] = prev
            if o["event"] == "checkpoint":
                o["head"] = prev
                if os.environ.get("KEEP_KEY_ID") != "1":
                    o["key_id"] = key_id
                o["sig"] = sign(f"membrane-checkpoint/1 {session} {o['seq']} {prev}")
        l = json.dumps(o, separators=(",", ":"), ensure_ascii=False)
    if o["session"] == session:
        prev = hashlib.sha256(l.encode()).hexdigest()
    out.append(l)
open(dst, "w", encoding="utf-8").write("".join(l + "\n" for l in out))
