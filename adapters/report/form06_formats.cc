// Report form 06 as JSON, CSV, HTML and XLSX (form06_formats.h).

#include "adapters/report/form06_formats.h"

#include <unistd.h>
#include <xlsxwriter.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "adapters/report/template.h"
#include "engine/report/counters.h"
#include "engine/store/indexes.h"

namespace motcua {

namespace {

struct Column {
  const char* group;    // the heading over a group of columns
  const char* heading;  // the column's own
  int64_t Form06Row::*field;
};

// The form's columns in its order (DOMAIN.md §6), then the variants.
const Column kColumns[] = {
    {"Số hồ sơ nhận giải quyết", "Tổng số", &Form06Row::received},
    {"Số hồ sơ nhận giải quyết", "Trực tuyến", &Form06Row::online},
    {"Số hồ sơ nhận giải quyết", "Trực tiếp, dịch vụ bưu chính", &Form06Row::direct},
    {"Số hồ sơ nhận giải quyết", "Từ kỳ trước chuyển qua", &Form06Row::carried_over},
    {"Số hồ sơ đã giải quyết", "Tổng số", &Form06Row::processed},
    {"Số hồ sơ đã giải quyết", "Trước hạn", &Form06Row::early},
    {"Số hồ sơ đã giải quyết", "Đúng hạn", &Form06Row::on_time},
    {"Số hồ sơ đã giải quyết", "Quá hạn", &Form06Row::late},
    {"Số hồ sơ đang giải quyết", "Tổng số", &Form06Row::in_progress},
    {"Số hồ sơ đang giải quyết", "Trong hạn", &Form06Row::not_yet_due},
    {"Số hồ sơ đang giải quyết", "Quá hạn", &Form06Row::overdue},
    {"Chi tiết", "Trực tuyến toàn trình", &Form06Row::online_full},
    {"Chi tiết", "Trực tuyến một phần", &Form06Row::online_partial},
    {"Chi tiết", "Quá hạn có văn bản xin lỗi", &Form06Row::late_with_apology},
    {"Chi tiết", "Quá hạn không xin lỗi", &Form06Row::late_without_apology},
    {"Chi tiết", "Từ chối giải quyết", &Form06Row::refused},
    {"Chi tiết", "Rút hồ sơ (dừng giải quyết)", &Form06Row::withdrawn},
    {"Chi tiết", "Chờ bổ sung", &Form06Row::supplement},
};

constexpr char kFormNumber[] = "Biểu số 06/VPCP/KSTT";
constexpr char kTitle[] = "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH";

const char* FirstHeading(ReportGrouping g) {
  switch (g) {
    case ReportGrouping::kAgency:
      return "Đơn vị";
    case ReportGrouping::kField:
      return "Lĩnh vực";
    case ReportGrouping::kProcedure:
      return "Thủ tục hành chính";
  }
  return "";
}

std::string Dmy(CivilDate d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d/%02d/%04d", d.day, d.month, d.year);
  return buf;
}

std::string PeriodLine(const Form06& f) {
  return "Kỳ báo cáo: từ ngày " + Dmy(f.request.from) + " đến ngày " + Dmy(f.request.to);
}

std::string AgencyLine(const Form06Heading& h) {
  return h.agency_name.empty() ? std::string("Tất cả cơ quan") : h.agency_name;
}

std::string Csv(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

void RowToProto(const Form06Row& r, v1::Form06Row* p) {
  p->set_key(r.key);
  p->set_label(r.label);
  p->set_received(static_cast<int32_t>(r.received));
  p->set_online(static_cast<int32_t>(r.online));
  p->set_online_full(static_cast<int32_t>(r.online_full));
  p->set_online_partial(static_cast<int32_t>(r.online_partial));
  p->set_direct(static_cast<int32_t>(r.direct));
  p->set_counter(static_cast<int32_t>(r.counter));
  p->set_postal(static_cast<int32_t>(r.postal));
  p->set_carried_over(static_cast<int32_t>(r.carried_over));
  p->set_processed(static_cast<int32_t>(r.processed));
  p->set_early(static_cast<int32_t>(r.early));
  p->set_on_time(static_cast<int32_t>(r.on_time));
  p->set_late(static_cast<int32_t>(r.late));
  p->set_late_with_apology(static_cast<int32_t>(r.late_with_apology));
  p->set_late_without_apology(static_cast<int32_t>(r.late_without_apology));
  p->set_refused(static_cast<int32_t>(r.refused));
  p->set_withdrawn(static_cast<int32_t>(r.withdrawn));
  p->set_in_progress(static_cast<int32_t>(r.in_progress));
  p->set_not_yet_due(static_cast<int32_t>(r.not_yet_due));
  p->set_overdue(static_cast<int32_t>(r.overdue));
  p->set_supplement(static_cast<int32_t>(r.supplement));
}

}  // namespace

namespace {

// A procedure by code: its latest version, which names it, its field and its steps.
ProcedureLookup LatestVersions(const ProcedureCatalog& catalog) {
  return [&catalog](std::string_view code) -> const Procedure* {
    const Procedure* found = nullptr;
    for (int v = 1; v < 1000; ++v) {
      std::shared_ptr<const Procedure> p = catalog.Version(std::string(code), v);
      if (!p) break;
      found = p.get();  // the catalog keeps its versions alive
    }
    return found;
  };
}

CounterScan ScanOf(Store& store) {
  return [&store](const std::string& begin, const std::string& end,
                  const std::function<void(std::string_view, int64_t)>& fn) {
    return store.ScanReportCounters(begin, end, fn);
  };
}

}  // namespace

Result<Form06> Form06FromStore(Store& store, const ProcedureCatalog& catalog,
                               const Form06Request& request, Instant now) {
  const ProcedureLookup procedures = LatestVersions(catalog);
  auto BuildWith = [&](const std::vector<std::pair<std::string, std::string>>& later_today) {
    return BuildForm06(
        request, catalog.Agencies(), procedures,
        [&store](const std::string& begin, const std::string& end,
                 const std::function<void(std::string_view, int64_t)>& fn) {
          return store.ScanReportCounters(begin, end, fn);
        },
        later_today);
  };
  // Dossiers that become overdue later today (due index entries after now, before tomorrow).
  std::vector<std::pair<std::string, std::string>> later_today;
  const CivilDate today = LocalDateAt(now, kReportUtcOffsetSeconds);
  if (request.to == today) {
    const Instant tomorrow{(DaysFromCivil(today) + 1) * 86400 - kReportUtcOffsetSeconds};
    const std::string prefix = IndexPrefix(IndexKind::kDue);
    const std::string end = IndexPrefix(IndexKind::kDue, {SortableInstant(tomorrow)});
    std::string after = IndexPrefix(IndexKind::kDue, {SortableInstant(now)}) + "\x7f";
    while (true) {
      ASSIGN_OR_RETURN(std::vector<std::string> entries, store.ScanIndex(prefix, after, 1000));
      for (const std::string& e : entries) {
        if (!(e < end)) return BuildWith(later_today);
        ASSIGN_OR_RETURN(std::shared_ptr<const Dossier> d, store.GetShared(IndexEntryId(e)));
        if (d) later_today.emplace_back(d->competent_agency, d->procedure_code);
      }
      if (entries.size() < 1000) break;
      after = entries.back();
    }
  }
  return BuildWith(later_today);
}

Form06Heading HeadingFor(const AgencyRegistry& registry, const std::string& agency) {
  Form06Heading h;
  if (const Agency* a = registry.Find(agency)) {
    h.agency_name = a->name;
    if (const Agency* parent = registry.Find(a->parent)) h.parent_name = parent->name;
  } else {
    h.agency_name = agency;
  }
  return h;
}

const char* ContentTypeOf(ReportFormat f) {
  switch (f) {
    case ReportFormat::kJson:
      return "application/json";
    case ReportFormat::kCsv:
      return "text/csv; charset=utf-8";
    case ReportFormat::kHtml:
      return "text/html; charset=utf-8";
    case ReportFormat::kXlsx:
      return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
  }
  return "application/octet-stream";
}

void ToProto(const Form06& f, const Form06Heading& h, v1::Form06Report* out) {
  out->set_agency(f.request.agency);
  out->set_agency_name(h.agency_name);
  out->set_from(FormatDate(f.request.from));
  out->set_to(FormatDate(f.request.to));
  out->set_group_by(NameOf(f.request.group_by));
  for (const Form06Row& r : f.rows) RowToProto(r, out->add_rows());
  RowToProto(f.total, out->mutable_total());
}

std::string Form06Csv(const Form06& f, const Form06Heading& h) {
  std::string out = "\xEF\xBB\xBF";  // UTF-8 byte-order mark
  out += Csv(std::string(kTitle) + " — " + AgencyLine(h)) + "\r\n";
  out += Csv(PeriodLine(f)) + "\r\n";
  out += "STT,";
  out += Csv(FirstHeading(f.request.group_by));
  out += ",Mã";
  for (const Column& c : kColumns) out += "," + Csv(std::string(c.group) + ": " + c.heading);
  out += "\r\n";
  int no = 0;
  auto line = [&](const Form06Row& r, const std::string& number) {
    out += number + "," + Csv(r.label) + "," + Csv(r.key);
    for (const Column& c : kColumns) out += "," + std::to_string(r.*c.field);
    out += "\r\n";
  };
  for (const Form06Row& r : f.rows) line(r, std::to_string(++no));
  line(f.total, "");
  return out;
}

std::string Form06Html(const Form06& f, const Form06Heading& h) {
  std::ostringstream o;
  o << "<!DOCTYPE html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\">\n<title>" << kFormNumber
    << " — " << HtmlEscape(AgencyLine(h)) << "</title>\n<style>\n"
    << "@page { size: A4 landscape; margin: 12mm 10mm; }\n"
    << "body { font-family: 'Times New Roman', 'Liberation Serif', 'DejaVu Serif', serif; "
       "font-size: 10.5pt; margin: 0; }\n"
    << ".top { display: flex; justify-content: space-between; text-align: center; }\n"
    << ".top > div { width: 50%; } .b { font-weight: bold; white-space: nowrap; }\n"
    << ".u { text-decoration: underline; } th.name, td.name { width: 18%; text-align: left; }\n"
    << "h1 { font-size: 13pt; text-align: center; margin: 10px 0 2px; }\n"
    << "p.c { text-align: center; margin: 2px 0 8px; font-style: italic; }\n"
    << "table { border-collapse: collapse; width: 100%; }\n"
    << "th, td { border: 1px solid #000; padding: 2px 3px; font-size: 9pt; }\n"
    << "th { font-weight: bold; text-align: center; vertical-align: middle; }\n"
    << "td.n { text-align: right; } tr.total td { font-weight: bold; }\n"
    << "thead { display: table-header-group; } tr { page-break-inside: avoid; }\n"
    << "</style></head><body>\n";
  o << "<div class=\"top\"><div><div>" << HtmlEscape(h.parent_name) << "</div><div class=\"b\">"
    << HtmlEscape(AgencyLine(h)) << "</div><div>" << kFormNumber << "</div></div>"
    << "<div><div class=\"b\">CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</div>"
    << "<div class=\"b u\">Độc lập - Tự do - Hạnh phúc</div></div></div>\n";
  o << "<h1>" << kTitle << "</h1>\n<p class=\"c\">" << HtmlEscape(PeriodLine(f)) << "</p>\n";
  o << "<table>\n<thead><tr><th rowspan=\"2\">STT</th><th rowspan=\"2\" class=\"name\">"
    << FirstHeading(f.request.group_by) << "</th>";
  for (size_t i = 0; i < std::size(kColumns);) {
    size_t j = i;
    while (j < std::size(kColumns) && std::string(kColumns[j].group) == kColumns[i].group) ++j;
    o << "<th colspan=\"" << (j - i) << "\">" << kColumns[i].group << "</th>";
    i = j;
  }
  o << "</tr>\n<tr>";
  for (const Column& c : kColumns) o << "<th>" << c.heading << "</th>";
  o << "</tr>\n<tr>";
  for (size_t i = 1; i <= std::size(kColumns) + 2; ++i) o << "<th>(" << i << ")</th>";
  o << "</tr></thead>\n<tbody>\n";
  int no = 0;
  auto line = [&](const Form06Row& r, const std::string& number, const char* cls) {
    o << "<tr" << cls << "><td class=\"n\">" << number << "</td><td class=\"name\">"
      << HtmlEscape(r.label) << "</td>";
    for (const Column& c : kColumns) o << "<td class=\"n\">" << r.*c.field << "</td>";
    o << "</tr>\n";
  };
  for (const Form06Row& r : f.rows) line(r, std::to_string(++no), "");
  line(f.total, "", " class=\"total\"");
  o << "</tbody></table>\n</body></html>\n";
  return o.str();
}

Result<std::string> Form06Xlsx(const Form06& f, const Form06Heading& h) {
  std::string path = (std::filesystem::temp_directory_path() / "motcua-form06-XXXXXX").string();
  const int fd = mkstemp(path.data());
  if (fd < 0) return Internal("cannot make a temporary file for the spreadsheet");
  close(fd);
  struct Remove {
    std::string p;
    ~Remove() { std::remove(p.c_str()); }
  } remove{path};

  lxw_workbook* wb = workbook_new(path.c_str());
  if (wb == nullptr) return Internal("cannot start the spreadsheet");
  lxw_worksheet* ws = workbook_add_worksheet(wb, "Biểu 06");
  worksheet_set_landscape(ws);
  worksheet_set_paper(ws, 9);  // A4
  worksheet_fit_to_pages(ws, 1, 0);
  lxw_format* bold = workbook_add_format(wb);
  format_set_bold(bold);
  lxw_format* title = workbook_add_format(wb);
  format_set_bold(title);
  format_set_font_size(title, 13);
  lxw_format* head = workbook_add_format(wb);
  format_set_bold(head);
  format_set_border(head, LXW_BORDER_THIN);
  format_set_align(head, LXW_ALIGN_CENTER);
  format_set_align(head, LXW_ALIGN_VERTICAL_CENTER);
  format_set_text_wrap(head);
  lxw_format* cell = workbook_add_format(wb);
  format_set_border(cell, LXW_BORDER_THIN);
  lxw_format* total = workbook_add_format(wb);
  format_set_border(total, LXW_BORDER_THIN);
  format_set_bold(total);

  const auto last_col = static_cast<lxw_col_t>(std::size(kColumns) + 1);
  worksheet_write_string(ws, 0, 0, AgencyLine(h).c_str(), bold);
  worksheet_write_string(ws, 0, 8, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold);
  worksheet_write_string(ws, 1, 0, kFormNumber, nullptr);
  worksheet_write_string(ws, 1, 8, "Độc lập - Tự do - Hạnh phúc", bold);
  worksheet_merge_range(ws, 3, 0, 3, last_col, kTitle, title);
  worksheet_merge_range(ws, 4, 0, 4, last_col, PeriodLine(f).c_str(), nullptr);
  worksheet_merge_range(ws, 6, 0, 7, 0, "STT", head);
  worksheet_merge_range(ws, 6, 1, 7, 1, FirstHeading(f.request.group_by), head);
  for (size_t i = 0; i < std::size(kColumns);) {
    size_t j = i;
    while (j < std::size(kColumns) && std::string(kColumns[j].group) == kColumns[i].group) ++j;
    const auto first = static_cast<lxw_col_t>(i + 2);
    const auto last = static_cast<lxw_col_t>(j + 1);
    if (first == last) {
      worksheet_write_string(ws, 6, first, kColumns[i].group, head);
    } else {
      worksheet_merge_range(ws, 6, first, 6, last, kColumns[i].group, head);
    }
    i = j;
  }
  for (size_t i = 0; i < std::size(kColumns); ++i) {
    worksheet_write_string(ws, 7, static_cast<lxw_col_t>(i + 2), kColumns[i].heading, head);
  }
  worksheet_set_column(ws, 0, 0, 5, nullptr);
  worksheet_set_column(ws, 1, 1, 38, nullptr);
  worksheet_set_column(ws, 2, last_col, 10, nullptr);
  worksheet_set_row(ws, 7, 45, nullptr);
  lxw_row_t row = 8;
  int no = 0;
  auto line = [&](const Form06Row& r, bool is_total) {
    lxw_format* fmt = is_total ? total : cell;
    if (is_total) {
      worksheet_write_blank(ws, row, 0, fmt);
    } else {
      worksheet_write_number(ws, row, 0, ++no, fmt);
    }
    worksheet_write_string(ws, row, 1, r.label.c_str(), fmt);
    for (size_t i = 0; i < std::size(kColumns); ++i) {
      worksheet_write_number(ws, row, static_cast<lxw_col_t>(i + 2),
                             static_cast<double>(r.*kColumns[i].field), fmt);
    }
    ++row;
  };
  for (const Form06Row& r : f.rows) line(r, false);
  line(f.total, true);
  if (lxw_error e = workbook_close(wb); e != LXW_NO_ERROR) {
    return Internal(std::string("cannot write the spreadsheet: ") + lxw_strerror(e));
  }
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) return Internal("cannot read the spreadsheet back");
  return bytes;
}

Result<StepReport> StepReportFromStore(Store& store, const ProcedureCatalog& catalog,
                                       const StepReportRequest& request) {
  return BuildStepReport(request, catalog.Agencies(), LatestVersions(catalog), ScanOf(store));
}

void ToProto(const StepReport& r, const Form06Heading& h, v1::StepReport* out) {
  out->set_agency(r.request.agency);
  out->set_agency_name(h.agency_name);
  out->set_from(FormatDate(r.request.from));
  out->set_to(FormatDate(r.request.to));
  for (const StepRow& row : r.rows) {
    v1::StepRow* p = out->add_rows();
    p->set_procedure_code(row.procedure_code);
    p->set_procedure_name(row.procedure_name);
    p->set_step_id(row.step_id);
    p->set_step_name(row.step_name);
    p->set_unit(row.unit);
    p->set_officer(row.officer);
    p->set_handovers(static_cast<int32_t>(row.handovers));
    p->set_early(static_cast<int32_t>(row.early));
    p->set_on_time(static_cast<int32_t>(row.on_time));
    p->set_late(static_cast<int32_t>(row.late));
    p->set_median_minutes(static_cast<int32_t>(row.median_minutes));
    p->set_p90_minutes(static_cast<int32_t>(row.p90_minutes));
  }
}

std::string StepReportCsv(const StepReport& r, const Form06Heading& h) {
  std::string out = "\xEF\xBB\xBF";  // UTF-8 byte-order mark
  out += Csv("TÌNH HÌNH GIẢI QUYẾT THEO TỪNG BƯỚC — " + AgencyLine(h)) + "\r\n";
  out +=
      Csv("Kỳ báo cáo: từ ngày " + Dmy(r.request.from) + " đến ngày " + Dmy(r.request.to)) + "\r\n";
  out +=
      "Mã thủ tục,Tên thủ tục,Bước,Tên bước,Đơn vị,Người giao (trống: cả bước),Số lần giao,"
      "Trước hạn,Đúng hạn,Quá hạn,Trung vị thời gian (phút làm việc),P90 thời gian (phút làm "
      "việc)\r\n";
  for (const StepRow& row : r.rows) {
    out += Csv(row.procedure_code) + "," + Csv(row.procedure_name) + "," + Csv(row.step_id) + "," +
           Csv(row.step_name) + "," + Csv(row.unit) + "," + Csv(row.officer) + "," +
           std::to_string(row.handovers) + "," + std::to_string(row.early) + "," +
           std::to_string(row.on_time) + "," + std::to_string(row.late) + "," +
           std::to_string(row.median_minutes) + "," + std::to_string(row.p90_minutes) + "\r\n";
  }
  return out;
}

Result<std::string> Form06File(const Form06& f, const Form06Heading& h, ReportFormat format) {
  switch (format) {
    case ReportFormat::kCsv:
      return Form06Csv(f, h);
    case ReportFormat::kHtml:
      return Form06Html(f, h);
    case ReportFormat::kXlsx:
      return Form06Xlsx(f, h);
    case ReportFormat::kJson:
      break;
  }
  return InvalidArgument("form 06 as JSON is the API's protobuf (ToProto)");
}

}  // namespace motcua
