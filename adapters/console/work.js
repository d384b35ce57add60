// Department, leader and counter work: the queue (my agency's open dossiers, mine first, nearly
// due and overdue highlighted with the working time left, live over the stream) and the dossier
// page (its facts, documents and files, the M06 hand-over rows, the timeline, the forms to print,
// and only the actions the signed-in person may take, each with the dialog it needs).

import {
  EVENT, FORM, OPEN, SATISFACTION, STATUS, TIMELINESS, announce, api, append, dialog, h, hasRole,
  live, myAgency, officeTime, problem, show, stale, state, table, workingTime,
} from "./ui.js";

// What the signed-in person can do to `d` now: a step action of theirs, or the counter's part.
function counterWork(d) {
  if (!hasRole("counter")) return [];
  const work = [];
  if (d.status === "submitted" || d.status === "not_received") work.push("receive", "refuse");
  if (d.status === "supplement_requested") work.push("supply_supplement");
  if (d.status === "decided" && !(d.step_actions || []).length) work.push("return_result");
  if (d.status === "returned" && !d.satisfaction) work.push("rate_satisfaction");
  return work;
}

function mine(d) {
  return (d.allowed_actions || []).length > 0 || counterWork(d).length > 0;
}

// The due cell: the date, and the working time left (or past) when the clock runs.
function dueCell(d) {
  const due = d.extended_due_at || d.due_at;
  const left = d.remaining_working_seconds;
  const threshold = state.session.nearly_due_working_seconds || 28800;
  const running = left !== undefined;
  let cls = "";
  let note = "";
  if (d.overdue) {
    cls = "late";
    note = running && left < 0 ? `quá hạn ${workingTime(-left)}` : "quá hạn";
  } else if (running) {
    cls = left < threshold ? "soon" : "";
    note = `còn ${workingTime(left)}`;
  } else if (d.paused) {
    note = "tạm dừng tính thời gian";
  }
  return h("td", { class: cls, "data-label": "Hạn trả kết quả" }, officeTime(due), note ? h("br") : null,
    note ? h("span", { class: "note" }, note) : null);
}

export async function queue() {
  if (!state.session) {
    location.hash = "#/dang-nhap";
    return;
  }
  const agency = myAgency();
  const rows = h("tbody", { id: "queue-rows" });
  const all = h("input", { type: "checkbox", id: "queue-all" });
  const count = h("p", { class: "muted", id: "queue-count" });
  const status = h("p", { class: "live", id: "live", "aria-live": "polite" }, "Đang kết nối…");
  show(`Hồ sơ của ${state.session.name}`, status,
    h("p", { class: "inline" }, all, h("label", { for: "queue-all" },
      "Hiện cả hồ sơ đang ở bước của người khác")),
    count,
    table({ class: "queue" },
      h("thead", {}, h("tr", {}, h("th", {}, "Số hồ sơ"), h("th", {}, "Người nộp"),
        h("th", {}, "Thủ tục"), h("th", {}, "Trạng thái"), h("th", {}, "Hạn trả kết quả"))),
      rows));
  let dossiers = [];
  // Least working time left first; dossiers whose time does not run (paused, decided) last.
  const left = (d) => (d.remaining_working_seconds === undefined ? Infinity : d.remaining_working_seconds);
  const render = () => {
    const open = dossiers;
    const shown = open.filter((d) => all.checked || mine(d)).sort((a, b) => left(a) - left(b));
    count.textContent = `${shown.length} hồ sơ` +
      (all.checked ? "" : ` cần tôi xử lý (trong ${open.length} hồ sơ đang mở)`);
    // data-label: on a phone each row is a card, each cell named by its column.
    rows.replaceChildren(...shown.map((d) => h("tr", { "data-id": d.id },
      h("td", { "data-label": "Số hồ sơ" },
        h("a", { href: `#/ho-so/${encodeURIComponent(d.id)}` }, d.number || d.id)),
      h("td", { "data-label": "Người nộp" }, d.applicant ? d.applicant.name : ""),
      h("td", { "data-label": "Thủ tục" }, d.procedure_name),
      h("td", { "data-label": "Trạng thái" }, STATUS[d.status] || d.status), dueCell(d))));
  };
  all.addEventListener("change", render);
  // The open dossiers, status by status (each an index read), every page of each.
  const load = async () => {
    const scope = agency ? `&agency=${encodeURIComponent(agency)}` : "";
    const lists = await Promise.all([...OPEN].map(async (status) => {
      const found = [];
      let cursor = "";
      do {
        const page = await api("GET", `/v1/dossiers?status=${status}${scope}&limit=200` +
          (cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""));
        found.push(...(page.dossiers || []));
        cursor = page.next_cursor || "";
      } while (cursor && found.length < 5000);
      return found;
    }));
    if (stale(route)) return;
    dossiers = lists.flat();
    render();
  };
  const route = state.route;
  try {
    await load();
  } catch (e) {
    append(problem(e));
    return;
  }
  if (stale(route)) return;
  // Live: the agency's events over the stream; the list is read again after each burst.
  let pending = null;
  live(agency ? { agency } : { all: true }, () => {
    clearTimeout(pending);
    pending = setTimeout(() => load().catch(() => {}), 150);
  }, (text) => { status.textContent = text; });
}

// ---- the dossier page

function procedureVersion(versions, d) {
  return (versions.versions || []).find((v) => v.version === d.procedure_version) ||
    versions.current || {};
}

function facts(d, p) {
  const step = (p.steps || []).find((s) => s.id === d.current_step);
  const row = (k, v) => (v ? [h("dt", {}, k), h("dd", {}, v)] : null);
  const a = d.applicant || {};
  return h("dl", { class: "facts", "data-version": String(d.version) },
    row("Trạng thái", h("span", { id: "dossier-status" }, STATUS[d.status] || d.status)),
    row("Bước hiện tại", step && OPEN.has(d.status) ? `${step.name} (${step.unit || ""})` : ""),
    row("Người nộp", [a.name, a.id_number ? ` — số định danh ${a.id_number}` : ""].join("")),
    row("Điện thoại", a.phone), row("Địa chỉ", a.address),
    row("Cơ quan tiếp nhận", d.receiving_agency_name || d.receiving_agency),
    row("Cơ quan giải quyết", d.competent_agency_name || d.competent_agency),
    row("Tiếp nhận lúc", officeTime(d.received_at)),
    row("Hẹn trả kết quả", officeTime(d.due_at) + (d.due_provisional ? " (tạm tính)" : "")),
    row("Gia hạn đến", officeTime(d.extended_due_at)),
    row("Thời gian còn lại", d.remaining_working_seconds === undefined ? ""
      : d.remaining_working_seconds < 0 ? `quá hạn ${workingTime(-d.remaining_working_seconds)}`
        : `${workingTime(d.remaining_working_seconds)} làm việc`),
    row("Đang chờ bổ sung", (d.missing || []).length ? (d.missing || []).map((m) =>
      ((p.documents || []).find((x) => x.id === m) || { name: m }).name).join("; ") : ""),
    row("Kết quả", d.outcome === "approved" ? "Giải quyết" : d.outcome === "refused" ? "Từ chối" : ""),
    row("Đúng hạn?", TIMELINESS[d.timeliness] || ""),
    row("Đã trả kết quả", officeTime(d.returned_at)),
    row("Mức độ hài lòng", SATISFACTION[d.satisfaction] || ""));
}

function documents(d, p) {
  const files = d.files || [];
  const name = (id) => ((p.documents || []).find((x) => x.id === id) || { name: id }).name;
  return [h("h2", {}, "Thành phần hồ sơ"),
    table({},
      h("thead", {}, h("tr", {}, h("th", {}, "Giấy tờ"), h("th", {}, "Loại"),
        h("th", {}, "Số lượng"), h("th", {}, "Tệp"))),
      h("tbody", {}, (d.documents || []).map((doc) => {
        const form = ((p.documents || []).find((x) => x.id === doc.document_id) || {}).form;
        return h("tr", {}, h("td", {}, name(doc.document_id)), h("td", {}, FORM[form] || ""),
          h("td", {}, String(doc.count || 1)),
          h("td", {}, files.filter((f) => f.document_id === doc.document_id).map((f) =>
            h("a", { href: f.href, download: f.name || "" }, f.name || f.sha256.slice(0, 12)))));
      }))),
    files.some((f) => f.document_id === "result")
      ? h("p", {}, "Kết quả: ", files.filter((f) => f.document_id === "result").map((f) =>
        h("a", { href: f.href, download: f.name || "" }, f.name || "tệp kết quả"))) : null];
}

function handOvers(history) {
  return [h("h2", {}, "Phiếu kiểm soát quá trình giải quyết (Mẫu 06)"),
    table({ id: "m06-rows" },
      h("thead", {}, h("tr", {}, h("th", {}, "Bước"), h("th", {}, "Thời gian giao nhận"),
        h("th", {}, "Bên giao"), h("th", {}, "Bên nhận"), h("th", {}, "Kết quả"))),
      h("tbody", {}, (history.m06 || []).map((r) => h("tr", {},
        h("td", {}, r.step_name || r.step_id, r.unit ? h("span", { class: "note" }, ` — ${r.unit}`) : null),
        h("td", {}, officeTime(r.at)), h("td", {}, r.giver || ""), h("td", {}, r.receiver || ""),
        h("td", { class: r.timeliness === "late" ? "late" : "" },
          TIMELINESS[r.timeliness] || r.note || "")))))];
}

function timeline(history, p) {
  const label = (e) => {
    if (e.type === "forwarded" && e.action_id) {
      for (const s of p.steps || []) {
        const a = (s.actions || []).find((x) => x.id === e.action_id);
        if (a) return a.label;
      }
    }
    return EVENT[e.type] || e.type;
  };
  return [h("h2", {}, "Diễn biến"),
    h("ol", { class: "timeline", id: "timeline" }, (history.events || [])
      .filter((e) => e.type !== "timer_fired").map((e) => h("li", { "data-type": e.type },
        h("strong", {}, officeTime(e.at)), " — ", label(e),
        e.actor ? h("span", { class: "note" }, ` (${e.actor})`) : null,
        e.comment || e.reason ? h("div", { class: "note" }, e.comment || e.reason) : null,
        e.extended_due_at ? h("div", { class: "note" }, `Hẹn mới: ${officeTime(e.extended_due_at)}`) : null)))];
}

function prints(d, history) {
  const has = (type) => (history.events || []).some((e) => e.type === type);
  const forms = [
    ["m01", "Giấy tiếp nhận và hẹn trả kết quả (Mẫu 01)", !!d.received_at],
    ["m02", "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (Mẫu 02)",
      has("supplement_requested") || has("completion_requested")],
    ["m03", "Phiếu từ chối tiếp nhận (Mẫu 03)", d.status === "refused_at_counter"],
    ["m04", "Phiếu xin lỗi và hẹn lại ngày trả kết quả (Mẫu 04)", !!d.extended_due_at],
    ["m05", "Phiếu dừng xử lý (Mẫu 05)", d.status === "stopped"],
    ["m06", "Phiếu kiểm soát quá trình (Mẫu 06)", !!d.received_at],
  ].filter((f) => f[2]).map(([id, name]) => [`/v1/dossiers/${d.id}/forms/${id}`, id, name]);
  // The return's line in the M07 register: the register of that day at the receiving agency.
  const day = /^(\d{4}-\d{2}-\d{2})/.exec(d.returned_at || "");
  if (day) {
    const next = new Date(`${day[1]}T00:00:00Z`);
    next.setUTCDate(next.getUTCDate() + 1);
    const to = next.toISOString().slice(0, 10);
    forms.push([`/v1/registers/m07?agency=${encodeURIComponent(d.receiving_agency)}` +
      `&from=${day[1]}T00:00&to=${to}T00:00&format=html`, "m07", "Sổ theo dõi trả kết quả (Mẫu 07)"]);
  }
  return forms.length ? h("p", { class: "prints" }, "In: ", forms.map(([href, id, name], i) => [
    i ? " · " : "", h("a", { href, target: "_blank", id: `print-${id}` }, name)])) : null;
}

// Sends a command on `d` at its version; one Idempotency-Key per dialog.
// A 412 (someone acted first) marks the page to be read again when the dialog closes.
let changedMeanwhile = false;

async function command(d, key, body) {
  try {
    return await api("POST", `/v1/dossiers/${encodeURIComponent(d.id)}/commands`, body,
      { "Idempotency-Key": key, "If-Match": `"${d.version}"` });
  } catch (e) {
    if (e.status === 412) changedMeanwhile = true;
    throw e;
  }
}

function textArea(id, label, required = false) {
  const t = h("textarea", { id, rows: "3", required });
  return [h("label", { for: id }, label), t];
}

function docChecks(p, ids, prefix) {
  return h("fieldset", {}, h("legend", {}, "Giấy tờ"),
    ids.map((id) => {
      const doc = (p.documents || []).find((x) => x.id === id) || { id, name: id };
      return h("div", { class: "inline" },
        h("input", { type: "checkbox", id: `${prefix}-${id}`, "data-doc": id }),
        h("label", { for: `${prefix}-${id}` }, doc.name));
    }));
}

function checked(root) {
  return [...root.querySelectorAll("[data-doc]")].filter((b) => b.checked).map((b) => b.dataset.doc);
}

// The dialog each step action needs, by its kind in the definition.
function actionDialog(d, p, action, done) {
  const key = crypto.randomUUID();
  const kind = action.kind || (action.outcome ? "decide" : "forward");
  if (kind === "request_supplement") {
    const docs = docChecks(p, (p.documents || []).map((x) => x.id), "missing");
    const [l, reason] = textArea("supplement-reason", "Lý do, hướng dẫn bổ sung (ghi trên Mẫu 02)", true);
    return dialog(action.label, [h("p", {}, "Chọn các giấy tờ còn thiếu hoặc cần hoàn thiện:"), docs, l, reason],
      "Gửi yêu cầu bổ sung", async (out) => {
        const missing = checked(docs);
        if (!missing.length) {
          out.replaceChildren(problem(new Error("Chọn ít nhất một giấy tờ.")));
          return false;
        }
        await command(d, key, { command: "act", action: action.id, missing, comment: reason.value.trim() });
        return done();
      });
  }
  if (kind === "extend") {
    const max = p.extension && p.extension.max ? Number(p.extension.max.thousandths) / 1000 : 10;
    const days = h("input", { id: "extend-days", type: "number", min: "1", max: String(max), value: "1",
      required: true, class: "count" });
    const [l, reason] = textArea("extend-reason", "Lý do cần thêm thời gian (ghi trên Mẫu 04)", true);
    const preview = h("p", { id: "extend-preview", "aria-live": "polite" }, "");
    const body = () => ({ command: "act", action: action.id, extend_by: `${days.value} WD`,
      comment: reason.value.trim() });
    // The new date, computed by the server's rules before anything is written.
    // Only the answer to the latest length is shown (answers may come back out of order).
    let asked = 0;
    const compute = async () => {
      const mine = ++asked;
      if (!days.value) {
        preview.textContent = "";
        return;
      }
      let text;
      try {
        const r = await api("POST", `/v1/dossiers/${encodeURIComponent(d.id)}/commands?dry_run=true`,
          body(), { "If-Match": `"${d.version}"` });
        text = `Ngày hẹn trả kết quả mới: ${officeTime(r.dossier.extended_due_at)}`;
      } catch (e) {
        text = `Không gia hạn được: ${e.message}`;
      }
      if (mine === asked) preview.textContent = text;
    };
    days.addEventListener("input", compute);
    compute();
    return dialog(action.label, [h("label", { for: "extend-days" }, `Gia hạn thêm (ngày làm việc, tối đa ${max})`),
      days, preview, l, reason], "Xác nhận gia hạn", async () => {
      await command(d, key, body());
      return done();
    });
  }
  const decide = kind === "decide";
  const [l, note] = textArea("action-comment", decide && action.outcome === "refused"
    ? "Lý do (ghi trong văn bản trả lời)" : "Ý kiến", decide && action.outcome === "refused");
  const to = action.to ? (p.steps || []).find((s) => s.id === action.to) : null;
  return dialog(action.label, [
    to ? h("p", {}, `Chuyển đến: ${to.name}${to.unit ? ` — ${to.unit}` : ""}`) : null,
    kind === "consult" ? h("p", {}, "Thời gian chờ ý kiến không tính vào thời hạn giải quyết.") : null,
    l, note], decide ? "Xác nhận kết quả" : "Xác nhận", async () => {
    await command(d, key, { command: "act", action: action.id, comment: note.value.trim() });
    return done();
  });
}

// The counter's dialogs: receive an online dossier, refuse it, record a supplement, return the
// result (a line of the M07 register), record satisfaction.
function counterDialog(d, p, work, done) {
  const key = crypto.randomUUID();
  if (work === "receive") {
    // The documents checked at the counter: those the dossier holds are ticked.
    const docs = docChecks(p, (p.documents || []).map((x) => x.id), "received");
    const held = new Map((d.documents || []).map((x) => [x.document_id, x.count || 1]));
    docs.querySelectorAll("[data-doc]").forEach((b) => { b.checked = held.has(b.dataset.doc); });
    return dialog("Tiếp nhận hồ sơ", [h("p", {}, "Các giấy tờ đã kiểm tra:"), docs],
      "Tiếp nhận", async () => {
        await command(d, key, { command: "receive",
          documents: checked(docs).map((id) => ({ document_id: id, count: held.get(id) || 1 })) });
        return done();
      });
  }
  if (work === "refuse") {
    const [l, reason] = textArea("refuse-reason", "Lý do từ chối (ghi trên Mẫu 03)", true);
    return dialog("Từ chối tiếp nhận", [l, reason], "Từ chối tiếp nhận", async () => {
      await command(d, key, { command: "refuse", reason: reason.value.trim() });
      return done();
    });
  }
  if (work === "supply_supplement") {
    const docs = docChecks(p, d.missing || [], "supplied");
    docs.querySelectorAll("input").forEach((b) => { b.checked = true; });
    const [l, note] = textArea("supply-comment", "Ghi chú");
    return dialog("Nhận hồ sơ bổ sung", [h("p", {}, "Giấy tờ người nộp đã bổ sung:"), docs, l, note],
      "Ghi nhận bổ sung", async () => {
        await command(d, key, { command: "supply_supplement", comment: note.value.trim(),
          documents: checked(docs).map((id) => ({ document_id: id })) });
        return done();
      });
  }
  if (work === "return_result") {
    const via = h("select", { id: "returned-via" },
      h("option", { value: "counter" }, "Tại Bộ phận Một cửa"),
      h("option", { value: "post" }, "Qua bưu chính"),
      h("option", { value: "electronic" }, "Trực tuyến"));
    const to = h("input", { id: "returned-to", value: (d.applicant || {}).name || "", required: true });
    const signed = h("input", { type: "checkbox", id: "receipt-signed", checked: true });
    return dialog("Trả kết quả", [h("label", { for: "returned-via" }, "Hình thức trả"), via,
      h("label", { for: "returned-to" }, "Người nhận kết quả"), to,
      h("div", { class: "inline" }, signed, h("label", { for: "receipt-signed" }, "Người nhận đã ký sổ theo dõi (Mẫu 07)"))],
    "Trả kết quả", async () => {
      await command(d, key, { command: "return_result", returned_via: via.value,
        returned_to: to.value.trim(), receipt_signed: signed.checked });
      return done();
    });
  }
  const level = h("select", { id: "satisfaction" }, Object.entries(SATISFACTION).map(([v, t]) =>
    h("option", { value: v }, t)));
  level.value = "satisfied";
  const [l, note] = textArea("satisfaction-comment", "Ý kiến của người dân (nếu có)");
  return dialog("Ghi nhận mức độ hài lòng", [h("label", { for: "satisfaction" }, "Mức độ hài lòng"), level, l, note],
    "Ghi nhận", async () => {
      await command(d, key, { command: "rate_satisfaction", satisfaction: level.value, comment: note.value.trim() });
      return done();
    });
}

const COUNTER_LABEL = {
  receive: "Tiếp nhận", refuse: "Từ chối tiếp nhận", supply_supplement: "Nhận hồ sơ bổ sung",
  return_result: "Trả kết quả", rate_satisfaction: "Ghi nhận mức độ hài lòng",
};

export async function dossierPage(id) {
  if (!state.session) {
    location.hash = "#/dang-nhap";
    return;
  }
  const route = state.route;
  if (state.shown !== route) show("Hồ sơ");
  changedMeanwhile = false;
  let d;
  let history;
  let versions;
  try {
    d = (await api("GET", `/v1/dossiers/${encodeURIComponent(id)}`));
    [history, versions] = await Promise.all([
      api("GET", `/v1/dossiers/${encodeURIComponent(id)}/history`),
      api("GET", `/v1/procedures/${encodeURIComponent(d.procedure_code)}`)]);
  } catch (e) {
    if (stale(route)) return;
    show("Hồ sơ", problem(e.status === 404
      ? new Error("Không có hồ sơ này, hoặc hồ sơ không thuộc phạm vi của bạn.") : e));
    return;
  }
  if (stale(route)) return;
  const p = procedureVersion(versions, d);
  const reload = (what) => () => {
    announce(`Đã thực hiện: ${what}`);
    dossierPage(id);
    return true;
  };
  // A dialog closed over a dossier that changed meanwhile: read it again.
  const opened = (dlg) => {
    dlg.addEventListener("close", () => { if (changedMeanwhile && !stale(route)) dossierPage(id); });
  };
  const step = (p.steps || []).find((s) => s.id === d.current_step) || { actions: [] };
  const buttons = [
    ...(d.allowed_actions || []).map((a) => {
      const action = step.actions.find((x) => x.id === a) || { id: a, label: a };
      return h("button", { type: "button", class: action.outcome === "refused" ? "secondary" : "primary",
        "data-action": a, onclick: () => opened(actionDialog(d, p, action, reload(action.label))) },
      action.label);
    }),
    ...counterWork(d).map((w) => h("button", { type: "button", class: w === "refuse" ? "secondary" : "primary",
      "data-action": w, onclick: () => opened(counterDialog(d, p, w, reload(COUNTER_LABEL[w]))) },
    COUNTER_LABEL[w])),
  ];
  const status = h("p", { class: "live", id: "live", "aria-live": "polite" }, "");
  show(`Hồ sơ ${d.number || d.id}`,
    h("p", { class: "muted" }, `${d.procedure_name} (mã ${d.procedure_code}, phiên bản ${d.procedure_version})`),
    status, facts(d, p),
    buttons.length ? h("div", { class: "buttons actions", id: "actions" }, buttons)
      : h("p", { class: "muted", id: "actions" }, "Bạn không có thao tác nào trên hồ sơ này ở bước hiện tại."),
    prints(d, history), documents(d, p), handOvers(history), timeline(history, p));
  // Live: another person's action on this dossier reloads the page; with a dialog open, once the
  // dialog closes (what the person is typing is not thrown away).
  live({ dossier_id: d.id }, (e) => {
    if (e.version <= d.version) return;
    if (document.querySelector("dialog[open]")) {
      changedMeanwhile = true;
    } else {
      dossierPage(id);
    }
  }, (text) => { status.textContent = text; });
}
