// taxii push: send files to an Inbox service as content blocks (Services 1.1 §3.2), --batch
// blocks per Inbox_Message. How a file becomes Content (markup or text) is decided by
// client/content.hpp so that a later `taxii poll --output-dir` returns the same bytes.
// Files are read one batch at a time, so memory stays flat however many there are.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "client/cli/command.hpp"
#include "client/cli/common.hpp"
#include "client/content.hpp"
#include "core/urn.hpp"

namespace taxii::cli {
namespace {

namespace fs = std::filesystem;

const char* kUsage =
    "usage: taxii push [--binding ID] [--subtype SUB] [--dest COLLECTION]... [--batch N]\n"
    "                  [--as auto|xml|text] FILE|DIR|-... [common options]\n\n"
    "Sends files to an Inbox service as content blocks. A directory stands for the regular\n"
    "files directly in it (sorted by name, hidden files skipped); '-' reads standard input.\n"
    "--as auto (default) embeds a file as XML markup when that is lossless and as text\n"
    "otherwise, so that 'taxii poll --output-dir' gives back the same bytes (docs/cli.md).\n\n";

struct Input {
  std::string path;  // "-" = stdin
};

// Expands directories; fails (prints, returns false) for inputs that do not exist.
bool expand(const std::vector<std::string>& args, std::vector<Input>& out) {
  for (const auto& a : args) {
    if (a == "-") {
      out.push_back({a});
      continue;
    }
    std::error_code ec;
    if (fs::is_directory(a, ec)) {
      std::vector<std::string> files;
      for (const auto& e : fs::directory_iterator(a, ec)) {
        const std::string name = e.path().filename().string();
        if (!name.empty() && name[0] != '.' && e.is_regular_file(ec)) files.push_back(e.path().string());
      }
      if (ec) {
        std::cerr << "taxii push: cannot list directory '" << a << "': " << ec.message() << "\n";
        return false;
      }
      std::sort(files.begin(), files.end());
      for (auto& f : files) out.push_back({std::move(f)});
    } else if (fs::is_regular_file(a, ec)) {
      out.push_back({a});
    } else {
      std::cerr << "taxii push: '" << a << "' is not a file or directory\n";
      return false;
    }
  }
  return true;
}

struct PushOptions {
  std::string binding;
  std::optional<std::string> subtype;
  std::vector<std::string> dests;
  size_t batch = 1;
  client::ContentForm form = client::ContentForm::Auto;
  Version version = Version::V11;
};

// push's own options; the exit code of a usage error, nullopt when they are fine.
std::optional<int> push_options(const Args& args, PushOptions& o) {
  if (args.positional().empty()) return usage_error("push", "give the files to push (FILE, DIR or - for stdin)");
  if (std::count(args.positional().begin(), args.positional().end(), std::string("-")) > 1)
    return usage_error("push", "'-' (stdin) can be given once");
  o.binding = args.get("binding").value_or(std::string(urn::kStix111));
  if (o.binding.empty()) return usage_error("push", "--binding needs a content binding ID");
  o.subtype = args.get("subtype");
  o.dests = args.all("dest");
  if (auto b = args.get("batch")) {
    if (b->empty() || b->size() > 6 || b->find_first_not_of("0123456789") != std::string::npos || std::stoul(*b) == 0)
      return usage_error("push", "--batch needs a positive number (at most 999999)");
    o.batch = std::stoul(*b);
  }
  if (auto a = args.get("as")) {
    if (*a == "xml") o.form = client::ContentForm::Xml;
    else if (*a == "text") o.form = client::ContentForm::Text;
    else if (*a != "auto") return usage_error("push", "--as must be auto, xml or text");
  }
  o.version = args.get("taxii") == std::string("1.0") ? Version::V10 : Version::V11;
  if (o.version == Version::V10 && (o.subtype || !o.dests.empty()))
    return usage_error("push", "--subtype and --dest need TAXII 1.1");
  return std::nullopt;
}

// Turns files into content blocks, sends them --batch at a time and reports (text or JSON).
class Pusher {
 public:
  Pusher(NetContext& ctx, const PushOptions& o) : ctx_(ctx), o_(o), json_(std::cout), progress_("push", ctx.verbose == 0) {
    if (ctx_.json) json_.begin_object().field("command", "push").key("files").begin_array();
  }

  // Adds one file (sending a full batch); the exit code when the push must stop.
  std::optional<int> add(const Input& in) {
    std::string data;
    const std::string name = in.path == "-" ? "(stdin)" : in.path;
    if (!read_file(in.path, data)) {
      std::cerr << "taxii push: cannot read '" << name << "'\n";
      return fail(kExitIo, nullptr);
    }
    auto prepared = client::prepare_content(data, o_.form, o_.version);
    if (!prepared.ok()) {
      std::cerr << "taxii push: " << name << ": " << prepared.error().message() << "\n";
      return fail(kExitIo, nullptr);
    }
    if (ctx_.verbose && !prepared->note.empty()) std::cerr << "taxii: " << name << ": " << prepared->note << "\n";
    v11::ContentBlock b;
    b.binding_id = o_.binding;
    b.subtype = o_.subtype;
    b.content = std::move(prepared->content);
    batch_.push_back(std::move(b));
    pending_.push_back({name, prepared->as_xml, data.size()});
    progress_.add(1, data.size());
    if (batch_.size() < o_.batch) return std::nullopt;
    return flush();
  }

  // Sends what is left and reports.
  int finish() {
    if (auto code = flush()) return *code;
    progress_.finish();
    if (ctx_.json) {
      json_.end_array().field("ok", true).field("messages", messages_).field("blocks", blocks_).field("bytes", bytes_);
      json_.end_object().finish();
    } else {
      std::cout << "pushed " << blocks_ << " blocks (" << human_bytes(bytes_) << ") in " << messages_ << " message"
                << (messages_ == 1 ? "" : "s") << "\n";
    }
    return kExitOk;
  }

 private:
  struct Pending {
    std::string path;
    bool as_xml;
    uint64_t bytes;
  };

  // Sends the batch; the exit code if that failed.
  std::optional<int> flush() {
    if (batch_.empty()) return std::nullopt;
    const size_t n = batch_.size();
    auto st = ctx_.session->push(std::move(batch_), o_.dests);
    batch_.clear();
    if (!st.ok()) {
      print_error(st.error());
      return fail(exit_code_for(st.error()), &st.error());
    }
    ++messages_;
    blocks_ += n;
    for (const auto& p : pending_) {
      bytes_ += p.bytes;
      if (ctx_.json)
        json_.begin_object().field("file", p.path).field("as", p.as_xml ? "xml" : "text").field("bytes", p.bytes).end_object();
    }
    pending_.clear();
    return std::nullopt;
  }

  // Ends the JSON document; the exit code for a failure after blocks_ were acknowledged.
  int fail(int code, const Error* e) {
    progress_.finish();
    if (blocks_ > 0) std::cerr << "taxii: " << blocks_ << " blocks were pushed before the failure\n";
    if (ctx_.json) {
      json_.end_array().field("ok", false).field("messages", messages_).field("blocks", blocks_).field("bytes", bytes_);
      if (e != nullptr) write_json_error(json_, *e);
      json_.end_object().finish();
    }
    return code;
  }

  NetContext& ctx_;
  const PushOptions& o_;
  JsonWriter json_;
  Progress progress_;
  uint64_t messages_ = 0, blocks_ = 0, bytes_ = 0;
  std::vector<Pending> pending_;
  std::vector<v11::ContentBlock> batch_;
};

}  // namespace

int run_push(const std::vector<std::string>& argv) {
  const auto specs = with_network_options({
      {"binding", 0, "ID", "content binding of the blocks (default urn:stix.mitre.org:xml:1.1.1)"},
      {"subtype", 0, "SUB", "content binding subtype of the blocks (TAXII 1.1)"},
      {"dest", 0, "COLLECTION", "destination collection (repeatable; TAXII 1.1)"},
      {"batch", 0, "N", "content blocks per Inbox_Message (default 1)"},
      {"as", 0, "FORM", "auto (default), xml (always markup) or text (always verbatim text)"},
  });
  Args args;
  if (auto done = parse_command("push", argv, specs, kUsage, args, true)) return *done;
  PushOptions o;
  if (auto code = push_options(args, o)) return *code;
  std::vector<Input> inputs;
  if (!expand(args.positional(), inputs)) return kExitIo;
  if (inputs.empty()) return usage_error("push", "no files to push");

  int rc = kExitOk;
  auto ctx = open_session("push", args, ServiceType::Inbox, rc);
  if (!ctx) return rc;
  Pusher pusher(*ctx, o);
  for (const auto& in : inputs)
    if (auto code = pusher.add(in)) return *code;
  return pusher.finish();
}

}  // namespace taxii::cli
