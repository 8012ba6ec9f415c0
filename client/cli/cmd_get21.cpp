// taxii2 get / manifest / versions: the paginated endpoints of TAXII 2.1 — Get Objects (§5.4)
// and Get an Object (§5.6), Get Object Manifests (§5.3), Get Object Versions (§5.8) — with
// their filters (§3.4, §3.4.1), every page followed (§3.5), streamed to the output as pages
// arrive, and a progress line on stderr.
#include <fstream>
#include <iostream>

#include "client/cli/command21.hpp"
#include "client/cli/common21.hpp"
#include "client/errors.hpp"

namespace taxii::cli {
namespace {

using client21::PageKind;

struct Paged {
  std::string name;
  const char* usage;
  PageKind kind;
  std::vector<std::string> filters;
  bool id_required;  // versions; get takes --id optionally
  const char* items;  // JSON key and progress unit
};

const Paged& paged(PageKind k) {
  static const Paged get{"get",
                         "usage: taxii2 get --url API_ROOT --collection ID [--id OBJECT_ID] [filters] [options]\n\n"
                         "Fetches objects of a collection (TAXII 2.1 §5.4), or the versions of one object with\n"
                         "--id (§5.6), following every page. Without --json the objects are written as one\n"
                         "envelope ({\"objects\":[...]}), which 'taxii2 add' takes back.\n\n",
                         PageKind::Objects,
                         {"added-after", "match-id", "type", "version", "spec-version", "limit", "next", "no-follow"},
                         false, "objects"};
  static const Paged manifest{"manifest",
                              "usage: taxii2 manifest --url API_ROOT --collection ID [filters] [options]\n\n"
                              "Lists the manifest of a collection (TAXII 2.1 §5.3): one line per object version,\n"
                              "date_added, version, id and media type, following every page.\n\n",
                              PageKind::Manifest,
                              {"added-after", "match-id", "type", "version", "spec-version", "limit", "next", "no-follow"},
                              false, "objects"};
  static const Paged versions{"versions",
                              "usage: taxii2 versions --url API_ROOT --collection ID --id OBJECT_ID [filters] [options]\n\n"
                              "Lists the versions of an object (TAXII 2.1 §5.8), one per line.\n\n",
                              PageKind::Versions,
                              {"added-after", "spec-version", "limit", "next", "no-follow"},
                              true, "versions"};
  return k == PageKind::Objects ? get : k == PageKind::Manifest ? manifest : versions;
}

// Writes the items of a paged command as text (envelope, manifest lines, version lines).
class TextOut {
 public:
  TextOut(PageKind kind, std::ostream& os) : kind_(kind), os_(os) {}
  Status item(std::string_view json) {
    if (kind_ == PageKind::Objects) {
      os_ << (n_++ == 0 ? "{\"objects\":[\n" : ",\n") << json;
    } else if (kind_ == PageKind::Versions) {
      os_ << (json.size() >= 2 && json.front() == '"' ? json.substr(1, json.size() - 2) : json) << "\n";
    } else {
      auto r = client21::parse_manifest_record(json);
      if (!r.ok()) return r.error();
      os_ << r->date_added << "  " << r->version << "  " << r->id << "  " << r->media_type.value_or("") << "\n";
    }
    if (os_) return ok_status();
    write_failed_ = true;
    return client::local_error("cannot write the output");
  }
  bool write_failed() const { return write_failed_; }
  void finish() {
    if (kind_ == PageKind::Objects) os_ << (n_ == 0 ? "{}\n" : "\n]}\n");
    os_.flush();
    write_failed_ = write_failed_ || !os_;
  }

 private:
  PageKind kind_;
  std::ostream& os_;
  uint64_t n_ = 0;
  bool write_failed_ = false;
};

void json_summary(JsonWriter& w, const client21::PagesSummary& s) {
  w.field("count", s.items).field("pages", s.pages).field("more", s.more).field("next", s.next);
  w.field("date_added_first", s.date_added_first).field("date_added_last", s.date_added_last);
  w.field("added_after_fallbacks", s.fallbacks);
}

std::vector<OptionSpec> paged_specs(const Paged& p) {
  std::vector<OptionSpec> own = {{"collection", 0, "ID", "the collection's id (or alias)"}};
  own.push_back({"id", 0, "OBJECT_ID", p.id_required ? "the object's STIX id" : "one object's versions (Get an Object)"});
  if (p.kind == PageKind::Objects)
    own.push_back({"output", 'o', "FILE", "write the objects (an envelope) to FILE; with --json, stdout gets the summary"});
  for (auto& s : filter_specs21(p.filters)) own.push_back(s);
  return with_options21(own);
}

client21::Url endpoint(const Paged& p, const client21::Url& root, const std::string& col, const std::string& id) {
  if (p.kind == PageKind::Manifest) return client21::Client::manifest_url(root, col);
  if (p.kind == PageKind::Versions) return client21::Client::versions_url(root, col, id);
  return client21::Client::objects_url(root, col, id);
}

int run_paged(PageKind kind, const std::vector<std::string>& argv) {
  const Paged& p = paged(kind);
  Args args;
  if (auto rc = parse21(p.name, argv, paged_specs(p), p.usage, args)) return *rc;
  int rc = kExitOk;
  client21::Filter f;
  if (auto u = filter21(p.name, args, p.filters, f)) return *u;
  auto col = required21(p.name, args, "collection", rc);
  if (!col) return rc;
  const std::string id = args.get("id").value_or("");
  if (p.id_required && id.empty()) return usage_error(p.name, "--id is required");
  std::ofstream file;
  if (auto o = args.get("output")) {
    file.open(*o, std::ios::binary | std::ios::trunc);
    if (!file) {
      std::cerr << "taxii2 " << p.name << ": cannot write '" << *o << "'\n";
      return kExitIo;
    }
  }
  auto ctx = open21(p.name, args, rc);
  if (!ctx) return rc;
  const auto& root = ctx->root;
  const bool json_items = ctx->json && !file.is_open();
  JsonWriter w(std::cout);
  TextOut text(kind, file.is_open() ? static_cast<std::ostream&>(file) : std::cout);
  const auto url = endpoint(p, root, *col, id);
  if (ctx->json) {
    w.begin_object().field("command", p.name).field("url", url.str());
    if (json_items) w.key(kind == PageKind::Manifest ? "records" : p.items).begin_array();
  }
  Progress progress(p.name, !ctx->json && ctx->verbose == 0, p.items);
  auto sink = [&](std::string_view item) -> Status {
    if (!json_items) return text.item(item);
    w.json_value(item);
    return ok_status();
  };
  auto on_page = [&progress](const client21::PageEvent& ev) { progress.add(ev.info.items, ev.bytes); };
  auto sum = ctx->client->pages(url, kind, f, !args.has("no-follow"), sink, on_page);
  progress.finish();
  if (!json_items) text.finish();  // what arrived before a failure stays well-formed; the exit code tells
  if (text.write_failed()) {
    std::cerr << "taxii2 " << p.name << ": cannot write the output\n";
    if (ctx->json) {  // -o FILE: the document on stdout still ends
      w.field("ok", false);
      write_error21(w, client::local_error("cannot write the output"));
      w.end_object().finish();
    }
    return kExitIo;
  }
  if (!ctx->json) {
    if (!sum.ok()) return report21(*ctx, sum.error());
    if (sum->more)
      std::cerr << "taxii2 " << p.name << ": the server has more" << (sum->next ? "; continue with --next " + *sum->next : "")
                << "\n";
    return kExitOk;
  }
  if (json_items) w.end_array();
  w.field("ok", sum.ok());
  if (sum.ok()) json_summary(w, *sum);
  else write_error21(w, sum.error());
  w.end_object().finish();
  if (sum.ok()) return kExitOk;
  std::cerr << "taxii2 " << p.name << ": " << sum.error().message() << "\n";
  return exit_code21(sum.error());
}

}  // namespace

int run_get21(const std::vector<std::string>& argv) { return run_paged(PageKind::Objects, argv); }
int run_manifest21(const std::vector<std::string>& argv) { return run_paged(PageKind::Manifest, argv); }
int run_versions21(const std::vector<std::string>& argv) { return run_paged(PageKind::Versions, argv); }

}  // namespace taxii::cli
