// STIX 1.1.1 indicator files as analysts keep them, for the `taxii push` / `taxii poll` tests:
// 2.8-4.2 KB packages (3.4 KB on average) (header, one or two indicators with observables, hashes, kill chain
// phases, confidence), deterministic per index. Most are written the way python-stix writes
// them (the standard declaration, a trailing newline); every seventh is pretty-printed with
// one namespace declaration per line and single quotes. Both travel as XML markup (taxii's
// binding keeps the sender's bytes). Every eleventh has no declaration and CR LF line ends,
// every thirteenth a UTF-8 BOM: those travel as text. All must come back byte for byte.
// Header-only; pure functions.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace taxii::clitest {

inline uint64_t mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  return x ^ (x >> 33);
}

inline std::string hex_digest(uint64_t seed, size_t len) {
  std::string out;
  static const char* k = "0123456789abcdef";
  for (size_t i = 0; out.size() < len; ++i) {
    uint64_t v = mix(seed + i);
    for (int j = 0; j < 16 && out.size() < len; ++j, v >>= 4) out += k[v & 15];
  }
  return out;
}

inline std::string realistic_stix(int i) {
  const std::string id = std::to_string(i);
  const uint64_t h = mix(static_cast<uint64_t>(i) + 1);
  char ts[40];
  std::snprintf(ts, sizeof ts, "2024-%02d-%02dT%02d:%02d:%02d.%06dZ", static_cast<int>(h % 12) + 1,
                static_cast<int>(h / 12 % 28) + 1, static_cast<int>(h / 400 % 24), static_cast<int>(h / 9600 % 60),
                static_cast<int>(h / 576000 % 60), static_cast<int>(h % 1000000));
  const bool pretty = i % 7 == 3;
  const std::string nl = i % 11 == 5 ? "\r\n" : "\n";
  std::string s;
  if (i % 13 == 8) s += "\xEF\xBB\xBF";
  if (i % 11 != 5) s += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>" + nl;
  const char* ns[][2] = {{"stix", "http://stix.mitre.org/stix-1"},
                         {"indicator", "http://stix.mitre.org/Indicator-2"},
                         {"stixCommon", "http://stix.mitre.org/common-1"},
                         {"stixVocabs", "http://stix.mitre.org/default_vocabularies-1"},
                         {"cybox", "http://cybox.mitre.org/cybox-2"},
                         {"cyboxCommon", "http://cybox.mitre.org/common-2"},
                         {"FileObj", "http://cybox.mitre.org/objects#FileObject-2"},
                         {"AddressObj", "http://cybox.mitre.org/objects#AddressObject-2"},
                         {"xsi", "http://www.w3.org/2001/XMLSchema-instance"},
                         {"example", "http://example.com/"}};
  s += "<stix:STIX_Package";
  for (const auto& n : ns) {
    s += pretty ? nl + "    " : std::string(" ");
    s += std::string("xmlns:") + n[0] + (pretty ? "='" : "=\"") + n[1] + (pretty ? "'" : "\"");
  }
  s += (pretty ? nl + "    " : std::string(" ")) + "id=\"example:Package-" + hex_digest(h, 8) + "-" + id +
       "\" version=\"1.1.1\" timestamp=\"" + ts + "\">" + nl;
  s += "  <stix:STIX_Header>" + nl + "    <stix:Title>Indicator package " + id + " &amp; related observables</stix:Title>" +
       nl + "    <stix:Package_Intent xsi:type=\"stixVocabs:PackageIntentVocab-1.0\">Indicators</stix:Package_Intent>" + nl +
       "    <stix:Information_Source><stixCommon:Identity><stixCommon:Name>Feed " + std::to_string(h % 17) +
       "</stixCommon:Name></stixCommon:Identity></stix:Information_Source>" + nl + "  </stix:STIX_Header>" + nl;
  s += "  <stix:Indicators>" + nl;
  const int indicators = 1 + static_cast<int>(h % 2);
  for (int k = 0; k < indicators; ++k) {
    const uint64_t g = mix(h + static_cast<uint64_t>(k) * 7919);
    const std::string iid = hex_digest(g, 8) + "-" + hex_digest(g >> 3, 4) + "-" + hex_digest(g >> 5, 12);
    s += "    <stix:Indicator id=\"example:indicator-" + iid + "\" timestamp=\"" + ts +
         "\" xsi:type=\"indicator:IndicatorType\" version=\"2.1.1\">" + nl;
    s += "      <indicator:Title>" + std::string(k % 2 ? "Malicious IP " : "Malware file ") + hex_digest(g, 6) +
         " seen in campaign " + std::to_string(g % 97) + "</indicator:Title>" + nl;
    s += "      <indicator:Type xsi:type=\"stixVocabs:IndicatorTypeVocab-1.1\">" +
         std::string(k % 2 ? "IP Watchlist" : "File Hash Watchlist") + "</indicator:Type>" + nl;
    s += "      <indicator:Description>Observed " + std::to_string(g % 1000) +
         " times between the reporting periods; analysts consider it \"likely\" related to activity &lt;" +
         std::to_string(g % 13) + "&gt;.</indicator:Description>" + nl;
    s += "      <indicator:Observable id=\"example:Observable-" + iid + "\">" + nl;
    s += "        <cybox:Object id=\"example:Object-" + iid + "\">" + nl;
    if (k % 2) {
      s += "          <cybox:Properties xsi:type=\"AddressObj:AddressObjectType\" category=\"ipv4-addr\">" + nl +
           "            <AddressObj:Address_Value condition=\"Equals\">" + std::to_string(g % 223 + 1) + "." +
           std::to_string(g / 7 % 256) + "." + std::to_string(g / 11 % 256) + "." + std::to_string(g / 13 % 256) +
           "</AddressObj:Address_Value>" + nl + "          </cybox:Properties>" + nl;
    } else {
      s += "          <cybox:Properties xsi:type=\"FileObj:FileObjectType\">" + nl +
           "            <FileObj:File_Name>sample_" + hex_digest(g, 10) + ".exe</FileObj:File_Name>" + nl +
           "            <FileObj:Size_In_Bytes>" + std::to_string(g % 5000000) + "</FileObj:Size_In_Bytes>" + nl +
           "            <FileObj:Hashes>" + nl +
           "              <cyboxCommon:Hash><cyboxCommon:Type>MD5</cyboxCommon:Type><cyboxCommon:Simple_Hash_Value>" +
           hex_digest(g, 32) + "</cyboxCommon:Simple_Hash_Value></cyboxCommon:Hash>" + nl +
           "              <cyboxCommon:Hash><cyboxCommon:Type>SHA256</cyboxCommon:Type><cyboxCommon:Simple_Hash_Value>" +
           hex_digest(g + 1, 64) + "</cyboxCommon:Simple_Hash_Value></cyboxCommon:Hash>" + nl +
           "            </FileObj:Hashes>" + nl + "          </cybox:Properties>" + nl;
    }
    s += "        </cybox:Object>" + nl + "      </indicator:Observable>" + nl;
    s += "      <indicator:Kill_Chain_Phases><stixCommon:Kill_Chain_Phase phase_id=\"stix:TTP-" + hex_digest(g, 8) +
         "\" name=\"Delivery\" ordinality=\"3\"/></indicator:Kill_Chain_Phases>" + nl;
    s += "      <indicator:Confidence><stixCommon:Value xsi:type=\"stixVocabs:HighMediumLowVocab-1.0\">" +
         std::string(g % 3 == 0 ? "High" : g % 3 == 1 ? "Medium" : "Low") + "</stixCommon:Value></indicator:Confidence>" +
         nl;
    s += "    </stix:Indicator>" + nl;
  }
  s += "  </stix:Indicators>" + nl + "</stix:STIX_Package>" + nl;
  return s;
}

}  // namespace taxii::clitest
