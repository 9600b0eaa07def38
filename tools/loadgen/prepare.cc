#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <thread>

#include <google/protobuf/struct.pb.h>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/status/proto_json.h"
#include "libs/testing/http_client.h"
#include "onewindow/catalog/v1/catalog.pb.h"
#include "tools/catalog_gen/catalog_data.h"
#include "tools/loadgen/plan.h"

namespace onewindow::loadgen {
namespace {

namespace cv1 = catalog::v1;
using Say = std::function<void(const std::string&)>;

// Routes each operation needs, as /api/openapi.json names them.
const std::map<Op, std::vector<std::string>>& RoutesNeeded() {
  static const auto* const kRoutes = new std::map<Op, std::vector<std::string>>{
      {Op::kSearch, {"/api/v1/items"}},
      {Op::kGuide, {"/api/v1/items/{implementation_code}"}},
      {Op::kLogin, {"/api/v1/accounts/citizens"}},
      {Op::kMe, {"/api/v1/accounts/citizens", "/api/v1/me"}},
      {Op::kSubmit, {"/api/v1/accounts/citizens", "/api/v1/applications"}},
      {Op::kComplain, {"/api/v1/accounts/citizens", "/api/v1/work-orders"}},
  };
  return *kRoutes;
}

// The blocking client of the preparation, one request at a time. Waits out
// 429s (the gateway's limits are per client address, so an unlifted gateway
// throttles even the preparation), telling the user once.
class Client {
 public:
  Client(const PrepareOptions& options, const Say& say)
      : conn_(options.gateway_port, options.gateway_ip, absl::Seconds(30)), say_(say) {}

  absl::StatusOr<testing::HttpResult> Fetch(const HttpCall& call) {
    testing::Headers headers(call.headers.begin(), call.headers.end());
    if (!call.content_type.empty()) headers.emplace_back("Content-Type", call.content_type);
    for (int attempt = 0;; ++attempt) {
      absl::StatusOr<testing::HttpResult> r =
          conn_.Request(call.method, call.target, call.body, headers);
      if (!r.ok() || r->status != 429 || attempt >= 60) return r;
      static std::once_flag told;
      std::call_once(told, [this] {
        say_(
            "the gateway answers 429 (rate limited); waiting it out — lift its limits for load "
            "runs (README, \"Load generator\")");
      });
      int64_t seconds = 1;
      if (!absl::SimpleAtoi(r->header("retry-after"), &seconds)) seconds = 1;
      absl::SleepFor(absl::Seconds(std::clamp<int64_t>(seconds, 1, 10)));
    }
  }

 private:
  testing::HttpConnection conn_;
  const Say& say_;
};

template <typename M>
bool Parse(const std::string& body, M* message) {
  status::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  return status::JsonToMessage(body, message, options).ok();
}

std::string Describe(const absl::StatusOr<testing::HttpResult>& r) {
  if (!r.ok()) return std::string(r.status().message());
  return DescribeAnswer(r->status, r->body);
}

// A service that is not there: no route, not implemented, or down.
bool ServiceMissing(const absl::StatusOr<testing::HttpResult>& r) {
  return r.ok() && ((r->status == 404 && absl::StrContains(r->body, "no route for")) ||
                    r->status == 501 || r->status == 503);
}

std::set<std::string> OpenApiPaths(Client& client, const Say& say) {
  std::set<std::string> paths;
  HttpCall call;
  call.target = "/api/openapi.json";
  absl::StatusOr<testing::HttpResult> r = client.Fetch(call);
  google::protobuf::Struct doc;
  if (!r.ok() || r->status != 200 || !Parse(r->body, &doc) || !doc.fields().count("paths")) {
    say(absl::StrCat("cannot read /api/openapi.json (", Describe(r),
                     "); assuming every route exists"));
    return paths;
  }
  for (const auto& [path, unused] : doc.fields().at("paths").struct_value().fields()) {
    paths.insert(path);
  }
  return paths;
}

// Search words that find something, and what they found.
void FindItems(Client& client, const PrepareOptions& options, Plan* plan,
               std::vector<cv1::ItemSummary>* found, const Say& say) {
  std::vector<std::string> words = catalog_gen::QueryWords(2);
  for (const std::string& w : catalog_gen::QueryWords(4)) words.push_back(w);
  std::mt19937_64 rng(options.seed);
  std::shuffle(words.begin(), words.end(), rng);
  std::set<std::string> codes;
  std::set<std::string> regions;
  int tried = 0;
  for (const std::string& word : words) {
    if (static_cast<int>(plan->words.size()) >= options.max_words ||
        tried >= 4 * options.max_words) {
      break;
    }
    ++tried;
    absl::StatusOr<testing::HttpResult> r = client.Fetch(SearchCall(word, ""));
    if (!r.ok() || r->status != 200) {
      const std::string why = absl::StrCat("searching failed: ", Describe(r));
      plan->Skip(Op::kSearch, why);
      plan->Skip(Op::kGuide, why);
      say(why);
      return;
    }
    cv1::SearchItemsResponse response;
    if (!Parse(r->body, &response) || response.items().empty()) continue;
    plan->words.push_back(word);
    for (const cv1::ItemSummary& item : response.items()) {
      if (codes.insert(item.implementation_code()).second) found->push_back(item);
      if (!item.region_code().empty()) regions.insert(item.region_code());
    }
  }
  plan->guide_codes.assign(codes.begin(), codes.end());
  plan->regions.assign(regions.begin(), regions.end());
  if (regions.size() > 64) plan->regions.resize(64);
  if (plan->words.empty()) {
    const std::string why = "no search word finds anything: is the catalog loaded?";
    plan->Skip(Op::kSearch, why);
    plan->Skip(Op::kGuide, why);
  }
  say(absl::StrCat(plan->words.size(), " search words find ", plan->guide_codes.size(),
                   " items in ", plan->regions.size(), " regions (", tried, " words tried)"));
}

// Registers the citizens, several at a time (each costs identity an argon2
// hash). ALREADY_EXISTS is taken as one of ours from an earlier run with
// the same --seed; the sign-in probe finds out.
void RegisterCitizens(const PrepareOptions& options, Plan* plan, const Say& say) {
  const std::string region = plan->regions.empty() ? "440106001001" : plan->regions.front();
  std::vector<Citizen> all;
  for (int i = 0; i < options.citizens; ++i) {
    all.push_back(MakeCitizen(options.seed, i,
                              plan->regions.empty()
                                  ? region
                                  : plan->regions[static_cast<size_t>(i) % plan->regions.size()]));
  }
  std::mutex mu;
  std::vector<bool> ok(all.size(), false);
  int existed = 0;
  std::map<std::string, int> failures;
  std::atomic<size_t> next{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < std::max(1, options.threads); ++t) {
    threads.emplace_back([&] {
      Client client(options, say);
      for (size_t i = next++; i < all.size(); i = next++) {
        absl::StatusOr<testing::HttpResult> r = client.Fetch(RegisterCall(all[i]));
        std::lock_guard<std::mutex> lock(mu);
        if (r.ok() && r->status == 200) {
          ok[i] = true;
        } else if (r.ok() && r->status == 409) {
          ok[i] = true;
          ++existed;
        } else {
          ++failures[Describe(r)];
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  for (size_t i = 0; i < all.size(); ++i) {
    if (ok[i]) plan->citizens.push_back(all[i]);
  }
  say(absl::StrCat(plan->citizens.size(), " citizens ready (", existed,
                   " registered by an earlier run with this --seed)"));
  for (const auto& [why, n] : failures) say(absl::StrCat("registration failed x", n, ": ", why));
}

// The item as a citizen applies for it online, if its guide lets one:
// published, online application, natural persons accepted.
std::optional<SubmitItem> Applicable(Client& client, const std::string& code) {
  absl::StatusOr<testing::HttpResult> g = client.Fetch(GuideCall(code));
  cv1::Implementation guide;
  if (!g.ok() || g->status != 200 || !Parse(g->body, &guide)) return std::nullopt;
  const bool natural = guide.applicant_kinds().empty() ||
                       std::count(guide.applicant_kinds().begin(), guide.applicant_kinds().end(),
                                  cv1::NATURAL_PERSON) > 0;
  if (guide.state() == cv1::WITHDRAWN || !natural ||
      guide.guide().online_depth() == cv1::INFORMATION_ONLY ||
      guide.guide().online_depth() == cv1::ONLINE_DEPTH_UNSPECIFIED) {
    return std::nullopt;
  }
  SubmitItem item;
  item.implementation_code = guide.implementation_code();
  item.revision = guide.revision();
  item.department = guide.department_credit_code();
  item.region_code = guide.region_code();
  for (const cv1::Material& m : guide.guide().materials()) {
    if (m.required()) item.required_materials.push_back(m.material_id());
  }
  return item;
}

// Up to 20 items of one body that natural persons can apply for online.
std::vector<SubmitItem> ItemsOf(Client& client, const std::string& department) {
  std::vector<SubmitItem> items;
  HttpCall call;
  call.target = absl::StrCat("/api/v1/items?department_credit_code=", department,
                             "&applicant_kind=NATURAL_PERSON&page_size=50");
  absl::StatusOr<testing::HttpResult> r = client.Fetch(call);
  cv1::SearchItemsResponse response;
  if (!r.ok() || r->status != 200 || !Parse(r->body, &response)) return items;
  for (const cv1::ItemSummary& summary : response.items()) {
    if (items.size() >= 20) break;
    if (summary.online_depth() == cv1::INFORMATION_ONLY) continue;
    if (std::optional<SubmitItem> item = Applicable(client, summary.implementation_code())) {
      items.push_back(*std::move(item));
    }
  }
  return items;
}

void PickSubmitItems(Client& client, const PrepareOptions& options,
                     const std::vector<cv1::ItemSummary>& found, Plan* plan, const Say& say) {
  if (!options.department.empty()) {
    plan->submit_items = ItemsOf(client, options.department);
    plan->department = options.department;
  } else {
    // The items the searches met, those of the bodies met most often first
    // (a busy queue for the decisions); the first one a citizen can apply
    // for online picks the body.
    std::map<std::string, int> counts;
    for (const auto& item : found) ++counts[item.department_credit_code()];
    std::vector<const cv1::ItemSummary*> candidates;
    for (const auto& item : found) {
      if (item.online_depth() != cv1::INFORMATION_ONLY) candidates.push_back(&item);
    }
    std::stable_sort(candidates.begin(), candidates.end(), [&](const auto* a, const auto* b) {
      return counts[a->department_credit_code()] > counts[b->department_credit_code()];
    });
    constexpr size_t kMaxGuidesRead = 100;
    for (size_t i = 0; i < candidates.size() && i < kMaxGuidesRead; ++i) {
      std::optional<SubmitItem> item = Applicable(client, candidates[i]->implementation_code());
      if (!item.has_value()) continue;
      plan->department = item->department;
      plan->submit_items = ItemsOf(client, plan->department);
      if (plan->submit_items.empty()) plan->submit_items.push_back(*std::move(item));
      break;
    }
  }
  if (plan->submit_items.empty()) {
    const std::string why = options.department.empty()
                                ? "no item found that natural persons can apply for online"
                                : absl::StrCat("department ", options.department,
                                               " has no item natural persons can apply for online");
    plan->Skip(Op::kSubmit, why);
    plan->Skip(Op::kComplain, why);
    return;
  }
  say(absl::StrCat(plan->submit_items.size(), " items to apply for, of department ",
                   plan->department));
}

absl::StatusOr<Session> SignIn(Client& client, const Citizen& citizen) {
  absl::StatusOr<testing::HttpResult> r = client.Fetch(LoginCall(citizen));
  if (!r.ok() || r->status != 200) return absl::UnavailableError(Describe(r));
  return SessionFrom(r->header("set-cookie"), r->body);
}

// One submission exactly as the run makes them: OK, or why not.
absl::Status ProbeSubmit(Client& client, const Session& session, const PrepareOptions& options,
                         const Plan& plan, bool* missing) {
  const SubmitItem& item = plan.submit_items.front();
  const std::string pdf = PdfBody(options.upload_bytes);
  std::vector<std::string> ids;
  for (const std::string& material : item.required_materials) {
    absl::StatusOr<testing::HttpResult> r =
        client.Fetch(UploadCall(session, material + ".pdf", pdf));
    if (!r.ok() || r->status != 200) {
      *missing = ServiceMissing(r);
      return absl::UnavailableError(absl::StrCat("upload: ", Describe(r)));
    }
    absl::StatusOr<std::string> id = MaterialIdFrom(r->body);
    if (!id.ok()) return id.status();
    ids.push_back(*id);
  }
  absl::StatusOr<testing::HttpResult> r = client.Fetch(
      SubmitCall(session, item, ids, absl::StrCat("lg-probe-", absl::ToUnixNanos(absl::Now()))));
  if (!r.ok() || r->status != 200) {
    *missing = ServiceMissing(r);
    return absl::UnavailableError(absl::StrCat("submission: ", Describe(r)));
  }
  return absl::OkStatus();
}

absl::Status ProbeComplain(Client& client, const Session& session, const Plan& plan,
                           bool* missing) {
  absl::StatusOr<testing::HttpResult> r =
      client.Fetch(ComplainCall(session, plan.submit_items.front(),
                                absl::StrCat("lg-probe-", absl::ToUnixNanos(absl::Now()))));
  if (!r.ok() || r->status != 200) {
    *missing = ServiceMissing(r);
    return absl::UnavailableError(absl::StrCat("complaint: ", Describe(r)));
  }
  return absl::OkStatus();
}

bool Wanted(const PrepareOptions& options, Op op) { return options.mix.weight(op) > 0; }

}  // namespace

absl::StatusOr<Plan> Prepare(const PrepareOptions& options, const Say& say) {
  Plan plan;
  Client client(options, say);
  {
    HttpCall health;
    health.target = "/healthz";
    absl::StatusOr<testing::HttpResult> r = client.Fetch(health);
    if (!r.ok() || r->status != 200) {
      return absl::UnavailableError(absl::StrCat("gateway at ", options.gateway_ip, ":",
                                                 options.gateway_port, ": ", Describe(r)));
    }
  }
  for (int i = 0; i < kOpCount; ++i) {
    if (!Wanted(options, static_cast<Op>(i))) plan.Skip(static_cast<Op>(i), "not in --mix");
  }

  const std::set<std::string> paths = OpenApiPaths(client, say);
  if (!paths.empty()) {
    for (const auto& [op, routes] : RoutesNeeded()) {
      for (const std::string& route : routes) {
        if (paths.count(route) == 0) {
          plan.Skip(op, absl::StrCat("the gateway has no route ", route));
        }
      }
    }
  }

  std::vector<cv1::ItemSummary> found;
  if (plan.runs(Op::kSearch) || plan.runs(Op::kGuide) || plan.runs(Op::kSubmit) ||
      plan.runs(Op::kComplain) || Wanted(options, Op::kDecide)) {
    FindItems(client, options, &plan, &found, say);
  }
  if (plan.guide_codes.empty()) plan.Skip(Op::kGuide, "no item found");

  const bool needs_citizens = plan.runs(Op::kLogin) || plan.runs(Op::kMe) ||
                              plan.runs(Op::kSubmit) || plan.runs(Op::kComplain);
  if (needs_citizens) RegisterCitizens(options, &plan, say);
  std::optional<Session> session;
  if (needs_citizens && plan.citizens.empty()) {
    for (Op op : {Op::kLogin, Op::kMe, Op::kSubmit, Op::kComplain}) {
      plan.Skip(op, "no citizen could be registered");
    }
  } else if (needs_citizens) {
    absl::StatusOr<Session> s = SignIn(client, plan.citizens.front());
    if (!s.ok()) {
      const std::string why = absl::StrCat("signing in fails: ", s.status().message());
      for (Op op : {Op::kLogin, Op::kMe, Op::kSubmit, Op::kComplain}) plan.Skip(op, why);
      say(why);
    } else {
      session = *s;
    }
  }

  if (plan.runs(Op::kSubmit) || plan.runs(Op::kComplain) || Wanted(options, Op::kDecide)) {
    PickSubmitItems(client, options, found, &plan, say);
  }
  if (session.has_value() && plan.runs(Op::kSubmit)) {
    bool missing = false;
    if (absl::Status s = ProbeSubmit(client, *session, options, plan, &missing); !s.ok()) {
      plan.Skip(Op::kSubmit,
                absl::StrCat(missing ? "service not available: " : "probe failed: ", s.message()));
    }
  }
  if (session.has_value() && plan.runs(Op::kComplain)) {
    bool missing = false;
    if (absl::Status s = ProbeComplain(client, *session, plan, &missing); !s.ok()) {
      plan.Skip(Op::kComplain,
                absl::StrCat(missing ? "service not available: " : "probe failed: ", s.message()));
    }
  }
  return plan;
}

}  // namespace onewindow::loadgen
