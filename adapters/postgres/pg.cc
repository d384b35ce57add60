// libpq, thinly (pg.h).

#include "adapters/postgres/pg.h"

#include <algorithm>
#include <cstring>

namespace motcua::pg {

namespace {

// Type oids (PostgreSQL's pg_type.dat; stable across versions).
constexpr unsigned int kByteaOid = 17;
constexpr unsigned int kInt8Oid = 20;
constexpr unsigned int kTextOid = 25;
constexpr unsigned int kByteaArrayOid = 1001;
constexpr unsigned int kInt8ArrayOid = 1016;

void PutBE32(uint32_t v, std::string* out) {
  for (int i = 3; i >= 0; --i) out->push_back(static_cast<char>(v >> (8 * i)));
}
void PutBE64(uint64_t v, std::string* out) {
  for (int i = 7; i >= 0; --i) out->push_back(static_cast<char>(v >> (8 * i)));
}
uint64_t BE(const char* p, int n) {
  uint64_t v = 0;
  for (int i = 0; i < n; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

// A one-dimensional array in PostgreSQL's binary format (array_send): dimensions, a null flag,
// the element type, the length and lower bound 1, then each element as length + bytes.
std::string ArrayHeader(unsigned int element_type, size_t n) {
  std::string out;
  PutBE32(1, &out);  // one dimension
  PutBE32(0, &out);  // no nulls
  PutBE32(element_type, &out);
  PutBE32(static_cast<uint32_t>(n), &out);
  PutBE32(1, &out);  // lower bound
  return out;
}

}  // namespace

Params& Params::Add(unsigned int type, std::string bytes) {
  storage_.push_back(std::move(bytes));
  values_.push_back(storage_.back().data());
  lengths_.push_back(static_cast<int>(storage_.back().size()));
  formats_.push_back(1);
  types_.push_back(type);
  return *this;
}

Params& Params::Bytes(std::string_view v) { return Add(kByteaOid, std::string(v)); }
Params& Params::Text(std::string_view v) { return Add(kTextOid, std::string(v)); }

Params& Params::Int(int64_t v) {
  std::string b;
  PutBE64(static_cast<uint64_t>(v), &b);
  return Add(kInt8Oid, std::move(b));
}

Params& Params::BytesArray(const std::vector<std::string_view>& v) {
  std::string out = ArrayHeader(kByteaOid, v.size());
  size_t size = out.size();
  for (std::string_view e : v) size += 4 + e.size();
  out.reserve(size);
  for (std::string_view e : v) {
    PutBE32(static_cast<uint32_t>(e.size()), &out);
    out.append(e);
  }
  return Add(kByteaArrayOid, std::move(out));
}

Params& Params::IntArray(const std::vector<int64_t>& v) {
  std::string out = ArrayHeader(kInt8Oid, v.size());
  out.reserve(out.size() + 12 * v.size());
  for (int64_t e : v) {
    PutBE32(8, &out);
    PutBE64(static_cast<uint64_t>(e), &out);
  }
  return Add(kInt8ArrayOid, std::move(out));
}

int64_t Rows::int64(int row, int col) const {
  return static_cast<int64_t>(BE(PQgetvalue(r_.get(), row, col), 8));
}

int32_t Rows::int32(int row, int col) const {
  return static_cast<int32_t>(BE(PQgetvalue(r_.get(), row, col), 4));
}

std::string StatementName(std::string_view sql) {
  // The first three words: "INSERT INTO history", "DELETE FROM index_entries", "SELECT record
  // FROM".
  std::string out;
  size_t i = 0;
  for (int words = 0; words < 3; ++words) {
    i = sql.find_first_not_of(" \n\t", i);
    if (i == std::string_view::npos) break;
    const size_t end = std::min(sql.find_first_of(" \n\t(", i), sql.size());
    if (!out.empty()) out += ' ';
    out += sql.substr(i, end - i);
    i = end;
  }
  return out;
}

Result<std::unique_ptr<Conn>> Conn::Open(const std::string& dsn) {
  PGconn* c = PQconnectdb(dsn.c_str());
  if (c == nullptr) return Unavailable("PostgreSQL: out of memory while connecting");
  if (PQstatus(c) != CONNECTION_OK) {
    std::string why = PQerrorMessage(c);
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    PQfinish(c);
    return Unavailable("cannot connect to PostgreSQL: " + why);
  }
  // Notices (a table that already exists, …) are not our errors: keep them off stderr.
  PQsetNoticeProcessor(
      c, [](void*, const char*) {}, nullptr);
  return std::unique_ptr<Conn>(new Conn(c));
}

Conn::~Conn() { PQfinish(conn_); }

bool Conn::healthy() const { return PQstatus(conn_) == CONNECTION_OK; }

bool Conn::ClosedWhileIdle() {
  // Reads what the socket holds, without blocking: a read that meets the end of the stream marks
  // the connection bad. The first may only get the server's last words (a shutdown's FATAL, taken
  // as a notice while idle); the second then meets the end.
  for (int i = 0; i < 2; ++i) {
    if (!healthy() || PQconsumeInput(conn_) == 0) return true;
    (void)PQisBusy(conn_);  // parses what arrived
  }
  return !healthy();
}

Status Conn::Failure(const PGresult* r, std::string_view sql) const {
  std::string why = r != nullptr ? PQresultErrorMessage(r) : PQerrorMessage(conn_);
  while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
  const std::string what = "PostgreSQL (" + StatementName(sql) + "): ";
  if (!healthy()) return Unavailable(what + "the connection was lost: " + why);
  const char* state = r != nullptr ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  // Class 08: connection exceptions; 57P: the server is shutting down or restarting.
  if (state != nullptr &&
      (std::strncmp(state, "08", 2) == 0 || std::strncmp(state, "57P", 3) == 0)) {
    return Unavailable(what + why);
  }
  return Internal(what + (state != nullptr ? std::string(state) + " " : "") + why);
}

Result<Rows> Conn::Exec(std::string_view sql, const Params& params) {
  const std::string text(sql);
  PGresult* r = PQexecParams(conn_, text.c_str(), params.size(), params.types(), params.values(),
                             params.lengths(), params.formats(), 1);
  const ExecStatusType st = r != nullptr ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
    Status failure = Failure(r, sql);
    PQclear(r);
    return failure;
  }
  return Rows(r);
}

Status Conn::Script(std::string_view sql) {
  const std::string text(sql);
  PGresult* r = PQexec(conn_, text.c_str());
  const ExecStatusType st = r != nullptr ? PQresultStatus(r) : PGRES_FATAL_ERROR;
  Status out = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? Status::Ok() : Failure(r, sql);
  PQclear(r);
  return out;
}

Status Conn::Pipeline(const std::vector<Statement>& statements) {
  if (PQenterPipelineMode(conn_) != 1) return Failure(nullptr, "pipeline");
  Status out = Status::Ok();
  size_t sent = 0;
  for (const Statement& s : statements) {
    const std::string text(s.sql);
    const Params& p = *s.params;
    if (PQsendQueryParams(conn_, text.c_str(), p.size(), p.types(), p.values(), p.lengths(),
                          p.formats(), 1) != 1) {
      out = Failure(nullptr, s.sql);
      break;
    }
    ++sent;
  }
  if (PQpipelineSync(conn_) != 1 && out.ok()) out = Failure(nullptr, "sync");
  // Every statement sent answers with its result and a null; the sync with its own result.
  for (size_t i = 0; i < sent && healthy(); ++i) {
    PGresult* r = PQgetResult(conn_);
    if (r == nullptr) {
      if (out.ok()) out = Failure(nullptr, statements[i].sql);
      break;
    }
    const ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && out.ok()) {
      // A statement skipped after an earlier failure says so; the failure itself came first.
      out = st == PGRES_PIPELINE_ABORTED ? Internal("PostgreSQL: pipeline aborted")
                                         : Failure(r, statements[i].sql);
    }
    PQclear(r);
    while ((r = PQgetResult(conn_)) != nullptr) PQclear(r);
  }
  while (healthy()) {
    PGresult* r = PQgetResult(conn_);
    if (r == nullptr) continue;  // between results
    const bool sync = PQresultStatus(r) == PGRES_PIPELINE_SYNC;
    PQclear(r);
    if (sync) break;
  }
  if (PQexitPipelineMode(conn_) != 1 && out.ok()) out = Failure(nullptr, "pipeline end");
  if (!healthy() && out.ok()) out = Failure(nullptr, "pipeline");
  return out;
}

}  // namespace motcua::pg
