// The manager's report (form 06 for a chosen year and agency, a chart of early / on time / late
// per month, the per-step lateness table, exports) and the admin's read-only views (agencies,
// procedures in force and their versions, accounts).

import { TIMELINESS, api, append, duration, h, myAgency, officeDate, problem, show, stale, state,
  table, timeLimit } from "./ui.js";

const MONTHS = Array.from({ length: 12 }, (_, i) => i + 1);
const pad = (n) => String(n).padStart(2, "0");

// Early, on time and late per month as stacked bars, each with its count; the same numbers are
// in the table beside it (the chart is an image to screen readers, with its own summary).
function chart(months) {
  const width = 720;
  const height = 260;
  const top = 20;
  const bottom = 40;
  const left = 40;
  const slot = (width - left) / 12;
  const most = Math.max(1, ...months.map((m) => m.early + m.on_time + m.late));
  const scale = (height - top - bottom) / most;
  const kinds = [["early", "bar-early"], ["on_time", "bar-on-time"], ["late", "bar-late"]];
  const bars = months.map((m, i) => {
    let y = height - bottom;
    const x = left + i * slot + slot * 0.2;
    const parts = kinds.map(([k, cls]) => {
      const hgt = m[k] * scale;
      y -= hgt;
      return m[k] ? h("rect", { x: x.toFixed(1), y: y.toFixed(1), width: (slot * 0.6).toFixed(1),
        height: hgt.toFixed(1), class: cls }, h("title", {}, `Tháng ${m.month}: ${TIMELINESS[k]} ${m[k]}`)) : null;
    });
    const total = m.early + m.on_time + m.late;
    return h("g", {}, parts,
      total ? h("text", { x: (x + slot * 0.3).toFixed(1), y: (y - 4).toFixed(1), class: "chart-count",
        "text-anchor": "middle" }, String(total)) : null,
      h("text", { x: (x + slot * 0.3).toFixed(1), y: String(height - bottom + 16), "text-anchor": "middle",
        class: "chart-axis" }, `T${m.month}`));
  });
  const legend = kinds.map(([k, cls], i) => h("g", {},
    h("rect", { x: String(left + i * 120), y: String(height - 14), width: "12", height: "12", class: cls }),
    h("text", { x: String(left + i * 120 + 18), y: String(height - 4), class: "chart-axis" }, TIMELINESS[k])));
  const summary = months.map((m) => `tháng ${m.month}: ${m.early} trước hạn, ${m.on_time} đúng hạn, ${m.late} quá hạn`).join("; ");
  return h("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", class: "chart", id: "form06-chart",
    "aria-label": `Hồ sơ đã giải quyết theo tháng: ${summary}` },
  h("line", { x1: String(left), x2: String(width), y1: String(height - bottom), y2: String(height - bottom),
    class: "chart-base" }), bars, legend);
}

function agencyOptions(agencies, chosen) {
  const scope = state.session.agencies;
  const options = scope.includes("*") ? [h("option", { value: "" }, "Tất cả cơ quan")] : [];
  for (const a of agencies) {
    if (scope.includes("*") || scope.includes(a.code) || scope.some((s) => a.parent === s)) {
      options.push(h("option", { value: a.code, selected: a.code === chosen }, `${a.name} (${a.code})`));
    }
  }
  return options;
}

export async function report(params) {
  if (!state.session) {
    location.hash = "#/dang-nhap";
    return;
  }
  const route = state.route;
  const year = params.get("nam") || String(new Date().getFullYear());
  const agency = params.has("co-quan") ? params.get("co-quan") : myAgency();
  const agencies = (await api("GET", "/v1/agencies").catch(() => ({ agencies: [] }))).agencies || [];
  if (stale(route)) return;
  const pick = h("select", { id: "report-agency" }, agencyOptions(agencies, agency));
  pick.value = agency;
  const yearInput = h("input", { id: "report-year", type: "number", min: "2000", max: "2100", value: year,
    class: "count" });
  const out = h("div", { id: "report", "aria-live": "polite" }, h("p", {}, "Đang tổng hợp…"));
  show("Báo cáo tình hình giải quyết hồ sơ (Mẫu 06)",
    h("form", { class: "filters", onsubmit: (ev) => {
      ev.preventDefault();
      location.hash = `#/bao-cao?co-quan=${encodeURIComponent(pick.value)}&nam=${encodeURIComponent(yearInput.value)}`;
    } }, h("div", {}, h("label", { for: "report-agency" }, "Cơ quan"), pick),
    h("div", {}, h("label", { for: "report-year" }, "Năm"), yearInput),
    h("button", { class: "primary", type: "submit" }, "Xem báo cáo")),
    out);
  const q = (period) => `period=${period}${agency ? `&agency=${encodeURIComponent(agency)}` : ""}`;
  try {
    const whole = await api("GET", `/v1/reports/form06?${q(year)}`);
    // Months not yet begun have nothing to report (the API refuses a window wholly ahead).
    const months = await Promise.all(MONTHS.map((m) =>
      api("GET", `/v1/reports/form06?${q(`${year}-${pad(m)}`)}`)
        .then((r) => ({ month: m, ...counts(r.total) }))
        .catch(() => ({ month: m, early: 0, on_time: 0, late: 0 }))));
    const steps = await api("GET", `/v1/reports/steps?${q(year)}`);
    if (stale(route)) return;
    const t = whole.total || {};
    const n = (v) => String(v || 0);
    out.replaceChildren(
      h("p", { class: "muted" }, `${whole.agency_name || "Tất cả cơ quan"}, từ ngày ${officeDate(whole.from)} đến ngày ${officeDate(whole.to)}`),
      table({ id: "form06-total" },
        h("thead", {}, h("tr", {}, ["Tiếp nhận", "Trực tuyến", "Kỳ trước chuyển qua", "Đã giải quyết",
          "Trước hạn", "Đúng hạn", "Quá hạn", "Đang giải quyết", "Trong đó quá hạn"].map((c) => h("th", {}, c)))),
        h("tbody", {}, h("tr", {}, [t.received, t.online, t.carried_over, t.processed, t.early, t.on_time,
          t.late, t.in_progress, t.overdue].map((v) => h("td", {}, n(v)))))),
      h("h2", {}, "Đã giải quyết theo tháng"), chart(months),
      h("h2", {}, "Thời gian xử lý theo bước"),
      stepTable(steps.rows || []),
      h("h2", {}, "Xuất báo cáo"),
      h("p", { class: "buttons" },
        h("a", { class: "button", href: `/v1/reports/form06?${q(year)}&format=xlsx`, download: `mau06-${year}.xlsx` }, "Mẫu 06 (Excel)"),
        h("a", { class: "button", href: `/v1/reports/form06?${q(year)}&format=csv`, download: `mau06-${year}.csv` }, "Mẫu 06 (CSV)"),
        h("a", { class: "button", href: `/v1/reports/form06?${q(year)}&format=html`, target: "_blank" }, "Mẫu 06 (bản in)"),
        h("a", { class: "button", href: `/v1/reports/steps?${q(year)}&format=csv`, download: `buoc-${year}.csv` }, "Theo bước (CSV)")));
  } catch (e) {
    out.replaceChildren(problem(e));
  }
}

function counts(total) {
  const t = total || {};
  return { early: t.early || 0, on_time: t.on_time || 0, late: t.late || 0 };
}

function stepTable(rows) {
  const minutes = (m) => (m ? `${Math.floor(m / 60)} giờ ${m % 60} phút` : "");
  return table({ id: "step-rows" },
    h("thead", {}, h("tr", {}, ["Thủ tục", "Bước", "Cán bộ", "Số lần giao", "Trước hạn", "Đúng hạn",
      "Quá hạn", "Trung vị", "90%"].map((c) => h("th", {}, c)))),
    h("tbody", {}, rows.map((r) => h("tr", { class: r.officer ? "" : "subtotal" },
      h("td", {}, r.procedure_code), h("td", {}, r.step_name || r.step_id),
      h("td", {}, r.officer || "Cả bước"), h("td", {}, String(r.handovers || 0)),
      h("td", {}, String(r.early || 0)), h("td", {}, String(r.on_time || 0)),
      h("td", { class: r.late ? "late" : "" }, String(r.late || 0)),
      h("td", {}, minutes(r.median_minutes)), h("td", {}, minutes(r.p90_minutes))))));
}

// ---- admin: read-only views of the definitions, and the accounts

export async function admin() {
  if (!state.session) {
    location.hash = "#/dang-nhap";
    return;
  }
  show("Quản trị");
  const route = state.route;
  try {
    const [agencies, procedures, accounts] = await Promise.all([
      api("GET", "/v1/agencies"), api("GET", "/v1/procedures"),
      api("GET", "/v1/admin/accounts").catch((e) => ({ error: e }))]);
    if (stale(route)) return;
    append(
      h("h2", {}, "Thủ tục đang có hiệu lực"),
      table({ id: "admin-procedures" },
        h("thead", {}, h("tr", {}, ["Mã", "Tên", "Phiên bản", "Hiệu lực từ", "Thời hạn"].map((c) => h("th", {}, c)))),
        h("tbody", {}, (procedures.procedures || []).map((p) => h("tr", {},
          h("td", {}, p.code),
          h("td", {}, h("a", { href: `#/quan-tri/thu-tuc/${encodeURIComponent(p.code)}` }, p.name)),
          h("td", {}, String(p.version)), h("td", {}, officeDate(p.effective_from)), h("td", {}, timeLimit(p)))))),
      h("h2", {}, "Cơ quan"),
      table({ id: "admin-agencies" },
        h("thead", {}, h("tr", {}, ["Mã", "Tên", "Loại", "Trực thuộc", "Hoạt động"].map((c) => h("th", {}, c)))),
        h("tbody", {}, (agencies.agencies || []).map((a) => h("tr", {},
          h("td", {}, a.code), h("td", {}, a.name), h("td", {}, a.kind || ""), h("td", {}, a.parent || ""),
          h("td", {}, a.active ? "Có" : `Không${a.successor ? ` (kế thừa: ${a.successor})` : ""}`))))),
      h("h2", {}, "Tài khoản"),
      accounts.error ? problem(accounts.error) : table({ id: "admin-accounts" },
        h("thead", {}, h("tr", {}, ["Tên đăng nhập", "Họ tên", "Vai trò", "Cơ quan", "Trạng thái"].map((c) => h("th", {}, c)))),
        h("tbody", {}, (accounts.accounts || []).map((a) => h("tr", {},
          h("td", {}, a.principal), h("td", {}, a.name), h("td", {}, (a.roles || []).join(", ")),
          h("td", {}, (a.agencies || []).join(", ")), h("td", {}, a.disabled ? "Đã khóa" : "Hoạt động"))))),
      h("p", { class: "muted" }, "Tài khoản được quản lý bằng lệnh motcua account add|passwd|disable|enable trên máy chủ."));
  } catch (e) {
    append(problem(e));
  }
}

export async function adminProcedure(code) {
  show("Thủ tục");
  const route = state.route;
  try {
    const v = await api("GET", `/v1/procedures/${encodeURIComponent(code)}`);
    if (stale(route)) return;
    const p = v.current || (v.versions || [])[0];
    show(`${p.code} — ${p.name}`,
      h("h2", {}, "Các phiên bản"),
      table({}, h("thead", {}, h("tr", {}, ["Phiên bản", "Hiệu lực từ", "Đến", "Quyết định công bố"].map((c) => h("th", {}, c)))),
        h("tbody", {}, (v.versions || []).map((x) => h("tr", { class: v.current && x.version === v.current.version ? "current" : "" },
          h("td", {}, String(x.version), v.current && x.version === v.current.version ? " (đang áp dụng)" : ""),
          h("td", {}, officeDate(x.effective_from)), h("td", {}, officeDate(x.effective_until)), h("td", {}, x.decision || ""))))),
      h("h2", {}, "Các bước xử lý"),
      table({}, h("thead", {}, h("tr", {}, ["Bước", "Đơn vị", "Vai trò", "Thời gian", "Thao tác"].map((c) => h("th", {}, c)))),
        h("tbody", {}, (p.steps || []).map((s) => h("tr", {},
          h("td", {}, s.name), h("td", {}, s.unit || ""), h("td", {}, s.role || ""), h("td", {}, duration(s.budget)),
          h("td", {}, h("ul", { class: "plain" }, (s.actions || []).map((a) => h("li", {}, a.label)))))))),
      h("p", {}, h("a", { href: "#/quan-tri" }, "← Quản trị")));
  } catch (e) {
    append(problem(e));
  }
}
