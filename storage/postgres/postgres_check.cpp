// check_postgres_store(): what `taxiid --check-config` does for a PostgreSQL store URI. One
// plain libpq connection (not the store's pool: nothing is created or migrated), closed again.
#include <libpq-fe.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "schemas/postgres/embedded.hpp"
#include "storage/postgres/connection_uri.hpp"
#include "storage/store.hpp"

namespace taxii::storage {
namespace {

// The newest schema version this program carries ("NNN_what.sql").
long long program_version() {
  long long newest = 0;
  for (std::size_t i = 0; i < schemas::postgres::kFileCount; ++i)
    newest = std::max(newest, std::atoll(schemas::postgres::kFiles[i].name));
  return newest;
}

std::string trimmed(const char* s) {
  std::string out = s == nullptr ? "" : s;
  while (!out.empty() && std::isspace(static_cast<unsigned char>(out.back()))) out.pop_back();
  return out;
}

}  // namespace

Result<std::string> check_postgres_store(const std::string& uri) {
  auto conn = parse_postgres_uri(uri);
  if (!conn.ok()) return conn.error();
  const std::string where = "PostgreSQL store at " + conn->redacted;
  std::unique_ptr<PGconn, void (*)(PGconn*)> c(PQconnectdb(conn->conninfo.c_str()), &PQfinish);
  if (!c || PQstatus(c.get()) != CONNECTION_OK)
    return Error::failure("cannot connect to the " + where + ": " + trimmed(PQerrorMessage(c.get())));
  // The version the store would find at start (0: no taxii tables yet, created at start). Two
  // queries: a statement naming a missing table fails as a whole, whatever CASE says.
  auto query = [&](const char* sql) {
    return std::unique_ptr<PGresult, void (*)(PGresult*)>(PQexec(c.get(), sql), &PQclear);
  };
  auto ok = [](const PGresult* r) {
    return r != nullptr && PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
  };
  auto exists = query("SELECT to_regclass('schema_version') IS NOT NULL");
  if (!ok(exists.get()))
    return Error::failure("connected to the " + where + ", but cannot read its catalog: " +
                          trimmed(PQerrorMessage(c.get())));
  long long version = 0;
  if (std::string_view(PQgetvalue(exists.get(), 0, 0)) == "t") {
    auto r = query("SELECT coalesce(max(version), 0) FROM schema_version");
    if (!ok(r.get()))
      return Error::failure("connected to the " + where + ", but cannot read its schema version: " +
                            trimmed(PQerrorMessage(c.get())));
    version = std::atoll(PQgetvalue(r.get(), 0, 0));
  }
  const long long mine = program_version();
  if (version > mine)
    return Error::failure("the " + where + " has schema version " + std::to_string(version) +
                          ", newer than this taxiid's " + std::to_string(mine) +
                          " (an older taxiid must not write to it)");
  std::string state = version == 0 ? "no taxii tables yet (created at start)"
                      : version < mine ? "schema version " + std::to_string(version) +
                                             ", migrated to " + std::to_string(mine) + " at start"
                                       : "schema version " + std::to_string(version);
  const std::string server = trimmed(PQparameterStatus(c.get(), "server_version"));
  return where + " reachable" + (server.empty() ? "" : " (PostgreSQL " + server + ")") + ", " + state;
}

}  // namespace taxii::storage
