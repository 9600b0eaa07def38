#pragma once

#include <functional>
#include <string>

#include "absl/time/time.h"
#include "libs/outbox/outbox.h"
#include "onewindow/intake/v1/intake.grpc.pb.h"
#include "onewindow/notification/v1/notification.grpc.pb.h"

namespace onewindow::approval {

// Outbox relay senders: one gRPC call per event as this process's SERVICE
// principal (`token` mints it). A receiver answering ALREADY_EXISTS has
// applied the event before, which counts as delivered. Calls go out on the
// callback API, so a relay keeps a whole batch in flight; the stubs must be
// generated stubs (a bare stub interface has no async()).
outbox::AsyncSender IntakeSender(intake::v1::IntakeService::StubInterface* intake,
                                 std::function<std::string()> token,
                                 absl::Duration timeout = absl::Seconds(5));
outbox::AsyncSender NotifySender(notification::v1::NotificationService::StubInterface* notification,
                                 std::function<std::string()> token,
                                 absl::Duration timeout = absl::Seconds(5));

// The same, many events to one call (RecordTransitions, NotifyBatch); a
// receiver without the batch method gets them one call each.
outbox::BatchSender IntakeBatchSender(intake::v1::IntakeService::StubInterface* intake,
                                      std::function<std::string()> token,
                                      absl::Duration timeout = absl::Seconds(5));
outbox::BatchSender NotifyBatchSender(
    notification::v1::NotificationService::StubInterface* notification,
    std::function<std::string()> token, absl::Duration timeout = absl::Seconds(5));

}  // namespace onewindow::approval
