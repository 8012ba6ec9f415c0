// Builds model instances of every TAXII 1.1 message with all optional fields set, or with
// none, for round-trip tests.
#pragma once

#include <vector>

#include "core/message.hpp"

namespace taxii::test {

inline const char* kSignature =
    R"(<ds:Signature xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:SignedInfo>)"
    R"(<ds:CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>)"
    R"(<ds:SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>)"
    R"(<ds:Reference URI=""><ds:DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/>)"
    R"(<ds:DigestValue>AAAA</ds:DigestValue></ds:Reference></ds:SignedInfo>)"
    R"(<ds:SignatureValue>BBBB</ds:SignatureValue></ds:Signature>)";

inline const char* kDefaultQuery =
    R"(<tdq:Default_Query xmlns:tdq="http://taxii.mitre.org/query/taxii_default_query-1" )"
    R"(targeting_expression_id="urn:stix.mitre.org:xml:1.1.1"><tdq:Criteria operator="AND">)"
    R"(<tdq:Criterion negate="false"><tdq:Target>**/@id</tdq:Target>)"
    R"(<tdq:Test capability_id="urn:taxii.mitre.org:query:capability:core-1" relationship="equals">)"
    R"(<tdq:Parameter name="match_type">case_sensitive_string</tdq:Parameter>)"
    R"(<tdq:Parameter name="value">example:Indicator-1</tdq:Parameter></tdq:Test></tdq:Criterion>)"
    R"(</tdq:Criteria></tdq:Default_Query>)";

inline const char* kQueryInfo =
    R"(<tdq:Default_Query_Info xmlns:tdq="http://taxii.mitre.org/query/taxii_default_query-1">)"
    R"(<tdq:Targeting_Expression_Info targeting_expression_id="urn:stix.mitre.org:xml:1.1.1">)"
    R"(<tdq:Preferred_Scope>**</tdq:Preferred_Scope></tdq:Targeting_Expression_Info>)"
    R"(<tdq:Capability_Module>urn:taxii.mitre.org:query:capability:core-1</tdq:Capability_Module>)"
    R"(</tdq:Default_Query_Info>)";

inline ExtendedHeaders full_headers() {
  return {{"urn:example.com:header:text", Mixed::text("plain & <text>")},
          {"urn:example.com:header:xml", Mixed{R"(<x:v xmlns:x="urn:example:x" a="1">1<x:w/></x:v>)"}},
          {"urn:example.com:header:empty", Mixed{}}};
}

template <class M>
M with_envelope(M m, bool full) {
  m.message_id = full ? "urn:example.com:msg:42" : "1";
  if (full) {
    m.extended_headers = full_headers();
    m.signature = kSignature;
  }
  if constexpr (std::is_base_of_v<ResponseBase, M>) m.in_response_to = full ? "urn:example.com:msg:41" : "0";
  return m;
}

inline Timestamp ts(int64_t s, int offset = 0) { return Timestamp::from_micros(1400000000000000LL + s * 1000001, offset); }

inline v11::ContentBinding cb(const char* id, std::vector<std::string> sub = {}) { return {id, std::move(sub)}; }

inline ServiceContact contact(const char* path) {
  return {"urn:taxii.mitre.org:protocol:https:1.0", std::string("https://example.com") + path,
          {"urn:taxii.mitre.org:message:xml:1.1", "urn:taxii.mitre.org:message:xml:1.0"}};
}

inline v11::ContentBlock block(bool full, int i) {
  v11::ContentBlock b;
  b.binding_id = full ? "urn:stix.mitre.org:xml:1.1.1" : "urn:example.com:text";
  b.content = full ? Mixed{R"(<stix:STIX_Package xmlns:stix="http://stix.mitre.org/stix-1" id="example:Package-)" +
                           std::to_string(i) + R"(" version="1.1.1"><stix:STIX_Header/></stix:STIX_Package>)"}
                   : Mixed::text("base64==");
  if (full) {
    b.subtype = "urn:example.com:subtype:a";
    b.timestamp_label = ts(i);
    b.message = "block message";
    b.padding = "    ";
    b.signature = kSignature;
  }
  return b;
}

inline std::vector<Message> v11_messages(bool full) {
  using namespace v11;
  std::vector<Message> out;
  {
    StatusMessage m = with_envelope(StatusMessage{}, full);
    m.status_type = full ? "PENDING" : "SUCCESS";
    if (full) {
      m.details = {{"ESTIMATED_WAIT", Mixed::text("30")}, {"RESULT_ID", Mixed::text("urn:example.com:result:1")},
                   {"WILL_PUSH", Mixed::text("false")}, {"urn:example.com:detail", Mixed{R"(<d:x xmlns:d="urn:d"/>)"}}};
      m.message = "Come back later & try again";
    }
    out.push_back(m);
  }
  out.push_back(with_envelope(DiscoveryRequest{}, full));
  {
    DiscoveryResponse m = with_envelope(DiscoveryResponse{}, full);
    if (full) {
      for (auto t : {ServiceType::Discovery, ServiceType::CollectionManagement, ServiceType::Inbox, ServiceType::Poll}) {
        ServiceInstance si;
        si.service_type = t;
        si.service_version = "urn:taxii.mitre.org:services:1.1";
        si.available = t != ServiceType::Inbox;
        si.protocol_binding = "urn:taxii.mitre.org:protocol:https:1.0";
        si.address = "https://example.com/services/x";
        si.message_bindings = {"urn:taxii.mitre.org:message:xml:1.1", "urn:taxii.mitre.org:message:xml:1.0"};
        if (t == ServiceType::Poll) si.supported_queries = {{"urn:taxii.mitre.org:query:default:1.0", Mixed{kQueryInfo}}};
        if (t == ServiceType::Inbox) si.content_bindings = {cb("urn:stix.mitre.org:xml:1.1.1", {"urn:a", "urn:b"}), cb("urn:stix.mitre.org:xml:1.2")};
        si.message = "service message";
        m.service_instances.push_back(si);
      }
    }
    out.push_back(m);
  }
  out.push_back(with_envelope(CollectionInformationRequest{}, full));
  {
    CollectionInformationResponse m = with_envelope(CollectionInformationResponse{}, full);
    if (full) {
      CollectionInformation c;
      c.collection_name = "urn:example.com:collection:feed";
      c.collection_type = CollectionType::DataSet;
      c.available = true;
      c.description = "A collection";
      c.collection_volume = 12;
      c.content_bindings = {cb("urn:stix.mitre.org:xml:1.1.1", {"urn:s"}), cb("urn:stix.mitre.org:xml:1.2")};
      c.push_methods = {{"urn:taxii.mitre.org:protocol:http:1.0", {"urn:taxii.mitre.org:message:xml:1.1"}}};
      c.polling_services = {contact("/poll"), contact("/poll2")};
      c.subscription_services = {contact("/cm")};
      c.receiving_inbox_services = {{contact("/inbox"), {cb("urn:stix.mitre.org:xml:1.1.1")}}, {contact("/inbox2"), {}}};
      m.collections = {c, CollectionInformation{"minimal", CollectionType::DataFeed, std::nullopt, "", std::nullopt, {}, {}, {}, {}, {}}};
    }
    out.push_back(m);
  }
  {
    ManageCollectionSubscriptionRequest m = with_envelope(ManageCollectionSubscriptionRequest{}, full);
    m.collection_name = "default";
    m.action = full ? SubscriptionAction::Subscribe : SubscriptionAction::Status;
    if (full) {
      m.subscription_id = "ignored-for-subscribe";
      m.subscription_parameters = SubscriptionParameters{ResponseType::CountOnly,
                                                         {cb("urn:stix.mitre.org:xml:1.1.1", {"urn:x"})},
                                                         Query{"urn:taxii.mitre.org:query:default:1.0", Mixed{kDefaultQuery}}};
      m.push_parameters = PushParameters{"urn:taxii.mitre.org:protocol:http:1.0", "http://example.com/inbox",
                                         "urn:taxii.mitre.org:message:xml:1.1"};
    }
    out.push_back(m);
  }
  {
    ManageCollectionSubscriptionResponse m = with_envelope(ManageCollectionSubscriptionResponse{}, full);
    m.collection_name = "default";
    if (full) {
      m.message = "ok";
      SubscriptionInstance s;
      s.status = SubscriptionStatus::Paused;
      s.subscription_id = "sub-1";
      s.subscription_parameters = SubscriptionParameters{ResponseType::Full, {}, std::nullopt};
      s.push_parameters = PushParameters{"urn:taxii.mitre.org:protocol:https:1.0", "https://example.com/inbox",
                                         "urn:taxii.mitre.org:message:xml:1.0"};
      s.poll_instances = {contact("/poll")};
      SubscriptionInstance s2;
      s2.status = SubscriptionStatus::Unsubscribed;
      s2.subscription_id = "sub-2";
      m.subscriptions = {s, s2};
    }
    out.push_back(m);
  }
  {
    PollRequest m = with_envelope(PollRequest{}, full);
    m.collection_name = "default";
    if (full) {
      m.exclusive_begin = ts(1, 60);
      m.inclusive_end = ts(100);
      PollParameters p;
      p.allow_asynch = true;
      p.response_type = ResponseType::CountOnly;
      p.content_bindings = {cb("urn:stix.mitre.org:xml:1.1.1", {"urn:a"}), cb("urn:stix.mitre.org:xml:1.2")};
      p.query = Query{"urn:taxii.mitre.org:query:default:1.0", Mixed{kDefaultQuery}};
      p.delivery_parameters = PushParameters{"urn:taxii.mitre.org:protocol:http:1.0", "http://example.com/inbox",
                                             "urn:taxii.mitre.org:message:xml:1.1"};
      m.poll_parameters = p;
    } else {
      m.subscription_id = "sub-1";
    }
    out.push_back(m);
  }
  {
    PollResponse m = with_envelope(PollResponse{}, full);
    m.collection_name = "default";
    if (full) {
      m.more = true;
      m.result_id = "urn:example.com:result:7";
      m.result_part_number = 3;
      m.subscription_id = "sub-1";
      m.exclusive_begin = ts(1);
      m.inclusive_end = ts(200, -330);
      m.record_count = RecordCount{1000, true};
      m.message = "part 3";
      m.content_blocks = {block(true, 1), block(true, 2), block(false, 3)};
    }
    out.push_back(m);
  }
  {
    InboxMessage m = with_envelope(InboxMessage{}, full);
    if (full) {
      m.result_id = "urn:example.com:result:7";
      m.destination_collection_names = {"default", "urn:example.com:collection:2"};
      m.message = "pushed";
      m.source_subscription = SourceSubscription{"default", "sub-1", ts(5), ts(6)};
      m.record_count = RecordCount{2, false};
      m.content_blocks = {block(true, 1), block(false, 2)};
    }
    out.push_back(m);
  }
  {
    PollFulfillment m = with_envelope(PollFulfillment{}, full);
    m.collection_name = "default";
    m.result_id = "urn:example.com:result:7";
    m.result_part_number = full ? 12 : 1;
    out.push_back(m);
  }
  return out;
}

}  // namespace taxii::test
