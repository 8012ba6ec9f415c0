// Lookup in a registry's index: the registries keyed by URN (content bindings, query formats) map
// ids to pointers they own. Stateless; thread-safe as the container is.
#pragma once

namespace taxii {

// The pointer `index` maps `key` to, or nullptr if there is none.
template <class Index, class Key>
auto find_or_null(const Index& index, const Key& key) -> typename Index::mapped_type {
  const auto it = index.find(key);
  return it == index.end() ? nullptr : it->second;
}

}  // namespace taxii
