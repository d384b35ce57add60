// The national portal's payload (portal.h).

#include "adapters/delivery/portal.h"

#include <cstdio>

#include "adapters/json/json_writer.h"
#include "engine/dossier/appliers.h"

namespace motcua {

namespace {

constexpr int kVietnamOffsetSeconds = 7 * 3600;

// A JSON object written field by field; empty strings are left out.
class Obj {
 public:
  Obj& Str(const char* key, const std::string& v) {
    if (v.empty()) return *this;
    Key(key);
    AppendJsonString(v, &out_);
    return *this;
  }
  Obj& Int(const char* key, int64_t v) {
    Key(key);
    out_ += std::to_string(v);
    return *this;
  }
  Obj& Raw(const char* key, const std::string& json) {
    Key(key);
    out_ += json;
    return *this;
  }
  std::string Done() { return out_ + "}"; }

 private:
  void Key(const char* key) {
    out_ += out_.size() > 1 ? "," : "";
    AppendJsonString(key, &out_);
    out_ += ':';
  }
  std::string out_ = "{";
};

// DVCQG's KenhThucHien: 1 direct, 2 online, 3 by post.
int ChannelCode(Channel c) {
  switch (c) {
    case Channel::kCounter:
      return 1;
    case Channel::kOnlineFull:
    case Channel::kOnlinePartial:
      return 2;
    case Channel::kPostal:
      return 3;
  }
  return 1;
}

std::string AgencyName(const AgencyRegistry& agencies, const std::string& code) {
  const Agency* a = agencies.Find(code);
  return a != nullptr ? a->name : code;
}

std::string StepName(const Procedure* p, const std::string& step) {
  if (p != nullptr) {
    for (const Step& s : p->steps) {
      if (s.id == step) return s.name;
    }
  }
  return step;
}

std::string DossierSync(const std::vector<Event>& history, const Dossier& d,
                        const Procedure* procedure, const AgencyRegistry& agencies,
                        const PortalSettings& settings) {
  std::string documents = "[";
  for (const SubmittedDocument& doc : d.documents) {
    std::string name = doc.document_id;
    if (procedure != nullptr) {
      for (const Document& pd : procedure->documents) {
        if (pd.id == doc.document_id) name = pd.name;
      }
    }
    documents += (documents.size() > 1 ? "," : "") + Obj()
                                                         .Str("MaGiayTo", doc.document_id)
                                                         .Str("TenGiayTo", name)
                                                         .Int("SoLuong", doc.count)
                                                         .Done();
  }
  documents += "]";
  // Supplement records: asked, supplied, and the due instant before and after.
  std::string supplements = "[";
  std::optional<Instant> asked;
  for (const Event& e : history) {
    if (e.type == EventType::kSupplementRequested) asked = e.at;
    if (e.type != EventType::kSupplementReceived) continue;
    supplements += (supplements.size() > 1 ? "," : "") +
                   Obj()
                       .Str("NgayYeuCauBoSung", PortalTime(asked))
                       .Str("NgayBoSung", PortalTime(e.at))
                       .Str("NgayHenTraCu", PortalTime(e.previous_due_at))
                       .Str("NgayHenTraMoi", PortalTime(e.due_at))
                       .Done();
  }
  supplements += "]";
  auto code = settings.procedure_codes.find(d.procedure_code);
  return Obj()
      .Str("MaHoSo", d.number)
      .Str("MaTTHC", code != settings.procedure_codes.end() ? code->second : d.procedure_code)
      .Str("TenTTHC", procedure != nullptr ? procedure->name : "")
      .Str("TenLinhVuc", procedure != nullptr ? procedure->field : "")
      .Int("KenhThucHien", ChannelCode(d.channel))
      .Str("ChuHoSo", d.applicant.name)
      .Str("SoGiayToChuHoSo", d.applicant.id_number)
      .Str("DiaChiChuHoSo", d.applicant.address)
      .Str("SoDienThoai", d.applicant.phone)
      .Str("Email", d.applicant.email)
      .Str("NgayNopHoSo", PortalTime(d.submitted_at))
      .Str("NgayTiepNhan", PortalTime(d.received_at))
      .Str("NgayHenTra", PortalTime(d.effective_due()))
      .Str("NgayKetThucXuLy", PortalTime(d.decided_at))
      .Str("NgayTra", PortalTime(d.returned_at))
      .Str("TrangThaiHoSo", std::to_string(PortalStatusCode(settings, d.status)))
      .Str("MaDonViXuLy", d.competent_agency)
      .Str("DonViXuLy", AgencyName(agencies, d.competent_agency))
      .Raw("TaiLieuNop", documents)
      .Raw("DanhSachHoSoBoSung", supplements)
      .Done();
}

std::string ProgressUpdate(const Event& e, const Dossier& d, const Procedure* procedure,
                           const AgencyRegistry& agencies, const PortalSettings& settings) {
  const HandOver& h = *e.hand_over;
  return Obj()
      .Str("MaHoSo", d.number)
      .Str("NguoiXuLy", h.giver)
      .Str("ChucDanh", e.role)
      .Str("ThoiDiemXuLy", PortalTime(e.at))
      .Str("PhongBanXuLy", AgencyName(agencies, d.competent_agency))
      .Str("BuocXuLy", StepName(procedure, h.step_id))
      .Str("NoiDungXuLy", !e.comment.empty() ? e.comment : h.note)
      .Str("KetQuaBuoc", NameOf(h.timeliness))
      .Str("TrangThai", std::to_string(PortalStatusCode(settings, d.status)))
      .Str("NgayBatDau", PortalTime(e.at))
      .Str("NgayKetThucTheoQuyDinh", PortalTime(e.step_due_at))
      .Done();
}

}  // namespace

std::string PortalTime(const std::optional<Instant>& t) {
  if (!t) return "";
  const int64_t local = t->seconds + kVietnamOffsetSeconds;
  const int64_t days = local >= 0 ? local / 86400 : (local - 86399) / 86400;
  const int64_t secs = local - days * 86400;
  const CivilDate d = CivilFromDays(days);
  char buf[24];
  std::snprintf(buf, sizeof buf, "%04d%02d%02d%02d%02d%02d", d.year, d.month, d.day,
                static_cast<int>(secs / 3600), static_cast<int>(secs % 3600 / 60),
                static_cast<int>(secs % 60));
  return buf;
}

int PortalStatusCode(const PortalSettings& settings, DossierStatus s) {
  if (auto it = settings.status_codes.find(NameOf(s)); it != settings.status_codes.end()) {
    return it->second;
  }
  return PortalStatusCode(s);  // DOMAIN.md §3's table (engine/dossier/dossier.h)
}

PortalMessage MakePortalMessage(const std::vector<Event>& history, const Procedure* procedure,
                                const AgencyRegistry& agencies, const PortalSettings& settings) {
  PortalMessage m;
  Dossier d;
  for (const Event& e : history) Apply(d, e);
  m.unit_code = !settings.unit_code.empty() ? settings.unit_code : d.competent_agency;
  if (!history.empty() && history.back().hand_over) {
    m.service = "CapNhatTienDoHoSoMC";
    m.data = "[" + ProgressUpdate(history.back(), d, procedure, agencies, settings) + "]";
  } else {
    m.service = "DongBoHoSoMC";
    m.data = "[" + DossierSync(history, d, procedure, agencies, settings) + "]";
  }
  return m;
}

std::string PortalBody(const PortalMessage& m, const std::string& session) {
  return Obj()
      .Str("session", session)
      .Str("madonvi", m.unit_code)
      .Str("service", m.service)
      .Raw("data", m.data)
      .Done();
}

}  // namespace motcua
