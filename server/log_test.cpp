// Logger (server/log.hpp): logfmt and JSON lines, as a log shipper reads them.
#define BOOST_TEST_MODULE log
#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include <simdjson.h>

#include "server/log.hpp"

using namespace taxii;
using namespace taxii::server;

namespace {

// The lines a Logger configured with `format` writes for one event and one request.
std::vector<std::string> lines_of(LogFormat format) {
  std::FILE* f = std::tmpfile();
  BOOST_TEST_REQUIRE(f != nullptr);
  {
    Logger log(f);
    log.configure(Level::Info, true, 0, format);
    log.info("starting", {{"version", "0.1.0"}, {"config", "/etc/taxiid/a b\"c.yaml"}, {"empty", ""}});
    http::RequestLog r;
    r.request_id = "lb-1";
    r.remote = "127.0.0.1:5555";
    r.method = "POST";
    r.path = "/services/inbox";
    r.message_type = "Inbox_Message";
    r.outcome = "SUCCESS";
    r.http_status = 200;
    r.duration_ms = 1.25;
    r.bytes_in = 300;
    r.bytes_out = 120;
    r.note = "line\nbreak";
    log.request(r);
    log.log(Level::Debug, "hidden", {});  // below the level: not written
  }
  std::rewind(f);
  std::string text;
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
  std::fclose(f);
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(logfmt_lines) {
  const auto lines = lines_of(LogFormat::Logfmt);
  BOOST_TEST_REQUIRE(lines.size() == 2u);
  BOOST_TEST(lines[0].find(" level=info event=starting version=0.1.0 config=\"/etc/taxiid/a b\\\"c.yaml\"") !=
                 std::string::npos, lines[0]);
  BOOST_TEST(lines[0].find("empty=") == std::string::npos);
  BOOST_TEST(lines[1].find(" event=request req=lb-1 remote=127.0.0.1:5555 method=POST path=/services/inbox "
                           "type=Inbox_Message status=SUCCESS http=200 ms=1.250 in=300 out=120 msg=\"line\\nbreak\"") !=
                 std::string::npos, lines[1]);
}

BOOST_AUTO_TEST_CASE(json_lines_parse_and_carry_every_field) {
  const auto lines = lines_of(LogFormat::Json);
  BOOST_TEST_REQUIRE(lines.size() == 2u);
  simdjson::dom::parser parser;
  simdjson::dom::element start;
  BOOST_TEST_REQUIRE(!parser.parse(lines[0]).get(start), lines[0]);
  BOOST_TEST(std::string(start["level"].get_string().value()) == "info");
  BOOST_TEST(std::string(start["event"].get_string().value()) == "starting");
  BOOST_TEST(std::string(start["config"].get_string().value()) == "/etc/taxiid/a b\"c.yaml");
  BOOST_TEST(start["empty"].error() == simdjson::NO_SUCH_FIELD);
  BOOST_TEST(std::string(start["ts"].get_string().value()).back() == 'Z');
  simdjson::dom::element req;
  BOOST_TEST_REQUIRE(!parser.parse(lines[1]).get(req), lines[1]);
  BOOST_TEST(std::string(req["req"].get_string().value()) == "lb-1");
  BOOST_TEST(req["http"].get_int64().value() == 200);
  BOOST_TEST(req["ms"].get_double().value() == 1.25);
  BOOST_TEST(req["in"].get_int64().value() == 300);
  BOOST_TEST(std::string(req["msg"].get_string().value()) == "line\nbreak");
}
