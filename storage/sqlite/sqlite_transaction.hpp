// The SQLite write transaction used by the store and the subscriptions section (not part of
// the Store interface).
#pragma once

#include <Poco/Data/Session.h>
#include <Poco/Exception.h>

#include "storage/adapter_guard.hpp"

namespace taxii::storage::detail {

// BEGIN IMMEDIATE takes the database write lock before anything is read, so what is computed
// inside (e.g. timestamp labels) sees the latest committed state, whatever other process
// writes the file. Rolls back unless committed.
class SqliteWriteTransaction {
 public:
  explicit SqliteWriteTransaction(Poco::Data::Session& s) : s_(s) {
    s_ << "BEGIN IMMEDIATE", Poco::Data::Keywords::now;
  }
  SqliteWriteTransaction(const SqliteWriteTransaction&) = delete;
  SqliteWriteTransaction& operator=(const SqliteWriteTransaction&) = delete;
  ~SqliteWriteTransaction() {
    if (done_) return;
    try {
      s_ << "ROLLBACK", Poco::Data::Keywords::now;
    } catch (const Poco::Exception& e) {
      // After a failed COMMIT SQLite may have rolled back already; nothing left to do.
      log_error("rollback", e.displayText());
    }
  }
  void commit() {
    s_ << "COMMIT", Poco::Data::Keywords::now;
    done_ = true;
  }

 private:
  Poco::Data::Session& s_;
  bool done_ = false;
};

}  // namespace taxii::storage::detail
