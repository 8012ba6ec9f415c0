// Store: where collections' content blocks, poll results, subscriptions with their push outbox,
// accounts and the TAXII 2.1 objects live; one slice per concern (ContentStore, ResultStore,
// SubscriptionStore, AccountStore; below; ObjectStore, storage/objects.hpp), of which Store is
// the union. Opened by URI: "sqlite:///path/to/file.db"
// (embedded default) or "postgresql://..." (shared by several taxiid instances; docs/storage.md).
// storage/testing/ has an in-memory Store and a wrapper that fails chosen calls, for tests.
//
// Rules every implementation keeps (docs/storage.md):
// - Timestamp labels are assigned by the store, strictly increasing per collection
//   (Services 1.1 §4.1.4). Each block gets its own label, so any part boundary of a
//   multi-part result is a label boundary (Services 1.1 §5.2.2.3).
// - append() is atomic and durable: when it returns ok, every block of the call is
//   committed to disk in every named collection; when it fails, none is.
// - scan() visits blocks in label order and never holds more than one batch in memory.
//
// Implementations are thread-safe: one Store is shared by all server worker threads.
// Errors: Failure (storage broken; details go to the log, not to the message).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <vector>

#include "core/result.hpp"
#include "core/timestamp.hpp"
#include "storage/objects.hpp"
#include "storage/subscription_records.hpp"

namespace taxii::storage {

// A content block as received (XML 1.1 §3.10 Content_Block, without signature/padding).
struct NewBlock {
  std::string binding_id;              // may be a nesting expression "A|B"
  std::optional<std::string> subtype;
  std::string content;                 // Mixed markup, stored byte for byte
  std::optional<std::string> message;
};

struct StoredBlock {
  int64_t id = 0;                      // store-wide unique, increasing with insertion
  std::string collection;
  Timestamp label;
  std::string binding_id;
  std::optional<std::string> subtype;
  std::string content;
  std::optional<std::string> message;
};

// One content-binding filter entry: binding id with optional subtypes (none => all).
struct BindingFilter {
  std::string binding_id;
  std::vector<std::string> subtypes;
};

// Which blocks of one collection: label in (after, until], matching any filter entry
// (no entries => all), at most `limit` of them (0 => no limit).
struct ScanQuery {
  std::string collection;
  std::optional<Timestamp> after;      // exclusive
  std::optional<Timestamp> until;      // inclusive
  std::vector<BindingFilter> bindings;
  uint64_t limit = 0;
};

// A multi-part or asynchronous poll result (Services 1.1 §3.6.1, §4.1.3), persisted so
// that any instance can serve any part. `request` is the serialized Poll_Request the
// result answers; parts are recorded as they are produced.
struct ResultSet {
  std::string result_id;
  std::string collection;
  std::string request;                 // opaque to the store (the poll service's encoding)
  uint64_t total_count = 0;
  uint64_t part_size = 0;
  std::optional<Timestamp> after;      // window of the result
  std::optional<Timestamp> until;
  Timestamp created;
};

struct ResultPart {
  uint64_t part_number = 0;
  std::optional<Timestamp> after;      // the part covers labels in (after, last_label]
  std::optional<Timestamp> last_label;
};

// --- The slices (issue #21) ------------------------------------------------------------------
// Store is split by concern; each service is handed only the slices it uses (docs/design.md,
// "Store slices"). Every slice keeps the thread-safety and error rules above. Later concerns
// (TAXII 2.1 objects, relay cursors) are further slices that Store will also inherit.

// Collections and their content blocks: what Inbox writes and Poll, push delivery and
// Collection Management read.
class ContentStore {
 public:
  virtual ~ContentStore() = default;

  // Creates the collection if missing. Idempotent.
  [[nodiscard]] virtual Status ensure_collection(std::string_view name) = 0;
  [[nodiscard]] virtual Result<bool> has_collection(std::string_view name) = 0;

  // Appends every block to every collection in one transaction and returns the labels
  // given, in order, per collection (labels[c][b] for collections[c], blocks[b]).
  // REQUIRES: each collection exists (else NotFound, and nothing is stored).
  [[nodiscard]] virtual Result<std::vector<std::vector<Timestamp>>> append(
      const std::vector<std::string>& collections, const std::vector<NewBlock>& blocks) = 0;

  // Visits matching blocks in label order until fn returns false. Memory stays bounded. fn
  // may move a block's fields away (the poll service takes the content without a copy); the
  // store does not look at a block again after handing it to fn. fn may call the store.
  [[nodiscard]] virtual Status scan(const ScanQuery& q, const std::function<bool(StoredBlock&)>& fn) = 0;
  [[nodiscard]] virtual Result<uint64_t> count(const ScanQuery& q) = 0;
  // The newest label of a collection; nullopt when it is empty.
  [[nodiscard]] virtual Result<std::optional<Timestamp>> latest_label(std::string_view collection) = 0;
  // Number of blocks added to the collection in the last 24 hours (Collection_Volume).
  [[nodiscard]] virtual Result<uint64_t> volume_last_day(std::string_view collection) = 0;

  // append() for pushed content (the receiving side of exactly-once delivery), in ONE
  // transaction: reads the source's mark, appends the blocks whose label is absent or above
  // it, and raises the mark to the highest of its value, those labels and mark.through.
  // REQUIRES: mark.labels.size() == blocks.size(). Fails like append().
  [[nodiscard]] virtual Result<SourceAppend> append_from_source(const std::vector<std::string>& collections,
                                                                const std::vector<NewBlock>& blocks,
                                                                const SourceMark& mark) = 0;
};

// Poll results kept between requests: multi-part result sets and their parts, and
// asynchronous results while they are built and pushed (the outbox worker's second queue).
class ResultStore {
 public:
  virtual ~ResultStore() = default;

  // Result sets of multi-part / asynchronous polls. put_* replace a record with the same key.
  [[nodiscard]] virtual Status put_result_set(const ResultSet& rs) = 0;
  [[nodiscard]] virtual Result<std::optional<ResultSet>> get_result_set(std::string_view result_id) = 0;
  [[nodiscard]] virtual Status put_result_part(std::string_view result_id, const ResultPart& p) = 0;
  [[nodiscard]] virtual Result<std::optional<ResultPart>> get_result_part(std::string_view result_id,
                                                                        uint64_t part_number) = 0;
  // Drops result sets (and their parts) created before `cutoff`. Returns how many were dropped.
  [[nodiscard]] virtual Result<uint64_t> expire_result_sets(Timestamp cutoff) = 0;

  // Asynchronous poll results (Services 1.1 §3.6.2). Fails with NotFound for an unknown
  // collection; replaces a record with the same id.
  [[nodiscard]] virtual Status put_async_result(const AsyncResult& r) = 0;
  [[nodiscard]] virtual Result<std::optional<AsyncResult>> get_async_result(std::string_view result_id) = 0;
  // Claims up to `max` results with work to do: Building, or Ready with a delivery target and
  // parts not yet pushed; due and not leased by another worker. Oldest due first.
  [[nodiscard]] virtual Result<std::vector<AsyncResult>> claim_async_work(const ClaimLease& lease,
                                                                          std::size_t max) = 0;
  // Writes r's state, total_parts, parts_pushed, attempts, next_attempt and last_error and
  // releases the lease. False when the result is gone or `worker` no longer holds its lease.
  [[nodiscard]] virtual Result<bool> release_async_result(const AsyncResult& r, const std::string& worker) = 0;
  // Drops asynchronous results created before `cutoff`. Returns how many were dropped.
  [[nodiscard]] virtual Result<uint64_t> expire_async_results(Timestamp cutoff) = 0;
};

// Subscriptions and their push outbox (issue #6). Records: storage/subscription_records.hpp;
// model: docs/subscriptions.md.
class SubscriptionStore {
 public:
  virtual ~SubscriptionStore() = default;

  // Stores a new subscription, or, when one with the same collection, owner and spec_key
  // exists (Services 1.1 §4.4.6 rule 5), changes nothing. Returns the stored record (the
  // existing one in the second case). Fails with NotFound (ITEM) for an unknown collection.
  [[nodiscard]] virtual Result<Subscription> create_subscription(const Subscription& s) = 0;
  [[nodiscard]] virtual Result<std::optional<Subscription>> get_subscription(std::string_view id) = 0;
  // The owner's subscriptions to a collection, oldest first.
  [[nodiscard]] virtual Result<std::vector<Subscription>> list_subscriptions(std::string_view collection,
                                                                             std::string_view owner) = 0;
  // False when there is no such subscription.
  [[nodiscard]] virtual Result<bool> set_subscription_state(std::string_view id, SubscriptionState state) = 0;
  [[nodiscard]] virtual Result<bool> delete_subscription(std::string_view id) = 0;
  // poll_cursor = max(poll_cursor, through). No-op for an unknown id.
  [[nodiscard]] virtual Status advance_poll_cursor(std::string_view id, Timestamp through) = 0;

  // Claims up to `max` push subscriptions with work to do: ACTIVE, with push parameters, due
  // (next_attempt <= lease.now), not leased by another worker (or the lease expired), and
  // whose collection holds a label above push_cursor. Each gets the lease; oldest due first.
  [[nodiscard]] virtual Result<std::vector<Subscription>> claim_push_work(const ClaimLease& lease,
                                                                          std::size_t max) = 0;
  // After the subscriber's SUCCESS: push_cursor = max(push_cursor, through), attempts = 0,
  // error cleared, lease released. False (nothing changed) when the subscription is gone or
  // `worker` no longer holds its lease.
  [[nodiscard]] virtual Result<bool> complete_push(std::string_view id, const std::string& worker,
                                                   Timestamp through) = 0;
  // After a failed attempt: attempts + 1, next_attempt = retry_at, last_error = error, lease
  // released. False as for complete_push.
  [[nodiscard]] virtual Result<bool> fail_push(std::string_view id, const std::string& worker,
                                               Timestamp retry_at, const std::string& error) = 0;
};

// Authentication accounts (issue #7; docs/security.md). The store keeps what auth/ hands it;
// it never sees a password. Small, rare statements.
class AccountStore {
 public:
  virtual ~AccountStore() = default;

  struct Account {
    std::string username;
    std::string hash;        // base64 PBKDF2 output
    std::string salt;        // base64
    int64_t iterations = 0;
    std::vector<std::string> groups;
  };
  // Inserts or replaces the account with this username.
  [[nodiscard]] virtual Status put_account(const Account& a) = 0;
  [[nodiscard]] virtual Result<std::optional<Account>> get_account(std::string_view username) = 0;
  // False when there is no such account. Its tokens go too (even when false).
  [[nodiscard]] virtual Result<bool> delete_account(std::string_view username) = 0;
  // Every account, by username.
  [[nodiscard]] virtual Result<std::vector<Account>> list_accounts() = 0;

  // API tokens (bearer tokens of an account, issue #22; docs/security.md): the store keeps the
  // SHA-256 of each token, never the token. An account may have several; `username` may also
  // name an account of the configuration (auth.users), so it is not a reference to the accounts.
  struct Token {
    std::string id;        // public handle: listed and revoked by it
    std::string username;
    std::string hash;      // lowercase hex SHA-256 of the token
    std::string label;     // what the token is for ("" = nothing said)
    Timestamp created;
  };
  // Adds a token. Fails (Failure) when its id or hash is taken.
  [[nodiscard]] virtual Status put_token(const Token& t) = 0;
  [[nodiscard]] virtual Result<std::optional<Token>> find_token(std::string_view hash) = 0;
  // The tokens of `username` ("" = of everyone), by username, then creation, then id.
  [[nodiscard]] virtual Result<std::vector<Token>> list_tokens(std::string_view username) = 0;
  // False when there is no such token.
  [[nodiscard]] virtual Result<bool> delete_token(std::string_view id) = 0;
};

// The whole store: every slice, as a backend (SQLite, PostgreSQL, storage/testing's memory
// store) implements it and the server owns it. Store::Account is AccountStore::Account.
class Store : public ContentStore,
              public ResultStore,
              public SubscriptionStore,
              public AccountStore,
              public ObjectStore {
 public:
  ~Store() override = default;
};

// The slices one component uses, held by reference (S... are slice types). Converts from
// anything that implements them all (a whole Store, a wrapper of one) and from a StoreSlices
// with more slices, so a service's constructor states what it needs and callers may still hand
// it the whole store. Copyable; the referenced store outlives it.
template <class... S>
class StoreSlices {
 public:
  template <class T, std::enable_if_t<(std::is_base_of_v<S, T> && ...), int> = 0>
  StoreSlices(T& store) : refs_(static_cast<S&>(store)...) {}  // NOLINT: implicit on purpose
  template <class... U>
  StoreSlices(const StoreSlices<U...>& more) : refs_(more.template get<S>()...) {}  // NOLINT
  explicit StoreSlices(S&... slices) : refs_(slices...) {}

  template <class X>
  X& get() const { return std::get<X&>(refs_); }
  ContentStore& content() const { return get<ContentStore>(); }
  ResultStore& results() const { return get<ResultStore>(); }
  SubscriptionStore& subscriptions() const { return get<SubscriptionStore>(); }
  AccountStore& accounts() const { return get<AccountStore>(); }
  ObjectStore& objects() const { return get<ObjectStore>(); }

 private:
  std::tuple<S&...> refs_;
};

// Opens a store by URI: "sqlite:///abs/path.db", "sqlite://relative.db", "sqlite::memory:",
// or "postgresql://user:pass@host:port/db" (see docs/storage.md).
// Fails with Failure and a message naming the URI problem.
Result<std::unique_ptr<Store>> open_store(const std::string& uri);

// What `taxiid --check-config` checks of the store, without creating or migrating anything:
// PostgreSQL: connects once, reads the schema version (refused when newer than this
// program's); SQLite: the URI is well-formed (the file is made at start). Returns one line
// describing the store; Failure with the reason (never the password) otherwise.
Result<std::string> check_store(const std::string& uri);
// The PostgreSQL part of check_store (storage/postgres/postgres_check.cpp).
Result<std::string> check_postgres_store(const std::string& uri);

}  // namespace taxii::storage
