// The SQLite adapter boundary (STYLE.md), shared by sqlite_store.cpp, sqlite_subscriptions.cpp
// and sqlite_accounts.cpp: nothing thrown by Poco or SQLite leaves storage/sqlite; details go
// to the log, the caller gets a neutral Failure. Internal header.
#pragma once

#include <exception>
#include <iostream>
#include <sstream>
#include <string_view>
#include <utility>

#include <Poco/Exception.h>

#include "core/result.hpp"

namespace taxii::storage::sqlite_detail {

inline void log_error(std::string_view what, std::string_view detail) {
  std::ostringstream line;
  line << "taxii storage: " << what << ": " << detail << '\n';
  std::cerr << line.str() << std::flush;
}

// Runs fn (which returns Result<T>) and turns any exception into Failure(message), logging
// the details.
template <class T, class F>
Result<T> guarded(const char* message, F&& fn) {
  try {
    return std::forward<F>(fn)();
  } catch (const Poco::Exception& e) {
    log_error(message, e.displayText());
  } catch (const std::exception& e) {
    log_error(message, e.what());
  }
  return Error::failure(message);
}

}  // namespace taxii::storage::sqlite_detail
