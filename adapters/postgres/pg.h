#pragma once
// A thin layer over libpq (PostgreSQL's C client): a connection, statements with binary
// parameters (bytea, int8 and one-dimensional arrays of them, for `unnest`), binary results, and
// pipelines (many statements, one round trip). A Conn is used by one thread at a time.
//
// Errors: a lost or refused connection is kUnavailable; anything the server refuses is
// kInternal with its SQLSTATE and message, and the statement's first words.

#include <libpq-fe.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/common/status.h"

namespace motcua::pg {

// A statement's parameters, every one sent in binary. Not copyable: it points into its own
// storage (a move keeps a deque's elements where they are).
class Params {
 public:
  Params() = default;
  Params(const Params&) = delete;
  Params& operator=(const Params&) = delete;
  Params(Params&&) = default;
  Params& operator=(Params&&) = default;
  Params& Bytes(std::string_view v);                           // bytea
  Params& Text(std::string_view v);                            // text
  Params& Int(int64_t v);                                      // int8
  Params& BytesArray(const std::vector<std::string_view>& v);  // bytea[]
  Params& IntArray(const std::vector<int64_t>& v);             // int8[]
  int size() const { return static_cast<int>(values_.size()); }
  const char* const* values() const { return values_.data(); }
  const int* lengths() const { return lengths_.data(); }
  const int* formats() const { return formats_.data(); }
  const unsigned int* types() const { return types_.data(); }

 private:
  Params& Add(unsigned int type, std::string bytes);
  std::deque<std::string> storage_;  // stable addresses for values_
  std::vector<const char*> values_;
  std::vector<int> lengths_;
  std::vector<int> formats_;
  std::vector<unsigned int> types_;
};

// A statement's rows, in binary: bytea as its bytes, int8 as a number.
class Rows {
 public:
  explicit Rows(PGresult* r) : r_(r, &PQclear) {}
  int size() const { return PQntuples(r_.get()); }
  bool null(int row, int col) const { return PQgetisnull(r_.get(), row, col) != 0; }
  std::string_view bytes(int row, int col) const {
    return {PQgetvalue(r_.get(), row, col), static_cast<size_t>(PQgetlength(r_.get(), row, col))};
  }
  int64_t int64(int row, int col) const;  // an int8 column
  int32_t int32(int row, int col) const;  // an int4 column

 private:
  std::unique_ptr<PGresult, decltype(&PQclear)> r_;
};

class Conn {
 public:
  // Connects (libpq's connection string or URI); kUnavailable with libpq's reason otherwise.
  static Result<std::unique_ptr<Conn>> Open(const std::string& dsn);
  ~Conn();
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  // One statement with binary parameters and results.
  Result<Rows> Exec(std::string_view sql, const Params& params = Params());
  // Statements without parameters, separated by semicolons (the schema's migrations).
  Status Script(std::string_view sql);
  // Statements sent together and answered in one round trip, then one sync: on the first error
  // the server skips the rest (inside BEGIN … COMMIT the transaction is rolled back).
  struct Statement {
    std::string_view sql;
    const Params* params;
  };
  Status Pipeline(const std::vector<Statement>& statements);
  // Whether the connection is still up (after a failure it may not be).
  bool healthy() const;
  // Whether the server closed this idle connection (a restart, a shutdown, a terminated
  // backend), seen without waiting: what already arrived is read, nothing is sent. A connection
  // found closed here had nothing in flight.
  bool ClosedWhileIdle();
  PGconn* raw() { return conn_; }

 private:
  explicit Conn(PGconn* c) : conn_(c) {}
  // The failure of `r` (null: the connection's own error) for the statement `sql`.
  Status Failure(const PGresult* r, std::string_view sql) const;
  PGconn* conn_;
};

// A statement named for error messages: its first three words ("INSERT INTO history").
std::string StatementName(std::string_view sql);

}  // namespace motcua::pg
