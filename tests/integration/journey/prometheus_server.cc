#include "tests/integration/journey/prometheus_server.h"

#include <google/protobuf/struct.pb.h>
#include <signal.h>

#include <fstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/status/proto_json.h"
#include "libs/testing/http_client.h"
#include "libs/testing/url_encode.h"
#include "tests/integration/journey/text.h"

namespace onewindow::journey {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

const Value* Field(const Struct& s, const std::string& name) {
  auto it = s.fields().find(name);
  return it == s.fields().end() ? nullptr : &it->second;
}

std::string StringField(const Struct& s, const std::string& name) {
  const Value* v = Field(s, name);
  return v == nullptr ? "" : v->string_value();
}

// The "data" object of a successful API answer.
absl::StatusOr<Struct> Data(const std::string& body) {
  Struct answer;
  if (absl::Status s = status::JsonToMessage(body, &answer); !s.ok()) {
    return absl::InternalError(absl::StrCat("not JSON (", s.message(), "): ", body));
  }
  const Value* data = Field(answer, "data");
  if (StringField(answer, "status") != "success" || data == nullptr || !data->has_struct_value()) {
    return absl::InternalError(absl::StrCat("not a successful answer: ", body));
  }
  return data->struct_value();
}

}  // namespace

std::string ScrapeConfig(const std::map<std::string, std::string>& targets) {
  std::string config =
      "global:\n"
      "  scrape_interval: 1s\n"
      "  scrape_timeout: 1s\n"
      "scrape_configs:\n";
  for (const auto& [job, address] : targets) {
    absl::StrAppend(&config, "  - job_name: ", job, "\n", "    static_configs:\n",
                    "      - targets: [\"", address, "\"]\n");
  }
  return config;
}

absl::StatusOr<std::unique_ptr<PrometheusServer>> PrometheusServer::Start(
    const std::map<std::string, std::string>& targets, const std::string& dir) {
  const std::string config_path = absl::StrCat(dir, "/prometheus.yml");
  {
    std::ofstream out(config_path);
    out << ScrapeConfig(targets);
    if (!out.good()) return absl::InternalError(absl::StrCat("cannot write ", config_path));
  }
  std::unique_ptr<PrometheusServer> server(new PrometheusServer());
  absl::Status last = absl::UnavailableError("not started");
  // A port taken between FreePort() and Prometheus' bind ends the process:
  // try fresh ports a few times.
  for (int attempt = 0; attempt < 3; ++attempt) {
    server->port_ = testing::FreePort();
    const std::vector<std::string> argv = {
        "prometheus", absl::StrCat("--config.file=", config_path),
        absl::StrCat("--storage.tsdb.path=", dir, "/tsdb-", attempt),
        absl::StrCat("--web.listen-address=127.0.0.1:", server->port_), "--log.level=warn"};
    if (absl::Status s = server->process_.Start(argv, {}, absl::StrCat(dir, "/prometheus.log"));
        !s.ok()) {
      return s;
    }
    const absl::Time deadline = absl::Now() + absl::Seconds(60);
    while (absl::Now() < deadline && server->process_.running()) {
      auto ready = testing::HttpGet(server->port_, "/-/ready");
      if (ready.ok() && ready->status == 200) return server;
      last = ready.ok() ? absl::UnavailableError(absl::StrCat("/-/ready: HTTP ", ready->status))
                        : ready.status();
      absl::SleepFor(absl::Milliseconds(100));
    }
    if (server->process_.running()) {
      server->process_.Stop(SIGKILL);
      break;  // Started but never ready: another port will not help.
    }
    last = absl::UnavailableError("prometheus exited during start-up");
  }
  return absl::UnavailableError(
      absl::StrCat("prometheus did not become ready (is Debian's prometheus installed? "
                   "deploy/scripts/install-deps.sh installs it): ",
                   last.message(), "\n--- prometheus log ---\n", server->Logs()));
}

absl::StatusOr<std::string> PrometheusServer::Get(const std::string& target) const {
  auto r = testing::HttpGet(port_, target);
  if (!r.ok()) return r.status();
  if (r->status != 200) {
    return absl::InternalError(absl::StrCat("GET ", target, ": HTTP ", r->status, ": ", r->body));
  }
  return r->body;
}

absl::StatusOr<std::vector<ScrapeTarget>> PrometheusServer::Targets() const {
  auto body = Get("/api/v1/targets?state=active");
  if (!body.ok()) return body.status();
  return ParseTargets(*body);
}

absl::StatusOr<std::map<std::string, double>> PrometheusServer::Query(
    const std::string& promql, const std::string& label) const {
  auto body = Get(absl::StrCat("/api/v1/query?query=", testing::UrlEncode(promql)));
  if (!body.ok()) return body.status();
  return ParseVector(*body, label);
}

absl::StatusOr<std::vector<ScrapeTarget>> ParseTargets(const std::string& body) {
  auto data = Data(body);
  if (!data.ok()) return data.status();
  const Value* active = Field(*data, "activeTargets");
  if (active == nullptr || !active->has_list_value()) {
    return absl::InternalError(absl::StrCat("no activeTargets: ", body));
  }
  std::vector<ScrapeTarget> targets;
  for (const Value& v : active->list_value().values()) {
    const Struct& t = v.struct_value();
    ScrapeTarget target;
    if (const Value* labels = Field(t, "labels"); labels != nullptr) {
      target.job = StringField(labels->struct_value(), "job");
      target.instance = StringField(labels->struct_value(), "instance");
    }
    target.health = StringField(t, "health");
    target.last_error = StringField(t, "lastError");
    // RFC 3339 with nanoseconds; "0001-01-01T00:00:00Z" before the first scrape.
    absl::Time scraped;
    std::string error;
    if (absl::ParseTime(absl::RFC3339_full, StringField(t, "lastScrape"), &scraped, &error) &&
        scraped > absl::UnixEpoch()) {
      target.last_scrape = scraped;
    }
    targets.push_back(std::move(target));
  }
  return targets;
}

absl::StatusOr<std::map<std::string, double>> ParseVector(const std::string& body,
                                                          const std::string& label) {
  auto data = Data(body);
  if (!data.ok()) return data.status();
  const Value* result = Field(*data, "result");
  if (StringField(*data, "resultType") != "vector" || result == nullptr ||
      !result->has_list_value()) {
    return absl::InternalError(absl::StrCat("not a vector: ", body));
  }
  std::map<std::string, double> values;
  for (const Value& v : result->list_value().values()) {
    const Struct& series = v.struct_value();
    const Value* metric = Field(series, "metric");
    const Value* value = Field(series, "value");
    // "value": [<unix time>, "<sample as a string>"]
    if (metric == nullptr || value == nullptr || value->list_value().values_size() != 2) {
      return absl::InternalError(absl::StrCat("odd series in: ", body));
    }
    double sample = 0;
    if (!absl::SimpleAtod(value->list_value().values(1).string_value(), &sample)) {
      return absl::InternalError(absl::StrCat("odd sample in: ", body));
    }
    values[StringField(metric->struct_value(), label)] = sample;
  }
  return values;
}

}  // namespace onewindow::journey
