// taxii poll / taxii fulfill: fetch content from a Poll service (Services 1.1 §3.6) and write
// it to stdout, to one file per block (--output-dir), as the raw TAXII responses (--raw) or as
// JSON (--json). Multi-part results are followed part by part and blocks are written as they
// arrive, so memory stays flat. File bytes follow client/content.hpp (byte-exact round trip
// with `taxii push`).
#include <fcntl.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "client/cli/command.hpp"
#include "client/cli/common.hpp"
#include "client/content.hpp"

namespace taxii::cli {
namespace {

namespace fs = std::filesystem;

const char* kPollUsage =
    "usage: taxii poll --collection NAME [--begin TIME] [--end TIME] [--binding ID[>SUB,...]]...\n"
    "                  [--count-only] [--query FILE] [--output-dir DIR | --raw] [common options]\n\n"
    "Polls a collection (TAXII 1.0: a feed) and prints its content blocks on stdout, each\n"
    "followed by a newline, or writes one file per block with --output-dir. Multi-part results\n"
    "are followed with Poll_Fulfillment; with --async a PENDING answer is waited out.\n"
    "XML content is written to files with the declaration <?xml version=\"1.0\" encoding=\"UTF-8\"?>,\n"
    "text content as its exact text (see docs/cli.md, 'Byte-exact round trip').\n\n";

const char* kFulfillUsage =
    "usage: taxii fulfill --collection NAME --result-id ID [--part N] [--follow]\n"
    "                     [--output-dir DIR | --raw] [common options]\n\n"
    "Fetches one part of a multi-part or asynchronous poll result (Poll_Fulfillment, TAXII 1.1)\n"
    "and prints its content like 'taxii poll'. --follow fetches the later parts too.\n\n";

// own + the output options of poll and fulfill + the network options.
std::vector<OptionSpec> with_output_options(std::vector<OptionSpec> own) {
  own.insert(own.end(), {
      {"output-dir", 'o', "DIR", "write each block to DIR/<index>_<timestamp-label>.xml (or .txt)"},
      {"raw", 0, "", "print the TAXII XML response(s) instead of the content"},
      {"connections", 0, "N", "2 (default): a multi-part result may be fetched two parts at a\n"
                              "time over two connections; 1: one connection"},
  });
  return with_network_options(std::move(own));
}

// Writes blocks as they arrive, in the form the options chose.
class BlockOutput {
 public:
  BlockOutput(const BlockOutput&) = delete;
  BlockOutput& operator=(const BlockOutput&) = delete;
  ~BlockOutput() {
    if (dir_fd_ >= 0) ::close(dir_fd_);
  }
  BlockOutput(const NetContext& ctx, const Args& args, const std::string& verb)
      : ctx_(ctx), raw_(args.has("raw")), progress_(verb, ctx.verbose == 0), json_(std::cout) {
    if (auto d = args.get("output-dir")) {
      dir_ = fs::path(*d);
      dir_string_ = (*dir_ / "").string();
    }
  }

  // Prepares the output directory and the opening of the JSON document. False: exit 5.
  bool start() {
    if (dir_) {
      std::error_code ec;
      fs::create_directories(*dir_, ec);
      if (ec || !fs::is_directory(*dir_)) {
        std::cerr << "taxii " << ctx_.command << ": cannot create directory '" << dir_->string() << "': " << ec.message() << "\n";
        return false;
      }
      // Files are created relative to the directory: no walk of its path for each of them.
      dir_fd_ = ::open(dir_->c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);  // -1: by full path
    }
    if (raw_) ctx_.set_raw_response([](std::string_view body) { std::cout << body << "\n"; });
    if (ctx_.json) json_.begin_object().field("command", ctx_.command).key("blocks").begin_array();
    return true;
  }

  Status block(const v11::ContentBlock& b, uint64_t index) {
    progress_.add(1, b.content.xml.size());
    if (raw_) return ok_status();
    std::optional<std::string> file;
    if (dir_) {
      // "%06llu_" by hand (snprintf was a fifth of this function's instructions).
      char prefix[24];
      char* end = prefix + sizeof prefix;
      char* p = end;
      *--p = '_';
      uint64_t v = index;
      do {
        *--p = static_cast<char>('0' + v % 10);
        v /= 10;
      } while (v != 0);
      while (end - p < 7) *--p = '0';
      const std::string label = b.timestamp_label ? b.timestamp_label->to_string() : "no-label";
      std::string path = dir_string_;
      path.append(p, static_cast<size_t>(end - p));
      path += label;
      path += client::file_extension(b.content);
      if (!write_file(dir_fd_, dir_fd_ >= 0 ? path.c_str() + dir_string_.size() : path.c_str(), b.content)) {
        io_failed_ = true;
        return client::local_error("cannot write '" + path + "': " + std::strerror(errno));
      }
      file = std::move(path);
      ++files_;
    }
    if (ctx_.json) {
      json_.begin_object().field("index", index).field("binding", b.binding_id).field("subtype", b.subtype);
      json_.key("timestamp_label");
      if (b.timestamp_label) json_.value(b.timestamp_label->to_string()); else json_.null();
      json_.field("is_xml", !b.content.is_text());
      if (file) json_.field("file", *file);
      else json_.field("content", client::stream_bytes(b.content));
      json_.end_object();
    } else if (!dir_) {
      const std::string bytes = client::stream_bytes(b.content);
      std::cout << bytes;
      if (bytes.empty() || bytes.back() != '\n') std::cout << '\n';
      if (!std::cout) {
        io_failed_ = true;
        return client::local_error("cannot write to standard output");
      }
    }
    return ok_status();
  }

  int finish(const Result<client::PollSummary>& r, bool count_only) {
    progress_.finish();
    if (!r.ok()) {
      print_error(r.error());
      if (ctx_.json) {
        json_.end_array().field("ok", false);
        write_json_error(json_, r.error());
        json_.end_object().finish();
      }
      return io_failed_ ? kExitIo : exit_code_for(r.error());
    }
    const client::PollSummary& s = *r;
    if (ctx_.json) {
      json_.end_array().field("ok", true).field("collection", s.collection).field("count_only", count_only);
      json_.key("record_count");
      if (s.record_count) json_.value(s.record_count->count); else json_.null();
      json_.field("partial_count", s.record_count && s.record_count->partial);
      json_.key("exclusive_begin");
      if (s.exclusive_begin) json_.value(s.exclusive_begin->to_string()); else json_.null();
      json_.key("inclusive_end");
      if (s.inclusive_end) json_.value(s.inclusive_end->to_string()); else json_.null();
      json_.field("block_count", s.blocks).field("bytes", s.bytes).field("parts", s.parts);
      json_.field("result_id", s.result_id).field("more", s.more).field("subscription_id", s.subscription_id);
      json_.field("pending_waits", s.pending_waits);
      json_.field("message", s.message).end_object().finish();
      return kExitOk;
    }
    if (count_only) {
      if (s.record_count) std::cout << (s.record_count->partial ? "at least " : "") << s.record_count->count << " records\n";
      else std::cout << "the server stated no record count\n";
    } else if (dir_) {
      std::cout << files_ << " blocks (" << human_bytes(s.bytes) << ") written to " << dir_->string() << "\n";
    }
    if (ctx_.verbose || s.more) {
      std::cerr << "taxii: " << s.blocks << " blocks in " << s.parts << " part(s)";
      if (s.inclusive_end) std::cerr << ", up to " << s.inclusive_end->to_string();
      if (s.more) std::cerr << "; more parts remain: taxii fulfill --result-id " << *s.result_id << " --part " << s.last_part + 1;
      std::cerr << "\n";
    }
    return kExitOk;
  }

 private:
  // client::file_bytes() of the content, written without copying it (a 1000-block part is
  // 1000 files: std::ofstream's locale and buffer set-up and the copy showed in the client's
  // profile of bench/run's 10k-block poll). errno is set on failure.
  static bool write_file(int dir_fd, const char* name, const Mixed& content) {
    const int fd = ::openat(dir_fd >= 0 ? dir_fd : AT_FDCWD, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) return false;
    std::string text;
    iovec iov[2];
    int n = 0;
    if (content.is_text()) {
      text = content.text_value();
      iov[n++] = {text.data(), text.size()};
    } else {
      iov[n++] = {const_cast<char*>(client::kXmlDeclaration.data()), client::kXmlDeclaration.size()};
      iov[n++] = {const_cast<char*>(content.xml.data()), content.xml.size()};
    }
    iovec* v = iov;
    while (n > 0) {
      const ssize_t w = ::writev(fd, v, n);
      if (w <= 0) {
        if (w < 0 && errno == EINTR) continue;
        if (w == 0) errno = EIO;
        const int e = errno;
        ::close(fd);
        errno = e;
        return false;
      }
      auto left = static_cast<size_t>(w);
      while (n > 0 && left >= v->iov_len) {
        left -= v->iov_len;
        ++v;
        --n;
      }
      if (n > 0) {
        v->iov_base = static_cast<char*>(v->iov_base) + left;
        v->iov_len -= left;
      }
    }
    return ::close(fd) == 0;
  }

  const NetContext& ctx_;
  bool raw_;
  std::optional<fs::path> dir_;
  std::string dir_string_;  // dir_ with a trailing separator
  int dir_fd_ = -1;         // dir_, opened (O_DIRECTORY)
  Progress progress_;
  JsonWriter json_;
  bool io_failed_ = false;
  uint64_t files_ = 0;
};

}  // namespace

int run_poll(const std::vector<std::string>& argv) {
  const auto specs = with_output_options({
      {"collection", 'c', "NAME", "collection (TAXII 1.0: feed) to poll (required)"},
      {"begin", 0, "TIME", "only content labelled after TIME (exclusive; RFC 3339)"},
      {"end", 0, "TIME", "only content labelled up to TIME (inclusive; RFC 3339)"},
      {"binding", 0, "ID[>SUB,..]", "accept only this content binding, optionally only these\n"
                                      "subtypes (repeatable; default: all)"},
      {"subtype", 0, "SUB", "a subtype of the preceding --binding (repeatable)"},
      {"count-only", 0, "", "ask only for the number of matching records (TAXII 1.1)"},
      {"query", 0, "FILE", "filter with this tdq:Default_Query XML file (TAXII 1.1)"},
      {"subscription", 0, "ID", "poll for this subscription (its parameters apply)"},
      {"async", 0, "", "allow an asynchronous answer (PENDING): wait, then fetch the result"},
      {"no-follow", 0, "", "fetch only the first part of a multi-part result"},
  });
  Args args;
  if (auto done = parse_command("poll", argv, specs, kPollUsage, args)) return *done;

  client::PollSpec spec;
  const auto collection = args.get("collection");
  if (!collection || collection->empty()) return usage_error("poll", "--collection is required");
  spec.collection = *collection;
  std::string err;
  if (auto b = args.get("begin")) {
    spec.exclusive_begin = parse_time("--begin", *b, err);
    if (!spec.exclusive_begin) return usage_error("poll", err);
  }
  if (auto e = args.get("end")) {
    spec.inclusive_end = parse_time("--end", *e, err);
    if (!spec.inclusive_end) return usage_error("poll", err);
  }
  auto bindings = content_bindings(args, err);
  if (!bindings) return usage_error("poll", err);
  spec.content_bindings = std::move(*bindings);
  spec.count_only = args.has("count-only");
  spec.allow_asynch = args.has("async");
  spec.follow_parts = !args.has("no-follow");
  spec.subscription_id = args.get("subscription");
  if (spec.subscription_id && (spec.count_only || args.has("query") || !spec.content_bindings.empty() || spec.allow_asynch))
    return usage_error("poll", "--subscription polls with the subscription's own parameters; drop --count-only, "
                               "--query, --binding and --async");
  if (args.has("raw") && (args.has("output-dir") || args.has("json")))
    return usage_error("poll", "--raw cannot be combined with --output-dir or --json");
  if (args.get("taxii") == std::string("1.0")) {
    for (const char* o : {"count-only", "query", "async", "subtype"})
      if (args.has(o)) return usage_error("poll", std::string("--") + o + " needs TAXII 1.1");
    for (const auto& cb : spec.content_bindings)
      if (!cb.subtypes.empty()) return usage_error("poll", "content binding subtypes need TAXII 1.1");
  }
  if (auto q = args.get("query")) {
    if (int rc = read_query("poll", *q, spec.query); rc != 0) return rc;
  }

  int rc = kExitOk;
  auto ctx = open_session("poll", args, ServiceType::Poll, rc);
  if (!ctx) return rc;
  BlockOutput out(*ctx, args, "poll");
  if (!out.start()) return kExitIo;
  auto r = ctx->session->poll(spec, [&out](const v11::ContentBlock& b, uint64_t i) { return out.block(b, i); });
  return out.finish(r, spec.count_only);
}

int run_fulfill(const std::vector<std::string>& argv) {
  const auto specs = with_output_options({
      {"collection", 'c', "NAME", "collection of the result (required)"},
      {"result-id", 0, "ID", "result set ID from a multi-part or PENDING answer (required)"},
      {"part", 0, "N", "part number to fetch (default 1)"},
      {"follow", 0, "", "fetch the later parts too"},
  });
  Args args;
  if (auto done = parse_command("fulfill", argv, specs, kFulfillUsage, args)) return *done;
  const auto collection = args.get("collection");
  const auto result_id = args.get("result-id");
  if (!collection || !result_id) return usage_error("fulfill", "--collection and --result-id are required");
  uint64_t part = 1;
  if (auto p = args.get("part")) {
    if (p->empty() || p->size() > 18 || p->find_first_not_of("0123456789") != std::string::npos || *p == "0")
      return usage_error("fulfill", "--part needs a positive number");
    part = std::stoull(*p);
  }
  if (args.get("taxii") == std::string("1.0")) return usage_error("fulfill", "Poll_Fulfillment needs TAXII 1.1");
  if (args.has("raw") && (args.has("output-dir") || args.has("json")))
    return usage_error("fulfill", "--raw cannot be combined with --output-dir or --json");

  int rc = kExitOk;
  auto ctx = open_session("fulfill", args, ServiceType::Poll, rc);
  if (!ctx) return rc;
  BlockOutput out(*ctx, args, "fulfill");
  if (!out.start()) return kExitIo;
  auto r = ctx->session->fulfill(*collection, *result_id, part, args.has("follow"),
                                 [&out](const v11::ContentBlock& b, uint64_t i) { return out.block(b, i); });
  return out.finish(r, false);
}

}  // namespace taxii::cli
