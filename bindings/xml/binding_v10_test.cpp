// XML Message Binding 1.0 (binding_v10.cpp) and the 1.0 <-> 1.1 bridge (bridge.cpp):
// model -> XML -> model round trips, the shared 1.0 samples against the official schema,
// and the bridge decisions recorded in bridge.hpp / bridge.cpp.
#define BOOST_TEST_MODULE binding_v10
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "bindings/xml/bridge.hpp"
#include "bindings/xml/message_binding.hpp"
#include "core/urn.hpp"

using namespace taxii;
namespace fs = std::filesystem;

namespace {

// A signature that is valid against the W3C xmldsig schema (content is not a real signature).
const std::string kSignature =
    R"(<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo>)"
    R"(<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>)"
    R"(<ds:SignatureMethod Algorithm="http://www.w3.org/2000/09/xmldsig#rsa-sha1"/>)"
    R"(<ds:Reference URI=""><ds:DigestMethod Algorithm="http://www.w3.org/2000/09/xmldsig#sha1"/>)"
    R"(<ds:DigestValue>3q2+7w==</ds:DigestValue></ds:Reference></ds:SignedInfo>)"
    R"(<ds:SignatureValue>c2lnbmF0dXJl</ds:SignatureValue></ds:Signature>)";

const std::string kHttp(urn::kProtocolHttp);
const std::string kHttps(urn::kProtocolHttps);
const std::string kXml10(urn::kMessageXml10);
const std::string kXml11(urn::kMessageXml11);
const std::string kStix10(urn::kStix10);
const std::string kStix101(urn::kStix101);

Timestamp ts(const char* s) {
  auto t = Timestamp::parse(s);
  BOOST_TEST_REQUIRE(t.has_value(), "bad test timestamp " << s);
  return *t;
}

ExtendedHeaders headers() {
  return {{"urn:example:header:text", Mixed::text("plain & <text>")},
          {"urn:example:header:xml", Mixed{R"(<x:v xmlns:x="urn:example:x">1</x:v>)"}}};
}

template <class M>
M full_base(const char* id) {
  M m;
  m.message_id = id;
  m.extended_headers = headers();
  m.signature = kSignature;
  if constexpr (std::is_base_of_v<ResponseBase, M>) m.in_response_to = "41";
  return m;
}

template <class M>
M empty_base(const char* id) {
  M m;
  m.message_id = id;
  if constexpr (std::is_base_of_v<ResponseBase, M>) m.in_response_to = "41";
  return m;
}

ServiceContact contact(const std::string& address) {
  return {kHttps, address, {kXml10, kXml11}};
}

v10::PushParameters push_params() {
  return {kHttp, "http://consumer.example.com/inbox", kXml10, {kStix10, kStix101}};
}

// A response `id` to message "7", with the Extended_Headers of headers().
template <class M>
M response_to_7(const char* id) {
  M m;
  m.message_id = id;
  m.in_response_to = "7";
  m.extended_headers = headers();
  return m;
}

// A 1.1 Status_Message of `type` answering message "7".
v11::StatusMessage status11(const char* id, const char* type) {
  v11::StatusMessage m;
  m.message_id = id;
  m.in_response_to = "7";
  m.status_type = type;
  return m;
}

// A Manage Feed Subscription request of `action` for feed-a, with subscription_id `sub` and
// Push_Parameters.
v10::ManageFeedSubscriptionRequest feed_request(const char* id, v10::SubscriptionAction action, const char* sub) {
  auto m = empty_base<v10::ManageFeedSubscriptionRequest>(id);
  m.action = action;
  m.feed_name = "feed-a";
  m.subscription_id = sub;
  m.push_parameters = push_params();
  return m;
}

std::vector<v10::ContentBlock> blocks() {
  v10::ContentBlock full;
  full.binding = "http://www.w3.org/2001/04/xmlenc#|" + kStix10;
  full.content = Mixed{R"(<stix:STIX_Package xmlns:stix="http://stix.mitre.org/stix-1" version="1.0"/>)"};
  full.timestamp_label = ts("2014-05-08T09:00:02.000001+02:00");
  full.padding = "ABCDEFGHIJ";
  full.signature = kSignature;
  v10::ContentBlock text;
  text.binding = "urn:example:text";
  text.content = Mixed::text("Sample content & more");
  return {full, text};
}

// Every message type with every optional field set and every list holding several entries.
std::vector<Message> full_messages() {
  std::vector<Message> out;
  {
    auto m = full_base<v10::StatusMessage>("100");
    m.status_type = "UNSUPPORTED_CONTENT";
    m.status_detail = kStix10 + " " + kStix101;
    m.message = "None of <these> & those";
    out.emplace_back(m);
  }
  out.emplace_back(full_base<v10::DiscoveryRequest>("101"));
  {
    auto m = full_base<v10::DiscoveryResponse>("102");
    const ServiceType types[] = {ServiceType::Discovery, ServiceType::CollectionManagement,
                                 ServiceType::Inbox, ServiceType::Poll};
    bool avail = false;
    for (ServiceType t : types) {
      v10::ServiceInstance si;
      si.service_type = t;
      si.service_version = std::string(urn::kServices10);
      si.available = avail = !avail;
      si.protocol_binding = kHttps;
      si.address = "https://taxii.example.com/" + std::string(to_string(t));
      si.message_bindings = {kXml10, kXml11};
      si.content_bindings = {kStix10, kStix101};
      si.message = "service message";
      m.service_instances.push_back(si);
    }
    out.emplace_back(m);
  }
  out.emplace_back(full_base<v10::FeedInformationRequest>("103"));
  {
    auto m = full_base<v10::FeedInformationResponse>("104");
    for (const char* name : {"feed-a", "feed-b"}) {
      v10::FeedInformation f;
      f.feed_name = name;
      f.available = name[5] == 'a';
      f.description = std::string("Description of ") + name;
      f.content_bindings = {kStix10, kStix101};
      f.push_methods = {{kHttp, {kXml10, kXml11}}, {kHttps, {kXml10}}};
      f.polling_services = {contact("https://taxii.example.com/poll1"), contact("https://taxii.example.com/poll2")};
      f.subscription_services = {contact("https://taxii.example.com/subs1"), contact("https://taxii.example.com/subs2")};
      m.feeds.push_back(f);
    }
    out.emplace_back(m);
  }
  {
    auto m = full_base<v10::ManageFeedSubscriptionRequest>("105");
    m.action = v10::SubscriptionAction::Subscribe;
    m.feed_name = "feed-a";
    m.subscription_id = "urn:example:subs:1";  // SHOULD NOT with SUBSCRIBE, but legal on the wire
    m.push_parameters = push_params();
    out.emplace_back(m);
  }
  {
    auto m = full_base<v10::ManageFeedSubscriptionResponse>("106");
    m.feed_name = "feed-a";
    m.message = "subscriptions";
    for (const char* id : {"urn:example:subs:1", "urn:example:subs:2"}) {
      v10::SubscriptionInstance s;
      s.subscription_id = id;
      s.push_parameters = push_params();
      s.poll_instances = {contact("https://taxii.example.com/poll1"), contact("https://taxii.example.com/poll2")};
      m.subscriptions.push_back(s);
    }
    out.emplace_back(m);
  }
  {
    auto m = full_base<v10::PollRequest>("107");
    m.feed_name = "feed-a";
    m.subscription_id = "urn:example:subs:1";
    m.exclusive_begin = ts("2014-05-08T09:00:00Z");
    m.inclusive_end = ts("2014-05-08T11:00:00.5-01:30");
    m.content_bindings = {kStix10, kStix101};
    out.emplace_back(m);
  }
  {
    auto m = full_base<v10::PollResponse>("108");
    m.feed_name = "feed-a";
    m.subscription_id = "urn:example:subs:1";
    m.message = "poll message";
    m.inclusive_begin = ts("2014-05-08T09:00:00.000001Z");
    m.inclusive_end = ts("2014-05-08T10:00:00Z");
    m.content_blocks = blocks();
    out.emplace_back(m);
  }
  {
    auto m = full_base<v10::InboxMessage>("109");
    m.message = "inbox message";
    m.source_subscription = v10::SourceSubscription{"feed-a", std::string("urn:example:subs:1"),
                                                    ts("2014-05-08T09:00:00Z"), ts("2014-05-08T10:00:00Z")};
    m.content_blocks = blocks();
    out.emplace_back(m);
  }
  return out;
}

// Every message type with no optional field set.
std::vector<Message> empty_messages() {
  std::vector<Message> out;
  {
    auto m = empty_base<v10::StatusMessage>("200");
    m.status_type = "SUCCESS";
    out.emplace_back(m);
  }
  out.emplace_back(empty_base<v10::DiscoveryRequest>("201"));
  out.emplace_back(empty_base<v10::DiscoveryResponse>("202"));
  out.emplace_back(empty_base<v10::FeedInformationRequest>("203"));
  out.emplace_back(empty_base<v10::FeedInformationResponse>("204"));
  {
    auto m = empty_base<v10::ManageFeedSubscriptionRequest>("205");
    m.action = v10::SubscriptionAction::Status;
    m.feed_name = "feed-a";
    out.emplace_back(m);
  }
  {
    auto m = empty_base<v10::ManageFeedSubscriptionResponse>("206");
    m.feed_name = "feed-a";
    out.emplace_back(m);
  }
  {
    auto m = empty_base<v10::PollRequest>("207");
    m.feed_name = "feed-a";
    out.emplace_back(m);
  }
  {
    auto m = empty_base<v10::PollResponse>("208");
    m.feed_name = "feed-a";
    m.inclusive_end = ts("2014-05-08T10:00:00Z");
    out.emplace_back(m);
  }
  out.emplace_back(empty_base<v10::InboxMessage>("209"));
  return out;
}

std::string serialize_ok(const Message& m) {
  auto xml = xml::xml10().serialize(m);
  BOOST_TEST_REQUIRE(xml.ok(), message_type_name(m) << ": " << (xml.ok() ? "" : xml.error().message()));
  return *xml;
}

void check_round_trip(const Message& m) {
  const std::string xml = serialize_ok(m);
  BOOST_TEST(xml.rfind("<taxii:" + std::string(message_type_name(m)) +
                           R"( xmlns:taxii="http://taxii.mitre.org/messages/taxii_xml_binding-1")", 0) == 0,
             xml);
  auto back = xml::xml10().parse(xml);
  BOOST_TEST_REQUIRE(back.ok(), (back.ok() ? "" : back.error().message()) << "\n" << xml);
  BOOST_TEST((*back == m), message_type_name(m) << " changed in a round trip:\n" << xml);
}

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

fs::path spec_dir() {
  if (const char* env = std::getenv("TAXII_SHARED_SPEC"); env != nullptr && *env != '\0') return env;
  return TAXII_SHARED_SPEC;
}

// Runs xmllint against the official schema (or its -skip-content variant when the message
// carries xsi:type, docs/spec-notes.md P16). Returns "" on success, else xmllint's complaint.
std::string validate_official(const std::string& xml, const std::string& tag) {
  const fs::path xsd_dir = spec_dir() / "xsd";
  const bool skip = xml.find("xsi:type") != std::string::npos;
  const fs::path xsd = xsd_dir / (skip ? "TAXII_XMLMessageBinding_Schema-1.0-skip-content.xsd"
                                       : "TAXII_XMLMessageBinding_Schema-1.0.xsd");
  const fs::path tmp = fs::temp_directory_path() /
                       ("binding_v10_test_" + std::to_string(::getpid()) + "_" + tag + ".xml");
  const fs::path err = tmp.string() + ".err";
  { std::ofstream(tmp, std::ios::binary) << xml; }
  const std::string cmd = "xmllint --noout --nonet --schema '" + xsd.string() + "' '" + tmp.string() +
                          "' >/dev/null 2>'" + err.string() + "'";
  const int rc = std::system(cmd.c_str());
  std::string out = rc == 0 ? std::string() : "xmllint exit " + std::to_string(rc) + ": " + read_file(err);
  std::error_code ec;
  fs::remove(tmp, ec);
  fs::remove(err, ec);
  return out;
}

bool have_official_schemas() {
  const fs::path p = spec_dir();
  if (!fs::exists(p / "samples" / "1.0") || !fs::exists(p / "xsd")) {
    BOOST_TEST_MESSAGE("SKIP official cross-check: " << p.string() << " not found");
    return false;
  }
  return true;
}

template <class T>
const T& as(const Result<Message>& r) {
  BOOST_TEST_REQUIRE(r.ok(), (r.ok() ? "" : r.error().message()));
  BOOST_TEST_REQUIRE(std::holds_alternative<T>(*r), "got " << message_type_name(*r));
  return std::get<T>(*r);
}

}  // namespace

// --- (a) model -> XML -> model ------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(round_trip)

BOOST_AUTO_TEST_CASE(every_type_with_every_optional_field) {
  std::set<std::string_view> types;
  for (const auto& m : full_messages()) {
    BOOST_TEST_CONTEXT(message_type_name(m)) { check_round_trip(m); }
    types.insert(message_type_name(m));
    BOOST_TEST((version_of(m) == Version::V10));
  }
  BOOST_TEST(types.size() == 10u);
}

BOOST_AUTO_TEST_CASE(every_type_with_no_optional_field) {
  std::set<std::string_view> types;
  for (const auto& m : empty_messages()) {
    BOOST_TEST_CONTEXT(message_type_name(m)) { check_round_trip(m); }
    types.insert(message_type_name(m));
  }
  BOOST_TEST(types.size() == 10u);
}

BOOST_AUTO_TEST_CASE(other_actions_round_trip) {
  // docs/spec-notes.md P14: libtaxii's UNSUBSCRIBE carries Push_Parameters; kept in the model.
  auto m = feed_request("300", v10::SubscriptionAction::Unsubscribe, "urn:example:subs:1");
  check_round_trip(m);
  m.push_parameters.reset();
  check_round_trip(m);
}

BOOST_AUTO_TEST_CASE(feed_management_is_the_wire_name) {
  auto m = empty_base<v10::DiscoveryResponse>("301");
  v10::ServiceInstance si;
  si.service_type = ServiceType::CollectionManagement;
  si.service_version = std::string(urn::kServices10);
  si.protocol_binding = kHttp;
  si.address = "http://example.com/fm";
  si.message_bindings = {kXml10};
  m.service_instances.push_back(si);
  const std::string xml = serialize_ok(m);
  BOOST_TEST(xml.find(R"(service_type="FEED_MANAGEMENT")") != std::string::npos, xml);
}

BOOST_AUTO_TEST_SUITE_END()

// --- semantic rules ----------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(rules)

const char* const kNs = R"(xmlns:taxii="http://taxii.mitre.org/messages/taxii_xml_binding-1")";

BOOST_AUTO_TEST_CASE(unsubscribe_without_subscription_id_is_bad_message) {
  const std::string body = std::string("<taxii:Subscription_Management_Request ") + kNs +
                           R"( message_id="1" feed_name="f" action="UNSUBSCRIBE"/>)";
  const auto r = xml::xml10().parse(body);
  BOOST_TEST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().type() == StatusType::BadMessage);
  BOOST_TEST(r.error().message().find("subscription_id") != std::string::npos, r.error().message());

  auto m = empty_base<v10::ManageFeedSubscriptionRequest>("1");
  m.action = v10::SubscriptionAction::Unsubscribe;
  m.feed_name = "f";
  const auto w = xml::xml10().serialize(m);
  BOOST_TEST_REQUIRE(!w.ok());
  BOOST_TEST(w.error().type() == StatusType::BadMessage);
}

BOOST_AUTO_TEST_CASE(poll_request_begin_must_precede_end) {
  for (const char* end : {"2014-05-08T09:00:00Z", "2014-05-08T08:59:59Z", "2014-05-08T11:00:00+02:00"}) {
    const std::string body = std::string("<taxii:Poll_Request ") + kNs + R"( message_id="1" feed_name="f">)" +
                             "<taxii:Exclusive_Begin_Timestamp>2014-05-08T09:00:00Z</taxii:Exclusive_Begin_Timestamp>"
                             "<taxii:Inclusive_End_Timestamp>" + end + "</taxii:Inclusive_End_Timestamp></taxii:Poll_Request>";
    const auto r = xml::xml10().parse(body);
    BOOST_TEST_REQUIRE(!r.ok(), end);
    BOOST_TEST(r.error().type() == StatusType::BadMessage);
    BOOST_TEST(r.error().message().find("Exclusive_Begin_Timestamp") != std::string::npos, r.error().message());
  }
}

BOOST_AUTO_TEST_CASE(feed_needs_push_method_or_polling_service) {
  auto m = empty_base<v10::FeedInformationResponse>("1");
  v10::FeedInformation f;
  f.feed_name = "f";
  f.description = "d";
  f.content_bindings = {kStix10};
  f.subscription_services = {contact("https://taxii.example.com/subs")};
  m.feeds.push_back(f);
  auto w = xml::xml10().serialize(m);
  BOOST_TEST_REQUIRE(!w.ok());
  BOOST_TEST(w.error().message().find("Push_Method or Polling_Service") != std::string::npos, w.error().message());
  m.feeds[0].polling_services = {contact("https://taxii.example.com/poll")};
  check_round_trip(m);
  m.feeds[0].content_bindings.clear();
  w = xml::xml10().serialize(m);
  BOOST_TEST_REQUIRE(!w.ok());
  BOOST_TEST(w.error().message().find("Content_Binding") != std::string::npos, w.error().message());
}

BOOST_AUTO_TEST_CASE(message_ids_must_be_digits) {
  auto m = empty_base<v10::StatusMessage>("urn:uuid:1");
  m.status_type = "SUCCESS";
  auto w = xml::xml10().serialize(m);
  BOOST_TEST_REQUIRE(!w.ok());
  BOOST_TEST(w.error().message().find("message_id") != std::string::npos, w.error().message());
  m.message_id = "1";
  m.in_response_to = "x1";
  w = xml::xml10().serialize(m);
  BOOST_TEST_REQUIRE(!w.ok());
  BOOST_TEST(w.error().message().find("in_response_to") != std::string::npos, w.error().message());
}

BOOST_AUTO_TEST_CASE(versions_do_not_mix) {
  const std::string v10_body = std::string("<taxii:Discovery_Request ") + kNs + R"( message_id="1"/>)";
  const std::string v11_body =
      R"(<taxii_11:Discovery_Request xmlns:taxii_11="http://taxii.mitre.org/messages/taxii_xml_binding-1.1" message_id="1"/>)";
  BOOST_TEST_REQUIRE(xml::xml10().parse(v10_body).ok());
  BOOST_TEST_REQUIRE(xml::xml11().parse(v11_body).ok());

  const auto a = xml::xml11().parse(v10_body);
  BOOST_TEST_REQUIRE(!a.ok());
  BOOST_TEST(a.error().type() == StatusType::BadMessage);
  const auto b = xml::xml10().parse(v11_body);
  BOOST_TEST_REQUIRE(!b.ok());
  BOOST_TEST(b.error().type() == StatusType::BadMessage);

  const auto c = xml::xml11().serialize(full_messages()[1]);
  BOOST_TEST_REQUIRE(!c.ok());
  BOOST_TEST(c.error().type() == StatusType::BadMessage);
  v11::DiscoveryRequest d;
  d.message_id = "1";
  const auto e = xml::xml10().serialize(d);
  BOOST_TEST_REQUIRE(!e.ok());
  BOOST_TEST(e.error().type() == StatusType::BadMessage);
}

BOOST_AUTO_TEST_SUITE_END()

// --- (b) the shared 1.0 samples and the official schema ------------------------------------

BOOST_AUTO_TEST_SUITE(official)

BOOST_AUTO_TEST_CASE(every_sample_parses_round_trips_and_validates) {
  if (!have_official_schemas()) {
    BOOST_TEST(true);
    return;
  }
  size_t n = 0;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(spec_dir() / "samples" / "1.0"))
    if (e.path().extension() == ".xml") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    BOOST_TEST_CONTEXT(f.filename().string()) {
      const std::string body = read_file(f);
      const auto first = xml::xml10().parse(body);
      BOOST_TEST_REQUIRE(first.ok(), (first.ok() ? "" : first.error().message()));
      const auto xml = xml::xml10().serialize(*first);
      BOOST_TEST_REQUIRE(xml.ok(), (xml.ok() ? "" : xml.error().message()));
      const auto second = xml::xml10().parse(*xml);
      BOOST_TEST_REQUIRE(second.ok(), (second.ok() ? "" : second.error().message()) << "\n" << *xml);
      BOOST_TEST((*second == *first), "re-parsed message differs:\n" << *xml);
      BOOST_TEST(validate_official(*xml, f.stem().string()) == "", *xml);
      ++n;
    }
  }
  BOOST_TEST_MESSAGE("checked " << n << " TAXII 1.0 samples against the official schema");
  BOOST_TEST(n >= 22u);
}

BOOST_AUTO_TEST_CASE(our_full_messages_validate) {
  if (!have_official_schemas()) {
    BOOST_TEST(true);
    return;
  }
  for (const auto& m : full_messages()) {
    BOOST_TEST_CONTEXT(message_type_name(m)) {
      const std::string xml = serialize_ok(m);
      BOOST_TEST(validate_official(xml, "full_" + message_id_of(m)) == "", xml);
    }
  }
  for (const auto& m : empty_messages()) {
    BOOST_TEST_CONTEXT(message_type_name(m)) {
      const std::string xml = serialize_ok(m);
      BOOST_TEST(validate_official(xml, "empty_" + message_id_of(m)) == "", xml);
    }
  }
}

BOOST_AUTO_TEST_CASE(libtaxii_unsubscribe_keeps_push_parameters) {
  if (!have_official_schemas()) {
    BOOST_TEST(true);
    return;
  }
  const auto r = xml::xml10().parse(
      read_file(spec_dir() / "samples" / "1.0" / "Subscription_Management_Request-UNSUBSCRIBE.xml"));
  const auto& m = as<v10::ManageFeedSubscriptionRequest>(r);
  BOOST_TEST((m.action == v10::SubscriptionAction::Unsubscribe));
  BOOST_TEST_REQUIRE(m.push_parameters.has_value());
  BOOST_TEST(m.push_parameters->content_bindings.size() == 1u);
  // ... and the bridge drops them: 1.1 services never see them.
  const auto bridged = xml::bridge_request_to_v11(r.value());
  const auto& b = as<v11::ManageCollectionSubscriptionRequest>(bridged);
  BOOST_TEST(!b.push_parameters.has_value());
  BOOST_TEST((b.subscription_id == std::optional<std::string>("SubsId056")));
}

BOOST_AUTO_TEST_SUITE_END()

// --- (c) the bridge ----------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(bridge)

BOOST_AUTO_TEST_CASE(poll_request_without_subscription_gets_poll_parameters) {
  auto in = empty_base<v10::PollRequest>("7");
  in.extended_headers = headers();
  in.feed_name = "feed-a";
  in.exclusive_begin = ts("2014-05-08T09:00:00Z");
  in.inclusive_end = ts("2014-05-08T10:00:00Z");
  in.content_bindings = {kStix10, kStix101};

  v11::PollRequest want;
  want.message_id = "7";
  want.extended_headers = headers();
  want.collection_name = "feed-a";
  want.exclusive_begin = in.exclusive_begin;
  want.inclusive_end = in.inclusive_end;
  v11::PollParameters p;
  p.allow_asynch = false;
  p.response_type = v11::ResponseType::Full;
  p.content_bindings = {{kStix10, {}}, {kStix101, {}}};
  want.poll_parameters = p;

  const auto r = xml::bridge_request_to_v11(in);
  BOOST_TEST((as<v11::PollRequest>(r) == want));
  BOOST_TEST(xml::xml11().serialize(*r).ok());
}

BOOST_AUTO_TEST_CASE(poll_request_with_subscription_gets_subscription_id) {
  auto in = full_messages()[7];  // Poll_Request with subscription_id and content bindings
  const auto& src = std::get<v10::PollRequest>(in);
  v11::PollRequest want;
  want.message_id = src.message_id;
  want.extended_headers = src.extended_headers;  // the signature is not carried across
  want.collection_name = src.feed_name;
  want.exclusive_begin = src.exclusive_begin;
  want.inclusive_end = src.inclusive_end;
  want.subscription_id = src.subscription_id;
  const auto r = xml::bridge_request_to_v11(in);
  BOOST_TEST((as<v11::PollRequest>(r) == want));
  BOOST_TEST(xml::xml11().serialize(*r).ok());
}

BOOST_AUTO_TEST_CASE(poll_response_exclusive_begin_becomes_inclusive_plus_one_microsecond) {
  auto in = response_to_7<v11::PollResponse>("12");
  in.collection_name = "feed-a";
  in.subscription_id = "urn:example:subs:1";
  in.exclusive_begin = ts("2014-05-08T09:00:00.999999+02:00");
  in.inclusive_end = ts("2014-05-08T10:00:00Z");
  in.record_count = v11::RecordCount{5, true};
  in.message = "m";
  v11::ContentBlock b;
  b.binding_id = kStix10;
  b.subtype = "urn:example:subtype";
  b.content = Mixed::text("x");
  b.timestamp_label = ts("2014-05-08T09:30:00Z");
  b.message = "block message";
  b.padding = "pad";
  in.content_blocks = {b};

  // Exclusive_Begin 09:00:00.999999 becomes Inclusive_Begin 09:00:01.
  auto want = response_to_7<v10::PollResponse>("12");
  want.inclusive_begin = ts("2014-05-08T09:00:01+02:00");
  want.inclusive_end = ts("2014-05-08T10:00:00Z");
  want.feed_name = "feed-a";
  want.subscription_id = "urn:example:subs:1";
  want.message = "m";
  want.content_blocks = {v10::ContentBlock{kStix10, Mixed::text("x"), b.timestamp_label, std::string("pad"), std::nullopt}};

  const auto r = xml::bridge_response_to_v10(in);
  const auto& got = as<v10::PollResponse>(r);
  BOOST_TEST((got == want));
  BOOST_TEST(got.inclusive_begin->micros() == in.exclusive_begin->micros() + 1);
  check_round_trip(*r);
}

BOOST_AUTO_TEST_CASE(poll_response_that_1_0_cannot_express_fails) {
  v11::PollResponse in;
  in.message_id = "12";
  in.in_response_to = "7";
  in.collection_name = "set-a";  // a Data Set: no Inclusive_End_Timestamp
  auto r = xml::bridge_response_to_v10(in);
  BOOST_TEST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().type() == StatusType::Failure);
  BOOST_TEST(r.error().message().find("Inclusive_End_Timestamp") != std::string::npos);

  in.inclusive_end = ts("2014-05-08T10:00:00Z");
  in.more = true;
  in.result_id = "urn:example:result:1";
  r = xml::bridge_response_to_v10(in);
  BOOST_TEST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().type() == StatusType::Failure);
}

BOOST_AUTO_TEST_CASE(pending_becomes_failure) {
  auto in = status11("20", "PENDING");
  in.details = {{"ESTIMATED_WAIT", Mixed::text("30")}, {"RESULT_ID", Mixed::text("r1")}, {"WILL_PUSH", Mixed::text("false")}};
  in.message = "later";
  const auto r = xml::bridge_response_to_v10(in);
  const auto& got = as<v10::StatusMessage>(r);
  BOOST_TEST(got.status_type == "FAILURE");
  BOOST_TEST(!got.status_detail.has_value());
  BOOST_TEST_REQUIRE(got.message.has_value());
  BOOST_TEST(got.message->find("PENDING") != std::string::npos, *got.message);
  BOOST_TEST(got.message->find("later") != std::string::npos, *got.message);
  BOOST_TEST(got.in_response_to == "7");
  check_round_trip(*r);
}

BOOST_AUTO_TEST_CASE(unsupported_content_details_become_a_space_separated_list) {
  auto in = status11("21", "UNSUPPORTED_CONTENT");
  // The last one uses libtaxii's binding>subtypes form (docs/spec-notes.md P4).
  in.details = {{"SUPPORTED_CONTENT", Mixed::text(kStix10)},
                {"SUPPORTED_CONTENT", Mixed::text(" " + kStix101 + " ")},
                {"SUPPORTED_CONTENT", Mixed::text(kStix10 + ">urn:example:sub1,urn:example:sub2")}};
  const auto r = xml::bridge_response_to_v10(in);
  const auto& got = as<v10::StatusMessage>(r);
  BOOST_TEST(got.status_type == "UNSUPPORTED_CONTENT");
  BOOST_TEST((got.status_detail == std::optional<std::string>(kStix10 + " " + kStix101)));
  check_round_trip(*r);
}

BOOST_AUTO_TEST_CASE(other_status_details) {
  auto in = status11("22", "UNSUPPORTED_PROTOCOL");
  in.details = {{"SUPPORTED_PROTOCOL", Mixed::text(kHttp)}, {"SUPPORTED_PROTOCOL", Mixed::text(kHttps)}};
  BOOST_TEST((as<v10::StatusMessage>(xml::bridge_response_to_v10(in)).status_detail ==
              std::optional<std::string>(kHttp + " " + kHttps)));

  in.status_type = "NOT_FOUND";  // 1.0 NOT_FOUND defines no detail: ITEM is dropped
  in.details = {{"ITEM", Mixed::text("feed-x")}};
  BOOST_TEST(!as<v10::StatusMessage>(xml::bridge_response_to_v10(in)).status_detail.has_value());

  in.status_type = "RETRY";  // ESTIMATED_WAIT seconds -> an RFC 3339 "retry at" timestamp
  in.details = {{"ESTIMATED_WAIT", Mixed::text("30")}};
  const int64_t before = Timestamp::now().micros();
  const auto r = xml::bridge_response_to_v10(in);
  const auto& got = as<v10::StatusMessage>(r);
  BOOST_TEST_REQUIRE(got.status_detail.has_value());
  const auto at = Timestamp::parse(*got.status_detail);
  BOOST_TEST_REQUIRE(at.has_value(), *got.status_detail);
  BOOST_TEST(at->micros() >= before + 30'000'000);
  BOOST_TEST(at->micros() <= Timestamp::now().micros() + 30'000'000);
  check_round_trip(*r);

  in.status_type = "urn:example:status:custom";  // third-party types pass through
  in.details = {};
  BOOST_TEST(as<v10::StatusMessage>(xml::bridge_response_to_v10(in)).status_type == "urn:example:status:custom");

  in.status_type = "UNSUPPORTED_QUERY";  // 1.1-only
  BOOST_TEST(as<v10::StatusMessage>(xml::bridge_response_to_v10(in)).status_type == "FAILURE");
}

BOOST_AUTO_TEST_CASE(data_set_collections_are_omitted) {
  v11::CollectionInformationResponse in;
  in.message_id = "30";
  in.in_response_to = "8";
  v11::CollectionInformation feed;
  feed.collection_name = "feed-a";
  feed.available = true;
  feed.description = "a feed";
  feed.collection_volume = 10;
  feed.content_bindings = {{kStix10, {"urn:example:sub1", "urn:example:sub2"}}, {kStix10, {}}, {kStix101, {}}};
  feed.push_methods = {{kHttp, {kXml10}}};
  feed.polling_services = {contact("https://taxii.example.com/poll")};
  feed.subscription_services = {contact("https://taxii.example.com/subs")};
  feed.receiving_inbox_services = {{contact("https://taxii.example.com/inbox"), {}}};
  v11::CollectionInformation set = feed;
  set.collection_name = "set-a";
  set.collection_type = v11::CollectionType::DataSet;
  in.collections = {set, feed};

  const auto r = xml::bridge_response_to_v10(in);
  const auto& got = as<v10::FeedInformationResponse>(r);
  BOOST_TEST_REQUIRE(got.feeds.size() == 1u);
  const auto& f = got.feeds[0];
  BOOST_TEST(f.feed_name == "feed-a");
  BOOST_TEST((f.available == std::optional<bool>(true)));
  BOOST_TEST(f.description == "a feed");
  BOOST_TEST((f.content_bindings == std::vector<std::string>{kStix10, kStix101}));
  BOOST_TEST((f.push_methods == feed.push_methods));
  BOOST_TEST((f.polling_services == feed.polling_services));
  BOOST_TEST((f.subscription_services == feed.subscription_services));
  check_round_trip(*r);

  // Collections 1.0 cannot express are omitted too: no content binding, no way to get content.
  in.collections[1].content_bindings.clear();
  BOOST_TEST(as<v10::FeedInformationResponse>(xml::bridge_response_to_v10(in)).feeds.empty());
  in.collections[1].content_bindings = feed.content_bindings;
  in.collections[1].push_methods.clear();
  in.collections[1].polling_services.clear();
  BOOST_TEST(as<v10::FeedInformationResponse>(xml::bridge_response_to_v10(in)).feeds.empty());
}

BOOST_AUTO_TEST_CASE(discovery_response) {
  v11::DiscoveryResponse in;
  in.message_id = "31";
  in.in_response_to = "9";
  v11::ServiceInstance si;
  si.service_type = ServiceType::CollectionManagement;
  si.service_version = std::string(urn::kServices10);
  si.available = false;
  si.protocol_binding = kHttp;
  si.address = "http://example.com/cm";
  si.message_bindings = {kXml10};
  si.supported_queries = {{std::string(urn::kQueryDefault10), Mixed{}}};
  si.content_bindings = {{kStix10, {"urn:example:sub"}}};
  si.message = "cm";
  in.service_instances = {si};
  const auto r = xml::bridge_response_to_v10(in);
  const auto& got = as<v10::DiscoveryResponse>(r);
  BOOST_TEST_REQUIRE(got.service_instances.size() == 1u);
  const auto& s = got.service_instances[0];
  BOOST_TEST((s.service_type == ServiceType::CollectionManagement));
  BOOST_TEST((s.content_bindings == std::vector<std::string>{kStix10}));
  BOOST_TEST((s.available == std::optional<bool>(false)));
  BOOST_TEST((s.message == std::optional<std::string>("cm")));
  const std::string xml = serialize_ok(*r);
  BOOST_TEST(xml.find(R"(service_type="FEED_MANAGEMENT")") != std::string::npos, xml);
}

BOOST_AUTO_TEST_CASE(subscription_request_and_response) {
  auto in = feed_request("40", v10::SubscriptionAction::Subscribe, "ignored");
  const auto r = xml::bridge_request_to_v11(in);
  const auto& req = as<v11::ManageCollectionSubscriptionRequest>(r);
  BOOST_TEST((req.action == v11::SubscriptionAction::Subscribe));
  BOOST_TEST(req.collection_name == "feed-a");
  BOOST_TEST(!req.subscription_id.has_value());
  BOOST_TEST_REQUIRE(req.subscription_parameters.has_value());
  BOOST_TEST((req.subscription_parameters->response_type == v11::ResponseType::Full));
  BOOST_TEST((req.subscription_parameters->content_bindings ==
              std::vector<v11::ContentBinding>{{kStix10, {}}, {kStix101, {}}}));
  BOOST_TEST_REQUIRE(req.push_parameters.has_value());
  BOOST_TEST((*req.push_parameters == v11::PushParameters{kHttp, "http://consumer.example.com/inbox", kXml10}));
  BOOST_TEST(xml::xml11().serialize(*r).ok());

  in.action = v10::SubscriptionAction::Status;  // 1.0 STATUS means all of the requester's
  const auto status = xml::bridge_request_to_v11(in);
  const auto& st = as<v11::ManageCollectionSubscriptionRequest>(status);
  BOOST_TEST((st.action == v11::SubscriptionAction::Status));
  BOOST_TEST(!st.subscription_id.has_value());
  BOOST_TEST(!st.push_parameters.has_value());
  BOOST_TEST(!st.subscription_parameters.has_value());

  v11::ManageCollectionSubscriptionResponse resp;
  resp.message_id = "41";
  resp.in_response_to = "40";
  resp.collection_name = "feed-a";
  resp.message = "ok";
  v11::SubscriptionInstance s;
  s.status = v11::SubscriptionStatus::Paused;
  s.subscription_id = "urn:example:subs:1";
  s.subscription_parameters = v11::SubscriptionParameters{v11::ResponseType::Full, {{kStix10, {"urn:example:sub"}}}, std::nullopt};
  s.push_parameters = v11::PushParameters{kHttp, "http://consumer.example.com/inbox", kXml10};
  s.poll_instances = {contact("https://taxii.example.com/poll")};
  resp.subscriptions = {s};
  const auto out = xml::bridge_response_to_v10(resp);
  const auto& got = as<v10::ManageFeedSubscriptionResponse>(out);
  BOOST_TEST(got.feed_name == "feed-a");
  BOOST_TEST((got.message == std::optional<std::string>("ok")));
  BOOST_TEST_REQUIRE(got.subscriptions.size() == 1u);
  BOOST_TEST(got.subscriptions[0].subscription_id == "urn:example:subs:1");
  BOOST_TEST_REQUIRE(got.subscriptions[0].push_parameters.has_value());
  BOOST_TEST((*got.subscriptions[0].push_parameters ==
              v10::PushParameters{kHttp, "http://consumer.example.com/inbox", kXml10, {kStix10}}));
  BOOST_TEST((got.subscriptions[0].poll_instances == s.poll_instances));
  check_round_trip(*out);
}

BOOST_AUTO_TEST_CASE(inbox_in_both_directions) {
  auto in = std::get<v10::InboxMessage>(full_messages()[9]);
  const auto r = xml::bridge_request_to_v11(in);
  const auto& v11m = as<v11::InboxMessage>(r);
  BOOST_TEST_REQUIRE(v11m.source_subscription.has_value());
  BOOST_TEST(v11m.source_subscription->collection_name == "feed-a");
  BOOST_TEST(v11m.source_subscription->subscription_id == "urn:example:subs:1");
  BOOST_TEST(v11m.source_subscription->exclusive_begin->micros() == in.source_subscription->inclusive_begin->micros() - 1);
  BOOST_TEST((v11m.source_subscription->inclusive_end == in.source_subscription->inclusive_end));
  BOOST_TEST_REQUIRE(v11m.content_blocks.size() == 2u);
  BOOST_TEST(v11m.content_blocks[0].binding_id == in.content_blocks[0].binding);
  BOOST_TEST((v11m.content_blocks[0].signature == in.content_blocks[0].signature));
  BOOST_TEST(!v11m.signature.has_value());
  BOOST_TEST(xml::xml11().serialize(*r).ok());

  // Pushing it back to a 1.0 subscriber restores the 1.0 message (minus the envelope signature).
  const auto back = xml::bridge_response_to_v10(*r);
  auto want = in;
  want.signature.reset();
  BOOST_TEST((as<v10::InboxMessage>(back) == want));

  in.source_subscription->subscription_id.reset();  // Errata 1.0 TAXII-XML-1.0-Err-01
  const auto bad = xml::bridge_request_to_v11(in);
  BOOST_TEST_REQUIRE(!bad.ok());
  BOOST_TEST(bad.error().type() == StatusType::BadMessage);
}

BOOST_AUTO_TEST_CASE(messages_without_a_counterpart_fail) {
  v11::PollFulfillment pf;
  pf.message_id = "50";
  pf.collection_name = "feed-a";
  pf.result_id = "r";
  auto r = xml::bridge_response_to_v10(pf);
  BOOST_TEST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().type() == StatusType::Failure);

  r = xml::bridge_request_to_v11(full_messages()[0]);  // a 1.0 Status_Message is no request
  BOOST_TEST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().type() == StatusType::BadMessage);

  for (const auto& m : {full_messages()[1], full_messages()[3]}) {
    const auto b = xml::bridge_request_to_v11(m);
    BOOST_TEST_REQUIRE(b.ok());
    BOOST_TEST((version_of(*b) == Version::V11));
    BOOST_TEST(message_id_of(*b) == message_id_of(m));
  }
}

BOOST_AUTO_TEST_SUITE_END()
