// taxii push: send files to an Inbox service as content blocks (Services 1.1 §3.2), --batch
// blocks per Inbox_Message. How a file becomes Content (markup or text) is decided by
// client/content.hpp so that a later `taxii poll --output-dir` returns the same bytes.
// Files are read one batch at a time, so memory stays flat however many there are.
#include <algorithm>
#include <filesystem>
#include <iostream>

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

const char* kExitCodes =
    "\nExit status: 0 ok, 2 usage, 3 network/HTTP error, 4 TAXII error status, 5 local file error.\n";

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
  if (auto err = parse_args(argv, specs, args)) return usage_error("push", *err);
  if (args.has("help")) {
    std::cout << kUsage << help_options(specs) << kExitCodes;
    return kExitOk;
  }
  if (args.positional().empty()) return usage_error("push", "give the files to push (FILE, DIR or - for stdin)");
  if (std::count(args.positional().begin(), args.positional().end(), std::string("-")) > 1)
    return usage_error("push", "'-' (stdin) can be given once");
  const std::string binding = args.get("binding").value_or(std::string(urn::kStix111));
  if (binding.empty()) return usage_error("push", "--binding needs a content binding ID");
  const auto subtype = args.get("subtype");
  const auto dests = args.all("dest");
  size_t batch = 1;
  if (auto b = args.get("batch")) {
    if (b->empty() || b->size() > 6 || b->find_first_not_of("0123456789") != std::string::npos || std::stoul(*b) == 0)
      return usage_error("push", "--batch needs a positive number (at most 999999)");
    batch = std::stoul(*b);
  }
  client::ContentForm form = client::ContentForm::Auto;
  if (auto a = args.get("as")) {
    if (*a == "xml") form = client::ContentForm::Xml;
    else if (*a == "text") form = client::ContentForm::Text;
    else if (*a != "auto") return usage_error("push", "--as must be auto, xml or text");
  }
  const bool v10 = args.get("taxii") == std::string("1.0");
  if (v10 && (subtype || !dests.empty())) return usage_error("push", "--subtype and --dest need TAXII 1.1");

  std::vector<Input> inputs;
  if (!expand(args.positional(), inputs)) return kExitIo;
  if (inputs.empty()) return usage_error("push", "no files to push");

  int rc = kExitOk;
  auto ctx = open_session("push", args, ServiceType::Inbox, rc);
  if (!ctx) return rc;
  const Version version = v10 ? Version::V10 : Version::V11;

  JsonWriter json(std::cout);
  if (ctx->json) json.begin_object().field("command", "push").key("files").begin_array();
  Progress progress("push", ctx->verbose == 0);
  uint64_t messages = 0, blocks = 0, bytes = 0;
  struct Pending {
    std::string path;
    bool as_xml;
    uint64_t bytes;
  };
  std::vector<Pending> pending;
  std::vector<v11::ContentBlock> batch_blocks;

  // Ends the JSON document and returns the exit code for a failure after `blocks` were acknowledged.
  auto fail = [&](int code, const Error* e) {
    progress.finish();
    if (blocks > 0) std::cerr << "taxii: " << blocks << " blocks were pushed before the failure\n";
    if (ctx->json) {
      json.end_array().field("ok", false).field("messages", messages).field("blocks", blocks).field("bytes", bytes);
      if (e != nullptr) write_json_error(json, *e);
      json.end_object().finish();
    }
    return code;
  };
  auto flush = [&]() -> std::optional<Error> {
    if (batch_blocks.empty()) return std::nullopt;
    const size_t n = batch_blocks.size();
    auto st = ctx->session->push(std::move(batch_blocks), dests);
    batch_blocks.clear();
    if (!st.ok()) return st.error();
    ++messages;
    blocks += n;
    for (const auto& p : pending) {
      bytes += p.bytes;
      if (ctx->json)
        json.begin_object().field("file", p.path).field("as", p.as_xml ? "xml" : "text").field("bytes", p.bytes).end_object();
    }
    pending.clear();
    return std::nullopt;
  };

  for (const auto& in : inputs) {
    std::string data;
    const std::string name = in.path == "-" ? "(stdin)" : in.path;
    if (!read_file(in.path, data)) {
      std::cerr << "taxii push: cannot read '" << name << "'\n";
      return fail(kExitIo, nullptr);
    }
    auto prepared = client::prepare_content(data, form, version);
    if (!prepared.ok()) {
      std::cerr << "taxii push: " << name << ": " << prepared.error().message() << "\n";
      return fail(kExitIo, nullptr);
    }
    if (ctx->verbose && !prepared->note.empty()) std::cerr << "taxii: " << name << ": " << prepared->note << "\n";
    v11::ContentBlock b;
    b.binding_id = binding;
    b.subtype = subtype;
    b.content = std::move(prepared->content);
    batch_blocks.push_back(std::move(b));
    pending.push_back({name, prepared->as_xml, data.size()});
    progress.add(1, data.size());
    if (batch_blocks.size() >= batch) {
      if (auto e = flush()) {
        print_error(*e);
        return fail(exit_code_for(*e), &*e);
      }
    }
  }
  if (auto e = flush()) {
    print_error(*e);
    return fail(exit_code_for(*e), &*e);
  }
  progress.finish();
  if (ctx->json) {
    json.end_array().field("ok", true).field("messages", messages).field("blocks", blocks).field("bytes", bytes);
    json.end_object().finish();
  } else {
    std::cout << "pushed " << blocks << " blocks (" << human_bytes(bytes) << ") in " << messages << " message"
              << (messages == 1 ? "" : "s") << "\n";
  }
  return kExitOk;
}

}  // namespace taxii::cli
