#pragma once

#include <functional>
#include <string>

#include "absl/time/time.h"
#include "libs/outbox/outbox.h"
#include "libs/server/service_credentials.h"
#include "onewindow/intake/v1/intake.grpc.pb.h"

namespace onewindow::approval {

// Outbox relay senders: one gRPC call per event as this process's SERVICE
// principal. A receiver answering ALREADY_EXISTS has
// applied the event before, which counts as delivered. Calls go out on the
// callback API, so a relay keeps a whole batch in flight; the stubs must be
// generated stubs (a bare stub interface has no async()).
outbox::AsyncSender IntakeSender(intake::v1::IntakeService::StubInterface* intake,
                                 server::ServiceCredentials* credentials,
                                 absl::Duration timeout = absl::Seconds(5));

// The same, many events to one RecordTransitions call; an intake without
// that method gets them one call each. Notifications go through
// outbox::NotifyBatchSender.
outbox::BatchSender IntakeBatchSender(intake::v1::IntakeService::StubInterface* intake,
                                      server::ServiceCredentials* credentials,
                                      absl::Duration timeout = absl::Seconds(5));

}  // namespace onewindow::approval
