#include "services/inbox/inbox_service.hpp"

#include <algorithm>
#include <utility>
#include <variant>
#include <vector>

namespace taxii::services {
namespace {

Error destination_error(std::string message, const std::vector<const CollectionInfo*>& acceptable) {
  Error e{StatusType::DestinationCollectionError, std::move(message)};
  for (const CollectionInfo* c : acceptable)
    e.with_detail(std::string(detail_name::kAcceptableDestination), c->name);
  return e;
}

Error unsupported_content(std::size_t index, const v11::ContentBlock& b, const std::string& where,
                          const std::vector<v11::ContentBinding>& supported) {
  std::string m = "Content_Block " + std::to_string(index + 1) + ": content binding " + b.binding_id;
  if (b.subtype) m += " (subtype " + *b.subtype + ")";
  m += " is not accepted by " + where;
  Error e{StatusType::UnsupportedContent, std::move(m)};
  for (const std::string& id : binding_ids(supported))
    e.with_detail(std::string(detail_name::kSupportedContent), id);
  return e;
}

// The strict check of one block (inbox_service.hpp): BAD_MESSAGE naming the block.
Status check_strict(const content::ContentBindingRegistry& registry, std::size_t index, const v11::ContentBlock& b) {
  const std::string where = "Content_Block " + std::to_string(index + 1) + ": ";
  auto parts = content::parse_nesting(b.binding_id);
  if (!parts.ok()) return Error::bad_message(where + parts.error().message());
  const content::ContentBinding* cb = registry.find(parts->front());
  if (cb == nullptr) return ok_status();
  if (auto st = content::check_declared(*cb, b.content); !st.ok()) return Error::bad_message(where + st.error().message());
  return ok_status();
}

}  // namespace

Result<Message> InboxService::handle(const Message& request, const RequestContext& ctx) {
  const auto& m = std::get<v11::InboxMessage>(request);
  const ServiceInfo* self = topology_->find_service(id_);
  if (self == nullptr) return Error::failure("inbox service is not configured");
  const std::vector<const CollectionInfo*> acceptable = topology_->received_by(id_);

  // Services 1.1 §3.2.1: routing by Destination_Collection_Name.
  std::vector<const CollectionInfo*> targets;
  const auto& names = m.destination_collection_names;
  if (self->destination_policy == DestinationPolicy::Forbidden && !names.empty())
    return destination_error("this Inbox does not accept Destination_Collection_Name", {});
  if (self->destination_policy == DestinationPolicy::Required && names.empty())
    return destination_error("this Inbox requires Destination_Collection_Name", acceptable);
  if (names.empty()) {
    for (const std::string& n : self->default_collections)
      if (const CollectionInfo* c = topology_->find_collection(n)) targets.push_back(c);
    if (targets.empty())
      return destination_error("this Inbox has no default collection; name one in Destination_Collection_Name",
                               acceptable);
  } else {
    for (const std::string& n : names) {
      auto it = std::find_if(acceptable.begin(), acceptable.end(),
                             [&](const CollectionInfo* c) { return c->name == n; });
      if (it == acceptable.end())
        return destination_error("this Inbox does not deliver to a collection named " + n, acceptable);
      if (std::find(targets.begin(), targets.end(), *it) == targets.end()) targets.push_back(*it);
    }
  }

  // Services 1.1 §3.2: one unacceptable block rejects the whole message.
  std::vector<storage::NewBlock> blocks;
  blocks.reserve(m.content_blocks.size());
  for (std::size_t i = 0; i < m.content_blocks.size(); ++i) {
    const v11::ContentBlock& b = m.content_blocks[i];
    if (!binding_accepted(self->accepted_bindings, b.binding_id, b.subtype))
      return unsupported_content(i, b, "this Inbox", topology_->inbox_bindings(*self));
    for (const CollectionInfo* c : targets)
      if (!binding_accepted(c->accepted_bindings, b.binding_id, b.subtype))
        return unsupported_content(i, b, "collection " + c->name, c->accepted_bindings);
    if (content_ != nullptr &&
        std::any_of(targets.begin(), targets.end(), [](const CollectionInfo* c) { return c->strict_content; }))
      if (auto st = check_strict(*content_, i, b); !st.ok()) return st.error();
    blocks.push_back({b.binding_id, b.subtype, b.content.xml, b.message});
  }

  std::vector<std::string> collections;
  for (const CollectionInfo* c : targets) collections.push_back(c->name);
  uint64_t skipped = 0;
  if (m.source_subscription || m.result_id) {
    // Pushed content: skip what this source delivered before (exactly-once, inbox_service.hpp).
    // The sender's identity is part of the source, so no sender can move another one's mark.
    storage::SourceMark mark;
    if (m.source_subscription) {
      mark.source = "subscription:" + ctx.identity + "\n" + m.source_subscription->collection_name + "\n" +
                    m.source_subscription->subscription_id;
      mark.through = m.source_subscription->inclusive_end;
    } else {
      mark.source = "result:" + ctx.identity + "\n" + *m.result_id;
    }
    for (const v11::ContentBlock& b : m.content_blocks) mark.labels.push_back(b.timestamp_label);
    auto stored = store_.append_from_source(collections, blocks, mark);  // one transaction
    if (!stored.ok()) return stored.error();
    if (stored->appended > 0 && on_stored_) on_stored_();
    skipped = stored->skipped;
  } else if (!blocks.empty()) {
    auto labels = store_.append(collections, blocks);  // one transaction (store.hpp)
    if (!labels.ok()) return labels.error();
    if (on_stored_) on_stored_();
  }
  v11::StatusMessage ok;
  ok.status_type = std::string(wire_name(StatusType::Success));
  if (skipped > 0)
    ok.message = std::to_string(skipped) + " content block(s) received before from this source were skipped";
  return Message(std::move(ok));
}

}  // namespace taxii::services
