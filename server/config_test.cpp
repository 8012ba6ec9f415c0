// Unit tests of the configuration loader: the sample loads; errors name key and line.
#define BOOST_TEST_MODULE server_config
#include <boost/test/unit_test.hpp>

#include <string>

#include "server/config.hpp"
#include "tests/support/config_file.hpp"

using namespace taxii;
using namespace taxii::server;
using namespace taxii::test;

namespace {

const std::string kMinimal =
    "listeners:\n"
    "  - port: 0\n"
    "storage: sqlite://data/x.db\n"
    "services:\n"
    "  - {id: poll, type: poll, path: /poll}\n"
    "  - {id: inbox, type: inbox, path: /inbox, default_collections: [a]}\n"
    "collections:\n"
    "  - name: a\n"
    "    service_ids: [poll, inbox]\n";

}  // namespace

BOOST_AUTO_TEST_CASE(sample_configuration_loads) {
  const auto c = load_config(std::string(TAXII_SOURCE_DIR) + "/samples/taxiid.yaml");
  for (const auto& e : c.errors) BOOST_TEST_MESSAGE(e);
  BOOST_TEST_REQUIRE(c.config.has_value());
  BOOST_TEST(c.config->services.size() == 4u);
  BOOST_TEST(c.config->collections.size() == 2u);
  BOOST_TEST(c.config->listeners.at(0).options.port == 9000);
  BOOST_TEST(c.config->storage_uri == "sqlite://" + std::string(TAXII_SOURCE_DIR) + "/samples/data/taxii.db");
  BOOST_TEST((c.config->collections[1].type == v11::CollectionType::DataSet));
}

BOOST_AUTO_TEST_CASE(minimal_configuration_loads) {
  ConfigFile f(kMinimal);
  const auto c = f.load();
  BOOST_TEST_REQUIRE(c.config.has_value());
  BOOST_TEST(c.config->collections[0].poll_services.size() == 1u);
  BOOST_TEST(c.config->collections[0].inbox_services.size() == 1u);
  BOOST_TEST(c.config->storage_uri == "sqlite://" + (f.path().parent_path() / "data/x.db").string());
}

BOOST_AUTO_TEST_CASE(errors_name_key_and_line) {
  const auto c = refused(
      "listeners:\n"
      "  - port: 70000\n"                       // line 2
      "storage: sqlite://x.db\n"
      "services:\n"
      "  - id: poll\n"
      "    type: pol\n"                         // line 6
      "    path: /poll\n"
      "collections:\n"
      "  - name: a\n"
      "    type: FEED\n"                        // line 10
      "    service_ids: [nope]\n"               // line 11
      "    colour: red\n");                     // line 12
  BOOST_TEST(has_error(c, ":2: listeners[0].port: must be between 0 and 65535"));
  BOOST_TEST(has_error(c, ":6: services[0].type:"));
  BOOST_TEST(has_error(c, ":10: collections[0].type: expected DATA_FEED or DATA_SET"));
  BOOST_TEST(has_error(c, ":11: collections[0].service_ids[0]: no service with id nope"));
  BOOST_TEST(has_error(c, ":12: collections[0].colour: unknown key"));
}

BOOST_AUTO_TEST_CASE(log_section) {
  const LogConfig set = loads(kMinimal + "log: {level: warn, requests: false, buffer_ms: 200}\n").log;
  BOOST_TEST(set.level == "warn");
  BOOST_TEST(!set.requests);
  BOOST_TEST(set.buffer_ms == 200u);
  const LogConfig defaults = loads(kMinimal).log;
  BOOST_TEST(defaults.level == "info");  // defaults: every line, written at once
  BOOST_TEST(defaults.requests);
  BOOST_TEST(defaults.buffer_ms == 0u);
  BOOST_TEST(has_error(refused(kMinimal + "log:\n  level: loud\n  buffer_ms: 99999\n  colour: red\n"),
                       "log.colour: unknown key"));
  const auto bad = refused(kMinimal + "log:\n  level: loud\n  buffer_ms: 99999\n");
  BOOST_TEST(has_error(bad, ":11: log.level: expected debug, info, warn or error"));
  BOOST_TEST(has_error(bad, ":12: log.buffer_ms: must be between 0 and 10000"));
  BOOST_TEST(!defaults.json);  // logfmt by default
  BOOST_TEST(loads(kMinimal + "log: {format: json}\n").log.json);
  BOOST_TEST(!loads(kMinimal + "log: {format: logfmt}\n").log.json);
  BOOST_TEST(has_error(refused(kMinimal + "log:\n  format: xml\n"), ":11: log.format: expected logfmt or json"));
}

BOOST_AUTO_TEST_CASE(http_section) {
  BOOST_TEST(!loads(kMinimal).http.lenient_headers);  // strict TAXII headers by default
  BOOST_TEST(loads(kMinimal + "http:\n  lenient_headers: true\n").http.lenient_headers);
  const auto bad = refused(kMinimal + "http:\n  lenient_headers: sometimes\n  lenient_header: true\n");
  BOOST_TEST(has_error(bad, ":11: http.lenient_headers: expected true or false"));
  BOOST_TEST(has_error(bad, ":12: http.lenient_header: unknown key"));
}

BOOST_AUTO_TEST_CASE(yaml_syntax_error_has_a_line) {
  const auto c = ConfigFile("listeners:\n  - port: [1\nstorage: x\n").load();
  BOOST_TEST_REQUIRE(c.errors.size() == 1u);
  BOOST_TEST(c.errors[0].find("taxiid.yaml:") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(tls_files_must_exist) {
  const ConfigFile f(
      "listeners:\n"
      "  - port: 0\n"
      "    tls: {cert: nope.pem, key: nope.key, client_certificates: required}\n"
      "storage: \"sqlite::memory:\"\n"
      "services: [{id: d, type: discovery, path: /d}]\n");
  const auto c = f.load();
  BOOST_TEST(has_error(c, "listeners[0].tls.cert: file not found"));
  BOOST_TEST(has_error(c, "listeners[0].tls.ca: is required when client_certificates is required"));
}

// Issue #10: services[].queries (poll / collection_management; absent = every registered
// format, [] = none) and collections[].strict_content.
BOOST_AUTO_TEST_CASE(query_formats_and_strict_content) {
  const ServerConfig c = loads(
      "listeners:\n  - port: 0\nstorage: sqlite://data/x.db\n"
      "services:\n"
      "  - {id: poll, type: poll, path: /poll}\n"
      "  - {id: plain, type: poll, path: /plain, queries: []}\n"
      "  - {id: d, type: discovery, path: /d, advertise_queries: true}\n"
      "  - {id: cm, type: collection_management, path: /cm, queries: [urn:taxii.mitre.org:query:default:1.0]}\n"
      "collections:\n  - name: a\n    strict_content: true\n    service_ids: [poll, plain]\n"
      "  - name: b\n    service_ids: [poll]\n");
  BOOST_TEST(!c.services[0].query_formats.has_value());
  BOOST_TEST_REQUIRE(c.services[1].query_formats.has_value());
  BOOST_TEST(c.services[1].query_formats->empty());
  BOOST_TEST(*c.services[3].query_formats == std::vector<std::string>{"urn:taxii.mitre.org:query:default:1.0"},
             boost::test_tools::per_element());
  BOOST_TEST(c.services[2].advertise_queries);
  BOOST_TEST(!c.services[0].advertise_queries);
  BOOST_TEST(c.collections[0].strict_content);
  BOOST_TEST(!c.collections[1].strict_content);

  const auto e = refused(
      "listeners:\n  - port: 0\nstorage: sqlite://data/x.db\n"
      "services:\n  - {id: inbox, type: inbox, path: /inbox, queries: []}\n"
      "collections:\n  - name: a\n    strict_content: maybe\n    service_ids: [inbox]\n");
  BOOST_TEST(has_error(e, "services[0].queries: only for poll and collection_management services"));
  BOOST_TEST(has_error(e, "collections[0].strict_content: expected true or false"));
}

BOOST_AUTO_TEST_CASE(xml_parse_limits) {
  const auto set = loads(kMinimal + "limits: {max_attributes: 64, max_namespace_declarations: 32}\n").limits;
  BOOST_TEST(set.max_attributes == 64u);
  BOOST_TEST(set.max_namespace_declarations == 32u);
  const auto defaults = loads(kMinimal).limits;
  BOOST_TEST(defaults.max_attributes == 256u);
  BOOST_TEST(defaults.max_namespace_declarations == 256u);
  BOOST_TEST(has_error(refused(kMinimal + "limits: {max_attributes: 1000000}\n"), "limits.max_attributes"));
}
