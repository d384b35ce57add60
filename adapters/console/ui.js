// What every page of the console shares: building elements, the API call (the session's CSRF
// token on every state-changing request, problems as errors), the live stream, and the words and
// formats offices use. Text from the server is always set as text, never parsed as HTML.

export const state = {
  session: null, // SessionView of GET /v1/session, or null
  stream: null, // the current page's WebSocket, closed when the page changes
  route: 0, // counts page changes: a page still loading when it changes stops (stale)
  shown: -1, // the route whose page was last shown (focus moves only to a new page)
};

// Whether the page that started as route `n` has been left meanwhile (it must not draw).
export function stale(n) {
  return n !== state.route;
}

const main = () => document.getElementById("main");

export function h(tag, attrs = {}, ...children) {
  const svg = ["svg", "rect", "text", "g", "line", "title"].includes(tag);
  const el = svg ? document.createElementNS("http://www.w3.org/2000/svg", tag)
    : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") el.setAttribute("class", v);
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (v === true) el.setAttribute(k, "");
    else if (v !== false && v != null) el.setAttribute(k, v);
  }
  for (const c of children.flat(Infinity)) {
    if (c != null && c !== false) el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

// Draws the page. Focus moves to it only when it is a new page, not when the same page is drawn
// again (a live update must not send a keyboard or screen-reader user back to the top).
export function show(title, ...content) {
  document.title = `${title} — Một cửa`;
  main().replaceChildren(h("h1", {}, title), ...content.flat(Infinity).filter((c) => c != null));
  if (state.shown !== state.route) main().focus();
  state.shown = state.route;
}

// Says something to screen readers (the region lives outside the pages, so it is never redrawn).
export function announce(text) {
  const region = document.getElementById("announce");
  region.textContent = "";
  setTimeout(() => { region.textContent = text; }, 50);
}

// A table that scrolls sideways inside itself on a narrow screen.
export function table(attrs, ...children) {
  return h("div", { class: "table-wrap" }, h("table", attrs, ...children));
}

export function append(...content) {
  main().append(...content.flat(Infinity).filter((c) => c != null));
}

export async function api(method, path, body, extra = {}) {
  const headers = { Accept: "application/json", ...extra };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (state.session && method !== "GET") headers["X-CSRF-Token"] = state.session.csrf_token;
  const r = await fetch(path, {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  let data = {};
  try {
    data = text ? JSON.parse(text) : {};
  } catch (e) {
    data = { detail: text.slice(0, 200) };
  }
  if (!r.ok) {
    const e = new Error(say(r.status, data));
    e.status = r.status;
    e.field = data.field;
    e.type = (data.type || "").replace("urn:problem:motcua:", "");
    e.retryAfter = Number(r.headers.get("Retry-After") || 0);
    throw e;
  }
  return data;
}

// A refusal in Vietnamese: what happened, then the server's own reason (the rules' words, which
// name the field or limit) in brackets.
function say(status, data) {
  const why = data.detail || data.title || "";
  const lead = {
    400: "Thông tin chưa hợp lệ",
    401: "Phiên đăng nhập đã hết; hãy đăng nhập lại",
    403: "Bạn không có quyền thực hiện thao tác này",
    404: "Không tìm thấy",
    409: "Không thực hiện được theo quy định",
    412: "Hồ sơ vừa được người khác cập nhật; hãy xem lại hồ sơ rồi thao tác lại",
    413: "Dữ liệu quá lớn",
    429: "Quá nhiều yêu cầu; hãy thử lại sau",
    503: "Hệ thống tạm thời không nhận thao tác; hãy thử lại sau",
  }[status] || `Lỗi ${status}`;
  return why ? `${lead} (${why})` : lead;
}

export function problem(e) {
  return h("p", { class: "error", role: "alert" }, e.message);
}

export function hasRole(...roles) {
  return !!state.session && roles.some((r) => state.session.roles.includes(r));
}

// The signed-in person's agency for lists and streams ("" for every agency).
export function myAgency() {
  const a = state.session ? state.session.agencies[0] : "";
  return a === "*" ? "" : a || "";
}

// Listens to events over the stream (`subscribe`: the StreamSubscribe message, e.g. {agency} or
// {dossier_id}); `onEvent(event)` for each, `status(text)` for the connection.
export function live(subscribe, onEvent, status) {
  closeStream();
  const ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/v1/stream`);
  state.stream = ws;
  ws.onopen = () => {
    ws.send(JSON.stringify(subscribe));
    status("Cập nhật trực tiếp");
  };
  ws.onmessage = (m) => {
    try {
      onEvent(JSON.parse(m.data));
    } catch (e) {
      // Not an event (a close notice): nothing to show.
    }
  };
  ws.onclose = (ev) => {
    if (state.stream === ws) {
      status(`Mất kết nối trực tiếp (${ev.reason || ev.code}); tải lại trang để tiếp tục`);
    }
  };
}

export function closeStream() {
  if (state.stream) state.stream.close();
  state.stream = null;
}

// ---- words and formats

// "2026-12-02T14:30:00+07:00" → "14:30 ngày 02/12/2026", as offices write it.
export function officeTime(iso) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(iso || "");
  return m ? `${m[4]}:${m[5]} ngày ${m[3]}/${m[2]}/${m[1]}` : "";
}

// "2026-06-08" → "08/06/2026".
export function officeDate(ymd) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd || "");
  return m ? `${m[3]}/${m[2]}/${m[1]}` : ymd || "";
}

// Folds Vietnamese text for search: no diacritics, đ → d, lower case.
export function fold(s) {
  return (s || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d")
    .replace(/Đ/g, "d").toLowerCase();
}

// Working seconds as offices count them: 8-hour days, then hours and minutes.
export function workingTime(seconds) {
  const s = Math.abs(seconds);
  const days = Math.floor(s / 28800);
  const hours = Math.floor((s % 28800) / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const parts = [];
  if (days) parts.push(`${days} ngày`);
  if (hours) parts.push(`${hours} giờ`);
  if (minutes || parts.length === 0) parts.push(`${minutes} phút`);
  return parts.join(" ");
}

export const STATUS = {
  submitted: "Đã nộp trực tuyến",
  not_received: "Chưa tiếp nhận (chờ bổ sung, hoàn thiện)",
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
export const OPEN = new Set(["submitted", "received", "in_processing", "consulting",
  "supplement_requested", "payment_requested", "decided"]);
export const FORM = { original: "Bản chính", copy: "Bản sao", certified_copy: "Bản sao có chứng thực" };
export const CHANNEL = { counter: "Trực tiếp", online_full: "Trực tuyến toàn trình",
  online_partial: "Trực tuyến một phần", postal: "Qua bưu chính" };
export const TIMELINESS = { early: "Trước hạn", on_time: "Đúng hạn", late: "Quá hạn" };
export const EVENT = {
  submitted: "Nộp trực tuyến",
  received: "Tiếp nhận",
  completion_requested: "Hướng dẫn bổ sung, hoàn thiện (chưa tiếp nhận)",
  refused_at_counter: "Từ chối tiếp nhận",
  assigned: "Phân công",
  forwarded: "Chuyển bước",
  supplement_requested: "Yêu cầu bổ sung",
  supplement_received: "Nhận hồ sơ bổ sung",
  payment_requested: "Yêu cầu nộp phí",
  payment_confirmed: "Xác nhận đã nộp phí",
  consultation_requested: "Lấy ý kiến",
  consultation_answered: "Có ý kiến trả lời",
  extended: "Gia hạn",
  decided: "Có kết quả",
  result_returned: "Trả kết quả",
  satisfaction_rated: "Đánh giá mức độ hài lòng",
  withdrawn: "Rút hồ sơ",
  timer_fired: "Đến hạn",
  file_attached: "Đính kèm tệp",
  due_recomputed: "Tính lại hạn",
  migrated: "Chuyển sang quy trình mới (quy định chuyển tiếp)",
};
export const SATISFACTION = { very_satisfied: "Rất hài lòng", satisfied: "Hài lòng",
  not_satisfied: "Không hài lòng" };

export function duration(d) {
  if (!d) return "";
  const n = Number(d.thousandths || 0) / 1000;
  return `${n.toLocaleString("vi-VN")} ${d.unit === "WORKING_HOURS" ? "giờ làm việc" : "ngày làm việc"}`;
}

export function timeLimit(p) {
  const t = p.time_limit || {};
  if (t.note) return t.note;
  if (t.same_day) return "Trong ngày";
  return duration(t.duration);
}

// A modal dialog (the platform's <dialog>: focus kept inside, Esc closes). `body` holds the
// fields; `confirm(out)` runs on the confirm button and closes the dialog when it resolves true.
export function dialog(title, body, confirmLabel, confirm) {
  const out = h("div", { "aria-live": "assertive" });
  const ok = h("button", { class: "primary", type: "submit" }, confirmLabel);
  const d = h("dialog", { "aria-labelledby": "dialog-title" },
    h("form", { method: "dialog" },
      h("h2", { id: "dialog-title" }, title), body, out,
      h("div", { class: "buttons" }, ok,
        h("button", { type: "button", class: "secondary", onclick: () => d.close() }, "Hủy"))));
  d.addEventListener("close", () => d.remove());
  d.querySelector("form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    ok.disabled = true;
    try {
      if (await confirm(out)) d.close();
    } catch (e) {
      out.replaceChildren(problem(e));
    } finally {
      ok.disabled = false;
    }
  });
  document.body.append(d);
  d.showModal();
  return d;
}
