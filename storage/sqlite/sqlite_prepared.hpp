// Prepared statements kept for the life of one SQLite connection, for the statements every
// append runs (sqlite_group_commit.cpp, SqliteStore::append_in); also used for one batch
// of a scan on a reader connection (SqliteStore::fetch).
//
// Poco::Data 1.11 prepares a statement again each time it is executed; for a 1-block
// Inbox_Message that is seven prepares (BEGIN, SAVEPOINT, two SELECTs, INSERT, RELEASE,
// COMMIT), all inside the single writer's critical section, and they were the largest single
// cost of ingest (docs/bench.md, "Session 6"). These statements run on the same connection the
// Poco session owns (Poco::Data::SQLite::Utility::dbHandle), so transactions and busy_timeout
// are shared with it; errors throw the Poco exceptions the rest of the store already maps
// (Utility::throwException), so adapter_guard.hpp answers them the same way.
//
// Not thread-safe: use it under the lock that guards its connection (write_mu_).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace taxii::storage::detail {

class SqlitePrepared {
 public:
  // One execution of a cached statement: bind, step, read; reset when it goes out of scope.
  class Run {
   public:
    Run(const Run&) = delete;
    Run& operator=(const Run&) = delete;
    ~Run();

    // Parameters are numbered from 1, as in SQLite. Text and blobs are not copied
    // (SQLITE_STATIC): what they view must outlive the Run.
    Run& bind(int i, int64_t v);
    Run& bind_text(int i, std::string_view v);
    Run& bind_blob(int i, std::string_view bytes);  // an empty view binds an empty blob
    Run& bind_null(int i);

    bool step();  // true: a row is there to read; false: done. Throws on errors.
    void again();  // back to before the first step, bindings kept (to run it for the next row)
    void done();  // steps to the end (a statement without rows)

    bool is_null(int col) const;
    int64_t int64(int col) const;
    // The column's bytes, valid until the next step() (or the Run's end).
    std::string_view text(int col) const;
    std::string_view blob(int col) const;

   private:
    friend class SqlitePrepared;
    Run(sqlite3* db, sqlite3_stmt* st) : db_(db), st_(st) {}
    sqlite3* db_;
    sqlite3_stmt* st_;
  };

  explicit SqlitePrepared(sqlite3* db) : db_(db) {}
  SqlitePrepared(const SqlitePrepared&) = delete;
  SqlitePrepared& operator=(const SqlitePrepared&) = delete;
  ~SqlitePrepared();  // finalizes every statement; destroy it before its connection closes

  // The statement for `sql`, prepared on first use (looked up without a copy of the text).
  // Throws Poco exceptions.
  Run operator()(std::string_view sql);
  // Runs a statement without parameters or rows (BEGIN, COMMIT, SAVEPOINT ...).
  void exec(std::string_view sql) { (*this)(sql).done(); }

 private:
  sqlite3* db_;
  std::map<std::string, sqlite3_stmt*, std::less<>> cache_;
};

}  // namespace taxii::storage::detail
