#include "server/log.hpp"

#include <charconv>
#include <chrono>
#include <cstdio>

#include "core/json_writer.hpp"
#include "core/timestamp.hpp"

namespace taxii::server {
namespace {

constexpr std::size_t kFlushBytes = 64 * 1024;  // a buffered batch is written at this size

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

// logfmt: "ts=... level=... event=EVENT"; JSON: {"ts":"...","level":"...","event":"EVENT" (the
// start of every line; end_line closes a JSON object).
void begin_line(std::string& line, LogFormat f, Level level, std::string_view event) {
  const std::string ts = Timestamp::now().to_string();
  if (f == LogFormat::Json) {
    line += "{\"ts\":";
    JsonWriter::quote_into(line, ts);
    line += ",\"level\":";
    JsonWriter::quote_into(line, level_name(level));
    line += ",\"event\":";
    JsonWriter::quote_into(line, event);
    return;
  }
  line += "ts=";
  line += ts;
  line += " level=";
  line += level_name(level);
  line += " event=";
  append_value(line, event);
}

void end_line(std::string& line, LogFormat f) {
  if (f == LogFormat::Json) line += '}';
}

// A field (left out when empty: absent, not ""); `number`: a JSON number in JSON lines.
void append_field(std::string& line, LogFormat f, std::string_view key, std::string_view value, bool number = false) {
  if (value.empty()) return;
  if (f == LogFormat::Json) {
    line += ',';
    JsonWriter::quote_into(line, key);
    line += ':';
    if (number) line += value;
    else JsonWriter::quote_into(line, value);
    return;
  }
  line += ' ';
  line += key;
  line += '=';
  append_value(line, value);
}

template <typename N>
void append_number(std::string& line, LogFormat f, std::string_view key, N n) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, n);
  append_field(line, f, key, std::string_view(buf, static_cast<std::size_t>(r.ptr - buf)), true);
}

}  // namespace

void Logger::log(Level level, std::string_view event, std::initializer_list<Field> fields) {
  if (level < min_) return;
  std::string line;
  begin_line(line, format_, level, event);
  for (const auto& [k, v] : fields) append_field(line, format_, k, v);
  end_line(line, format_);
  emit(level, line);
}

void Logger::emit(Level level, std::string& line) {
  line += '\n';
  std::lock_guard<std::mutex> lock(mu_);
  if (buffer_ms_ == 0) {
    std::fwrite(line.data(), 1, line.size(), out_);
    std::fflush(out_);
    return;
  }
  pending_ += line;
  if (level >= Level::Warn || pending_.size() >= kFlushBytes) write_pending();
}

Logger::~Logger() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (flusher_.joinable()) flusher_.join();
  flush();
}

void Logger::configure(Level min, bool requests, unsigned buffer_ms, LogFormat format) {
  min_ = min;
  requests_ = requests;
  format_ = format;
  if (buffer_ms == 0 || flusher_.joinable()) return;
  buffer_ms_ = buffer_ms;
  flusher_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stop_) {
      cv_.wait_for(lock, std::chrono::milliseconds(buffer_ms_));
      write_pending();
    }
  });
}

void Logger::flush() {
  std::lock_guard<std::mutex> lock(mu_);
  write_pending();
}

void Logger::write_pending() {
  if (pending_.empty()) return;
  std::fwrite(pending_.data(), 1, pending_.size(), out_);
  std::fflush(out_);
  pending_.clear();
  if (pending_.capacity() > 4 * kFlushBytes) pending_.shrink_to_fit();
}

void Logger::request(const http::RequestLog& r) {
  const Level level = r.http_status >= 500 || r.outcome == "FAILURE" ? Level::Warn : Level::Info;
  if (level < min_ || (!requests_ && level < Level::Warn)) return;  // log.requests: false keeps failures
  // Built in place (this runs once per request): the same fields, in the same form, as
  // log("request", {...}) would write.
  thread_local std::string line;
  line.clear();
  const LogFormat f = format_;
  begin_line(line, f, level, "request");
  append_field(line, f, "req", r.request_id);
  append_field(line, f, "remote", r.remote);
  append_field(line, f, "method", r.method);
  append_field(line, f, "path", r.path);
  append_field(line, f, "type", r.message_type);
  append_field(line, f, "status", r.outcome);
  append_number(line, f, "http", r.http_status);
  char ms[32];
  std::snprintf(ms, sizeof ms, "%.3f", r.duration_ms);
  append_field(line, f, "ms", ms, true);
  append_number(line, f, "in", r.bytes_in);
  append_number(line, f, "out", r.bytes_out);
  append_field(line, f, "msg", r.note);
  end_line(line, f);
  emit(level, line);
  if (line.capacity() > 4096) std::string().swap(line);
}

}  // namespace taxii::server
