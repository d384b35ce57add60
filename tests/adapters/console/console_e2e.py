#!/usr/bin/env python3
"""The web console in a real browser (issue 14): Debian's headless Chromium driven through the
DevTools protocol (a minimal client on the standard library), against a real `motcua serve`.

    console_e2e.py BASE_URL BEARER_TOKEN SHOTS_DIR

A clerk reads the public catalogue (searched without diacritics) and a procedure's page; signs in
with a wrong password (refused), then the right one; her queue lists her agency's open dossiers;
a dossier received meanwhile (by another client, over the API) appears in it without a reload;
she signs out. The page's own requests carry the CSRF token (the API refuses them otherwise).
Screenshots of each page go to SHOTS_DIR. Prints "console e2e: OK" at the end.
"""
import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request


class WebSocket:
    """Just enough of RFC 6455 for the DevTools protocol: masked text frames out, text in."""

    def __init__(self, url):
        assert url.startswith("ws://")
        hostport, path = url[5:].split("/", 1)
        host, port = hostport.split(":")
        self.sock = socket.create_connection((host, int(port)), timeout=30)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(("GET /%s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\n"
                           "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
                           "Sec-WebSocket-Version: 13\r\n\r\n" % (path, hostport, key)).encode())
        self.buf = b""
        while b"\r\n\r\n" not in self.buf:
            self.buf += self.sock.recv(4096)
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        assert head.startswith(b"HTTP/1.1 101"), head

    def send(self, text):
        data = text.encode()
        mask = os.urandom(4)
        n = len(data)
        if n < 126:
            header = bytes([0x81, 0x80 | n])
        elif n < 65536:
            header = bytes([0x81, 0x80 | 126]) + n.to_bytes(2, "big")
        else:
            header = bytes([0x81, 0x80 | 127]) + n.to_bytes(8, "big")
        self.sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def _need(self, n):
        while len(self.buf) < n:
            got = self.sock.recv(1 << 20)
            if not got:
                raise EOFError("the browser closed the connection")
            self.buf += got

    def receive(self):
        message = b""
        while True:
            self._need(2)
            fin, opcode, n, at = self.buf[0] & 0x80, self.buf[0] & 0x0F, self.buf[1] & 0x7F, 2
            if n == 126:
                self._need(4)
                n, at = int.from_bytes(self.buf[2:4], "big"), 4
            elif n == 127:
                self._need(10)
                n, at = int.from_bytes(self.buf[2:10], "big"), 10
            self._need(at + n)
            payload, self.buf = self.buf[at:at + n], self.buf[at + n:]
            if opcode in (0x1, 0x0):
                message += payload
                if fin:
                    return message.decode()


class Page:
    """One browser tab: commands by id, events skipped."""

    def __init__(self, ws_url):
        self.ws = WebSocket(ws_url)
        self.next_id = 0

    def call(self, method, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            reply = json.loads(self.ws.receive())
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError("%s: %s" % (method, reply["error"]))
                return reply["result"]

    def js(self, expression):
        r = self.call("Runtime.evaluate", expression=expression, awaitPromise=True,
                      returnByValue=True)
        if "exceptionDetails" in r:
            raise RuntimeError("%s: %s" % (expression, r["exceptionDetails"]))
        return r["result"].get("value")

    def wait(self, expression, what, timeout=10):
        until = time.monotonic() + timeout
        while time.monotonic() < until:
            value = self.js(expression)
            if value:
                return value
            time.sleep(0.1)
        fail("%s (waited %d s for %s); the page: %s" % (what, timeout, expression,
                                                        self.js("document.body.innerText")))

    def shot(self, directory, name):
        data = self.call("Page.captureScreenshot", format="png")["data"]
        with open(os.path.join(directory, name + ".png"), "wb") as f:
            f.write(base64.b64decode(data))


def fail(message):
    print("FAIL: " + message, flush=True)
    sys.exit(1)


def receive_dossier(base, token, key):
    body = json.dumps({"procedure_code": "2.000908", "receiving_agency": "000.17.22.H56",
                       "applicant": {"name": "Phạm Văn Đức", "id_number": "001090098765"},
                       "documents": [{"document_id": "identity_paper"}]}).encode()
    req = urllib.request.Request(base + "/v1/dossiers", data=body, method="POST", headers={
        "Authorization": "Bearer " + token, "Idempotency-Key": key,
        "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())


def main():
    base, token, shots = sys.argv[1], sys.argv[2], sys.argv[3]
    os.makedirs(shots, exist_ok=True)
    profile = tempfile.mkdtemp(prefix="motcua-chromium-")
    browser = subprocess.Popen(
        ["chromium", "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--window-size=1366,768", "--remote-debugging-port=0", "--user-data-dir=" + profile,
         "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        port_file = os.path.join(profile, "DevToolsActivePort")
        until = time.monotonic() + 30
        while not os.path.exists(port_file) and time.monotonic() < until:
            time.sleep(0.1)
        if not os.path.exists(port_file):
            fail("chromium did not start (no DevToolsActivePort)")
        with open(port_file) as f:
            port = f.readline().strip()
        req = urllib.request.Request("http://127.0.0.1:%s/json/new?about:blank" % port,
                                     method="PUT")
        with urllib.request.urlopen(req, timeout=10) as r:
            target = json.loads(r.read())
        page = Page(target["webSocketDebuggerUrl"])
        page.call("Page.enable")
        page.call("Runtime.enable")

        # Public catalogue, searched without diacritics; a procedure's page.
        page.call("Page.navigate", url=base + "/#/thu-tuc?q=ban%20sao")
        page.wait("document.querySelector('main tbody tr a')?.textContent === "
                  "'Cấp bản sao từ sổ gốc'", "the catalogue finds the procedure without diacritics")
        page.shot(shots, "catalogue")
        page.js("document.querySelector('main tbody tr a').click()")
        page.wait("document.querySelector('main h1')?.textContent === 'Cấp bản sao từ sổ gốc' && "
                  "document.body.innerText.includes('Thành phần hồ sơ')", "the procedure's page")
        page.shot(shots, "procedure")

        # Sign-in: a wrong password first, then the right one.
        sign_in = ("(() => { document.getElementById('principal').value = 'lan';"
                   " document.getElementById('password').value = %s;"
                   " document.querySelector('main form button').click(); return true; })()")
        page.js("location.hash = '#/dang-nhap'")
        page.wait("!!document.getElementById('password')", "the sign-in form")
        page.js(sign_in % json.dumps("không phải mật khẩu"))
        page.wait("document.querySelector('[role=alert]')?.textContent === "
                  "'Sai tên đăng nhập hoặc mật khẩu.'", "a wrong password is refused")
        page.js(sign_in % json.dumps("mật khẩu của Lan"))
        page.wait("location.hash === '#/hang-doi' && "
                  "document.querySelectorAll('#queue-rows tr').length === 1",
                  "the queue after sign-in lists the one open dossier")
        page.wait("document.getElementById('live')?.textContent === 'Cập nhật trực tiếp'",
                  "the live stream")
        if page.js("document.cookie").find("motcua_session") >= 0:
            fail("the session cookie is readable by scripts (not HttpOnly)")
        page.shot(shots, "queue")

        # A dossier received elsewhere appears without a reload.
        page.js("window.__sameDocument = true")
        created = receive_dossier(base, token, "console-e2e-2")["dossier"]
        page.wait("[...document.querySelectorAll('#queue-rows tr')].some(r => "
                  "r.dataset.id === %s)" % json.dumps(created["id"]),
                  "the new dossier in the queue, live")
        if not page.js("window.__sameDocument === true"):
            fail("the page reloaded")
        page.shot(shots, "queue-live")

        # The counter: a procedure chosen without diacritics, the form generated from it with the
        # due date shown before receiving, then the reception and its M01 slip to print.
        page.js("location.hash = '#/tiep-nhan'")
        page.wait("document.querySelectorAll('#proc-list a').length > 1", "the procedures to receive")
        page.js("(() => { const q = document.getElementById('proc-q'); q.value = 'ban sao';"
                " q.dispatchEvent(new Event('input')); return true; })()")
        page.wait("document.querySelectorAll('#proc-list a').length === 1", "the search")
        page.js("document.querySelector('#proc-list a').click()")
        page.wait("document.getElementById('due-preview')?.textContent.startsWith("
                  "'Nếu tiếp nhận bây giờ, hẹn trả kết quả: ')", "the due date before receiving")
        if not page.js("document.getElementById('doc-identity_paper').checked"):
            fail("the required document is not ticked by default")
        page.js("(() => { document.getElementById('applicant-name').value = 'Hoàng Thị Mai';"
                " document.getElementById('applicant-id').value = '001190011223';"
                " document.querySelector('#receive-form button[type=submit]').click();"
                " return true; })()")
        number = page.wait("document.getElementById('received')?.textContent.match("
                           "/số (\\S+);/)?.[1]", "the reception's answer")
        page.shot(shots, "receive")
        slip = page.js("fetch(document.getElementById('print').href).then(async r => "
                       "[r.status, await r.text()])")
        if slip[0] != 200 or number not in slip[1]:
            fail("the M01 slip: %s %s" % (slip[0], slip[1][:300]))

        # Sign-out (a DELETE the API accepts only with the CSRF token).
        page.js("document.getElementById('sign-out').click()")
        page.wait("location.hash === '#/dang-nhap' && "
                  "document.getElementById('nav-sign-in').hidden === false", "signed out")
        status = page.js("fetch('/v1/session').then(r => r.status)")
        if status != 401:
            fail("after sign-out GET /v1/session answered %s" % status)
        print("console e2e: OK", flush=True)
    finally:
        browser.kill()
        browser.wait()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main()
