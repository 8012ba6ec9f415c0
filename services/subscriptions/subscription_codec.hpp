// How a subscription's parameters are kept in the store (storage::Subscription::parameters is
// opaque to the store), how "identical" subscriptions are recognised (Services 1.1 §4.4.6 rule
// 5), and conversions between the message model and the store records. Pure functions;
// thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/message_v11.hpp"
#include "storage/store.hpp"

namespace taxii::services {

// Subscription_Parameters as text: a format line, then one line per field (response type,
// each content binding with its subtypes, the query's format id and markup), with %, tab and
// newline percent-encoded. decode(encode(p)) == p.
std::string encode_parameters(const v11::SubscriptionParameters& p);
// nullopt if the text is not of this format.
std::optional<v11::SubscriptionParameters> decode_parameters(std::string_view text);

// Identical subscriptions (same collection and owner, same Subscription_Parameters and
// Push_Parameters) have equal keys: 32 hex digits of a 128-bit FNV-1a hash of the encoded
// parameters and the push parameters.
std::string spec_key(const std::string& encoded_parameters, const std::optional<v11::PushParameters>& push);

storage::PushTarget to_target(const v11::PushParameters& p);
v11::PushParameters to_push_parameters(const storage::PushTarget& t);

// A subscription's (or poll's) content bindings as a store filter (none => all).
std::vector<storage::BindingFilter> to_filters(const std::vector<v11::ContentBinding>& bindings);

// The filter of a result set (ResultSet::request, AsyncResult::request): the content-binding
// filter of the poll, one entry per line, subtypes after tabs, percent-encoded.
std::string encode_filter(const std::vector<storage::BindingFilter>& filters);
std::optional<std::vector<storage::BindingFilter>> decode_filter(std::string_view text);

// The request of a result set with its query (issue #10): without a query the encoding is
// encode_filter()'s; with one, a second format whose first line after the format line is the
// query (format id and markup), then the filter lines. decode_poll_filter reads both.
struct PollFilter {
  std::vector<storage::BindingFilter> bindings;
  std::optional<v11::Query> query;
};
std::string encode_poll_filter(const PollFilter& f);
std::optional<PollFilter> decode_poll_filter(std::string_view text);

// Percent-encodes %, tab and newline (and back), for the line formats above.
void put_escaped(std::string& out, std::string_view s);
std::string unescape(std::string_view s);

}  // namespace taxii::services
