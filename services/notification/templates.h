#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "libs/store/database.h"
#include "onewindow/notification/v1/notification.pb.h"
#include "services/notification/template_text.h"

namespace onewindow::notification {

inline constexpr char kZhCn[] = "zh-CN";
inline constexpr char kEn[] = "en";
bool IsSupportedLanguage(absl::string_view language);

inline constexpr int kMaxTitleChars = 200;
inline constexpr int kMaxBodyChars = 4000;
inline constexpr int kMaxSmsChars = 500;

// A template checked and parsed, ready to render.
struct CompiledTemplate {
  notification::v1::Template proto;
  TemplateText title;
  TemplateText body;
};

// Every rule a template must meet, all problems at once: known event type,
// a channel, a supported language, lengths, SMS without a title, well-formed
// placeholders, none unknown to the event type, the required ones present.
absl::StatusOr<CompiledTemplate> CompileTemplate(const notification::v1::Template& t);

// A message text ready for one channel.
struct Rendered {
  std::string title;
  std::string body;
  std::string language;
  // 0 when no template exists for the event type and the generic text
  // (the type and its parameters) stood in.
  int template_version = 0;
  notification::v1::Channel template_channel = notification::v1::CHANNEL_UNSPECIFIED;
  // Parameters the template used that the event did not carry.
  std::set<std::string> missing;
};

// Versioned templates per (event type, channel, language). Every save adds
// a version; the newest is current. The current versions are cached in
// memory because every Notify renders with them; this process is the only
// writer, so the cache is refreshed after each committed save.
class Templates {
 public:
  explicit Templates(store::Database* db) : db_(db) {}

  // Adds version 1 of each shipped template whose key has no version yet,
  // then loads the current versions. Call once at start.
  absl::Status Initialize(absl::Time now);

  // A new current version (or the current one unchanged when the text is
  // the same). INVALID_ARGUMENT naming every problem.
  absl::StatusOr<notification::v1::Template> Put(const notification::v1::Template& t,
                                                 const std::string& author, absl::Time now);
  // Version 0 means current. NOT_FOUND if there is none.
  absl::StatusOr<notification::v1::Template> Get(const std::string& event_type,
                                                 notification::v1::Channel channel,
                                                 const std::string& language, int version) const;
  // Current, not deleted; sorted. Empty `event_type` lists all.
  std::vector<notification::v1::Template> List(const std::string& event_type) const;
  // Adds a tombstone version. NOT_FOUND if nothing current.
  absl::StatusOr<notification::v1::Template> Delete(const std::string& event_type,
                                                    notification::v1::Channel channel,
                                                    const std::string& language,
                                                    const std::string& author, absl::Time now);

  // Renders `event` for `channel` in `language`, falling back to the in-app
  // template in the same language, then the same two in the other language,
  // then the generic text.
  Rendered Render(const notification::v1::Event& event, notification::v1::Channel channel,
                  const std::string& language) const;

 private:
  using Key = std::tuple<std::string, int, std::string>;
  absl::StatusOr<notification::v1::Template> Append(const notification::v1::Template& t,
                                                    const std::string& author, absl::Time now);
  absl::Status LoadCurrent();
  void Cache(std::shared_ptr<const CompiledTemplate> compiled);
  std::shared_ptr<const CompiledTemplate> Current(const Key& key) const;

  store::Database* const db_;
  mutable absl::Mutex mu_;
  std::map<Key, std::shared_ptr<const CompiledTemplate>> current_ ABSL_GUARDED_BY(mu_);
};

}  // namespace onewindow::notification
