// The adapter boundary of both stores (docs/design.md), shared by storage/sql/, storage/sqlite/ and
// storage/postgres/: nothing thrown by Poco, SQLite or libpq leaves storage/; details go
// to the log ("taxii storage: <what>: <detail>" on stderr), the caller gets a neutral Failure.
// Internal header.
#pragma once

#include <exception>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>

#include <Poco/Exception.h>

#include "core/result.hpp"

namespace taxii::storage::detail {

inline void log_error(std::string_view what, std::string_view detail) {
  std::ostringstream line;
  line << "taxii storage: " << what << ": " << detail << '\n';
  std::cerr << line.str() << std::flush;
}

// Runs fn (which returns Result<T>) and turns any exception into Failure(message), logging
// the details.
template <class T, class F>
Result<T> guarded(std::string_view message, F&& fn) {
  try {
    return std::forward<F>(fn)();
  } catch (const Poco::Exception& e) {
    log_error(message, e.displayText());
  } catch (const std::exception& e) {
    log_error(message, e.what());
  }
  return Error::failure(std::string(message));
}

}  // namespace taxii::storage::detail
