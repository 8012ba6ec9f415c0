// Durability of push delivery (issue #6; docs/subscriptions.md "Exactly once"): 10,000 blocks
// stream into a source taxiid whose subscription pushes them to a subscriber taxiid's Inbox,
// while the subscriber (first case) or the source (second case) is killed with SIGKILL and
// restarted mid-stream. Afterwards the subscriber's collection must hold every block exactly
// once, in order. The source's outbox (a cursor in its store, advanced only after SUCCESS)
// makes delivery at-least-once across crashes; the subscriber's inbox skips blocks it already
// received from that subscription, which makes it exactly-once.
#define BOOST_TEST_MODULE wire_push_durability
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "core/urn.hpp"
#include "tests/wire/wire_support.hpp"

using namespace taxii;
using namespace taxii::wire;
using std::chrono::seconds;

namespace {

constexpr int kBlocks = 10000;
constexpr int kPerInboxMessage = 100;

ServerSpec spec(bool source) {
  ServerSpec s;
  s.part_size = 1000;
  if (source)
    s.extra_yaml =
        "push:\n  max_blocks: 50\n  interval_ms: 50\n  retry_initial_ms: 100\n  retry_max: 1\n  timeout: 5\n"
        "  lease: 6\n";
  return s;
}

std::string block_text(int i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "block-%06d", i);
  return buf;
}

// Sends blocks [from, to) to the source's inbox, kPerInboxMessage per message.
void stream(uint16_t port, int from, int to) {
  Client c(port);
  for (int i = from; i < to; i += kPerInboxMessage) {
    std::vector<Mixed> contents;
    for (int k = i; k < std::min(to, i + kPerInboxMessage); ++k) contents.push_back(Mixed::text(block_text(k)));
    Reply r = c.send("/services/inbox", inbox11({}, contents));
    BOOST_TEST_REQUIRE(r.status_type() == "SUCCESS", r.body);
  }
}

uint64_t count(uint16_t port) {
  try {
    Client c(port);
    auto p = poll11("default");
    p.poll_parameters->response_type = v11::ResponseType::CountOnly;
    Reply r = c.send("/services/poll", p);
    if (!r.message || !std::holds_alternative<v11::PollResponse>(*r.message)) return 0;
    return r.as<v11::PollResponse>().record_count->count;
  } catch (const std::exception&) {
    return 0;  // restarting
  }
}

bool wait_count(uint16_t port, uint64_t at_least, seconds deadline) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < until) {
    if (count(port) >= at_least) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

// Every block of the subscriber's collection, in label order (following every part).
std::vector<std::string> everything(uint16_t port) {
  Client c(port);
  std::vector<std::string> out;
  Reply r = c.send("/services/poll", poll11("default"));
  BOOST_TEST_REQUIRE(std::holds_alternative<v11::PollResponse>(*r.message), r.body);
  for (uint64_t part = 1;; ++part) {
    const auto& p = r.as<v11::PollResponse>();
    for (const auto& b : p.content_blocks) out.push_back(b.content.text_value());
    if (!p.more) break;
    r = c.send("/services/poll", fulfillment11("default", *p.result_id, part + 1));
    BOOST_TEST_REQUIRE(std::holds_alternative<v11::PollResponse>(*r.message), r.body);
  }
  return out;
}

void subscribe(uint16_t source_port, uint16_t subscriber_port) {
  Client c(source_port);
  v11::ManageCollectionSubscriptionRequest r;
  r.message_id = next_id();
  r.action = v11::SubscriptionAction::Subscribe;
  r.collection_name = "default";
  r.subscription_parameters = v11::SubscriptionParameters{};
  r.push_parameters = v11::PushParameters{std::string(urn::kProtocolHttp),
                                          "http://127.0.0.1:" + std::to_string(subscriber_port) + "/services/inbox",
                                          std::string(urn::kMessageXml11)};
  Reply reply = c.send("/services/collection-management", r);
  BOOST_TEST_REQUIRE(std::holds_alternative<v11::ManageCollectionSubscriptionResponse>(*reply.message), reply.body);
}

// Exactly once and in order: block-000000 ... block-009999.
void check_exactly_once(uint16_t subscriber_port, const std::string& logs) {
  const auto got = everything(subscriber_port);
  std::size_t mismatches = 0;
  for (std::size_t i = 0; i < std::min<std::size_t>(got.size(), kBlocks); ++i)
    if (got[i] != block_text(static_cast<int>(i))) ++mismatches;
  BOOST_TEST_MESSAGE("subscriber holds " << got.size() << " blocks; " << mismatches << " out of place");
  BOOST_TEST(got.size() == std::size_t{kBlocks}, logs);
  BOOST_TEST(mismatches == 0u);
}

int occurrences(const std::string& text, const std::string& needle) {
  int n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

// Inbox answers that report skipped re-sent blocks (inbox_service.hpp), in every log of the
// subscriber (taxiid.log.N are the logs of its previous runs).
int skipped_lines(const TaxiidProcess& p) {
  int n = occurrences(p.log(), "were skipped");
  for (int i = 1; i < 10; ++i) {
    std::ifstream in(p.dir().file("taxiid.log." + std::to_string(i)));
    if (!in) break;
    std::stringstream ss;
    ss << in.rdbuf();
    n += occurrences(ss.str(), "were skipped");
  }
  return n;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(durability)

BOOST_AUTO_TEST_CASE(subscriber_killed_and_restarted_mid_stream) {
  TaxiidProcess subscriber(spec(false));
  TaxiidProcess source(spec(true));
  subscribe(source.http_port(), subscriber.http_port());
  std::thread streamer([&] { stream(source.http_port(), 0, kBlocks); });
  BOOST_TEST_REQUIRE(wait_count(subscriber.http_port(), 2000, seconds(120)), source.log());
  const uint64_t at_kill = count(subscriber.http_port());
  subscriber.kill_hard();
  std::this_thread::sleep_for(seconds(1));  // the source fails and backs off meanwhile
  subscriber.restart();
  streamer.join();
  BOOST_TEST_REQUIRE(wait_count(subscriber.http_port(), kBlocks, seconds(180)), source.log());
  std::this_thread::sleep_for(seconds(2));  // anything duplicated would land by now
  const std::string log = source.log();
  BOOST_TEST_MESSAGE("killed the subscriber at " << at_kill << " blocks; the source logged "
                                                 << occurrences(log, "event=push_failed") << " failed pushes");
  BOOST_TEST(occurrences(log, "event=push_failed") >= 1);
  BOOST_TEST_MESSAGE("re-sent blocks the subscriber skipped: " << skipped_lines(subscriber) << " message(s)");
  check_exactly_once(subscriber.http_port(), log);
  BOOST_TEST(subscriber.terminate() == 0);
  BOOST_TEST(source.terminate() == 0);
}

BOOST_AUTO_TEST_CASE(source_killed_and_restarted_mid_stream) {
  TaxiidProcess subscriber(spec(false));
  TaxiidProcess source(spec(true));
  subscribe(source.http_port(), subscriber.http_port());
  stream(source.http_port(), 0, kBlocks / 2);
  BOOST_TEST_REQUIRE(wait_count(subscriber.http_port(), 2000, seconds(120)), source.log());
  const uint64_t at_kill = count(subscriber.http_port());
  source.kill_hard();  // mid-delivery: its last batch may have been stored but not acknowledged
  source.restart();    // its outbox cursor is in its store; the dead worker's lease expires
  stream(source.http_port(), kBlocks / 2, kBlocks);
  BOOST_TEST_REQUIRE(wait_count(subscriber.http_port(), kBlocks, seconds(180)), source.log());
  std::this_thread::sleep_for(seconds(2));
  BOOST_TEST_MESSAGE("killed the source at " << at_kill << " delivered blocks; re-sent blocks the subscriber "
                                               "skipped: " << skipped_lines(subscriber) << " message(s)");
  check_exactly_once(subscriber.http_port(), source.log());
  BOOST_TEST(subscriber.terminate() == 0);
  BOOST_TEST(source.terminate() == 0);
}

BOOST_AUTO_TEST_SUITE_END()
