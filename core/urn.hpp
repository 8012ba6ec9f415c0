// Every identifier string of TAXII 1.x, written once (Services 1.1 §4.1, CBR v3).
#pragma once

#include <string_view>

namespace taxii::urn {

// Services versions (Services 1.0/1.1 §1.1.1).
inline constexpr std::string_view kServices10 = "urn:taxii.mitre.org:services:1.0";
inline constexpr std::string_view kServices11 = "urn:taxii.mitre.org:services:1.1";
// Message bindings (XML 1.0/1.1 §1.1.1).
inline constexpr std::string_view kMessageXml10 = "urn:taxii.mitre.org:message:xml:1.0";
inline constexpr std::string_view kMessageXml11 = "urn:taxii.mitre.org:message:xml:1.1";
// Protocol bindings (HTTP 1.0 §1.1.2).
inline constexpr std::string_view kProtocolHttp = "urn:taxii.mitre.org:protocol:http:1.0";
inline constexpr std::string_view kProtocolHttps = "urn:taxii.mitre.org:protocol:https:1.0";
// Query format and capability modules (Query 1.0 §1.1.1, §5).
inline constexpr std::string_view kQueryDefault10 = "urn:taxii.mitre.org:query:default:1.0";
inline constexpr std::string_view kCapabilityCore = "urn:taxii.mitre.org:query:capability:core-1";
inline constexpr std::string_view kCapabilityRegex = "urn:taxii.mitre.org:query:capability:regex-1";
inline constexpr std::string_view kCapabilityTimestamp =
    "urn:taxii.mitre.org:query:capability:timestamp-1";

// XML namespaces (XML 1.0/1.1 §1.1.2; Query 1.0 §3.1.1).
inline constexpr std::string_view kNsXml10 = "http://taxii.mitre.org/messages/taxii_xml_binding-1";
inline constexpr std::string_view kNsXml11 =
    "http://taxii.mitre.org/messages/taxii_xml_binding-1.1";
inline constexpr std::string_view kNsDefaultQuery =
    "http://taxii.mitre.org/query/taxii_default_query-1";
inline constexpr std::string_view kNsXmlDsig = "http://www.w3.org/2000/09/xmldsig#";

// Content bindings (CBR v3 §2; STIX 1.2 by the CBR formula).
inline constexpr std::string_view kStix10 = "urn:stix.mitre.org:xml:1.0";
inline constexpr std::string_view kStix101 = "urn:stix.mitre.org:xml:1.0.1";
inline constexpr std::string_view kStix11 = "urn:stix.mitre.org:xml:1.1";
inline constexpr std::string_view kStix111 = "urn:stix.mitre.org:xml:1.1.1";
inline constexpr std::string_view kStix12 = "urn:stix.mitre.org:xml:1.2";
inline constexpr std::string_view kCap11 = "urn:oasis:names:tc:emergency:cap:1.1";
inline constexpr std::string_view kCap12 = "urn:oasis:names:tc:emergency:cap:1.2";
inline constexpr std::string_view kXmlEnc = "http://www.w3.org/2001/04/xmlenc#";
inline constexpr std::string_view kSmime = "application/pkcs7-mime";
inline constexpr std::string_view kSmimeLibtaxii = "application/x-pkcs7-mime";  // docs/spec-notes.md P5
// CBR v3 defines none for CybOX: third-party ids formed with the CBR formula (docs/decisions.md).
inline constexpr std::string_view kCybox20 = "urn:cybox.mitre.org:xml:2.0";
inline constexpr std::string_view kCybox201 = "urn:cybox.mitre.org:xml:2.0.1";
inline constexpr std::string_view kCybox21 = "urn:cybox.mitre.org:xml:2.1";

// Root namespaces of STIX 1.x and CybOX 2.x content (what the content bindings recognise).
inline constexpr std::string_view kNsStix = "http://stix.mitre.org/stix-1";
inline constexpr std::string_view kNsCybox = "http://cybox.mitre.org/cybox-2";

}  // namespace taxii::urn
