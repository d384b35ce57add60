// Search on a large store (issue 12 §4-5): a RocksDB store of N dossiers (default 1,000,000)
// spread over two years and 50 agencies, with Vietnamese names drawn from common surnames, middle
// and given names, is filled once (records and every index entry, as commits write them); then
// the searches a counter makes when a citizen comes without a number are timed through the
// store's query (the path of GET /v1/dossiers): name prefixes without diacritics, phones, number
// prefixes, a page of 50 each. Prints p50 / p99 / max per kind.
//
//   search_bench [--dir PATH] [--dossiers N] [--queries N]

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "adapters/rocksdb/rocks_store.h"
#include "engine/common/fold.h"
#include "engine/store/indexes.h"

using namespace motcua;

namespace {

const char* const kSurnames[] = {"Nguyễn", "Trần", "Lê",  "Phạm", "Hoàng", "Huỳnh", "Phan",
                                 "Vũ",     "Võ",   "Đặng", "Bùi", "Đỗ",    "Hồ",    "Ngô",
                                 "Dương",  "Lý"};
// Nguyễn is about 38% of Vietnamese; the draw gives the first surnames more weight.
const double kSurnameWeights[] = {38, 11, 9.5, 7, 5, 4.7, 4.5, 3.9, 3.9, 2.1, 2, 1.4, 1.3, 1.3, 1, 0.5};
const char* const kMiddles[] = {"Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Thanh", "Quốc",
                                "Xuân", "Hoàng", "Thu", "Kim", "Gia", "Bảo", "Anh", "Công"};
const char* const kGivens[] = {"An",   "Anh",  "Bình", "Chi",  "Cường", "Dũng", "Giang", "Hà",
                               "Hải",  "Hạnh", "Hiếu", "Hoa",  "Hùng",  "Hương", "Khánh", "Lan",
                               "Linh", "Long", "Mai",  "Minh", "Nam",   "Ngân", "Nhung", "Phong",
                               "Phúc", "Quân", "Quang", "Sơn", "Tâm",   "Thảo", "Trang", "Tuấn",
                               "Tùng", "Vân",  "Việt", "Yến"};

std::string Agency(int i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "000.%02d.%d.H56", i % 99 + 1, 40 + i / 99);
  return buf;
}

std::string Number(const std::string& agency, int day, int seq) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s-%02d%02d%02d-%04d", agency.c_str(), 25 + day / 365,
                day % 365 / 31 + 1, day % 31 + 1, seq);
  return buf;
}

struct Stats {
  std::vector<double> ms;
  size_t results = 0;
  void Print(const char* what) {
    std::sort(ms.begin(), ms.end());
    auto pct = [this](double p) { return ms[static_cast<size_t>(p * (ms.size() - 1))]; };
    std::printf("| %s | %zu | %.2f | %.2f | %.2f | %.1f |\n", what, ms.size(), pct(0.5), pct(0.99),
                ms.back(), static_cast<double>(results) / ms.size());
  }
};

}  // namespace

int main(int argc, char** argv) {
  std::string dir = "/tmp/motcua-search-bench";
  long dossiers = 1000000;
  int queries = 2000;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--dir")) dir = argv[i + 1];
    if (!std::strcmp(argv[i], "--dossiers")) dossiers = std::atol(argv[i + 1]);
    if (!std::strcmp(argv[i], "--queries")) queries = std::atoi(argv[i + 1]);
  }
  std::mt19937_64 rng(20261201);
  std::discrete_distribution<int> surname(std::begin(kSurnameWeights), std::end(kSurnameWeights));
  auto pick = [&rng](const auto& list) {
    return list[std::uniform_int_distribution<size_t>(0, std::size(list) - 1)(rng)];
  };
  auto name = [&] {
    return std::string(kSurnames[surname(rng)]) + " " + pick(kMiddles) + " " + pick(kGivens);
  };
  auto phone = [&rng] {
    return "09" + std::to_string(10000000 + std::uniform_int_distribution<int>(0, 89999999)(rng));
  };

  const bool fresh = !std::filesystem::exists(dir + "/CURRENT");
  Result<std::unique_ptr<RocksStore>> opened = RocksStore::Open(dir);
  if (!opened.ok()) {
    std::fprintf(stderr, "%s\n", opened.status().ToString().c_str());
    return 1;
  }
  RocksStore& store = **opened;
  if (fresh) {
    const auto t0 = std::chrono::steady_clock::now();
    constexpr int kPerCommit = 1000;
    std::vector<int> sequence(50 * 730, 0);
    uint64_t position = 1;
    for (long n = 0; n < dossiers; n += kPerCommit) {
      WriteSet w;
      w.first_outbox_position = position;
      for (long k = n; k < std::min(dossiers, n + kPerCommit); ++k) {
        Dossier d;
        char id[24];
        std::snprintf(id, sizeof id, "S%09ld", k);
        d.id = id;
        d.version = 1;
        const int agency = static_cast<int>(rng() % 50);
        const int day = static_cast<int>(k * 730 / dossiers);
        d.receiving_agency = d.competent_agency = Agency(agency);
        d.procedure_code = "2.000908";
        d.procedure_version = 1;
        d.applicant.name = name();
        d.applicant.id_number = std::to_string(1000000000000ll + static_cast<long long>(rng() % 899999999999ll));
        d.applicant.phone = phone();
        d.status = k % 10 == 0 ? DossierStatus::kInProcessing : DossierStatus::kReturned;
        d.received_at = Instant{1735664400 + day * 86400ll + 3600};
        d.number = Number(d.receiving_agency, day, ++sequence[agency * 730 + day]);
        Event e;
        e.type = EventType::kReceived;
        e.dossier_id = d.id;
        e.version = 1;
        e.status = d.status;
        e.at = *d.received_at;
        w.changes.push_back({std::nullopt, std::move(d), {std::move(e)}});
      }
      position += w.changes.size();
      if (Status s = store.Commit(w); !s.ok()) {
        std::fprintf(stderr, "commit: %s\n", s.ToString().c_str());
        return 1;
      }
    }
    std::printf("filled %ld dossiers in %.0f s\n", dossiers,
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }

  // What a counter types: a surname, a surname and a middle name, a whole name; a phone someone
  // has; the beginning of a number (an agency's month).
  Stats by_surname, by_two, by_full, by_phone, by_number;
  auto time = [&store](Stats& st, DossierQuery q) {
    q.limit = 50;
    const auto t0 = std::chrono::steady_clock::now();
    Result<QueryPage> page = store.Query(q);
    st.ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    if (page.ok()) st.results += page->dossiers.size();
  };
  for (int i = 0; i < queries; ++i) {
    const std::string full = FoldVietnamese(name());
    DossierQuery q;
    q.name_prefix = full.substr(0, full.find(' '));
    time(by_surname, q);
    q.name_prefix = full.substr(0, full.rfind(' '));
    time(by_two, q);
    q.name_prefix = full;
    time(by_full, q);
    DossierQuery p;
    p.phone = phone();
    time(by_phone, p);
    DossierQuery nb;
    nb.number_prefix = Agency(static_cast<int>(rng() % 50)) + "-2603";
    time(by_number, nb);
  }
  std::printf("| search (page of 50) | queries | p50 ms | p99 ms | max ms | results a page |\n");
  std::printf("|---|---|---|---|---|---|\n");
  by_surname.Print("name: a surname (`nguyen`)");
  by_two.Print("name: surname and middle name (`nguyen van`)");
  by_full.Print("name: a whole name (`nguyen van an`)");
  by_phone.Print("phone (random: mostly no match)");
  by_number.Print("number prefix (an agency's month)");
  return 0;
}
