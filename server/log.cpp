#include "server/log.hpp"

#include <cstdio>

#include "core/timestamp.hpp"

namespace taxii::server {
namespace {

std::string_view level_name(Level l) {
  switch (l) {
    case Level::Debug: return "debug";
    case Level::Info: return "info";
    case Level::Warn: return "warn";
    case Level::Error: return "error";
  }
  return "info";
}

// logfmt value: bare if safe, else double-quoted with \" \\ \n escaped.
void append_value(std::string& line, std::string_view v) {
  bool quote = v.empty();
  for (char c : v)
    if (c == ' ' || c == '"' || c == '=' || c == '\\' || static_cast<unsigned char>(c) < 0x20) quote = true;
  if (!quote) {
    line += v;
    return;
  }
  line += '"';
  for (char c : v) {
    if (c == '"' || c == '\\') {
      line += '\\';
      line += c;
    } else if (c == '\n') {
      line += "\\n";
    } else if (static_cast<unsigned char>(c) < 0x20) {
      line += ' ';
    } else {
      line += c;
    }
  }
  line += '"';
}

}  // namespace

void Logger::log(Level level, std::string_view event, std::initializer_list<Field> fields) {
  if (level < min_) return;
  std::string line = "ts=" + Timestamp::now().to_string() + " level=" + std::string(level_name(level)) + " event=";
  append_value(line, event);
  for (const auto& [k, v] : fields) {
    if (v.empty()) continue;  // absent, not ""
    line += ' ';
    line += k;
    line += '=';
    append_value(line, v);
  }
  line += '\n';
  std::lock_guard<std::mutex> lock(mu_);
  std::fwrite(line.data(), 1, line.size(), out_);
  std::fflush(out_);
}

void Logger::request(const http::RequestLog& r) {
  char ms[32];
  std::snprintf(ms, sizeof ms, "%.3f", r.duration_ms);
  const Level level = r.http_status >= 500 || r.outcome == "FAILURE" ? Level::Warn : Level::Info;
  log(level, "request",
      {{"req", r.request_id},
       {"remote", r.remote},
       {"method", r.method},
       {"path", r.path},
       {"type", r.message_type},
       {"status", r.outcome},
       {"http", std::to_string(r.http_status)},
       {"ms", ms},
       {"in", std::to_string(r.bytes_in)},
       {"out", std::to_string(r.bytes_out)},
       {"msg", r.note}});
}

}  // namespace taxii::server
