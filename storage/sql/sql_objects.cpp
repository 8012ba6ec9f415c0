// SqlStore: TAXII 2.1 objects and status resources (storage/objects.hpp). Not yet implemented.
#include "storage/sql/sql_store.hpp"

namespace taxii::storage {
namespace {

Error not_implemented() { return Error::failure("TAXII 2.1 objects: not implemented yet"); }

}  // namespace

Status SqlStore::ensure_object_collection(std::string_view) { return not_implemented(); }
Result<std::vector<AddOutcome>> SqlStore::add_objects(std::string_view, const std::vector<NewObject>&) {
  return not_implemented();
}
Status SqlStore::scan_objects(const ObjectQuery&, const std::function<bool(StoredObject&)>&) {
  return not_implemented();
}
Result<uint64_t> SqlStore::delete_objects(const ObjectQuery&) { return not_implemented(); }
Result<std::optional<std::pair<Timestamp, Timestamp>>> SqlStore::added_range(std::string_view) {
  return not_implemented();
}
Status SqlStore::put_status(const StatusRecord&) { return not_implemented(); }
Result<std::optional<StatusRecord>> SqlStore::get_status(std::string_view) { return not_implemented(); }
Result<uint64_t> SqlStore::expire_statuses(Timestamp) { return not_implemented(); }

}  // namespace taxii::storage
