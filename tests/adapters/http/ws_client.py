#!/usr/bin/env python3
"""A minimal WebSocket client for the end-to-end tests of /v1/stream (RFC 6455, standard library
only): upgrades, sends one subscription, prints each text message on a line and a close frame as
`CLOSE <code> <reason>`, and exits after COUNT messages, a close, or TIMEOUT seconds.

    ws_client.py PORT TOKEN SUBSCRIPTION_JSON COUNT TIMEOUT

TOKEN is a bearer token, or `motcua_session=<secret>` to authenticate with a console session's
cookie as a browser does.
"""
import base64
import os
import socket
import sys
import time


def main():
    port, token, subscription = int(sys.argv[1]), sys.argv[2], sys.argv[3].encode()
    count, timeout = int(sys.argv[4]), float(sys.argv[5])
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    key = base64.b64encode(os.urandom(16)).decode()
    credential = ("Cookie: " + token if token.startswith("motcua_session=") else
                  "Authorization: Bearer " + token)
    s.sendall(("GET /v1/stream HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\n"
               "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n"
               "%s\r\n\r\n" % (key, credential)).encode())
    buf = b""
    while b"\r\n\r\n" not in buf:
        got = s.recv(4096)
        if not got:
            print("NO-UPGRADE connection closed", flush=True)
            return 1
        buf += got
    head, buf = buf.split(b"\r\n\r\n", 1)
    if not head.startswith(b"HTTP/1.1 101"):
        print("NO-UPGRADE " + head.split(b"\r\n")[0].decode(), flush=True)
        return 1
    mask = os.urandom(4)
    assert len(subscription) < 126
    s.sendall(bytes([0x81, 0x80 | len(subscription)]) + mask +
              bytes(b ^ mask[i % 4] for i, b in enumerate(subscription)))
    print("SUBSCRIBED", flush=True)
    deadline = time.monotonic() + timeout
    messages = 0
    while messages < count and time.monotonic() < deadline:
        while True:  # every complete frame in buf
            if len(buf) < 2:
                break
            length, at = buf[1] & 0x7F, 2
            if length == 126:
                if len(buf) < 4:
                    break
                length, at = int.from_bytes(buf[2:4], "big"), 4
            elif length == 127:
                if len(buf) < 10:
                    break
                length, at = int.from_bytes(buf[2:10], "big"), 10
            if len(buf) < at + length:
                break
            opcode, payload, buf = buf[0] & 0x0F, buf[at:at + length], buf[at + length:]
            if opcode == 0x1:
                print(payload.decode(), flush=True)
                messages += 1
            elif opcode == 0x8:
                code = int.from_bytes(payload[:2], "big") if len(payload) >= 2 else 0
                print("CLOSE %d %s" % (code, payload[2:].decode()), flush=True)
                return 0
        if messages >= count:
            break
        s.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            got = s.recv(65536)
        except socket.timeout:
            break
        if not got:
            print("EOF", flush=True)
            return 0
        buf += got
    return 0


if __name__ == "__main__":
    sys.exit(main())
