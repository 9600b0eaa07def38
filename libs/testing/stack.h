#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "libs/auth/token.h"
#include "libs/testing/process.h"
#include "onewindow/auth/v1/principal.pb.h"

namespace onewindow::testing {

// The backends in start order.
const std::vector<std::string>& AllBackends();

struct StackOptions {
  std::vector<std::string> backends = AllBackends();
  bool gateway = true;
  bool redis = true;
  // Extra flags per process name ("gateway", "catalog", …).
  std::map<std::string, std::vector<std::string>> extra_flags;
  // More gateways sharing the same Redis and backends: "gateway2", ….
  int extra_gateways = 0;
  // The address a backend listens on when not 127.0.0.1, by process name:
  // any 127.x.y.z works on Linux without setup. Gateways stay on 127.0.0.1.
  std::map<std::string, std::string> hosts = {};
};

// Real processes on free loopback ports with temporary data directories:
// redis-server, the chosen backends and the gateway. Everything stops when
// the Stack is destroyed, also when a test fails.
class Stack {
 public:
  static absl::StatusOr<std::unique_ptr<Stack>> Start(StackOptions options = {});
  ~Stack();

  std::string Address(const std::string& name) const;  // "<host>:port"
  int port(const std::string& name) const { return ports_.at(name); }
  int metrics_port(const std::string& name) const { return metrics_ports_.at(name); }
  int gateway_port() const { return ports_.at("gateway"); }
  // What Prometheus scrapes: name -> "127.0.0.1:<metrics port>" for every
  // started process that serves /metrics (all but Redis, which has none).
  std::map<std::string, std::string> MetricsTargets() const;
  int redis_port() const { return ports_.at("redis"); }

  // Kills a process with `signal` (SIGKILL for a crash) and waits for it.
  void Stop(const std::string& name, int signal);
  // Starts it again on the same ports and data, then waits until healthy.
  absl::Status Restart(const std::string& name);
  bool Running(const std::string& name);
  // The running process's id ("redis", "catalog", "gateway", …), -1 if none.
  pid_t pid(const std::string& name) const {
    auto it = processes_.find(name);
    return it == processes_.end() || it->second == nullptr ? -1 : it->second->pid();
  }

  // A principal token the backends accept.
  std::string Token(const auth::v1::Principal& principal,
                    absl::Duration ttl = absl::Minutes(10)) const;
  std::string AdminToken() const;
  const std::string& principal_keys() const { return principal_keys_; }
  const std::string& data_dir() const { return dir_.path(); }
  // The process's captured stdout/stderr.
  std::string Logs(const std::string& name) const;

 private:
  Stack();
  absl::Status Launch(const std::string& name);
  absl::Status WaitReady(const std::string& name, absl::Duration timeout);
  std::vector<std::string> Argv(const std::string& name) const;
  std::string Host(const std::string& name) const;

  StackOptions options_;
  TempDir dir_;
  std::string principal_keys_;
  std::unique_ptr<auth::TokenSigner> signer_;
  std::map<std::string, int> ports_;
  std::map<std::string, int> metrics_ports_;
  std::map<std::string, std::unique_ptr<ChildProcess>> processes_;
  std::vector<std::string> order_;
};

// The path of one of our binaries in the build tree.
std::string BinaryPath(const std::string& name);

}  // namespace onewindow::testing
