#pragma once

#include <cstddef>
#include <functional>
#include <memory>

#include <grpcpp/client_context.h>

#include "libs/outbox/outbox.h"
#include "onewindow/notification/v1/notification.grpc.pb.h"

namespace onewindow::outbox {

// Makes one call's client context: its deadline and the caller's principal.
using ContextFactory = std::function<std::unique_ptr<grpc::ClientContext>()>;

// Relay senders for notification, which every service's outbox reaches.
// The stub must be a generated one (a bare stub interface has no async())
// and outlive the relay.

// What notification takes in one event param value (notification.proto).
// A longer value is refused, and a refused event, parked as dead, holds
// back every later event of its ordering key.
inline constexpr size_t kMaxNotifyParamBytes = 4000;

// Shortens each param value of `event` that would not fit, at a character
// boundary, ending it with "…". Every service calls it on what it enqueues
// for notification: param values are display text (a reply, a list of
// materials), better cut than never sent.
void FitNotifyParams(notification::v1::Event* event);

// One Notify call per event.
AsyncSender NotifySender(notification::v1::NotificationService::StubInterface* notification,
                         ContextFactory context);

// Many events per NotifyBatch call; a notification without that method (an
// older build) gets one Notify call per event.
BatchSender NotifyBatchSender(notification::v1::NotificationService::StubInterface* notification,
                              ContextFactory context);

}  // namespace onewindow::outbox
