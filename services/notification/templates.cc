#include "services/notification/templates.h"

#include <SQLiteCpp/Statement.h>

#include <algorithm>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "libs/status/macros.h"
#include "libs/store/times.h"
#include "services/notification/event_types.h"
#include "services/notification/shipped_templates.h"

namespace onewindow::notification {
namespace {

using notification::v1::Channel;

std::string Braced(const std::string& name) { return absl::StrCat("{", name, "}"); }

std::string BracedList(const std::vector<std::string>& names) {
  std::vector<std::string> braced;
  for (const auto& n : names) braced.push_back(Braced(n));
  return absl::StrJoin(braced, ", ");
}

// The template's name in messages: "application.accepted/sms/zh-CN".
std::string KeyName(const std::string& type, Channel channel, const std::string& language) {
  return absl::StrCat(type, "/", notification::v1::Channel_Name(channel), "/", language);
}

notification::v1::Template FromRow(SQLite::Statement& row) {
  notification::v1::Template t;
  t.set_event_type(row.getColumn(0).getString());
  t.set_channel(static_cast<Channel>(row.getColumn(1).getInt()));
  t.set_language(row.getColumn(2).getString());
  t.set_version(row.getColumn(3).getInt());
  t.set_title(row.getColumn(4).getString());
  t.set_body(row.getColumn(5).getString());
  t.set_deleted(row.getColumn(6).getInt() != 0);
  t.set_author(row.getColumn(7).getString());
  *t.mutable_create_time() = store::ToProtoTime(store::FromStoredTime(row.getColumn(8).getInt64()));
  return t;
}

constexpr char kColumns[] =
    "event_type, channel, language, version, title, body, deleted, author, create_time";

// A template's key, checked as Put checks it: a key no template can have
// is a wrong request, not a missing template.
absl::Status CheckKey(const std::string& event_type, Channel channel, const std::string& language) {
  std::vector<std::string> problems;
  if (event_type.empty()) {
    problems.push_back("event_type: required");
  } else if (FindEventType(event_type) == nullptr) {
    problems.push_back("event_type: unknown event type (ListEventTypes lists them)");
  }
  if (channel == notification::v1::CHANNEL_UNSPECIFIED ||
      !notification::v1::Channel_IsValid(channel)) {
    problems.push_back("channel: required (CHANNEL_IN_APP, CHANNEL_SMS, ...)");
  }
  if (!IsSupportedLanguage(language)) problems.push_back("language: must be zh-CN or en");
  if (problems.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrJoin(problems, "; "));
}

}  // namespace

bool IsSupportedLanguage(absl::string_view language) {
  return language == kZhCn || language == kEn;
}

absl::StatusOr<CompiledTemplate> CompileTemplate(const notification::v1::Template& t) {
  std::vector<std::string> problems;
  const EventTypeSpec* spec = nullptr;
  if (t.event_type().empty()) {
    problems.push_back("template.event_type: required");
  } else if ((spec = FindEventType(t.event_type())) == nullptr) {
    problems.push_back(absl::StrCat("template.event_type: unknown event type '", t.event_type(),
                                    "' (ListEventTypes lists them)"));
  }
  const Channel channel = t.channel();
  if (channel == notification::v1::CHANNEL_UNSPECIFIED ||
      !notification::v1::Channel_IsValid(channel)) {
    problems.push_back("template.channel: required (CHANNEL_IN_APP, CHANNEL_SMS, ...)");
  }
  if (!IsSupportedLanguage(t.language())) {
    problems.push_back("template.language: must be zh-CN or en");
  }
  const bool sms = channel == notification::v1::CHANNEL_SMS;
  if (sms && !t.title().empty()) {
    problems.push_back("template.title: SMS templates have no title");
  } else if (!sms && t.title().empty()) {
    problems.push_back("template.title: required");
  }
  if (CharCount(t.title()) > kMaxTitleChars) {
    problems.push_back(absl::StrCat("template.title: longer than ", kMaxTitleChars, " characters"));
  }
  const int max_body = sms ? kMaxSmsChars : kMaxBodyChars;
  if (t.body().empty()) {
    problems.push_back("template.body: required");
  } else if (CharCount(t.body()) > static_cast<size_t>(max_body)) {
    problems.push_back(absl::StrCat("template.body: longer than ", max_body, " characters"));
  }

  CompiledTemplate compiled;
  compiled.proto = t;
  std::set<std::string> used;
  for (const auto& [field, text, out] :
       {std::make_tuple("template.title", &t.title(), &compiled.title),
        std::make_tuple("template.body", &t.body(), &compiled.body)}) {
    absl::StatusOr<TemplateText> parsed = TemplateText::Parse(*text, field);
    if (!parsed.ok()) {
      problems.push_back(std::string(parsed.status().message()));
      continue;
    }
    if (spec != nullptr) {
      for (const std::string& name : parsed->placeholders()) {
        if (std::find(spec->placeholders.begin(), spec->placeholders.end(), name) ==
            spec->placeholders.end()) {
          problems.push_back(absl::StrCat(field, ": unknown placeholder ", Braced(name), " (",
                                          spec->type, " has ", BracedList(spec->placeholders),
                                          ")"));
        }
      }
    }
    used.insert(parsed->placeholders().begin(), parsed->placeholders().end());
    *out = *std::move(parsed);
  }
  if (spec != nullptr) {
    for (const std::string& name : spec->required) {
      if (used.count(name) == 0) {
        problems.push_back(absl::StrCat("template: missing placeholder ", Braced(name), " (every ",
                                        spec->type, " template must use it)"));
      }
    }
  }
  if (!problems.empty()) return absl::InvalidArgumentError(absl::StrJoin(problems, "; "));
  return compiled;
}

absl::Status Templates::Initialize(absl::Time now) {
  RETURN_IF_ERROR(db_->Write([&](store::Connection& db) -> absl::Status {
    SQLite::Statement exists(
        db, "SELECT 1 FROM templates WHERE event_type = ? AND channel = ? AND language = ?");
    SQLite::Statement insert(db,
                             "INSERT INTO templates(event_type, channel, language, version, title,"
                             " body, deleted, author, create_time) VALUES(?,?,?,1,?,?,0,?,?)");
    for (const notification::v1::Template& t : ShippedTemplates()) {
      // A shipped template that breaks the rules is a bug in this program.
      RETURN_IF_ERROR(CompileTemplate(t).status());
      exists.reset();
      exists.bind(1, t.event_type());
      exists.bind(2, static_cast<int>(t.channel()));
      exists.bind(3, t.language());
      if (exists.executeStep()) continue;
      insert.reset();
      insert.bind(1, t.event_type());
      insert.bind(2, static_cast<int>(t.channel()));
      insert.bind(3, t.language());
      insert.bind(4, t.title());
      insert.bind(5, t.body());
      insert.bind(6, t.author());
      insert.bind(7, store::ToStoredTime(now));
      insert.exec();
    }
    return absl::OkStatus();
  }));
  return LoadCurrent();
}

absl::Status Templates::LoadCurrent() {
  std::vector<notification::v1::Template> rows;
  RETURN_IF_ERROR(db_->Read([&](store::Connection& db) {
    SQLite::Statement query(
        db, absl::StrCat("SELECT ", kColumns,
                         " FROM templates t WHERE version = (SELECT MAX(version) FROM templates u"
                         " WHERE u.event_type = t.event_type AND u.channel = t.channel"
                         " AND u.language = t.language)"));
    while (query.executeStep()) rows.push_back(FromRow(query));
    return absl::OkStatus();
  }));
  for (const auto& t : rows) {
    if (t.deleted()) {
      auto tombstone = std::make_shared<CompiledTemplate>();
      tombstone->proto = t;
      Cache(std::move(tombstone));
      continue;
    }
    absl::StatusOr<CompiledTemplate> compiled = CompileTemplate(t);
    // Stored templates passed these checks when saved; a failure now means
    // the rules changed under them. Skip it: rendering falls back.
    if (!compiled.ok()) continue;
    Cache(std::make_shared<CompiledTemplate>(*std::move(compiled)));
  }
  return absl::OkStatus();
}

void Templates::Cache(std::shared_ptr<const CompiledTemplate> compiled) {
  const auto& p = compiled->proto;
  Key key{p.event_type(), static_cast<int>(p.channel()), p.language()};
  absl::MutexLock lock(&mu_);
  auto& slot = current_[key];
  // Two saves of one key may finish out of order; the newer version wins.
  if (slot == nullptr || slot->proto.version() < p.version()) slot = std::move(compiled);
}

std::shared_ptr<const CompiledTemplate> Templates::Current(const Key& key) const {
  absl::MutexLock lock(&mu_);
  auto it = current_.find(key);
  return it == current_.end() ? nullptr : it->second;
}

absl::StatusOr<notification::v1::Template> Templates::Append(const notification::v1::Template& t,
                                                             const std::string& author,
                                                             absl::Time now) {
  notification::v1::Template saved = t;
  saved.set_author(author);
  *saved.mutable_create_time() = store::ToProtoTime(now);
  RETURN_IF_ERROR(db_->Write([&](store::Connection& db) -> absl::Status {
    SQLite::Statement last(db, absl::StrCat("SELECT ", kColumns,
                                            " FROM templates WHERE event_type = ? AND channel = ?"
                                            " AND language = ? ORDER BY version DESC LIMIT 1"));
    last.bind(1, t.event_type());
    last.bind(2, static_cast<int>(t.channel()));
    last.bind(3, t.language());
    int version = 0;
    if (last.executeStep()) {
      notification::v1::Template previous = FromRow(last);
      if (t.deleted() && previous.deleted()) {
        return absl::NotFoundError(absl::StrCat("template ",
                                                KeyName(t.event_type(), t.channel(), t.language()),
                                                " is already deleted"));
      }
      // Saving the same text again changes nothing.
      if (!t.deleted() && !previous.deleted() && previous.title() == t.title() &&
          previous.body() == t.body()) {
        saved = previous;
        return absl::OkStatus();
      }
      version = previous.version();
    } else if (t.deleted()) {
      return absl::NotFoundError(absl::StrCat(
          "template ", KeyName(t.event_type(), t.channel(), t.language()), " not found"));
    }
    saved.set_version(version + 1);
    SQLite::Statement insert(db,
                             "INSERT INTO templates(event_type, channel, language, version, title,"
                             " body, deleted, author, create_time) VALUES(?,?,?,?,?,?,?,?,?)");
    insert.bind(1, saved.event_type());
    insert.bind(2, static_cast<int>(saved.channel()));
    insert.bind(3, saved.language());
    insert.bind(4, saved.version());
    insert.bind(5, saved.title());
    insert.bind(6, saved.body());
    insert.bind(7, saved.deleted() ? 1 : 0);
    insert.bind(8, saved.author());
    insert.bind(9, store::ToStoredTime(now));
    insert.exec();
    return absl::OkStatus();
  }));
  return saved;
}

absl::StatusOr<notification::v1::Template> Templates::Put(const notification::v1::Template& t,
                                                          const std::string& author,
                                                          absl::Time now) {
  notification::v1::Template clean = t;
  clean.set_version(0);
  clean.set_deleted(false);
  clean.clear_author();
  clean.clear_create_time();
  ASSIGN_OR_RETURN(CompiledTemplate compiled, CompileTemplate(clean));
  ASSIGN_OR_RETURN(notification::v1::Template saved, Append(clean, author, now));
  compiled.proto = saved;
  Cache(std::make_shared<CompiledTemplate>(std::move(compiled)));
  return saved;
}

absl::StatusOr<notification::v1::Template> Templates::Delete(const std::string& event_type,
                                                             Channel channel,
                                                             const std::string& language,
                                                             const std::string& author,
                                                             absl::Time now) {
  RETURN_IF_ERROR(CheckKey(event_type, channel, language));
  notification::v1::Template tombstone;
  tombstone.set_event_type(event_type);
  tombstone.set_channel(channel);
  tombstone.set_language(language);
  tombstone.set_deleted(true);
  ASSIGN_OR_RETURN(notification::v1::Template saved, Append(tombstone, author, now));
  auto compiled = std::make_shared<CompiledTemplate>();
  compiled->proto = saved;
  Cache(std::move(compiled));
  return saved;
}

absl::StatusOr<notification::v1::Template> Templates::Get(const std::string& event_type,
                                                          Channel channel,
                                                          const std::string& language,
                                                          int version) const {
  RETURN_IF_ERROR(CheckKey(event_type, channel, language));
  if (version < 0) return absl::InvalidArgumentError("version: must be >= 0");
  std::optional<notification::v1::Template> found;
  RETURN_IF_ERROR(db_->Read([&](store::Connection& db) {
    SQLite::Statement query(
        db, absl::StrCat("SELECT ", kColumns,
                         " FROM templates WHERE event_type = ? AND channel = ? AND language = ?",
                         version == 0 ? " ORDER BY version DESC LIMIT 1" : " AND version = ?"));
    query.bind(1, event_type);
    query.bind(2, static_cast<int>(channel));
    query.bind(3, language);
    if (version != 0) query.bind(4, version);
    if (query.executeStep()) found = FromRow(query);
    return absl::OkStatus();
  }));
  if (!found.has_value() || (version == 0 && found->deleted())) {
    return absl::NotFoundError(absl::StrCat("template ", KeyName(event_type, channel, language),
                                            version == 0 ? "" : absl::StrCat(" version ", version),
                                            " not found"));
  }
  return *found;
}

std::vector<notification::v1::Template> Templates::List(const std::string& event_type) const {
  std::vector<notification::v1::Template> out;
  absl::MutexLock lock(&mu_);
  for (const auto& [key, compiled] : current_) {
    if (compiled->proto.deleted()) continue;
    if (!event_type.empty() && std::get<0>(key) != event_type) continue;
    out.push_back(compiled->proto);
  }
  return out;
}

Rendered Templates::Render(const notification::v1::Event& event, Channel channel,
                           const std::string& language) const {
  const std::string other = language == kEn ? kZhCn : kEn;
  const std::map<std::string, std::string> params(event.params().begin(), event.params().end());
  for (const auto& [lang, ch] :
       {std::make_pair(language, channel),
        std::make_pair(language, notification::v1::CHANNEL_IN_APP), std::make_pair(other, channel),
        std::make_pair(other, notification::v1::CHANNEL_IN_APP)}) {
    std::shared_ptr<const CompiledTemplate> t = Current({event.type(), static_cast<int>(ch), lang});
    if (t == nullptr || t->proto.deleted()) continue;
    Rendered r;
    r.title = t->title.Render(params, &r.missing);
    r.body = t->body.Render(params, &r.missing);
    r.language = lang;
    r.template_version = t->proto.version();
    r.template_channel = ch;
    return r;
  }
  // No template at all: the event still reaches the recipient, as its type
  // and parameters, and the caller counts it so an operator adds one.
  Rendered r;
  r.title = event.type();
  std::vector<std::string> lines;
  for (const auto& [k, v] : params) lines.push_back(absl::StrCat(k, ": ", v));
  r.body = absl::StrJoin(lines, "\n");
  r.language = language;
  return r;
}

}  // namespace onewindow::notification
