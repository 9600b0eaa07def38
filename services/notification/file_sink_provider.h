#pragma once

#include <cstdio>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "services/notification/provider.h"

namespace onewindow::notification {

// For demos and development: appends each message as one JSON line (the
// webhook payload, with the address) to a file instead of sending it.
class FileSinkProvider : public Provider {
 public:
  explicit FileSinkProvider(std::string path) : path_(std::move(path)) {}
  ~FileSinkProvider() override;

  const std::string& name() const override { return name_; }
  SendResult Send(const PendingDelivery& delivery, int attempt) override;

 private:
  const std::string name_ = "file_sink";
  const std::string path_;
  absl::Mutex mu_;
  std::FILE* file_ ABSL_GUARDED_BY(mu_) = nullptr;
};

}  // namespace onewindow::notification
