// The counter: a procedure chosen (searched without diacritics), the reception form generated
// from the version in force, the due date shown before receiving, then M01 (or M02) to print.

import { CHANNEL, FORM, api, append, dialog, fold, h, officeTime, problem, show, stale, state,
  table, timeLimit } from "./ui.js";
import { signIn } from "./app.js";

// The counter: choose a procedure (searched without diacritics).
export async function receiveChoose() {
  if (!state.session) return signIn();
  const input = h("input", { id: "proc-q", type: "search", autocomplete: "off" });
  const list = h("ul", { class: "plain", id: "proc-list" });
  show("Tiếp nhận hồ sơ", h("label", { for: "proc-q" }, "Chọn thủ tục (gõ không dấu cũng được)"),
    input, list);
  const route = state.route;
  const data = await api("GET", "/v1/procedures");
  if (stale(route)) return;
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
export async function receiveForm(code) {
  if (!state.session) return signIn();
  show("Tiếp nhận hồ sơ");
  const route = state.route;
  let p;
  try {
    p = (await api("GET", `/v1/procedures/${encodeURIComponent(code)}`)).current;
    if (stale(route)) return;
  } catch (e) {
    return append(problem(e));
  }
  if (!p) return append(problem(new Error("Thủ tục không có phiên bản đang có hiệu lực.")));
  const agencyDefault = state.session.agencies[0] === "*" ? "" : state.session.agencies[0];
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
  // The fees of the definition that apply to the channel chosen (an entry without a channel
  // applies to every one), each with the area or case it is for.
  const fees = h("ul", { class: "plain", id: "fees" });
  const showFees = () => {
    const apply = (p.fees || []).filter((f) => !f.channel || f.channel === channel.value);
    fees.replaceChildren(...(apply.length ? apply.map((f) => h("li", {},
      `${Number(f.amount_vnd || 0).toLocaleString("vi-VN")} đồng`, f.area ? ` — ${f.area}` : "",
      f.note ? ` (${f.note})` : "")) : [h("li", {}, "Không thu phí, lệ phí")]));
  };
  channel.addEventListener("change", showFees);
  showFees();
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
    h("h2", {}, "Phí, lệ phí"), fees,
    h("h2", {}, "Thành phần hồ sơ"),
    table({}, h("thead", {}, h("tr", {}, h("th", {}, "Có"), h("th", {}, "Giấy tờ"),
      h("th", {}, "Loại"), h("th", {}, "Số lượng"), h("th", {}, "Khi nào cần"))),
    h("tbody", {}, docs)),
    due,
    h("div", { class: "buttons" },
      h("button", { class: "primary", type: "submit" }, "Tiếp nhận"),
      h("button", { class: "secondary", type: "button", id: "refuse", onclick: () => refuse() },
        "Từ chối tiếp nhận")));
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
  const request = () => {
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
    return body;
  };
  // After a reception: its dossier, or a new blank form for the next applicant.
  const opened = (d) => [h("a", { href: `#/ho-so/${encodeURIComponent(d.id)}` }, "Mở hồ sơ"), " · ",
    h("button", { type: "button", class: "link", id: "next", onclick: () => receiveForm(code) },
      "Tiếp nhận hồ sơ mới")];
  // Refusal at the counter (the dossier is outside the agency's competence, or not eligible):
  // the reason in writing, on M03.
  const refuse = () => {
    const reason = h("textarea", { id: "refuse-reason", required: true, rows: "3" });
    const refusalKey = crypto.randomUUID();
    dialog("Từ chối tiếp nhận hồ sơ",
      [h("label", { for: "refuse-reason" }, "Lý do từ chối (ghi trên Phiếu từ chối, Mẫu 03)"), reason],
      "Từ chối tiếp nhận", async () => {
        const body = { ...request(), mode: "refuse", reason: reason.value.trim() };
        const d = (await api("POST", "/v1/dossiers", body, { "Idempotency-Key": refusalKey })).dossier;
        out.replaceChildren(h("p", { id: "refused" }, "Đã từ chối tiếp nhận hồ sơ."),
          h("p", {}, h("a", { href: `/v1/dossiers/${d.id}/forms/m03`, target: "_blank", id: "print" },
            "In Phiếu từ chối tiếp nhận giải quyết hồ sơ (Mẫu 03)"), " · ", opened(d)));
        form.querySelectorAll("button").forEach((b) => { b.disabled = true; });
        return true;
      });
  };
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    try {
      const d = (await api("POST", "/v1/dossiers", request(), { "Idempotency-Key": key })).dossier;
      // Either way the reception is recorded under this form's key: the form is done. A dossier
      // short of documents is received from its own page once the applicant completes it.
      form.querySelectorAll("button").forEach((b) => { b.disabled = true; });
      if (d.status === "not_received") {
        out.replaceChildren(h("p", { class: "soon" }, "Hồ sơ chưa đủ thành phần, chưa tiếp nhận.",
          " Khi người nộp bổ sung đủ, mở hồ sơ để tiếp nhận."),
          h("p", {}, h("a", { href: `/v1/dossiers/${d.id}/forms/m02`, target: "_blank", id: "print" },
            "In Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (Mẫu 02)"), " · ", opened(d)));
        return;
      }
      out.replaceChildren(
        h("p", { id: "received" }, `Đã tiếp nhận hồ sơ số ${d.number}; hẹn trả kết quả: ${officeTime(d.due_at)}.`),
        h("p", {}, h("a", { href: `/v1/dossiers/${d.id}/forms/m01`, target: "_blank", id: "print" },
          "In Giấy tiếp nhận hồ sơ và hẹn trả kết quả (Mẫu 01)"), " · ", opened(d)));
    } catch (e) {
      out.replaceChildren(problem(e));
    }
    out.scrollIntoView({ block: "nearest" });
  });
}
