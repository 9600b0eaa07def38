#include "services/notification/file_sink_provider.h"

#include "absl/time/clock.h"

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "services/notification/webhook_provider.h"

namespace onewindow::notification {

FileSinkProvider::~FileSinkProvider() {
  absl::MutexLock lock(&mu_);
  if (file_ != nullptr) std::fclose(file_);
}

SendResult FileSinkProvider::Send(const PendingDelivery& delivery, int attempt) {
  const std::string line =
      WebhookPayload(delivery, attempt, /*include_to=*/true, absl::Now()) + "\n";
  absl::MutexLock lock(&mu_);
  if (file_ == nullptr) file_ = std::fopen(path_.c_str(), "ae");
  if (file_ == nullptr) {
    return {SendResult::kTemporary,
            absl::StrCat("cannot open the sink file: ", std::strerror(errno))};
  }
  if (std::fwrite(line.data(), 1, line.size(), file_) != line.size() || std::fflush(file_) != 0) {
    std::fclose(file_);
    file_ = nullptr;
    return {SendResult::kTemporary, "cannot write the sink file"};
  }
  return {SendResult::kDelivered, "written to the sink file"};
}

}  // namespace onewindow::notification
