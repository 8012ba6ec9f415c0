// taxii_bench: the helpers bench/run needs around wrk and the `taxii` client.
//
//   taxii_bench gen   --dir D --messages M --blocks B --dest C [--seed S]
//       writes M Inbox_Message bodies (D/000000.xml ...), B STIX 1.1.1 indicators each, every
//       indicator different (2-4 KB), for wrk's Lua script to POST.
//   taxii_bench load  --url URL --dest C --blocks N [--per-message 100] [--clients K] [--marker]
//       appends exactly N blocks to collection C with K keep-alive clients; every answer must be
//       SUCCESS. With --marker, the 100 blocks in the middle go in one message sent alone, with
//       50 ms of silence around it, and the line "marker BEGIN END" gives a window (BEGIN, END]
//       that selects exactly those 100 blocks (labels come from the server clock, the same clock).
//   taxii_bench window --url URL --collection C --begin T --end T [--reps R] [--expect N]
//       polls the window R times over one keep-alive connection; checks N blocks came back and
//       prints the latency median / p90 / min / max in ms.
//   taxii_bench indicator I      prints indicator I (to look at one).
//
// Exits 1, loudly, on any non-SUCCESS answer or transport error: a benchmark that measured
// errors is worse than none.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <Poco/URI.h>

#include "bench/stix_content.hpp"

namespace {

using taxii::bench::stix_indicator;

using SteadyClock = std::chrono::steady_clock;

uint64_t name_seed(const std::string& s) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
  return h;
}

const char* const kNs11 = "http://taxii.mitre.org/messages/taxii_xml_binding-1.1";

// Inbox_Message with blocks [first, first + n) of the collection's indicator sequence.
std::string inbox_message(const std::string& dest, uint64_t msg_id, uint64_t first, uint64_t n) {
  const uint64_t seed = name_seed(dest);
  std::string m = std::string("<taxii_11:Inbox_Message xmlns:taxii_11=\"") + kNs11 + "\" message_id=\"" +
                  std::to_string(msg_id) + "\"><taxii_11:Destination_Collection_Name>" + dest +
                  "</taxii_11:Destination_Collection_Name>";
  m.reserve(n * 3300 + 400);
  for (uint64_t i = first; i < first + n; ++i) {
    m += "<taxii_11:Content_Block><taxii_11:Content_Binding binding_id=\"urn:stix.mitre.org:xml:1.1.1\"/>"
         "<taxii_11:Content>";
    m += stix_indicator(seed, i);
    m += "</taxii_11:Content></taxii_11:Content_Block>";
  }
  return m + "</taxii_11:Inbox_Message>";
}

std::string rfc3339(int64_t micros) {
  const std::time_t t = static_cast<std::time_t>(micros / 1000000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[48];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[64];
  std::snprintf(out, sizeof out, "%s.%06" PRId64 "Z", buf, micros % 1000000);
  return out;
}

int64_t now_micros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

[[noreturn]] void die(const std::string& why) {
  std::fprintf(stderr, "taxii_bench: %s\n", why.c_str());
  std::fflush(stderr);
  std::_Exit(1);
}

// One keep-alive HTTP client speaking TAXII 1.1 over HTTP.
class Client {
 public:
  explicit Client(const std::string& url) : uri_(url), session_(uri_.getHost(), uri_.getPort()) {
    session_.setKeepAlive(true);
    session_.setTimeout(Poco::Timespan(300, 0));
  }
  // Returns the response body; dies on a transport error or an HTTP status other than 200.
  std::string post(const std::string& body) {
    try {
      Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_POST, uri_.getPathEtc(),
                                 Poco::Net::HTTPMessage::HTTP_1_1);
      req.setContentType("application/xml");
      req.set("Accept", "application/xml");
      req.set("X-TAXII-Content-Type", "urn:taxii.mitre.org:message:xml:1.1");
      req.set("X-TAXII-Accept", "urn:taxii.mitre.org:message:xml:1.1");
      req.set("X-TAXII-Services", "urn:taxii.mitre.org:services:1.1");
      req.set("X-TAXII-Protocol", "urn:taxii.mitre.org:protocol:http:1.0");
      req.setContentLength(static_cast<std::streamsize>(body.size()));
      req.setKeepAlive(true);
      session_.sendRequest(req).write(body.data(), static_cast<std::streamsize>(body.size()));
      Poco::Net::HTTPResponse resp;
      std::istream& in = session_.receiveResponse(resp);
      std::string out;
      Poco::StreamCopier::copyToString(in, out);
      if (resp.getStatus() != Poco::Net::HTTPResponse::HTTP_OK)
        die("HTTP " + std::to_string(resp.getStatus()) + " from " + uri_.toString() + ": " + out.substr(0, 300));
      return out;
    } catch (const Poco::Exception& e) {
      die("POST " + uri_.toString() + ": " + e.displayText());
    }
  }

 private:
  Poco::URI uri_;
  Poco::Net::HTTPClientSession session_;
};

void require_success(const std::string& answer) {
  if (answer.find("status_type=\"SUCCESS\"") == std::string::npos)
    die("Inbox answered other than SUCCESS: " + answer.substr(0, 500));
}

using Args = std::map<std::string, std::string>;

Args parse_args(int argc, char** argv, int from) {
  Args a;
  for (int i = from; i < argc; ++i) {
    std::string k = argv[i];
    if (k.rfind("--", 0) != 0) die("unexpected argument " + k);
    k = k.substr(2);
    if (k == "marker") {
      a[k] = "1";
    } else {
      if (i + 1 >= argc) die("--" + k + " needs a value");
      a[k] = argv[++i];
    }
  }
  return a;
}

std::string need(const Args& a, const std::string& k) {
  auto it = a.find(k);
  if (it == a.end()) die("missing --" + k);
  return it->second;
}

uint64_t num(const Args& a, const std::string& k, uint64_t def) {
  auto it = a.find(k);
  return it == a.end() ? def : std::strtoull(it->second.c_str(), nullptr, 10);
}

int cmd_gen(const Args& a) {
  const std::string dir = need(a, "dir"), dest = need(a, "dest");
  const uint64_t messages = num(a, "messages", 100), blocks = num(a, "blocks", 1), seed = num(a, "seed", 0);
  std::size_t bytes = 0;
  for (uint64_t m = 0; m < messages; ++m) {
    const std::string body = inbox_message(dest, seed * 1000000 + m + 1, (seed * messages + m) * blocks, blocks);
    char name[32];
    std::snprintf(name, sizeof name, "/%06" PRIu64 ".xml", m);
    std::ofstream f(dir + name, std::ios::binary);
    f << body;
    if (!f) die("cannot write " + dir + name);
    bytes += body.size();
  }
  std::printf("%" PRIu64 " messages, %zu bytes on average\n", messages, bytes / std::max<uint64_t>(messages, 1));
  return 0;
}

int cmd_load(const Args& a) {
  const std::string url = need(a, "url"), dest = need(a, "dest");
  const uint64_t total = num(a, "blocks", 0), per = num(a, "per-message", 100), clients = num(a, "clients", 2);
  const bool marker = a.count("marker") != 0;
  if (marker && total < 300) die("--marker needs at least 300 blocks");
  // Phase 1: [0, before); marker: [before, before + 100); phase 2: the rest.
  const uint64_t before = marker ? (total - 100) / 2 : total;
  std::atomic<uint64_t> next{0};
  std::atomic<uint64_t> msg_ids{1};
  std::size_t bytes_sent = 0;
  std::mutex mu;
  auto phase = [&](uint64_t from, uint64_t to) {
    next = from;
    std::vector<std::thread> ts;
    for (uint64_t c = 0; c < clients; ++c)
      ts.emplace_back([&, to] {
        Client client(url);
        std::size_t sent = 0;
        for (;;) {
          const uint64_t first = next.fetch_add(per);
          if (first >= to) break;
          const uint64_t n = std::min(per, to - first);
          const std::string body = inbox_message(dest, msg_ids++, first, n);
          require_success(client.post(body));
          sent += body.size();
        }
        std::lock_guard<std::mutex> l(mu);
        bytes_sent += sent;
      });
    for (auto& t : ts) t.join();
  };
  const auto t0 = SteadyClock::now();
  phase(0, before);
  int64_t mark_begin = 0, mark_end = 0;
  if (marker) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    Client client(url);
    const std::string body = inbox_message(dest, msg_ids++, before, 100);
    mark_begin = now_micros();
    require_success(client.post(body));
    mark_end = now_micros();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    phase(before + 100, total);
  }
  const double s = std::chrono::duration<double>(SteadyClock::now() - t0).count();
  std::printf("loaded %" PRIu64 " blocks into %s in %.1f s: %.0f blocks/s, %.1f MB/s (%" PRIu64
              " clients, %" PRIu64 " blocks/message)\n",
              total, dest.c_str(), s, static_cast<double>(total) / s, static_cast<double>(bytes_sent) / s / 1e6,
              clients, per);
  if (marker) std::printf("marker %s %s\n", rfc3339(mark_begin).c_str(), rfc3339(mark_end).c_str());
  return 0;
}

std::size_t count_of(const std::string& hay, const std::string& needle) {
  std::size_t n = 0;
  for (auto p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + needle.size())) ++n;
  return n;
}

int cmd_window(const Args& a) {
  const std::string url = need(a, "url"), coll = need(a, "collection");
  const std::string begin = need(a, "begin"), end = need(a, "end");
  const uint64_t reps = num(a, "reps", 21), expect = num(a, "expect", 100);
  Client client(url);
  std::vector<double> ms;
  for (uint64_t i = 0; i < reps + 2; ++i) {  // two warm-up polls
    const std::string req = std::string("<taxii_11:Poll_Request xmlns:taxii_11=\"") + kNs11 + "\" message_id=\"w" +
                            std::to_string(i) + "\" collection_name=\"" + coll +
                            "\"><taxii_11:Exclusive_Begin_Timestamp>" + begin +
                            "</taxii_11:Exclusive_Begin_Timestamp><taxii_11:Inclusive_End_Timestamp>" + end +
                            "</taxii_11:Inclusive_End_Timestamp><taxii_11:Poll_Parameters allow_asynch=\"false\">"
                            "<taxii_11:Response_Type>FULL</taxii_11:Response_Type></taxii_11:Poll_Parameters>"
                            "</taxii_11:Poll_Request>";
    const auto t0 = SteadyClock::now();
    const std::string answer = client.post(req);
    const double dt = std::chrono::duration<double, std::milli>(SteadyClock::now() - t0).count();
    // Opening and closing tags of a block both end in ":Content_Block>"; content never names it.
    const std::size_t blocks = count_of(answer, ":Content_Block>") / 2;
    if (answer.find("Poll_Response") == std::string::npos || blocks != expect)
      die("window poll of " + coll + " returned " + std::to_string(blocks) + " blocks, expected " +
          std::to_string(expect) + ": " + answer.substr(0, 400));
    if (i >= 2) ms.push_back(dt);
  }
  std::sort(ms.begin(), ms.end());
  auto q = [&](double p) { return ms[std::min(ms.size() - 1, static_cast<std::size_t>(p * (ms.size() - 1) + 0.5))]; };
  std::printf("window %s: %" PRIu64 " blocks, %zu polls, median %.2f ms, p90 %.2f ms, min %.2f ms, max %.2f ms\n",
              coll.c_str(), expect, ms.size(), q(0.5), q(0.9), ms.front(), ms.back());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: taxii_bench gen|load|window|indicator ... (see bench/bench_tool.cpp)\n");
    return 2;
  }
  const std::string cmd = argv[1];
  if (cmd == "indicator") {
    std::printf("%s\n", stix_indicator(0, argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 0).c_str());
    return 0;
  }
  const Args a = parse_args(argc, argv, 2);
  if (cmd == "gen") return cmd_gen(a);
  if (cmd == "load") return cmd_load(a);
  if (cmd == "window") return cmd_window(a);
  die("unknown command " + cmd);
}
