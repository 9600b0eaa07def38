#include "libs/testing/stack.h"

#include <signal.h>
#include <sys/stat.h>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "libs/auth/random.h"
#include "libs/client/channels.h"
#include "libs/client/health.h"
#include "libs/config/flags.h"
#include "libs/redis/redis_pool.h"
#include "libs/status/macros.h"
#include "libs/testing/http_client.h"

namespace onewindow::testing {

const std::vector<std::string>& AllBackends() {
  static const auto* const kBackends = new std::vector<std::string>{
      "identity", "catalog", "intake", "approval", "notification", "complaint"};
  return *kBackends;
}

std::string BinaryPath(const std::string& name) {
  if (name == "gateway" || name == "identity" || name == "catalog" || name == "intake" ||
      name == "approval" || name == "notification" || name == "complaint") {
    return absl::StrCat(OW_BINARY_DIR, "/services/", name, "/", name);
  }
  return absl::StrCat(OW_BINARY_DIR, "/tools/", name);
}

Stack::Stack() = default;

Stack::~Stack() {
  // Gateway first, then backends, then Redis: the reverse of start order.
  for (auto it = order_.rbegin(); it != order_.rend(); ++it) {
    auto p = processes_.find(*it);
    if (p != processes_.end() && p->second != nullptr) p->second->Stop(SIGTERM);
  }
}

absl::StatusOr<std::unique_ptr<Stack>> Stack::Start(StackOptions options) {
  std::unique_ptr<Stack> stack(new Stack());
  stack->options_ = std::move(options);
  if (stack->dir_.path().empty()) return absl::InternalError("cannot create a temp directory");
  // The processes and the test share one fresh key.
  const std::string raw = auth::RandomBytes(32);
  stack->principal_keys_ = absl::StrCat("test:", absl::Base64Escape(raw));
  auto ring = auth::KeyRing::Parse(stack->principal_keys_);
  if (!ring.ok()) return ring.status();
  stack->signer_ = std::make_unique<auth::TokenSigner>(*std::move(ring));

  std::vector<std::string> names;
  if (stack->options_.redis) names.push_back("redis");
  for (const auto& b : stack->options_.backends) names.push_back(b);
  if (stack->options_.gateway) names.push_back("gateway");
  for (int i = 0; i < stack->options_.extra_gateways; ++i) {
    names.push_back(absl::StrCat("gateway", i + 2));
  }
  for (const auto& name : names) {
    stack->ports_[name] = FreePort();
    stack->metrics_ports_[name] = FreePort();
    ::mkdir(absl::StrCat(stack->dir_.path(), "/", name).c_str(), 0700);
  }
  for (const auto& name : names) {
    absl::Status s = stack->Launch(name);
    // Another test may have taken a port between FreePort() and the bind:
    // try fresh ports before giving up.
    for (int attempt = 0; attempt < 2 && !s.ok(); ++attempt) {
      stack->processes_[name]->Stop(SIGKILL);
      stack->ports_[name] = FreePort();
      stack->metrics_ports_[name] = FreePort();
      s = stack->Launch(name);
    }
    if (!s.ok()) {
      return absl::Status(
          s.code(), absl::StrCat(s.message(), "\n--- ", name, " log ---\n", stack->Logs(name)));
    }
    stack->order_.push_back(name);
  }
  return stack;
}

std::vector<std::string> Stack::Argv(const std::string& name) const {
  const std::string data = absl::StrCat(dir_.path(), "/", name);
  const bool is_gateway = absl::StartsWith(name, "gateway");
  std::vector<std::string> argv;
  if (name == "redis") {
    // Later options win, so extra_flags["redis"] can turn persistence on.
    argv = {"redis-server", "--port",   absl::StrCat(ports_.at(name)),
            "--bind",       Host(name), "--dir",
            data,           "--save",   "",
            "--appendonly", "no",       "--protected-mode",
            "yes"};
  } else {
    argv = {BinaryPath(is_gateway ? "gateway" : name), absl::StrCat("--listen=", Address(name)),
            absl::StrCat("--metrics_listen=", Host(name), ":", metrics_ports_.at(name)),
            absl::StrCat("--data_dir=", data), "--drain_seconds=3"};
  }
  auto extra = options_.extra_flags.find(is_gateway ? "gateway" : name);
  if (extra != options_.extra_flags.end()) {
    argv.insert(argv.end(), extra->second.begin(), extra->second.end());
  }
  return argv;
}

absl::Status Stack::Launch(const std::string& name) {
  auto process = std::make_unique<ChildProcess>();
  const std::string log = absl::StrCat(dir_.path(), "/", name, ".log");
  // Addresses travel as OW_<NAME>_ADDR so a process that calls nobody
  // simply ignores them (an unknown flag would stop it).
  std::map<std::string, std::string> env = {{"OW_PRINCIPAL_KEYS", principal_keys_}};
  for (const auto& [other, unused_port] : ports_) {
    if (!absl::StartsWith(other, "gateway") && other != name) {
      env[config::EnvNameFor(absl::StrCat(other, "_addr"))] = Address(other);
    }
  }
  RETURN_IF_ERROR(process->Start(Argv(name), env, log));
  processes_[name] = std::move(process);
  return WaitReady(name, absl::Seconds(30));
}

absl::Status Stack::WaitReady(const std::string& name, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  absl::Status last = absl::UnavailableError("not started");
  std::unique_ptr<redis::RedisPool> redis;
  std::shared_ptr<grpc::Channel> channel;
  if (name == "redis") {
    redis::RedisOptions o;
    o.host = Host(name);
    o.port = ports_.at(name);
    redis = std::make_unique<redis::RedisPool>(o);
  } else if (!absl::StartsWith(name, "gateway")) {
    channel = client::MakeChannel(Address(name));
  }
  while (absl::Now() < deadline) {
    if (!processes_.at(name)->running()) {
      return absl::UnavailableError(absl::StrCat(name, " exited during start-up"));
    }
    if (redis != nullptr) {
      last = redis->Ping();
    } else if (channel != nullptr) {
      last = client::CheckHealth(channel.get(), "", absl::Milliseconds(500));
    } else {
      auto r = HttpGet(ports_.at(name), "/healthz");
      last = r.ok() && r->status == 200 ? absl::OkStatus() : absl::UnavailableError("healthz");
    }
    if (last.ok()) return absl::OkStatus();
    absl::SleepFor(absl::Milliseconds(50));
  }
  return absl::DeadlineExceededError(absl::StrCat(name, " not ready: ", last.message()));
}

std::string Stack::Host(const std::string& name) const {
  if (absl::StartsWith(name, "gateway")) return "127.0.0.1";  // WaitReady asks there.
  auto it = options_.hosts.find(name);
  return it == options_.hosts.end() ? "127.0.0.1" : it->second;
}

std::string Stack::Address(const std::string& name) const {
  return absl::StrCat(Host(name), ":", ports_.at(name));
}

std::map<std::string, std::string> Stack::MetricsTargets() const {
  std::map<std::string, std::string> targets;
  for (const std::string& name : order_) {
    if (name != "redis") targets[name] = absl::StrCat(Host(name), ":", metrics_ports_.at(name));
  }
  return targets;
}

void Stack::Stop(const std::string& name, int signal) {
  auto it = processes_.find(name);
  if (it != processes_.end() && it->second != nullptr) it->second->Stop(signal);
}

absl::Status Stack::Restart(const std::string& name) {
  Stop(name, SIGKILL);
  return Launch(name);
}

bool Stack::Running(const std::string& name) {
  auto it = processes_.find(name);
  return it != processes_.end() && it->second != nullptr && it->second->running();
}

std::string Stack::Token(const auth::v1::Principal& principal, absl::Duration ttl) const {
  auto token = signer_->Mint(principal, ttl, absl::Now());
  return token.ok() ? *token : "";
}

std::string Stack::AdminToken() const {
  auth::v1::Principal admin;
  admin.set_kind(auth::v1::PLATFORM_ADMIN);
  admin.set_subject("test-admin");
  return Token(admin);
}

std::string Stack::Logs(const std::string& name) const {
  return ReadFile(absl::StrCat(dir_.path(), "/", name, ".log"));
}

}  // namespace onewindow::testing
