#include "services/catalog/search_index.h"

#include <algorithm>
#include <limits>
#include <utility>

#include "absl/container/inlined_vector.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "libs/codes/credit_code.h"
#include "libs/codes/region_code.h"
#include "libs/status/macros.h"
#include "services/catalog/text.h"

namespace onewindow::catalog {
namespace {

constexpr size_t kMaxTextField = std::numeric_limits<uint16_t>::max();

// FNV-1a over the ASCII-folded bytes: the key of exact-name lookups. Stable
// and allocation-free; collisions are settled by comparing the text.
uint64_t NameKey(absl::string_view name) {
  uint64_t h = 1469598103934665603ULL;
  for (char c : name) {
    h ^= static_cast<unsigned char>(absl::ascii_tolower(static_cast<unsigned char>(c)));
    h *= 1099511628211ULL;
  }
  return h;
}

template <typename T>
void SortUnique(std::vector<T>* v) {
  std::sort(v->begin(), v->end());
  v->erase(std::unique(v->begin(), v->end()), v->end());
}

void InsertSorted(std::vector<uint32_t>& list, uint32_t id) {
  // New documents get the highest id, so a bulk load only ever appends.
  if (list.empty() || list.back() < id) {
    list.push_back(id);
    return;
  }
  auto it = std::lower_bound(list.begin(), list.end(), id);
  if (it == list.end() || *it != id) list.insert(it, id);
}

void EraseSorted(std::vector<uint32_t>& list, uint32_t id) {
  auto it = std::lower_bound(list.begin(), list.end(), id);
  if (it != list.end() && *it == id) list.erase(it);
}

void EraseFromMap(absl::flat_hash_map<uint64_t, std::vector<uint32_t>>& map, uint64_t key,
                  uint32_t id) {
  auto it = map.find(key);
  if (it == map.end()) return;
  EraseSorted(it->second, id);
  if (it->second.empty()) map.erase(it);
}

// Calls `gone` for keys only in `before` and `added` for keys only in
// `after`; both inputs sorted and unique.
template <typename K, typename Gone, typename Added>
void Diff(const std::vector<K>& before, const std::vector<K>& after, Gone gone, Added added) {
  size_t i = 0;
  size_t j = 0;
  while (i < before.size() || j < after.size()) {
    if (j == after.size() || (i < before.size() && before[i] < after[j])) {
      gone(before[i++]);
    } else if (i == before.size() || after[j] < before[i]) {
      added(after[j++]);
    } else {
      ++i;
      ++j;
    }
  }
}

// The first position >= pos whose id is >= target: exponential steps, then
// a binary search in the last step. Cheap when the target is near, which it
// is for a list walked in increasing order.
size_t Gallop(const std::vector<uint32_t>& list, size_t pos, uint32_t target) {
  if (pos >= list.size() || list[pos] >= target) return pos;
  size_t lo = pos;  // list[lo] < target
  size_t step = 1;
  size_t hi = lo + step;
  while (hi < list.size() && list[hi] < target) {
    lo = hi;
    step *= 2;
    hi = lo + step;
  }
  hi = std::min(hi, list.size());
  return static_cast<size_t>(std::lower_bound(list.begin() + lo + 1, list.begin() + hi, target) -
                             list.begin());
}

// Page tokens are opaque to clients: web-safe base64 of "<class>:<id>".
std::string EncodeToken(int klass, uint32_t id) {
  return absl::WebSafeBase64Escape(absl::StrCat(klass, ":", id));
}

absl::StatusOr<std::pair<int, uint32_t>> DecodeToken(absl::string_view token, int max_class) {
  const auto bad = [] {
    return absl::InvalidArgumentError("page_token: not a token this search returned");
  };
  std::string raw;
  if (token.size() > 64 || !absl::WebSafeBase64Unescape(token, &raw)) return bad();
  const std::vector<absl::string_view> parts = absl::StrSplit(raw, ':');
  int klass = 0;
  uint64_t id = 0;
  if (parts.size() != 2 || parts[0].size() != 1 || !absl::SimpleAtoi(parts[0], &klass) ||
      klass < 0 || klass > max_class || parts[1].empty() || parts[1].size() > 10 ||
      !absl::SimpleAtoi(parts[1], &id) || id >= std::numeric_limits<uint32_t>::max()) {
    return bad();
  }
  return std::make_pair(klass, static_cast<uint32_t>(id));
}

std::vector<std::string> RegionWithAncestors(const std::string& region_code) {
  std::vector<std::string> codes = {region_code};
  for (std::string& a : codes::AncestorsOf(region_code)) codes.push_back(std::move(a));
  return codes;
}

absl::Status CheckRegionCode(const std::string& region_code) {
  if (region_code.empty()) return absl::OkStatus();
  absl::Status s = codes::ValidateRegionCode(region_code);
  if (!s.ok()) return absl::InvalidArgumentError(absl::StrCat("region_code: ", s.message()));
  return absl::OkStatus();
}

}  // namespace

JoinedLists JoinLists(const catalog::v1::Implementation& impl) {
  const std::string separator(1, kListSeparator);
  JoinedLists lists;
  lists.words = absl::StrJoin(impl.keywords(), separator);
  if (!impl.keywords().empty() && !impl.synonyms().empty()) lists.words += separator;
  absl::StrAppend(&lists.words, absl::StrJoin(impl.synonyms(), separator));
  lists.topics = absl::StrJoin(impl.topics(), separator);
  lists.life_events = absl::StrJoin(impl.life_events(), separator);
  return lists;
}

uint32_t ApplicantKindBits(const catalog::v1::Implementation& impl) {
  uint32_t bits = 0;
  for (int kind : impl.applicant_kinds()) {
    if (kind > 0 && kind < 32) bits |= 1u << kind;
  }
  return bits;
}

IndexEntry EntryFromImplementation(uint32_t id, const catalog::v1::Implementation& impl,
                                   const JoinedLists& lists) {
  IndexEntry e;
  e.id = id;
  e.code = impl.implementation_code();
  e.name = impl.name();
  e.words = lists.words;
  e.region_code = impl.region_code();
  e.department_credit_code = impl.department_credit_code();
  e.department_name = impl.department_name();
  e.type = impl.type();
  e.topics = lists.topics;
  e.life_events = lists.life_events;
  e.applicant_kinds = ApplicantKindBits(impl);
  e.on_site_visits = impl.guide().on_site_visits();
  e.online_depth = impl.guide().online_depth();
  e.revision = impl.revision();
  return e;
}

struct SearchIndex::Filter {
  bool by_region = false;
  absl::InlinedVector<uint32_t, 5> regions;
  uint8_t kind_bit = 0;
  bool fully_online = false;
};

uint32_t SearchIndex::Names::Intern(absl::string_view name) {
  auto it = ids.find(name);
  if (it != ids.end()) return it->second;
  const auto id = static_cast<uint32_t>(names.size());
  names.emplace_back(name);
  ids.emplace(std::string(name), id);
  return id;
}

std::optional<uint32_t> SearchIndex::Names::Find(absl::string_view name) const {
  auto it = ids.find(name);
  if (it == ids.end()) return std::nullopt;
  return it->second;
}

size_t SearchIndex::TextLength(const Doc& doc) {
  return static_cast<size_t>(doc.code_len) + doc.name_len + doc.words_len;
}

absl::string_view SearchIndex::CodeOf(const Doc& doc) const {
  return absl::string_view(arena_).substr(doc.text_off, doc.code_len);
}

absl::string_view SearchIndex::NameOf(const Doc& doc) const {
  return absl::string_view(arena_).substr(doc.text_off + doc.code_len, doc.name_len);
}

absl::string_view SearchIndex::WordsOf(const Doc& doc) const {
  return absl::string_view(arena_).substr(doc.text_off + doc.code_len + doc.name_len,
                                          doc.words_len);
}

void SearchIndex::KeysOf(const Doc& doc, Keys* k) const {
  k->present = true;
  k->name_grams.clear();
  AppendBigrams(NameOf(doc), &k->name_grams);
  SortUnique(&k->name_grams);
  k->word_grams.clear();
  for (absl::string_view word : absl::StrSplit(WordsOf(doc), kListSeparator)) {
    AppendBigrams(word, &k->word_grams);
  }
  SortUnique(&k->word_grams);
  k->name_key = NameKey(NameOf(doc));
  k->region = doc.region;
  k->department = doc.department;
  k->type = doc.type;
  const uint32_t* tags = tags_.data() + doc.tags_off;
  k->topics.assign(tags, tags + doc.n_topics);
  k->events.assign(tags + doc.n_topics, tags + doc.n_topics + doc.n_events);
  SortUnique(&k->topics);
  SortUnique(&k->events);
}

void SearchIndex::ApplyKeys(uint32_t id, const Keys& old_keys, const Keys& new_keys) {
  Diff(
      old_keys.name_grams, new_keys.name_grams,
      [&](uint64_t g) { EraseFromMap(name_grams_, g, id); },
      [&](uint64_t g) { InsertSorted(name_grams_[g], id); });
  Diff(
      old_keys.word_grams, new_keys.word_grams,
      [&](uint64_t g) { EraseFromMap(word_grams_, g, id); },
      [&](uint64_t g) { InsertSorted(word_grams_[g], id); });

  // Single-valued keys: move the document only when the value changed.
  const auto move = [&](auto Keys::*field, auto erase, auto insert) {
    const bool same = old_keys.present && new_keys.present && old_keys.*field == new_keys.*field;
    if (same) return;
    if (old_keys.present) erase(old_keys.*field);
    if (new_keys.present) insert(new_keys.*field);
  };
  move(
      &Keys::name_key, [&](uint64_t key) { EraseFromMap(exact_names_, key, id); },
      [&](uint64_t key) { InsertSorted(exact_names_[key], id); });
  move(
      &Keys::region, [&](uint32_t r) { EraseSorted(by_region_[r], id); },
      [&](uint32_t r) { InsertSorted(by_region_[r], id); });
  move(
      &Keys::department, [&](uint32_t d) { EraseSorted(by_department_[d], id); },
      [&](uint32_t d) { InsertSorted(by_department_[d], id); });
  move(
      &Keys::type, [&](uint8_t t) { EraseSorted(by_type_[t], id); },
      [&](uint8_t t) { InsertSorted(by_type_[t], id); });
  Diff(
      old_keys.topics, new_keys.topics, [&](uint32_t t) { EraseSorted(by_topic_[t], id); },
      [&](uint32_t t) { InsertSorted(by_topic_[t], id); });
  Diff(
      old_keys.events, new_keys.events, [&](uint32_t e) { EraseSorted(by_event_[e], id); },
      [&](uint32_t e) { InsertSorted(by_event_[e], id); });

  const auto count = [](absl::flat_hash_map<uint64_t, uint32_t>& counts, uint32_t region,
                        uint32_t tag, int delta) {
    const uint64_t key = (static_cast<uint64_t>(region) << 32) | tag;
    if (delta > 0) {
      ++counts[key];
      return;
    }
    auto it = counts.find(key);
    if (it != counts.end() && --it->second == 0) counts.erase(it);
  };
  if (old_keys.present) {
    for (uint32_t t : old_keys.topics) count(region_topic_counts_, old_keys.region, t, -1);
    for (uint32_t e : old_keys.events) count(region_event_counts_, old_keys.region, e, -1);
  }
  if (new_keys.present) {
    for (uint32_t t : new_keys.topics) count(region_topic_counts_, new_keys.region, t, +1);
    for (uint32_t e : new_keys.events) count(region_event_counts_, new_keys.region, e, +1);
  }
}

void SearchIndex::Upsert(const IndexEntry& entry) {
  absl::MutexLock lock(&mu_);
  UpsertLocked(entry);
}

void SearchIndex::Load(absl::FunctionRef<void(absl::FunctionRef<void(const IndexEntry&)>)> source) {
  absl::MutexLock lock(&mu_);
  source([this](const IndexEntry& entry) ABSL_NO_THREAD_SAFETY_ANALYSIS { UpsertLocked(entry); });
  CompactLocked();
}

void SearchIndex::UpsertBatch(const std::vector<IndexEntry>& entries) {
  // Short exclusive sections, so searches keep answering during an import.
  constexpr size_t kChunk = 256;
  for (size_t begin = 0; begin < entries.size(); begin += kChunk) {
    absl::MutexLock lock(&mu_);
    const size_t end = std::min(entries.size(), begin + kChunk);
    for (size_t i = begin; i < end; ++i) UpsertLocked(entries[i]);
  }
}

void SearchIndex::UpsertLocked(const IndexEntry& entry) {
  const uint32_t id = entry.id;
  if (id >= docs_.size()) docs_.resize(static_cast<size_t>(id) + 1);
  const Doc old = docs_[id];
  if (old.live) {
    KeysOf(old, &old_keys_);
  } else {
    old_keys_.present = false;
    old_keys_.name_grams.clear();
    old_keys_.word_grams.clear();
    old_keys_.topics.clear();
    old_keys_.events.clear();
  }

  Doc doc;
  // Text: code and name as given (names are shown), words folded (only
  // matched). Lengths are bounded by validation; clamping keeps a bad
  // entry from corrupting neighbours.
  const absl::string_view code = entry.code.substr(0, 255);
  const absl::string_view name = entry.name.substr(0, kMaxTextField);
  text_.assign(code.data(), code.size());
  text_.append(name.data(), name.size());
  const size_t words_start = text_.size();
  for (absl::string_view w : absl::StrSplit(entry.words, kListSeparator, absl::SkipEmpty())) {
    if (text_.size() - words_start + w.size() + 1 > kMaxTextField) break;
    if (text_.size() > words_start) text_.push_back(kListSeparator);
    for (char c : w) text_.push_back(absl::ascii_tolower(static_cast<unsigned char>(c)));
  }
  if (old.live &&
      static_cast<size_t>(old.code_len) + old.name_len + old.words_len == text_.size() &&
      absl::string_view(arena_).substr(old.text_off, text_.size()) == text_) {
    doc.text_off = old.text_off;
  } else {
    if (old.live) dead_text_ += TextLength(old);
    doc.text_off = static_cast<uint32_t>(arena_.size());
    arena_ += text_;
  }
  doc.code_len = static_cast<uint8_t>(code.size());
  doc.name_len = static_cast<uint16_t>(name.size());
  doc.words_len = static_cast<uint16_t>(text_.size() - words_start);

  doc_tags_.clear();
  for (absl::string_view t : absl::StrSplit(entry.topics, kListSeparator, absl::SkipEmpty())) {
    if (doc_tags_.size() == 255) break;
    const uint32_t tid = topics_.Intern(t);
    if (tid >= by_topic_.size()) by_topic_.resize(tid + 1);
    doc_tags_.push_back(tid);
  }
  doc.n_topics = static_cast<uint8_t>(doc_tags_.size());
  for (absl::string_view e : absl::StrSplit(entry.life_events, kListSeparator, absl::SkipEmpty())) {
    if (doc_tags_.size() - doc.n_topics == 255) break;
    const uint32_t eid = events_.Intern(e);
    if (eid >= by_event_.size()) by_event_.resize(eid + 1);
    doc_tags_.push_back(eid);
  }
  doc.n_events = static_cast<uint8_t>(doc_tags_.size() - doc.n_topics);
  if (old.live && static_cast<size_t>(old.n_topics) + old.n_events == doc_tags_.size() &&
      std::equal(doc_tags_.begin(), doc_tags_.end(), tags_.begin() + old.tags_off)) {
    doc.tags_off = old.tags_off;
  } else {
    if (old.live) dead_tags_ += static_cast<size_t>(old.n_topics) + old.n_events;
    doc.tags_off = static_cast<uint32_t>(tags_.size());
    tags_.insert(tags_.end(), doc_tags_.begin(), doc_tags_.end());
  }

  doc.region = regions_.Intern(entry.region_code);
  if (doc.region >= by_region_.size()) by_region_.resize(doc.region + 1);
  doc.department = departments_.Intern(entry.department_credit_code);
  if (doc.department >= by_department_.size()) {
    by_department_.resize(doc.department + 1);
    department_names_.resize(doc.department + 1);
  }
  // A department's name is taken from its first item; later ones only
  // through RenameDepartment, so a publish that committed before a rename
  // but reaches the index after it cannot bring the old name back.
  if (department_names_[doc.department].empty()) {
    department_names_[doc.department].assign(entry.department_name.data(),
                                             entry.department_name.size());
  }
  doc.type = static_cast<uint8_t>(
      entry.type >= 0 && entry.type < static_cast<int>(by_type_.size()) ? entry.type : 0);
  doc.visits = static_cast<uint8_t>(std::clamp(entry.on_site_visits, 0, 255));
  doc.depth = static_cast<uint8_t>(std::clamp(entry.online_depth, 0, 255));
  doc.kinds = static_cast<uint8_t>(entry.applicant_kinds & 0xFF);
  doc.revision = static_cast<uint32_t>(std::clamp<int64_t>(entry.revision, 0, UINT32_MAX));
  doc.live = true;

  KeysOf(doc, &new_keys_);
  ApplyKeys(id, old_keys_, new_keys_);
  if (!old.live) ++live_docs_;
  docs_[id] = doc;
  MaybeReclaimLocked();
}

void SearchIndex::Remove(uint32_t id) {
  absl::MutexLock lock(&mu_);
  RemoveLocked(id);
}

void SearchIndex::RemoveLocked(uint32_t id) {
  if (id >= docs_.size() || !docs_[id].live) return;
  KeysOf(docs_[id], &old_keys_);
  ApplyKeys(id, old_keys_, Keys{});
  docs_[id].live = false;
  --live_docs_;
  dead_text_ += TextLength(docs_[id]);
  dead_tags_ += static_cast<size_t>(docs_[id].n_topics) + docs_[id].n_events;
  MaybeReclaimLocked();
}

void SearchIndex::MaybeReclaimLocked() {
  // Small stores are left alone: reclaiming costs a pass over every document.
  constexpr size_t kMinTextBytes = 64 << 10;
  constexpr size_t kMinTags = 16 << 10;
  const bool text = arena_.size() >= kMinTextBytes && dead_text_ * 2 > arena_.size();
  const bool tags = tags_.size() >= kMinTags && dead_tags_ * 2 > tags_.size();
  if (!text && !tags) return;
  std::string arena;
  arena.reserve(arena_.size() - dead_text_);
  std::vector<uint32_t> tag_store;
  tag_store.reserve(tags_.size() - dead_tags_);
  for (Doc& doc : docs_) {
    if (!doc.live) continue;
    const size_t length = TextLength(doc);
    const uint32_t text_off = static_cast<uint32_t>(arena.size());
    arena.append(arena_, doc.text_off, length);
    doc.text_off = text_off;
    const size_t n_tags = static_cast<size_t>(doc.n_topics) + doc.n_events;
    const uint32_t tags_off = static_cast<uint32_t>(tag_store.size());
    tag_store.insert(tag_store.end(), tags_.begin() + doc.tags_off,
                     tags_.begin() + doc.tags_off + n_tags);
    doc.tags_off = tags_off;
  }
  arena_.swap(arena);
  tags_.swap(tag_store);
  dead_text_ = 0;
  dead_tags_ = 0;
}

void SearchIndex::RenameDepartment(absl::string_view credit_code, absl::string_view name) {
  absl::MutexLock lock(&mu_);
  // Also for a department none of whose items is indexed yet: its first
  // item may reach the index after this with the name it had before.
  const uint32_t id = departments_.Intern(credit_code);
  if (id >= by_department_.size()) {
    by_department_.resize(id + 1);
    department_names_.resize(id + 1);
  }
  department_names_[id] = std::string(name);
}

void SearchIndex::Compact() {
  absl::MutexLock lock(&mu_);
  CompactLocked();
}

void SearchIndex::CompactLocked() {
  for (auto* map : {&name_grams_, &word_grams_, &exact_names_}) {
    for (auto& [key, list] : *map) list.shrink_to_fit();
  }
  for (auto* lists : {&by_region_, &by_department_, &by_topic_, &by_event_}) {
    for (DocList& list : *lists) list.shrink_to_fit();
  }
  for (DocList& list : by_type_) list.shrink_to_fit();
  docs_.shrink_to_fit();
  arena_.shrink_to_fit();
  tags_.shrink_to_fit();
}

bool SearchIndex::Passes(const Doc& doc, const Filter& filter) const {
  if (!doc.live) return false;
  if (filter.by_region &&
      std::find(filter.regions.begin(), filter.regions.end(), doc.region) == filter.regions.end()) {
    return false;
  }
  if (filter.kind_bit != 0 && (doc.kinds & filter.kind_bit) == 0) return false;
  if (filter.fully_online && doc.depth != catalog::v1::FULLY_ONLINE) return false;
  return true;
}

template <typename Visit>
void SearchIndex::Intersect(std::vector<const DocList*> lists, uint32_t start,
                            Visit&& visit) const {
  if (lists.empty()) {
    for (uint32_t id = start; id < docs_.size(); ++id) {
      if (docs_[id].live && !visit(id)) return;
    }
    return;
  }
  std::sort(lists.begin(), lists.end(),
            [](const DocList* a, const DocList* b) { return a->size() < b->size(); });
  const DocList& driver = *lists[0];
  absl::InlinedVector<size_t, 16> pos(lists.size(), 0);
  size_t i = Gallop(driver, 0, start);
  while (i < driver.size()) {
    const uint32_t id = driver[i];
    // The smallest id every list may still share; leaps the driver over
    // stretches another list lacks.
    uint32_t next = id;
    for (size_t j = 1; j < lists.size(); ++j) {
      const DocList& other = *lists[j];
      pos[j] = Gallop(other, pos[j], id);
      if (pos[j] == other.size()) return;
      if (other[pos[j]] != id) {
        next = other[pos[j]];
        break;
      }
    }
    if (next == id) {
      if (!visit(id)) return;
      ++i;
    } else {
      i = Gallop(driver, i, next);
    }
  }
}

absl::StatusOr<catalog::v1::SearchItemsResponse> SearchIndex::Search(
    const catalog::v1::SearchItemsRequest& request) const {
  // Everything that can be checked without the index is checked before the
  // lock is taken.
  const std::string query = absl::AsciiStrToLower(TrimSpaces(request.q()));
  std::vector<char32_t> cps;
  if (!DecodeUtf8Folded(query, &cps)) return absl::InvalidArgumentError("q: not valid UTF-8");
  if (cps.size() == 1) return absl::InvalidArgumentError("q: at least 2 characters");
  if (cps.size() > static_cast<size_t>(kMaxQueryChars)) {
    return absl::InvalidArgumentError(absl::StrCat("q: at most ", kMaxQueryChars, " characters"));
  }
  std::vector<uint64_t> grams;
  for (size_t i = 1; i < cps.size(); ++i) grams.push_back(Bigram(cps[i - 1], cps[i]));
  SortUnique(&grams);

  RETURN_IF_ERROR(CheckRegionCode(request.region_code()));
  if (!request.department_credit_code().empty()) {
    absl::Status s = codes::ValidateCreditCode(request.department_credit_code());
    if (!s.ok()) {
      return absl::InvalidArgumentError(absl::StrCat("department_credit_code: ", s.message()));
    }
  }
  if (!catalog::v1::ItemType_IsValid(request.type())) {
    return absl::InvalidArgumentError("type: unknown item type");
  }
  if (!catalog::v1::ApplicantKind_IsValid(request.applicant_kind())) {
    return absl::InvalidArgumentError("applicant_kind: unknown applicant kind");
  }
  if (request.page_size() < 0) return absl::InvalidArgumentError("page_size: must be >= 0");
  const size_t page_size = request.page_size() == 0
                               ? kDefaultPageSize
                               : static_cast<size_t>(std::min(request.page_size(), kMaxPageSize));
  const bool text = !query.empty();
  int start_class = 0;
  uint32_t start_id = 0;
  if (!request.page_token().empty()) {
    ASSIGN_OR_RETURN(auto token, DecodeToken(request.page_token(), text ? 2 : 0));
    start_class = token.first;
    start_id = token.second + 1;
  }
  const std::vector<std::string> region_codes = request.region_code().empty()
                                                    ? std::vector<std::string>{}
                                                    : RegionWithAncestors(request.region_code());

  catalog::v1::SearchItemsResponse response;
  absl::ReaderMutexLock lock(&mu_);

  Filter filter;
  std::vector<const DocList*> filter_lists;
  const auto require = [&](const Names& names, const std::vector<DocList>& lists,
                           const std::string& value) {
    if (value.empty()) return true;
    std::optional<uint32_t> id = names.Find(value);
    if (!id.has_value()) return false;
    filter_lists.push_back(&lists[*id]);
    return true;
  };
  if (!require(departments_, by_department_, request.department_credit_code()) ||
      !require(topics_, by_topic_, request.topic()) ||
      !require(events_, by_event_, request.life_event())) {
    return response;
  }
  if (request.type() != catalog::v1::ITEM_TYPE_UNSPECIFIED) {
    filter_lists.push_back(&by_type_[request.type()]);
  }
  size_t region_total = 0;
  if (!region_codes.empty()) {
    filter.by_region = true;
    for (const std::string& code : region_codes) {
      if (auto id = regions_.Find(code)) {
        filter.regions.push_back(*id);
        region_total += by_region_[*id].size();
      }
    }
    if (filter.regions.empty()) return response;
  }
  if (request.applicant_kind() != catalog::v1::APPLICANT_KIND_UNSPECIFIED) {
    filter.kind_bit = static_cast<uint8_t>(1u << request.applicant_kind());
  }
  filter.fully_online = request.fully_online_only();

  // The visible regions' documents as one list, built only when it is the
  // shortest way in.
  std::vector<uint32_t> region_union;
  bool union_built = false;
  const auto with_region = [&](std::vector<const DocList*> lists) {
    if (!filter.by_region) return lists;
    size_t shortest = std::numeric_limits<size_t>::max();
    for (const DocList* l : lists) shortest = std::min(shortest, l->size());
    if (region_total >= shortest) return lists;
    if (!union_built) {
      region_union.reserve(region_total);
      for (uint32_t r : filter.regions) {
        const size_t mid = region_union.size();
        region_union.insert(region_union.end(), by_region_[r].begin(), by_region_[r].end());
        std::inplace_merge(region_union.begin(), region_union.begin() + mid, region_union.end());
      }
      union_built = true;
    }
    lists.push_back(&region_union);
    return lists;
  };

  std::vector<Hit> hits;
  const size_t want = page_size + 1;
  const auto collect = [&](int klass, std::vector<const DocList*> lists, uint32_t start,
                           auto&& verify) {
    Intersect(with_region(std::move(lists)), start, [&](uint32_t id) {
      const Doc& doc = docs_[id];
      if (!Passes(doc, filter) || !verify(doc)) return true;
      hits.push_back({klass, id});
      return hits.size() < want;
    });
  };

  if (!text) {
    collect(0, filter_lists, start_id, [](const Doc&) { return true; });
  } else {
    // A two-character query is one bigram: list membership is the match.
    const bool one_gram = cps.size() == 2;
    std::vector<const DocList*> name_lists = filter_lists;
    std::vector<const DocList*> word_lists = filter_lists;
    bool name_possible = true;
    bool word_possible = true;
    for (uint64_t g : grams) {
      auto n = name_grams_.find(g);
      if (n == name_grams_.end()) {
        name_possible = false;
      } else {
        name_lists.push_back(&n->second);
      }
      auto w = word_grams_.find(g);
      if (w == word_grams_.end()) {
        word_possible = false;
      } else {
        word_lists.push_back(&w->second);
      }
    }
    for (int klass = start_class; klass <= 2 && hits.size() < want; ++klass) {
      const uint32_t start = klass == start_class ? start_id : 0;
      if (klass == 0) {
        auto exact = exact_names_.find(NameKey(query));
        if (exact == exact_names_.end()) continue;
        std::vector<const DocList*> lists = filter_lists;
        lists.push_back(&exact->second);
        collect(0, std::move(lists), start,
                [&](const Doc& doc) { return EqualsFolded(NameOf(doc), query); });
      } else if (klass == 1) {
        if (!name_possible) continue;
        collect(1, name_lists, start, [&](const Doc& doc) {
          const absl::string_view name = NameOf(doc);
          if (EqualsFolded(name, query)) return false;
          return one_gram || ContainsFolded(name, query);
        });
      } else {
        if (!word_possible) continue;
        collect(2, word_lists, start, [&](const Doc& doc) {
          // Words are stored folded and the query holds no separator (its
          // bigrams would be in no list), so a plain find cannot span words.
          if (!one_gram && WordsOf(doc).find(query) == absl::string_view::npos) return false;
          return !ContainsFolded(NameOf(doc), query);
        });
      }
    }
  }

  const size_t shown = std::min(hits.size(), page_size);
  for (size_t i = 0; i < shown; ++i) {
    const Doc& doc = docs_[hits[i].id];
    catalog::v1::ItemSummary* item = response.add_items();
    item->set_implementation_code(std::string(CodeOf(doc)));
    item->set_name(std::string(NameOf(doc)));
    item->set_department_credit_code(departments_.names[doc.department]);
    item->set_department_name(department_names_[doc.department]);
    item->set_region_code(regions_.names[doc.region]);
    item->set_type(static_cast<catalog::v1::ItemType>(doc.type));
    item->set_on_site_visits(doc.visits);
    item->set_online_depth(static_cast<catalog::v1::OnlineDepth>(doc.depth));
    item->set_revision(doc.revision);
  }
  if (hits.size() > page_size) {
    response.set_next_page_token(EncodeToken(hits[shown - 1].klass, hits[shown - 1].id));
  }
  return response;
}

absl::StatusOr<catalog::v1::BrowseResponse> SearchIndex::BrowseTopics(
    const std::string& region_code) const {
  return Browse(region_code, /*topics=*/true);
}

absl::StatusOr<catalog::v1::BrowseResponse> SearchIndex::BrowseLifeEvents(
    const std::string& region_code) const {
  return Browse(region_code, /*topics=*/false);
}

absl::StatusOr<catalog::v1::BrowseResponse> SearchIndex::Browse(const std::string& region_code,
                                                                bool topics) const {
  RETURN_IF_ERROR(CheckRegionCode(region_code));
  const std::vector<std::string> region_codes =
      region_code.empty() ? std::vector<std::string>{} : RegionWithAncestors(region_code);

  absl::ReaderMutexLock lock(&mu_);
  const Names& names = topics ? topics_ : events_;
  const std::vector<DocList>& lists = topics ? by_topic_ : by_event_;
  const auto& counts = topics ? region_topic_counts_ : region_event_counts_;
  std::vector<uint32_t> regions;
  for (const std::string& code : region_codes) {
    if (auto id = regions_.Find(code)) regions.push_back(*id);
  }
  std::vector<std::pair<uint32_t, uint32_t>> rows;  // (count, tag id)
  for (uint32_t tag = 0; tag < names.names.size(); ++tag) {
    uint32_t n = 0;
    if (region_codes.empty()) {
      n = static_cast<uint32_t>(lists[tag].size());
    } else {
      for (uint32_t r : regions) {
        auto it = counts.find((static_cast<uint64_t>(r) << 32) | tag);
        if (it != counts.end()) n += it->second;
      }
    }
    if (n > 0) rows.emplace_back(n, tag);
  }
  std::sort(rows.begin(), rows.end(), [&](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first > b.first;
    return names.names[a.second] < names.names[b.second];
  });
  catalog::v1::BrowseResponse response;
  for (const auto& [n, tag] : rows) {
    catalog::v1::BrowseEntry* entry = response.add_entries();
    entry->set_name(names.names[tag]);
    entry->set_count(static_cast<int32_t>(n));
  }
  return response;
}

SearchIndex::Stats SearchIndex::stats() const {
  absl::ReaderMutexLock lock(&mu_);
  Stats s;
  s.documents = live_docs_;
  s.text_bytes = arena_.size();
  s.bigrams = name_grams_.size() + word_grams_.size();
  size_t capacity = 0;
  for (const auto* map : {&name_grams_, &word_grams_, &exact_names_}) {
    for (const auto& [key, list] : *map) {
      s.postings += list.size();
      capacity += list.capacity();
    }
    s.approx_bytes += map->capacity() * (sizeof(uint64_t) + sizeof(DocList) + 1);
  }
  for (const auto* lists : {&by_region_, &by_department_, &by_topic_, &by_event_}) {
    for (const DocList& list : *lists) capacity += list.capacity();
  }
  for (const DocList& list : by_type_) capacity += list.capacity();
  s.approx_bytes += capacity * sizeof(uint32_t) + docs_.capacity() * sizeof(Doc) +
                    arena_.capacity() + tags_.capacity() * sizeof(uint32_t);
  return s;
}

}  // namespace onewindow::catalog
