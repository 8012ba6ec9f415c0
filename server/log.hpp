// Logger: structured one-line logs to stderr in logfmt ("ts=... level=info event=request
// req=12 remote=127.0.0.1:5555 ...") or JSON ({"ts":"...","level":"info","event":"request",
// "req":"12",...}; log.format), whole lines only, so lines from several threads never
// interleave. Thread-safe.
//
// Buffering (config `log.buffer_ms`, default 0 = off): info and debug lines are collected and
// written together at most buffer_ms later, or as soon as 64 KiB are pending; a warning or
// an error is written at once, after everything pending (the order is kept). Under load this
// turns one write(2) per request into one per batch; a kill -9 may lose the last buffer_ms of
// info lines (never an acknowledgement: the store's commit decides that, not the log).
#pragma once

#include <condition_variable>
#include <cstdio>
#include <initializer_list>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

#include "bindings/http/taxii_handler.hpp"

namespace taxii::server {

enum class Level { Debug, Info, Warn, Error };
// log.format: logfmt lines (the default) or one JSON object per line (for ELK and the like).
enum class LogFormat { Logfmt, Json };

class Logger {
 public:
  using Field = std::pair<std::string_view, std::string>;
  explicit Logger(std::FILE* out = stderr, Level min = Level::Info) : out_(out), min_(min) {}
  ~Logger();
  Logger(const Logger&) = delete;
  Logger& operator=(const Logger&) = delete;

  // From the configuration, before other threads log: the least level written, whether
  // request lines are written, the buffering interval (0: every line written at once) and
  // the line format.
  void configure(Level min, bool requests, unsigned buffer_ms, LogFormat format = LogFormat::Logfmt);
  // Writes whatever is pending (also done by the destructor).
  void flush();

  void log(Level level, std::string_view event, std::initializer_list<Field> fields);
  void info(std::string_view event, std::initializer_list<Field> fields = {}) { log(Level::Info, event, fields); }
  void warn(std::string_view event, std::initializer_list<Field> fields = {}) { log(Level::Warn, event, fields); }
  void error(std::string_view event, std::initializer_list<Field> fields = {}) { log(Level::Error, event, fields); }
  // The request line: remote, path, message type, status, HTTP code, duration, sizes.
  void request(const http::RequestLog& r);

 private:
  void emit(Level level, std::string& line);  // appends '\n', writes or buffers
  void write_pending();                        // mu_ held

  std::FILE* out_;
  Level min_;
  bool requests_ = true;
  LogFormat format_ = LogFormat::Logfmt;
  unsigned buffer_ms_ = 0;
  std::mutex mu_;
  std::string pending_;     // buffered lines (buffer_ms_ > 0)
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread flusher_;
};

}  // namespace taxii::server
