#include "storage/sqlite/sqlite_checkpointer.hpp"

#include <sqlite3.h>

#include <Poco/Data/DataException.h>

#include "storage/adapter_guard.hpp"

namespace taxii::storage::detail {

SqliteCheckpointer::SqliteCheckpointer(sqlite3* writer, const std::string& path, Options options)
    : writer_(writer), options_(options) {
  const int rc = sqlite3_open_v2(path.c_str(), &own_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    const std::string why = own_ != nullptr ? sqlite3_errmsg(own_) : sqlite3_errstr(rc);
    sqlite3_close_v2(own_);
    throw Poco::Data::DataException("checkpoint connection to " + path + ": " + why);
  }
  sqlite3_busy_timeout(own_, options_.busy_timeout_ms);
  // A connection learns that the file is in WAL mode on its first read; until then its
  // checkpoints do nothing (and report -1 frames).
  char* error = nullptr;
  if (sqlite3_exec(own_, "PRAGMA schema_version", nullptr, nullptr, &error) != SQLITE_OK) {
    const std::string why = error != nullptr ? error : "unknown error";
    sqlite3_free(error);
    sqlite3_close_v2(own_);
    throw Poco::Data::DataException("checkpoint connection: " + why);
  }
  thread_ = std::thread([this] { loop(); });
  sqlite3_wal_hook(writer_, &SqliteCheckpointer::on_commit, this);
}

SqliteCheckpointer::~SqliteCheckpointer() {
  sqlite3_wal_autocheckpoint(writer_, options_.background_frames);  // SQLite's default hook again
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
  sqlite3_close_v2(own_);
}

// Runs on the writer's thread after each commit to the WAL (the write lock already released).
int SqliteCheckpointer::on_commit(void* ctx, sqlite3* db, const char* schema, int frames) {
  auto* self = static_cast<SqliteCheckpointer*>(ctx);
  if (frames >= self->options_.inline_frames) {
    // Passive: copies what no reader still needs; errors (e.g. busy) leave it for next time.
    sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
  } else if (frames >= self->options_.background_frames) {
    bool notify = false;
    {
      std::lock_guard<std::mutex> lock(self->mu_);
      notify = !self->wanted_;
      self->wanted_ = true;
    }
    if (notify) self->cv_.notify_one();
  }
  return SQLITE_OK;
}

void SqliteCheckpointer::loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    cv_.wait(lock, [&] { return stopping_ || wanted_; });
    if (stopping_) return;
    wanted_ = false;
    lock.unlock();
    int log = 0, copied = 0;
    int rc = sqlite3_wal_checkpoint_v2(own_, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &copied);
    if (rc == SQLITE_OK && log >= 2 * options_.background_frames) {
      // The WAL restarts from its beginning only when a write starts after everything in it
      // was copied; under steady writes that moment may never come. RESTART makes it: it
      // holds writers off while it copies what came since the passive pass (little) and
      // waits for readers to leave the log, for a bounded time.
      sqlite3_busy_timeout(own_, options_.restart_wait_ms);
      rc = sqlite3_wal_checkpoint_v2(own_, nullptr, SQLITE_CHECKPOINT_RESTART, &log, &copied);
      sqlite3_busy_timeout(own_, options_.busy_timeout_ms);
    }
    if (rc != SQLITE_OK && rc != SQLITE_BUSY) log_error("WAL checkpoint", sqlite3_errmsg(own_));
    lock.lock();
  }
}

}  // namespace taxii::storage::detail
