#include "storage/sqlite/sqlite_prepared.hpp"

#include <sqlite3.h>

#include <Poco/Data/DataException.h>
#include <Poco/Data/SQLite/Utility.h>

namespace taxii::storage::detail {
namespace {

[[noreturn]] void fail(sqlite3* db, int rc, const std::string& what) {
  Poco::Data::SQLite::Utility::throwException(db, rc, what);
  throw Poco::Data::DataException(what);  // not reached: throwException throws for any error code
}

void check(sqlite3* db, int rc, sqlite3_stmt* st) {
  if (rc != SQLITE_OK) fail(db, rc, sqlite3_sql(st));
}

}  // namespace

SqlitePrepared::~SqlitePrepared() {
  for (auto& [sql, st] : cache_) sqlite3_finalize(st);
}

SqlitePrepared::Run SqlitePrepared::operator()(std::string_view sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* st = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                                      &st, nullptr);
    if (rc != SQLITE_OK) {
      sqlite3_finalize(st);
      fail(db_, rc, std::string(sql));
    }
    it = cache_.emplace(std::string(sql), st).first;
  }
  return Run(db_, it->second);
}

SqlitePrepared::Run::~Run() {
  sqlite3_reset(st_);  // its return repeats the last step's error, already thrown
  sqlite3_clear_bindings(st_);
}

SqlitePrepared::Run& SqlitePrepared::Run::bind(int i, int64_t v) {
  check(db_, sqlite3_bind_int64(st_, i, v), st_);
  return *this;
}

SqlitePrepared::Run& SqlitePrepared::Run::bind_text(int i, std::string_view v) {
  check(db_, sqlite3_bind_text64(st_, i, v.data() != nullptr ? v.data() : "", v.size(), SQLITE_STATIC, SQLITE_UTF8),
        st_);
  return *this;
}

SqlitePrepared::Run& SqlitePrepared::Run::bind_blob(int i, std::string_view bytes) {
  // A null pointer would bind NULL; any non-null pointer with length 0 is the empty blob.
  const char* p = bytes.data() != nullptr ? bytes.data() : "";
  check(db_, sqlite3_bind_blob64(st_, i, p, bytes.size(), SQLITE_STATIC), st_);
  return *this;
}

SqlitePrepared::Run& SqlitePrepared::Run::bind_null(int i) {
  check(db_, sqlite3_bind_null(st_, i), st_);
  return *this;
}

bool SqlitePrepared::Run::step() {
  const int rc = sqlite3_step(st_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  fail(db_, rc, sqlite3_sql(st_));
}

void SqlitePrepared::Run::again() { sqlite3_reset(st_); }

void SqlitePrepared::Run::done() {
  while (step()) {
  }
}

bool SqlitePrepared::Run::is_null(int col) const { return sqlite3_column_type(st_, col) == SQLITE_NULL; }

int64_t SqlitePrepared::Run::int64(int col) const { return sqlite3_column_int64(st_, col); }

std::string_view SqlitePrepared::Run::text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st_, col));
  return p == nullptr ? std::string_view() : std::string_view(p, static_cast<size_t>(sqlite3_column_bytes(st_, col)));
}

std::string_view SqlitePrepared::Run::blob(int col) const {
  const auto* p = static_cast<const char*>(sqlite3_column_blob(st_, col));
  return p == nullptr ? std::string_view() : std::string_view(p, static_cast<size_t>(sqlite3_column_bytes(st_, col)));
}

}  // namespace taxii::storage::detail
