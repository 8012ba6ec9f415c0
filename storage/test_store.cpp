#include "storage/test_store.hpp"

#include <errno.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <random>
#include <stdexcept>

#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/Session.h>
#include <Poco/Exception.h>

#include "storage/postgres/connection_uri.hpp"

namespace taxii::storage::testing {
namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? std::string() : std::string(v);
}

// Runs one statement on a short-lived connection to the base database.
void run_sql(const std::string& base_uri, const std::string& sql) {
  static std::once_flag registered;
  std::call_once(registered, [] { Poco::Data::PostgreSQL::Connector::registerConnector(); });
  auto conn = parse_postgres_uri(base_uri);
  if (!conn.ok()) throw std::runtime_error("TAXII_TEST_POSTGRES_URI: " + conn.error().message());
  try {
    Poco::Data::Session s("postgresql", conn->conninfo);
    s << "SET client_min_messages TO warning", Poco::Data::Keywords::now;
    s << sql, Poco::Data::Keywords::now;
  } catch (const Poco::Exception& e) {
    throw std::runtime_error("PostgreSQL at " + conn->redacted + ": " + e.displayText());
  }
}

// A test binary selecting PostgreSQL without a database skips before its first case.
struct SkipCheck {
  SkipCheck() { exit_if_postgres_unavailable(program_invocation_short_name); }
} skip_check;

}  // namespace

bool postgres_selected() { return env("TAXII_TEST_STORE") == "postgres"; }

std::string postgres_uri() { return env("TAXII_TEST_POSTGRES_URI"); }

const char* backend_name() { return postgres_selected() ? "postgres" : "sqlite"; }

void exit_if_postgres_unavailable(const std::string& program) {
  if (!postgres_selected() || !postgres_uri().empty()) return;
  const std::string line =
      "SKIP " + program + ": TAXII_TEST_STORE=postgres but TAXII_TEST_POSTGRES_URI is not set\n";
  std::fputs(line.c_str(), stdout);
  std::fputs(line.c_str(), stderr);
  std::fflush(nullptr);
  std::_Exit(kSkipExitCode);
}

ScratchSchema::ScratchSchema(const std::string& prefix) : base_uri_(postgres_uri()) {
  if (base_uri_.empty()) throw std::runtime_error("TAXII_TEST_POSTGRES_URI is not set");
  static std::atomic<int> counter{0};
  std::random_device rd;
  name_ = prefix + "_" + std::to_string(::getpid()) + "_" + std::to_string(++counter) + "_" +
          std::to_string(rd() % 1000000);
  run_sql(base_uri_, "CREATE SCHEMA \"" + name_ + "\"");
  uri_ = base_uri_ + (base_uri_.find('?') == std::string::npos ? "?" : "&") +
         "options=-csearch_path%3D" + name_;
}

ScratchSchema::~ScratchSchema() {
  try {
    run_sql(base_uri_, "DROP SCHEMA IF EXISTS \"" + name_ + "\" CASCADE");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "test_store: could not drop schema %s: %s\n", name_.c_str(), e.what());
  }
}

void ScratchSchema::exec(const std::string& sql) const { run_sql(uri_, sql); }

TestStoreUri test_store_uri(const std::string& sqlite_path, const std::string& prefix) {
  TestStoreUri out;
  if (!postgres_selected()) {
    out.uri = "sqlite://" + sqlite_path;
    return out;
  }
  exit_if_postgres_unavailable(program_invocation_short_name);
  out.schema = std::make_unique<ScratchSchema>(prefix);
  out.uri = out.schema->uri();
  return out;
}

TestStore open_test_store(const std::string& prefix) {
  TestStore t;
  std::string uri = "sqlite::memory:";
  if (postgres_selected()) {
    exit_if_postgres_unavailable(program_invocation_short_name);
    t.schema = std::make_unique<ScratchSchema>(prefix);
    uri = t.schema->uri();
  }
  auto s = open_store(uri);
  if (!s.ok()) throw std::runtime_error("cannot open the test store: " + s.error().message());
  t.store = std::move(s).value();
  return t;
}

}  // namespace taxii::storage::testing
