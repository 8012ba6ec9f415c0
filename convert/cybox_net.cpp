// CybOX network, certificate, account and product objects -> SCOs and pattern terms
// (STIX 2.1 §6.12, §6.17, §6.15, §6.14).
#include <cctype>

#include "convert/cybox_terms.hpp"

namespace taxii::convert {

void software(Builder& b, Node props) {
  b.out.type = "software";
  b.simple(props, "Product", "name");
  b.simple(props, "Vendor", "vendor");
  b.simple(props, "Version", "version");
  if (Node l = b.c.child(props, "Language"); l != kNone) {
    b.terms.push_back(term(b.c, l, "software:languages[*]", Kind::Str));
    Json langs = Json::array();
    langs.push(Json::str(b.c.text(l)));
    b.out.sco.set("languages", std::move(langs));
  }
}

namespace {

// Network constructs -> network-traffic (STIX 2.1 §6.12). `side` is "src" or "dst".
void socket_address(Builder& b, Node sock, const std::string& side) {
  if (sock == kNone) return;
  if (Node port = b.c.child(sock, "Port"); port != kNone)
    if (Node v = b.c.child(port, "Port_Value"); v != kNone) b.add(v, side + "_port", Kind::Int);
  Node value = kNone;
  std::string ref_type;
  if (Node ip = b.c.child(sock, "IP_Address"); ip != kNone) {
    value = b.c.child(ip, "Address_Value");
    ref_type = b.c.attr_or(ip, "category", "ipv4-addr") == "ipv6-addr" ? "ipv6-addr" : "ipv4-addr";
  } else if (Node host = b.c.child(sock, "Hostname"); host != kNone) {
    value = b.c.child(host, "Hostname_Value");
    b.c.child(host, "Naming_System");  // DNS is what domain-name means
    ref_type = "domain-name";
  }
  if (value == kNone) return;
  b.terms.push_back(term(b.c, value, "network-traffic:" + side + "_ref.value", Kind::Str));
  Json ref = Json::object();
  ref.set("type", Json::str(ref_type));
  ref.set("value", Json::str(b.c.text(value)));
  b.out.extra.emplace_back(side + "_ref", std::move(ref));
}

void protocol(Builder& b, Node p, bool lower) {
  if (p == kNone) return;
  std::string v = b.c.text(p);
  if (lower)
    for (char& ch : v) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  b.terms.push_back("network-traffic:protocols[*] = " + quote(v));
  if (!b.out.sco.has("protocols")) b.out.sco.set("protocols", Json::array());
  b.out.sco.get("protocols")->push(Json::str(v));
}

}  // namespace

void network(Builder& b, Node props, const std::string& t) {
  b.out.type = "network-traffic";
  if (t == "PortObjectType") {
    b.simple(props, "Port_Value", "dst_port", Kind::Int);
    protocol(b, b.c.child(props, "Layer4_Protocol"), false);
  } else if (t == "SocketAddressObjectType") {
    socket_address(b, props, "src");
  } else if (t == "NetworkConnectionObjectType") {
    protocol(b, b.c.child(props, "Layer3_Protocol"), true);
    protocol(b, b.c.child(props, "Layer4_Protocol"), true);
    socket_address(b, b.c.child(props, "Source_Socket_Address"), "src");
    socket_address(b, b.c.child(props, "Destination_Socket_Address"), "dst");
  } else {  // NetworkPacketObjectType: ICMPv4 type and code (icmp-ext, STIX 2.1 §6.12.3)
    Node icmp = b.c.child(b.c.child(b.c.child(props, "Internet_Layer"), "ICMPv4"), "ICMPv4_Header");
    Json ext = Json::object();
    for (const auto& [el, prop] : {std::pair<const char*, const char*>{"Type", "icmp_type_hex"}, {"Code", "icmp_code_hex"}}) {
      Node v = b.c.child(icmp, el);
      if (v == kNone) continue;
      b.terms.push_back(std::string("network-traffic:extensions.'icmp-ext'.") + prop + " = h" + quote(b.c.text(v)));
      ext.set(prop, Json::str(b.c.text(v)));
    }
    if (!ext.empty()) {
      Json protocols = Json::array();
      protocols.push(Json::str("icmp"));
      b.out.sco.set("protocols", std::move(protocols));
      Json exts = Json::object();
      exts.set("icmp-ext", std::move(ext));
      b.out.sco.set("extensions", std::move(exts));
    }
  }
}

// X509Certificate -> x509-certificate (STIX 2.1 §6.17); the v3 extensions in the order of
// the 2.1 property list.
void x509(Builder& b, Node props) {
  b.out.type = "x509-certificate";
  Node cert = b.c.child(props, "Certificate");
  b.simple(cert, "Serial_Number", "serial_number");
  b.simple(cert, "Issuer", "issuer");
  b.simple(cert, "Subject", "subject");
  auto time = [&](Node parent, const char* element, const std::string& path, Json& into, const std::string& prop) {
    Node v = b.c.child(parent, element);
    if (v == kNone) return;
    b.terms.push_back(term(b.c, v, path, Kind::Time));
    if (auto t = stix_timestamp(b.c.text(v), 6)) into.set(prop, Json::str(*t));
  };
  Node validity = b.c.child(cert, "Validity");
  time(validity, "Not_Before", "x509-certificate:validity_not_before", b.out.sco, "validity_not_before");
  time(validity, "Not_After", "x509-certificate:validity_not_after", b.out.sco, "validity_not_after");
  Node ext = b.c.child(cert, "Standard_Extensions");
  if (ext == kNone) return;
  static const std::pair<const char*, const char*> kExt[] = {
      {"Basic_Constraints", "basic_constraints"}, {"Name_Constraints", "name_constraints"},
      {"Policy_Constraints", "policy_constraints"}, {"Key_Usage", "key_usage"},
      {"Extended_Key_Usage", "extended_key_usage"}, {"Subject_Key_Identifier", "subject_key_identifier"},
      {"Authority_Key_Identifier", "authority_key_identifier"}, {"Subject_Alternative_Name", "subject_alternative_name"},
      {"Issuer_Alternative_Name", "issuer_alternative_name"}, {"CRL_Distribution_Points", "crl_distribution_points"},
      {"Inhibit_Any_Policy", "inhibit_any_policy"}, {"Certificate_Policies", "certificate_policies"}};
  Json exts = Json::object();
  std::vector<std::string> parts;
  const std::string base = "x509-certificate:x509_v3_extensions.";
  for (const auto& [element, prop] : kExt) {
    Node v = b.c.child(ext, element);
    if (v == kNone) continue;
    parts.push_back(term(b.c, v, base + prop, std::string(prop) == "inhibit_any_policy" ? Kind::Int : Kind::Str));
    exts.set(prop, Json::str(b.c.text(v)));
  }
  Node period = b.c.child(ext, "Private_Key_Usage_Period");
  std::vector<std::string> saved;
  saved.swap(b.terms);
  time(period, "Not_Before", base + "private_key_usage_period_not_before", exts, "private_key_usage_period_not_before");
  time(period, "Not_After", base + "private_key_usage_period_not_after", exts, "private_key_usage_period_not_after");
  for (auto& t : b.terms) parts.push_back(std::move(t));
  b.terms.swap(saved);
  b.group(parts, "AND");
  if (!exts.empty()) b.out.sco.set("x509_v3_extensions", std::move(exts));
}

// UserAccount (+ Unix, Windows) -> user-account (STIX 2.1 §6.15).
void user_account(Builder& b, Node props, const std::string& t) {
  b.out.type = "user-account";
  if (const std::string* disabled = b.c.attr(props, "disabled")) {
    const bool v = *disabled == "true" || *disabled == "1";
    b.terms.push_back(std::string("user-account:is_disabled = ") + (v ? "true" : "false"));
    b.out.sco.set("is_disabled", Json::boolean(v));
  }
  if (Node last = b.c.child(props, "Last_Login"); last != kNone) {
    b.terms.push_back(term(b.c, last, "user-account:account_last_login", Kind::Time));
    if (auto ts = stix_timestamp(b.c.text(last), 6)) b.out.sco.set("account_last_login", Json::str(*ts));
  }
  b.simple(props, "Username", "account_login");
  b.simple(props, "Full_Name", "display_name");
  const std::string kind = t == "UnixUserAccountObjectType" ? "unix" : t == "WindowsUserAccountObjectType" ? "windows-local" : "";
  Node uid = b.c.child(props, "User_ID");
  if (!kind.empty()) {
    std::vector<std::string> parts{"user-account:account_type = " + quote(kind)};
    b.out.sco.set("account_type", Json::str(kind));
    if (uid != kNone) {
      parts.push_back(term(b.c, uid, "user-account:user_id", Kind::Str));
      b.out.sco.set("user_id", Json::str(b.c.text(uid)));
    }
    b.group(parts, "AND");
  } else if (uid != kNone) {
    b.add(uid, "user_id", Kind::Str);
  }
}

}  // namespace taxii::convert
