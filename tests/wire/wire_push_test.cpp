// Wire tests of push delivery and asynchronous polls (issue #6): a real taxiid pushes to a
// recording inbox in the test (HTTP; XML 1.1 and 1.0) and to a second taxiid over HTTPS;
// batches, Source_Subscription windows, COUNT_ONLY, retries after non-SUCCESS answers (with
// the failures counted in the log), PAUSE/RESUME/UNSUBSCRIBE, TLS verification, and
// asynchronous polls answered PENDING, then fetched with Poll_Fulfillment or pushed.
#define BOOST_TEST_MODULE wire_push
#include <boost/test/unit_test.hpp>

#include <regex>

#include <Poco/Exception.h>

#include "core/urn.hpp"
#include "tests/wire/recording_inbox.hpp"
#include "tests/wire/wire_support.hpp"

using namespace taxii;
using namespace taxii::wire;
using namespace taxii::wire::timing;
using std::chrono::seconds;

namespace {

using namespace ids;
const std::string kFastPush =
    "push:\n  max_blocks: 2\n  interval_ms: 100\n  retry_initial_ms: 100\n  retry_max: 1\n  timeout: 5\n"
    "  lease: 10\n";

ServerSpec source_spec(std::string push = kFastPush) {
  ServerSpec s;
  s.extra_yaml = std::move(push);
  return s;
}

v11::ManageCollectionSubscriptionRequest subscribe_request(const std::string& address, const std::string& protocol = kHttp,
                                                           v11::ResponseType type = v11::ResponseType::Full) {
  v11::ManageCollectionSubscriptionRequest r;
  r.message_id = next_id();
  r.action = v11::SubscriptionAction::Subscribe;
  r.collection_name = "default";
  r.subscription_parameters = v11::SubscriptionParameters{};
  r.subscription_parameters->response_type = type;
  r.push_parameters = v11::PushParameters{protocol, address, kXml11};
  return r;
}

std::string subscribe(Client& c, const v11::ManageCollectionSubscriptionRequest& r) {
  Reply reply = c.send("/services/collection-management", r);
  BOOST_TEST_REQUIRE(reply.message.has_value(), reply.parse_error);
  BOOST_TEST_REQUIRE(std::holds_alternative<v11::ManageCollectionSubscriptionResponse>(*reply.message), reply.body);
  return reply.as<v11::ManageCollectionSubscriptionResponse>().subscriptions.at(0).subscription_id;
}

void manage(Client& c, v11::SubscriptionAction a, const std::string& id) {
  v11::ManageCollectionSubscriptionRequest r;
  r.message_id = next_id();
  r.action = a;
  r.collection_name = "default";
  r.subscription_id = id;
  Reply reply = c.send("/services/collection-management", r);
  BOOST_TEST_REQUIRE(std::holds_alternative<v11::ManageCollectionSubscriptionResponse>(*reply.message), reply.body);
}

void inbox(Client& c, const std::vector<std::string>& texts) {
  std::vector<Mixed> contents;
  for (const auto& t : texts) contents.push_back(Mixed::text(t));
  BOOST_TEST_REQUIRE(c.send("/services/inbox", inbox11({}, contents)).status_type() == "SUCCESS");
}

std::vector<std::string> texts(const std::vector<v11::ContentBlock>& blocks) {
  std::vector<std::string> out;
  for (const auto& b : blocks) out.push_back(b.content.text_value());
  return out;
}

const v11::InboxMessage& inbox_of(const RecordingInbox::Received& r) { return std::get<v11::InboxMessage>(*r.message); }

uint64_t accepted_blocks(const std::vector<RecordingInbox::Received>& rs) {
  uint64_t n = 0;
  for (const auto& r : rs)
    if (r.accepted && r.message && std::holds_alternative<v11::InboxMessage>(*r.message))
      n += inbox_of(r).content_blocks.size();
  return n;
}

std::vector<std::string> poll_texts(Client& c, const std::string& collection) {
  Reply r;
  try {
    r = c.send("/services/poll", poll11(collection));
  } catch (const Poco::Exception& e) {
    BOOST_TEST_MESSAGE("poll failed: " << e.displayText());
    return {"(poll failed)"};
  }
  if (!r.message || !std::holds_alternative<v11::PollResponse>(*r.message)) return {};
  return texts(r.as<v11::PollResponse>().content_blocks);
}

// What this suite waits for (pushes, asynchronous results) comes within 30 s.
bool soon(const std::function<bool()>& f) { return eventually(f, seconds(30)); }

// Part `part` of the asynchronous result `result_id` of "default", asked for again while PENDING.
Reply ready_part(Client& c, const std::string& result_id, uint64_t part) {
  v11::PollFulfillment f = fulfillment11("default", result_id, part);
  Reply answer;
  BOOST_TEST_REQUIRE(soon([&] {
    f.message_id = next_id();
    answer = c.send("/services/poll", f);
    return answer.status_type() != "PENDING";
  }));
  return answer;
}

std::vector<std::string> details(const Reply& r, const std::string& name) {
  std::vector<std::string> out;
  if (r.message)
    if (auto* s = std::get_if<v11::StatusMessage>(&*r.message))
      for (const auto& d : s->details)
        if (d.name == name) out.push_back(d.value.text_value());
  return out;
}

int count_of(const std::string& text, const std::string& needle) {
  int n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

struct Source {
  TaxiidProcess server;
  Client client{server.http_port()};
  explicit Source(const ServerSpec& spec = source_spec()) : server(spec) {}
  ~Source() {
    const int status = server.terminate();
    BOOST_TEST(status == 0, "taxiid exit status " << status << "\n" << server.log());
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(push)

BOOST_AUTO_TEST_CASE(batches_windows_and_retries_over_xml_11) {
  RecordingInbox sink;
  Source src;
  const std::string id = subscribe(src.client, subscribe_request(sink.url()));
  sink.refuse(2);  // the first batch is answered FAILURE twice, then SUCCESS
  inbox(src.client, {"b1", "b2", "b3", "b4", "b5"});
  BOOST_TEST_REQUIRE(sink.wait([](const auto& rs) { return accepted_blocks(rs) >= 5; }), src.server.log());
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // nothing more may come

  const auto all = sink.received();
  BOOST_TEST_REQUIRE(all.size() == 5u);  // 2 refused + 3 accepted batches of max_blocks = 2
  for (const auto& r : all) BOOST_TEST(r.taxii_content_type == kXml11);
  BOOST_TEST(!all[0].accepted);
  BOOST_TEST(!all[1].accepted);
  BOOST_TEST((texts(inbox_of(all[0]).content_blocks) == texts(inbox_of(all[2]).content_blocks)));  // the same batch again
  const auto ok = sink.accepted();
  BOOST_TEST_REQUIRE(ok.size() == 3u);
  std::vector<std::string> got;
  std::optional<Timestamp> previous_end;
  for (std::size_t i = 0; i < ok.size(); ++i) {
    const auto& m = inbox_of(ok[i]);
    BOOST_TEST_REQUIRE(m.source_subscription.has_value());
    const auto& src_sub = *m.source_subscription;
    BOOST_TEST(src_sub.collection_name == "default");
    BOOST_TEST(src_sub.subscription_id == id);
    // Services 1.1 §4.4.10: windows chain (begin = the previous end), end = the last label.
    BOOST_TEST((src_sub.exclusive_begin == previous_end));
    BOOST_TEST_REQUIRE(src_sub.inclusive_end.has_value());
    BOOST_TEST((*src_sub.inclusive_end == *m.content_blocks.back().timestamp_label));
    BOOST_TEST(m.record_count->count == m.content_blocks.size());
    previous_end = src_sub.inclusive_end;
    for (const auto& t : texts(m.content_blocks)) got.push_back(t);
  }
  BOOST_TEST((got == std::vector<std::string>{"b1", "b2", "b3", "b4", "b5"}));

  // Failures are logged and counted.
  BOOST_TEST_REQUIRE(soon([&] { return src.server.log().find("event=push_metrics") != std::string::npos &&
                                             src.server.log().find("failures=2") != std::string::npos; }),
                     src.server.log());
  const std::string log = src.server.log();
  BOOST_TEST(count_of(log, "event=push_failed") == 2);
  BOOST_TEST(log.find("attempt=2") != std::string::npos);
  BOOST_TEST(std::regex_search(log, std::regex("event=push_metrics messages=3 blocks=5 failures=2")), log);
}

BOOST_AUTO_TEST_CASE(xml_10_count_only_pause_resume_unsubscribe) {
  RecordingInbox sink;
  Source src;
  // A TAXII 1.0 subscription: pushes go out in XML 1.0.
  v10::ManageFeedSubscriptionRequest s10;
  s10.message_id = "500";
  s10.action = v10::SubscriptionAction::Subscribe;
  s10.feed_name = "default";
  s10.push_parameters = v10::PushParameters{kHttp, sink.url(), kXml10, {}};
  Reply r = src.client.send("/services/collection-management", s10);
  BOOST_TEST_REQUIRE(std::holds_alternative<v10::ManageFeedSubscriptionResponse>(*r.message), r.body);
  const std::string id10 = r.as<v10::ManageFeedSubscriptionResponse>().subscriptions.at(0).subscription_id;
  const std::string counting =
      subscribe(src.client, subscribe_request(sink.url(), kHttp, v11::ResponseType::CountOnly));

  inbox(src.client, {"c1", "c2", "c3"});
  const auto has = [](const auto& rs, bool v10, uint64_t count) {
    for (const auto& x : rs) {
      if (!x.message) continue;
      if (v10 && std::holds_alternative<v10::InboxMessage>(*x.message) &&
          std::get<v10::InboxMessage>(*x.message).content_blocks.size() == count)
        return true;
      if (!v10 && std::holds_alternative<v11::InboxMessage>(*x.message) &&
          std::get<v11::InboxMessage>(*x.message).record_count->count == count)
        return true;
    }
    return false;
  };
  BOOST_TEST_REQUIRE(sink.wait([&](const auto& rs) { return has(rs, true, 1) && has(rs, false, 3); }), src.server.log());
  std::optional<Timestamp> count_end;
  for (const auto& x : sink.received()) {
    if (std::holds_alternative<v10::InboxMessage>(*x.message)) {
      BOOST_TEST(x.taxii_content_type == kXml10);
      const auto& m = std::get<v10::InboxMessage>(*x.message);
      BOOST_TEST_REQUIRE(m.source_subscription.has_value());
      BOOST_TEST(m.source_subscription->feed_name == "default");
      BOOST_TEST(m.source_subscription->subscription_id.value_or("") == id10);
      BOOST_TEST((m.source_subscription->inclusive_end == *m.content_blocks.back().timestamp_label));
    } else {
      const auto& m = std::get<v11::InboxMessage>(*x.message);  // COUNT_ONLY: the count, no content
      BOOST_TEST(m.content_blocks.empty());
      BOOST_TEST(m.source_subscription->subscription_id == counting);
      count_end = m.source_subscription->inclusive_end;
    }
  }

  // Paused: nothing is pushed; RESUME delivers what arrived meanwhile (Services 1.1 §5.4.2).
  manage(src.client, v11::SubscriptionAction::Pause, counting);
  const std::size_t before = sink.received().size();
  inbox(src.client, {"c4", "c5"});
  BOOST_TEST_REQUIRE(sink.wait([&](const auto& rs) { return rs.size() >= before + 1; }));  // the 1.0 one
  std::this_thread::sleep_for(seconds(1));
  BOOST_TEST(sink.received().size() == before + 1);
  manage(src.client, v11::SubscriptionAction::Resume, counting);
  BOOST_TEST_REQUIRE(sink.wait([&](const auto& rs) { return rs.size() >= before + 2; }), src.server.log());
  const auto resumed = std::get<v11::InboxMessage>(*sink.received().back().message);
  BOOST_TEST(resumed.record_count->count == 2u);
  BOOST_TEST((resumed.source_subscription->exclusive_begin == count_end));

  // Unsubscribed: nothing more for it.
  manage(src.client, v11::SubscriptionAction::Unsubscribe, counting);
  inbox(src.client, {"c6"});
  BOOST_TEST_REQUIRE(sink.wait([&](const auto& rs) { return rs.size() >= before + 3; }));  // the 1.0 one
  std::this_thread::sleep_for(seconds(1));
  BOOST_TEST(sink.received().size() == before + 3);
  BOOST_TEST(std::holds_alternative<v10::InboxMessage>(*sink.received().back().message));
}

BOOST_AUTO_TEST_CASE(over_https_to_a_taxiid_with_verified_certificates) {
  ServerSpec sub_spec;
  sub_spec.tls = true;
  TaxiidProcess subscriber(sub_spec);
  Client sub_client(subscriber.http_port());
  const std::string inbox_url = "https://127.0.0.1:" + std::to_string(subscriber.https_port()) + "/services/inbox";
  {
    // Trusting the subscriber's CA: delivered, into the subscriber's own store.
    Source src(source_spec(kFastPush + "  ca: " + subscriber.pki().ca + "\n"));
    (void)subscribe(src.client, subscribe_request(inbox_url, kHttps));
    inbox(src.client, {"tls-1", "tls-2", "tls-3"});
    BOOST_TEST_REQUIRE(soon([&] { return poll_texts(sub_client, "default").size() == 3u; }), src.server.log());
    BOOST_TEST((poll_texts(sub_client, "default") == std::vector<std::string>{"tls-1", "tls-2", "tls-3"}));
  }
  {
    // Not trusting it (the system CAs only): the certificate does not verify, nothing is
    // delivered, the failures are logged and retried.
    Source src;
    (void)subscribe(src.client, subscribe_request(inbox_url, kHttps));
    inbox(src.client, {"untrusted"});
    BOOST_TEST_REQUIRE(soon([&] { return count_of(src.server.log(), "event=push_failed") >= 2; }),
                       src.server.log());
    BOOST_TEST(poll_texts(sub_client, "default").size() == 3u);
  }
  BOOST_TEST(subscriber.terminate() == 0, subscriber.log());
}

BOOST_AUTO_TEST_CASE(asynchronous_polls_pulled_and_pushed) {
  RecordingInbox sink;
  ServerSpec spec = source_spec();
  spec.part_size = 2;
  spec.poll_yaml = "  async_threshold: 3\n";
  Source src(spec);
  inbox(src.client, {"p1", "p2", "p3", "p4", "p5"});

  // allow_asynch false: never PENDING (Services 1.1 §3.6.2).
  auto sync = poll11("default");
  Reply r = src.client.send("/services/poll", sync);
  BOOST_TEST_REQUIRE(std::holds_alternative<v11::PollResponse>(*r.message), r.body);

  // allow_asynch true, 5 >= async_threshold blocks: PENDING with the three required details.
  auto async = poll11("default");
  async.poll_parameters->allow_asynch = true;
  r = src.client.send("/services/poll", async);
  BOOST_TEST_REQUIRE(r.status_type() == "PENDING", r.body);
  BOOST_TEST(r.in_response_to() == async.message_id);
  BOOST_TEST(std::stoi(details(r, "ESTIMATED_WAIT").at(0)) >= 1);
  BOOST_TEST(details(r, "WILL_PUSH").at(0) == "false");
  const std::string result_id = details(r, "RESULT_ID").at(0);
  // Pull: PENDING until built, then the parts.
  std::vector<std::string> got;
  for (uint64_t part = 1;; ++part) {
    const Reply answer = ready_part(src.client, result_id, part);
    BOOST_TEST_REQUIRE(std::holds_alternative<v11::PollResponse>(*answer.message), answer.body);
    const auto& p = answer.as<v11::PollResponse>();
    BOOST_TEST(p.result_id.value_or("") == result_id);
    BOOST_TEST(p.record_count->count == 5u);
    for (const auto& t : texts(p.content_blocks)) got.push_back(t);
    if (!p.more) break;
    BOOST_TEST_REQUIRE(part < 5u);
  }
  BOOST_TEST((got == std::vector<std::string>{"p1", "p2", "p3", "p4", "p5"}));

  // Push: WILL_PUSH=true; each part arrives as an Inbox_Message carrying @result_id.
  auto pushed = poll11("default");
  pushed.poll_parameters->allow_asynch = true;
  pushed.poll_parameters->delivery_parameters = v11::PushParameters{kHttp, sink.url(), kXml11};
  r = src.client.send("/services/poll", pushed);
  BOOST_TEST_REQUIRE(r.status_type() == "PENDING", r.body);
  BOOST_TEST(details(r, "WILL_PUSH").at(0) == "true");
  const std::string pushed_id = details(r, "RESULT_ID").at(0);
  BOOST_TEST_REQUIRE(sink.wait([](const auto& rs) { return accepted_blocks(rs) >= 5; }), src.server.log());
  got.clear();
  for (const auto& x : sink.accepted()) {
    const auto& m = inbox_of(x);
    BOOST_TEST(m.result_id.value_or("") == pushed_id);
    BOOST_TEST(m.record_count->count == 5u);
    BOOST_TEST(!m.source_subscription.has_value());
    for (const auto& t : texts(m.content_blocks)) got.push_back(t);
  }
  BOOST_TEST((got == std::vector<std::string>{"p1", "p2", "p3", "p4", "p5"}));

  // Unusable delivery parameters are ignored, not an error (Services 1.1 §4.4.8).
  pushed.message_id = next_id();
  pushed.poll_parameters->delivery_parameters = v11::PushParameters{kHttp, "ftp://127.0.0.1/x", kXml11};
  r = src.client.send("/services/poll", pushed);
  BOOST_TEST(r.status_type() == "PENDING");
  BOOST_TEST(details(r, "WILL_PUSH").at(0) == "false");
  // Below the threshold: answered at once.
  auto few = poll11("default");
  few.poll_parameters->allow_asynch = true;
  few.poll_parameters->content_bindings = {{std::string(urn::kStix10), {}}};
  r = src.client.send("/services/poll", few);
  BOOST_TEST(std::holds_alternative<v11::PollResponse>(*r.message), r.body);
  // COUNT_ONLY asynchronously: one part with the count.
  auto counting = poll11("default");
  counting.poll_parameters->allow_asynch = true;
  counting.poll_parameters->response_type = v11::ResponseType::CountOnly;
  r = src.client.send("/services/poll", counting);
  BOOST_TEST_REQUIRE(r.status_type() == "PENDING");
  const Reply counted = ready_part(src.client, details(r, "RESULT_ID").at(0), 1);
  BOOST_TEST_REQUIRE(std::holds_alternative<v11::PollResponse>(*counted.message), counted.body);
  BOOST_TEST(counted.as<v11::PollResponse>().record_count->count == 5u);
  BOOST_TEST(counted.as<v11::PollResponse>().content_blocks.empty());
  // An unknown result id.
  BOOST_TEST(src.client.send("/services/poll", fulfillment11("default", "urn:uuid:00000000-0000-4000-8000-000000000002", 1))
                 .status_type() == "NOT_FOUND");
  BOOST_TEST(src.server.log().find("event=async_built") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
