// Logger: structured one-line logs to stderr in logfmt ("ts=... level=info event=request
// req=12 remote=127.0.0.1:5555 ..."), one write per line so lines from several threads never
// interleave. Thread-safe.
#pragma once

#include <cstdio>
#include <initializer_list>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include "bindings/http/taxii_handler.hpp"

namespace taxii::server {

enum class Level { Debug, Info, Warn, Error };

class Logger {
 public:
  using Field = std::pair<std::string_view, std::string>;
  explicit Logger(std::FILE* out = stderr, Level min = Level::Info) : out_(out), min_(min) {}

  void log(Level level, std::string_view event, std::initializer_list<Field> fields);
  void info(std::string_view event, std::initializer_list<Field> fields = {}) { log(Level::Info, event, fields); }
  void warn(std::string_view event, std::initializer_list<Field> fields = {}) { log(Level::Warn, event, fields); }
  void error(std::string_view event, std::initializer_list<Field> fields = {}) { log(Level::Error, event, fields); }
  // The request line: remote, path, message type, status, HTTP code, duration, sizes.
  void request(const http::RequestLog& r);

 private:
  std::FILE* out_;
  Level min_;
  std::mutex mu_;
};

}  // namespace taxii::server
