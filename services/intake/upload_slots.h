#pragma once

#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace onewindow::intake {

// Bounds the uploads in progress, in all and per uploader. An upload holds a
// server thread for as long as its client takes to send the file, so without
// a bound a few slow senders could hold every thread intake has and stop the
// calls of everyone else.
class UploadSlots {
 public:
  struct Limits {
    int total = 128;
    int per_uploader = 8;
  };

  // One upload's place; given back when destroyed.
  class Slot {
   public:
    Slot(Slot&& other) noexcept : slots_(other.slots_), uploader_(std::move(other.uploader_)) {
      other.slots_ = nullptr;
    }
    Slot& operator=(Slot&&) = delete;
    ~Slot();

   private:
    friend class UploadSlots;
    Slot(UploadSlots* slots, std::string uploader)
        : slots_(slots), uploader_(std::move(uploader)) {}

    UploadSlots* slots_;
    std::string uploader_;
  };

  explicit UploadSlots(Limits limits) : limits_(limits) {}

  // RESOURCE_EXHAUSTED, naming which bound, when `uploader` (any stable
  // key of who uploads) or everyone together already hold the most.
  absl::StatusOr<Slot> Acquire(absl::string_view uploader);

  int in_progress() const;

 private:
  void Release(const std::string& uploader);

  const Limits limits_;
  mutable absl::Mutex mu_;
  int total_ ABSL_GUARDED_BY(mu_) = 0;
  absl::flat_hash_map<std::string, int> by_uploader_ ABSL_GUARDED_BY(mu_);
};

}  // namespace onewindow::intake
