#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "onewindow/catalog/v1/catalog.pb.h"
#include "onewindow/catalog/v1/items.pb.h"

namespace onewindow::catalog {

// Lists kept in one string, joined by U+001F (validation keeps control
// characters out of them): the form items_current stores and the index
// reads, so neither side splits and rejoins.
inline constexpr char kListSeparator = '\x1f';

// An implementation's list fields in that joined form.
struct JoinedLists {
  std::string words;  // keywords, then synonyms
  std::string topics;
  std::string life_events;
};
JoinedLists JoinLists(const catalog::v1::Implementation& impl);

// What the index takes of one published implementation. Views only: the
// caller keeps the text alive for the call that passes it.
struct IndexEntry {
  // Document id: items_current.id, so ids (and therefore ranking within a
  // class and page tokens) survive restarts.
  uint32_t id = 0;
  absl::string_view code;
  absl::string_view name;
  // Keywords and synonyms, joined; each is matched on its own.
  absl::string_view words;
  absl::string_view region_code;
  absl::string_view department_credit_code;
  absl::string_view department_name;
  int type = 0;
  absl::string_view topics;       // joined
  absl::string_view life_events;  // joined
  // Bit (1 << ApplicantKind) per kind.
  uint32_t applicant_kinds = 0;
  int on_site_visits = 0;
  int online_depth = 0;
  int64_t revision = 0;
};

uint32_t ApplicantKindBits(const catalog::v1::Implementation& impl);

// Views into `impl` and `lists`, which must outlive the entry.
IndexEntry EntryFromImplementation(uint32_t id, const catalog::v1::Implementation& impl,
                                   const JoinedLists& lists);

// "Find the service" over a million implementations in memory.
//
// Text: every pair of consecutive code points (bigram) of the name, and of
// each keyword and synonym, posts the document id into a sorted list, kept
// apart for names and for words. A query of n >= 2 code points intersects
// its n-1 bigram lists, shortest first with galloping search into the
// others, then confirms the real substring on the candidate (bigrams alone
// would let "ABAB" match "ABXBAB"). Two-character queries, the common case
// in Chinese and the one SQLite's trigram tokenizer cannot answer, are a
// single list walk.
//
// Ranking: class 0 the name equals the query, class 1 the name contains it,
// class 2 only a keyword or synonym contains it; by document id within a
// class. Results come lazily in that order and a walk stops at page_size + 1
// hits, so a page of a 50 000-hit query costs a few dozen list steps. The
// page token is (class, last id): stable while items are added.
//
// Filters narrow per candidate; when a filter's own document list (region
// and its ancestors, department, type, topic, life event) is shorter than
// every text list it drives the walk instead.
//
// Thread-safe: searches share a reader lock; updates take it exclusively.
class SearchIndex {
 public:
  static constexpr int kDefaultPageSize = 20;
  static constexpr int kMaxPageSize = 100;
  static constexpr int kMaxQueryChars = 64;

  SearchIndex() = default;
  SearchIndex(const SearchIndex&) = delete;
  SearchIndex& operator=(const SearchIndex&) = delete;

  // Adds the implementation, or replaces what the index held under its id.
  // Only lists whose membership changes are touched, so republishing an
  // unchanged item costs no list edits.
  void Upsert(const IndexEntry& entry) ABSL_LOCKS_EXCLUDED(mu_);
  void UpsertBatch(const std::vector<IndexEntry>& entries) ABSL_LOCKS_EXCLUDED(mu_);
  // Bulk load at start-up: upserts every entry `source` passes to its
  // callback under one lock hold, then compacts.
  void Load(absl::FunctionRef<void(absl::FunctionRef<void(const IndexEntry&)>)> source)
      ABSL_LOCKS_EXCLUDED(mu_);
  // Takes the document out of search and browse (withdrawal). Unknown or
  // already removed ids are ignored.
  void Remove(uint32_t id) ABSL_LOCKS_EXCLUDED(mu_);
  // Departments are shown by name; a renamed one shows its new name at once.
  void RenameDepartment(absl::string_view credit_code, absl::string_view name)
      ABSL_LOCKS_EXCLUDED(mu_);
  // Gives back the spare capacity of growing lists, after a bulk load.
  void Compact() ABSL_LOCKS_EXCLUDED(mu_);

  absl::StatusOr<catalog::v1::SearchItemsResponse> Search(
      const catalog::v1::SearchItemsRequest& request) const ABSL_LOCKS_EXCLUDED(mu_);
  // Topics (life events) with the number of searchable items under each,
  // counting only what a citizen of `region_code` sees (its items and its
  // ancestors'); empty = everything. Most items first, then by name.
  absl::StatusOr<catalog::v1::BrowseResponse> BrowseTopics(const std::string& region_code) const
      ABSL_LOCKS_EXCLUDED(mu_);
  absl::StatusOr<catalog::v1::BrowseResponse> BrowseLifeEvents(const std::string& region_code) const
      ABSL_LOCKS_EXCLUDED(mu_);

  struct Stats {
    size_t documents = 0;
    size_t bigrams = 0;
    size_t postings = 0;
    size_t approx_bytes = 0;
    // Bytes of the text store, live documents' and not yet reclaimed.
    size_t text_bytes = 0;
  };
  Stats stats() const ABSL_LOCKS_EXCLUDED(mu_);

 private:
  using DocList = std::vector<uint32_t>;

  // 32 bytes per document; texts and tags live in shared arenas.
  struct Doc {
    uint32_t text_off = 0;  // arena_: code, name, then lower-cased words joined by U+001F
    uint32_t tags_off = 0;  // tags_: topic ids, then life event ids
    uint32_t region = 0;
    uint32_t department = 0;
    uint32_t revision = 0;
    uint16_t name_len = 0;
    uint16_t words_len = 0;
    uint8_t code_len = 0;
    uint8_t n_topics = 0;
    uint8_t n_events = 0;
    uint8_t type = 0;
    uint8_t visits = 0;
    uint8_t depth = 0;
    uint8_t kinds = 0;
    bool live = false;
  };

  // The lists a document belongs to.
  struct Keys {
    // False for "in no list": a new or removed document.
    bool present = false;
    std::vector<uint64_t> name_grams;  // sorted, unique
    std::vector<uint64_t> word_grams;  // sorted, unique
    uint64_t name_key = 0;
    uint32_t region = 0;
    uint32_t department = 0;
    uint8_t type = 0;
    std::vector<uint32_t> topics;  // sorted, unique
    std::vector<uint32_t> events;  // sorted, unique
  };

  // Strings interned to dense ids.
  struct Names {
    std::vector<std::string> names;
    absl::flat_hash_map<std::string, uint32_t> ids;
    uint32_t Intern(absl::string_view name);
    std::optional<uint32_t> Find(absl::string_view name) const;
  };

  struct Filter;
  struct Hit {
    int klass;
    uint32_t id;
  };

  void UpsertLocked(const IndexEntry& entry) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void RemoveLocked(uint32_t id) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void CompactLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Rewrites the text and tag stores with the live documents' entries only,
  // once more than half of either is left over from replaced or removed
  // documents: republishing would otherwise grow them for ever, and their
  // 32-bit offsets would wrap.
  void MaybeReclaimLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  static size_t TextLength(const Doc& doc);
  // Fills `keys` (reusing its buffers) with the lists `doc` belongs to.
  void KeysOf(const Doc& doc, Keys* keys) const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  void ApplyKeys(uint32_t id, const Keys& old_keys, const Keys& new_keys)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  absl::string_view CodeOf(const Doc& doc) const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  absl::string_view NameOf(const Doc& doc) const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  absl::string_view WordsOf(const Doc& doc) const ABSL_SHARED_LOCKS_REQUIRED(mu_);

  // Calls `visit(id)` for each id >= start present in every list, in id
  // order, until it returns false. No lists = every live document.
  template <typename Visit>
  void Intersect(std::vector<const DocList*> lists, uint32_t start, Visit&& visit) const
      ABSL_SHARED_LOCKS_REQUIRED(mu_);
  bool Passes(const Doc& doc, const Filter& filter) const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  absl::StatusOr<catalog::v1::BrowseResponse> Browse(const std::string& region_code,
                                                     bool topics) const ABSL_LOCKS_EXCLUDED(mu_);

  mutable absl::Mutex mu_;
  std::vector<Doc> docs_ ABSL_GUARDED_BY(mu_);
  std::string arena_ ABSL_GUARDED_BY(mu_);
  std::vector<uint32_t> tags_ ABSL_GUARDED_BY(mu_);
  // What of arena_ and tags_ no live document refers to any more.
  size_t dead_text_ ABSL_GUARDED_BY(mu_) = 0;
  size_t dead_tags_ ABSL_GUARDED_BY(mu_) = 0;
  size_t live_docs_ ABSL_GUARDED_BY(mu_) = 0;
  // Buffers reused by every update (updates are exclusive): a bulk load of
  // a million documents would otherwise spend its time in malloc.
  Keys old_keys_ ABSL_GUARDED_BY(mu_);
  Keys new_keys_ ABSL_GUARDED_BY(mu_);
  std::string text_ ABSL_GUARDED_BY(mu_);
  std::vector<uint32_t> doc_tags_ ABSL_GUARDED_BY(mu_);

  absl::flat_hash_map<uint64_t, DocList> name_grams_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<uint64_t, DocList> word_grams_ ABSL_GUARDED_BY(mu_);
  // Keyed by a hash of the folded name; hits are confirmed on the text.
  absl::flat_hash_map<uint64_t, DocList> exact_names_ ABSL_GUARDED_BY(mu_);

  Names regions_ ABSL_GUARDED_BY(mu_);
  Names departments_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> department_names_ ABSL_GUARDED_BY(mu_);
  Names topics_ ABSL_GUARDED_BY(mu_);
  Names events_ ABSL_GUARDED_BY(mu_);

  std::vector<DocList> by_region_ ABSL_GUARDED_BY(mu_);
  std::vector<DocList> by_department_ ABSL_GUARDED_BY(mu_);
  std::vector<DocList> by_topic_ ABSL_GUARDED_BY(mu_);
  std::vector<DocList> by_event_ ABSL_GUARDED_BY(mu_);
  std::array<DocList, 16> by_type_ ABSL_GUARDED_BY(mu_);
  // (region id << 32 | topic or event id) -> live documents, for browsing
  // by region without walking documents.
  absl::flat_hash_map<uint64_t, uint32_t> region_topic_counts_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<uint64_t, uint32_t> region_event_counts_ ABSL_GUARDED_BY(mu_);
};

}  // namespace onewindow::catalog
