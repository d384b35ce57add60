// The printed forms (forms.h): each form's data from a dossier and its history, rendered with the
// embedded templates.

#include "adapters/report/forms.h"

#include <cstdio>

#include "adapters/report/template.h"
#include "engine/dossier/migration.h"

// Generated from adapters/report/forms/*.html (cmake/embed_forms.cmake).
extern const std::pair<const char*, const char*> kMotcuaForms[];
extern const int kMotcuaFormsCount;

namespace motcua {

namespace {

constexpr int kOffset = 7 * 3600;  // the forms state Vietnam time

const TemplateSet& Templates() {
  static const TemplateSet* set = [] {
    auto* s = new TemplateSet;
    for (int i = 0; i < kMotcuaFormsCount; ++i)
      s->emplace(kMotcuaForms[i].first, kMotcuaForms[i].second);
    return s;
  }();
  return *set;
}

std::string Date(Instant t) {
  const CivilDate d = LocalDateAt(t, kOffset);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d/%02d/%04d", d.day, d.month, d.year);
  return buf;
}

std::string Time(Instant t) {
  const int64_t minutes = ((t.seconds + kOffset) % 86400 + 86400) % 86400 / 60;
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d:%02d", static_cast<int>(minutes / 60),
                static_cast<int>(minutes % 60));
  return buf;
}

std::string DateLine(Instant t) {
  const CivilDate d = LocalDateAt(t, kOffset);
  char buf[48];
  std::snprintf(buf, sizeof buf, "ngày %02d tháng %02d năm %04d", d.day, d.month, d.year);
  return buf;
}

const char* IdLabel(IdKind k) {
  switch (k) {
    case IdKind::kCitizenId:
      return "Số định danh cá nhân";
    case IdKind::kPassport:
      return "Số hộ chiếu";
    case IdKind::kTaxCode:
      return "Mã số thuế";
  }
  return "";
}

const char* ChannelLabel(Channel c) {
  switch (c) {
    case Channel::kCounter:
      return "Trực tiếp tại Bộ phận Một cửa";
    case Channel::kOnlineFull:
      return "Trực tuyến toàn trình";
    case Channel::kOnlinePartial:
      return "Trực tuyến một phần";
    case Channel::kPostal:
      return "Qua dịch vụ bưu chính công ích";
  }
  return "";
}

const char* FormLabel(DocumentForm f) {
  switch (f) {
    case DocumentForm::kOriginal:
      return "Bản chính";
    case DocumentForm::kCopy:
      return "Bản sao";
    case DocumentForm::kCertifiedCopy:
      return "Bản sao chứng thực";
  }
  return "";
}

const char* TimelinessLabel(Timeliness t) {
  switch (t) {
    case Timeliness::kEarly:
      return "Trước hạn";
    case Timeliness::kOnTime:
      return "Đúng hạn";
    case Timeliness::kLate:
      return "Quá hạn";
  }
  return "";
}

const char* ReturnViaLabel(const std::string& via) {
  if (via == "counter") return "Trực tiếp";
  if (via == "post") return "Bưu chính";
  if (via == "electronic") return "Trực tuyến";
  return "";
}

// "10 ngày làm việc", "0,5 ngày làm việc", "4 giờ làm việc", "Trong ngày".
std::string TimeLimitLabel(const TimeLimit& t) {
  if (t.same_day) return "Trong ngày";
  const int64_t whole = t.duration.thousandths / 1000;
  int64_t frac = t.duration.thousandths % 1000;
  std::string n = std::to_string(whole);
  if (frac != 0) {
    std::string f = std::to_string(1000 + frac).substr(1);
    while (!f.empty() && f.back() == '0') f.pop_back();
    n += "," + f;
  }
  return n +
         (t.duration.unit == WorkDuration::Unit::kWorkingDays ? " ngày làm việc" : " giờ làm việc");
}

// What every form of a dossier shows: the issuing agency, the applicant, the procedure, the
// times, the documents.
TemplateData Common(const Dossier& d, const Procedure* p, const AgencyRegistry& registry,
                    const std::string& agency, Instant dated) {
  TemplateData t;
  const Agency* a = registry.Find(agency);
  const Agency* parent = a != nullptr ? registry.Find(a->parent) : nullptr;
  t.Set("agency_name", a != nullptr ? a->name : agency);
  t.Set("parent_agency_name", parent != nullptr ? parent->name : "");
  t.Set("date_line", DateLine(dated));
  t.Set("number", d.number);
  t.Set("reference", d.number.empty() ? d.id : d.number);
  t.Set("procedure_code", d.procedure_code);
  t.Set("procedure_name", p != nullptr ? p->name : d.procedure_code);
  t.Set("time_limit", p != nullptr ? TimeLimitLabel(p->time_limit) : "");
  t.Set("channel_label", ChannelLabel(d.channel));
  t.Set("applicant_name", d.applicant.name);
  t.Set("applicant_id_label", IdLabel(d.applicant.id_kind));
  t.Set("applicant_id_number", d.applicant.id_number);
  t.Set("applicant_address", d.applicant.address);
  t.Set("applicant_phone", d.applicant.phone);
  t.Set("applicant_email", d.applicant.email);
  t.Set("applicant_representative", d.applicant.representative);
  t.Set("received_time", d.received_at ? Time(*d.received_at) : "");
  t.Set("received_date", d.received_at ? Date(*d.received_at) : "");
  t.Set("submitted_date", Date(d.received_at.value_or(d.submitted_at.value_or(dated))));
  t.Set("due_time", d.due_at ? Time(*d.due_at) : "");
  t.Set("due_date", d.due_at ? Date(*d.due_at) : "");
  t.Set("extended_time", d.extended_due_at ? Time(*d.extended_due_at) : "");
  t.Set("extended_date", d.extended_due_at ? Date(*d.extended_due_at) : "");
  const Agency* receiving = registry.Find(d.receiving_agency);
  t.Set("return_place",
        "Bộ phận Một cửa — " + (receiving != nullptr ? receiving->name : d.receiving_agency));
  t.List("documents");
  int no = 0;
  for (const SubmittedDocument& s : d.documents) {
    const Document* doc = p != nullptr ? p->FindDocument(s.document_id) : nullptr;
    TemplateData& row = t.Add("documents");
    row.Set("no", std::to_string(++no));
    row.Set("name", doc != nullptr ? doc->name : s.document_id);
    row.Set("form_label", doc != nullptr ? FormLabel(doc->form) : "");
    row.Set("count", std::to_string(s.count));
  }
  return t;
}

// The last event of `type` in the history, if any.
const Event* Last(const std::vector<Event>& history, std::initializer_list<EventType> types) {
  for (auto e = history.rbegin(); e != history.rend(); ++e) {
    for (EventType t : types) {
      if (e->type == t) return &*e;
    }
  }
  return nullptr;
}

}  // namespace

Result<std::string> RenderDossierForm(FormKind form, const Dossier& d,
                                      const std::vector<Event>& history,
                                      const ProcedureCatalog& catalog) {
  std::shared_ptr<const Procedure> p = catalog.Version(d.procedure_code, d.procedure_version);
  const AgencyRegistry& registry = catalog.Agencies();
  const std::string name = NameOf(form);
  auto missing = [&](const std::string& why) {
    return NotFound("dossier '" + d.id + "' has no form " + name + ": " + why);
  };
  TemplateData t;
  switch (form) {
    case FormKind::kM01: {
      if (!d.received_at || d.number.empty()) return missing("it has not been received (T2)");
      t = Common(d, p.get(), registry, d.receiving_agency, *d.received_at);
      const Event* received = Last(history, {EventType::kReceived});
      t.Set("received_by", received != nullptr ? received->actor : "");
      break;
    }
    case FormKind::kM02: {
      const Event* e =
          Last(history, {EventType::kCompletionRequested, EventType::kSupplementRequested});
      if (e == nullptr) return missing("no completion or supplement was asked for (T3, T8)");
      t = Common(d, p.get(), registry, d.receiving_agency, e->at);
      t.List("missing");
      int no = 0;
      for (const std::string& id : e->missing) {
        const Document* doc = p ? p->FindDocument(id) : nullptr;
        TemplateData& row = t.Add("missing");
        row.Set("no", std::to_string(++no));
        row.Set("name", doc != nullptr ? doc->name : id);
      }
      t.Set("reason", e->comment.empty() ? e->reason : e->comment);
      t.Set("requested_time", Time(e->at));
      t.Set("requested_date", Date(e->at));
      t.Set("asked_by", e->role);
      t.Set("requested_by", e->actor);
      break;
    }
    case FormKind::kM03: {
      const Event* e = Last(history, {EventType::kRefusedAtCounter});
      if (e == nullptr) return missing("it was not refused at the counter (T4)");
      t = Common(d, p.get(), registry, d.receiving_agency, e->at);
      t.Set("reason", e->reason.empty() ? e->comment : e->reason);
      t.Set("refused_time", Time(e->at));
      t.Set("refused_date", Date(e->at));
      t.Set("refused_by", e->actor);
      break;
    }
    case FormKind::kM04: {
      const Event* e = Last(history, {EventType::kExtended});
      if (e == nullptr || !d.extended_due_at) return missing("it has no extension (T11)");
      t = Common(d, p.get(), registry, d.competent_agency, e->at);
      t.Set("reason", e->comment);
      t.Set("extended_by", e->actor);
      break;
    }
    case FormKind::kM05: {
      const Event* e = Last(history, {EventType::kWithdrawn});
      if (e == nullptr || d.status != DossierStatus::kStopped) {
        return missing("it was not withdrawn (T12)");
      }
      t = Common(d, p.get(), registry, d.receiving_agency, e->at);
      t.Set("reason", e->reason.empty() ? e->comment : e->reason);
      t.Set("stopped_time", Time(e->at));
      t.Set("stopped_date", Date(e->at));
      t.Set("stopped_by", e->actor);
      break;
    }
    case FormKind::kM06: {
      if (!d.received_at || d.number.empty()) return missing("it has not been received (T2)");
      t = Common(d, p.get(), registry, d.competent_agency, *d.received_at);
      t.List("rows");
      int no = 0;
      // Each row's step as the version its hand-over was recorded under names it.
      const std::vector<int> versions = VersionsRecordedUnder(history);
      for (size_t i = 0; i < history.size(); ++i) {
        const Event& e = history[i];
        if (!e.hand_over) continue;
        const HandOver& h = *e.hand_over;
        std::shared_ptr<const Procedure> then = catalog.Version(d.procedure_code, versions[i]);
        const Step* step = then ? then->FindStep(h.step_id) : nullptr;
        TemplateData& row = t.Add("rows");
        row.Set("no", std::to_string(++no));
        row.Set("unit", step == nullptr      ? h.step_id
                        : step->unit.empty() ? step->name
                                             : step->unit + " — " + step->name);
        row.Set("handed_time", Time(e.at));
        row.Set("handed_date", Date(e.at));
        row.Set("giver", h.giver);
        row.Set("receiver", h.receiver);
        row.Set("result", TimelinessLabel(h.timeliness));
        row.Set("note", h.note);
      }
      break;
    }
  }
  return RenderTemplate(Templates(), name, t);
}

Result<std::string> RenderM07Register(const v1::M07Register& reg, const AgencyRegistry& registry) {
  TemplateData t;
  const Agency* a = registry.Find(reg.agency());
  const Agency* parent = a != nullptr ? registry.Find(a->parent) : nullptr;
  t.Set("agency_name", reg.agency_name().empty() ? reg.agency() : reg.agency_name());
  t.Set("parent_agency_name", parent != nullptr ? parent->name : "");
  t.Set("date_line", "");
  auto shown = [](const std::string& local) {  // "2026-03-02T10:00:00+07:00" → "10:00 02/03/2026"
    if (local.size() < 16) return local;
    return local.substr(11, 5) + " " + local.substr(8, 2) + "/" + local.substr(5, 2) + "/" +
           local.substr(0, 4);
  };
  t.Set("from", shown(reg.from()));
  t.Set("to", shown(reg.to()));
  t.List("rows");
  for (const v1::M07Row& r : reg.rows()) {
    TemplateData& row = t.Add("rows");
    row.Set("no", std::to_string(r.no()));
    row.Set("number", r.number());
    row.Set("procedure_name", r.procedure_name());
    row.Set("applicant_name", r.applicant_name());
    std::string contact = r.applicant_address();
    if (!r.applicant_phone().empty())
      contact += (contact.empty() ? "" : "; ") + r.applicant_phone();
    row.Set("applicant_contact", contact);
    row.Set("competent_agency",
            r.competent_agency_name().empty() ? r.competent_agency() : r.competent_agency_name());
    row.Set("received_at", shown(r.received_at()));
    row.Set("due_at", shown(r.due_at()));
    row.Set("returned_at", shown(r.returned_at()));
    row.Set("returned_via", ReturnViaLabel(r.returned_via()));
    row.Set("signature", r.receipt_signed() ? r.returned_to() + " (đã ký)" : r.returned_to());
  }
  return RenderTemplate(Templates(), "m07", t);
}

}  // namespace motcua
