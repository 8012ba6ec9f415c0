#include "core/message.hpp"

#include <iterator>
#include <type_traits>

#include "core/utf8.hpp"

namespace taxii {

std::string_view to_string(ServiceType t) {
  switch (t) {
    case ServiceType::Discovery: return "DISCOVERY";
    case ServiceType::CollectionManagement: return "COLLECTION_MANAGEMENT";
    case ServiceType::Inbox: return "INBOX";
    case ServiceType::Poll: return "POLL";
  }
  return "";
}

namespace v11 {
std::string_view to_string(ResponseType t) { return t == ResponseType::Full ? "FULL" : "COUNT_ONLY"; }
std::string_view to_string(CollectionType t) { return t == CollectionType::DataFeed ? "DATA_FEED" : "DATA_SET"; }
std::string_view to_string(SubscriptionAction a) {
  switch (a) {
    case SubscriptionAction::Subscribe: return "SUBSCRIBE";
    case SubscriptionAction::Unsubscribe: return "UNSUBSCRIBE";
    case SubscriptionAction::Pause: return "PAUSE";
    case SubscriptionAction::Resume: return "RESUME";
    case SubscriptionAction::Status: return "STATUS";
  }
  return "";
}
std::string_view to_string(SubscriptionStatus s) {
  switch (s) {
    case SubscriptionStatus::Active: return "ACTIVE";
    case SubscriptionStatus::Paused: return "PAUSED";
    case SubscriptionStatus::Unsubscribed: return "UNSUBSCRIBED";
  }
  return "";
}
}  // namespace v11

namespace v10 {
std::string_view to_string(SubscriptionAction a) {
  // The wire names of 1.1's actions of the same name (XML 1.0 §3.6, XML 1.1 §3.6).
  static constexpr v11::SubscriptionAction kSame[] = {v11::SubscriptionAction::Subscribe,
                                                      v11::SubscriptionAction::Unsubscribe,
                                                      v11::SubscriptionAction::Status};
  static_assert(static_cast<int>(SubscriptionAction::Status) == 2, "kSame follows the order of SubscriptionAction");
  const auto i = static_cast<std::size_t>(a);
  return i < std::size(kSame) ? v11::to_string(kSame[i]) : "";
}
}  // namespace v10

namespace {
template <class T> struct TypeName;
#define TAXII_NAME(T, N) \
  template <> struct TypeName<T> { static constexpr std::string_view value = N; };
TAXII_NAME(v11::StatusMessage, "Status_Message")
TAXII_NAME(v11::DiscoveryRequest, "Discovery_Request")
TAXII_NAME(v11::DiscoveryResponse, "Discovery_Response")
TAXII_NAME(v11::CollectionInformationRequest, "Collection_Information_Request")
TAXII_NAME(v11::CollectionInformationResponse, "Collection_Information_Response")
TAXII_NAME(v11::ManageCollectionSubscriptionRequest, "Subscription_Management_Request")
TAXII_NAME(v11::ManageCollectionSubscriptionResponse, "Subscription_Management_Response")
TAXII_NAME(v11::PollRequest, "Poll_Request")
TAXII_NAME(v11::PollResponse, "Poll_Response")
TAXII_NAME(v11::InboxMessage, "Inbox_Message")
TAXII_NAME(v11::PollFulfillment, "Poll_Fulfillment")
TAXII_NAME(v10::StatusMessage, "Status_Message")
TAXII_NAME(v10::DiscoveryRequest, "Discovery_Request")
TAXII_NAME(v10::DiscoveryResponse, "Discovery_Response")
TAXII_NAME(v10::FeedInformationRequest, "Feed_Information_Request")
TAXII_NAME(v10::FeedInformationResponse, "Feed_Information_Response")
TAXII_NAME(v10::ManageFeedSubscriptionRequest, "Subscription_Management_Request")
TAXII_NAME(v10::ManageFeedSubscriptionResponse, "Subscription_Management_Response")
TAXII_NAME(v10::PollRequest, "Poll_Request")
TAXII_NAME(v10::PollResponse, "Poll_Response")
TAXII_NAME(v10::InboxMessage, "Inbox_Message")
#undef TAXII_NAME

template <class T, class = void> struct HasInResponseTo : std::false_type {};
template <class T>
struct HasInResponseTo<T, std::void_t<decltype(std::declval<T>().in_response_to)>> : std::true_type {};

const std::string kEmpty;
}  // namespace

std::string_view message_type_name(const Message& m) {
  return std::visit([](const auto& x) { return TypeName<std::decay_t<decltype(x)>>::value; }, m);
}

Version version_of(const Message& m) { return m.index() <= 10 ? Version::V11 : Version::V10; }

std::string_view to_string(Version v) { return v == Version::V10 ? "1.0" : "1.1"; }

const std::string& message_id_of(const Message& m) {
  return std::visit([](const auto& x) -> const std::string& { return x.message_id; }, m);
}

const std::string& in_response_to_of(const Message& m) {
  return std::visit(
      [](const auto& x) -> const std::string& {
        if constexpr (HasInResponseTo<std::decay_t<decltype(x)>>::value)
          return x.in_response_to;
        else
          return kEmpty;
      },
      m);
}

std::ostream& operator<<(std::ostream& os, const Message& m) {
  os << message_type_name(m) << " (TAXII " << to_string(version_of(m)) << ", message_id="
     << message_id_of(m);
  if (!in_response_to_of(m).empty()) os << ", in_response_to=" << in_response_to_of(m);
  return os << ")";
}

// --- Mixed content helpers -------------------------------------------------------------

namespace {
// Bytes xml_escape_append() rewrites: 1 in text and attributes, 2 in attributes only.
struct EscapeTable {
  unsigned char t[256];
  constexpr EscapeTable() : t() {
    t[static_cast<unsigned char>('&')] = t[static_cast<unsigned char>('<')] = t[static_cast<unsigned char>('>')] = 1;
    t[static_cast<unsigned char>('\r')] = 1;
    t[static_cast<unsigned char>('"')] = t[static_cast<unsigned char>('\t')] = t[static_cast<unsigned char>('\n')] = 2;
  }
};
constexpr EscapeTable kEscape;
}  // namespace

void xml_escape_append(std::string& out, std::string_view s, bool in_attribute) {
  const unsigned char mask = in_attribute ? 3 : 1;
  size_t run = 0;  // start of the bytes copied as they are
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if ((kEscape.t[static_cast<unsigned char>(c)] & mask) == 0) continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {  // only the table's bytes get here; '"', tab and LF only in attributes
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '\r': out += "&#13;"; break;  // keep CR through XML end-of-line normalization
      case '"': out += "&quot;"; break;
      case '\t': out += "&#9;"; break;
      default: out += "&#10;"; break;  // '\n'
    }
  }
  out.append(s.data() + run, s.size() - run);
}

std::string xml_escape(std::string_view s, bool in_attribute) {
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  xml_escape_append(out, s, in_attribute);
  return out;
}

Mixed Mixed::text(std::string_view s) { return Mixed{xml_escape(s)}; }

bool Mixed::is_text() const {
  // Elements, comments and PIs start with '<' followed by a name char, '!' (not CDATA) or '?'.
  for (size_t i = xml.find('<'); i != std::string::npos; i = xml.find('<', i + 1)) {
    if (xml.compare(i, 9, "<![CDATA[") == 0) {
      const size_t end = xml.find("]]>", i + 9);
      if (end == std::string::npos) return false;
      i = end;
      continue;
    }
    return false;
  }
  return true;
}

namespace {
// At xml[i] == '<': appends a CDATA section's text, skips a comment or a PI; returns the index
// after it, or npos when it is none of them or is not closed.
size_t markup_end(const std::string& xml, size_t i, std::string& out) {
  if (xml.compare(i, 9, "<![CDATA[") == 0) {
    const size_t end = xml.find("]]>", i + 9);
    if (end == std::string::npos) return std::string::npos;
    out.append(xml, i + 9, end - (i + 9));
    return end + 3;
  }
  if (xml.compare(i, 4, "<!--") == 0) {
    const size_t end = xml.find("-->", i + 4);
    return end == std::string::npos ? end : end + 3;
  }
  if (xml.compare(i, 2, "<?") == 0) {
    const size_t end = xml.find("?>", i + 2);
    return end == std::string::npos ? end : end + 2;
  }
  return std::string::npos;
}

// Appends the text of the reference `ent` (what stands between '&' and ';'): one of the five
// predefined entities or a character reference (XML 1.0 §4.1, §4.6); false if it is neither.
bool append_reference(std::string_view ent, std::string& out) {
  if (ent == "amp") out += '&';
  else if (ent == "lt") out += '<';
  else if (ent == "gt") out += '>';
  else if (ent == "quot") out += '"';
  else if (ent == "apos") out += '\'';
  else if (ent.size() > 1 && ent[0] == '#') {
    const bool hex = ent[1] == 'x' || ent[1] == 'X';
    unsigned long cp = 0;
    bool ok = ent.size() > (hex ? 2u : 1u);
    for (size_t k = hex ? 2 : 1; ok && k < ent.size(); ++k) {
      const char d = ent[k];
      int v = -1;
      if (d >= '0' && d <= '9') v = d - '0';
      else if (hex && d >= 'a' && d <= 'f') v = d - 'a' + 10;
      else if (hex && d >= 'A' && d <= 'F') v = d - 'A' + 10;
      if (v < 0) ok = false;
      else cp = cp * (hex ? 16 : 10) + static_cast<unsigned long>(v);
      if (cp > 0x10FFFF) ok = false;
    }
    if (!ok) return false;
    append_utf8(out, static_cast<uint32_t>(cp));
  } else {
    return false;
  }
  return true;
}
}  // namespace

std::string Mixed::text_value() const {
  // Decodes character data: entity and character references, CDATA sections; comments
  // and processing instructions contribute nothing. Never throws; malformed markup is
  // copied as it stands.
  std::string out;
  out.reserve(xml.size());
  size_t i = 0;
  while (i < xml.size()) {
    const char c = xml[i];
    if (c == '<') {
      if (const size_t next = markup_end(xml, i, out); next != std::string::npos) {
        i = next;
        continue;
      }
    } else if (c == '&') {
      const size_t semi = xml.find(';', i);
      if (semi != std::string::npos && semi - i <= 12) {
        if (!append_reference(std::string_view(xml.data() + i + 1, semi - i - 1), out))
          out.append(xml, i, semi - i + 1);
        i = semi + 1;
        continue;
      }
    }
    out += c;
    ++i;
  }
  return out;
}

}  // namespace taxii
