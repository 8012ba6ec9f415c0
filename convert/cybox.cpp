#include "convert/cybox.hpp"

#include <cctype>

#include "convert/cybox_terms.hpp"
#include "convert/ids.hpp"
#include "core/timestamp.hpp"

namespace taxii::convert {

namespace {

std::string hash_name(std::string t) {
  std::string u;
  for (char ch : t)
    if (ch != '-' && ch != ' ') u += static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  if (u == "MD5") return "MD5";
  if (u == "SHA1") return "SHA-1";
  if (u == "SHA224") return "SHA-224";
  if (u == "SHA256") return "SHA-256";
  if (u == "SHA384") return "SHA-384";
  if (u == "SHA512") return "SHA-512";
  if (u == "SSDEEP") return "SSDEEP";
  return t;
}

std::string hash_path(const std::string& name) {
  return name.find('-') == std::string::npos ? name : "'" + name + "'";
}

void address(Builder& b, Node props) {
  const std::string cat = b.c.attr_or(props, "category", "ipv4-addr");
  b.out.type = cat == "ipv6-addr" ? "ipv6-addr" : cat == "e-mail" ? "email-addr" : cat == "mac" ? "mac-addr"
                                                                                                 : "ipv4-addr";
  if (cat != "ipv4-addr" && cat != "ipv6-addr" && cat != "e-mail" && cat != "mac" && cat != "cidr")
    b.c.warn(kUnknownVocab, props, "address category " + cat + " taken as ipv4-addr");
  b.simple(props, "Address_Value", "value");
}

void file(Builder& b, Node props) {
  b.out.type = "file";
  std::vector<std::string> hashes;
  Json hash_obj = Json::object();
  for (Node h : b.c.children(b.c.child(props, "Hashes"), "Hash")) {
    const std::string name = hash_name(b.c.child_text(h, "Type"));
    if (name.empty()) {
      b.c.warn(kPatternTermDropped, h, "hash without a type");
      b.c.mark_subtree(h);
      continue;
    }
    Node v = b.c.child(h, "Simple_Hash_Value");
    if (v == kNone) v = b.c.child(h, "Fuzzy_Hash_Value");
    if (v == kNone) continue;
    hashes.push_back(term(b.c, v, "file:hashes." + hash_path(name), Kind::Str));
    hash_obj.set(name, Json::str(b.c.text(v)));
  }
  b.group(hashes, "OR");
  if (!hash_obj.empty()) b.out.sco.set("hashes", std::move(hash_obj));
  std::vector<std::string> name_parts;
  std::string name = b.c.child_text(props, "File_Name");
  Node n = b.c.child(props, "File_Name");
  std::string dir;
  Node p = b.c.child(props, "File_Path");
  if (p != kNone) {
    // A path that ends with the file's name (or a full path without a File_Name) is the
    // directory plus the name (STIX 2.1 §6.7: name and parent_directory_ref).
    dir = b.c.text(p);
    const size_t sep = dir.find_last_of("/\\");
    if (sep != std::string::npos && sep + 1 < dir.size() && (name.empty() || dir.substr(sep + 1) == name)) {
      if (name.empty()) name = dir.substr(sep + 1);
      dir.resize(sep);
    }
  }
  if (!name.empty()) {
    const std::string cond = b.c.attr_or(n != kNone ? n : p, "condition", "Equals");
    name_parts.push_back(cond == "Equals" ? "file:name = " + quote(name) : term(b.c, n != kNone ? n : p, "file:name", Kind::Str));
    b.out.sco.set("name", Json::str(name));
  }
  if (!dir.empty()) {
    name_parts.push_back("file:parent_directory_ref.path = " + quote(dir));
    Json d = Json::object();
    d.set("type", Json::str("directory"));
    d.set("path", Json::str(dir));
    b.out.extra.emplace_back("parent_directory_ref", std::move(d));
  }
  b.group(name_parts, "AND");
  b.simple(props, "Size_In_Bytes", "size", Kind::Int);
}

Json email_addr(Ctx& c, Node v) {
  Json a = Json::object();
  a.set("type", Json::str("email-addr"));
  a.set("value", Json::str(c.text(v)));
  return a;
}

// The addressing fields (subject, from, recipients) form one group of terms, then the other
// header fields, as the elevator writes them.
void email(Builder& b, Node props) {
  b.out.type = "email-message";
  b.out.sco.set("is_multipart", Json::boolean(false));
  Node header = b.c.child(props, "Header");
  std::vector<std::string> addressing;
  if (Node subject = b.c.child(header, "Subject"); subject != kNone) {
    addressing.push_back(term(b.c, subject, "email-message:subject", Kind::Str));
    b.out.sco.set("subject", Json::str(b.c.text(subject)));
  }
  if (Node from = b.c.child(header, "From"); from != kNone)
    if (Node v = b.c.child(from, "Address_Value"); v != kNone) {
      addressing.push_back(term(b.c, v, "email-message:from_ref.value", Kind::Str));
      b.out.extra.emplace_back("from_ref", email_addr(b.c, v));
    }
  for (const char* field : {"To", "CC", "BCC"}) {
    Node to = b.c.child(header, field);
    if (to == kNone) continue;
    const std::string prop = std::string(field == std::string("To") ? "to" : field == std::string("CC") ? "cc" : "bcc") + "_refs";
    std::vector<std::string> tos;
    for (Node r : b.c.children(to, "Recipient"))
      if (Node v = b.c.child(r, "Address_Value"); v != kNone) {
        tos.push_back(term(b.c, v, "email-message:" + prop + "[*].value", Kind::Str));
        b.out.extra.emplace_back(prop, email_addr(b.c, v));
      }
    if (!tos.empty()) addressing.push_back(Builder::grouped(tos, "OR"));
  }
  b.group(addressing, "AND");
  b.simple(header, "Message_ID", "message_id");
  b.simple(header, "Date", "date", Kind::Time);
  if (Node x = b.c.child(header, "X_Mailer"); x != kNone) {
    b.terms.push_back(term(b.c, x, "email-message:additional_header_fields.'X-Mailer'", Kind::Str));
    Json fields = Json::object();
    fields.set("X-Mailer", Json::str(b.c.text(x)));
    b.out.sco.set("additional_header_fields", std::move(fields));
  }
}

void registry_key(Builder& b, Node props) {
  b.out.type = "windows-registry-key";
  const std::string hive = b.c.child_text(props, "Hive");
  if (Node key = b.c.child(props, "Key"); key != kNone) {
    const std::string full = hive.empty() ? b.c.text(key) : hive + "\\" + b.c.text(key);
    b.terms.push_back("windows-registry-key:key " + std::string(b.c.attr_or(key, "condition", "Equals") == "Equals" ? "= " : "MATCHES ") + quote(full));
    b.out.sco.set("key", Json::str(full));
  }
  for (Node v : b.c.children(b.c.child(props, "Values"), "Value")) {
    if (Node n = b.c.child(v, "Name"); n != kNone) b.terms.push_back(term(b.c, n, "windows-registry-key:values[*].name", Kind::Str));
    if (Node d = b.c.child(v, "Data"); d != kNone) b.terms.push_back(term(b.c, d, "windows-registry-key:values[*].data", Kind::Str));
  }
}

bool convert_properties(Builder& b, Node props, const std::string& t) {
  if (t == "AddressObjectType") address(b, props);
  else if (t == "DomainNameObjectType") { b.out.type = "domain-name"; b.simple(props, "Value", "value"); }
  else if (t == "HostnameObjectType") { b.out.type = "domain-name"; b.simple(props, "Hostname_Value", "value"); }
  else if (t == "URIObjectType") {
    b.out.type = b.c.attr_or(props, "type", "URL") == "Domain Name" ? "domain-name" : "url";
    b.simple(props, "Value", "value");
  } else if (t == "FileObjectType" || t == "WindowsFileObjectType") file(b, props);
  else if (t == "MutexObjectType" || t == "WindowsMutexObjectType") { b.out.type = "mutex"; b.simple(props, "Name", "name"); }
  else if (t == "EmailMessageObjectType") email(b, props);
  else if (t == "WindowsRegistryKeyObjectType") registry_key(b, props);
  else if (t == "ProductObjectType") software(b, props);
  else if (t == "X509CertificateObjectType") x509(b, props);
  else if (t == "PortObjectType" || t == "SocketAddressObjectType" || t == "NetworkConnectionObjectType" ||
           t == "NetworkPacketObjectType")
    network(b, props, t);
  else if (t == "ASObjectType") { b.out.type = "autonomous-system"; b.simple(props, "Number", "number", Kind::Int); b.simple(props, "Name", "name"); b.simple(props, "Regional_Internet_Registry", "rir"); }
  else if (t == "UserAccountObjectType" || t == "UnixUserAccountObjectType" || t == "WindowsUserAccountObjectType")
    user_account(b, props, t);
  else if (t == "ProcessObjectType" || t == "WindowsProcessObjectType" || t == "UnixProcessObjectType") {
    b.out.type = "process";
    b.simple(props, "PID", "pid", Kind::Int);
  } else return false;
  return true;
}

}  // namespace

// Whether the SCO has what STIX 2.1 §6 requires of its type (and the references it needs).
bool complete_sco(const CyboxObject& o) {
  const std::string& t = o.type;
  auto has = [&](const char* p) {
    if (o.sco.has(p)) return true;
    for (const auto& e : o.extra)
      if (e.first == p) return true;
    return false;
  };
  if (t == "network-traffic") return has("src_ref") || has("dst_ref");
  if (t == "mutex" || t == "software") return has("name");
  if (t == "autonomous-system") return has("number");
  if (t == "windows-registry-key" || t == "x509-certificate" || t == "file" || t == "email-message" || t == "process" ||
      t == "user-account")
    return o.sco.members().size() > (t == "email-message" ? 2u : 1u);
  return has("value");
}

CyboxObject convert_cybox_object(Ctx& c, Node object) {
  CyboxObject out;
  Node props = c.child(object, "Properties");
  if (props == kNone) {
    c.warn(kUnsupportedObject, object, "object without Properties");
    return out;
  }
  const std::string t = c.xsi_type(props);
  out.sco = Json::object();
  Builder b{c, out, {}};
  if (!convert_properties(b, props, t)) {
    out.type.clear();
    c.warn(kUnsupportedObject, props, "CybOX object type " + (t.empty() ? std::string("(none)") : t) + " not converted");
    return out;
  }
  Json sco = Json::object();
  sco.set("type", Json::str(out.type));
  for (const auto& m : out.sco.members()) sco.set(m.first, m.second);
  out.sco = std::move(sco);
  out.comparison = b.joined();
  if (!complete_sco(out)) out.sco = Json();  // no SCO (the pattern may still use the terms)
  return out;
}

namespace {

// STIX 2.1 §6 (each SCO's "ID Contributing Properties").
std::vector<std::string> contributing(const std::string& type) {
  if (type == "file") return {"hashes", "name", "extensions", "parent_directory_ref"};
  if (type == "email-message") return {"from_ref", "subject", "body"};
  if (type == "windows-registry-key") return {"key", "values"};
  if (type == "user-account") return {"account_type", "user_id", "account_login"};
  if (type == "autonomous-system") return {"number"};
  if (type == "directory") return {"path"};
  if (type == "mutex") return {"name"};
  if (type == "process") return {};
  if (type == "network-traffic") return {"start", "end", "src_ref", "dst_ref", "src_port", "dst_port", "protocols", "extensions"};
  if (type == "x509-certificate") return {"hashes", "serial_number"};
  if (type == "software") return {"name", "cpe", "swid", "vendor", "version"};
  return {"value"};
}

}  // namespace

std::string assign_sco_id(Json& sco) {
  if (const Json* id = sco.get("id")) return id->as_str();
  const std::string type = sco.get("type")->as_str();
  Json key = Json::object();
  for (const auto& p : contributing(type)) {
    const Json* v = sco.get(p);
    if (v == nullptr) continue;
    if (p == "hashes") {  // one hash, by the §2.9 preference order
      for (const char* h : {"MD5", "SHA-1", "SHA-256", "SHA-512"})
        if (const Json* hv = v->get(h)) {
          Json one = Json::object();
          one.set(h, *hv);
          key.set("hashes", std::move(one));
          break;
        }
      if (!key.has("hashes") && !v->members().empty()) {
        Json one = Json::object();
        one.set(v->members().front().first, v->members().front().second);
        key.set("hashes", std::move(one));
      }
      continue;
    }
    key.set(p, *v);
  }
  // STIX 2.1 §2.9: an SCO without contributing properties gets a UUIDv4. Ours is derived from
  // the SCO's content (the version bits say 4; the rest is a hash, not random), so that the
  // same input still yields the same id (docs/bridge.md, "Stable identifiers").
  Uuid u = key.empty() ? uuid_v5(kTaxiiNamespace, sco.canonical()) : uuid_v5(kStixScoNamespace, key.canonical());
  if (key.empty()) u[6] = static_cast<uint8_t>((u[6] & 0x0f) | 0x40);
  std::string id = type + "--" + uuid_text(u);
  Json with_id = Json::object();
  with_id.set("type", Json::str(type));
  with_id.set("id", Json::str(id));
  for (const auto& m : sco.members())
    if (m.first != "type") with_id.set(m.first, m.second);
  sco = std::move(with_id);
  return id;
}

}  // namespace taxii::convert
