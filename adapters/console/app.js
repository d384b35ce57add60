// motcua console: plain ES module, no build step. It uses only the public API (/v1) and the
// session routes; the session is an HttpOnly cookie, and every state-changing request sends the
// session's CSRF token. Text from the server is always set as text, never parsed as HTML.

const main = document.getElementById("main");
let session = null; // SessionView of GET /v1/session, or null
let stream = null; // the queue page's WebSocket

// ---- small helpers

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") el.className = v;
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (v === true) el.setAttribute(k, "");
    else if (v !== false && v != null) el.setAttribute(k, v);
  }
  for (const c of children.flat()) {
    if (c != null) el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

function show(title, ...content) {
  document.title = `${title} — Một cửa`;
  main.replaceChildren(h("h1", {}, title), ...content);
  main.focus();
}

async function api(method, path, body, extra = {}) {
  const headers = { Accept: "application/json", ...extra };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (session && method !== "GET") headers["X-CSRF-Token"] = session.csrf_token;
  const r = await fetch(path, {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  const data = text ? JSON.parse(text) : {};
  if (!r.ok) {
    const e = new Error(data.detail || data.title || `HTTP ${r.status}`);
    e.status = r.status;
    throw e;
  }
  return data;
}

// "2026-12-02T14:30:00+07:00" → "14:30 ngày 02/12/2026", as offices write it.
export function officeTime(iso) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(iso || "");
  return m ? `${m[4]}:${m[5]} ngày ${m[3]}/${m[2]}/${m[1]}` : "";
}

// Folds Vietnamese text for search: no diacritics, đ → d, lower case.
export function fold(s) {
  return (s || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d")
    .replace(/Đ/g, "d").toLowerCase();
}

const STATUS = {
  submitted: "Đã nộp trực tuyến",
  not_received: "Không tiếp nhận",
  refused_at_counter: "Từ chối tại Bộ phận Một cửa",
  received: "Đã tiếp nhận",
  in_processing: "Đang giải quyết",
  consulting: "Đang lấy ý kiến",
  supplement_requested: "Chờ bổ sung",
  payment_requested: "Chờ nộp phí",
  stopped: "Dừng xử lý",
  decided: "Có kết quả",
  returned: "Đã trả kết quả",
};
const FORM = { original: "Bản chính", copy: "Bản sao", certified_copy: "Bản sao có chứng thực" };

function duration(d) {
  if (!d) return "";
  const n = Number(d.thousandths || 0) / 1000;
  return `${n.toLocaleString("vi-VN")} ${d.unit === "WORKING_HOURS" ? "giờ làm việc" : "ngày làm việc"}`;
}

function timeLimit(p) {
  const t = p.time_limit || {};
  if (t.note) return t.note;
  if (t.same_day) return "Trong ngày";
  return duration(t.duration);
}

function problem(e) {
  return h("p", { class: "error", role: "alert" }, e.message);
}

// ---- public pages

async function catalogue(query) {
  const input = h("input", { id: "q", type: "search", value: query, autocomplete: "off" });
  const list = h("div", { "aria-live": "polite" });
  const form = h("form", {
    role: "search",
    onsubmit: (ev) => {
      ev.preventDefault();
      location.hash = `#/thu-tuc?q=${encodeURIComponent(input.value)}`;
    },
  }, h("label", { for: "q" }, "Tìm thủ tục (gõ không dấu cũng được)"), input,
  h("button", { class: "primary", type: "submit" }, "Tìm"));
  show("Thủ tục hành chính", form, list);
  try {
    const data = await api("GET", `/v1/public/procedures?q=${encodeURIComponent(query)}`);
    const ps = data.procedures || [];
    list.replaceChildren(
      h("p", { class: "muted" }, `${ps.length} thủ tục đang có hiệu lực`),
      h("table", {},
        h("thead", {}, h("tr", {}, h("th", {}, "Mã"), h("th", {}, "Tên thủ tục"),
          h("th", {}, "Lĩnh vực"), h("th", {}, "Thời hạn"))),
        h("tbody", {}, ps.map((p) => h("tr", {},
          h("td", {}, p.code),
          h("td", {}, h("a", { href: `#/thu-tuc/${encodeURIComponent(p.code)}` }, p.name)),
          h("td", {}, p.field || ""),
          h("td", {}, timeLimit(p)))))));
  } catch (e) {
    list.replaceChildren(problem(e));
  }
}

async function procedure(code) {
  show("Thủ tục hành chính");
  try {
    const p = await api("GET", `/v1/public/procedures/${encodeURIComponent(code)}`);
    const fees = (p.fees || []).map((f) => h("li", {},
      f.amount_vnd ? `${Number(f.amount_vnd).toLocaleString("vi-VN")} đồng` : "",
      f.amount_vnd && f.note ? " — " : "", f.note || ""));
    show(p.name,
      h("p", { class: "muted" }, `Mã ${p.code} · Lĩnh vực ${p.field || ""}`),
      h("h2", {}, "Thời hạn giải quyết"), h("p", {}, timeLimit(p)),
      h("h2", {}, "Thành phần hồ sơ"),
      h("table", {},
        h("thead", {}, h("tr", {}, h("th", {}, "Giấy tờ"), h("th", {}, "Loại"),
          h("th", {}, "Số lượng"), h("th", {}, "Khi nào cần"))),
        h("tbody", {}, (p.documents || []).map((d) => h("tr", {},
          h("td", {}, d.name), h("td", {}, FORM[d.form] || d.form || ""),
          h("td", {}, String(d.count || 1)),
          h("td", {}, d.condition || (d.required ? "Bắt buộc" : "")))))),
      h("h2", {}, "Phí, lệ phí"), h("ul", { class: "plain" }, fees),
      h("h2", {}, "Trình tự thực hiện"),
      h("ol", {}, (p.steps || []).map((s) => h("li", {}, s.name,
        s.unit ? h("span", { class: "muted" }, ` — ${s.unit}`) : null,
        s.budget ? h("span", { class: "muted" }, ` (${duration(s.budget)})`) : null))),
      h("p", {}, h("a", { href: "#/thu-tuc" }, "← Danh sách thủ tục")));
  } catch (e) {
    main.append(problem(e));
  }
}

function lookup() {
  const number = h("input", { id: "number", required: true, autocomplete: "off" });
  const last4 = h("input", { id: "last4", required: true, inputmode: "numeric", maxlength: "4",
    pattern: "[0-9]{4}" });
  const out = h("div", { "aria-live": "polite" });
  show("Tra cứu hồ sơ",
    h("form", {
      onsubmit: async (ev) => {
        ev.preventDefault();
        try {
          const q = `number=${encodeURIComponent(number.value.trim())}&id_last4=${encodeURIComponent(last4.value)}`;
          const r = await api("GET", `/v1/public/progress?${q}`);
          out.replaceChildren(h("dl", {},
            h("dt", {}, "Hồ sơ"), h("dd", {}, r.number),
            h("dt", {}, "Thủ tục"), h("dd", {}, r.procedure_name),
            h("dt", {}, "Trạng thái"), h("dd", { id: "progress-status" }, STATUS[r.status] || r.status),
            h("dt", {}, "Ngày hẹn trả kết quả"), h("dd", {}, officeTime(r.due_at)),
            r.returned_at ? [h("dt", {}, "Đã trả kết quả"), h("dd", {}, officeTime(r.returned_at))] : null));
        } catch (e) {
          out.replaceChildren(problem(e.status === 404 ? new Error("Không tìm thấy hồ sơ với số và 4 chữ số này.") : e));
        }
      },
    },
    h("label", { for: "number" }, "Số hồ sơ (trên Giấy tiếp nhận và hẹn trả kết quả)"), number,
    h("label", { for: "last4" }, "4 chữ số cuối của số giấy tờ tùy thân"), last4,
    h("button", { class: "primary", type: "submit" }, "Tra cứu")),
    out);
}

// ---- staff

const CHANNEL = { counter: "Trực tiếp", online_full: "Trực tuyến toàn trình",
  online_partial: "Trực tuyến một phần", postal: "Qua bưu chính" };

function hasRole(...roles) {
  return !!session && roles.some((r) => session.roles.includes(r));
}

// The counter: choose a procedure (searched without diacritics).
async function receiveChoose() {
  if (!session) return signIn();
  const input = h("input", { id: "proc-q", type: "search", autocomplete: "off" });
  const list = h("ul", { class: "plain", id: "proc-list" });
  show("Tiếp nhận hồ sơ", h("label", { for: "proc-q" }, "Chọn thủ tục (gõ không dấu cũng được)"),
    input, list);
  const data = await api("GET", "/v1/procedures");
  const ps = data.procedures || [];
  const render = () => {
    const q = fold(input.value.trim());
    list.replaceChildren(...ps.filter((p) => !q || fold(p.name).includes(q) || p.code.includes(q))
      .map((p) => h("li", {}, h("a", { href: `#/tiep-nhan/${encodeURIComponent(p.code)}` },
        `${p.code} — ${p.name}`))));
  };
  input.addEventListener("input", render);
  render();
}

// The reception form, generated from the procedure in force: applicant, channel, the document
// checklist (form, count, condition), and the due date the M01 slip will state, shown live.
async function receiveForm(code) {
  if (!session) return signIn();
  show("Tiếp nhận hồ sơ");
  let p;
  try {
    p = (await api("GET", `/v1/procedures/${encodeURIComponent(code)}`)).current;
  } catch (e) {
    return main.append(problem(e));
  }
  if (!p) return main.append(problem(new Error("Thủ tục không có phiên bản đang có hiệu lực.")));
  const agencyDefault = session.agencies[0] === "*" ? "" : session.agencies[0];
  const field = (id, label, attrs = {}) => [h("label", { for: id }, label),
    h("input", { id, autocomplete: "off", ...attrs })];
  const channel = h("select", { id: "channel" }, (p.channels || ["counter"]).map((c) =>
    h("option", { value: c }, CHANNEL[c] || c)));
  const docs = (p.documents || []).map((d) => {
    const box = h("input", { type: "checkbox", id: `doc-${d.id}`, checked: !!d.required,
      "data-doc": d.id });
    const count = h("input", { type: "number", min: "1", max: "99", value: String(d.count || 1),
      "aria-label": `Số lượng: ${d.name}`, "data-count": d.id, class: "count" });
    return h("tr", {}, h("td", {}, box), h("td", {}, h("label", { for: `doc-${d.id}` }, d.name)),
      h("td", {}, FORM[d.form] || d.form || ""), h("td", {}, count),
      h("td", { class: "muted" }, d.condition || (d.required ? "Bắt buộc" : "")));
  });
  const due = h("p", { id: "due-preview", "aria-live": "polite" }, "");
  const out = h("div", { id: "receive-result", "aria-live": "assertive" });
  const agency = h("input", { id: "agency", value: agencyDefault, required: true });
  const form = h("form", { id: "receive-form" },
    h("p", { class: "muted" }, `Mã ${p.code} · ${timeLimit(p)}`),
    h("label", { for: "agency" }, "Cơ quan tiếp nhận (mã)"), agency,
    field("applicant-name", "Họ và tên người nộp", { required: true }),
    field("applicant-id", "Số định danh cá nhân (12 chữ số)", { required: true, inputmode: "numeric" }),
    field("applicant-phone", "Số điện thoại", { inputmode: "tel" }),
    field("applicant-address", "Địa chỉ"),
    h("label", { for: "channel" }, "Hình thức nộp"), channel,
    h("h2", {}, "Thành phần hồ sơ"),
    h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, "Có"), h("th", {}, "Giấy tờ"),
      h("th", {}, "Loại"), h("th", {}, "Số lượng"), h("th", {}, "Khi nào cần"))),
    h("tbody", {}, docs)),
    due,
    h("button", { class: "primary", type: "submit" }, "Tiếp nhận"));
  show(p.name, form, out);
  const preview = async () => {
    try {
      const q = agency.value ? `?agency=${encodeURIComponent(agency.value)}` : "";
      const d = await api("GET", `/v1/procedures/${encodeURIComponent(p.code)}/due-preview${q}`);
      due.textContent = `Nếu tiếp nhận bây giờ, hẹn trả kết quả: ${officeTime(d.due_at)}` +
        (d.after_cutoff ? " (tiếp nhận sau giờ quy định trong ngày)" : "") +
        (d.provisional ? " (tạm tính: lịch năm sau chưa công bố)" : "");
    } catch (e) {
      due.textContent = e.message;
    }
  };
  agency.addEventListener("change", preview);
  preview();
  const timer = setInterval(() => (document.body.contains(due) ? preview() : clearInterval(timer)),
    60000);
  const key = crypto.randomUUID(); // one reception, however many times the button is pressed
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const documents = [...form.querySelectorAll("[data-doc]")].filter((b) => b.checked)
      .map((b) => ({ document_id: b.dataset.doc,
        count: Number(form.querySelector(`[data-count="${b.dataset.doc}"]`).value || 1) }));
    const body = {
      procedure_code: p.code,
      receiving_agency: agency.value.trim(),
      channel: channel.value,
      applicant: { name: form.querySelector("#applicant-name").value.trim(),
        id_number: form.querySelector("#applicant-id").value.trim(),
        phone: form.querySelector("#applicant-phone").value.trim(),
        address: form.querySelector("#applicant-address").value.trim() },
      documents,
    };
    try {
      const d = (await api("POST", "/v1/dossiers", body, { "Idempotency-Key": key })).dossier;
      if (d.status === "not_received") {
        out.replaceChildren(h("p", { class: "soon" }, "Hồ sơ chưa đủ thành phần, chưa tiếp nhận."),
          h("p", {}, h("a", { href: `/v1/dossiers/${d.id}/forms/m02`, target: "_blank", id: "print" },
            "In Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (Mẫu 02)")));
        return;
      }
      out.replaceChildren(
        h("p", { id: "received" }, `Đã tiếp nhận hồ sơ số ${d.number}; hẹn trả kết quả: ${officeTime(d.due_at)}.`),
        h("p", {}, h("a", { href: `/v1/dossiers/${d.id}/forms/m01`, target: "_blank", id: "print" },
          "In Giấy tiếp nhận hồ sơ và hẹn trả kết quả (Mẫu 01)")));
      form.querySelector("button[type=submit]").disabled = true;
    } catch (e) {
      out.replaceChildren(problem(e));
    }
    out.scrollIntoView({ block: "nearest" });
  });
}

function signIn() {
  const principal = h("input", { id: "principal", required: true, autocomplete: "username" });
  const password = h("input", { id: "password", type: "password", required: true,
    autocomplete: "current-password" });
  const out = h("div", { "aria-live": "assertive" });
  show("Đăng nhập",
    h("form", {
      onsubmit: async (ev) => {
        ev.preventDefault();
        try {
          session = await api("POST", "/v1/session",
            { principal: principal.value.trim(), password: password.value });
          password.value = "";
          navState();
          location.hash = "#/hang-doi";
        } catch (e) {
          out.replaceChildren(problem(e.status === 401
            ? new Error("Sai tên đăng nhập hoặc mật khẩu.") : e));
        }
      },
    },
    h("label", { for: "principal" }, "Tên đăng nhập"), principal,
    h("label", { for: "password" }, "Mật khẩu"), password,
    h("button", { class: "primary", type: "submit" }, "Đăng nhập")),
    out);
}

function dueCell(d) {
  const due = d.extended_due_at || d.due_at;
  const cls = d.overdue ? "late" : d.nearly_due ? "soon" : "";
  return h("td", { class: cls }, officeTime(due), d.overdue ? " (quá hạn)" : "");
}

async function queue() {
  if (!session) {
    location.hash = "#/dang-nhap";
    return;
  }
  const agency = session.agencies[0] === "*" ? "" : session.agencies[0];
  const rows = h("tbody", { id: "queue-rows" });
  const live = h("p", { class: "live", id: "live", "aria-live": "polite" }, "Đang kết nối…");
  show(`Hồ sơ của ${session.name}`, live,
    h("table", {},
      h("thead", {}, h("tr", {}, h("th", {}, "Số hồ sơ"), h("th", {}, "Người nộp"),
        h("th", {}, "Thủ tục"), h("th", {}, "Trạng thái"), h("th", {}, "Hạn trả"))),
      rows));
  const load = async () => {
    const q = agency ? `?agency=${encodeURIComponent(agency)}&limit=100` : "?limit=100";
    const data = await api("GET", `/v1/dossiers${q}`);
    rows.replaceChildren(...(data.dossiers || []).filter((d) => d.status !== "returned").map((d) =>
      h("tr", { "data-id": d.id },
        h("td", {}, d.number || d.id), h("td", {}, d.applicant ? d.applicant.name : ""),
        h("td", {}, d.procedure_name), h("td", {}, STATUS[d.status] || d.status), dueCell(d))));
  };
  try {
    await load();
  } catch (e) {
    main.append(problem(e));
    return;
  }
  // Live: the agency's events over the stream; the list is read again on each.
  if (stream) stream.close();
  const ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/v1/stream`);
  stream = ws;
  ws.onopen = () => {
    ws.send(JSON.stringify(agency ? { agency } : { all: true }));
    live.textContent = "Cập nhật trực tiếp";
  };
  let pending = null;
  ws.onmessage = () => {
    clearTimeout(pending);
    pending = setTimeout(() => load().catch(() => {}), 150);
  };
  ws.onclose = (ev) => {
    if (stream === ws) live.textContent = `Mất kết nối trực tiếp (${ev.reason || ev.code}); tải lại trang để tiếp tục`;
  };
}

async function signOut() {
  try {
    await api("DELETE", "/v1/session");
  } catch (e) {
    // Signed out already: nothing to undo.
  }
  session = null;
  if (stream) stream.close();
  stream = null;
  navState();
  location.hash = "#/dang-nhap";
}

function navState() {
  document.getElementById("nav-queue").hidden = !session;
  document.getElementById("nav-receive").hidden = !hasRole("counter", "admin");
  document.getElementById("sign-out").hidden = !session;
  document.getElementById("nav-sign-in").hidden = !!session;
}

// ---- router

function route() {
  const [path, qs] = location.hash.replace(/^#/, "").split("?");
  const params = new URLSearchParams(qs || "");
  if (stream && path !== "/hang-doi") {
    stream.close();
    stream = null;
  }
  if (path.startsWith("/thu-tuc/")) return procedure(decodeURIComponent(path.slice(9)));
  if (path === "/thu-tuc") return catalogue(params.get("q") || "");
  if (path === "/tra-cuu") return lookup();
  if (path === "/dang-nhap") return signIn();
  if (path === "/hang-doi") return queue();
  if (path === "/tiep-nhan") return receiveChoose();
  if (path.startsWith("/tiep-nhan/")) return receiveForm(decodeURIComponent(path.slice(11)));
  return session ? queue() : catalogue("");
}

document.getElementById("sign-out").addEventListener("click", signOut);
window.addEventListener("hashchange", route);
api("GET", "/v1/session")
  .then((s) => { session = s; })
  .catch(() => { session = null; })
  .finally(() => { navState(); route(); });
