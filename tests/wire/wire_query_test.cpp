// Wire tests of queries and content bindings (issue #10) against a real taxiid: the content
// corpus of samples/query-corpus/ is pushed over HTTP into a collection and EVERY query of the
// corpus is run through a real Poll_Request, following multi-part results with
// Poll_Fulfillment (part size 2, so most results come in several parts); the matching blocks
// must be exactly the hand-worked set of expected.txt, and error queries must answer their
// exact status type and details. Also: COUNT_ONLY and asynchronous polls with a query,
// UNSUPPORTED_QUERY, Supported_Query in Discovery (1.1 and 1.0), subscriptions with a query
// (validated at subscribe time, kept across a restart, applied to polls by subscription id and
// to push delivery), and the Inbox's UNSUPPORTED_CONTENT and strict content check.
#define BOOST_TEST_MODULE wire_query
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "core/urn.hpp"
#include "tests/support/files.hpp"
#include "tests/support/query_corpus.hpp"
#include "tests/wire/recording_inbox.hpp"
#include "tests/wire/wire_support.hpp"

using namespace taxii;
using namespace taxii::wire;
using namespace taxii::wire::timing;
namespace fs = std::filesystem;
using A = v11::SubscriptionAction;

namespace {

const fs::path kCorpus = test::query_corpus();
const std::string kQueryFormat(urn::kQueryDefault10);
using namespace ids;
const std::string kStixIds = "urn:stix.mitre.org:xml:1.0 urn:stix.mitre.org:xml:1.0.1 urn:stix.mitre.org:xml:1.1 "
                             "urn:stix.mitre.org:xml:1.1.1 urn:stix.mitre.org:xml:1.2";

// A document or query file without its XML declaration, so that it can sit inside a message.
std::string body_of(const fs::path& p) {
  std::string s = test::read_file(p);
  if (s.rfind("<?xml", 0) == 0) s.erase(0, s.find("?>") + 2);
  return s;
}

v11::Query query_file(const std::string& name) { return {kQueryFormat, Mixed{body_of(kCorpus / "queries" / name)}}; }

// The corpus: document name (file stem) -> markup, and package id -> document name.
struct Corpus {
  std::map<std::string, std::string> docs;
  std::map<std::string, std::string> by_package;
  Corpus() {
    for (const auto& p : test::xml_files(kCorpus / "content")) {
      const std::string stem = p.stem().string();
      docs[stem] = body_of(p);
      by_package[package_id(docs[stem])] = stem;
    }
  }
  static std::string package_id(const std::string& markup) {
    const auto root = markup.find("STIX_Package");
    const auto at = markup.find(" id=\"", root);
    if (root == std::string::npos || at == std::string::npos) return "";
    const auto end = markup.find('"', at + 5);
    return markup.substr(at + 5, end - at - 5);
  }
  static std::string binding(const std::string& stem) {
    return "urn:stix.mitre.org:xml:" + stem.substr(stem.rfind('-') + 1);
  }
  // The document a returned block holds ("?" if none).
  std::string name_of(const v11::ContentBlock& b) const {
    const auto it = by_package.find(package_id(b.content.xml));
    return it == by_package.end() ? "?" : it->second;
  }
};

const Corpus& corpus() {
  static const Corpus c;
  return c;
}

std::string join(const std::set<std::string>& s) {
  std::string out;
  for (const auto& x : s) out += (out.empty() ? "" : " ") + x;
  return out.empty() ? "-" : out;
}

std::vector<std::string> details(const Reply& r) {
  std::vector<std::string> out;
  if (r.message)
    if (auto* s = std::get_if<v11::StatusMessage>(&*r.message))
      for (const auto& d : s->details) out.push_back(d.name + "=" + d.value.text_value());
  return out;
}

std::vector<std::string> detail_values(const Reply& r, const std::string& name) {
  std::vector<std::string> out;
  for (const auto& d : details(r))
    if (d.rfind(name + "=", 0) == 0) out.push_back(d.substr(name.size() + 1));
  return out;
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}


constexpr uint64_t kPartSize = 2;

ServerSpec spec() {
  ServerSpec s;
  s.part_size = kPartSize;
  // Asynchronous polls only when asked for (allow_asynch) and at least 10 candidates.
  s.poll_yaml = "  async_threshold: 10\n";
  s.extra_yaml =
      "  - name: subs\n    type: DATA_FEED\n    description: subscriptions with a query\n"
      "    content_bindings: [" + std::string("urn:stix.mitre.org:xml:1.0, urn:stix.mitre.org:xml:1.0.1, "
      "urn:stix.mitre.org:xml:1.1, urn:stix.mitre.org:xml:1.1.1, urn:stix.mitre.org:xml:1.2") + "]\n"
      "    service_ids: [inbox-named, poll]\n"
      "  - name: strict\n    type: DATA_FEED\n    description: checks that content is what it says\n"
      "    strict_content: true\n"
      "    content_bindings: [urn:stix.mitre.org:xml:1.1.1, urn:stix.mitre.org:xml:1.2]\n"
      "    service_ids: [inbox-named, poll]\n";
  return s;
}

// What a complete poll (every part) gave.
struct Polled {
  std::set<std::string> docs;
  std::vector<std::string> names;  // in order, with repeats
  uint64_t record_count = 0;
  uint64_t parts = 0;
  std::optional<Reply> error;      // the Status_Message answered instead
};

struct Wire {
  TaxiidProcess server{spec()};
  std::unique_ptr<Client> client = std::make_unique<Client>(server.http_port());
  ~Wire() {
    const int status = server.terminate();
    BOOST_TEST(status == 0, "taxiid exit status " << status << "\n" << server.log());
  }

  bool check_bindings = true;  // collect(): each block carries its document's binding

  void reconnect() { client = std::make_unique<Client>(server.http_port()); }

  // Inboxes every corpus document, one block each with its version's binding, to `collection`
  // (through inbox-named), a CAP-free collection, so every block is STIX.
  void load(const std::string& collection) {
    for (const auto& [stem, markup] : corpus().docs) {
      auto m = inbox11({collection}, {Mixed{markup}}, Corpus::binding(stem));
      const Reply r = client->send("/services/inbox-named", m);
      BOOST_TEST_REQUIRE(r.status_type() == "SUCCESS", stem << ": " << r.status_text());
    }
  }

  void collect(const v11::PollResponse& p, Polled& out) {
    ++out.parts;
    if (p.record_count) out.record_count = p.record_count->count;
    for (const auto& b : p.content_blocks) {
      const std::string n = corpus().name_of(b);
      out.names.push_back(n);
      out.docs.insert(n);
      if (check_bindings) BOOST_TEST(b.binding_id == Corpus::binding(n), n);
    }
  }

  // Polls and follows every part of the result; returns the first Status_Message if any.
  Polled poll_all(v11::PollRequest r) {
    Polled out;
    Reply first = client->send("/services/poll", r);
    if (!first.message || !std::holds_alternative<v11::PollResponse>(*first.message)) {
      out.error = first;
      return out;
    }
    v11::PollResponse p = first.as<v11::PollResponse>();
    collect(p, out);
    for (uint64_t part = 2; p.more; ++part) {
      BOOST_TEST_REQUIRE(part <= 100u);
      v11::PollFulfillment f;
      f.message_id = next_id();
      f.collection_name = r.collection_name;
      f.result_id = p.result_id.value_or("");
      f.result_part_number = part;
      const Reply next = client->send("/services/poll", f);
      BOOST_TEST_REQUIRE(next.message.has_value(), next.body);
      BOOST_TEST_REQUIRE(std::holds_alternative<v11::PollResponse>(*next.message), next.body);
      p = next.as<v11::PollResponse>();
      BOOST_TEST(p.result_part_number == part);
      collect(p, out);
    }
    return out;
  }

  Polled poll_query(const std::string& collection, const v11::Query& q,
                    v11::ResponseType type = v11::ResponseType::Full) {
    auto r = poll11(collection);
    r.poll_parameters->query = q;
    r.poll_parameters->response_type = type;
    return poll_all(r);
  }

  Reply manage(const v11::ManageCollectionSubscriptionRequest& r) {
    return client->send("/services/collection-management", r);
  }
};

v11::ManageCollectionSubscriptionRequest subscribe(const std::string& collection, std::optional<v11::Query> q,
                                                   std::optional<v11::PushParameters> push = std::nullopt,
                                                   v11::ResponseType type = v11::ResponseType::Full) {
  v11::ManageCollectionSubscriptionRequest r;
  r.message_id = next_id();
  r.action = A::Subscribe;
  r.collection_name = collection;
  r.subscription_parameters = v11::SubscriptionParameters{};
  r.subscription_parameters->query = std::move(q);
  r.subscription_parameters->response_type = type;
  r.push_parameters = std::move(push);
  return r;
}

// "" or the status a poll answered instead of a Poll_Response.
std::string error_of(const Polled& p) {
  return p.error ? p.error->status_type() + ": " + p.error->status_text() + "\n" + p.error->body : std::string();
}

std::set<std::string> expected_docs(const std::string& query) {
  const auto m = test::read_manifest();
  BOOST_TEST_REQUIRE(m.count(query) == 1u, query);
  return m.at(query).docs;
}

}  // namespace

// Every query of the corpus through a real poll over HTTP: exact matching set, Record_Count =
// matches, parts of kPartSize blocks (Poll_Fulfillment keeps the query); errors exact.
BOOST_AUTO_TEST_CASE(every_corpus_query_through_a_real_poll) {
  Wire w;
  w.load("default");
  // Blocks no query can evaluate are never sent with a query (Services 1.1 §5.5), even under
  // negation: plain text in the set collection (which takes anything) and STIX there too.
  BOOST_TEST_REQUIRE(w.client->send("/services/inbox", inbox11({"set"}, {Mixed::text("not xml")},
                                                              "application/pkcs7-mime"))
                         .status_type() == "SUCCESS");
  const auto manifest = test::read_manifest();
  const auto files = test::xml_files(kCorpus / "queries");
  BOOST_TEST_REQUIRE(files.size() == manifest.size());
  BOOST_TEST_REQUIRE(files.size() >= 89u);
  std::size_t matched = 0, errors = 0, multipart = 0;
  for (const auto& path : files) {
    const std::string name = path.filename().string();
    BOOST_TEST_CONTEXT(name) {
      const test::Expectation& want = manifest.at(name);
      const Polled got = w.poll_query("default", query_file(name));
      if (want.error) {
        ++errors;
        BOOST_TEST_REQUIRE(got.error.has_value(), "answered a Poll_Response, expected " << want.status);
        const Reply& r = *got.error;
        BOOST_TEST(r.status_type() == want.status, r.status_text());
        BOOST_TEST(details(r) == want.details, boost::test_tools::per_element());
        for (const auto& word : want.words)
          BOOST_TEST(r.status_text().find(word) != std::string::npos, r.status_text() << " lacks " << word);
        continue;
      }
      ++matched;
      BOOST_TEST_REQUIRE(!got.error.has_value(), error_of(got));
      BOOST_TEST(join(got.docs) == join(want.docs));
      BOOST_TEST(got.names.size() == want.docs.size(), "each match exactly once");
      BOOST_TEST(got.record_count == want.docs.size());
      const uint64_t parts = want.docs.empty() ? 1 : (want.docs.size() + kPartSize - 1) / kPartSize;
      BOOST_TEST(got.parts == parts);
      if (parts > 1) ++multipart;
    }
  }
  BOOST_TEST(matched == 66u);
  BOOST_TEST(errors == 23u);
  BOOST_TEST(multipart >= 15u);  // 15 of the 66 results have more than kPartSize blocks
  // The set collection holds one unevaluable block: a query matching "everything" gets none.
  const Polled none = w.poll_query("set", query_file("q10-core-equals-negated.xml"));
  BOOST_TEST_REQUIRE(!none.error.has_value(), error_of(none));
  BOOST_TEST(none.record_count == 0u);
  BOOST_TEST(none.names.empty());
}

// COUNT_ONLY counts matches; a Content_Binding filter and a query both apply; an unknown
// query format is UNSUPPORTED_QUERY naming the supported one.
BOOST_AUTO_TEST_CASE(count_only_bindings_and_unsupported_query) {
  Wire w;
  w.load("default");
  for (const char* q : {"q04-core-equals-ci-confidence.xml", "q10-core-equals-negated.xml", "q54-nested-three-levels.xml",
                        "q02-core-equals-cs-wrong-case.xml"}) {
    const Polled got = w.poll_query("default", query_file(q), v11::ResponseType::CountOnly);
    BOOST_TEST_REQUIRE(!got.error.has_value(), q << " " << error_of(got));
    BOOST_TEST(got.record_count == expected_docs(q).size(), q);
    BOOST_TEST(got.names.empty(), q);
    BOOST_TEST(got.parts == 1u, q);
  }
  // q04 matches ind-c2-ip-1.2, ind-ipv6-1.0.1, ind-sha256-1.2: only the 1.2 ones with a filter.
  auto r = poll11("default");
  r.poll_parameters->query = query_file("q04-core-equals-ci-confidence.xml");
  r.poll_parameters->content_bindings = {{std::string(urn::kStix12), {}}};
  const Polled filtered = w.poll_all(r);
  BOOST_TEST_REQUIRE(!filtered.error.has_value(), error_of(filtered));
  BOOST_TEST(join(filtered.docs) == "ind-c2-ip-1.2 ind-sha256-1.2");
  BOOST_TEST(filtered.record_count == 2u);

  const Polled unknown = w.poll_query("default", v11::Query{"urn:example:query:sql", Mixed::text("SELECT *")});
  BOOST_TEST_REQUIRE(unknown.error.has_value());
  BOOST_TEST(unknown.error->status_type() == "UNSUPPORTED_QUERY");
  BOOST_TEST(details(*unknown.error) == std::vector<std::string>{"SUPPORTED_QUERY=" + kQueryFormat},
             boost::test_tools::per_element());
}

// An asynchronous poll keeps the query: the estimate is made on the candidates, the built
// result holds the matches only, in parts, through Poll_Fulfillment.
BOOST_AUTO_TEST_CASE(asynchronous_poll_with_a_query) {
  Wire w;
  w.load("default");
  auto r = poll11("default");
  r.poll_parameters->allow_asynch = true;
  r.poll_parameters->query = query_file("q53-or.xml");  // 3 of 16 candidates (>= threshold 10)
  const Reply pending = w.client->send("/services/poll", r);
  BOOST_TEST_REQUIRE(pending.status_type() == "PENDING", pending.body);
  const std::string id = detail_values(pending, "RESULT_ID").at(0);
  Polled got;
  v11::PollFulfillment f;
  f.collection_name = "default";
  f.result_id = id;
  for (uint64_t part = 1, parts = 1; part <= parts; ++part) {
    f.result_part_number = part;
    Reply answer;
    BOOST_TEST_REQUIRE(eventually([&] {
      f.message_id = next_id();
      answer = w.client->send("/services/poll", f);
      return answer.status_type() != "PENDING";
    }));
    BOOST_TEST_REQUIRE(answer.message.has_value());
    BOOST_TEST_REQUIRE(std::holds_alternative<v11::PollResponse>(*answer.message), answer.body);
    const auto& p = answer.as<v11::PollResponse>();
    w.collect(p, got);
    if (p.more) parts = part + 1;
  }
  BOOST_TEST(join(got.docs) == join(expected_docs("q53-or.xml")));
  BOOST_TEST(got.record_count == 3u);
  BOOST_TEST(got.parts == 2u);
}

// Discovery advertises nothing by default (cabby cannot parse a Default_Query_Info); with
// advertise_queries it lists the Default Query on Poll and Collection Management instances
// only, and only to 1.1 clients (1.0 has no queries; the 1.0 answer stays valid).
BOOST_AUTO_TEST_CASE(discovery_advertises_supported_queries) {
  Wire w;
  v11::DiscoveryRequest d;
  d.message_id = next_id();
  const Reply plain = w.client->send("/services/discovery", d);
  BOOST_TEST_REQUIRE(plain.message.has_value(), plain.body);
  for (const auto& i : plain.as<v11::DiscoveryResponse>().service_instances) BOOST_TEST(i.supported_queries.empty());

  BOOST_TEST_REQUIRE(w.server.terminate() == 0);
  const std::string config = w.server.dir().file("taxiid.yaml");
  std::string yaml = test::read_file(config);
  const std::string line = "path: /services/discovery}";
  BOOST_TEST_REQUIRE(yaml.find(line) != std::string::npos);
  yaml.replace(yaml.find(line), line.size(), "path: /services/discovery, advertise_queries: true}");
  test::write_file(config, yaml);
  w.server.restart();
  w.reconnect();
  d.message_id = next_id();
  const Reply r = w.client->send("/services/discovery", d);
  BOOST_TEST_REQUIRE(r.message.has_value(), r.body);
  const auto& instances = r.as<v11::DiscoveryResponse>().service_instances;
  BOOST_TEST_REQUIRE(!instances.empty());
  for (const auto& i : instances) {
    const bool queries = i.service_type == ServiceType::Poll || i.service_type == ServiceType::CollectionManagement;
    BOOST_TEST_CONTEXT(i.address) {
      if (!queries) {
        BOOST_TEST(i.supported_queries.empty());
        continue;
      }
      // One Supported_Query per format (Services 1.1 §4.2), a Default_Query_Info naming the
      // STIX 1.1.1 vocabulary (one Targeting_Expression_Info: the schema's limit; docs/query.md).
      BOOST_TEST_REQUIRE(i.supported_queries.size() == 1u);
      const auto& q = i.supported_queries[0];
      BOOST_TEST(q.format_id == kQueryFormat);
      BOOST_TEST(q.body.xml.find("Default_Query_Info") != std::string::npos);
      BOOST_TEST(q.body.xml.find("urn:taxii.mitre.org:query:capability:regex-1") != std::string::npos);
      BOOST_TEST(q.body.xml.find("targeting_expression_id=\"urn:stix.mitre.org:xml:1.1.1\"") != std::string::npos);
    }
  }
  v10::DiscoveryRequest d10;
  d10.message_id = next_id();
  const Reply r10 = w.client->send("/services/discovery", d10);
  BOOST_TEST_REQUIRE(r10.message.has_value(), r10.body + r10.parse_error);
  BOOST_TEST(std::holds_alternative<v10::DiscoveryResponse>(*r10.message));
  BOOST_TEST(r10.body.find("Query") == std::string::npos);
}

// A subscription's query: checked at subscribe time (the poll statuses), kept across a
// restart, applied to polls by subscription id (FULL and COUNT_ONLY) and to push delivery.
BOOST_AUTO_TEST_CASE(subscription_with_a_query_polled_and_pushed) {
  RecordingInbox sink;
  Wire w;
  // Rejected queries: the same statuses and details as a poll.
  Reply bad = w.manage(subscribe("subs", query_file("e01-unknown-capability-module.xml")));
  BOOST_TEST(bad.status_type() == "UNSUPPORTED_CAPABILITY_MODULE");
  BOOST_TEST(detail_values(bad, "CAPABILITY_MODULE").size() == 3u);
  bad = w.manage(subscribe("subs", query_file("e02-unknown-vocabulary.xml")));
  BOOST_TEST(bad.status_type() == "UNSUPPORTED_TARGETING_EXPRESSION_ID");
  BOOST_TEST(detail_values(bad, "TARGETING_EXPRESSION_ID") == split(kStixIds), boost::test_tools::per_element());
  bad = w.manage(subscribe("subs", query_file("e04-target-predicate.xml")));
  BOOST_TEST(bad.status_type() == "UNSUPPORTED_TARGETING_EXPRESSION");
  BOOST_TEST(details(bad) == (std::vector<std::string>{"PREFERRED_SCOPE=**", "ALLOWED_SCOPE=**"}),
             boost::test_tools::per_element());
  BOOST_TEST(w.manage(subscribe("subs", query_file("e12-regex-invalid.xml"))).status_type() == "BAD_MESSAGE");
  bad = w.manage(subscribe("subs", v11::Query{"urn:example:query:sql", Mixed::text("x")}));
  BOOST_TEST(bad.status_type() == "UNSUPPORTED_QUERY");
  BOOST_TEST(detail_values(bad, "SUPPORTED_QUERY") == std::vector<std::string>{kQueryFormat},
             boost::test_tools::per_element());

  const std::string q = "q54-nested-three-levels.xml";  // incident-breach-1.2 ind-scanners-1.2
  auto subscribed = [&](const v11::ManageCollectionSubscriptionRequest& req) {
    const Reply r = w.manage(req);
    BOOST_TEST_REQUIRE(r.message.has_value(), r.body);
    BOOST_TEST_REQUIRE(std::holds_alternative<v11::ManageCollectionSubscriptionResponse>(*r.message), r.body);
    const auto& s = r.as<v11::ManageCollectionSubscriptionResponse>().subscriptions.at(0);
    // The answer echoes the query (Services 1.1 §4.4.7).
    BOOST_TEST_REQUIRE(s.subscription_parameters.has_value());
    BOOST_TEST_REQUIRE(s.subscription_parameters->query.has_value());
    BOOST_TEST(s.subscription_parameters->query->format_id == kQueryFormat);
    BOOST_TEST(s.subscription_parameters->query->body.xml.find("STIX_Package/Incidents") != std::string::npos);
    return s.subscription_id;
  };
  const std::string polled = subscribed(subscribe("subs", query_file(q)));
  const std::string counted = subscribed(subscribe("subs", query_file(q), std::nullopt, v11::ResponseType::CountOnly));
  const std::string pushed = subscribed(subscribe("subs", query_file(q), v11::PushParameters{kHttp, sink.url(), kXml11}));

  // The stored query survives a restart (SQLite; PostgreSQL keeps the same opaque text).
  BOOST_TEST_REQUIRE(w.server.terminate() == 0);
  w.server.restart();
  w.reconnect();

  w.load("subs");
  auto by_id = [&](const std::string& id) {
    v11::PollRequest r;
    r.message_id = next_id();
    r.collection_name = "subs";
    r.subscription_id = id;
    return w.poll_all(r);
  };
  const Polled full = by_id(polled);
  BOOST_TEST_REQUIRE(!full.error.has_value(), error_of(full));
  BOOST_TEST(join(full.docs) == join(expected_docs(q)));
  BOOST_TEST(full.record_count == 2u);
  const Polled count = by_id(counted);
  BOOST_TEST_REQUIRE(!count.error.has_value(), error_of(count));
  BOOST_TEST(count.record_count == 2u);
  BOOST_TEST(count.names.empty());

  // Push: the subscriber receives exactly the matches.
  std::set<std::string> received;
  BOOST_TEST(eventually([&] {
    received.clear();
    for (const auto& m : sink.accepted())
      for (const auto& b : std::get<v11::InboxMessage>(*m.message).content_blocks) received.insert(corpus().name_of(b));
    return received.size() >= 2u;
  }), w.server.log());
  std::this_thread::sleep_for(std::chrono::seconds(2));  // nothing else arrives
  std::size_t blocks = 0;
  for (const auto& m : sink.accepted()) {
    const auto& inbox = std::get<v11::InboxMessage>(*m.message);
    BOOST_TEST(inbox.source_subscription->subscription_id == pushed);
    blocks += inbox.content_blocks.size();
  }
  BOOST_TEST(join(received) == join(expected_docs(q)));
  BOOST_TEST(blocks == 2u);
}

// Inbox: a binding the destination does not accept -> UNSUPPORTED_CONTENT with the
// collection's SUPPORTED_CONTENT; a strict collection refuses content that is not what its
// binding says (BAD_MESSAGE), a lax one stores it.
BOOST_AUTO_TEST_CASE(inbox_unsupported_content_and_strict_check) {
  Wire w;
  w.check_bindings = false;  // mislabelled content is stored on purpose below
  const std::string stix12 = corpus().docs.at("ind-c2-ip-1.2");
  Reply r = w.client->send("/services/inbox-named", inbox11({"second"}, {Mixed{stix12}}, std::string(urn::kStix10)));
  BOOST_TEST(r.status_type() == "UNSUPPORTED_CONTENT");
  BOOST_TEST(detail_values(r, "SUPPORTED_CONTENT") ==
                 (std::vector<std::string>{std::string(urn::kStix111), std::string(urn::kStix12)}),
             boost::test_tools::per_element());

  // STIX 1.2 declared as 1.1.1.
  r = w.client->send("/services/inbox-named", inbox11({"strict"}, {Mixed{stix12}}, std::string(urn::kStix111)));
  BOOST_TEST(r.status_type() == "BAD_MESSAGE");
  BOOST_TEST(r.status_text().find("Content_Block 1") != std::string::npos, r.status_text());
  BOOST_TEST(r.status_text().find("not STIX 1.1.1") != std::string::npos, r.status_text());
  // Text declared as STIX.
  r = w.client->send("/services/inbox-named", inbox11({"strict"}, {Mixed::text("plain text")}, std::string(urn::kStix12)));
  BOOST_TEST(r.status_type() == "BAD_MESSAGE", r.status_text());
  // One bad block rejects the whole message, also when another destination is lax.
  r = w.client->send("/services/inbox-named",
                     inbox11({"second", "strict"}, {Mixed{stix12}, Mixed{stix12}}, std::string(urn::kStix111)));
  BOOST_TEST(r.status_type() == "BAD_MESSAGE");
  // Declared correctly: stored. The lax collection takes the mislabelled block.
  r = w.client->send("/services/inbox-named", inbox11({"strict"}, {Mixed{stix12}}, std::string(urn::kStix12)));
  BOOST_TEST(r.status_type() == "SUCCESS", r.status_text());
  r = w.client->send("/services/inbox-named", inbox11({"second"}, {Mixed{stix12}}, std::string(urn::kStix111)));
  BOOST_TEST(r.status_type() == "SUCCESS", r.status_text());
  const Polled strict = w.poll_all(poll11("strict"));
  BOOST_TEST(strict.record_count == 1u);
  const Polled second = w.poll_all(poll11("second"));
  BOOST_TEST(second.record_count == 1u);
}
