// Wire tests of every service in TAXII 1.1 and 1.0 against a real taxiid: Discovery,
// Collection Information / Feed Information, Inbox into one and several collections, Poll
// with windows, content-binding filter, COUNT_ONLY, multi-part + Poll_Fulfillment.
#define BOOST_TEST_MODULE wire_services
#include <boost/test/unit_test.hpp>

#include "bindings/xml/message_binding.hpp"
#include "core/urn.hpp"
#include "tests/wire/wire_support.hpp"

using namespace taxii;
using namespace taxii::wire;

namespace {

using namespace ids;

Mixed stix(int n) {
  return Mixed{"<stix:STIX_Package xmlns:stix=\"http://stix.mitre.org/stix-1\" id=\"example:package-" +
               std::to_string(n) + "\" version=\"1.2\"><stix:STIX_Header><stix:Title>block " + std::to_string(n) +
               " &amp; more</stix:Title></stix:STIX_Header></stix:STIX_Package>"};
}

// The content as the server sees it: what the XML binding parses out of our request.
Mixed as_received(const Mixed& m) {
  auto parsed = xml::parse_any(*xml::serialize_any(inbox11({}, {m})));
  return std::get<v11::InboxMessage>(*parsed).content_blocks.at(0).content;
}

// The four TAXII headers and Content-Length on every TAXII answer (HTTP 1.0 §2).
void check_headers(const Reply& r, Version v, bool https = false) {
  BOOST_TEST(r.status == 200);
  BOOST_TEST(r.header("Content-Type") == "application/xml");
  BOOST_TEST(r.header("X-TAXII-Content-Type") == std::string(v == Version::V11 ? urn::kMessageXml11 : urn::kMessageXml10));
  BOOST_TEST(r.header("X-TAXII-Services") == std::string(v == Version::V11 ? urn::kServices11 : urn::kServices10));
  BOOST_TEST(r.header("X-TAXII-Protocol") == std::string(https ? urn::kProtocolHttps : urn::kProtocolHttp));
  BOOST_TEST(r.header("Content-Length") == std::to_string(r.body.size()));
  BOOST_TEST(r.header("X-TAXII-Accept").empty());
  BOOST_TEST_REQUIRE(r.message.has_value(), r.parse_error);
  BOOST_TEST((version_of(*r.message) == v));
}

struct Wire {
  TaxiidProcess server;
  Client client{server.http_port()};
  // A clean exit (status 0; under the sanitizers also: no leak, no error report).
  ~Wire() {
    const int status = server.terminate();
    BOOST_TEST(status == 0, "taxiid exit status " << status << "\n" << server.log());
  }
  std::string base = "http://127.0.0.1:" + std::to_string(server.http_port());

  Reply inbox(std::vector<std::string> dest, std::vector<Mixed> contents, const std::string& binding = kStix12,
              const std::string& path = "/services/inbox") {
    auto m = inbox11(std::move(dest), std::move(contents), binding);
    Reply r = client.send(path, m);
    check_headers(r, Version::V11);
    BOOST_TEST(r.in_response_to() == m.message_id);
    return r;
  }
  // `m` with message_id `id`, sent to `path`: the answer, its headers and in_response_to checked.
  template <class M>
  Reply ask(const std::string& path, M m, const std::string& id) {
    m.message_id = id;
    Reply r = client.send(path, m);
    check_headers(r, version_of(Message(m)));
    BOOST_TEST(r.in_response_to() == id);
    return r;
  }
  v11::PollResponse poll(const v11::PollRequest& p) {
    Reply r = client.send("/services/poll", p);
    check_headers(r, Version::V11);
    BOOST_TEST_REQUIRE(std::holds_alternative<v11::PollResponse>(*r.message), r.body);
    BOOST_TEST(r.in_response_to() == p.message_id);
    return r.as<v11::PollResponse>();
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(services, Wire)

BOOST_AUTO_TEST_CASE(discovery_11_lists_every_service_once_in_11) {
  const Reply r = ask("/services/discovery", v11::DiscoveryRequest{}, "urn:example:discovery:1");
  const auto& resp = r.as<v11::DiscoveryResponse>();
  BOOST_TEST_REQUIRE(resp.service_instances.size() == 5u);  // 5 services x 1 listener, 1.1 only
  BOOST_TEST((resp.service_instances[0].service_type == ServiceType::Discovery));
  BOOST_TEST(resp.service_instances[0].service_version == std::string(urn::kServices11));
  BOOST_TEST(resp.service_instances[0].address == base + "/services/discovery");
  BOOST_TEST(resp.service_instances[0].protocol_binding == std::string(urn::kProtocolHttp));
  BOOST_TEST(resp.service_instances[0].message_bindings.at(0) == std::string(urn::kMessageXml11));
  for (const auto& i : resp.service_instances) {
    BOOST_TEST(i.service_version == std::string(urn::kServices11));
    BOOST_TEST(i.message_bindings.at(0) == std::string(urn::kMessageXml11));
  }
  // inbox-named delivers to default and second: it advertises their union.
  const auto& named = resp.service_instances[3];
  BOOST_TEST(named.address == base + "/services/inbox-named");
  BOOST_TEST(named.content_bindings.size() == 5u);
}

BOOST_AUTO_TEST_CASE(discovery_10_lists_the_10_instances) {
  const Reply r = ask("/services/discovery", v10::DiscoveryRequest{}, "42");
  const auto& resp = r.as<v10::DiscoveryResponse>();
  BOOST_TEST_REQUIRE(resp.service_instances.size() == 5u);
  for (const auto& i : resp.service_instances) {
    BOOST_TEST(i.service_version == std::string(urn::kServices10));
    BOOST_TEST(i.message_bindings.at(0) == std::string(urn::kMessageXml10));
  }
  BOOST_TEST((resp.service_instances[1].service_type == ServiceType::CollectionManagement));
  BOOST_TEST(r.body.find("FEED_MANAGEMENT") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(collection_information_11) {
  BOOST_TEST(inbox({}, {stix(1), stix(2)}).status_type() == "SUCCESS");
  const Reply r = ask("/services/collection-management", v11::CollectionInformationRequest{}, next_id());
  const auto& resp = r.as<v11::CollectionInformationResponse>();
  BOOST_TEST_REQUIRE(resp.collections.size() == 4u);
  const auto& d = resp.collections[0];
  BOOST_TEST(d.collection_name == "default");
  BOOST_TEST((d.collection_type == v11::CollectionType::DataFeed));
  BOOST_TEST(d.description == "the default feed");
  BOOST_TEST(d.collection_volume.value_or(0) == 2u);
  BOOST_TEST(d.content_bindings.size() == 5u);
  BOOST_TEST_REQUIRE(d.polling_services.size() == 1u);
  BOOST_TEST(d.polling_services[0].address == base + "/services/poll");
  BOOST_TEST(d.polling_services[0].message_bindings.size() == 2u);
  BOOST_TEST(d.receiving_inbox_services.size() == 2u);
  BOOST_TEST(d.push_methods.size() == 2u);  // HTTP and HTTPS (issue #6)
  BOOST_TEST_REQUIRE(d.subscription_services.size() == 1u);
  BOOST_TEST(d.subscription_services[0].address == base + "/services/collection-management");
  BOOST_TEST((resp.collections[2].collection_type == v11::CollectionType::DataSet));
  BOOST_TEST(resp.collections[3].content_bindings.at(0).subtypes.at(0) == kSubtype);
}

BOOST_AUTO_TEST_CASE(feed_information_10) {
  const Reply r = ask("/services/collection-management", v10::FeedInformationRequest{}, "7");
  const auto& resp = r.as<v10::FeedInformationResponse>();
  BOOST_TEST_REQUIRE(resp.feeds.size() == 3u);  // the Data Set has no 1.0 form
  BOOST_TEST(resp.feeds[0].feed_name == "default");
  BOOST_TEST(resp.feeds[0].content_bindings.size() == 5u);
  BOOST_TEST(resp.feeds[0].polling_services.at(0).address == base + "/services/poll");
}

BOOST_AUTO_TEST_CASE(subscription_status_without_subscriptions) {
  // Subscriptions in full: wire_subscriptions_test.cpp.
  v11::ManageCollectionSubscriptionRequest s;
  s.message_id = next_id();
  s.collection_name = "default";
  s.action = v11::SubscriptionAction::Status;
  Reply r = client.send("/services/collection-management", s);
  check_headers(r, Version::V11);
  BOOST_TEST_REQUIRE(std::holds_alternative<v11::ManageCollectionSubscriptionResponse>(*r.message), r.body);
  BOOST_TEST(r.as<v11::ManageCollectionSubscriptionResponse>().subscriptions.empty());
}

BOOST_AUTO_TEST_CASE(inbox_into_one_and_several_collections) {
  BOOST_TEST(inbox({}, {stix(1)}).status_type() == "SUCCESS");  // the inbox's default collection
  BOOST_TEST(inbox({"default", "second"}, {stix(2), stix(3)}, kStix12, "/services/inbox-named").status_type() ==
             "SUCCESS");
  BOOST_TEST(inbox({"set"}, {Mixed::text("anything at all")}, "urn:example:binding").status_type() == "SUCCESS");
  auto all = poll(poll11("default"));
  BOOST_TEST_REQUIRE(all.content_blocks.size() == 3u);
  BOOST_TEST(all.content_blocks[0].content.xml == as_received(stix(1)).xml);
  auto second = poll(poll11("second"));
  BOOST_TEST_REQUIRE(second.content_blocks.size() == 2u);
  BOOST_TEST(second.content_blocks[0].content.xml == as_received(stix(2)).xml);
  BOOST_TEST(second.content_blocks[1].content.xml == as_received(stix(3)).xml);
  BOOST_TEST(second.content_blocks[0].binding_id == kStix12);
  auto set = poll(poll11("set"));
  BOOST_TEST_REQUIRE(set.content_blocks.size() == 1u);
  BOOST_TEST(set.content_blocks[0].content.text_value() == "anything at all");
}

BOOST_AUTO_TEST_CASE(inbox_destination_errors) {
  // inbox-named requires Destination_Collection_Name (Services 1.1 §3.2.1).
  Reply r = inbox({}, {stix(1)}, kStix12, "/services/inbox-named");
  BOOST_TEST(r.status_type() == "DESTINATION_COLLECTION_ERROR");
  const auto& s = r.as<v11::StatusMessage>();
  BOOST_TEST_REQUIRE(s.details.size() == 2u);
  BOOST_TEST(s.details[0].name == "ACCEPTABLE_DESTINATION");
  BOOST_TEST(s.details[0].value.text_value() == "default");
  BOOST_TEST(s.details[1].value.text_value() == "second");
  // A collection the inbox does not deliver to, and one that does not exist.
  BOOST_TEST(inbox({"typed"}, {stix(1)}, kStix12, "/services/inbox-named").status_type() ==
             "DESTINATION_COLLECTION_ERROR");
  BOOST_TEST(inbox({"default", "nope"}, {stix(1)}).status_type() == "DESTINATION_COLLECTION_ERROR");
  // Nothing was stored by the rejected messages.
  BOOST_TEST(poll(poll11("default")).content_blocks.empty());
}

BOOST_AUTO_TEST_CASE(inbox_checks_content_bindings_and_subtypes) {
  // One unacceptable block rejects the whole message (Services 1.1 §3.2).
  auto m = inbox11({"default", "second"}, {stix(1), stix(2)}, kStix12);
  m.content_blocks[1].binding_id = std::string(urn::kStix10);  // default takes it, second does not
  Reply r = client.send("/services/inbox-named", m);
  check_headers(r, Version::V11);
  BOOST_TEST(r.status_type() == "UNSUPPORTED_CONTENT");
  const auto& s = r.as<v11::StatusMessage>();
  BOOST_TEST_REQUIRE(s.details.size() == 2u);
  BOOST_TEST(s.details[0].name == "SUPPORTED_CONTENT");
  BOOST_TEST(s.details[0].value.text_value() == kStix111);
  BOOST_TEST(poll(poll11("default")).content_blocks.empty());
  // Subtypes: typed accepts STIX 1.2 of kSubtype only.
  auto typed = inbox11({"typed"}, {stix(3)}, kStix12);
  typed.content_blocks[0].subtype = std::string(kSubtype);
  BOOST_TEST(client.send("/services/inbox", typed).status_type() == "SUCCESS");
  typed.content_blocks[0].subtype = std::string("urn:example:subtype:other");
  BOOST_TEST(client.send("/services/inbox", typed).status_type() == "UNSUPPORTED_CONTENT");
  BOOST_TEST(inbox({"typed"}, {stix(4)}, kStix111).status_type() == "UNSUPPORTED_CONTENT");
  auto got = poll(poll11("typed"));
  BOOST_TEST_REQUIRE(got.content_blocks.size() == 1u);
  BOOST_TEST(got.content_blocks[0].subtype.value_or("") == kSubtype);
}

BOOST_AUTO_TEST_CASE(inbox_10) {
  v10::InboxMessage m;
  m.message_id = "99";
  for (int i = 0; i < 2; ++i) {
    v10::ContentBlock b;
    b.binding = kStix111;
    b.content = stix(i);
    m.content_blocks.push_back(b);
  }
  Reply r = client.send("/services/inbox", m);
  check_headers(r, Version::V10);
  BOOST_TEST(r.status_type() == "SUCCESS");
  BOOST_TEST(r.in_response_to() == "99");
  auto got = poll(poll11("default"));
  BOOST_TEST_REQUIRE(got.content_blocks.size() == 2u);
  BOOST_TEST(got.content_blocks[1].binding_id == kStix111);
  BOOST_TEST(got.content_blocks[1].content.xml == as_received(stix(1)).xml);
}

BOOST_AUTO_TEST_CASE(poll_windows_11) {
  for (int i = 1; i <= 3; ++i) BOOST_TEST(inbox({}, {stix(i)}).status_type() == "SUCCESS");
  auto all = poll(poll11("default"));
  BOOST_TEST_REQUIRE(all.content_blocks.size() == 3u);
  std::vector<Timestamp> labels;
  for (const auto& b : all.content_blocks) labels.push_back(b.timestamp_label.value());
  BOOST_TEST((labels[0] < labels[1] && labels[1] < labels[2]));
  BOOST_TEST(!all.exclusive_begin.has_value());
  BOOST_TEST((all.inclusive_end == labels[2]));  // the latest label considered
  BOOST_TEST(all.record_count->count == 3u);

  // Services 1.1 §4.4.8: (begin, end] -- begin exclusive, end inclusive.
  auto p = poll11("default");
  p.exclusive_begin = labels[0];
  p.inclusive_end = labels[1];
  auto mid = poll(p);
  BOOST_TEST_REQUIRE(mid.content_blocks.size() == 1u);
  BOOST_TEST(mid.content_blocks[0].content.xml == as_received(stix(2)).xml);
  BOOST_TEST((mid.exclusive_begin == labels[0]));
  BOOST_TEST((mid.inclusive_end == labels[1]));

  p.exclusive_begin = labels[1];
  p.inclusive_end.reset();
  auto tail = poll(p);
  BOOST_TEST_REQUIRE(tail.content_blocks.size() == 1u);
  BOOST_TEST((tail.inclusive_end == labels[2]));

  // Continuing from the stated end finds exactly what was added since.
  BOOST_TEST(inbox({}, {stix(4)}).status_type() == "SUCCESS");
  p.exclusive_begin = tail.inclusive_end;
  auto next = poll(p);
  BOOST_TEST_REQUIRE(next.content_blocks.size() == 1u);
  BOOST_TEST(next.content_blocks[0].content.xml == as_received(stix(4)).xml);

  // End before begin: our client library refuses to build it, so send the bytes ourselves.
  const std::string raw =
      "<taxii_11:Poll_Request xmlns:taxii_11=\"http://taxii.mitre.org/messages/taxii_xml_binding-1.1\" "
      "message_id=\"urn:example:bad-window\" collection_name=\"default\">"
      "<taxii_11:Exclusive_Begin_Timestamp>" + labels[2].to_string() + "</taxii_11:Exclusive_Begin_Timestamp>"
      "<taxii_11:Inclusive_End_Timestamp>" + labels[1].to_string() + "</taxii_11:Inclusive_End_Timestamp>"
      "<taxii_11:Poll_Parameters allow_asynch=\"false\"><taxii_11:Response_Type>FULL</taxii_11:Response_Type>"
      "</taxii_11:Poll_Parameters></taxii_11:Poll_Request>";
  Reply bad = client.post("/services/poll", raw, taxii_headers(Version::V11));
  check_headers(bad, Version::V11);
  BOOST_TEST(bad.status_type() == "BAD_MESSAGE");
  BOOST_TEST(bad.status_text().find("Inclusive_End_Timestamp") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(poll_data_set_has_no_timestamps) {
  BOOST_TEST(inbox({"set"}, {stix(1)}).status_type() == "SUCCESS");
  auto p = poll11("set");
  p.exclusive_begin = Timestamp::now();  // ignored for a Data Set (Services 1.1 §5.2.2)
  auto r = poll(p);
  BOOST_TEST(r.content_blocks.size() == 1u);
  BOOST_TEST(!r.exclusive_begin.has_value());
  BOOST_TEST(!r.inclusive_end.has_value());
}

BOOST_AUTO_TEST_CASE(poll_10_with_window_and_narrowing) {
  for (int i = 1; i <= 7; ++i) BOOST_TEST(inbox({}, {stix(i)}).status_type() == "SUCCESS");
  auto all = poll(poll11("default"));  // part 1 of 2 (part_size 5): labels of blocks 1..5
  BOOST_TEST_REQUIRE(all.content_blocks.size() == 5u);
  v10::PollRequest p;
  p.message_id = "501";
  p.feed_name = "default";
  p.exclusive_begin = all.content_blocks[0].timestamp_label;
  Reply r = client.send("/services/poll", p);
  check_headers(r, Version::V10);
  const auto& resp = r.as<v10::PollResponse>();
  BOOST_TEST(resp.in_response_to == "501");
  BOOST_TEST(resp.feed_name == "default");
  // 1.0 has no multi-part: at most part_size blocks, the end narrowed to the last one.
  BOOST_TEST_REQUIRE(resp.content_blocks.size() == 5u);
  BOOST_TEST(resp.content_blocks[0].content.xml == as_received(stix(2)).xml);
  BOOST_TEST((resp.inclusive_end == resp.content_blocks[4].timestamp_label.value()));
  BOOST_TEST(resp.inclusive_begin.has_value());  // 1.1 exclusive X -> 1.0 inclusive X + 1 us
  BOOST_TEST(resp.inclusive_begin->micros() == p.exclusive_begin->micros() + 1);
  p.message_id = "502";
  p.exclusive_begin = resp.inclusive_end;
  Reply rest = client.send("/services/poll", p);
  check_headers(rest, Version::V10);
  BOOST_TEST_REQUIRE(rest.as<v10::PollResponse>().content_blocks.size() == 1u);
  BOOST_TEST(rest.as<v10::PollResponse>().content_blocks[0].content.xml == as_received(stix(7)).xml);
}

BOOST_AUTO_TEST_CASE(poll_content_binding_filter) {
  BOOST_TEST(inbox({}, {stix(1)}, kStix111).status_type() == "SUCCESS");
  BOOST_TEST(inbox({}, {stix(2)}, kStix12).status_type() == "SUCCESS");
  auto p = poll11("default");
  p.poll_parameters->content_bindings = {{kStix12, {}}};
  auto r = poll(p);
  BOOST_TEST_REQUIRE(r.content_blocks.size() == 1u);
  BOOST_TEST(r.content_blocks[0].binding_id == kStix12);
  BOOST_TEST(r.record_count->count == 1u);
  p.poll_parameters->content_bindings = {{std::string(urn::kCap12), {}}};
  Reply u = client.send("/services/poll", p);
  BOOST_TEST(u.status_type() == "UNSUPPORTED_CONTENT");
  BOOST_TEST(u.as<v11::StatusMessage>().details.size() == 5u);
  // 1.0 Content_Binding list.
  v10::PollRequest p10;
  p10.message_id = "77";
  p10.feed_name = "default";
  p10.content_bindings = {kStix111};
  Reply r10 = client.send("/services/poll", p10);
  check_headers(r10, Version::V10);
  BOOST_TEST_REQUIRE(r10.as<v10::PollResponse>().content_blocks.size() == 1u);
  BOOST_TEST(r10.as<v10::PollResponse>().content_blocks[0].binding == kStix111);
}

BOOST_AUTO_TEST_CASE(poll_count_only) {
  for (int i = 0; i < 3; ++i) BOOST_TEST(inbox({}, {stix(i), stix(i + 10)}).status_type() == "SUCCESS");
  auto p = poll11("default");
  p.poll_parameters->response_type = v11::ResponseType::CountOnly;
  auto r = poll(p);
  BOOST_TEST(r.content_blocks.empty());
  BOOST_TEST_REQUIRE(r.record_count.has_value());
  BOOST_TEST(r.record_count->count == 6u);
  BOOST_TEST(!r.record_count->partial);
  BOOST_TEST(!r.more);
}

BOOST_AUTO_TEST_CASE(poll_multipart_and_fulfillment) {
  std::vector<Mixed> contents;
  for (int i = 1; i <= 12; ++i) contents.push_back(stix(i));
  BOOST_TEST(inbox({}, contents).status_type() == "SUCCESS");
  auto first = poll(poll11("default"));
  BOOST_TEST(first.more);
  BOOST_TEST_REQUIRE(first.result_id.has_value());
  BOOST_TEST(first.result_part_number == 1u);
  BOOST_TEST(first.record_count->count == 12u);
  BOOST_TEST_REQUIRE(first.content_blocks.size() == 5u);
  std::vector<Mixed> got;
  for (const auto& b : first.content_blocks) got.push_back(b.content);
  for (uint64_t part : {2u, 3u}) {
    const v11::PollFulfillment f = fulfillment11("default", *first.result_id, part);
    Reply r = client.send("/services/poll", f);
    check_headers(r, Version::V11);
    const auto& pr = r.as<v11::PollResponse>();
    BOOST_TEST(pr.in_response_to == f.message_id);
    BOOST_TEST(pr.result_part_number == part);
    BOOST_TEST(pr.more == (part < 3));
    BOOST_TEST(pr.result_id.value_or("") == *first.result_id);
    BOOST_TEST((pr.inclusive_end == first.inclusive_end));
    for (const auto& b : pr.content_blocks) got.push_back(b.content);
  }
  BOOST_TEST_REQUIRE(got.size() == 12u);
  for (int i = 0; i < 12; ++i) BOOST_TEST(got[i].xml == as_received(stix(i + 1)).xml);

  // Any part may be fetched again (Services 1.1 §3.6.1).
  v11::PollFulfillment again;
  again.message_id = next_id();
  again.collection_name = "default";
  again.result_id = *first.result_id;
  again.result_part_number = 1;
  Reply a = client.send("/services/poll", again);
  BOOST_TEST_REQUIRE(std::holds_alternative<v11::PollResponse>(*a.message));
  BOOST_TEST(a.as<v11::PollResponse>().content_blocks.size() == 5u);
}

BOOST_AUTO_TEST_SUITE_END()
