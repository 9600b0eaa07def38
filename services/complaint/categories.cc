#include "services/complaint/categories.h"

#include <SQLiteCpp/Statement.h>

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "libs/status/macros.h"

namespace onewindow::complaint {
namespace {

using complaint::v1::Category;
using complaint::v1::CategoryAttribute;

constexpr size_t kMaxAnswerBytes = 2000;

Category Make(std::string code, std::string name, std::string description,
              complaint::v1::TicketKind kind, std::string group,
              std::vector<std::string> keywords) {
  Category c;
  c.set_code(std::move(code));
  c.set_name(std::move(name));
  c.set_description(std::move(description));
  c.set_kind(kind);
  c.set_group(std::move(group));
  for (auto& k : keywords) c.add_keywords(std::move(k));
  return c;
}

bool IsCodeChar(char c) { return absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '-'; }

bool ValidCode(const std::string& code) {
  if (code.empty() || code.size() > 40) return false;
  for (char c : code) {
    if (!IsCodeChar(c)) return false;
  }
  return true;
}

void Store(store::Connection& db, const Category& category) {
  SQLite::Statement upsert(db,
                           "INSERT INTO categories (code, body) VALUES (?, ?)"
                           " ON CONFLICT (code) DO UPDATE SET body = excluded.body");
  const std::string body = category.SerializeAsString();
  upsert.bind(1, category.code());
  upsert.bind(2, body.data(), static_cast<int>(body.size()));
  upsert.exec();
}

}  // namespace

std::vector<Category> DefaultCategories() {
  using complaint::v1::COMPLAINT;
  std::vector<Category> out;
  Category road = Make("road-damage", "道路破损", "Potholes, broken pavements and kerbs", COMPLAINT,
                       "市政设施 Streets", {"pothole", "坑洼", "路面"});
  CategoryAttribute* severity = road.add_attributes();
  severity->set_code("severity");
  severity->set_description("How dangerous is it?");
  severity->set_datatype(complaint::v1::SINGLE_VALUE_LIST);
  severity->set_order(1);
  for (const auto& [key, name] : std::vector<std::pair<std::string, std::string>>{
           {"minor", "Minor"}, {"major", "Major"}, {"dangerous", "Dangerous to traffic"}}) {
    complaint::v1::AttributeValue* v = severity->add_values();
    v->set_key(key);
    v->set_name(name);
  }
  out.push_back(std::move(road));
  out.push_back(Make("streetlight", "路灯故障", "A street light is out or flickering", COMPLAINT,
                     "市政设施 Streets", {"路灯", "light"}));
  out.push_back(Make("noise", "噪音扰民", "Noise from building sites, shops or neighbours",
                     COMPLAINT, "环境 Environment", {"噪音", "noise"}));
  out.push_back(Make("sanitation", "环境卫生", "Rubbish, dirty streets, overflowing bins",
                     COMPLAINT, "环境 Environment", {"垃圾", "卫生"}));
  out.push_back(Make("government-service", "政务服务投诉",
                     "How a service window or online service treated you", COMPLAINT,
                     "政务服务 Government services", {"窗口", "办事"}));
  out.push_back(Make("policy-consultation", "政策咨询", "Questions about policies and procedures",
                     complaint::v1::CONSULTATION, "政务服务 Government services", {"咨询"}));
  out.push_back(Make("help", "生活求助", "Help with an urgent difficulty",
                     complaint::v1::HELP_REQUEST, "民生 Livelihood", {"求助"}));
  out.push_back(Make("illegal-activity", "违法行为举报",
                     "Report illegal activity; may be filed anonymously", complaint::v1::REPORT,
                     "举报 Reports", {"举报"}));
  out.push_back(Make("suggestion", "意见建议", "Ideas to improve public services",
                     complaint::v1::SUGGESTION, "建议 Suggestions", {"建议"}));
  out.push_back(Make("praise", "表扬", "Thank a department or a member of staff",
                     complaint::v1::PRAISE, "表扬 Praise", {"表扬"}));
  return out;
}

void CheckCategory(const Category& category, std::vector<std::string>* problems) {
  if (!ValidCode(category.code())) {
    problems->push_back("code: 1-40 characters of a-z, 0-9 and '-'");
  }
  if (category.name().empty()) problems->push_back("name: required");
  if (category.name().size() > 200) problems->push_back("name: longer than 200 bytes");
  if (category.description().size() > 2000) {
    problems->push_back("description: longer than 2000 bytes");
  }
  if (category.kind() == complaint::v1::TICKET_KIND_UNSPECIFIED ||
      category.kind() == complaint::v1::RECTIFICATION ||
      !complaint::v1::TicketKind_IsValid(category.kind())) {
    problems->push_back("kind: one of CONSULTATION..PRAISE");
  }
  std::set<std::string> codes;
  for (int i = 0; i < category.attributes_size(); ++i) {
    const CategoryAttribute& a = category.attributes(i);
    const std::string where = absl::StrCat("attributes[", i, "]");
    if (!ValidCode(a.code())) {
      problems->push_back(absl::StrCat(where, ".code: 1-40 characters of a-z, 0-9 and '-'"));
    } else if (!codes.insert(a.code()).second) {
      problems->push_back(absl::StrCat(where, ".code: repeated"));
    }
    if (a.datatype() == complaint::v1::ATTRIBUTE_DATATYPE_UNSPECIFIED ||
        !complaint::v1::AttributeDatatype_IsValid(a.datatype())) {
      problems->push_back(absl::StrCat(where, ".datatype: required"));
    }
    const bool is_list = a.datatype() == complaint::v1::SINGLE_VALUE_LIST ||
                         a.datatype() == complaint::v1::MULTI_VALUE_LIST;
    if (is_list && a.values().empty()) {
      problems->push_back(absl::StrCat(where, ".values: a list attribute needs values"));
    }
    if (!is_list && !a.values().empty()) {
      problems->push_back(absl::StrCat(where, ".values: only list attributes have values"));
    }
  }
}

void CheckAnswers(const Category& category,
                  const google::protobuf::Map<std::string, std::string>& answers,
                  std::vector<std::string>* problems) {
  std::map<std::string, const CategoryAttribute*> by_code;
  for (const CategoryAttribute& a : category.attributes()) by_code[a.code()] = &a;
  for (const auto& [code, value] : answers) {
    if (by_code.count(code) == 0) {
      problems->push_back(
          absl::StrCat("attributes.", code, ": not an attribute of category ", category.code()));
    }
  }
  for (const auto& [code, attribute] : by_code) {
    auto answer = answers.find(code);
    const std::string where = absl::StrCat("attributes.", code);
    if (answer == answers.end() || answer->second.empty()) {
      if (attribute->required()) problems->push_back(absl::StrCat(where, ": required"));
      continue;
    }
    const std::string& value = answer->second;
    if (value.size() > kMaxAnswerBytes) {
      problems->push_back(absl::StrCat(where, ": longer than ", kMaxAnswerBytes, " bytes"));
      continue;
    }
    std::set<std::string> keys;
    for (const auto& v : attribute->values()) keys.insert(v.key());
    switch (attribute->datatype()) {
      case complaint::v1::NUMBER: {
        double number;
        if (!absl::SimpleAtod(value, &number)) {
          problems->push_back(absl::StrCat(where, ": not a number"));
        }
        break;
      }
      case complaint::v1::DATETIME: {
        absl::Time t;
        std::string error;
        if (!absl::ParseTime(absl::RFC3339_full, value, &t, &error)) {
          problems->push_back(absl::StrCat(where, ": not an ISO 8601 date-time with zone"));
        }
        break;
      }
      case complaint::v1::SINGLE_VALUE_LIST:
        if (keys.count(value) == 0) {
          problems->push_back(absl::StrCat(where, ": not one of the listed values"));
        }
        break;
      case complaint::v1::MULTI_VALUE_LIST:
        for (absl::string_view part : absl::StrSplit(value, ',')) {
          if (keys.count(std::string(part)) == 0) {
            problems->push_back(absl::StrCat(where, ": not all listed values"));
            break;
          }
        }
        break;
      default:
        break;
    }
  }
}

absl::Status Categories::Init() {
  std::map<std::string, Category> loaded;
  RETURN_IF_ERROR(db_->Write([&](store::Connection& db) {
    SQLite::Statement count(db, "SELECT COUNT(*) FROM categories");
    count.executeStep();
    if (count.getColumn(0).getInt64() == 0) {
      for (const Category& c : DefaultCategories()) Store(db, c);
    }
    SQLite::Statement q(db, "SELECT body FROM categories");
    while (q.executeStep()) {
      Category c;
      const SQLite::Column body = q.getColumn(0);
      if (!c.ParseFromArray(body.getBlob(), body.getBytes())) {
        return absl::DataLossError("a stored category does not parse");
      }
      loaded[c.code()] = std::move(c);
    }
    return absl::OkStatus();
  }));
  absl::MutexLock lock(&mu_);
  by_code_ = std::move(loaded);
  return absl::OkStatus();
}

std::vector<Category> Categories::List() const {
  absl::MutexLock lock(&mu_);
  std::vector<Category> out;
  for (const auto& [code, c] : by_code_) out.push_back(c);
  return out;
}

absl::StatusOr<Category> Categories::Get(const std::string& code) const {
  absl::MutexLock lock(&mu_);
  auto it = by_code_.find(code);
  if (it == by_code_.end()) {
    return absl::NotFoundError(absl::StrCat("category \"", code, "\" not found"));
  }
  return it->second;
}

absl::StatusOr<Category> Categories::Put(Category category) {
  std::vector<std::string> problems;
  CheckCategory(category, &problems);
  if (!problems.empty()) return absl::InvalidArgumentError(absl::StrJoin(problems, "; "));
  // mu_ is never held across a database call (see DispatchRules::Put).
  absl::MutexLock writing(&write_mu_);
  RETURN_IF_ERROR(db_->Write([&](store::Connection& db) {
    Store(db, category);
    return absl::OkStatus();
  }));
  absl::MutexLock lock(&mu_);
  by_code_[category.code()] = category;
  return category;
}

}  // namespace onewindow::complaint
