#include "services/intake/upload_slots.h"

#include "absl/strings/str_cat.h"

namespace onewindow::intake {

UploadSlots::Slot::~Slot() {
  if (slots_ != nullptr) slots_->Release(uploader_);
}

absl::StatusOr<UploadSlots::Slot> UploadSlots::Acquire(absl::string_view uploader) {
  absl::MutexLock lock(&mu_);
  auto mine = by_uploader_.find(uploader);
  if (mine != by_uploader_.end() && mine->second >= limits_.per_uploader) {
    return absl::ResourceExhaustedError(
        absl::StrCat("uploads: this account already has ", limits_.per_uploader,
                     " uploads in progress, the most allowed; send the next when one is done"));
  }
  if (total_ >= limits_.total) {
    return absl::ResourceExhaustedError(
        absl::StrCat("uploads: intake already has ", limits_.total,
                     " uploads in progress, the most it takes; try again shortly"));
  }
  ++by_uploader_[uploader];
  ++total_;
  return Slot(this, std::string(uploader));
}

void UploadSlots::Release(const std::string& uploader) {
  absl::MutexLock lock(&mu_);
  --total_;
  auto it = by_uploader_.find(uploader);
  if (--it->second == 0) by_uploader_.erase(it);
}

int UploadSlots::in_progress() const {
  absl::MutexLock lock(&mu_);
  return total_;
}

}  // namespace onewindow::intake
