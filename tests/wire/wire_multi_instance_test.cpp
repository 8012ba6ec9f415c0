// Several taxiid instances serving one hub (issue #8): two real taxiid processes on 127.0.0.1
// sharing one PostgreSQL store (a fresh schema on TAXII_TEST_POSTGRES_URI), spoken to over HTTP.
//   - 8 clients spread over both instances ingest concurrently while a poller polls
//     incrementally (Exclusive_Begin_Timestamp = the last label seen), alternating instances:
//     every acknowledged block is polled exactly once, labels strictly increasing
//     (Services 1.1 §4.1.4; docs/storage.md "Why commit order matters").
//   - A multi-part poll started on one instance is continued (Poll_Fulfillment) on the other;
//     an asynchronous poll (PENDING, Services 1.1 §3.6.2) too. Every part is the same message
//     from either instance, apart from its message ids.
//   - A subscription created on one instance is served by the other; its push outbox is
//     continued by the other when the first is killed (SIGKILL).
//   - `taxiid --check-config` reaches the PostgreSQL store: exit 0, or 1 with libpq's reason.
// Without TAXII_TEST_POSTGRES_URI the test prints "SKIP ..." and exits 77 (CTest: skipped).
#define BOOST_TEST_MODULE wire_multi_instance
#include <boost/test/unit_test.hpp>

#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "bindings/xml/message_binding.hpp"
#include "core/urn.hpp"
#include "storage/store.hpp"
#include "storage/test_store.hpp"
#include "tests/wire/recording_inbox.hpp"
#include "tests/wire/wire_support.hpp"

using namespace taxii;
using namespace taxii::wire;
using namespace taxii::wire::timing;
using std::chrono::seconds;
namespace testing = taxii::storage::testing;

namespace {

using namespace ids;

// Skip (exit 77) before the first case when there is no database to share.
struct RequirePostgres {
  RequirePostgres() {
    if (!testing::postgres_uri().empty()) return;
    std::puts("SKIP wire_multi_instance_test: TAXII_TEST_POSTGRES_URI is not set");
    std::fflush(stdout);
    std::_Exit(testing::kSkipExitCode);
  }
} require_postgres;

// Two instances on one fresh schema. The push settings let the second instance take over a
// dead one's outbox claim within seconds (push.lease).
struct Hub {
  explicit Hub(uint64_t part_size = 5, std::string poll_yaml = {}) : schema("multi") {
    ServerSpec s;
    s.storage_uri = schema.uri();
    s.part_size = part_size;
    s.poll_yaml = std::move(poll_yaml);
    s.threads = 8;
    s.extra_yaml =
        "push:\n  max_blocks: 4\n  interval_ms: 100\n  retry_initial_ms: 100\n  timeout: 2\n  lease: 3\n";
    a = std::make_unique<TaxiidProcess>(s);
    b = std::make_unique<TaxiidProcess>(s);
  }
  ~Hub() {
    for (auto* p : {a.get(), b.get()}) {
      if (!p->running()) continue;
      const int status = p->terminate();
      BOOST_TEST(status == 0, "taxiid exit status " << status << "\n" << p->log());
    }
    b.reset();
    a.reset();
  }
  TaxiidProcess& instance(std::size_t i) { return i % 2 == 0 ? *a : *b; }

  testing::ScratchSchema schema;  // outlives both processes
  std::unique_ptr<TaxiidProcess> a;
  std::unique_ptr<TaxiidProcess> b;
};

std::vector<Mixed> texts_to_mixed(const std::vector<std::string>& texts) {
  std::vector<Mixed> out;
  for (const auto& t : texts) out.push_back(Mixed::text(t));
  return out;
}

std::string inbox(Client& c, const std::vector<std::string>& texts) {
  return c.send("/services/inbox", inbox11({}, texts_to_mixed(texts))).status_type();
}

v11::PollResponse as_poll_response(const Reply& r) {
  BOOST_TEST_REQUIRE(r.message.has_value(), r.parse_error << "\n" << r.body);
  BOOST_TEST_REQUIRE(std::holds_alternative<v11::PollResponse>(*r.message), r.body);
  return r.as<v11::PollResponse>();
}

v11::PollFulfillment fulfillment(const std::string& result_id, uint64_t part) {
  return fulfillment11("default", result_id, part);
}

// A Poll_Response as bytes, with the ids that differ per request fixed.
std::string normalized(v11::PollResponse p) {
  p.message_id = "0";
  p.in_response_to = "0";
  return xml::serialize_any(Message{p}).value();
}

struct Polled {
  std::string text;
  Timestamp label;
};

// Every block after `after` (all when nullopt): a Poll_Request to clients[0], then its parts,
// each Poll_Fulfillment to the next client in turn (so parts alternate between instances).
std::vector<Polled> poll_after(std::vector<Client*> clients, std::optional<Timestamp> after) {
  auto p = poll11("default");
  p.exclusive_begin = after;
  auto first = as_poll_response(clients[0]->send("/services/poll", p));
  std::vector<Polled> out;
  auto take = [&](const v11::PollResponse& r) {
    for (const auto& b : r.content_blocks) out.push_back({b.content.text_value(), b.timestamp_label.value()});
  };
  take(first);
  for (uint64_t part = 2; first.more; ++part) {
    BOOST_TEST_REQUIRE(first.result_id.has_value());
    BOOST_TEST_REQUIRE(part < 100000u);
    auto r = as_poll_response(clients[(part - 1) % clients.size()]->send("/services/poll",
                                                                        fulfillment(*first.result_id, part)));
    BOOST_TEST_REQUIRE(r.result_part_number == part);
    take(r);
    if (!r.more) break;
  }
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(eight_clients_on_two_instances_every_acknowledged_block_polled_once_in_label_order) {
  Hub hub(/*part_size=*/50);
  constexpr int kClients = 8;
  constexpr int kMessages = 40;  // per client; message m carries 1 + m % 4 blocks
  std::mutex mu;
  std::set<std::string> acknowledged;
  std::vector<std::string> failures;
  std::atomic<int> writers{kClients};

  std::vector<std::thread> threads;
  for (int c = 0; c < kClients; ++c)
    threads.emplace_back([&, c] {
      Client client(hub.instance(c).http_port());
      for (int m = 0; m < kMessages; ++m) {
        std::vector<std::string> texts;
        for (int k = 0; k <= m % 4; ++k)
          texts.push_back("client " + std::to_string(c) + " message " + std::to_string(m) + " block " + std::to_string(k));
        std::string status;
        try {
          status = inbox(client, texts);
        } catch (const std::exception& e) {
          status = e.what();
        }
        std::lock_guard<std::mutex> lock(mu);
        if (status == "SUCCESS") acknowledged.insert(texts.begin(), texts.end());
        else failures.push_back("client " + std::to_string(c) + ": " + status);
      }
      --writers;
    });

  // The incremental poller: alternating instances, always after the last label it saw.
  Client ca(hub.a->http_port()), cb(hub.b->http_port());
  std::vector<Polled> seen;
  std::optional<Timestamp> last;
  int polls = 0;
  auto poll_once = [&] {
    auto got = polls++ % 2 == 0 ? poll_after({&ca, &cb}, last) : poll_after({&cb, &ca}, last);
    for (const auto& p : got) {
      if (last) BOOST_TEST_REQUIRE(p.label.micros() > last->micros(), "label not increasing at " << p.text);
      last = p.label;
      seen.push_back(p);
    }
  };
  const auto deadline = std::chrono::steady_clock::now() + seconds(300);
  while (writers > 0 && std::chrono::steady_clock::now() < deadline) poll_once();
  for (auto& t : threads) t.join();
  poll_once();  // everything committed by now
  poll_once();

  BOOST_TEST(failures.empty(), failures.size() << " failed, first: " << (failures.empty() ? "" : failures[0]));
  std::map<std::string, int> times;
  for (const auto& p : seen) ++times[p.text];
  std::size_t duplicates = 0, missing = 0, unacknowledged = 0;
  for (const auto& [text, n] : times) {
    if (n > 1) ++duplicates;
    if (!acknowledged.count(text)) ++unacknowledged;
  }
  for (const auto& text : acknowledged)
    if (!times.count(text)) ++missing;
  BOOST_TEST_MESSAGE(acknowledged.size() << " blocks acknowledged, " << seen.size() << " polled in " << polls
                                         << " incremental polls");
  BOOST_TEST(acknowledged.size() == std::size_t{kClients} * (kMessages / 4) * (1 + 2 + 3 + 4));
  BOOST_TEST(duplicates == 0u);
  BOOST_TEST(missing == 0u);
  BOOST_TEST(unacknowledged == 0u);

  // A full poll on either instance: every block once, in label order, the same on both.
  for (auto* first : {&ca, &cb}) {
    auto* other = first == &ca ? &cb : &ca;
    auto all = poll_after({first, other}, std::nullopt);
    BOOST_TEST_REQUIRE(all.size() == acknowledged.size());
    for (std::size_t i = 1; i < all.size(); ++i)
      BOOST_TEST_REQUIRE(all[i].label.micros() > all[i - 1].label.micros());
    for (std::size_t i = 0; i < all.size(); ++i) {
      BOOST_TEST_REQUIRE(all[i].text == seen[i].text);
      BOOST_TEST_REQUIRE(all[i].label.micros() == seen[i].label.micros());
    }
  }
}

BOOST_AUTO_TEST_CASE(a_multipart_poll_started_on_one_instance_is_fulfilled_on_the_other) {
  Hub hub(/*part_size=*/3);
  Client ca(hub.a->http_port()), cb(hub.b->http_port());
  std::vector<std::string> texts;
  for (int i = 0; i < 11; ++i) texts.push_back("block " + std::to_string(i));
  BOOST_TEST_REQUIRE(inbox(ca, {texts.begin(), texts.begin() + 6}) == "SUCCESS");
  BOOST_TEST_REQUIRE(inbox(cb, {texts.begin() + 6, texts.end()}) == "SUCCESS");

  auto first = as_poll_response(ca.send("/services/poll", poll11("default")));
  BOOST_TEST_REQUIRE(first.more);
  BOOST_TEST_REQUIRE(first.result_id.has_value());
  BOOST_TEST(first.record_count->count == 11u);
  std::vector<std::string> got;
  for (const auto& b : first.content_blocks) got.push_back(b.content.text_value());
  for (uint64_t part = 2; part <= 4; ++part) {
    // The same part from both instances: the same message apart from the ids.
    auto from_b = as_poll_response(cb.send("/services/poll", fulfillment(*first.result_id, part)));
    auto from_a = as_poll_response(ca.send("/services/poll", fulfillment(*first.result_id, part)));
    BOOST_TEST(from_b.result_part_number == part);
    BOOST_TEST(from_b.more == (part < 4));
    BOOST_TEST((from_b.inclusive_end == first.inclusive_end));
    BOOST_TEST(normalized(from_b) == normalized(from_a));
    for (const auto& b : from_b.content_blocks) got.push_back(b.content.text_value());
  }
  BOOST_TEST((got == texts));
  // Part 1 again, from B.
  auto again = as_poll_response(cb.send("/services/poll", fulfillment(*first.result_id, 1)));
  BOOST_TEST(normalized(again) == normalized(first));
}

BOOST_AUTO_TEST_CASE(an_asynchronous_poll_started_on_one_instance_is_fulfilled_on_the_other) {
  Hub hub(/*part_size=*/2, "  async_threshold: 3\n");
  Client ca(hub.a->http_port()), cb(hub.b->http_port());
  BOOST_TEST_REQUIRE(inbox(ca, {"p1", "p2", "p3"}) == "SUCCESS");
  BOOST_TEST_REQUIRE(inbox(cb, {"p4", "p5"}) == "SUCCESS");
  auto async = poll11("default");
  async.poll_parameters->allow_asynch = true;
  Reply r = ca.send("/services/poll", async);
  BOOST_TEST_REQUIRE(r.status_type() == "PENDING", r.body);
  std::string result_id;
  for (const auto& d : r.as<v11::StatusMessage>().details)
    if (d.name == "RESULT_ID") result_id = d.value.text_value();
  BOOST_TEST_REQUIRE(!result_id.empty());
  std::vector<std::string> got;
  for (uint64_t part = 1;; ++part) {
    Reply from_b;
    BOOST_TEST_REQUIRE(eventually([&] {
      from_b = cb.send("/services/poll", fulfillment(result_id, part));
      return from_b.status_type() != "PENDING";
    }));
    auto pb = as_poll_response(from_b);
    auto pa = as_poll_response(ca.send("/services/poll", fulfillment(result_id, part)));
    BOOST_TEST(normalized(pb) == normalized(pa));
    BOOST_TEST(pb.record_count->count == 5u);
    for (const auto& b : pb.content_blocks) got.push_back(b.content.text_value());
    if (!pb.more) break;
    BOOST_TEST_REQUIRE(part < 5u);
  }
  BOOST_TEST((got == std::vector<std::string>{"p1", "p2", "p3", "p4", "p5"}));
}

BOOST_AUTO_TEST_CASE(a_subscription_made_on_one_instance_is_pushed_by_the_other_when_the_first_dies) {
  RecordingInbox sink;
  Hub hub;
  Client ca(hub.a->http_port()), cb(hub.b->http_port());
  v11::ManageCollectionSubscriptionRequest sub;
  sub.message_id = next_id();
  sub.action = v11::SubscriptionAction::Subscribe;
  sub.collection_name = "default";
  sub.subscription_parameters = v11::SubscriptionParameters{};
  sub.push_parameters = v11::PushParameters{kHttp, sink.url(), kXml11};
  Reply made = ca.send("/services/collection-management", sub);
  BOOST_TEST_REQUIRE(std::holds_alternative<v11::ManageCollectionSubscriptionResponse>(*made.message), made.body);
  const std::string id = made.as<v11::ManageCollectionSubscriptionResponse>().subscriptions.at(0).subscription_id;

  // B knows it (Manage STATUS on B).
  v11::ManageCollectionSubscriptionRequest status;
  status.message_id = next_id();
  status.action = v11::SubscriptionAction::Status;
  status.collection_name = "default";
  status.subscription_id = id;
  Reply known = cb.send("/services/collection-management", status);
  BOOST_TEST_REQUIRE(std::holds_alternative<v11::ManageCollectionSubscriptionResponse>(*known.message), known.body);
  BOOST_TEST(known.as<v11::ManageCollectionSubscriptionResponse>().subscriptions.at(0).subscription_id == id);

  // At-least-once (docs/subscriptions.md): a batch A sent but had not recorded may come again;
  // nothing is lost and the order is kept. The distinct texts, in order of first arrival:
  auto delivered = [&] {
    std::vector<std::string> out;
    for (const auto& x : sink.accepted())
      for (const auto& b : std::get<v11::InboxMessage>(*x.message).content_blocks)
        if (std::find(out.begin(), out.end(), b.content.text_value()) == out.end())
          out.push_back(b.content.text_value());
    return out;
  };
  BOOST_TEST_REQUIRE(inbox(ca, {"a1", "a2"}) == "SUCCESS");
  BOOST_TEST_REQUIRE(eventually([&] { return delivered().size() >= 2; }), hub.a->log() << hub.b->log());

  // A takes more and dies at once (SIGKILL, perhaps holding the subscription's claim, mid-send):
  // B pushes the rest (after A's lease, push.lease = 3 s, at the latest), and what B takes.
  BOOST_TEST_REQUIRE(inbox(ca, {"b1", "b2", "b3", "b4", "b5"}) == "SUCCESS");
  hub.a->kill_hard();
  BOOST_TEST_REQUIRE(inbox(cb, {"c1"}) == "SUCCESS");
  auto joined = [&] {
    std::string out;
    for (const auto& t : delivered()) out += t + " ";
    return out;
  };
  BOOST_TEST_REQUIRE(eventually([&] { return delivered().size() >= 8; }),
                     "delivered: " << joined() << "\n--- A (killed):\n" << hub.a->log() << "\n--- B:\n" << hub.b->log());
  BOOST_TEST((delivered() == std::vector<std::string>{"a1", "a2", "b1", "b2", "b3", "b4", "b5", "c1"}));
}

namespace {

// `taxiid --check-config` on a configuration with this store; exit status and output.
std::pair<int, std::string> check_config(const TempDir& dir, const std::string& store_uri) {
  const std::string file = dir.file("check.yaml");
  std::ofstream(file, std::ios::trunc) << "listeners:\n  - port: 0\nstorage: \"" << store_uri
                                       << "\"\nservices:\n  - {id: poll, type: poll, path: /poll}\n"
                                          "collections:\n  - name: a\n    service_ids: [poll]\n";
  const std::string cmd = std::string(TAXIID_PATH) + " --check-config " + file + " 2>&1";
  FILE* p = ::popen(cmd.c_str(), "r");
  BOOST_TEST_REQUIRE(p != nullptr);
  std::string out;
  char buf[512];
  while (std::fgets(buf, sizeof buf, p) != nullptr) out += buf;
  const int status = ::pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

// The base URI with the user's password replaced (postgresql://user:password@...).
std::string with_password(const std::string& uri, const std::string& password) {
  const auto scheme = uri.find("://");
  const auto at = uri.find('@');
  const auto colon = uri.find(':', scheme + 3);
  if (scheme == std::string::npos || at == std::string::npos || colon == std::string::npos || colon > at) return uri;
  return uri.substr(0, colon + 1) + password + uri.substr(at);
}

}  // namespace

BOOST_AUTO_TEST_CASE(check_config_reaches_the_postgres_store) {
  TempDir dir;
  testing::ScratchSchema schema("check");
  auto [ok, ok_out] = check_config(dir, schema.uri());
  BOOST_TEST(ok == 0, ok_out);
  BOOST_TEST(ok_out.find("configuration OK") != std::string::npos, ok_out);
  BOOST_TEST(ok_out.find("reachable") != std::string::npos, ok_out);
  BOOST_TEST(ok_out.find("no taxii tables yet") != std::string::npos, ok_out);  // nothing created
  {
    auto store = storage::open_store(schema.uri());  // creates the tables
    BOOST_TEST_REQUIRE(store.ok());
  }
  auto [migrated, migrated_out] = check_config(dir, schema.uri());
  BOOST_TEST(migrated == 0, migrated_out);
  BOOST_TEST(migrated_out.find("schema version") != std::string::npos, migrated_out);

  // Nothing listens on port 1 of 127.0.0.1.
  auto [down, down_out] = check_config(dir, "postgresql://taxii:taxii@127.0.0.1:1/taxii_test");
  BOOST_TEST(down == 1, down_out);
  BOOST_TEST(down_out.find("cannot connect to the PostgreSQL store at postgresql://taxii@127.0.0.1:1/taxii_test") !=
                 std::string::npos,
             down_out);
  // A wrong password: refused, and the password is not printed.
  const std::string wrong = with_password(testing::postgres_uri(), "not-the-password-4711");
  BOOST_TEST_REQUIRE(wrong != testing::postgres_uri());
  auto [denied, denied_out] = check_config(dir, wrong);
  BOOST_TEST(denied == 1, denied_out);
  BOOST_TEST(denied_out.find("password authentication failed") != std::string::npos, denied_out);
  BOOST_TEST(denied_out.find("not-the-password-4711") == std::string::npos, denied_out);
}
