#!/usr/bin/env python3
"""A webhook receiver for the delivery tests: a real HTTP server on a port of its own.

receiver.py SECRET LOG [chaos|calm|portal] [PORT]
Prints its port on the first line of stdout. Every request's signature is checked with SECRET
(Standard Webhooks: HMAC-SHA256 of "id.timestamp.body"); every accepted message is appended to
LOG as one JSON line {"id", "sig_ok", "event"}. With "chaos", the first three attempts of each
message fail at random: 500, 503 with Retry-After: 1, an answer later than motcua waits (the
message is accepted all the same: a duplicate follows), or a connection closed unanswered.
With "portal", it is the national portal's side: POST /login {"username", "password"} answers
{"session"}; a message must carry the current session (else 401), and the session changes
every five messages, so the sender must log in again.
With RECEIVER_TLS_CERT and RECEIVER_TLS_KEY set (PEM files), it serves HTTPS.
"""
import base64
import hashlib
import hmac
import http.server
import json
import os
import random
import ssl
import sys
import threading
import time

secret = base64.b64decode(sys.argv[1][len("whsec_"):])
log = open(sys.argv[2], "a", buffering=1)
mode = sys.argv[3] if len(sys.argv) > 3 else "calm"
chaos = mode == "chaos"
portal = {"session": None, "logins": 0, "served": 0}
port = int(sys.argv[4]) if len(sys.argv) > 4 else 0
attempts = {}
lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def accept(self, mid, sig_ok, body):
        message = json.loads(body)
        with lock:
            if message.get("type") == "dossier.events":  # a batch: one line per event in it
                for item in message["data"]:
                    event_id = item.pop("id")
                    log.write(json.dumps({"id": event_id, "sig_ok": sig_ok, "event": item,
                                          "batch": mid}) + "\n")
                return
            log.write(json.dumps({"id": mid, "sig_ok": sig_ok, "event": message}) + "\n")

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if mode == "portal" and self.path == "/login":
            creds = json.loads(body)
            if creds != {"username": "motcua", "password": "s3cret"}:
                return self.answer(403)
            with lock:
                portal["logins"] += 1
                portal["session"] = "s%d" % portal["logins"]
                answer = json.dumps({"session": portal["session"]}).encode()
                log.write(json.dumps({"login": portal["session"]}) + "\n")
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)
            return
        if mode == "portal":
            with lock:
                if json.loads(body).get("session") != portal["session"]:
                    return self.answer(401)
                portal["served"] += 1
                if portal["served"] % 5 == 0:
                    portal["session"] = "expired"
        mid = self.headers.get("webhook-id", "")
        ts = self.headers.get("webhook-timestamp", "")
        signed = f"{mid}.{ts}.".encode() + body
        expected = "v1," + base64.b64encode(hmac.new(secret, signed, hashlib.sha256).digest()).decode()
        sig_ok = expected in self.headers.get("webhook-signature", "").split(" ")
        with lock:
            n = attempts.get(mid, 0)
            attempts[mid] = n + 1
        if chaos and n < 3:
            r = random.random()
            if r < 0.2:
                return self.answer(500)
            if r < 0.3:
                return self.answer(503, [("Retry-After", "1")])
            if r < 0.4:
                self.accept(mid, sig_ok, body)
                time.sleep(1.0)  # motcua waits 500 ms: it tries again, a duplicate
                return self.answer(200)
            if r < 0.5:
                self.close_connection = True
                return
        self.accept(mid, sig_ok, body)
        self.answer(204)


server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
if os.environ.get("RECEIVER_TLS_CERT"):
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(os.environ["RECEIVER_TLS_CERT"], os.environ["RECEIVER_TLS_KEY"])
    # The handshake happens in the request's thread, not in accept().
    server.socket = tls.wrap_socket(server.socket, server_side=True,
                                    do_handshake_on_connect=False)
print(server.server_address[1], flush=True)
server.serve_forever()
