#!/usr/bin/env python3
"""The web console in a real browser (issue 14): Debian's headless Chromium driven through the
DevTools protocol (a minimal client on the standard library), against a real `motcua serve` on
the training clock. Each person works in a browser context of their own (their own cookies).

    console_e2e.py BASE_URL BEARER_TOKEN SHOTS_DIR

The public catalogue (searched without diacritics) and a procedure's page. Then a 1.013225
construction permit from reception to report: the centre's clerk signs in, sees the due date
before receiving, receives (M01 to print) and forwards; the specialist's open queue shows the
dossier without a reload; the specialist asks for two missing documents (M02); a page request
without the CSRF token is refused; the clerk, whose page follows live, records the supplement;
the specialist and the division head forward; the leader sees an extension's new date computed
before confirming, cancels, and approves; the clerk returns the result (M07 register) and records
satisfaction; the citizen's lookup shows it returned; the manager's report counts it as early,
not late, with a chart and the per-step table; the admin pages list agencies, procedures and
accounts. A clerk of another agency cannot see it; wrong passwords lock an account out. Every
page visited is checked for WCAG AA text contrast and labelled fields, and the queue and the
dossier page for fitting a phone's width. Screenshots go to SHOTS_DIR. Prints
"console e2e: OK" at the end.
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


PASSWORD = "mật khẩu thử nghiệm"
CENTRE = "000.00.01.H56"

# Text contrast (WCAG 2.1 AA: 4.5:1, 3:1 for large text) of every visible text node against the
# first opaque background behind it; form fields without a label. Returns the offenders.
AUDIT = r"""(() => {
  const parse = (c) => { const p = c.match(/rgba?\(([^)]+)\)/)[1].split(/[ ,\/]+/).filter(Boolean).map(Number);
    return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 }; };
  const lum = ({ r, g, b }) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const back = (el) => { for (let e = el; e; e = e.parentElement) { const c = parse(getComputedStyle(e).backgroundColor);
    if (c.a > 0.5) return c; } return { r: 255, g: 255, b: 255, a: 1 }; };
  const bad = [];
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walk.nextNode()) {
    const t = walk.currentNode; const el = t.parentElement;
    if (!t.textContent.trim() || !el || !el.getClientRects().length || el.closest("svg")) continue;
    if (el.closest("button:disabled")) continue;  // inactive controls are exempt
    const cs = getComputedStyle(el);
    const a = lum(parse(cs.color)); const b = lum(back(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(cs.fontSize); const large = size >= 24 || (Number(cs.fontWeight) >= 700 && size >= 18.66);
    if (ratio < (large ? 3 : 4.5)) bad.push(`contrast ${ratio.toFixed(2)}: "${t.textContent.trim().slice(0, 40)}"`);
  }
  for (const f of document.querySelectorAll("input, select, textarea")) {
    if (f.type === "hidden" || !f.getClientRects().length) continue;
    const labelled = (f.id && document.querySelector(`label[for="${f.id}"]`)) || f.getAttribute("aria-label") || f.closest("label");
    if (!labelled) bad.push("no label: " + f.outerHTML.slice(0, 80));
  }
  return bad;
})()"""


class Browser:
    """Chromium with its DevTools endpoint; pages in contexts of their own (separate cookies)."""

    def __init__(self):
        self.profile = tempfile.mkdtemp(prefix="motcua-chromium-")
        self.process = subprocess.Popen(
            ["chromium", "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--window-size=1366,768", "--remote-debugging-port=0",
             "--user-data-dir=" + self.profile, "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = os.path.join(self.profile, "DevToolsActivePort")
        until = time.monotonic() + 30
        while not os.path.exists(port_file) and time.monotonic() < until:
            time.sleep(0.1)
        if not os.path.exists(port_file):
            fail("chromium did not start (no DevToolsActivePort)")
        time.sleep(0.2)
        with open(port_file) as f:
            self.port = f.readline().strip()
        with urllib.request.urlopen("http://127.0.0.1:%s/json/version" % self.port,
                                    timeout=10) as r:
            self.root = Page(json.loads(r.read())["webSocketDebuggerUrl"])

    def new_page(self, url):
        context = self.root.call("Target.createBrowserContext")["browserContextId"]
        target = self.root.call("Target.createTarget", url="about:blank", width=1366, height=768,
                                browserContextId=context)["targetId"]
        page = Page("ws://127.0.0.1:%s/devtools/page/%s" % (self.port, target))
        page.call("Page.enable")
        page.call("Runtime.enable")
        page.call("Page.navigate", url=url)
        page.wait("document.readyState === 'complete' && !!document.querySelector('main h1')",
                  "the console's first page")
        return page

    def close(self):
        self.process.kill()
        self.process.wait()
        shutil.rmtree(self.profile, ignore_errors=True)


class Console:
    """One person's tab of the console."""

    def __init__(self, page, shots):
        self.page = page
        self.shots = shots

    def js(self, expression):
        return self.page.js(expression)

    def wait(self, expression, what, timeout=10):
        return self.page.wait(expression, what, timeout)

    def go(self, hash_, ready, what):
        self.js("location.hash = %s" % json.dumps(hash_))
        return self.wait(ready, what)

    def fill(self, selector, value):
        self.js("(() => { const e = document.querySelector(%s); e.value = %s;"
                " e.dispatchEvent(new Event('input')); return true; })()"
                % (json.dumps(selector), json.dumps(value)))

    def click(self, selector):
        found = self.js("(() => { const e = document.querySelector(%s); if (!e) return false;"
                        " e.click(); return true; })()" % json.dumps(selector))
        if not found:
            fail("nothing to click at %s; the page: %s"
                 % (selector, self.js("document.body.innerText")[:1500]))

    def text(self, selector):
        return self.js("document.querySelector(%s)?.textContent ?? null" % json.dumps(selector))

    def shot(self, name):
        self.page.shot(self.shots, name)

    def key(self, name, code):
        """Presses and releases a key, as a keyboard does (the browser's own input events)."""
        text = {"Enter": "\r"}.get(name)
        self.page.call("Input.dispatchKeyEvent", type="keyDown" if text else "rawKeyDown", key=name,
                       code=name, windowsVirtualKeyCode=code, nativeVirtualKeyCode=code,
                       **({"text": text} if text else {}))
        self.page.call("Input.dispatchKeyEvent", type="keyUp", key=name, code=name,
                       windowsVirtualKeyCode=code, nativeVirtualKeyCode=code)

    def audit(self, where):
        bad = self.js(AUDIT)
        if bad:
            fail("%s: %s" % (where, "; ".join(bad[:8])))

    def sign_in(self, principal, password=PASSWORD):
        self.go("#/dang-nhap", "!!document.getElementById('password')", "the sign-in form")
        self.fill("#principal", principal)
        self.fill("#password", password)
        self.click("main form button")

    def signed_in(self, principal):
        self.sign_in(principal)
        self.wait("location.hash === '#/hang-doi' && !!document.getElementById('queue-count')"
                  " && document.getElementById('live')?.textContent === 'Cập nhật trực tiếp'",
                  principal + "'s queue after sign-in, live")

    def sign_out(self):
        self.click("#sign-out")
        self.wait("location.hash === '#/dang-nhap' && !document.getElementById('nav-sign-in').hidden",
                  "signed out")

    def settled(self, server, dossier_id):
        """Waits until the page shows the dossier at the version the server holds (after a clock
        move, a timer may have fired: the page follows it live before anyone clicks)."""
        for _ in range(3):
            version = json.loads(server.call("GET", "/v1/dossiers/" + dossier_id)[1])["version"]
            self.wait("document.querySelector('dl.facts')?.dataset.version === '%d'" % version,
                      "the page at version %d" % version)
            time.sleep(0.2)

    def dossier(self, dossier_id, status):
        self.go("#/ho-so/" + dossier_id, "document.getElementById('dossier-status')?.textContent"
                " === %s" % json.dumps(status), "the dossier page (%s)" % status)

    # Opens the dialog of an action, lets `fill` set its fields, confirms, and waits for the
    # dossier page to show `status`.
    def act(self, action, status, fill=None, shot=None):
        # The page is read again after the command: wait for a version after this one (the
        # status alone may not change, as when satisfaction is recorded).
        version = int(self.js("document.querySelector('dl.facts')?.dataset.version ?? 0"))
        self.click("#actions [data-action=%s]" % action)
        self.wait("!!document.querySelector('dialog[open]')", "the dialog of " + action)
        if fill:
            fill()
        if shot:
            self.shot(shot)
        self.click("dialog[open] button[type=submit]")
        self.wait("!document.querySelector('dialog[open]') && "
                  "Number(document.querySelector('dl.facts')?.dataset.version) > %d && "
                  "document.getElementById('dossier-status')?.textContent === %s"
                  % (version, json.dumps(status)), "%s done: %s" % (action, status))


class Api:
    """The bearer token's calls: the training clock, and checks the browser does not make."""

    def __init__(self, base, token):
        self.base = base
        self.token = token

    def call(self, method, path, body=None):
        req = urllib.request.Request(self.base + path, method=method,
                                     data=None if body is None else json.dumps(body).encode(),
                                     headers={"Authorization": "Bearer " + self.token,
                                              "Idempotency-Key": "e2e-%d" % time.monotonic_ns(),
                                              "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read().decode()

    def clock(self, local):
        self.call("PUT", "/v1/admin/clock", {"now": local})


def main():
    base, token, shots = sys.argv[1], sys.argv[2], sys.argv[3]
    os.makedirs(shots, exist_ok=True)
    server = Api(base, token)
    server.clock("2026-06-01T08:00")
    browser = Browser()
    try:
        scenario(browser, server, base, shots)
        print("console e2e: OK", flush=True)
    finally:
        browser.close()


def scenario(browser, server, base, shots):
    # ---- public pages: the catalogue searched without diacritics, a procedure's page.
    citizen = Console(browser.new_page(base + "/#/thu-tuc?q=giay%20phep%20xay%20dung"), shots)
    citizen.wait("document.querySelector('main tbody tr a')?.textContent.startsWith("
                 "'Cấp giấy phép xây dựng mới')", "the catalogue finds it without diacritics")
    citizen.audit("the catalogue")
    citizen.shot("catalogue")
    citizen.click("main tbody tr a")
    citizen.wait("document.querySelector('main h1')?.textContent.startsWith('Cấp giấy phép') && "
                 "document.body.innerText.includes('Thành phần hồ sơ') && "
                 "document.body.innerText.includes('75.000 đồng')", "the procedure's page")
    citizen.audit("the procedure's page")
    citizen.shot("procedure")

    # ---- the specialist's queue is open before the dossier exists.
    specialist = Console(browser.new_page(base + "/"), shots)
    specialist.signed_in("son")
    if specialist.js("document.cookie").find("motcua_session") >= 0:
        fail("the session cookie is readable by scripts (not HttpOnly)")
    specialist.js("window.__sameDocument = true")

    # ---- the clerk receives at the centre: due date before receiving, M01, then forwards.
    clerk = Console(browser.new_page(base + "/"), shots)
    clerk.signed_in("an")
    clerk.go("#/tiep-nhan", "document.querySelectorAll('#proc-list a').length > 1",
             "the procedures to receive")
    clerk.fill("#proc-q", "giay phep xay dung")
    clerk.wait("document.querySelectorAll('#proc-list a').length === 1", "the search")
    clerk.click("#proc-list a")
    clerk.wait("document.getElementById('due-preview')?.textContent === "
               "'Nếu tiếp nhận bây giờ, hẹn trả kết quả: 08:00 ngày 29/06/2026'",
               "the due date before receiving (20 WD from Mon 1/6 08:00)")
    for doc in ("application_form", "land_use_papers", "design_drawings"):
        if not clerk.js("document.getElementById('doc-%s').checked" % doc):
            fail("the required document %s is not ticked by default" % doc)
    if clerk.js("document.getElementById('doc-fire_safety_approval').checked"):
        fail("a conditional document is ticked by default")
    amounts = "[...document.querySelectorAll('#fees li')].map(l => l.textContent.split(' ')[0])"
    if clerk.js(amounts) != ["75.000", "150.000"]:
        fail("the fees at the counter: %s" % clerk.text("#fees"))
    clerk.js("(() => { const c = document.getElementById('channel'); c.value = 'online_full';"
             " c.dispatchEvent(new Event('change')); return true; })()")
    if clerk.js(amounts) != ["75.000", "150.000", "0"]:  # the exemption is for some areas
        fail("the fees online: %s" % clerk.text("#fees"))
    clerk.js("(() => { const c = document.getElementById('channel'); c.value = 'counter';"
             " c.dispatchEvent(new Event('change')); return true; })()")
    clerk.js("document.querySelector('[data-count=design_drawings]').value = '2'")
    clerk.fill("#applicant-name", "Đỗ Văn Hùng")
    clerk.fill("#applicant-id", "001085012345")
    clerk.fill("#applicant-phone", "0912345678")
    clerk.audit("the reception form")
    clerk.click("#receive-form button[type=submit]")
    number = clerk.wait("document.getElementById('received')?.textContent.match(/số (\\S+);/)?.[1]",
                        "the reception's answer")
    clerk.shot("receive")
    slip = clerk.js("fetch(document.getElementById('print').href).then(async r => "
                    "[r.status, await r.text()])")
    if slip[0] != 200 or number not in slip[1]:
        fail("the M01 slip: %s %s" % (slip[0], slip[1][:300]))
    clerk.click("#receive-result a[href^='#/ho-so/']")
    dossier_id = clerk.wait("document.getElementById('dossier-status')?.textContent === "
                            "'Đã tiếp nhận' && location.hash.slice(8)", "the dossier page")
    clerk.act("forward", "Đang giải quyết")

    # ---- the specialist's queue shows it without a reload; the dossier page; a supplement.
    specialist.wait("[...document.querySelectorAll('#queue-rows tr')].some(r => r.dataset.id === %s)"
                    % json.dumps(dossier_id), "the dossier in the specialist's queue, live")
    if not specialist.js("window.__sameDocument === true"):
        fail("the specialist's page reloaded")
    specialist.audit("the queue")
    specialist.shot("queue-live")
    specialist.click("#queue-rows tr[data-id='%s'] a" % dossier_id)
    specialist.wait("document.getElementById('dossier-status')?.textContent === 'Đang giải quyết'",
                    "the specialist's dossier page")
    actions = specialist.js("[...document.querySelectorAll('#actions [data-action]')]"
                            ".map(b => b.dataset.action).join(',')")
    if actions != "forward,request_supplement,consult,refuse":
        fail("the specialist's actions: %s" % actions)
    m06 = specialist.js("document.querySelectorAll('#m06-rows tbody tr').length")
    if m06 != 1 or "Trước hạn" not in specialist.text("#m06-rows tbody tr"):
        fail("the M06 rows after the reception: %s" % specialist.text("#m06-rows tbody"))
    specialist.audit("the dossier page")
    specialist.shot("dossier")

    # A state-changing request without the CSRF token is refused, from the page itself.
    refused = specialist.js(
        "fetch('/v1/dossiers/%s/commands', {method: 'POST', headers: {'Content-Type': "
        "'application/json', 'Idempotency-Key': 'no-csrf', 'If-Match': '\"2\"'}, body: "
        "JSON.stringify({command: 'act', action: 'forward'})}).then(async r => [r.status, "
        "(await r.json()).type])" % dossier_id)
    if refused != [403, "urn:problem:motcua:csrf-token-invalid"]:
        fail("a command without the CSRF token: %s" % refused)

    def missing_two():
        specialist.click("#missing-fire_safety_approval")
        specialist.click("#missing-adjacent_safety_commitment")
        specialist.fill("#supplement-reason", "Bổ sung văn bản thẩm duyệt PCCC và bản cam kết an toàn")
    specialist.act("request_supplement", "Chờ bổ sung", missing_two, "supplement-dialog")
    waiting = specialist.text("main dl.facts")
    if "Văn bản kết quả thực hiện thủ tục về phòng cháy" not in waiting or \
            "Bản cam kết bảo đảm an toàn" not in waiting:
        fail("the two missing documents on the page: %s" % waiting)
    if not specialist.js("!!document.getElementById('print-m02')"):
        fail("no M02 to print after the supplement request: %s / %s" % (specialist.text(".prints"), specialist.js("[...document.querySelectorAll('#timeline li')].map(l => l.dataset.type).join(',')")))

    # ---- the clerk's dossier page followed live; she records the supplement.
    clerk.wait("document.getElementById('dossier-status')?.textContent === 'Chờ bổ sung'",
               "the clerk's dossier page, live")
    server.clock("2026-06-02T09:00")
    clerk.settled(server, dossier_id)
    clerk.act("supply_supplement", "Đang giải quyết")
    # Counting restarts from the supply (supplement: restart): 20 WD from Tue 2/6 09:00.
    if "09:00 ngày 30/06/2026" not in clerk.text("main dl.facts"):
        fail("the due date after the supplement: %s" % clerk.text("main dl.facts"))

    # ---- the specialist forwards; the division head forwards.
    server.clock("2026-06-03T09:00")
    specialist.wait("document.getElementById('dossier-status')?.textContent === 'Đang giải quyết'"
                    " && !!document.querySelector('#actions [data-action=forward]')",
                    "the specialist's page after the supplement, live")
    specialist.settled(server, dossier_id)
    specialist.act("forward", "Đang giải quyết")
    specialist.sign_out()
    specialist.signed_in("tuan")
    specialist.wait("[...document.querySelectorAll('#queue-rows tr')].some(r => r.dataset.id === %s)"
                    % json.dumps(dossier_id), "the dossier in the division head's queue")
    specialist.dossier(dossier_id, "Đang giải quyết")
    server.clock("2026-06-04T09:00")
    specialist.settled(server, dossier_id)
    specialist.act("forward", "Đang giải quyết")

    # ---- the leader: an extension's new date before confirming (then cancelled); approval.
    specialist.sign_out()
    specialist.signed_in("minh")
    specialist.dossier(dossier_id, "Đang giải quyết")
    # Keyboard: the action buttons take focus; Enter opens the dialog with focus inside it; Esc
    # closes it and nothing was sent.
    specialist.js("document.querySelector('#actions [data-action=extend]').focus()")
    specialist.key("Enter", 13)
    specialist.wait("!!document.querySelector('dialog[open]')?.contains(document.activeElement)",
                    "the dialog opened from the keyboard, focus inside")
    specialist.key("Escape", 27)
    specialist.wait("!document.querySelector('dialog')", "Esc closes the dialog")
    specialist.click("#actions [data-action=extend]")
    specialist.wait("document.getElementById('extend-preview')?.textContent === "
                    "'Ngày hẹn trả kết quả mới: 09:00 ngày 01/07/2026'",
                    "the new date of a 1-day extension, before confirming")
    specialist.fill("#extend-days", "3")
    specialist.wait("document.getElementById('extend-preview')?.textContent === "
                    "'Ngày hẹn trả kết quả mới: 09:00 ngày 03/07/2026'",
                    "the new date of a 3-day extension")
    specialist.audit("the extension dialog")
    specialist.shot("extension-dialog")
    specialist.fill("#extend-days", "11")
    specialist.wait("document.getElementById('extend-preview')?.textContent.includes('10 WD')",
                    "an extension beyond the maximum, refused before confirming")
    specialist.click("dialog[open] button.secondary")
    specialist.wait("!document.querySelector('dialog')", "the dialog cancelled")
    status, body = server.call("GET", "/v1/dossiers/" + dossier_id)
    if "extended_due_at" in body:
        fail("the dry run wrote an extension: " + body[:300])
    server.clock("2026-06-05T10:00")
    specialist.settled(server, dossier_id)
    # Two leaders at once: while one types in the approval dialog, the other approves. The first
    # page keeps the dialog and its text; its confirmation is refused as someone acted first; on
    # closing the dialog the page shows the decision.
    specialist.click("#actions [data-action=approve]")
    specialist.wait("!!document.querySelector('dialog[open] #action-comment')", "the approval dialog")
    specialist.fill("#action-comment", "Đủ điều kiện cấp phép")
    deputy = Console(browser.new_page(base + "/"), shots)
    deputy.signed_in("khoa")
    deputy.dossier(dossier_id, "Đang giải quyết")
    deputy.act("approve", "Có kết quả",
               lambda: deputy.fill("#action-comment", "Đủ điều kiện cấp phép"))
    time.sleep(0.5)  # the event reaches the first page meanwhile
    if specialist.js("document.getElementById('action-comment')?.value") != "Đủ điều kiện cấp phép":
        fail("a live update threw away an open dialog")
    specialist.click("dialog[open] button[type=submit]")
    specialist.wait("document.querySelector('dialog[open] [role=alert]')?.textContent.startsWith("
                    "'Hồ sơ vừa được người khác cập nhật')", "the first leader told someone acted first")
    specialist.click("dialog[open] button.secondary")
    specialist.wait("document.getElementById('dossier-status')?.textContent === 'Có kết quả'",
                    "the first leader's page read again after the dialog")

    # ---- the clerk returns the result (a line of M07) and records satisfaction.
    clerk.wait("document.getElementById('dossier-status')?.textContent === 'Có kết quả'",
               "the clerk's page after the decision, live")
    server.clock("2026-06-08T08:30")
    clerk.settled(server, dossier_id)
    clerk.act("return_result", "Đã trả kết quả")
    clerk.act("rate_satisfaction", "Đã trả kết quả",
              lambda: clerk.js("document.getElementById('satisfaction').value = 'very_satisfied'"))
    if "Rất hài lòng" not in clerk.text("main dl.facts") or "Trước hạn" not in clerk.text("main dl.facts"):
        fail("the returned dossier: %s" % clerk.text("main dl.facts"))
    events = clerk.js("[...document.querySelectorAll('#timeline li')].map(l => l.dataset.type).join(',')")
    if events != ("received,forwarded,supplement_requested,supplement_received,forwarded,"
                  "forwarded,decided,result_returned,satisfaction_rated"):
        fail("the timeline: %s" % events)
    if clerk.js("document.querySelectorAll('#m06-rows tbody tr').length") != 4:
        fail("M06: %s" % clerk.text("#m06-rows tbody"))
    clerk.shot("returned")
    register = clerk.js("fetch(document.getElementById('print-m07').href).then(r => r.text())")
    if number not in register or "Đỗ Văn Hùng" not in register:
        fail("the M07 register: %s" % register[:400])

    # ---- the citizen's lookup.
    citizen.go("#/tra-cuu", "!!document.getElementById('last4')", "the lookup")
    citizen.fill("#number", number)
    citizen.fill("#last4", "2345")
    citizen.click("main form button")
    citizen.wait("document.getElementById('progress-status')?.textContent === 'Đã trả kết quả'",
                 "the public progress")

    # ---- the manager's report: early, none late; a chart and the per-step table.
    clerk.sign_out()
    clerk.signed_in("ha")
    clerk.go("#/bao-cao?nam=2026", "!!document.getElementById('form06-total')", "the report")
    cells = clerk.js("[...document.querySelectorAll('#form06-total td')].map(c => c.textContent)")
    header = clerk.js("[...document.querySelectorAll('#form06-total th')].map(c => c.textContent)")
    row = dict(zip(header, cells))
    if row.get("Đã giải quyết") != "1" or row.get("Trước hạn") != "1" or row.get("Quá hạn") != "0":
        fail("form 06: %s" % row)
    if "tháng 6: 1 trước hạn, 0 đúng hạn, 0 quá hạn" not in clerk.js(
            "document.getElementById('form06-chart').getAttribute('aria-label')"):
        fail("the chart: %s" % clerk.js("document.getElementById('form06-chart').getAttribute('aria-label')"))
    if clerk.js("document.querySelectorAll('#step-rows tbody tr').length") < 4:
        fail("the step table: %s" % clerk.text("#step-rows"))
    xlsx = clerk.js("fetch(document.querySelector('a[href*=\"format=xlsx\"]').href).then(r => "
                    "[r.status, r.headers.get('content-type')])")
    if xlsx[0] != 200 or "spreadsheetml" not in (xlsx[1] or ""):
        fail("the Excel export: %s" % xlsx)
    clerk.audit("the report")
    clerk.shot("report")
    clerk.go("#/quan-tri", "document.querySelectorAll('#admin-accounts tbody tr').length > 0",
             "the admin page")
    accounts = clerk.text("#admin-accounts")
    if "Trần Thanh Sơn" not in accounts or "Hoàng Văn Bình" not in accounts:
        fail("the accounts: %s" % accounts)
    raw = clerk.js("fetch('/v1/admin/accounts').then(r => r.text())")
    if "argon2" in raw or "password" in raw or '"principal":"son"' not in raw:
        fail("GET /v1/admin/accounts: %s" % raw[:300])
    if "1.013225" not in clerk.text("#admin-procedures") or CENTRE not in clerk.text("#admin-agencies"):
        fail("the admin's definitions")
    clerk.audit("the admin page")
    clerk.shot("admin")

    # ---- a clerk of another commune cannot see it.
    other = Console(browser.new_page(base + "/"), shots)
    other.signed_in("binh")
    seen = other.js("Promise.all([fetch('/v1/dossiers?limit=200').then(r => r.text()), "
                    "fetch('/v1/dossiers/%s').then(r => r.status)])" % dossier_id)
    if dossier_id in seen[0] or seen[1] != 404:
        fail("another agency's clerk sees the dossier: %s" % seen)
    other.go("#/ho-so/" + dossier_id, "!!document.querySelector('[role=alert]')", "the refusal")
    if other.text("[role=alert]") != "Không có hồ sơ này, hoặc hồ sơ không thuộc phạm vi của bạn.":
        fail("another agency's clerk: %s" % other.text("main"))

    # ---- at that commune's counter: a dossier short of a required document is not received
    # (M02 lists what is missing); another is refused at the counter with its reason (M03).
    def reception(code, name):
        other.go("#/tiep-nhan/" + code, "document.getElementById('due-preview')?.textContent"
                 ".startsWith('Nếu tiếp nhận bây giờ')", "the reception form of " + code)
        other.fill("#applicant-name", name)
        other.fill("#applicant-id", "001190011223")
    reception("2.000908", "Hoàng Thị Mai")
    other.click("#doc-identity_paper")  # untick the one required document
    other.click("#receive-form button[type=submit]")
    other.wait("document.getElementById('receive-result')?.textContent.startsWith("
               "'Hồ sơ chưa đủ thành phần, chưa tiếp nhận.')", "not received")
    m02 = other.js("fetch(document.getElementById('print').href).then(async r => [r.status, await r.text()])")
    if m02[0] != 200 or "Hoàng Thị Mai" not in m02[1]:
        fail("the M02 list: %s %s" % (m02[0], m02[1][:300]))
    other.click("#next")  # a new blank form for the next applicant
    other.wait("document.getElementById('receive-result')?.textContent === '' && "
               "document.querySelector('#receive-form button[type=submit]')?.disabled === false",
               "a new form")
    other.fill("#applicant-name", "Trịnh Văn Nam")
    other.fill("#applicant-id", "001190011224")
    other.click("#refuse")
    other.wait("!!document.querySelector('dialog[open] #refuse-reason')", "the refusal dialog")
    other.fill("#refuse-reason", "Sổ gốc không do UBND xã quản lý")
    other.click("dialog[open] button[type=submit]")
    other.wait("document.getElementById('refused')?.textContent === 'Đã từ chối tiếp nhận hồ sơ.'",
               "refused at the counter")
    m03 = other.js("fetch(document.getElementById('print').href).then(async r => [r.status, await r.text()])")
    if m03[0] != 200 or "Sổ gốc không do UBND xã quản lý" not in m03[1]:
        fail("the M03 slip: %s %s" % (m03[0], m03[1][:300]))
    other.sign_out()

    # ---- wrong passwords lock the account out, the right one included.
    for _ in range(5):
        other.sign_in("lan", "không phải mật khẩu")
        other.wait("document.querySelector('[role=alert]')?.textContent === "
                   "'Sai tên đăng nhập hoặc mật khẩu.'", "a wrong password refused")
        other.js("document.querySelector('[role=alert]').remove()")
    other.sign_in("lan")
    other.wait("document.querySelector('[role=alert]')?.textContent.startsWith("
               "'Tài khoản tạm khóa do nhập sai nhiều lần')", "the lock-out")

    # ---- a phone: the queue and the dossier page fit its width.
    specialist.page.call("Emulation.setDeviceMetricsOverride", width=390, height=844,
                         deviceScaleFactor=2, mobile=True)
    server.call("POST", "/v1/dossiers", {
        "procedure_code": "1.013225", "receiving_agency": CENTRE,
        "applicant": {"name": "Công ty TNHH Xây dựng và Thương mại Hoàng Long Phát",
                      "id_number": "0101234567", "id_kind": "tax_code"},
        "documents": [{"document_id": "application_form"}, {"document_id": "land_use_papers"},
                      {"document_id": "design_drawings", "count": 2}]})
    specialist.go("#/hang-doi", "!!document.getElementById('queue-count')", "the queue on a phone")
    specialist.click("#queue-all")
    specialist.wait("document.querySelectorAll('#queue-rows tr').length === 1", "a row on a phone")
    if specialist.js("document.documentElement.scrollWidth > window.innerWidth + 1"):
        fail("the queue is wider than a phone (%s px)"
             % specialist.js("document.documentElement.scrollWidth"))
    specialist.audit("the queue on a phone")
    specialist.shot("phone-queue")
    specialist.dossier(dossier_id, "Đã trả kết quả")
    if specialist.js("document.documentElement.scrollWidth > window.innerWidth + 1"):
        fail("the dossier page is wider than a phone (%s px)"
             % specialist.js("document.documentElement.scrollWidth"))
    specialist.audit("the dossier page on a phone")
    specialist.shot("phone-dossier")


if __name__ == "__main__":
    main()
