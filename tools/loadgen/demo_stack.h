#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "libs/testing/process.h"
#include "libs/testing/stack.h"

namespace onewindow::loadgen {

struct DemoStackOptions {
  // Implementations catalog_gen writes and catalog_import loads.
  int64_t implementations = 5000;
  uint64_t seed = 1;
  // Lift the gateway's per-client, per-session and sign-in rate limits (one
  // load generator is one client address).
  bool lift_limits = true;
  std::vector<std::string> gateway_flags;
  // Backends to start; empty: every one that has been built.
  std::vector<std::string> backends;
};

// A whole stack for a one-command load run, from the build tree, on free
// loopback ports with a temporary data directory: redis-server, every
// backend that has been built (or those asked for), the gateway (logging warnings only), and a
// synthetic province loaded into the catalog. Everything stops when it is
// destroyed.
class DemoStack {
 public:
  static absl::StatusOr<std::unique_ptr<DemoStack>> Start(
      const DemoStackOptions& options, const std::function<void(const std::string&)>& say);

  int gateway_port() const { return stack_->gateway_port(); }
  bool has(const std::string& backend) const;
  std::string Address(const std::string& backend) const { return stack_->Address(backend); }
  const std::string& data_dir() const { return stack_->data_dir(); }
  // A department API token from identity (approver and reviewer roles), as
  // a platform admin issues one for a city system.
  absl::StatusOr<std::string> IssueDepartmentToken(const std::string& department) const;

 private:
  DemoStack() = default;

  testing::TempDir tmp_;
  std::vector<std::string> backends_;
  std::unique_ptr<testing::Stack> stack_;
};

}  // namespace onewindow::loadgen
