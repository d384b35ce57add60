// The public pages (no sign-in): the catalogue of procedures in force, a procedure's documents,
// fees, time and steps, and the citizen's progress lookup. They read only /v1/public/.

import { FORM, STATUS, api, append, duration, h, officeTime, problem, show, stale, state, table,
  timeLimit } from "./ui.js";

export async function catalogue(query) {
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
  const route = state.route;
  try {
    const data = await api("GET", `/v1/public/procedures?q=${encodeURIComponent(query)}`);
    if (stale(route)) return;
    const ps = data.procedures || [];
    list.replaceChildren(
      h("p", { class: "muted" }, `${ps.length} thủ tục đang có hiệu lực`),
      table({},
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

export async function procedure(code) {
  show("Thủ tục hành chính");
  const route = state.route;
  try {
    const p = await api("GET", `/v1/public/procedures/${encodeURIComponent(code)}`);
    if (stale(route)) return;
    const fees = (p.fees || []).map((f) => h("li", {},
      f.amount_vnd ? `${Number(f.amount_vnd).toLocaleString("vi-VN")} đồng` : "",
      f.amount_vnd && f.note ? " — " : "", f.note || ""));
    show(p.name,
      h("p", { class: "muted" }, `Mã ${p.code} · Lĩnh vực ${p.field || ""}`),
      h("h2", {}, "Thời hạn giải quyết"), h("p", {}, timeLimit(p)),
      h("h2", {}, "Thành phần hồ sơ"),
      table({},
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
    append(problem(e));
  }
}

export function lookup() {
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
