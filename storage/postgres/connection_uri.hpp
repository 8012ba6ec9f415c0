// Turns a libpq connection URI ("postgresql://user:pass@host:port/db?sslmode=require") into
// the keyword/value connection string that Poco's PostgreSQL connector takes
// ("dbname=db host=host password=pass port=port sslmode=require user=user ...").
//
// Poco's connector splits that string at spaces and cannot quote, so a value holding
// whitespace, a quote or a backslash cannot be passed: such a URI is refused (a password
// like that belongs in a libpq password file, PGPASSFILE / ~/.pgpass, which libpq reads
// when the URI has no password). Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace taxii::storage {

struct PostgresConnection {
  std::string conninfo;  // for Poco::Data::SessionPool("postgresql", conninfo)
  std::string redacted;  // the URI without password and query, for messages and logs
};

// Accepts "postgresql://" and "postgres://" URIs as libpq documents them (33.1.1.2):
// percent-encoding, several comma-separated hosts, [IPv6] literals, query parameters
// passed through as keywords. Adds connect_timeout=10 and fallback_application_name=taxii
// unless given. Fails with Failure; the message never contains the password or any value.
[[nodiscard]] Result<PostgresConnection> parse_postgres_uri(std::string_view uri);

}  // namespace taxii::storage
