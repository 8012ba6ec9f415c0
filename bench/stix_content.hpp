// Benchmark content: realistic STIX 1.1.1 indicator packages, 2-4 KB, each different, made
// deterministically from (seed, index). Shared by taxii_bench (the server workloads) and
// xml_bench (the micro-benchmarks), so both measure the same bytes. Header-only; pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <ctime>
#include <string>

namespace taxii::bench {

// Deterministic pseudo-random values (splitmix64): the same seed gives the same content.
struct Rng {
  uint64_t s;
  uint64_t next() {  // splitmix64
    uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  uint64_t below(uint64_t n) { return next() % n; }
  template <std::size_t N>
  const char* pick(const char* const (&a)[N]) { return a[below(N)]; }
  std::string hex(std::size_t n) {
    static const char d[] = "0123456789abcdef";
    std::string out(n, '0');
    for (auto& c : out) c = d[below(16)];
    return out;
  }
  std::string uuid() {
    std::string h = hex(32);
    return h.substr(0, 8) + "-" + h.substr(8, 4) + "-4" + h.substr(13, 3) + "-a" + h.substr(17, 3) + "-" +
           h.substr(20, 12);
  }
  std::string time() {  // a plausible 2014-2016 timestamp
    const std::time_t t = 1388534400 + static_cast<std::time_t>(below(3 * 365 * 86400));
    char buf[32];
    std::tm tm{};
    gmtime_r(&t, &tm);
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
  }
};

inline const char* const kWords[] = {"beaconing", "spear-phishing", "dropper", "loader", "credential", "harvesting",
                                      "exfiltration", "staging", "server", "campaign", "actor", "observed",
                                      "infrastructure", "banking", "trojan", "ransomware", "payload", "macro",
                                      "document", "lure", "invoice", "shipping", "notice", "domain", "registered",
                                      "recently", "hosting", "provider", "compromised", "website", "redirect"};
inline const char* const kTypes[] = {"IP Watchlist", "Domain Watchlist", "URL Watchlist", "File Hash Watchlist",
                                     "Malicious E-mail", "C2", "Malware Artifacts", "Exfiltration"};
inline const char* const kPhases[][2] = {{"Reconnaissance", "1"}, {"Weaponization", "2"}, {"Delivery", "3"},
                                         {"Exploitation", "4"},   {"Installation", "5"},  {"Command and Control", "6"},
                                         {"Actions on Objectives", "7"}};
inline const char* const kPhaseIds[] = {"stix:TTP-af1016d6-a744-4ed7-ac91-00fe2272185a",
                                        "stix:TTP-445b4827-3cca-42bd-8421-f2e947133c16",
                                        "stix:TTP-79a0e041-9d5f-49bb-ada4-8322622b162d",
                                        "stix:TTP-f706e4e7-53d8-44ef-967f-81535c9db7d0",
                                        "stix:TTP-e1e4e3f7-be3b-4b39-b80a-a593cfd99a4f",
                                        "stix:TTP-d6dc32b9-2538-4951-8733-3cb9ef1daae2",
                                        "stix:TTP-786ca8f9-2d9a-4213-b38e-399af4a2e5d6"};
inline const char* const kTlds[] = {"com", "net", "org", "info", "biz", "ru", "cn", "top", "xyz", "io"};
inline const char* const kProducers[] = {"Example CERT", "ACME SOC", "Regional ISAC", "Partner Feed 7",
                                         "Threat Intel Team"};

inline std::string sentence(Rng& r, int words) {
  std::string s;
  for (int i = 0; i < words; ++i) {
    if (i) s += ' ';
    s += r.pick(kWords);
  }
  s[0] = static_cast<char>(s[0] - 'a' + 'A');
  return s + ".";
}

inline std::string domain(Rng& r) {
  return std::string(r.pick(kWords)) + "-" + r.hex(6) + "." + r.pick(kTlds);
}

inline std::string ipv4(Rng& r) {
  return std::to_string(1 + r.below(223)) + "." + std::to_string(r.below(256)) + "." +
         std::to_string(r.below(256)) + "." + std::to_string(1 + r.below(254));
}

inline std::string observable(Rng& r, int kind) {
  std::string id = "example:Observable-" + r.uuid();
  std::string obj = "<cybox:Observable id=\"" + id + "\"><cybox:Object id=\"example:Object-" + r.uuid() + "\">";
  switch (kind) {
    case 0:
      obj += "<cybox:Properties xsi:type=\"AddressObj:AddressObjectType\" category=\"ipv4-addr\">"
             "<AddressObj:Address_Value condition=\"Equals\">" + ipv4(r) + "</AddressObj:Address_Value>"
             "</cybox:Properties>";
      break;
    case 1:
      obj += "<cybox:Properties xsi:type=\"DomainNameObj:DomainNameObjectType\" type=\"FQDN\">"
             "<DomainNameObj:Value condition=\"Equals\">" + domain(r) + "</DomainNameObj:Value>"
             "</cybox:Properties>";
      break;
    case 2:
      obj += "<cybox:Properties xsi:type=\"URIObj:URIObjectType\" type=\"URL\">"
             "<URIObj:Value condition=\"Equals\">http://" + domain(r) + "/" + r.hex(8) + "/" +
             r.pick(kWords) + ".php?id=" + r.hex(12) + "</URIObj:Value></cybox:Properties>";
      break;
    default:
      obj += "<cybox:Properties xsi:type=\"FileObj:FileObjectType\"><FileObj:File_Name>" +
             std::string(r.pick(kWords)) + "_" + r.hex(4) + ".exe</FileObj:File_Name>"
             "<FileObj:Size_In_Bytes>" + std::to_string(20000 + r.below(2000000)) +
             "</FileObj:Size_In_Bytes><FileObj:Hashes>"
             "<cyboxCommon:Hash><cyboxCommon:Type xsi:type=\"cyboxVocabs:HashNameVocab-1.0\">MD5</cyboxCommon:Type>"
             "<cyboxCommon:Simple_Hash_Value condition=\"Equals\">" + r.hex(32) +
             "</cyboxCommon:Simple_Hash_Value></cyboxCommon:Hash>"
             "<cyboxCommon:Hash><cyboxCommon:Type xsi:type=\"cyboxVocabs:HashNameVocab-1.0\">SHA256</cyboxCommon:Type>"
             "<cyboxCommon:Simple_Hash_Value condition=\"Equals\">" + r.hex(64) +
             "</cyboxCommon:Simple_Hash_Value></cyboxCommon:Hash></FileObj:Hashes></cybox:Properties>";
  }
  return obj + "</cybox:Object></cybox:Observable>";
}

// A STIX 1.1.1 package holding one indicator, 2-4 KB, different for every (seed, i). Optional
// parts (handling, source, kill chain, confidence, producer) come and go as in real feeds.
inline std::string stix_indicator(uint64_t seed, uint64_t i) {
  Rng r{seed * 0x100000001b3ULL ^ (i + 1) * 0x9e3779b97f4a7c15ULL};
  const std::size_t target = 1800 + r.below(1700);
  const std::string produced = r.time();
  const bool handling = r.below(10) < 7, source = r.below(2) == 0, kill_chain = r.below(2) == 0,
             confidence = r.below(10) < 7, producer = r.below(2) == 0;
  std::string body = "<stix:STIX_Header><stix:Title>" + sentence(r, 4) + " (" + std::to_string(i) +
                     ")</stix:Title><stix:Package_Intent xsi:type=\"stixVocabs:PackageIntentVocab-1.0\">"
                     "Indicators - Watchlist</stix:Package_Intent>";
  if (handling)
    body += "<stix:Handling><marking:Marking><marking:Controlled_Structure>//node() | //@*"
            "</marking:Controlled_Structure><marking:Marking_Structure xsi:type=\"tlpMarking:TLPMarkingStructureType\" "
            "color=\"" + std::string(r.below(2) ? "AMBER" : "GREEN") + "\"/></marking:Marking></stix:Handling>";
  if (source)
    body += "<stix:Information_Source><stixCommon:Identity><stixCommon:Name>" + std::string(r.pick(kProducers)) +
            "</stixCommon:Name></stixCommon:Identity></stix:Information_Source>";
  body += "</stix:STIX_Header><stix:Indicators><stix:Indicator xsi:type=\"indicator:IndicatorType\" "
          "id=\"example:Indicator-" + r.uuid() + "\" timestamp=\"" + produced + "\"><indicator:Title>" +
          sentence(r, 5) + "</indicator:Title><indicator:Type xsi:type=\"stixVocabs:IndicatorTypeVocab-1.1\">" +
          r.pick(kTypes) + "</indicator:Type><indicator:Description>" +
          sentence(r, 6 + static_cast<int>(r.below(12))) + "</indicator:Description>"
          "<indicator:Valid_Time_Position><indicator:Start_Time precision=\"second\">" + produced +
          "</indicator:Start_Time></indicator:Valid_Time_Position><indicator:Observable id=\"example:Observable-" +
          r.uuid() + "\"><cybox:Observable_Composition operator=\"OR\">";
  std::string tail = "</cybox:Observable_Composition></indicator:Observable>";
  if (kill_chain) {
    const auto phase = r.below(7);
    tail += std::string("<indicator:Kill_Chain_Phases><stixCommon:Kill_Chain_Phase phase_id=\"") + kPhaseIds[phase] +
            "\" name=\"" + kPhases[phase][0] + "\" ordinality=\"" + kPhases[phase][1] +
            "\" kill_chain_id=\"stix:TTP-af3e707f-2fb9-49e5-8c37-14026ca0a5ff\" kill_chain_name=\"LM Cyber Kill "
            "Chain\"/></indicator:Kill_Chain_Phases>";
  }
  if (confidence)
    tail += "<indicator:Confidence timestamp=\"" + produced + "\"><stixCommon:Value "
            "xsi:type=\"stixVocabs:HighMediumLowVocab-1.0\">" +
            (r.below(3) == 0 ? "High" : r.below(2) ? "Medium" : "Low") + "</stixCommon:Value></indicator:Confidence>";
  if (producer)
    tail += "<indicator:Producer><stixCommon:Identity><stixCommon:Name>" + std::string(r.pick(kProducers)) +
            "</stixCommon:Name></stixCommon:Identity><stixCommon:Time><cyboxCommon:Produced_Time>" + produced +
            "</cyboxCommon:Produced_Time></stixCommon:Time></indicator:Producer>";
  tail += "</stix:Indicator></stix:Indicators></stix:STIX_Package>";

  // Namespaces: the ones used, as python-stix declares them.
  std::string ns =
      "xmlns:stix=\"http://stix.mitre.org/stix-1\" xmlns:indicator=\"http://stix.mitre.org/Indicator-2\" "
      "xmlns:stixVocabs=\"http://stix.mitre.org/default_vocabularies-1\" xmlns:cybox=\"http://cybox.mitre.org/cybox-2\" "
      "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xmlns:example=\"http://example.com\" ";
  if (source || kill_chain || confidence || producer) ns += "xmlns:stixCommon=\"http://stix.mitre.org/common-1\" ";
  if (handling)
    ns += "xmlns:marking=\"http://data-marking.mitre.org/Marking-1\" "
          "xmlns:tlpMarking=\"http://data-marking.mitre.org/extensions/MarkingStructure#TLP-1\" ";
  static const char* const kObjectNs[] = {
      "xmlns:AddressObj=\"http://cybox.mitre.org/objects#AddressObject-2\" ",
      "xmlns:DomainNameObj=\"http://cybox.mitre.org/objects#DomainNameObject-1\" ",
      "xmlns:URIObj=\"http://cybox.mitre.org/objects#URIObject-2\" ",
      "xmlns:FileObj=\"http://cybox.mitre.org/objects#FileObject-2\" "};
  std::string observables;
  bool used[4] = {false, false, false, false};
  bool common = producer;  // cyboxCommon: Produced_Time and file hashes
  const std::size_t head = 250;  // the root tag's other attributes and the cybox namespaces added below
  do {  // observables until the target size (at least one)
    const int kind = static_cast<int>(r.below(4));
    if (!used[kind]) ns += kObjectNs[kind];
    used[kind] = true;
    common = common || kind == 3;
    observables += observable(r, kind);
  } while (head + ns.size() + body.size() + observables.size() + tail.size() < target);
  if (common) ns += "xmlns:cyboxCommon=\"http://cybox.mitre.org/common-2\" ";
  if (used[3]) ns += "xmlns:cyboxVocabs=\"http://cybox.mitre.org/default_vocabularies-2\" ";
  return "<stix:STIX_Package " + ns + "id=\"example:Package-" + r.uuid() + "\" version=\"1.1.1\" timestamp=\"" +
         produced + "\">" + body + observables + tail;
}

}  // namespace taxii::bench
