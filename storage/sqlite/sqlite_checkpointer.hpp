// Checkpoints of the SQLite write-ahead log on a thread of their own.
//
// By default SQLite checkpoints inside the commit that takes the WAL past 1000 pages: the
// writer copies ~4 MB into the database file and syncs it while every append waits behind it
// (a seventh of taxiid's CPU when ingesting 100-block messages, all of it on the single
// writer's critical path). This class replaces that hook on the writer connection: past
// `background_frames` it asks its thread, which runs a PASSIVE checkpoint on its own
// connection while the writer goes on, then, if the WAL keeps growing because writes never
// let it restart, a short RESTART checkpoint; past `inline_frames` (the thread could not keep
// up) the writer checkpoints inline as before, which bounds the WAL. Durability is unchanged: a commit is
// durable once its WAL frames are synced (synchronous=FULL); checkpoints only move pages.
#pragma once

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

struct sqlite3;

namespace taxii::storage::detail {

class SqliteCheckpointer {
 public:
  struct Options {
    int background_frames = 1000;  // SQLite's own autocheckpoint threshold
    int inline_frames = 8000;      // ~32 MB of 4 KiB pages
    int busy_timeout_ms = 10000;
    int restart_wait_ms = 20;      // how long a RESTART checkpoint may hold writers off
  };
  // Opens its own connection to `path` (throws Poco exceptions) and takes over `writer`'s WAL
  // hook. Destroy it before `writer` closes.
  SqliteCheckpointer(sqlite3* writer, const std::string& path, Options options);
  SqliteCheckpointer(const SqliteCheckpointer&) = delete;
  SqliteCheckpointer& operator=(const SqliteCheckpointer&) = delete;
  ~SqliteCheckpointer();  // gives the hook back to SQLite's default, stops the thread

 private:
  static int on_commit(void* self, sqlite3* db, const char* schema, int frames);
  void loop();

  sqlite3* writer_;
  sqlite3* own_ = nullptr;
  const Options options_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool wanted_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace taxii::storage::detail
